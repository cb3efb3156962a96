//===- ElementwiseToLinalg.cpp - ag elementwise ops to linalg.generic -----===//
//
// Every elementwise ag op becomes one linalg.generic whose indexing maps carry
// the numpy broadcast of its operands; the body is arith/math on scalars.
// Integer semantics follow the ag element type: unsigned types (and i1) use
// the unsigned arith ops, signed and signless types the signed ones.
// ag.constant becomes arith.constant.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/AgToLinalg.h"
#include "compiler/codegen/cpu/LoweringUtils.h"
#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include <cmath>

using namespace mlir;
using namespace mlir::autoglm;

namespace {

//===----------------------------------------------------------------------===//
// ag.constant
//===----------------------------------------------------------------------===//

/// ag.constant -> arith.constant. Signed/unsigned element types become
/// signless: dense values are reinterpreted bit for bit and resource blobs keep
/// their handle under the signless type.
struct ConstantLowering : OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getTypeConverter()->convertType<RankedTensorType>(op.getType());
    if (!type)
      return rewriter.notifyMatchFailure(op, "unconvertible type");
    ElementsAttr value = op.getValue();
    TypedAttr converted;
    if (value.getType() == type)
      converted = value;
    else if (auto dense = dyn_cast<DenseElementsAttr>(value))
      converted = dense.bitcast(type.getElementType());
    else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
      converted = DenseResourceElementsAttr::get(type, resource.getRawHandle());
    else
      return rewriter.notifyMatchFailure(op, "unsupported constant attribute");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type, converted);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The elementwise pattern
//===----------------------------------------------------------------------===//

/// Computes one result element of `op` from its (broadcast) operand elements.
template <typename OpTy>
using ScalarBody = Value (*)(OpBuilder &, Location, OpTy, ValueRange);

/// Lowers an elementwise op whose operands are all tensors to one
/// linalg.generic running `body` per element.
template <typename OpTy>
struct ElementwiseLowering : OpConversionPattern<OpTy> {
  ElementwiseLowering(const TypeConverter &converter, MLIRContext *context,
                      ScalarBody<OpTy> body)
      : OpConversionPattern<OpTy>(converter, context), body(body) {}

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type =
        this->getTypeConverter()->template convertType<RankedTensorType>(
            op->getResult(0).getType());
    if (!type)
      return rewriter.notifyMatchFailure(op, "unconvertible result type");
    Value result =
        buildElementwise(rewriter, op.getLoc(), type, adaptor.getOperands(),
                         [&](OpBuilder &b, Location loc, ValueRange args) {
                           return body(b, loc, op, args);
                         });
    rewriter.replaceOp(op, result);
    return success();
  }

  ScalarBody<OpTy> body;
};

/// True when `op`'s first operand has unsigned integer semantics.
bool isUnsignedOp(Operation *op) {
  return isUnsignedElement(op->getOperand(0).getType());
}

bool isFloat(Value value) { return isa<FloatType>(value.getType()); }

Value cmpf(OpBuilder &b, Location loc, arith::CmpFPredicate predicate,
           Value lhs, Value rhs) {
  return arith::CmpFOp::create(b, loc, predicate, lhs, rhs);
}

Value cmpi(OpBuilder &b, Location loc, arith::CmpIPredicate predicate,
           Value lhs, Value rhs) {
  return arith::CmpIOp::create(b, loc, predicate, lhs, rhs);
}

Value select(OpBuilder &b, Location loc, Value condition, Value onTrue,
             Value onFalse) {
  return arith::SelectOp::create(b, loc, condition, onTrue, onFalse);
}

Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return createScalar(b, loc, like.getType(), value);
}

//===----------------------------------------------------------------------===//
// Scalar building blocks
//===----------------------------------------------------------------------===//

/// Numerically stable logistic: 1/(1+e^-|x|) for x >= 0, e^-|x|/(1+e^-|x|)
/// otherwise, so neither branch overflows.
Value buildSigmoid(OpBuilder &b, Location loc, Value x) {
  Value one = constantLike(b, loc, x, 1.0);
  Value zero = constantLike(b, loc, x, 0.0);
  Value abs = math::AbsFOp::create(b, loc, x);
  Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, abs));
  Value r =
      arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, e));
  Value nonNegative = cmpf(b, loc, arith::CmpFPredicate::OGE, x, zero);
  return select(b, loc, nonNegative, r, arith::MulFOp::create(b, loc, e, r));
}

