//===- ElementwiseOps.cpp - ag elementwise ops: verifiers and folds -------===//

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"
#include "dialects/AutoGLM/IR/FoldUtils.h"

#include <cstring>

#include "mlir/IR/Matchers.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace mlir::autoglm;

std::optional<std::vector<float>>
mlir::autoglm::getF32Values(ElementsAttr attr) {
  auto type = dyn_cast<ShapedType>(attr.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return std::nullopt;
  std::vector<float> values(type.getNumElements());
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    ArrayRef<char> data = resource.getData();
    if (data.size() != values.size() * sizeof(float))
      return std::nullopt;
    std::memcpy(values.data(), data.data(), data.size());
    return values;
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  size_t i = 0;
  for (float v : dense.getValues<float>())
    values[i++] = v;
  return values;
}

bool mlir::autoglm::isSplatOf(Attribute attr, double value) {
  auto dense = dyn_cast_if_present<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat())
    return false;
  Type elementType = dense.getElementType();
  if (isa<FloatType>(elementType)) {
    APFloat splat = dense.getSplatValue<APFloat>();
    bool losesInfo = false;
    splat.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    return splat.convertToDouble() == value;
  }
  if (auto intType = dyn_cast<IntegerType>(elementType)) {
    APInt splat = dense.getSplatValue<APInt>();
    if (intType.getWidth() == 1 || intType.isUnsigned())
      return value >= 0 && splat.getZExtValue() == uint64_t(value);
    return splat.getSExtValue() == int64_t(value);
  }
  return false;
}

/// Folds `op(x, identity)` to `x` when the result keeps `x`'s type (a
/// broadcast that grows `x` is not an identity).
template <typename OpTy>
static OpFoldResult foldRightIdentity(OpTy op, Attribute rhs, double identity) {
  if (op.getType() == op.getLhs().getType() && isSplatOf(rhs, identity))
    return op.getLhs();
  return {};
}

/// Like foldRightIdentity, for commutative ops whose constant may sit left.
template <typename OpTy>
static OpFoldResult foldEitherIdentity(OpTy op, Attribute lhs, Attribute rhs,
                                       double identity) {
  if (OpFoldResult folded = foldRightIdentity(op, rhs, identity))
    return folded;
  if (op.getType() == op.getRhs().getType() && isSplatOf(lhs, identity))
    return op.getRhs();
  return {};
}

// x + 0 -> x. As in TOSA this ignores that -0.0 + 0.0 is +0.0.
OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldEitherIdentity(*this, adaptor.getLhs(), adaptor.getRhs(), 0.0);
}
OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldRightIdentity(*this, adaptor.getRhs(), 0.0);
}
OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldEitherIdentity(*this, adaptor.getLhs(), adaptor.getRhs(), 1.0);
}
OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldRightIdentity(*this, adaptor.getRhs(), 1.0);
}
OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  return foldRightIdentity(*this, adaptor.getRhs(), 1.0);
}
OpFoldResult AndOp::fold(FoldAdaptor adaptor) {
  return foldEitherIdentity(*this, adaptor.getLhs(), adaptor.getRhs(), 1.0);
}
OpFoldResult OrOp::fold(FoldAdaptor adaptor) {
  return foldEitherIdentity(*this, adaptor.getLhs(), adaptor.getRhs(), 0.0);
}

//===----------------------------------------------------------------------===//
// ClampOp
//===----------------------------------------------------------------------===//

LogicalResult ClampOp::verify() {
  FloatAttr lo = getMinAttr(), hi = getMaxAttr();
  if (lo && hi && lo.getValueAsDouble() > hi.getValueAsDouble())
    return emitOpError("min ") << lo.getValueAsDouble()
                               << " is greater than max "
                               << hi.getValueAsDouble();
  return success();
}

OpFoldResult ClampOp::fold(FoldAdaptor) {
  if (!getMin() && !getMax())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// ModOp, CompareOp
//===----------------------------------------------------------------------===//

LogicalResult ModOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr, OpaqueProperties, RegionRange,
    SmallVectorImpl<Type> &inferred) {
  return inferBroadcastType(location, operands, {}, inferred);
}

LogicalResult ModOp::verify() {
  if (failed(verifySameElementTypes(*this, {getLhs(), getRhs()})))
    return failure();
  if (isa<FloatType>(getElementTypeOrSelf(getLhs().getType())) && !getFmod())
    return emitOpError("float operands need `fmod` (the sign-of-divisor form "
                       "is defined for integers only)");
  return success();
}

LogicalResult CompareOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    ValueRange operands, DictionaryAttr, OpaqueProperties, RegionRange,
    SmallVectorImpl<Type> &inferred) {
  // Operand 0 is the first tensor: the predicate is an attribute.
  return inferBroadcastType(location, operands, IntegerType::get(context, 1),
                            inferred);
}

LogicalResult CompareOp::verify() {
  return verifySameElementTypes(*this, {getLhs(), getRhs()});
}

//===----------------------------------------------------------------------===//
// SelectOp
//===----------------------------------------------------------------------===//

LogicalResult SelectOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr, OpaqueProperties, RegionRange,
    SmallVectorImpl<Type> &inferred) {
  if (operands.size() != 3)
    return emitOptionalError(location, "select takes three operands");
  return inferBroadcastType(location, operands,
                            getElementTypeOrSelf(operands[1].getType()),
                            inferred);
}

LogicalResult SelectOp::verify() {
  return verifySameElementTypes(*this, {getOnTrue(), getOnFalse()});
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  auto pick = [&](Value chosen) -> OpFoldResult {
    return chosen.getType() == getType() ? chosen : OpFoldResult();
  };
  if (getOnTrue() == getOnFalse())
    return pick(getOnTrue());
  if (isSplatOf(adaptor.getCondition(), 1.0))
    return pick(getOnTrue());
  if (isSplatOf(adaptor.getCondition(), 0.0))
    return pick(getOnFalse());
  return {};
}

//===----------------------------------------------------------------------===//
// CastOp
//===----------------------------------------------------------------------===//

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}
