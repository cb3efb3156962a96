//===- ConstantEvaluation.cpp - host values and elementwise evaluation ----===//
//
// Reading and writing HostTensors, the element helpers, and the elementwise
// families (unary, binary with broadcasting, compare, select, cast, clamp).
// Data movement, reductions and matmul are in ConstantEvaluationShape.cpp.
//
//===----------------------------------------------------------------------===//

#include "passes/ConstantEvaluation.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::autoglm;
using namespace mlir::autoglm::consteval;

//===----------------------------------------------------------------------===//
// Element helpers
//===----------------------------------------------------------------------===//

static unsigned intWidth(Type element) {
  if (element.isIndex())
    return 64;
  return cast<IntegerType>(element).getWidth();
}

bool consteval::isZeroExtended(Type element) {
  return element.isUnsignedInteger() || element.isInteger(1);
}

int64_t consteval::wrapInt(uint64_t value, Type element) {
  unsigned width = intWidth(element);
  if (width >= 64)
    return static_cast<int64_t>(value);
  uint64_t mask = (uint64_t(1) << width) - 1;
  value &= mask;
  if (!isZeroExtended(element) && (value >> (width - 1)) & 1)
    value |= ~mask;
  return static_cast<int64_t>(value);
}

double consteval::intToDouble(int64_t value, Type element) {
  if (isZeroExtended(element))
    return static_cast<double>(static_cast<uint64_t>(value));
  return static_cast<double>(value);
}

int64_t consteval::doubleToInt(double value, Type element) {
  if (element.isInteger(1))
    return value != 0.0;
  if (std::isnan(value))
    return 0;
  value = std::trunc(value);
  unsigned width = intWidth(element);
  if (isZeroExtended(element)) {
    double max = std::ldexp(1.0, width); // exclusive
    if (value <= 0)
      return 0;
    if (value >= max)
      return wrapInt(~uint64_t(0), element);
    return static_cast<int64_t>(static_cast<uint64_t>(value));
  }
  double bound = std::ldexp(1.0, width - 1); // -bound <= v < bound
  if (value >= bound)
    return wrapInt((uint64_t(1) << (width - 1)) - 1, element);
  if (value < -bound)
    return wrapInt(uint64_t(1) << (width - 1), element);
  return static_cast<int64_t>(value);
}

SmallVector<int64_t> consteval::stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * shape[d + 1];
  return strides;
}

std::vector<int64_t> consteval::broadcastPositions(ArrayRef<int64_t> from,
                                                   ArrayRef<int64_t> to) {
  size_t rank = to.size(), offset = rank - from.size();
  // Stride of `from` seen from each result dim (0 where it broadcasts).
  SmallVector<int64_t> fromStrides = stridesOf(from);
  SmallVector<int64_t> strides(rank, 0);
  for (size_t d = offset; d < rank; ++d)
    if (from[d - offset] != 1)
      strides[d] = fromStrides[d - offset];
  int64_t total = 1;
  for (int64_t size : to)
    total *= size;
  std::vector<int64_t> positions(total);
  SmallVector<int64_t> index(rank, 0);
  int64_t position = 0;
  for (int64_t i = 0; i < total; ++i) {
    positions[i] = position;
    // Advance the row-major counter, keeping `position` in step.
    for (int64_t d = static_cast<int64_t>(rank) - 1; d >= 0; --d) {
      position += strides[d];
      if (++index[d] < to[d])
        break;
      position -= strides[d] * to[d];
      index[d] = 0;
    }
  }
  return positions;
}

HostTensor consteval::makeTensor(RankedTensorType type) {
  HostTensor tensor;
  tensor.type = type;
  if (tensor.isFloat())
    tensor.floats.resize(type.getNumElements());
  else
    tensor.ints.resize(type.getNumElements());
  return tensor;
}

bool consteval::isSupportedElementType(Type type) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return floatType.getWidth() <= 64;
  if (type.isIndex())
    return true;
  if (auto intType = dyn_cast<IntegerType>(type))
    return intType.getWidth() <= 64;
  return false;
}

//===----------------------------------------------------------------------===//
// Reading and writing constants
//===----------------------------------------------------------------------===//

