//===- MathOps.cpp - ONNX elementwise ops into ag ------------------------===//
//
// Unary and binary math, comparisons, logic, Where, Clip, Cast and the
// parametric activations. Activations the dialect has no op for (Elu, Selu,
// HardSigmoid, ...) are decomposed into ag primitives here, so fusion sees
// one elementwise chain. Values known at import time are evaluated on the
// host (see HostTensor.h) so shape arithmetic never reaches the graph.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/HandlerUtils.h"
#include "compiler/import/onnx/TensorConversion.h"

#include <cmath>

namespace mlir::autoglm::onnx_import {
namespace {

using FloatFn = double (*)(double);

/// Folds a unary op on a known input with `fn`; returns true if it did.
bool foldUnary(NodeContext &ctx, FloatFn fn,
               int64_t (*intFn)(int64_t) = nullptr) {
  const HostTensor *x = ctx.knownInput(0);
  if (!x || (!x->isFloat() && !intFn) || (x->isFloat() && !fn))
    return false;
  std::optional<HostTensor> result = hostElementwise(
      {x}, x->elementType, [&](ArrayRef<double> a) { return fn(a[0]); },
      [&](ArrayRef<int64_t> a) { return intFn(a[0]); });
  if (!result)
    return false;
  ctx.setOutputConstant(0, std::move(*result));
  return true;
}

template <typename OpTy>
LogicalResult unary(NodeContext &ctx) {
  return bind(ctx, ctx.make<OpTy>(ctx.input(0)));
}

template <typename OpTy, double (*Fn)(double)>
LogicalResult foldableUnary(NodeContext &ctx) {
  if (foldUnary(ctx, Fn))
    return success();
  return unary<OpTy>(ctx);
}

int64_t negInt(int64_t v) { return -v; }
int64_t absInt(int64_t v) { return v < 0 ? -v : v; }
int64_t notInt(int64_t v) { return !v; }
double negFloat(double v) { return -v; }
double absFloat(double v) { return std::fabs(v); }
double floorFloat(double v) { return std::floor(v); }
double ceilFloat(double v) { return std::ceil(v); }
double sqrtFloat(double v) { return std::sqrt(v); }
double roundFloat(double v) { return std::nearbyint(v); }

LogicalResult importNeg(NodeContext &ctx) {
  if (foldUnary(ctx, negFloat, negInt))
    return success();
  return unary<NegOp>(ctx);
}
LogicalResult importAbs(NodeContext &ctx) {
  if (foldUnary(ctx, absFloat, absInt))
    return success();
  return unary<AbsOp>(ctx);
}
LogicalResult importNot(NodeContext &ctx) {
  if (foldUnary(ctx, nullptr, notInt))
    return success();
  return unary<NotOp>(ctx);
}

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

/// Host versions of the binary ops, for inputs known at import time.
struct HostBinary {
  double (*floatFn)(double, double);
  int64_t (*intFn)(int64_t, int64_t);
};

/// Folds `lhs op rhs` when both are known; result element type `resultType`
/// (null: lhs's).
bool foldBinary(NodeContext &ctx, unsigned lhs, unsigned rhs, HostBinary fns,
                Type resultType = {}) {
  const HostTensor *a = ctx.knownInput(lhs), *b = ctx.knownInput(rhs);
  if (!a || !b)
    return false;
  std::optional<HostTensor> result = hostElementwise(
      {a, b}, resultType ? resultType : a->elementType,
      [&](ArrayRef<double> v) { return fns.floatFn(v[0], v[1]); },
      [&](ArrayRef<int64_t> v) { return fns.intFn(v[0], v[1]); });
  if (!result)
    return false;
  ctx.setOutputConstant(0, std::move(*result));
  return true;
}

template <typename OpTy>
FailureOr<Value> makeBinary(NodeContext &ctx, Value lhs, Value rhs) {
  return ctx.make<OpTy>(lhs, rhs);
}

constexpr HostBinary kAdd = {[](double a, double b) { return a + b; },
                             [](int64_t a, int64_t b) { return a + b; }};
constexpr HostBinary kSub = {[](double a, double b) { return a - b; },
                             [](int64_t a, int64_t b) { return a - b; }};
constexpr HostBinary kMul = {[](double a, double b) { return a * b; },
                             [](int64_t a, int64_t b) { return a * b; }};
constexpr HostBinary kDiv = {
    [](double a, double b) { return a / b; },
    [](int64_t a, int64_t b) { return b == 0 ? int64_t(0) : a / b; }};
constexpr HostBinary kMax = {[](double a, double b) { return std::fmax(a, b); },
                             [](int64_t a, int64_t b) { return std::max(a, b); }};
constexpr HostBinary kMin = {[](double a, double b) { return std::fmin(a, b); },
                             [](int64_t a, int64_t b) { return std::min(a, b); }};
constexpr HostBinary kPow = {
    [](double a, double b) { return std::pow(a, b); },
    [](int64_t a, int64_t b) { return int64_t(std::pow(double(a), double(b))); }};
constexpr HostBinary kAnd = {[](double a, double b) { return double(a && b); },
                             [](int64_t a, int64_t b) { return int64_t(a && b); }};
constexpr HostBinary kOr = {[](double a, double b) { return double(a || b); },
                            [](int64_t a, int64_t b) { return int64_t(a || b); }};
constexpr HostBinary kXor = {
    [](double a, double b) { return double(bool(a) != bool(b)); },
    [](int64_t a, int64_t b) { return int64_t(bool(a) != bool(b)); }};

template <typename OpTy, const HostBinary &Fns>
LogicalResult binary(NodeContext &ctx) {
  if (foldBinary(ctx, 0, 1, Fns))
    return success();
  return bind(ctx, makeBinary<OpTy>(ctx, ctx.input(0), ctx.input(1)));
}

LogicalResult importPow(NodeContext &ctx) {
  if (foldBinary(ctx, 0, 1, kPow))
    return success();
  Value base = ctx.input(0), exponent = ctx.input(1);
  // ONNX lets the exponent have its own type; compute in the base's.
  if (elementTypeOf(exponent) != elementTypeOf(base)) {
    auto type = cast<RankedTensorType>(exponent.getType())
                    .clone(elementTypeOf(base));
    FailureOr<Value> cast = ctx.makeTyped<CastOp>(type, exponent);
    if (failed(cast))
      return failure();
    exponent = *cast;
  }
  return bind(ctx, ctx.make<PowOp>(base, exponent));
}

LogicalResult importMod(NodeContext &ctx) {
  bool fmod = ctx.intAttr("fmod", 0) != 0;
  return bind(ctx, ctx.make<ModOp>(ctx.input(0), ctx.input(1), fmod));
}

/// Sum, Max, Min and Mean take one or more inputs.
template <typename OpTy, const HostBinary &Fns>
LogicalResult variadic(NodeContext &ctx, bool mean = false) {
  if (ctx.numInputs() == 0)
    return ctx.unsupported("needs at least one input");
  bool allKnown = ctx.allInputsKnown() && !mean;
  if (allKnown) {
    std::optional<HostTensor> acc = *ctx.knownInput(0);
    for (unsigned i = 1; i < ctx.numInputs() && acc; ++i)
      acc = hostElementwise(
          {&*acc, ctx.knownInput(i)}, acc->elementType,
          [&](ArrayRef<double> v) { return Fns.floatFn(v[0], v[1]); },
          [&](ArrayRef<int64_t> v) { return Fns.intFn(v[0], v[1]); });
    if (acc) {
      ctx.setOutputConstant(0, std::move(*acc));
      return success();
    }
  }
  Value acc = ctx.input(0);
  for (unsigned i = 1; i < ctx.numInputs(); ++i) {
    FailureOr<Value> next = makeBinary<OpTy>(ctx, acc, ctx.input(i));
    if (failed(next))
      return failure();
    acc = *next;
  }
  if (mean && ctx.numInputs() > 1) {
    Value count = ctx.scalar(elementTypeOf(acc), ctx.numInputs());
    return bind(ctx, ctx.make<DivOp>(acc, count));
  }
  ctx.setOutput(0, acc);
  return success();
}

LogicalResult importSum(NodeContext &ctx) { return variadic<AddOp, kAdd>(ctx); }
LogicalResult importMax(NodeContext &ctx) { return variadic<MaxOp, kMax>(ctx); }
LogicalResult importMin(NodeContext &ctx) { return variadic<MinOp, kMin>(ctx); }
LogicalResult importMean(NodeContext &ctx) {
  return variadic<AddOp, kAdd>(ctx, /*mean=*/true);
}

//===----------------------------------------------------------------------===//
// Comparisons, logic, Where
//===----------------------------------------------------------------------===//

template <CompareKind Kind>
LogicalResult compare(NodeContext &ctx) {
  static constexpr HostBinary fns = {
      [](double a, double b) {
        switch (Kind) {
        case CompareKind::eq: return double(a == b);
        case CompareKind::ne: return double(a != b);
        case CompareKind::lt: return double(a < b);
        case CompareKind::le: return double(a <= b);
        case CompareKind::gt: return double(a > b);
        case CompareKind::ge: return double(a >= b);
        }
        return 0.0;
      },
      [](int64_t a, int64_t b) {
        switch (Kind) {
        case CompareKind::eq: return int64_t(a == b);
        case CompareKind::ne: return int64_t(a != b);
        case CompareKind::lt: return int64_t(a < b);
        case CompareKind::le: return int64_t(a <= b);
        case CompareKind::gt: return int64_t(a > b);
        case CompareKind::ge: return int64_t(a >= b);
        }
        return int64_t(0);
      }};
  if (foldBinary(ctx, 0, 1, fns, ctx.builder().getI1Type()))
    return success();
  return bind(ctx, ctx.make<CompareOp>(Kind, ctx.input(0), ctx.input(1)));
}

LogicalResult importWhere(NodeContext &ctx) {
  if (ctx.allInputsKnown()) {
    const HostTensor *c = ctx.knownInput(0), *a = ctx.knownInput(1),
                     *b = ctx.knownInput(2);
    std::optional<HostTensor> result = hostElementwise(
        {c, a, b}, a->elementType,
        [](ArrayRef<double> v) { return v[0] != 0 ? v[1] : v[2]; },
        [](ArrayRef<int64_t> v) { return v[0] != 0 ? v[1] : v[2]; });
    if (result) {
      ctx.setOutputConstant(0, std::move(*result));
      return success();
    }
  }
  return bind(ctx,
              ctx.make<SelectOp>(ctx.input(0), ctx.input(1), ctx.input(2)));
}

//===----------------------------------------------------------------------===//
// Cast
//===----------------------------------------------------------------------===//

/// Cast of input 0 to `elementType`, on the host when the input is known.
LogicalResult castInputTo(NodeContext &ctx, Type elementType) {
  if (const HostTensor *x = ctx.knownInput(0)) {
    HostTensor result = HostTensor::generate(
        elementType, x->shape, [&](int64_t i) { return x->asDouble(i); });
    // Integer-to-integer casts keep every bit of int64 values.
    if (!x->isFloat() && !isa<FloatType>(elementType))
      for (size_t i = 0; i < x->ints.size(); ++i)
        result.ints[i] = wrapIntToType(elementType, x->ints[i]);
    ctx.setOutputConstant(0, std::move(result));
    return success();
  }
  return bind(ctx, castTo(ctx, ctx.input(0), elementType));
}

LogicalResult importCast(NodeContext &ctx) {
  int64_t to = ctx.intAttr("to", 0);
  Type elementType = convertDataType(to, ctx.context());
  if (!elementType)
    return ctx.unsupported("cast to " + dataTypeName(to) +
                           " is not supported");
  return castInputTo(ctx, elementType);
}

LogicalResult importCastLike(NodeContext &ctx) {
  return castInputTo(ctx, elementTypeOf(ctx.input(1)));
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

/// Builds `x <kind> c` for a scalar constant c of x's element type.
FailureOr<Value> compareScalar(NodeContext &ctx, CompareKind kind, Value x,
                               double c) {
  return ctx.make<CompareOp>(kind, x, ctx.scalar(elementTypeOf(x), c));
}

template <typename OpTy>
FailureOr<Value> withScalar(NodeContext &ctx, Value x, double c) {
  return ctx.make<OpTy>(x, ctx.scalar(elementTypeOf(x), c));
}

/// alpha * (exp(x) - 1), the negative branch of Elu and Selu.
FailureOr<Value> expMinusOne(NodeContext &ctx, Value x, double alpha) {
  FailureOr<Value> e = ctx.make<ExpOp>(x);
  if (failed(e))
    return failure();
  FailureOr<Value> em1 = withScalar<SubOp>(ctx, *e, 1.0);
  if (failed(em1))
    return failure();
  return withScalar<MulOp>(ctx, *em1, alpha);
}

LogicalResult importElu(NodeContext &ctx) {
  Value x = ctx.input(0);
  FailureOr<Value> positive = compareScalar(ctx, CompareKind::gt, x, 0.0);
  FailureOr<Value> negative = expMinusOne(ctx, x, ctx.floatAttr("alpha", 1.0));
  if (failed(positive) || failed(negative))
    return failure();
  return bind(ctx, ctx.make<SelectOp>(*positive, x, *negative));
}

LogicalResult importSelu(NodeContext &ctx) {
  Value x = ctx.input(0);
  double alpha = ctx.floatAttr("alpha", 1.67326319217681884765625);
  double gamma = ctx.floatAttr("gamma", 1.05070102214813232421875);
  FailureOr<Value> positive = compareScalar(ctx, CompareKind::gt, x, 0.0);
  FailureOr<Value> negative = expMinusOne(ctx, x, alpha);
  if (failed(positive) || failed(negative))
    return failure();
  FailureOr<Value> elu = ctx.make<SelectOp>(*positive, x, *negative);
  if (failed(elu))
    return failure();
  return bind(ctx, withScalar<MulOp>(ctx, *elu, gamma));
}

LogicalResult importCelu(NodeContext &ctx) {
  // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
  Value x = ctx.input(0);
  double alpha = ctx.floatAttr("alpha", 1.0);
  FailureOr<Value> scaled = withScalar<DivOp>(ctx, x, alpha);
  if (failed(scaled))
    return failure();
  FailureOr<Value> negative = expMinusOne(ctx, *scaled, alpha);
  FailureOr<Value> relu = ctx.make<ReluOp>(x);
  if (failed(negative) || failed(relu))
    return failure();
  FailureOr<Value> clipped = withScalar<MinOp>(ctx, *negative, 0.0);
  if (failed(clipped))
    return failure();
  return bind(ctx, ctx.make<AddOp>(*relu, *clipped));
}

FloatAttr f64(NodeContext &ctx, double value) {
  return ctx.builder().getF64FloatAttr(value);
}

/// clamp(alpha * x + beta, 0, 1)
FailureOr<Value> hardSigmoid(NodeContext &ctx, Value x, double alpha,
                             double beta) {
  FailureOr<Value> scaled = withScalar<MulOp>(ctx, x, alpha);
  if (failed(scaled))
    return failure();
  FailureOr<Value> shifted = withScalar<AddOp>(ctx, *scaled, beta);
  if (failed(shifted))
    return failure();
  return ctx.make<ClampOp>(*shifted, f64(ctx, 0.0), f64(ctx, 1.0));
}

LogicalResult importHardSigmoid(NodeContext &ctx) {
  return bind(ctx, hardSigmoid(ctx, ctx.input(0), ctx.floatAttr("alpha", 0.2),
                               ctx.floatAttr("beta", 0.5)));
}

LogicalResult importHardSwish(NodeContext &ctx) {
  Value x = ctx.input(0);
  FailureOr<Value> gate = hardSigmoid(ctx, x, 1.0 / 6.0, 0.5);
  if (failed(gate))
    return failure();
  return bind(ctx, ctx.make<MulOp>(x, *gate));
}

LogicalResult importSoftsign(NodeContext &ctx) {
  Value x = ctx.input(0);
  FailureOr<Value> magnitude = ctx.make<AbsOp>(x);
  if (failed(magnitude))
    return failure();
  FailureOr<Value> denominator = withScalar<AddOp>(ctx, *magnitude, 1.0);
  if (failed(denominator))
    return failure();
  return bind(ctx, ctx.make<DivOp>(x, *denominator));
}

LogicalResult importShrink(NodeContext &ctx) {
  Value x = ctx.input(0);
  double bias = ctx.floatAttr("bias", 0.0), lambd = ctx.floatAttr("lambd", 0.5);
  FailureOr<Value> below = compareScalar(ctx, CompareKind::lt, x, -lambd);
  FailureOr<Value> above = compareScalar(ctx, CompareKind::gt, x, lambd);
  FailureOr<Value> plus = withScalar<AddOp>(ctx, x, bias);
  FailureOr<Value> minus = withScalar<SubOp>(ctx, x, bias);
  if (failed(below) || failed(above) || failed(plus) || failed(minus))
    return failure();
  Value zero = ctx.scalar(elementTypeOf(x), 0.0);
  FailureOr<Value> upper = ctx.make<SelectOp>(*above, *minus, zero);
  if (failed(upper))
    return failure();
  return bind(ctx, ctx.make<SelectOp>(*below, *plus, *upper));
}

LogicalResult importThresholdedRelu(NodeContext &ctx) {
  Value x = ctx.input(0);
  FailureOr<Value> above =
      compareScalar(ctx, CompareKind::gt, x, ctx.floatAttr("alpha", 1.0));
  if (failed(above))
    return failure();
  return bind(ctx, ctx.make<SelectOp>(*above, x,
                                      ctx.scalar(elementTypeOf(x), 0.0)));
}

LogicalResult importPRelu(NodeContext &ctx) {
  Value x = ctx.input(0), slope = ctx.input(1);
  FailureOr<Value> negative = compareScalar(ctx, CompareKind::lt, x, 0.0);
  FailureOr<Value> scaled = ctx.make<MulOp>(x, slope);
  if (failed(negative) || failed(scaled))
    return failure();
  return bind(ctx, ctx.make<SelectOp>(*negative, *scaled, x));
}

LogicalResult importLeakyRelu(NodeContext &ctx) {
  return bind(ctx, ctx.make<LeakyReluOp>(ctx.input(0),
                                         f64(ctx, ctx.floatAttr("alpha", 0.01))));
}

LogicalResult importGelu(NodeContext &ctx) {
  std::string approximate = ctx.stringAttr("approximate", "none");
  if (approximate != "none" && approximate != "tanh")
    return ctx.unsupported("approximate '" + approximate +
                           "' (expected none or tanh)");
  auto kind = approximate == "tanh" ? GeluApproximation::tanh
                                    : GeluApproximation::none;
  return bind(ctx, ctx.make<GeluOp>(ctx.input(0), kind));
}

LogicalResult importClip(NodeContext &ctx) {
  Value x = ctx.input(0);
  std::optional<double> lo, hi;
  if (ctx.opset() < 11) {
    if (ctx.hasAttr("min"))
      lo = ctx.floatAttr("min", 0);
    if (ctx.hasAttr("max"))
      hi = ctx.floatAttr("max", 0);
  } else {
    // Bounds are optional 0-d inputs; constant ones become attributes.
    for (unsigned i : {1u, 2u}) {
      if (!ctx.hasInput(i))
        continue;
      const HostTensor *bound = ctx.knownInput(i);
      if (!bound) {
        FailureOr<Value> next =
            i == 1 ? ctx.make<MaxOp>(x, ctx.input(i))
                   : ctx.make<MinOp>(x, ctx.input(i));
        if (failed(next))
          return failure();
        x = *next;
        continue;
      }
      if (bound->size() != 1)
        return ctx.unsupported("Clip bounds must be scalars");
      (i == 1 ? lo : hi) = bound->asDouble(0);
    }
  }
  if (lo && hi && *lo > *hi) {
    // ONNX defines min > max as all elements equal to max.
    lo = hi;
  }
  if (!lo && !hi) {
    ctx.setOutput(0, x);
    return success();
  }
  return bind(ctx, ctx.make<ClampOp>(x, lo ? f64(ctx, *lo) : FloatAttr(),
                                     hi ? f64(ctx, *hi) : FloatAttr()));
}

LogicalResult importIsInf(NodeContext &ctx) {
  Value x = ctx.input(0);
  bool negative = ctx.intAttr("detect_negative", 1) != 0;
  bool positive = ctx.intAttr("detect_positive", 1) != 0;
  FailureOr<Value> inf = ctx.make<IsInfOp>(x);
  if (failed(inf) || (negative && positive))
    return bind(ctx, inf);
  if (!negative && !positive) {
    FailureOr<Value> nan = ctx.make<IsNanOp>(x);
    if (failed(nan))
      return failure();
    // Never true: an element is not both NaN and infinite.
    return bind(ctx, ctx.make<AndOp>(*inf, *nan));
  }
  FailureOr<Value> sign = compareScalar(
      ctx, positive ? CompareKind::gt : CompareKind::lt, x, 0.0);
  if (failed(sign))
    return failure();
  return bind(ctx, ctx.make<AndOp>(*inf, *sign));
}

} // namespace

void registerMathHandlers(HandlerTable &table) {
  table["Abs"] = importAbs;
  table["Neg"] = importNeg;
  table["Not"] = importNot;
  table["Sign"] = unary<SignOp>;
  table["Relu"] = unary<ReluOp>;
  table["Exp"] = unary<ExpOp>;
  table["Log"] = unary<LogOp>;
  table["Sqrt"] = foldableUnary<SqrtOp, sqrtFloat>;
  table["Reciprocal"] = unary<ReciprocalOp>;
  table["Sin"] = unary<SinOp>;
  table["Cos"] = unary<CosOp>;
  table["Tan"] = unary<TanOp>;
  table["Asin"] = unary<AsinOp>;
  table["Acos"] = unary<AcosOp>;
  table["Atan"] = unary<AtanOp>;
  table["Sinh"] = unary<SinhOp>;
  table["Cosh"] = unary<CoshOp>;
  table["Asinh"] = unary<AsinhOp>;
  table["Acosh"] = unary<AcoshOp>;
  table["Atanh"] = unary<AtanhOp>;
  table["Tanh"] = unary<TanhOp>;
  table["Erf"] = unary<ErfOp>;
  table["Sigmoid"] = unary<SigmoidOp>;
  table["Softplus"] = unary<SoftplusOp>;
  table["Floor"] = foldableUnary<FloorOp, floorFloat>;
  table["Ceil"] = foldableUnary<CeilOp, ceilFloat>;
  table["Round"] = foldableUnary<RoundOp, roundFloat>;
  table["IsNaN"] = unary<IsNanOp>;
  table["IsInf"] = importIsInf;
  table["Add"] = binary<AddOp, kAdd>;
  table["Sub"] = binary<SubOp, kSub>;
  table["Mul"] = binary<MulOp, kMul>;
  table["Div"] = binary<DivOp, kDiv>;
  table["Pow"] = importPow;
  table["Mod"] = importMod;
  table["And"] = binary<AndOp, kAnd>;
  table["Or"] = binary<OrOp, kOr>;
  table["Xor"] = binary<XorOp, kXor>;
  table["Sum"] = importSum;
  table["Max"] = importMax;
  table["Min"] = importMin;
  table["Mean"] = importMean;
  table["Equal"] = compare<CompareKind::eq>;
  table["Less"] = compare<CompareKind::lt>;
  table["LessOrEqual"] = compare<CompareKind::le>;
  table["Greater"] = compare<CompareKind::gt>;
  table["GreaterOrEqual"] = compare<CompareKind::ge>;
  table["Where"] = importWhere;
  table["Cast"] = importCast;
  table["CastLike"] = importCastLike;
  table["Elu"] = importElu;
  table["Selu"] = importSelu;
  table["Celu"] = importCelu;
  table["HardSigmoid"] = importHardSigmoid;
  table["HardSwish"] = importHardSwish;
  table["Softsign"] = importSoftsign;
  table["Shrink"] = importShrink;
  table["ThresholdedRelu"] = importThresholdedRelu;
  table["PRelu"] = importPRelu;
  table["LeakyRelu"] = importLeakyRelu;
  table["Gelu"] = importGelu;
  table["Clip"] = importClip;
}

} // namespace mlir::autoglm::onnx_import