/// -1, 0 or 1 by the sign of `x`; float NaN and -0.0 stay as they are.
Value buildSign(OpBuilder &b, Location loc, Value x, bool isUnsigned) {
  Value zero = constantLike(b, loc, x, 0.0);
  Value one = constantLike(b, loc, x, 1.0);
  if (isFloat(x)) {
    Value minusOne = constantLike(b, loc, x, -1.0);
    Value negative = select(
        b, loc, cmpf(b, loc, arith::CmpFPredicate::OLT, x, zero), minusOne, x);
    return select(b, loc, cmpf(b, loc, arith::CmpFPredicate::OGT, x, zero), one,
                  negative);
  }
  if (isUnsigned)
    return select(b, loc, cmpi(b, loc, arith::CmpIPredicate::ne, x, zero), one,
                  zero);
  Value minusOne = constantLike(b, loc, x, -1.0);
  Value negative = select(
      b, loc, cmpi(b, loc, arith::CmpIPredicate::slt, x, zero), minusOne, zero);
  return select(b, loc, cmpi(b, loc, arith::CmpIPredicate::sgt, x, zero), one,
                negative);
}

/// Python `%` on integers: the remainder takes the divisor's sign.
Value buildFloorMod(OpBuilder &b, Location loc, Value lhs, Value rhs) {
  Value zero = constantLike(b, loc, lhs, 0.0);
  Value rem = arith::RemSIOp::create(b, loc, lhs, rhs);
  Value nonZero = cmpi(b, loc, arith::CmpIPredicate::ne, rem, zero);
  Value remNegative = cmpi(b, loc, arith::CmpIPredicate::slt, rem, zero);
  Value rhsNegative = cmpi(b, loc, arith::CmpIPredicate::slt, rhs, zero);
  Value signsDiffer = arith::XOrIOp::create(b, loc, remNegative, rhsNegative);
  Value fix = arith::AndIOp::create(b, loc, nonZero, signsDiffer);
  return select(b, loc, fix, arith::AddIOp::create(b, loc, rem, rhs), rem);
}

/// Float to integer: truncation toward zero that saturates at the integer
/// range; NaN becomes 0. `fptosi`/`fptoui` alone are poison out of range, so
/// only in-range values reach them.
Value buildFloatToInt(OpBuilder &b, Location loc, Value x, IntegerType to,
                      bool isUnsigned) {
  unsigned width = to.getWidth();
  auto floatType = cast<FloatType>(x.getType());
  auto bound = [&](double value) {
    APFloat converted(value);
    bool losesInfo = false;
    converted.convert(floatType.getFloatSemantics(),
                      APFloat::rmNearestTiesToEven, &losesInfo);
    return arith::ConstantOp::create(b, loc,
                                     FloatAttr::get(floatType, converted))
        .getResult();
  };
  // Powers of two are exact in every float type (or overflow to infinity).
  Value lo = bound(isUnsigned ? 0.0 : -std::ldexp(1.0, width - 1));
  Value hi = bound(std::ldexp(1.0, isUnsigned ? width : width - 1));
  Value inRange = arith::AndIOp::create(
      b, loc, cmpf(b, loc, arith::CmpFPredicate::OGT, x, lo),
      cmpf(b, loc, arith::CmpFPredicate::OLT, x, hi));
  Value safe = select(b, loc, inRange, x, constantLike(b, loc, x, 0.0));
  Value truncated = isUnsigned
                        ? arith::FPToUIOp::create(b, loc, to, safe).getResult()
                        : arith::FPToSIOp::create(b, loc, to, safe).getResult();
  APInt min =
      isUnsigned ? APInt::getMinValue(width) : APInt::getSignedMinValue(width);
  APInt max =
      isUnsigned ? APInt::getMaxValue(width) : APInt::getSignedMaxValue(width);
  Value minValue = arith::ConstantOp::create(b, loc, IntegerAttr::get(to, min));
  Value maxValue = arith::ConstantOp::create(b, loc, IntegerAttr::get(to, max));
  Value low = select(b, loc, cmpf(b, loc, arith::CmpFPredicate::OLE, x, lo),
                     minValue, truncated);
  return select(b, loc, cmpf(b, loc, arith::CmpFPredicate::OGE, x, hi),
                maxValue, low);
}