/// Reads element `i` of row-major raw data laid out as a resource blob holds
/// it (i1 as one byte, other types in their bytes, little-endian host).
static void readRawElement(const char *data, int64_t i, Type element,
                           HostTensor &out) {
  if (auto floatType = dyn_cast<FloatType>(element)) {
    unsigned width = floatType.getWidth(), bytes = (width + 7) / 8;
    uint64_t bits = 0;
    std::memcpy(&bits, data + i * bytes, bytes);
    APFloat value(floatType.getFloatSemantics(), APInt(width, bits));
    bool lost = false;
    value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
    out.floats[i] = value.convertToDouble();
    return;
  }
  unsigned width = intWidth(element), bytes = width == 1 ? 1 : width / 8;
  uint64_t bits = 0;
  std::memcpy(&bits, data + i * bytes, bytes);
  out.ints[i] = width == 1 ? (bits != 0) : wrapInt(bits, element);
}

std::optional<HostTensor> consteval::readConstant(ElementsAttr attr) {
  auto type = dyn_cast<RankedTensorType>(attr.getType());
  if (!type || !type.hasStaticShape() ||
      !isSupportedElementType(type.getElementType()))
    return std::nullopt;
  Type element = type.getElementType();
  HostTensor out = makeTensor(type);
  int64_t count = type.getNumElements();

  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    unsigned width = isa<FloatType>(element) ? element.getIntOrFloatBitWidth()
                                             : intWidth(element);
    if (width != 1 && width % 8 != 0)
      return std::nullopt;
    int64_t bytes = width == 1 ? 1 : width / 8;
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || static_cast<int64_t>(blob->getData().size()) < count * bytes)
      return std::nullopt;
    const char *data = blob->getData().data();
    for (int64_t i = 0; i < count; ++i)
      readRawElement(data, i, element, out);
    return out;
  }

  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  int64_t i = 0;
  if (out.isFloat()) {
    for (APFloat value : dense.getValues<APFloat>()) {
      bool lost = false;
      value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                    &lost);
      out.floats[i++] = value.convertToDouble();
    }
    return out;
  }
  for (const APInt &value : dense.getValues<APInt>())
    out.ints[i++] = wrapInt(value.getZExtValue(), element);
  return out;
}

DenseElementsAttr consteval::writeConstant(const HostTensor &tensor) {
  Type element = tensor.type.getElementType();
  if (auto floatType = dyn_cast<FloatType>(element)) {
    SmallVector<APFloat> values;
    values.reserve(tensor.floats.size());
    for (double value : tensor.floats) {
      APFloat converted(value);
      bool lost = false;
      converted.convert(floatType.getFloatSemantics(),
                        APFloat::rmNearestTiesToEven, &lost);
      values.push_back(converted);
    }
    return DenseElementsAttr::get(tensor.type, values);
  }
  unsigned width = intWidth(element);
  SmallVector<APInt> values;
  values.reserve(tensor.ints.size());
  for (int64_t value : tensor.ints)
    values.push_back(APInt(64, static_cast<uint64_t>(value)).trunc(width));
  return DenseElementsAttr::get(tensor.type, values);
}

//===----------------------------------------------------------------------===//
// Unary
//===----------------------------------------------------------------------===//

static double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

using UnaryFn = double (*)(double);

