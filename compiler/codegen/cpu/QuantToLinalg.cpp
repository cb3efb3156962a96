//===- QuantToLinalg.cpp - quantize, dequantize, dequant_matmul to linalg -===//
//
// ag.quantize and ag.dequantize become elementwise linalg.generic ops whose
// scale and zero point are read per tensor, per axis or per block.
// ag.dequant_matmul (canonical form: weight K x N) becomes one
// linalg.generic contraction that dequantizes the weight in its body,
// tagged with `ag.dequant_matmul`: the CPU backend replaces the tagged op by
// a call to the quantized GEMM microkernel, which dequantizes while packing
// B (4-bit weights are stored packed and are only readable that way).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/AgToLinalg.h"
#include "compiler/codegen/cpu/LoweringUtils.h"
#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::autoglm;

namespace {

/// The map reading a quantization parameter (scale or zero point) of
/// shape `paramShape` for an element of a rank-`rank` tensor: 0-d per
/// tensor, 1-d along `axis`, or blocked along `axis` with `groupSize`.
AffineMap paramMap(int64_t rank, ArrayRef<int64_t> paramShape, int64_t axis,
                   int64_t groupSize, MLIRContext *ctx) {
  if (paramShape.empty())
    return AffineMap::get(rank, 0, {}, ctx);
  if (groupSize == 0)
    return AffineMap::get(rank, 0, getAffineDimExpr(axis, ctx));
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    exprs.push_back(d == axis ? getAffineDimExpr(d, ctx).floorDiv(groupSize)
                              : getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

/// An integer storage value widened to i32 (sign or zero extended).
Value widen(OpBuilder &b, Location loc, Value value, bool isUnsigned) {
  Type i32 = b.getI32Type();
  if (isUnsigned)
    return arith::ExtUIOp::create(b, loc, i32, value);
  return arith::ExtSIOp::create(b, loc, i32, value);
}

/// (q - zero_point) * scale in the scale's float type.
Value dequantizeScalar(OpBuilder &b, Location loc, Value q, Value scale,
                       Value zeroPoint, bool isUnsigned) {
  Value wide = widen(b, loc, q, isUnsigned);
  if (zeroPoint)
    wide = arith::SubIOp::create(b, loc, wide,
                                 widen(b, loc, zeroPoint, isUnsigned));
  Value asFloat = arith::SIToFPOp::create(b, loc, scale.getType(), wide);
  return arith::MulFOp::create(b, loc, asFloat, scale);
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

struct DequantizeLowering : OpConversionPattern<DequantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DequantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = getTypeConverter()->convertType<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    bool isUnsigned = isUnsignedElement(op.getInput().getType());
    SmallVector<Value> inputs = {adaptor.getInput(), adaptor.getScale()};
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap param = paramMap(rank, shapeOf(op.getScale()), op.getAxis(),
                               op.getGroupSize(), ctx);
    SmallVector<AffineMap> maps = {identity, param};
    if (adaptor.getZeroPoint()) {
      inputs.push_back(adaptor.getZeroPoint());
      maps.push_back(param);
    }
    maps.push_back(identity);
    bool hasZeroPoint = bool(adaptor.getZeroPoint());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, inputs,
        ValueRange{createEmpty(rewriter, loc, type)}, maps,
        getIterators(rank), [&](OpBuilder &b, Location l, ValueRange args) {
          Value result = dequantizeScalar(b, l, args[0], args[1],
                                          hasZeroPoint ? args[2] : Value(),
                                          isUnsigned);
          linalg::YieldOp::create(b, l, result);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct QuantizeLowering : OpConversionPattern<QuantizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(QuantizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = getTypeConverter()->convertType<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    bool isUnsigned = isUnsignedElement(op.getType());
    unsigned bits = type.getElementTypeBitWidth();
    double qmin = isUnsigned ? 0 : -std::ldexp(1.0, bits - 1);
    double qmax = isUnsigned ? std::ldexp(1.0, bits) - 1
                             : std::ldexp(1.0, bits - 1) - 1;
    SmallVector<Value> inputs = {adaptor.getInput(), adaptor.getScale()};
    AffineMap identity = rewriter.getMultiDimIdentityMap(rank);
    AffineMap param = paramMap(rank, shapeOf(op.getScale()), op.getAxis(),
                               op.getGroupSize(), ctx);
    SmallVector<AffineMap> maps = {identity, param};
    bool hasZeroPoint = bool(adaptor.getZeroPoint());
    if (hasZeroPoint) {
      inputs.push_back(adaptor.getZeroPoint());
      maps.push_back(param);
    }
    maps.push_back(identity);
    Type storage = type.getElementType();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, inputs,
        ValueRange{createEmpty(rewriter, loc, type)}, maps,
        getIterators(rank), [&](OpBuilder &b, Location l, ValueRange args) {
          Type floatType = args[0].getType();
          // saturate(round_half_even(x / scale) + zero_point)
          Value scaled = arith::DivFOp::create(b, l, args[0], args[1]);
          Value rounded = math::RoundEvenOp::create(b, l, scaled);
          if (hasZeroPoint) {
            Value zp = widen(b, l, args[2], isUnsigned);
            rounded = arith::AddFOp::create(
                b, l, rounded,
                arith::SIToFPOp::create(b, l, floatType, zp));
          }
          Value lo = createScalar(b, l, floatType, qmin);
          Value hi = createScalar(b, l, floatType, qmax);
          Value clamped = arith::MinimumFOp::create(
              b, l, arith::MaximumFOp::create(b, l, rounded, lo), hi);
          Value q = isUnsigned
                        ? arith::FPToUIOp::create(b, l, storage, clamped)
                              .getResult()
                        : arith::FPToSIOp::create(b, l, storage, clamped)
                              .getResult();
          linalg::YieldOp::create(b, l, q);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct DequantMatmulLowering : OpConversionPattern<DequantMatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DequantMatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (std::optional<std::string> reason = getDequantMatmulUnsupportedReason(op))
      return rewriter.notifyMatchFailure(op, *reason);
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = getTypeConverter()->convertType<RankedTensorType>(op.getType());
    auto weightType = cast<RankedTensorType>(op.getWeight().getType());
    bool isUnsigned = isUnsignedElement(weightType);
    int64_t k = weightType.getDimSize(0), n = weightType.getDimSize(1);
    ArrayRef<int64_t> lhsShape = shapeOf(adaptor.getLhs());
    int64_t rows = 1;
    for (int64_t size : lhsShape.drop_back())
      rows *= size;
    auto type2d = type.clone({rows, n});

    // C starts from the bias (broadcast) or zeros, as for ag.matmul.
    Value init;
    if (Value bias = adaptor.getBias()) {
      Value full = linalg::GenericOp::create(
                       rewriter, loc, TypeRange{type}, bias,
                       createEmpty(rewriter, loc, type),
                       {getBroadcastMap(shapeOf(bias), type.getShape(), ctx),
                        rewriter.getMultiDimIdentityMap(type.getRank())},
                       getIterators(type.getRank()),
                       [](OpBuilder &b, Location l, ValueRange args) {
                         linalg::YieldOp::create(b, l, args[0]);
                       })
                       .getResult(0);
      init = createReshape(rewriter, loc, full, type2d);
    } else {
      init = createFilled(rewriter, loc, type2d,
                          rewriter.getZeroAttr(type.getElementType()));
    }
    Value lhs = createReshape(
        rewriter, loc, adaptor.getLhs(),
        cast<RankedTensorType>(adaptor.getLhs().getType()).clone({rows, k}));

    // Iteration space (m, n, k).
    AffineExpr m = getAffineDimExpr(0, ctx), nn = getAffineDimExpr(1, ctx),
               kk = getAffineDimExpr(2, ctx);
    auto map = [&](ArrayRef<AffineExpr> exprs) {
      return AffineMap::get(3, 0, exprs, ctx);
    };
    int64_t group = op.getGroupSize();
    AffineMap param = group ? map({kk.floorDiv(group), nn}) : map({nn});
    SmallVector<Value> inputs = {lhs, adaptor.getWeight(), adaptor.getScale()};
    SmallVector<AffineMap> maps = {map({m, kk}), map({kk, nn}), param};
    bool hasZeroPoint = bool(adaptor.getZeroPoint());
    if (hasZeroPoint) {
      inputs.push_back(adaptor.getZeroPoint());
      maps.push_back(param);
    }
    maps.push_back(map({m, nn}));
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type2d}, inputs, ValueRange{init}, maps,
        getIterators(3, {2}), [&](OpBuilder &b, Location l, ValueRange args) {
          Value w = dequantizeScalar(b, l, args[1], args[2],
                                     hasZeroPoint ? args[3] : Value(),
                                     isUnsigned);
          Value acc = args.back();
          Value sum = arith::AddFOp::create(
              b, l, acc, arith::MulFOp::create(b, l, args[0], w));
          linalg::YieldOp::create(b, l, sum);
        });
    // What the microkernel needs beyond the operands: storage width and
    // signedness, rows of K per scale (K itself per output channel).
    generic->setAttr(
        kDequantMatmulAttrName,
        rewriter.getDictionaryAttr(
            {rewriter.getNamedAttr(
                 "bits", rewriter.getI64IntegerAttr(
                             weightType.getElementTypeBitWidth())),
             rewriter.getNamedAttr("unsigned",
                                   rewriter.getBoolAttr(isUnsigned)),
             rewriter.getNamedAttr("group_size",
                                   rewriter.getI64IntegerAttr(group ? group
                                                                    : k))}));
    rewriter.replaceOp(op,
                       createReshape(rewriter, loc, generic.getResult(0), type));
    return success();
  }
};

} // namespace

std::optional<std::string>
mlir::autoglm::getDequantMatmulUnsupportedReason(DequantMatmulOp op) {
  auto weightType = cast<RankedTensorType>(op.getWeight().getType());
  auto scaleType = cast<RankedTensorType>(op.getScale().getType());
  unsigned bits = weightType.getElementTypeBitWidth();
  if (op.getTransposeRhs())
    return std::string("the weight must be K x N (ag-quantize produces that "
                       "form; transpose_rhs is not lowered)");
  if (bits != 4 && bits != 8)
    return std::string("only 4 and 8-bit weights are lowered");
  if (!scaleType.getElementType().isF32())
    return std::string("only f32 scales are lowered");
  bool perChannel = op.getGroupSize() == 0 && op.getAxis() == 1 &&
                    scaleType.getRank() == 1;
  bool grouped = op.getGroupSize() > 0 && op.getAxis() == 0 &&
                 scaleType.getRank() == 2;
  if (!perChannel && !grouped)
    return std::string("scales must be per output channel (axis 1) or per "
                       "group along K (axis 0 with group_size)");
  if (bits == 4 && weightType.getDimSize(1) % 2 != 0)
    return std::string("4-bit weights need an even N (packed rows)");
  return std::nullopt;
}

void mlir::autoglm::populateQuantToLinalgPatterns(TypeConverter &converter,
                                                  RewritePatternSet &patterns) {
  patterns.add<DequantizeLowering, QuantizeLowering, DequantMatmulLowering>(
      converter, patterns.getContext());
}
