//===- LoweringUtils.cpp - helpers shared by the ag-to-linalg patterns ----===//

#include "compiler/codegen/cpu/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::autoglm;

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

Type mlir::autoglm::toSignless(Type type) {
  if (auto intType = dyn_cast<IntegerType>(type))
    return intType.isSignless()
               ? type
               : IntegerType::get(type.getContext(), intType.getWidth());
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return tensor.clone(toSignless(tensor.getElementType()));
  return type;
}

void mlir::autoglm::populateSignlessTypeConversion(TypeConverter &converter) {
  converter.addConversion([](Type type) { return toSignless(type); });
  auto cast = [](OpBuilder &b, Type type, ValueRange inputs,
                 Location loc) -> Value {
    if (inputs.size() != 1)
      return {};
    return UnrealizedConversionCastOp::create(b, loc, type, inputs)
        .getResult(0);
  };
  converter.addSourceMaterialization(cast);
  converter.addTargetMaterialization(cast);
}

bool mlir::autoglm::isUnsignedElement(Type type) {
  auto intType = dyn_cast<IntegerType>(getElementTypeOrSelf(type));
  return intType && (intType.isUnsigned() || intType.getWidth() == 1);
}

bool mlir::autoglm::hasStaticTensorTypes(Operation *op) {
  auto isStatic = [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && tensor.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

//===----------------------------------------------------------------------===//
// Scalars and combiners
//===----------------------------------------------------------------------===//

Value mlir::autoglm::createScalar(OpBuilder &b, Location loc, Type type,
                                  double value) {
  TypedAttr attr;
  if (isa<FloatType>(type))
    attr = b.getFloatAttr(type, value);
  else if (type.isIndex())
    attr = b.getIndexAttr(int64_t(value));
  else
    attr = b.getIntegerAttr(type, APInt(type.getIntOrFloatBitWidth(),
                                        uint64_t(int64_t(value)),
                                        /*isSigned=*/true,
                                        /*implicitTrunc=*/true));
  return arith::ConstantOp::create(b, loc, attr);
}

TypedAttr mlir::autoglm::getIdentityAttr(Combiner kind, Type type,
                                         bool isUnsigned) {
  if (auto floatType = dyn_cast<FloatType>(type)) {
    const llvm::fltSemantics &sem = floatType.getFloatSemantics();
    switch (kind) {
    case Combiner::add:
      return FloatAttr::get(type, APFloat::getZero(sem));
    case Combiner::mul:
      return FloatAttr::get(type, APFloat::getOne(sem));
    case Combiner::max:
      return FloatAttr::get(type, APFloat::getInf(sem, /*Negative=*/true));
    case Combiner::min:
      return FloatAttr::get(type, APFloat::getInf(sem, /*Negative=*/false));
    }
  }
  unsigned width = type.getIntOrFloatBitWidth();
  APInt value;
  switch (kind) {
  case Combiner::add:
    value = APInt::getZero(width);
    break;
  case Combiner::mul:
    value = APInt(width, 1);
    break;
  case Combiner::max:
    value = isUnsigned ? APInt::getMinValue(width)
                       : APInt::getSignedMinValue(width);
    break;
  case Combiner::min:
    value = isUnsigned ? APInt::getMaxValue(width)
                       : APInt::getSignedMaxValue(width);
    break;
  }
  return IntegerAttr::get(type, value);
}

Value mlir::autoglm::combine(OpBuilder &b, Location loc, Combiner kind,
                             Value lhs, Value rhs, bool isUnsigned) {
  bool isFloat = isa<FloatType>(lhs.getType());
  switch (kind) {
  case Combiner::add:
    return isFloat ? arith::AddFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::AddIOp::create(b, loc, lhs, rhs).getResult();
  case Combiner::mul:
    return isFloat ? arith::MulFOp::create(b, loc, lhs, rhs).getResult()
                   : arith::MulIOp::create(b, loc, lhs, rhs).getResult();
  case Combiner::max:
    if (isFloat)
      return arith::MaximumFOp::create(b, loc, lhs, rhs);
    return isUnsigned ? arith::MaxUIOp::create(b, loc, lhs, rhs).getResult()
                      : arith::MaxSIOp::create(b, loc, lhs, rhs).getResult();
  case Combiner::min:
    if (isFloat)
      return arith::MinimumFOp::create(b, loc, lhs, rhs);
    return isUnsigned ? arith::MinUIOp::create(b, loc, lhs, rhs).getResult()
                      : arith::MinSIOp::create(b, loc, lhs, rhs).getResult();
  }
  llvm_unreachable("unknown combiner");
}

Value mlir::autoglm::toIndex(OpBuilder &b, Location loc, Value value,
                             bool isUnsigned) {
  if (value.getType().isIndex())
    return value;
  if (isUnsigned)
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), value);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), value);
}

