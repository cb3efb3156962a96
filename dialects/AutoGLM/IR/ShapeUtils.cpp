//===- ShapeUtils.cpp - shape helpers shared by ag verifiers ---------------===//

#include "mlir/IR/TypeUtilities.h"
#include "dialects/AutoGLM/IR/ShapeUtils.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir::autoglm {

std::string formatShape(ArrayRef<int64_t> shape) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (shape.empty())
    return "scalar";
  llvm::interleave(
      shape, os,
      [&](int64_t dim) {
        if (ShapedType::isDynamic(dim))
          os << '?';
        else
          os << dim;
      },
      "x");
  return text;
}

std::optional<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                    ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t a = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t b = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    int64_t &out = result[rank - 1 - i];
    if (a == 1)
      out = b;
    else if (b == 1)
      out = a;
    else if (ShapedType::isDynamic(a))
      out = b;
    else if (ShapedType::isDynamic(b) || a == b)
      out = a;
    else
      return std::nullopt;
  }
  return result;
}

bool isBroadcastableTo(ArrayRef<int64_t> from, ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return false;
  size_t offset = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && !dimsCompatible(from[i], to[offset + i]))
      return false;
  return true;
}

LogicalResult inferBroadcastType(std::optional<Location> loc,
                                 ValueRange operands, Type elementType,
                                 SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  for (auto [index, operand] : llvm::enumerate(operands)) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type)
      return emitOptionalError(loc, "operand #", index,
                               " must be a ranked tensor");
    if (!elementType)
      elementType = type.getElementType();
    std::optional<SmallVector<int64_t>> next =
        broadcastShapes(shape, type.getShape());
    if (!next)
      return emitOptionalError(loc, "operand shapes ", formatShape(shape),
                               " and ", formatShape(type.getShape()),
                               " are not broadcast-compatible");
    shape = std::move(*next);
  }
  inferred.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

LogicalResult verifySameElementTypes(Operation *op, ArrayRef<Value> values) {
  Type first = getElementTypeOrSelf(values.front().getType());
  for (Value value : values.drop_front())
    if (getElementTypeOrSelf(value.getType()) != first)
      return op->emitOpError("operands must share one element type, got ")
             << first << " and " << getElementTypeOrSelf(value.getType());
  return success();
}

LogicalResult verifyAxisInRange(EmitErrorFn emitError, int64_t axis,
                                ArrayRef<int64_t> shape) {
  int64_t rank = shape.size();
  if (axis < 0 || axis >= rank)
    return emitError() << "axis " << axis << " is out of range for rank "
                       << rank << " (shape " << formatShape(shape) << ")";
  return success();
}

LogicalResult verifyQuantParams(EmitErrorFn emitError,
                                RankedTensorType quantized,
                                RankedTensorType scale,
                                RankedTensorType zeroPoint, int64_t axis,
                                int64_t groupSize) {
  int64_t rank = quantized.getRank();
  if (zeroPoint && zeroPoint.getShape() != scale.getShape())
    return emitError() << "zero_point shape " << formatShape(zeroPoint.getShape())
                       << " differs from scale shape "
                       << formatShape(scale.getShape());
  if (groupSize < 0)
    return emitError() << "group_size must be >= 0, got " << groupSize;
  bool perTensor = scale.getRank() == 0;
  if (!perTensor && (axis < 0 || axis >= rank))
    return emitError() << "axis " << axis << " is out of range for rank "
                       << rank;
  if (groupSize == 0) {
    if (perTensor)
      return success();
    if (scale.getRank() != 1)
      return emitError() << "scale must be 0-d (per tensor) or 1-d (per axis) "
                            "without group_size, got shape "
                         << formatShape(scale.getShape());
    if (!dimsCompatible(scale.getDimSize(0), quantized.getDimSize(axis)))
      return emitError() << "per-axis scale has " << scale.getDimSize(0)
                         << " elements but dim " << axis << " has "
                         << quantized.getDimSize(axis);
    return success();
  }
  if (scale.getRank() != rank)
    return emitError() << "group-wise scale must have the quantized rank "
                       << rank << ", got shape "
                       << formatShape(scale.getShape());
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = quantized.getDimSize(d);
    int64_t expected =
        d != axis || ShapedType::isDynamic(size)
            ? size
            : (size + groupSize - 1) / groupSize;
    if (!dimsCompatible(scale.getDimSize(d), expected))
      return emitError() << "group-wise scale shape "
                         << formatShape(scale.getShape()) << " should be "
                         << formatShape(quantized.getShape())
                         << " with dim " << axis << " in groups of "
                         << groupSize << " (dim " << d << " should be "
                         << expected << ")";
  }
  return success();
}

} // namespace mlir::autoglm
