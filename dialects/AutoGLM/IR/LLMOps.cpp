//===- LLMOps.cpp - ag rope, attention and KV-cache ops -------------------===//

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

using namespace mlir;
using namespace mlir::autoglm;

static LogicalResult verifyRank4(std::optional<Location> loc, StringRef name,
                                 RankedTensorType type) {
  if (type.getRank() != 4)
    return emitOptionalError(loc, name,
                             " must be batch x heads x seq x head_dim, got ",
                             formatShape(type.getShape()));
  return success();
}

//===----------------------------------------------------------------------===//
// RopeOp
//===----------------------------------------------------------------------===//

LogicalResult RopeOp::verify() {
  auto input = getInput().getType();
  auto positions = getPositions().getType();
  if (failed(verifyRank4(getLoc(), "input", input)))
    return failure();
  if (positions.getRank() != 2 ||
      !dimsCompatible(positions.getDimSize(0), input.getDimSize(0)) ||
      !dimsCompatible(positions.getDimSize(1), input.getDimSize(2)))
    return emitOpError("positions must be batch x seq (")
           << formatShape({input.getDimSize(0), input.getDimSize(2)})
           << "), got " << formatShape(positions.getShape());
  int64_t rotaryDim = getRotaryDim(), headDim = input.getDimSize(3);
  if (rotaryDim <= 0 || rotaryDim % 2 != 0)
    return emitOpError("rotary_dim must be positive and even, got ")
           << rotaryDim;
  if (!ShapedType::isDynamic(headDim) && rotaryDim > headDim)
    return emitOpError("rotary_dim ")
           << rotaryDim << " exceeds head_dim " << headDim;
  if (getTheta().convertToDouble() <= 0)
    return emitOpError("theta must be positive");
  return success();
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto q = cast<RankedTensorType>(adaptor.getQuery().getType());
  auto k = cast<RankedTensorType>(adaptor.getKey().getType());
  auto v = cast<RankedTensorType>(adaptor.getValue().getType());
  if (failed(verifyRank4(location, "query", q)) ||
      failed(verifyRank4(location, "key", k)) ||
      failed(verifyRank4(location, "value", v)))
    return failure();
  if (!dimsCompatible(q.getDimSize(0), k.getDimSize(0)) ||
      !dimsCompatible(k.getDimSize(0), v.getDimSize(0)))
    return emitOptionalError(location, "batch sizes differ: query ",
                             q.getDimSize(0), ", key ", k.getDimSize(0),
                             ", value ", v.getDimSize(0));
  if (!dimsCompatible(k.getDimSize(1), v.getDimSize(1)) ||
      !dimsCompatible(k.getDimSize(2), v.getDimSize(2)))
    return emitOptionalError(location, "key ", formatShape(k.getShape()),
                             " and value ", formatShape(v.getShape()),
                             " differ in heads or sequence length");
  int64_t qHeads = q.getDimSize(1), kvHeads = k.getDimSize(1);
  if (!ShapedType::isDynamic(qHeads) && !ShapedType::isDynamic(kvHeads) &&
      (kvHeads == 0 || qHeads % kvHeads != 0))
    return emitOptionalError(location, "query heads ", qHeads,
                             " are not a multiple of key/value heads ",
                             kvHeads, " (grouped-query attention)");
  if (!dimsCompatible(q.getDimSize(3), k.getDimSize(3)))
    return emitOptionalError(location, "query head_dim ", q.getDimSize(3),
                             " differs from key head_dim ", k.getDimSize(3));
  inferred.push_back(RankedTensorType::get(
      {q.getDimSize(0), qHeads, q.getDimSize(2), v.getDimSize(3)},
      q.getElementType()));
  return success();
}

LogicalResult AttentionOp::verify() {
  if (failed(verifySameElementTypes(*this, {getQuery(), getKey(), getValue()})))
    return failure();
  if (std::optional<APFloat> scale = getScale())
    if (scale->convertToDouble() <= 0)
      return emitOpError("scale must be positive");
  if (Value mask = getMask()) {
    auto maskType = cast<RankedTensorType>(mask.getType());
    Type element = maskType.getElementType();
    if (!element.isInteger(1) &&
        element != getQuery().getType().getElementType())
      return emitOpError("mask must be i1 or the query's element type, got ")
             << element;
    SmallVector<int64_t> scores = {
        getQuery().getType().getDimSize(0), getQuery().getType().getDimSize(1),
        getQuery().getType().getDimSize(2), getKey().getType().getDimSize(2)};
    if (!isBroadcastableTo(maskType.getShape(), scores))
      return emitOpError("mask shape ")
             << formatShape(maskType.getShape())
             << " does not broadcast to the scores' shape "
             << formatShape(scores);
  }
  return success();
}

//===----------------------------------------------------------------------===//
// KVCacheWriteOp
//===----------------------------------------------------------------------===//

LogicalResult KVCacheWriteOp::verify() {
  auto update = getUpdate().getType();
  auto cache = getCache().getType();
  if (failed(verifyRank4(getLoc(), "update", update)) ||
      failed(verifyRank4(getLoc(), "cache", cache)))
    return failure();
  if (update.getElementType() != cache.getElementType())
    return emitOpError("update element type ")
           << update.getElementType() << " differs from the cache's "
           << cache.getElementType();
  for (int64_t d : {0, 1, 3})
    if (!dimsCompatible(update.getDimSize(d), cache.getDimSize(d)))
      return emitOpError("update ")
             << formatShape(update.getShape()) << " and cache "
             << formatShape(cache.getShape())
             << " differ in batch, heads or head_dim";
  int64_t seq = update.getDimSize(2), context = cache.getDimSize(2);
  if (!ShapedType::isDynamic(seq) && !ShapedType::isDynamic(context) &&
      seq > context)
    return emitOpError("update of ")
           << seq << " positions does not fit a cache of " << context;
  return success();
}
