//===- QuantOps.cpp - ag quantize, dequantize and dequant_matmul ----------===//

#include "mlir/IR/TypeUtilities.h"
#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

using namespace mlir;
using namespace mlir::autoglm;

static RankedTensorType optionalTensorType(Value value) {
  return value ? cast<RankedTensorType>(value.getType()) : RankedTensorType();
}

static LogicalResult verifyZeroPointType(Operation *op, Value zeroPoint,
                                         Type storage) {
  if (zeroPoint && getElementTypeOrSelf(zeroPoint.getType()) != storage)
    return op->emitOpError("zero_point element type ")
           << getElementTypeOrSelf(zeroPoint.getType())
           << " differs from the storage type " << storage;
  return success();
}

LogicalResult QuantizeOp::verify() {
  auto input = getInput().getType();
  auto result = getType();
  if (input.getShape() != result.getShape())
    return emitOpError("result shape ")
           << formatShape(result.getShape()) << " differs from input shape "
           << formatShape(input.getShape());
  if (getScale().getType().getElementType() != input.getElementType())
    return emitOpError("scale element type ")
           << getScale().getType().getElementType()
           << " differs from the input's " << input.getElementType();
  if (failed(verifyZeroPointType(*this, getZeroPoint(),
                                 result.getElementType())))
    return failure();
  return verifyQuantParams([&] { return emitOpError(); }, result,
                           getScale().getType(),
                           optionalTensorType(getZeroPoint()), getAxis(),
                           getGroupSize());
}

LogicalResult DequantizeOp::inferReturnTypes(
    MLIRContext *, std::optional<Location>, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  inferred.push_back(
      input.clone(getElementTypeOrSelf(adaptor.getScale().getType())));
  return success();
}

LogicalResult DequantizeOp::verify() {
  auto input = getInput().getType();
  if (failed(verifyZeroPointType(*this, getZeroPoint(),
                                 input.getElementType())))
    return failure();
  return verifyQuantParams([&] { return emitOpError(); }, input,
                           getScale().getType(),
                           optionalTensorType(getZeroPoint()), getAxis(),
                           getGroupSize());
}

LogicalResult DequantMatmulOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto weight = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (lhs.getRank() < 2 || weight.getRank() != 2)
    return emitOptionalError(location, "dequant_matmul needs lhs of rank >= 2 "
                             "and a rank-2 weight, got ",
                             formatShape(lhs.getShape()), " and ",
                             formatShape(weight.getShape()));
  bool transpose = adaptor.getTransposeRhs();
  int64_t k = transpose ? weight.getDimSize(1) : weight.getDimSize(0);
  int64_t n = transpose ? weight.getDimSize(0) : weight.getDimSize(1);
  if (!dimsCompatible(lhs.getShape().back(), k))
    return emitOptionalError(location, "dequant_matmul contraction dims "
                             "differ: lhs has K=", lhs.getShape().back(),
                             ", weight has K=", k);
  SmallVector<int64_t> shape(lhs.getShape().drop_back());
  shape.push_back(n);
  inferred.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

LogicalResult DequantMatmulOp::verify() {
  auto weight = getWeight().getType();
  if (getScale().getType().getElementType() !=
      getLhs().getType().getElementType())
    return emitOpError("scale element type ")
           << getScale().getType().getElementType()
           << " differs from lhs element type "
           << getLhs().getType().getElementType();
  if (failed(verifyZeroPointType(*this, getZeroPoint(),
                                 weight.getElementType())))
    return failure();
  if (failed(verifyQuantParams([&] { return emitOpError(); }, weight,
                               getScale().getType(),
                               optionalTensorType(getZeroPoint()), getAxis(),
                               getGroupSize())))
    return failure();
  if (Value bias = getBias()) {
    auto biasType = cast<RankedTensorType>(bias.getType());
    if (biasType.getElementType() != getType().getElementType() ||
        !isBroadcastableTo(biasType.getShape(), getType().getShape()))
      return emitOpError("bias ")
             << biasType << " does not broadcast to the result " << getType();
  }
  return success();
}
