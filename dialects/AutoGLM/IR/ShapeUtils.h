//===- ShapeUtils.h - shape helpers shared by ag verifiers ------*- C++ -*-===//
//
// Broadcasting, shape printing and quantization-parameter checks used by the
// ops' type inference and verifiers (and later by importers and passes).
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_DIALECT_AUTOGLM_IR_SHAPEUTILS_H
#define AUTOGLM_DIALECT_AUTOGLM_IR_SHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <optional>
#include <string>

namespace mlir::autoglm {

/// Reports an error either on an op (verifiers) or at an optional location
/// (type inference, where there may be no op yet).
using EmitErrorFn = llvm::function_ref<InFlightDiagnostic()>;

/// Renders a shape as `2x?x768` for diagnostics.
std::string formatShape(ArrayRef<int64_t> shape);

/// numpy broadcast of two shapes, aligned on the right. A dynamic dim
/// broadcasts against 1 or any static size. Returns nullopt if incompatible.
std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                    ArrayRef<int64_t> rhs);

/// True if `from` broadcasts to exactly `to` (numpy rules, `to` unchanged).
bool isBroadcastableTo(ArrayRef<int64_t> from, ArrayRef<int64_t> to);

/// Infers the broadcast result type of `operands`. The element type is
/// `elementType`, or the first operand's when null.
LogicalResult inferBroadcastType(std::optional<Location> loc,
                                 ValueRange operands, Type elementType,
                                 SmallVectorImpl<Type> &inferred);

/// Verifies that all `values` share one element type.
LogicalResult verifySameElementTypes(Operation *op, ArrayRef<Value> values);

/// Verifies ONNX-style quantization parameters (see AG_QuantParamsDoc) of a
/// tensor of shape `quantized`. `zeroPoint` may be null.
LogicalResult verifyQuantParams(EmitErrorFn emitError,
                                RankedTensorType quantized,
                                RankedTensorType scale,
                                RankedTensorType zeroPoint, int64_t axis,
                                int64_t groupSize);

/// An error reporter for type inference: reports at `loc`, or, without a
/// location, yields an inactive diagnostic that drops the message.
inline InFlightDiagnostic emitOptionalDiag(std::optional<Location> loc) {
  return loc ? emitError(*loc) : InFlightDiagnostic();
}

/// Verifies `0 <= axis < shape.size()`; the message names the shape.
LogicalResult verifyAxisInRange(EmitErrorFn emitError, int64_t axis,
                                ArrayRef<int64_t> shape);

/// Static dims compare equal; a dynamic dim matches anything.
inline bool dimsCompatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// Equal ranks and pairwise compatible dims.
inline bool shapesCompatible(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip_equal(a, b))
    if (!dimsCompatible(x, y))
      return false;
  return true;
}

} // namespace mlir::autoglm

#endif // AUTOGLM_DIALECT_AUTOGLM_IR_SHAPEUTILS_H