/// The float function of a unary op, or null.
// clang-format off: one op per line reads as a table.
static UnaryFn floatUnaryFn(Operation *op) {
  if (isa<AbsOp>(op)) return [](double x) { return std::fabs(x); };
  if (isa<NegOp>(op)) return [](double x) { return -x; };
  if (isa<SignOp>(op))
    return [](double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; };
  if (isa<ReluOp>(op)) return [](double x) { return x < 0 ? 0.0 : x; };
  if (isa<ExpOp>(op)) return [](double x) { return std::exp(x); };
  if (isa<LogOp>(op)) return [](double x) { return std::log(x); };
  if (isa<SqrtOp>(op)) return [](double x) { return std::sqrt(x); };
  if (isa<RsqrtOp>(op)) return [](double x) { return 1.0 / std::sqrt(x); };
  if (isa<ReciprocalOp>(op)) return [](double x) { return 1.0 / x; };
  if (isa<SinOp>(op)) return [](double x) { return std::sin(x); };
  if (isa<CosOp>(op)) return [](double x) { return std::cos(x); };
  if (isa<TanOp>(op)) return [](double x) { return std::tan(x); };
  if (isa<AsinOp>(op)) return [](double x) { return std::asin(x); };
  if (isa<AcosOp>(op)) return [](double x) { return std::acos(x); };
  if (isa<AtanOp>(op)) return [](double x) { return std::atan(x); };
  if (isa<SinhOp>(op)) return [](double x) { return std::sinh(x); };
  if (isa<CoshOp>(op)) return [](double x) { return std::cosh(x); };
  if (isa<AsinhOp>(op)) return [](double x) { return std::asinh(x); };
  if (isa<AcoshOp>(op)) return [](double x) { return std::acosh(x); };
  if (isa<AtanhOp>(op)) return [](double x) { return std::atanh(x); };
  if (isa<TanhOp>(op)) return [](double x) { return std::tanh(x); };
  if (isa<ErfOp>(op)) return [](double x) { return std::erf(x); };
  if (isa<SigmoidOp>(op)) return sigmoid;
  if (isa<SiluOp>(op)) return [](double x) { return x * sigmoid(x); };
  if (isa<SoftplusOp>(op))
    return [](double x) {
      return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
    };
  if (isa<FloorOp>(op)) return [](double x) { return std::floor(x); };
  if (isa<CeilOp>(op)) return [](double x) { return std::ceil(x); };
  // Ties to even under the default rounding mode.
  if (isa<RoundOp>(op)) return [](double x) { return std::nearbyint(x); };
  return nullptr;
}
// clang-format on