/// Converts scalar `x` of ag element type `from` to ag element type `to`
/// (both may be signed/unsigned; `x` itself is signless).
Value buildCast(OpBuilder &b, Location loc, Value x, Type from, Type to) {
  Type target = toSignless(to);
  bool fromUnsigned = isUnsignedElement(from);
  bool toUnsigned = isUnsignedElement(to);
  if (x.getType() == target)
    return x;
  if (to.isInteger(1)) {
    Value zero = constantLike(b, loc, x, 0.0);
    if (isFloat(x)) // NaN is true, as in numpy.
      return cmpf(b, loc, arith::CmpFPredicate::UNE, x, zero);
    return cmpi(b, loc, arith::CmpIPredicate::ne, x, zero);
  }
  if (from.isIndex() || to.isIndex()) {
    if (isFloat(x))
      x = buildCast(b, loc, x, from, b.getI64Type());
    else if (isa<FloatType>(target))
      return buildCast(b, loc,
                       arith::IndexCastOp::create(b, loc, b.getI64Type(), x),
                       b.getI64Type(), to);
    if (fromUnsigned)
      return arith::IndexCastUIOp::create(b, loc, target, x);
    return arith::IndexCastOp::create(b, loc, target, x);
  }
  auto fromFloat = dyn_cast<FloatType>(x.getType());
  auto toFloat = dyn_cast<FloatType>(target);
  if (fromFloat && toFloat) {
    if (fromFloat.getWidth() < toFloat.getWidth())
      return arith::ExtFOp::create(b, loc, toFloat, x);
    return arith::TruncFOp::create(b, loc, toFloat, x);
  }
  if (fromFloat)
    return buildFloatToInt(b, loc, x, cast<IntegerType>(target), toUnsigned);
  if (toFloat) {
    if (fromUnsigned)
      return arith::UIToFPOp::create(b, loc, toFloat, x);
    return arith::SIToFPOp::create(b, loc, toFloat, x);
  }
  unsigned fromWidth = x.getType().getIntOrFloatBitWidth();
  unsigned toWidth = target.getIntOrFloatBitWidth();
  if (fromWidth > toWidth)
    return arith::TruncIOp::create(b, loc, target, x);
  if (fromUnsigned)
    return arith::ExtUIOp::create(b, loc, target, x);
  return arith::ExtSIOp::create(b, loc, target, x);
}

/// A clamp bound converted to the element type of `x`: integers round the
/// bound inward and saturate it to their range.
Value buildClampBound(OpBuilder &b, Location loc, Value x, double bound,
                      bool isUpper, bool isUnsigned) {
  if (isFloat(x))
    return constantLike(b, loc, x, bound);
  unsigned width = x.getType().getIntOrFloatBitWidth();
  double lo = isUnsigned ? 0.0 : -std::ldexp(1.0, width - 1);
  double hi = std::ldexp(1.0, isUnsigned ? width : width - 1) - 1.0;
  double value =
      std::clamp(isUpper ? std::floor(bound) : std::ceil(bound), lo, hi);
  if (isUnsigned)
    return arith::ConstantOp::create(
        b, loc, IntegerAttr::get(x.getType(), APInt(width, uint64_t(value))));
  return constantLike(b, loc, x, value);
}

//===----------------------------------------------------------------------===//
// Per-op bodies
//===----------------------------------------------------------------------===//

template <typename OpTy, typename FloatOp>
void addFloatUnary(TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ElementwiseLowering<OpTy>>(
      converter, patterns.getContext(),
      [](OpBuilder &b, Location loc, OpTy, ValueRange args) -> Value {
        return FloatOp::create(b, loc, args[0]);
      });
}

/// A binary op lowered to `FloatOp` on floats and to `SignedOp` /
/// `UnsignedOp` on integers.
template <typename OpTy, typename FloatOp, typename SignedOp,
          typename UnsignedOp = SignedOp>