Value mlir::autoglm::normalizeIndex(OpBuilder &b, Location loc, Value index,
                                    int64_t dimSize) {
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value size = arith::ConstantIndexOp::create(b, loc, dimSize);
  Value negative =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, index, zero);
  Value wrapped = arith::AddIOp::create(b, loc, index, size);
  return arith::SelectOp::create(b, loc, negative, wrapped, index);
}

//===----------------------------------------------------------------------===//
// Indexing maps and linalg builders
//===----------------------------------------------------------------------===//

AffineMap mlir::autoglm::getBroadcastMap(ArrayRef<int64_t> from,
                                         ArrayRef<int64_t> to,
                                         MLIRContext *context) {
  int64_t offset = int64_t(to.size()) - int64_t(from.size());
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(from)) {
    int64_t dim = offset + int64_t(i);
    if (size == 1 && to[dim] != 1)
      exprs.push_back(getAffineConstantExpr(0, context));
    else
      exprs.push_back(getAffineDimExpr(dim, context));
  }
  return AffineMap::get(to.size(), 0, exprs, context);
}

AffineMap mlir::autoglm::getDropDimsMap(int64_t rank, ArrayRef<int64_t> dims,
                                        MLIRContext *context) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(dims, d))
      exprs.push_back(getAffineDimExpr(d, context));
  return AffineMap::get(rank, 0, exprs, context);
}

SmallVector<utils::IteratorType>
mlir::autoglm::getIterators(int64_t n, ArrayRef<int64_t> reductionDims) {
  SmallVector<utils::IteratorType> iterators(n, utils::IteratorType::parallel);
  for (int64_t d : reductionDims)
    iterators[d] = utils::IteratorType::reduction;
  return iterators;
}

Value mlir::autoglm::createEmpty(OpBuilder &b, Location loc,
                                 RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType());
}

Value mlir::autoglm::createFilled(OpBuilder &b, Location loc,
                                  RankedTensorType type, TypedAttr value) {
  Value scalar = arith::ConstantOp::create(b, loc, value);
  Value empty = createEmpty(b, loc, type);
  return linalg::FillOp::create(b, loc, scalar, empty).getResult(0);
}

/// Crops the negative parts of `low`/`high` off `input`.
static Value cropNegative(OpBuilder &b, Location loc, Value input,
                          ArrayRef<int64_t> low, ArrayRef<int64_t> high) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> offsets, sizes, strides(rank, 1);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t cropBegin = std::max<int64_t>(-low[d], 0);
    int64_t cropEnd = std::max<int64_t>(-high[d], 0);
    offsets.push_back(cropBegin);
    sizes.push_back(type.getDimSize(d) - cropBegin - cropEnd);
  }
  if (ArrayRef<int64_t>(sizes) == type.getShape())
    return input;
  MLIRContext *context = b.getContext();
  return tensor::ExtractSliceOp::create(
      b, loc, RankedTensorType::get(sizes, type.getElementType()), input,
      getAsIndexOpFoldResult(context, offsets),
      getAsIndexOpFoldResult(context, sizes),
      getAsIndexOpFoldResult(context, strides));
}