std::optional<HostTensor> consteval::evalUnary(Operation *op,
                                               const HostTensor &input,
                                               RankedTensorType resultType) {
  HostTensor out = makeTensor(resultType);
  Type element = input.type.getElementType();
  int64_t count = input.size();

  if (isa<IsNanOp, IsInfOp>(op)) {
    bool nan = isa<IsNanOp>(op);
    for (int64_t i = 0; i < count; ++i)
      out.ints[i] = nan ? std::isnan(input.floats[i])
                        : std::isinf(input.floats[i]);
    return out;
  }
  if (input.isFloat()) {
    if (auto gelu = dyn_cast<GeluOp>(op)) {
      bool tanhForm = gelu.getApproximation() == GeluApproximation::tanh;
      for (int64_t i = 0; i < count; ++i) {
        double x = input.floats[i];
        out.floats[i] =
            tanhForm ? 0.5 * x *
                           (1.0 + std::tanh(std::sqrt(2.0 / M_PI) *
                                            (x + 0.044715 * x * x * x)))
                     : 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
      }
      return out;
    }
    if (auto leaky = dyn_cast<LeakyReluOp>(op)) {
      double alpha = leaky.getAlpha().convertToDouble();
      for (int64_t i = 0; i < count; ++i) {
        double x = input.floats[i];
        out.floats[i] = x < 0 ? alpha * x : x;
      }
      return out;
    }
    UnaryFn fn = floatUnaryFn(op);
    if (!fn)
      return std::nullopt;
    for (int64_t i = 0; i < count; ++i)
      out.floats[i] = fn(input.floats[i]);
    return out;
  }

  // Integers (wrapping) and i1.
  bool zext = isZeroExtended(element);
  for (int64_t i = 0; i < count; ++i) {
    int64_t x = input.ints[i];
    uint64_t ux = static_cast<uint64_t>(x);
    uint64_t r;
    if (isa<AbsOp>(op))
      r = (!zext && x < 0) ? 0 - ux : ux;
    else if (isa<NegOp>(op))
      r = 0 - ux;
    else if (isa<SignOp>(op))
      r = x == 0 ? 0 : (!zext && x < 0) ? ~uint64_t(0) : 1;
    else if (isa<ReluOp>(op))
      r = (!zext && x < 0) ? 0 : ux;
    else if (isa<NotOp>(op))
      r = x == 0;
    else
      return std::nullopt;
    out.ints[i] = wrapInt(r, element);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Binary and compare
//===----------------------------------------------------------------------===//

// clang-format off: the predicate and binary-op tables below.
static bool compareHolds(CompareKind kind, int order /* -1, 0, 1 */) {
  switch (kind) {
  case CompareKind::eq: return order == 0;
  case CompareKind::ne: return order != 0;
  case CompareKind::lt: return order < 0;
  case CompareKind::le: return order <= 0;
  case CompareKind::gt: return order > 0;
  case CompareKind::ge: return order >= 0;
  }
  return false;
}

static bool compareFloats(CompareKind kind, double a, double b) {
  switch (kind) {
  case CompareKind::eq: return a == b;
  case CompareKind::ne: return a != b;
  case CompareKind::lt: return a < b;
  case CompareKind::le: return a <= b;
  case CompareKind::gt: return a > b;
  case CompareKind::ge: return a >= b;
  }
  return false;
}

static std::optional<double> floatBinary(Operation *op, double a, double b) {
  if (isa<AddOp>(op)) return a + b;
  if (isa<SubOp>(op)) return a - b;
  if (isa<MulOp>(op)) return a * b;
  if (isa<DivOp>(op)) return a / b;
  if (isa<PowOp>(op)) return std::pow(a, b);
  if (isa<ModOp>(op)) return std::fmod(a, b);
  if (isa<MaxOp, MinOp>(op)) {
    if (std::isnan(a) || std::isnan(b))
      return std::numeric_limits<double>::quiet_NaN();
    return isa<MaxOp>(op) ? std::max(a, b) : std::min(a, b);
  }
  return std::nullopt;
}

// clang-format on

/// Integer power with wrapping; std::nullopt for 0 to a negative power.
static std::optional<uint64_t> intPow(int64_t base, int64_t exponent,
                                      bool zext) {
  if (!zext && exponent < 0) {
    if (base == 0)
      return std::nullopt;
    if (base == 1)
      return 1;
    if (base == -1)
      return (exponent & 1) ? ~uint64_t(0) : 1;
    return 0;
  }
  uint64_t result = 1, b = static_cast<uint64_t>(base),
           e = static_cast<uint64_t>(exponent);
  while (e) {
    if (e & 1)
      result *= b;
    b *= b;
    e >>= 1;
  }
  return result;
}

/// One integer binary op on `element`-typed values; std::nullopt where the
/// result is undefined (division or remainder by zero).
static std::optional<uint64_t> intBinary(Operation *op, int64_t a, int64_t b,
                                         Type element) {
  bool zext = isZeroExtended(element);
  uint64_t ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
  // clang-format off
  if (isa<AddOp>(op)) return ua + ub;
  if (isa<SubOp>(op)) return ua - ub;
  if (isa<MulOp>(op)) return ua * ub;
  if (isa<AndOp>(op)) return ua & ub;
  if (isa<OrOp>(op)) return ua | ub;
  if (isa<XorOp>(op)) return ua ^ ub;
  // clang-format on
  if (isa<MaxOp, MinOp>(op)) {
    bool aLess = zext ? ua < ub : a < b;
    return (isa<MaxOp>(op) ? !aLess : aLess) ? ua : ub;
  }
  if (isa<PowOp>(op))
    return intPow(a, b, zext);
  if (b == 0)
    return std::nullopt;
  if (zext)
    return isa<DivOp>(op) ? ua / ub : ua % ub;
  if (b == -1) // avoid INT64_MIN / -1; the result wraps.
    return isa<DivOp>(op) ? 0 - ua : 0;
  if (isa<DivOp>(op))
    return static_cast<uint64_t>(a / b);
  auto mod = dyn_cast<ModOp>(op);
  if (!mod)
    return std::nullopt;
  int64_t r = a % b;
  if (!mod.getFmod() && r != 0 && ((r < 0) != (b < 0)))
    r += b;
  return static_cast<uint64_t>(r);
}

std::optional<HostTensor> consteval::evalBinary(Operation *op,
                                                const HostTensor &lhs,
                                                const HostTensor &rhs,
                                                RankedTensorType resultType) {
  HostTensor out = makeTensor(resultType);
  std::vector<int64_t> lhsAt =
      broadcastPositions(lhs.type.getShape(), resultType.getShape());
  std::vector<int64_t> rhsAt =
      broadcastPositions(rhs.type.getShape(), resultType.getShape());
  Type element = lhs.type.getElementType();
  int64_t count = resultType.getNumElements();
  auto compare = dyn_cast<CompareOp>(op);

  for (int64_t i = 0; i < count; ++i) {
    if (lhs.isFloat()) {
      double a = lhs.floats[lhsAt[i]], b = rhs.floats[rhsAt[i]];
      if (compare) {
        out.ints[i] = compareFloats(compare.getPredicate(), a, b);
        continue;
      }
      std::optional<double> r = floatBinary(op, a, b);
      if (!r)
        return std::nullopt;
      out.floats[i] = *r;
      continue;
    }
    int64_t a = lhs.ints[lhsAt[i]], b = rhs.ints[rhsAt[i]];
    if (compare) {
      bool less = isZeroExtended(element)
                      ? static_cast<uint64_t>(a) < static_cast<uint64_t>(b)
                      : a < b;
      out.ints[i] =
          compareHolds(compare.getPredicate(), a == b ? 0 : less ? -1 : 1);
      continue;
    }
    std::optional<uint64_t> r = intBinary(op, a, b, element);
    if (!r)
      return std::nullopt;
    out.ints[i] = wrapInt(*r, resultType.getElementType());
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Select, cast, clamp
//===----------------------------------------------------------------------===//

std::optional<HostTensor> consteval::evalSelect(const HostTensor &condition,
                                                const HostTensor &onTrue,
                                                const HostTensor &onFalse,
                                                RankedTensorType resultType) {
  HostTensor out = makeTensor(resultType);
  ArrayRef<int64_t> shape = resultType.getShape();
  std::vector<int64_t> condAt =
      broadcastPositions(condition.type.getShape(), shape);
  std::vector<int64_t> trueAt =
      broadcastPositions(onTrue.type.getShape(), shape);
  std::vector<int64_t> falseAt =
      broadcastPositions(onFalse.type.getShape(), shape);
  for (int64_t i = 0, e = resultType.getNumElements(); i < e; ++i) {
    bool pick = condition.ints[condAt[i]] != 0;
    if (out.isFloat())
      out.floats[i] =
          pick ? onTrue.floats[trueAt[i]] : onFalse.floats[falseAt[i]];
    else
      out.ints[i] = pick ? onTrue.ints[trueAt[i]] : onFalse.ints[falseAt[i]];
  }
  return out;
}

std::optional<HostTensor> consteval::evalCast(const HostTensor &input,
                                              RankedTensorType resultType) {
  HostTensor out = makeTensor(resultType);
  Type from = input.type.getElementType(), to = resultType.getElementType();
  for (int64_t i = 0, e = input.size(); i < e; ++i) {
    if (input.isFloat()) {
      double x = input.floats[i];
      if (out.isFloat())
        out.floats[i] = x;
      else
        out.ints[i] = doubleToInt(x, to);
      continue;
    }
    int64_t x = input.ints[i];
    if (out.isFloat())
      out.floats[i] = intToDouble(x, from);
    else if (to.isInteger(1))
      out.ints[i] = x != 0;
    else
      out.ints[i] = wrapInt(static_cast<uint64_t>(x), to);
  }
  return out;
}

std::optional<HostTensor> consteval::evalClamp(ClampOp op,
                                               const HostTensor &input) {
  HostTensor out = input;
  Type element = input.type.getElementType();
  std::optional<APFloat> min = op.getMin(), max = op.getMax();
  if (input.isFloat()) {
    // Unrounded bounds clamp to the same element values: writing rounds a
    // bound to its nearest element value, and no element value lies between.
    double lo = min ? min->convertToDouble() : 0;
    double hi = max ? max->convertToDouble() : 0;
    for (double &x : out.floats) {
      if (min && x < lo)
        x = lo;
      if (max && x > hi)
        x = hi;
    }
    return out;
  }
  bool zext = isZeroExtended(element);
  auto less = [&](int64_t a, int64_t b) {
    return zext ? static_cast<uint64_t>(a) < static_cast<uint64_t>(b) : a < b;
  };
  int64_t lo = min ? doubleToInt(min->convertToDouble(), element) : 0;
  int64_t hi = max ? doubleToInt(max->convertToDouble(), element) : 0;
  for (int64_t &x : out.ints) {
    if (min && less(x, lo))
      x = lo;
    if (max && less(hi, x))
      x = hi;
  }
  return out;
}