void addBinary(TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ElementwiseLowering<OpTy>>(
      converter, patterns.getContext(),
      [](OpBuilder &b, Location loc, OpTy op, ValueRange args) -> Value {
        if (isFloat(args[0]))
          return FloatOp::create(b, loc, args[0], args[1]);
        if (isUnsignedOp(op))
          return UnsignedOp::create(b, loc, args[0], args[1]);
        return SignedOp::create(b, loc, args[0], args[1]);
      });
}

Value absBody(OpBuilder &b, Location loc, AbsOp op, ValueRange args) {
  if (isFloat(args[0]))
    return math::AbsFOp::create(b, loc, args[0]);
  if (isUnsignedOp(op))
    return args[0];
  return math::AbsIOp::create(b, loc, args[0]);
}

Value negBody(OpBuilder &b, Location loc, NegOp, ValueRange args) {
  if (isFloat(args[0]))
    return arith::NegFOp::create(b, loc, args[0]);
  return arith::SubIOp::create(b, loc, constantLike(b, loc, args[0], 0.0),
                               args[0]);
}

Value signBody(OpBuilder &b, Location loc, SignOp op, ValueRange args) {
  return buildSign(b, loc, args[0], isUnsignedOp(op));
}

Value reluBody(OpBuilder &b, Location loc, ReluOp op, ValueRange args) {
  if (isUnsignedOp(op))
    return args[0];
  return combine(b, loc, Combiner::max, args[0],
                 constantLike(b, loc, args[0], 0.0), /*isUnsigned=*/false);
}

Value reciprocalBody(OpBuilder &b, Location loc, ReciprocalOp,
                     ValueRange args) {
  return arith::DivFOp::create(b, loc, constantLike(b, loc, args[0], 1.0),
                               args[0]);
}

Value sigmoidBody(OpBuilder &b, Location loc, SigmoidOp, ValueRange args) {
  return buildSigmoid(b, loc, args[0]);
}

Value siluBody(OpBuilder &b, Location loc, SiluOp, ValueRange args) {
  return arith::MulFOp::create(b, loc, args[0], buildSigmoid(b, loc, args[0]));
}

/// log(1 + e^x) as max(x, 0) + log1p(e^-|x|), which never overflows.
Value softplusBody(OpBuilder &b, Location loc, SoftplusOp, ValueRange args) {
  Value x = args[0];
  Value positive =
      arith::MaximumFOp::create(b, loc, x, constantLike(b, loc, x, 0.0));
  Value negAbs = arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
  Value tail =
      math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs));
  return arith::AddFOp::create(b, loc, positive, tail);
}

Value notBody(OpBuilder &b, Location loc, NotOp, ValueRange args) {
  Value one = arith::ConstantOp::create(b, loc, b.getBoolAttr(true));
  return arith::XOrIOp::create(b, loc, args[0], one);
}

Value geluBody(OpBuilder &b, Location loc, GeluOp op, ValueRange args) {
  Value x = args[0];
  Value half = constantLike(b, loc, x, 0.5);
  Value one = constantLike(b, loc, x, 1.0);
  Value inner;
  if (op.getApproximation() == GeluApproximation::none) {
    Value scaled =
        arith::MulFOp::create(b, loc, x, constantLike(b, loc, x, M_SQRT1_2));
    inner = math::ErfOp::create(b, loc, scaled);
  } else {
    Value cube =
        arith::MulFOp::create(b, loc, x, arith::MulFOp::create(b, loc, x, x));
    Value poly = arith::AddFOp::create(
        b, loc, x,
        arith::MulFOp::create(b, loc, constantLike(b, loc, x, 0.044715), cube));
    Value scaled = arith::MulFOp::create(
        b, loc, constantLike(b, loc, x, std::sqrt(2.0 / M_PI)), poly);
    inner = math::TanhOp::create(b, loc, scaled);
  }
  Value factor = arith::MulFOp::create(
      b, loc, half, arith::AddFOp::create(b, loc, one, inner));
  return arith::MulFOp::create(b, loc, x, factor);
}