Value mlir::autoglm::createPadded(OpBuilder &b, Location loc, Value input,
                                  ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                                  Value padValue) {
  input = cropNegative(b, loc, input, low, high);
  auto positive = [](ArrayRef<int64_t> pads) {
    return llvm::map_to_vector(
        pads, [](int64_t p) { return std::max<int64_t>(p, 0); });
  };
  SmallVector<int64_t> lo = positive(low), hi = positive(high);
  auto isZero = [](int64_t p) { return p == 0; };
  if (llvm::all_of(lo, isZero) && llvm::all_of(hi, isZero))
    return input;
  auto type = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> shape;
  for (auto [size, l, h] : llvm::zip_equal(type.getShape(), lo, hi))
    shape.push_back(size + l + h);
  auto padded = RankedTensorType::get(shape, type.getElementType());
  return tensor::PadOp::create(
      b, loc, padded, input, getAsIndexOpFoldResult(b.getContext(), lo),
      getAsIndexOpFoldResult(b.getContext(), hi), padValue);
}

Value mlir::autoglm::buildElementwise(OpBuilder &b, Location loc,
                                      RankedTensorType resultType,
                                      ValueRange inputs, ScalarFn fn) {
  MLIRContext *context = b.getContext();
  ArrayRef<int64_t> shape = resultType.getShape();
  SmallVector<AffineMap> maps;
  for (Value input : inputs)
    maps.push_back(getBroadcastMap(
        cast<RankedTensorType>(input.getType()).getShape(), shape, context));
  maps.push_back(b.getMultiDimIdentityMap(shape.size()));
  Value init = createEmpty(b, loc, resultType);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{init}, maps,
      getIterators(shape.size()),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = fn(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

Value mlir::autoglm::buildReduction(OpBuilder &b, Location loc, Value input,
                                    ArrayRef<int64_t> dims, TypedAttr init,
                                    ScalarFn fn, ValueRange extraInputs,
                                    ArrayRef<AffineMap> extraMaps) {
  MLIRContext *context = b.getContext();
  auto inputType = cast<RankedTensorType>(input.getType());
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(dims, d))
      shape.push_back(inputType.getDimSize(d));
  auto resultType = RankedTensorType::get(shape, init.getType());
  Value acc = createFilled(b, loc, resultType, init);
  SmallVector<Value> inputs = {input};
  llvm::append_range(inputs, extraInputs);
  SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(rank)};
  llvm::append_range(maps, extraMaps);
  maps.push_back(getDropDimsMap(rank, dims, context));
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{resultType}, inputs, ValueRange{acc}, maps,
      getIterators(rank, dims),
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        linalg::YieldOp::create(nested, nestedLoc, fn(nested, nestedLoc, args));
      });
  return generic.getResult(0);
}

Value mlir::autoglm::createReshape(OpBuilder &b, Location loc, Value value,
                                   RankedTensorType type) {
  auto source = cast<RankedTensorType>(value.getType());
  if (source == type)
    return value;
  if (source.getRank() > type.getRank())
    if (auto reassociation = getReassociationIndicesForCollapse(
            source.getShape(), type.getShape()))
      return tensor::CollapseShapeOp::create(b, loc, type, value,
                                             *reassociation);
  if (source.getRank() < type.getRank())
    if (auto reassociation = getReassociationIndicesForCollapse(
            type.getShape(), source.getShape()))
      return tensor::ExpandShapeOp::create(b, loc, type, value, *reassociation);
  // Neither a pure collapse nor a pure expand: go through 1-D.
  auto flat =
      RankedTensorType::get({source.getNumElements()}, source.getElementType());
  return createReshape(b, loc, createReshape(b, loc, value, flat), type);
}

void mlir::autoglm::getCacheWriteWindow(
    OpBuilder &b, Location loc, Value position, RankedTensorType update,
    RankedTensorType cache, SmallVectorImpl<OpFoldResult> &offsets,
    SmallVectorImpl<OpFoldResult> &sizes,
    SmallVectorImpl<OpFoldResult> &strides) {
  Value p = toIndex(b, loc, tensor::ExtractOp::create(b, loc, position,
                                                      ValueRange{}));
  int64_t last = cache.getDimSize(2) - update.getDimSize(2);
  p = arith::MaxSIOp::create(
      b, loc,
      arith::MinSIOp::create(b, loc, p,
                             arith::ConstantIndexOp::create(b, loc, last)),
      arith::ConstantIndexOp::create(b, loc, 0));
  offsets.assign(4, b.getIndexAttr(0));
  offsets[2] = p;
  sizes.clear();
  for (int64_t size : update.getShape())
    sizes.push_back(b.getIndexAttr(size));
  strides.assign(4, b.getIndexAttr(1));
}
