//===- HostTensor.h - small tensors evaluated at import time ----*- C++ -*-===//
//
// Exported models compute shapes at run time (Shape -> Gather -> Concat ->
// Reshape). With static input shapes every such value is known while
// importing; HostTensor holds those small values so handlers can evaluate
// them and emit constants, leaving no shape arithmetic in the graph.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_IMPORT_ONNX_HOSTTENSOR_H
#define AUTOGLM_COMPILER_IMPORT_ONNX_HOSTTENSOR_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/STLFunctionalExtras.h"

#include <vector>

namespace mlir::autoglm::onnx_import {

/// Values with more elements than this are not tracked on the host.
constexpr int64_t kMaxHostElements = 1 << 16;

struct HostTensor {
  Type elementType;
  SmallVector<int64_t> shape;
  /// Elements of integer and i1 tensors (unsigned types hold their value).
  std::vector<int64_t> ints;
  /// Elements of float tensors, widened to double.
  std::vector<double> floats;

  bool isFloat() const { return isa<FloatType>(elementType); }
  int64_t size() const { return isFloat() ? floats.size() : ints.size(); }
  double asDouble(int64_t i) const {
    return isFloat() ? floats[i] : double(ints[i]);
  }
  int64_t asInt(int64_t i) const {
    return isFloat() ? int64_t(floats[i]) : ints[i];
  }
  /// All elements as int64 (floats truncate toward zero).
  std::vector<int64_t> toInts() const;

  static HostTensor ofInts(Type elementType, ArrayRef<int64_t> shape,
                           std::vector<int64_t> values);
  static HostTensor ofFloats(Type elementType, ArrayRef<int64_t> shape,
                             std::vector<double> values);
  /// A host tensor of `elementType` whose elements come from `fn(i)` as
  /// doubles (rounded/truncated for integers, wrapped to the type's width).
  template <typename Fn>
  static HostTensor generate(Type elementType, ArrayRef<int64_t> shape,
                             Fn &&fn);

  /// Converts from a dense attribute of at most kMaxHostElements elements.
  static std::optional<HostTensor> fromAttr(DenseElementsAttr attr);
  DenseElementsAttr toAttr() const;
  RankedTensorType type() const {
    return RankedTensorType::get(shape, elementType);
  }
};

/// Converts `value` to what an integer of `type` holds (i1: != 0), wrapping
/// like a C cast after truncating toward zero.
int64_t wrapToIntegerType(Type type, double value);
/// Same for an integer value, exactly.
int64_t wrapIntToType(Type type, int64_t value);

template <typename Fn>
HostTensor HostTensor::generate(Type elementType, ArrayRef<int64_t> shape,
                                Fn &&fn) {
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  HostTensor t;
  t.elementType = elementType;
  t.shape.assign(shape.begin(), shape.end());
  if (isa<FloatType>(elementType)) {
    t.floats.resize(count);
    for (int64_t i = 0; i < count; ++i)
      t.floats[i] = fn(i);
  } else {
    t.ints.resize(count);
    for (int64_t i = 0; i < count; ++i)
      t.ints[i] = wrapToIntegerType(elementType, fn(i));
  }
  return t;
}

/// Evaluates an elementwise op over numpy-broadcast operands: `intFn` when
/// every operand is an integer (exact int64 arithmetic), `floatFn` on doubles
/// otherwise. Returns nullopt if the shapes do not broadcast or the result
/// would be too large to track.
std::optional<HostTensor>
hostElementwise(ArrayRef<const HostTensor *> operands, Type resultElementType,
                llvm::function_ref<double(ArrayRef<double>)> floatFn,
                llvm::function_ref<int64_t(ArrayRef<int64_t>)> intFn);

/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape);

/// Element count of a static shape.
int64_t numElementsOf(ArrayRef<int64_t> shape);

} // namespace mlir::autoglm::onnx_import

#endif // AUTOGLM_COMPILER_IMPORT_ONNX_HOSTTENSOR_H
