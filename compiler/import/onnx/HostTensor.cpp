//===- HostTensor.cpp - small tensors evaluated at import time -----------===//

#include "compiler/import/onnx/HostTensor.h"

#include <cmath>

namespace mlir::autoglm::onnx_import {

int64_t numElementsOf(ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  return count;
}

SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = int64_t(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

int64_t wrapToIntegerType(Type type, double value) {
  if (cast<IntegerType>(type).getWidth() == 1)
    return value != 0;
  if (std::isnan(value))
    return 0;
  // Saturate to int64 first so that huge values do not overflow the cast.
  double clamped = std::fmax(std::fmin(value, 9.2233720368547748e18),
                             -9.2233720368547758e18);
  return wrapIntToType(type, int64_t(clamped));
}

int64_t wrapIntToType(Type type, int64_t value) {
  auto intType = cast<IntegerType>(type);
  unsigned width = intType.getWidth();
  if (width == 1)
    return value != 0;
  if (width >= 64)
    return value;
  APInt bits(width, uint64_t(value), /*isSigned=*/true, /*implicitTrunc=*/true);
  return intType.isUnsigned() ? int64_t(bits.getZExtValue())
                              : bits.getSExtValue();
}

std::vector<int64_t> HostTensor::toInts() const {
  if (!isFloat())
    return ints;
  std::vector<int64_t> out(floats.size());
  for (size_t i = 0; i < floats.size(); ++i)
    out[i] = int64_t(floats[i]);
  return out;
}

HostTensor HostTensor::ofInts(Type elementType, ArrayRef<int64_t> shape,
                              std::vector<int64_t> values) {
  HostTensor t;
  t.elementType = elementType;
  t.shape.assign(shape.begin(), shape.end());
  t.ints = std::move(values);
  return t;
}

HostTensor HostTensor::ofFloats(Type elementType, ArrayRef<int64_t> shape,
                                std::vector<double> values) {
  HostTensor t;
  t.elementType = elementType;
  t.shape.assign(shape.begin(), shape.end());
  t.floats = std::move(values);
  return t;
}

std::optional<HostTensor> HostTensor::fromAttr(DenseElementsAttr attr) {
  auto type = cast<RankedTensorType>(attr.getType());
  if (!type.hasStaticShape() || type.getNumElements() > kMaxHostElements)
    return std::nullopt;
  Type elementType = type.getElementType();
  HostTensor t;
  t.elementType = elementType;
  t.shape.assign(type.getShape().begin(), type.getShape().end());
  if (isa<FloatType>(elementType)) {
    for (APFloat value : attr.getValues<APFloat>()) {
      bool losesInfo = false;
      value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                    &losesInfo);
      t.floats.push_back(value.convertToDouble());
    }
    return t;
  }
  auto intType = dyn_cast<IntegerType>(elementType);
  if (!intType)
    return std::nullopt;
  for (APInt value : attr.getValues<APInt>())
    t.ints.push_back(intType.getWidth() == 1 || intType.isUnsigned()
                         ? int64_t(value.getZExtValue())
                         : value.getSExtValue());
  return t;
}

DenseElementsAttr HostTensor::toAttr() const {
  RankedTensorType tensorType = type();
  if (auto floatType = dyn_cast<FloatType>(elementType)) {
    SmallVector<APFloat> values;
    values.reserve(floats.size());
    for (double v : floats) {
      APFloat value(v);
      bool losesInfo = false;
      value.convert(floatType.getFloatSemantics(),
                    APFloat::rmNearestTiesToEven, &losesInfo);
      values.push_back(value);
    }
    return DenseElementsAttr::get(tensorType, values);
  }
  auto intType = cast<IntegerType>(elementType);
  if (intType.getWidth() == 1) {
    SmallVector<bool> values(ints.begin(), ints.end());
    return DenseElementsAttr::get(tensorType, ArrayRef<bool>(values));
  }
  SmallVector<APInt> values;
  values.reserve(ints.size());
  for (int64_t v : ints)
    values.push_back(APInt(intType.getWidth(), uint64_t(v),
                           /*isSigned=*/!intType.isUnsigned(),
                           /*implicitTrunc=*/true));
  return DenseElementsAttr::get(tensorType, values);
}

std::optional<HostTensor>
hostElementwise(ArrayRef<const HostTensor *> operands, Type resultElementType,
                llvm::function_ref<double(ArrayRef<double>)> floatFn,
                llvm::function_ref<int64_t(ArrayRef<int64_t>)> intFn) {
  size_t rank = 0;
  for (const HostTensor *t : operands)
    rank = std::max(rank, t->shape.size());
  SmallVector<int64_t> shape(rank, 1);
  for (const HostTensor *t : operands) {
    size_t offset = rank - t->shape.size();
    for (size_t d = 0; d < t->shape.size(); ++d) {
      int64_t dim = t->shape[d];
      if (shape[offset + d] == 1)
        shape[offset + d] = dim;
      else if (dim != 1 && dim != shape[offset + d])
        return std::nullopt;
    }
  }
  int64_t count = numElementsOf(shape);
  if (count > kMaxHostElements)
    return std::nullopt;
  bool allInts = llvm::none_of(operands, [](const HostTensor *t) {
    return t->isFloat();
  });
  // Per operand: strides over the broadcast shape (0 where broadcast).
  SmallVector<SmallVector<int64_t>> strides;
  for (const HostTensor *t : operands) {
    SmallVector<int64_t> own = stridesOf(t->shape);
    SmallVector<int64_t> s(rank, 0);
    size_t offset = rank - t->shape.size();
    for (size_t d = 0; d < t->shape.size(); ++d)
      s[offset + d] = t->shape[d] == 1 ? 0 : own[d];
    strides.push_back(s);
  }
  SmallVector<int64_t> outStrides = stridesOf(shape);
  SmallVector<double> floatArgs(operands.size());
  SmallVector<int64_t> intArgs(operands.size());
  auto indexOf = [&](size_t operand, int64_t flat) {
    int64_t index = 0;
    for (size_t d = 0; d < rank; ++d)
      index += (flat / outStrides[d]) % shape[d] * strides[operand][d];
    return index;
  };
  bool floatResult = isa<FloatType>(resultElementType);
  HostTensor result;
  result.elementType = resultElementType;
  result.shape = shape;
  for (int64_t i = 0; i < count; ++i) {
    if (allInts) {
      for (size_t k = 0; k < operands.size(); ++k)
        intArgs[k] = operands[k]->ints[indexOf(k, i)];
      int64_t v = intFn(intArgs);
      if (floatResult)
        result.floats.push_back(double(v));
      else
        result.ints.push_back(wrapIntToType(resultElementType, v));
    } else {
      for (size_t k = 0; k < operands.size(); ++k)
        floatArgs[k] = operands[k]->asDouble(indexOf(k, i));
      double v = floatFn(floatArgs);
      if (floatResult)
        result.floats.push_back(v);
      else
        result.ints.push_back(wrapToIntegerType(resultElementType, v));
    }
  }
  return result;
}

} // namespace mlir::autoglm::onnx_import