Value clampBody(OpBuilder &b, Location loc, ClampOp op, ValueRange args) {
  Value x = args[0];
  bool isUnsigned = isUnsignedOp(op);
  if (std::optional<APFloat> lo = op.getMin())
    x = combine(
        b, loc, Combiner::max, x,
        buildClampBound(b, loc, x, lo->convertToDouble(), false, isUnsigned),
        isUnsigned);
  if (std::optional<APFloat> hi = op.getMax())
    x = combine(
        b, loc, Combiner::min, x,
        buildClampBound(b, loc, x, hi->convertToDouble(), true, isUnsigned),
        isUnsigned);
  return x;
}

Value leakyReluBody(OpBuilder &b, Location loc, LeakyReluOp op,
                    ValueRange args) {
  Value x = args[0];
  Value alpha = constantLike(b, loc, x, op.getAlpha().convertToDouble());
  Value negative =
      cmpf(b, loc, arith::CmpFPredicate::OLT, x, constantLike(b, loc, x, 0.0));
  return select(b, loc, negative, arith::MulFOp::create(b, loc, alpha, x), x);
}

Value isNanBody(OpBuilder &b, Location loc, IsNanOp, ValueRange args) {
  return cmpf(b, loc, arith::CmpFPredicate::UNO, args[0], args[0]);
}

Value isInfBody(OpBuilder &b, Location loc, IsInfOp, ValueRange args) {
  Value abs = math::AbsFOp::create(b, loc, args[0]);
  Value inf = constantLike(b, loc, args[0], INFINITY);
  return cmpf(b, loc, arith::CmpFPredicate::OEQ, abs, inf);
}

Value powBody(OpBuilder &b, Location loc, PowOp, ValueRange args) {
  if (isFloat(args[0]))
    return math::PowFOp::create(b, loc, args[0], args[1]);
  return math::IPowIOp::create(b, loc, args[0], args[1]);
}

Value modBody(OpBuilder &b, Location loc, ModOp op, ValueRange args) {
  if (isFloat(args[0]))
    return arith::RemFOp::create(b, loc, args[0], args[1]);
  if (isUnsignedOp(op))
    return arith::RemUIOp::create(b, loc, args[0], args[1]);
  if (op.getFmod())
    return arith::RemSIOp::create(b, loc, args[0], args[1]);
  return buildFloorMod(b, loc, args[0], args[1]);
}

Value compareBody(OpBuilder &b, Location loc, CompareOp op, ValueRange args) {
  // Floats compare ordered except `ne`, which is true for NaN.
  static constexpr arith::CmpFPredicate floatPredicates[] = {
      arith::CmpFPredicate::OEQ, arith::CmpFPredicate::UNE,
      arith::CmpFPredicate::OLT, arith::CmpFPredicate::OLE,
      arith::CmpFPredicate::OGT, arith::CmpFPredicate::OGE};
  static constexpr arith::CmpIPredicate signedPredicates[] = {
      arith::CmpIPredicate::eq,  arith::CmpIPredicate::ne,
      arith::CmpIPredicate::slt, arith::CmpIPredicate::sle,
      arith::CmpIPredicate::sgt, arith::CmpIPredicate::sge};
  static constexpr arith::CmpIPredicate unsignedPredicates[] = {
      arith::CmpIPredicate::eq,  arith::CmpIPredicate::ne,
      arith::CmpIPredicate::ult, arith::CmpIPredicate::ule,
      arith::CmpIPredicate::ugt, arith::CmpIPredicate::uge};
  auto kind = static_cast<size_t>(op.getPredicate());
  if (isFloat(args[0]))
    return cmpf(b, loc, floatPredicates[kind], args[0], args[1]);
  return cmpi(b, loc,
              isUnsignedElement(op.getLhs().getType())
                  ? unsignedPredicates[kind]
                  : signedPredicates[kind],
              args[0], args[1]);
}

Value selectBody(OpBuilder &b, Location loc, SelectOp, ValueRange args) {
  return select(b, loc, args[0], args[1], args[2]);
}

Value castBody(OpBuilder &b, Location loc, CastOp op, ValueRange args) {
  return buildCast(b, loc, args[0], elementTypeOf(op.getInput()),
                   elementTypeOf(op.getResult()));
}

} // namespace

