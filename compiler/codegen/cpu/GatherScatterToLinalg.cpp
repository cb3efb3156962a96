//===- GatherScatterToLinalg.cpp - ag gathers and scatters to linalg/scf --===//
//
// Gathers are linalg.generic ops over the result whose bodies compute the
// source coordinates (negative indices normalized at run time: index + dim
// when < 0) and read them with tensor.extract. Scatters are scf.for nests
// over the updates carrying the result tensor, one tensor.insert per update
// (combined with the element it lands on for add/mul/max/min), so later
// updates win on duplicates, as in the ONNX reference.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/AgToLinalg.h"
#include "compiler/codegen/cpu/LoweringUtils.h"
#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::autoglm;

namespace {

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// linalg.index for each dim in [from, to).
SmallVector<Value> loopIndices(OpBuilder &b, Location loc, int64_t from,
                               int64_t to) {
  SmallVector<Value> indices;
  for (int64_t d = from; d < to; ++d)
    indices.push_back(linalg::IndexOp::create(b, loc, d));
  return indices;
}

/// An index scalar read from a tensor, as a normalized `index` for a dim of
/// `dimSize` elements.
Value toSourceIndex(OpBuilder &b, Location loc, Value index, int64_t dimSize) {
  return normalizeIndex(b, loc, toIndex(b, loc, index), dimSize);
}

/// A linalg.generic over `type` with `inputs` read through `maps`, whose
/// body computes source coordinates with `coordsFn` and reads `source`.
Value buildGatherGeneric(
    OpBuilder &b, Location loc, RankedTensorType type, Value source,
    ValueRange inputs, ArrayRef<AffineMap> inputMaps,
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>
        coordsFn) {
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, inputs, createEmpty(b, loc, type), maps,
      getIterators(type.getRank()),
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        SmallVector<Value> coords = coordsFn(nb, nl, args);
        linalg::YieldOp::create(
            nb, nl,
            tensor::ExtractOp::create(nb, nl, source, coords).getResult());
      });
  return generic.getResult(0);
}

//===----------------------------------------------------------------------===//
// gathers
//===----------------------------------------------------------------------===//

/// result[pre..., idx..., post...] = input[pre..., indices[idx...], post...].
struct GatherLowering : OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getTypeConverter()->convertType<RankedTensorType>(op.getType());
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    int64_t axis = op.getAxis();
    int64_t indexRank = int64_t(shapeOf(indices).size());
    int64_t rank = type.getRank();
    int64_t dimSize = shapeOf(input)[axis];
    SmallVector<AffineExpr> exprs = makeExprs(indexRank, [&](int64_t i) {
      return rewriter.getAffineDimExpr(axis + i);
    });
    AffineMap indexMap = AffineMap::get(rank, 0, exprs, rewriter.getContext());
    Value result = buildGatherGeneric(
        rewriter, op.getLoc(), type, input, indices, indexMap,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          SmallVector<Value> coords = loopIndices(b, loc, 0, axis);
          coords.push_back(toSourceIndex(b, loc, args[0], dimSize));
          llvm::append_range(coords,
                             loopIndices(b, loc, axis + indexRank, rank));
          return coords;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// result[p] = input[p with p[axis] = indices[p]].
struct GatherElementsLowering : OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getTypeConverter()->convertType<RankedTensorType>(op.getType());
    Value input = adaptor.getInput();
    int64_t axis = op.getAxis(), rank = type.getRank();
    int64_t dimSize = shapeOf(input)[axis];
    Value result = buildGatherGeneric(
        rewriter, op.getLoc(), type, input, adaptor.getIndices(),
        rewriter.getMultiDimIdentityMap(rank),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          SmallVector<Value> coords = loopIndices(b, loc, 0, rank);
          coords[axis] = toSourceIndex(b, loc, args[0], dimSize);
          return coords;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// result[b..., i..., rest...] = input[b..., indices[b..., i..., :], rest...]
/// with the first batch_dims dims shared.
struct GatherNDLowering : OpConversionPattern<GatherNDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(GatherNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = getTypeConverter()->convertType<RankedTensorType>(op.getType());
    Value input = adaptor.getInput(), indices = adaptor.getIndices();
    ArrayRef<int64_t> inputShape = shapeOf(input);
    int64_t batchDims = op.getBatchDims();
    int64_t tupleDims = int64_t(shapeOf(indices).size()) - 1;
    int64_t depth = shapeOf(indices).back(), rank = type.getRank();
    Value result = buildGatherGeneric(
        rewriter, op.getLoc(), type, input, {}, {},
        [&](OpBuilder &b, Location loc, ValueRange) {
          SmallVector<Value> tuple = loopIndices(b, loc, 0, tupleDims);
          SmallVector<Value> coords = loopIndices(b, loc, 0, batchDims);
          for (int64_t j = 0; j < depth; ++j) {
            SmallVector<Value> at(tuple);
            at.push_back(arith::ConstantIndexOp::create(b, loc, j));
            Value index = tensor::ExtractOp::create(b, loc, indices, at);
            coords.push_back(
                toSourceIndex(b, loc, index, inputShape[batchDims + j]));
          }
          llvm::append_range(coords, loopIndices(b, loc, tupleDims, rank));
          return coords;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// scatters
//===----------------------------------------------------------------------===//

/// `update` combined with `old` per the scatter reduction.
Value combineUpdate(OpBuilder &b, Location loc, ScatterReduction reduction,
                    Value old, Value update, bool isUnsigned) {
  switch (reduction) {
  case ScatterReduction::none:
    return update;
  case ScatterReduction::add:
    return combine(b, loc, Combiner::add, old, update, isUnsigned);
  case ScatterReduction::mul:
    return combine(b, loc, Combiner::mul, old, update, isUnsigned);
  case ScatterReduction::max:
    return combine(b, loc, Combiner::max, old, update, isUnsigned);
  case ScatterReduction::min:
    return combine(b, loc, Combiner::min, old, update, isUnsigned);
  }
  llvm_unreachable("unknown scatter reduction");
}

/// Computes, from the loop indices over the updates, the data coordinates an
/// update lands on.
using ScatterCoordsFn =
    function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;

/// An scf.for nest over `updates` carrying `data`: each update is combined
/// into the element at `coordsFn(ivs)` with tensor.insert.
Value buildScatterLoops(OpBuilder &b, Location loc, Value data, Value updates,
                        ScatterReduction reduction, bool isUnsigned,
                        ScatterCoordsFn coordsFn) {
  ArrayRef<int64_t> shape = shapeOf(updates);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  SmallVector<Value> lbs(shape.size(), zero), steps(shape.size(), one), ubs;
  for (int64_t size : shape)
    ubs.push_back(arith::ConstantIndexOp::create(b, loc, size));
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lbs, ubs, steps, data,
      [&](OpBuilder &nb, Location nl, ValueRange ivs,
          ValueRange iterArgs) -> scf::ValueVector {
        Value update = tensor::ExtractOp::create(nb, nl, updates, ivs);
        SmallVector<Value> coords = coordsFn(nb, nl, ivs);
        Value element = update;
        if (reduction != ScatterReduction::none) {
          Value old = tensor::ExtractOp::create(nb, nl, iterArgs[0], coords);
          element = combineUpdate(nb, nl, reduction, old, update, isUnsigned);
        }
        return {tensor::InsertOp::create(nb, nl, element, iterArgs[0], coords)
                    .getResult()};
      });
  return nest.results.front();
}

/// data[p with p[axis] = indices[p]] (op)= updates[p] for every p.
struct ScatterElementsLowering : OpConversionPattern<ScatterElementsOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value indices = adaptor.getIndices();
    int64_t axis = op.getAxis();
    int64_t dimSize = shapeOf(adaptor.getData())[axis];
    Value result = buildScatterLoops(
        rewriter, op.getLoc(), adaptor.getData(), adaptor.getUpdates(),
        op.getReduction(), isUnsignedElement(op.getData().getType()),
        [&](OpBuilder &b, Location loc, ValueRange ivs) {
          SmallVector<Value> coords(ivs);
          Value index = tensor::ExtractOp::create(b, loc, indices, ivs);
          coords[axis] = toSourceIndex(b, loc, index, dimSize);
          return coords;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// data[indices[o..., :], inner...] (op)= updates[o..., inner...].
struct ScatterNDLowering : OpConversionPattern<ScatterNDOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ScatterNDOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value indices = adaptor.getIndices();
    ArrayRef<int64_t> dataShape = shapeOf(adaptor.getData());
    int64_t tupleDims = int64_t(shapeOf(indices).size()) - 1;
    int64_t depth = shapeOf(indices).back();
    Value result = buildScatterLoops(
        rewriter, op.getLoc(), adaptor.getData(), adaptor.getUpdates(),
        op.getReduction(), isUnsignedElement(op.getData().getType()),
        [&](OpBuilder &b, Location loc, ValueRange ivs) {
          SmallVector<Value> coords;
          for (int64_t j = 0; j < depth; ++j) {
            SmallVector<Value> at(ivs.take_front(tupleDims));
            at.push_back(arith::ConstantIndexOp::create(b, loc, j));
            Value index = tensor::ExtractOp::create(b, loc, indices, at);
            coords.push_back(toSourceIndex(b, loc, index, dataShape[j]));
          }
          llvm::append_range(coords, ivs.drop_front(tupleDims));
          return coords;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::autoglm::populateGatherScatterToLinalgPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<GatherLowering, GatherElementsLowering, GatherNDLowering,
               ScatterElementsLowering, ScatterNDLowering>(
      converter, patterns.getContext());
}