void mlir::autoglm::populateElementwiseToLinalgPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ConstantLowering>(converter, context);

  addFloatUnary<ExpOp, math::ExpOp>(converter, patterns);
  addFloatUnary<LogOp, math::LogOp>(converter, patterns);
  addFloatUnary<SqrtOp, math::SqrtOp>(converter, patterns);
  addFloatUnary<RsqrtOp, math::RsqrtOp>(converter, patterns);
  addFloatUnary<SinOp, math::SinOp>(converter, patterns);
  addFloatUnary<CosOp, math::CosOp>(converter, patterns);
  addFloatUnary<TanOp, math::TanOp>(converter, patterns);
  addFloatUnary<AsinOp, math::AsinOp>(converter, patterns);
  addFloatUnary<AcosOp, math::AcosOp>(converter, patterns);
  addFloatUnary<AtanOp, math::AtanOp>(converter, patterns);
  addFloatUnary<SinhOp, math::SinhOp>(converter, patterns);
  addFloatUnary<CoshOp, math::CoshOp>(converter, patterns);
  addFloatUnary<AsinhOp, math::AsinhOp>(converter, patterns);
  addFloatUnary<AcoshOp, math::AcoshOp>(converter, patterns);
  addFloatUnary<AtanhOp, math::AtanhOp>(converter, patterns);
  addFloatUnary<TanhOp, math::TanhOp>(converter, patterns);
  addFloatUnary<ErfOp, math::ErfOp>(converter, patterns);
  addFloatUnary<FloorOp, math::FloorOp>(converter, patterns);
  addFloatUnary<CeilOp, math::CeilOp>(converter, patterns);
  addFloatUnary<RoundOp, math::RoundEvenOp>(converter, patterns);

  patterns.add<ElementwiseLowering<AbsOp>>(converter, context, absBody);
  patterns.add<ElementwiseLowering<NegOp>>(converter, context, negBody);
  patterns.add<ElementwiseLowering<SignOp>>(converter, context, signBody);
  patterns.add<ElementwiseLowering<ReluOp>>(converter, context, reluBody);
  patterns.add<ElementwiseLowering<ReciprocalOp>>(converter, context,
                                                  reciprocalBody);
  patterns.add<ElementwiseLowering<SigmoidOp>>(converter, context, sigmoidBody);
  patterns.add<ElementwiseLowering<SiluOp>>(converter, context, siluBody);
  patterns.add<ElementwiseLowering<SoftplusOp>>(converter, context,
                                                softplusBody);
  patterns.add<ElementwiseLowering<NotOp>>(converter, context, notBody);
  patterns.add<ElementwiseLowering<GeluOp>>(converter, context, geluBody);
  patterns.add<ElementwiseLowering<ClampOp>>(converter, context, clampBody);
  patterns.add<ElementwiseLowering<LeakyReluOp>>(converter, context,
                                                 leakyReluBody);
  patterns.add<ElementwiseLowering<IsNanOp>>(converter, context, isNanBody);
  patterns.add<ElementwiseLowering<IsInfOp>>(converter, context, isInfBody);

  addBinary<AddOp, arith::AddFOp, arith::AddIOp>(converter, patterns);
  addBinary<SubOp, arith::SubFOp, arith::SubIOp>(converter, patterns);
  addBinary<MulOp, arith::MulFOp, arith::MulIOp>(converter, patterns);
  addBinary<DivOp, arith::DivFOp, arith::DivSIOp, arith::DivUIOp>(converter,
                                                                  patterns);
  addBinary<MaxOp, arith::MaximumFOp, arith::MaxSIOp, arith::MaxUIOp>(converter,
                                                                      patterns);
  addBinary<MinOp, arith::MinimumFOp, arith::MinSIOp, arith::MinUIOp>(converter,
                                                                      patterns);
  addBinary<AndOp, arith::AndIOp, arith::AndIOp>(converter, patterns);
  addBinary<OrOp, arith::OrIOp, arith::OrIOp>(converter, patterns);
  addBinary<XorOp, arith::XOrIOp, arith::XOrIOp>(converter, patterns);
  patterns.add<ElementwiseLowering<PowOp>>(converter, context, powBody);
  patterns.add<ElementwiseLowering<ModOp>>(converter, context, modBody);
  patterns.add<ElementwiseLowering<CompareOp>>(converter, context, compareBody);
  patterns.add<ElementwiseLowering<SelectOp>>(converter, context, selectBody);
  patterns.add<ElementwiseLowering<CastOp>>(converter, context, castBody);
}
