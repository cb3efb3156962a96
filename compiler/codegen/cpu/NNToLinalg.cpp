//===- NNToLinalg.cpp - ag matmul, conv, conv_transpose, pool to linalg ---===//
//
// matmul -> linalg.matmul (leading lhs dims folded into M when rhs is 2-D;
// transpose_rhs as an indexing map) or linalg.batch_matmul (equal batch
// dims), else a linalg.generic with broadcasting batch maps. conv ->
// tensor.pad, then linalg.conv_{1,2,3}d_nc*_fc*, depthwise_conv_*_nc*_c* or
// conv_2d_ngchw_gfchw where the layout matches exactly, else a grouped
// linalg.generic. conv_transpose -> stride-dilated, padded input and a
// flipped, transposed filter fed to the same conv. pool -> tensor.pad (-inf
// for max), linalg.pooling_nc{w,hw}_{max,sum} or a generic, and for avg a
// division by the per-position count of counted elements. A bias becomes the
// broadcast initial value of the accumulator.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/AgToLinalg.h"
#include "compiler/codegen/cpu/LoweringUtils.h"
#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace mlir::autoglm;

namespace {

bool isFloat(Type type) { return isa<FloatType>(type); }

/// acc + lhs * rhs on floats or integers.
Value multiplyAccumulate(OpBuilder &b, Location loc, Value lhs, Value rhs,
                         Value acc) {
  if (isFloat(acc.getType()))
    return arith::AddFOp::create(b, loc, acc,
                                 arith::MulFOp::create(b, loc, lhs, rhs));
  return arith::AddIOp::create(b, loc, acc,
                               arith::MulIOp::create(b, loc, lhs, rhs));
}

/// The accumulator a matmul or conv starts from: `bias` broadcast through
/// `biasMap` when given, zeros otherwise.
Value buildInit(OpBuilder &b, Location loc, RankedTensorType type, Value bias,
                AffineMap biasMap) {
  if (!bias)
    return createFilled(
        b, loc, type,
        getIdentityAttr(Combiner::add, type.getElementType(), false));
  int64_t rank = type.getRank();
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{type}, bias, createEmpty(b, loc, type),
      {biasMap, b.getMultiDimIdentityMap(rank)}, getIterators(rank),
      [](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(nb, nl, args[0]);
      });
  return generic.getResult(0);
}

Attribute i64TensorAttr(OpBuilder &b, ArrayRef<int64_t> values) {
  return DenseIntElementsAttr::get(
      RankedTensorType::get({int64_t(values.size())}, b.getI64Type()), values);
}

RankedTensorType withShape(Value value, ArrayRef<int64_t> shape) {
  return cast<RankedTensorType>(value.getType()).clone(shape);
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

struct MatmulLowering : OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getTypeConverter()->convertType<RankedTensorType>(op.getType());
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    Value init =
        buildInit(rewriter, loc, type, adaptor.getBias(),
                  adaptor.getBias()
                      ? getBroadcastMap(shapeOf(adaptor.getBias()),
                                        type.getShape(), rewriter.getContext())
                      : AffineMap());
    bool transposeLhs = op.getTransposeLhs(),
         transposeRhs = op.getTransposeRhs();
    ArrayRef<int64_t> lhsShape = shapeOf(lhs), rhsShape = shapeOf(rhs);
    Value result;
    if (shapeOf(rhs).size() == 2 && !transposeLhs) {
      result =
          buildFlattenedMatmul(rewriter, loc, lhs, rhs, init, transposeRhs);
    } else if (!transposeLhs && !transposeRhs &&
               lhsShape.size() == rhsShape.size() &&
               lhsShape.drop_back(2) == rhsShape.drop_back(2)) {
      result = buildBatchMatmul(rewriter, loc, lhs, rhs, init);
    } else {
      result = buildGenericMatmul(rewriter, loc, lhs, rhs, init, transposeLhs,
                                  transposeRhs);
    }
    rewriter.replaceOp(op, result);
    return success();
  }

  /// [B..., M, K] x [K, N] (or [N, K]): the leading dims fold into M for one
  /// linalg.matmul.
  static Value buildFlattenedMatmul(OpBuilder &b, Location loc, Value lhs,
                                    Value rhs, Value init, bool transposeRhs) {
    auto initType = cast<RankedTensorType>(init.getType());
    ArrayRef<int64_t> lhsShape = shapeOf(lhs);
    int64_t rows = 1;
    for (int64_t size : lhsShape.drop_back())
      rows *= size;
    Value lhs2d =
        createReshape(b, loc, lhs, withShape(lhs, {rows, lhsShape.back()}));
    Value init2d = createReshape(
        b, loc, init, initType.clone({rows, initType.getShape().back()}));
    auto matmul =
        linalg::MatmulOp::create(b, loc, TypeRange{init2d.getType()},
                                 ValueRange{lhs2d, rhs}, ValueRange{init2d});
    if (transposeRhs) {
      MLIRContext *context = b.getContext();
      AffineExpr m = b.getAffineDimExpr(0), n = b.getAffineDimExpr(1),
                 k = b.getAffineDimExpr(2);
      auto map = [&](ArrayRef<AffineExpr> exprs) -> Attribute {
        return AffineMapAttr::get(AffineMap::get(3, 0, exprs, context));
      };
      matmul.setIndexingMapsAttr(
          b.getArrayAttr({map({m, k}), map({n, k}), map({m, n})}));
    }
    return createReshape(b, loc, matmul.getResult(0), initType);
  }

  /// Equal batch dims: folded into one for linalg.batch_matmul.
  static Value buildBatchMatmul(OpBuilder &b, Location loc, Value lhs,
                                Value rhs, Value init) {
    auto initType = cast<RankedTensorType>(init.getType());
    auto fold = [&](Value value) {
      ArrayRef<int64_t> shape = shapeOf(value);
      int64_t batch = 1;
      for (int64_t size : shape.drop_back(2))
        batch *= size;
      return createReshape(
          b, loc, value,
          withShape(value, {batch, shape[shape.size() - 2], shape.back()}));
    };
    Value init3d = fold(init);
    auto matmul = linalg::BatchMatmulOp::create(
        b, loc, TypeRange{init3d.getType()}, ValueRange{fold(lhs), fold(rhs)},
        ValueRange{init3d});
    return createReshape(b, loc, matmul.getResult(0), initType);
  }

  /// Any batch broadcasting and transposes: iteration space
  /// (batch..., m, n, k), operands read through broadcast maps.
  static Value buildGenericMatmul(OpBuilder &b, Location loc, Value lhs,
                                  Value rhs, Value init, bool transposeLhs,
                                  bool transposeRhs) {
    MLIRContext *context = b.getContext();
    auto initType = cast<RankedTensorType>(init.getType());
    int64_t rank = initType.getRank(), loops = rank + 1;
    int64_t batchRank = rank - 2;
    AffineExpr m = b.getAffineDimExpr(batchRank),
               n = b.getAffineDimExpr(batchRank + 1),
               k = b.getAffineDimExpr(batchRank + 2);
    auto operandMap = [&](Value value, AffineExpr row, AffineExpr col,
                          bool transpose) {
      ArrayRef<int64_t> shape = shapeOf(value);
      AffineMap batch = getBroadcastMap(
          shape.drop_back(2), initType.getShape().drop_back(2), context);
      SmallVector<AffineExpr> exprs(batch.getResults());
      exprs.push_back(transpose ? col : row);
      exprs.push_back(transpose ? row : col);
      return AffineMap::get(loops, 0, exprs, context);
    };
    SmallVector<AffineExpr> outExprs =
        makeExprs(rank, [&](int64_t d) { return b.getAffineDimExpr(d); });
    SmallVector<AffineMap> maps = {operandMap(lhs, m, k, transposeLhs),
                                   operandMap(rhs, k, n, transposeRhs),
                                   AffineMap::get(loops, 0, outExprs, context)};
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{initType}, ValueRange{lhs, rhs}, init, maps,
        getIterators(loops, {loops - 1}),
        [](OpBuilder &nb, Location nl, ValueRange args) {
          linalg::YieldOp::create(
              nb, nl, multiplyAccumulate(nb, nl, args[0], args[1], args[2]));
        });
    return generic.getResult(0);
  }
};

//===----------------------------------------------------------------------===//
// conv, conv_transpose
//===----------------------------------------------------------------------===//

/// A convolution after padding: stride and dilation per spatial dim, groups.
struct ConvConfig {
  ArrayRef<int64_t> strides, dilations;
  int64_t groups;
};

/// N-d grouped convolution as a generic over (n, g, f, o..., c, k...) on
/// the grouped views input N x G x C/G x D..., filter G x F/G x C/G x K...,
/// accumulator N x G x F/G x O....
Value buildGroupedConvGeneric(OpBuilder &b, Location loc, Value input,
                              Value filter, Value init, ConvConfig config) {
  MLIRContext *context = b.getContext();
  int64_t groups = config.groups;
  auto group = [&](Value value, int64_t dim) {
    SmallVector<int64_t> shape(shapeOf(value));
    shape[dim] /= groups;
    shape.insert(shape.begin() + dim, groups);
    return createReshape(b, loc, value, withShape(value, shape));
  };
  Value groupedInput = group(input, 1), groupedFilter = group(filter, 0);
  Value groupedInit = group(init, 1);
  int64_t spatial = int64_t(config.strides.size());
  int64_t loops = 4 + 2 * spatial; // n g f o... c k...
  auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
  AffineExpr n = dim(0), g = dim(1), f = dim(2), c = dim(3 + spatial);
  SmallVector<AffineExpr> inputExprs = {n, g, c}, filterExprs = {g, f, c},
                          outExprs = {n, g, f};
  for (int64_t i = 0; i < spatial; ++i) {
    AffineExpr o = dim(3 + i), k = dim(4 + spatial + i);
    inputExprs.push_back(o * config.strides[i] + k * config.dilations[i]);
    filterExprs.push_back(k);
    outExprs.push_back(o);
  }
  SmallVector<int64_t> reductions = {3 + spatial};
  for (int64_t i = 0; i < spatial; ++i)
    reductions.push_back(4 + spatial + i);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{groupedInit.getType()},
      ValueRange{groupedInput, groupedFilter}, groupedInit,
      {AffineMap::get(loops, 0, inputExprs, context),
       AffineMap::get(loops, 0, filterExprs, context),
       AffineMap::get(loops, 0, outExprs, context)},
      getIterators(loops, reductions),
      [](OpBuilder &nb, Location nl, ValueRange args) {
        linalg::YieldOp::create(
            nb, nl, multiplyAccumulate(nb, nl, args[0], args[1], args[2]));
      });
  return createReshape(b, loc, generic.getResult(0),
                       cast<RankedTensorType>(init.getType()));
}

/// Emits named conv op `OpTy` (strides/dilations attributes) on `inputs`.
template <typename OpTy>
Value createNamedConv(OpBuilder &b, Location loc, ValueRange inputs, Value init,
                      ConvConfig config) {
  auto conv = OpTy::create(b, loc, TypeRange{init.getType()}, inputs, init,
                           i64TensorAttr(b, config.strides),
                           i64TensorAttr(b, config.dilations));
  return conv->getResult(0);
}

/// Depthwise (one filter per channel) conv: filter C x 1 x K... becomes
/// C x K... for linalg.depthwise_conv_*_nc*_c*.
Value buildDepthwiseConv(OpBuilder &b, Location loc, Value input, Value filter,
                         Value init, ConvConfig config) {
  SmallVector<int64_t> shape(shapeOf(filter));
  shape.erase(shape.begin() + 1);
  Value flat = createReshape(b, loc, filter, withShape(filter, shape));
  switch (config.strides.size()) {
  case 1:
    return createNamedConv<linalg::DepthwiseConv1DNcwCwOp>(
        b, loc, {input, flat}, init, config);
  case 2:
    return createNamedConv<linalg::DepthwiseConv2DNchwChwOp>(
        b, loc, {input, flat}, init, config);
  default:
    return createNamedConv<linalg::DepthwiseConv3DNcdhwCdhwOp>(
        b, loc, {input, flat}, init, config);
  }
}

/// A padded input convolved into `init` (N x F x O...), choosing the named
/// linalg op that matches the layout exactly.
Value buildConv(OpBuilder &b, Location loc, Value input, Value filter,
                Value init, ConvConfig config) {
  int64_t spatial = int64_t(config.strides.size());
  int64_t channels = shapeOf(input)[1], filters = shapeOf(filter)[0];
  if (config.groups == 1) {
    switch (spatial) {
    case 1:
      return createNamedConv<linalg::Conv1DNcwFcwOp>(b, loc, {input, filter},
                                                     init, config);
    case 2:
      return createNamedConv<linalg::Conv2DNchwFchwOp>(b, loc, {input, filter},
                                                       init, config);
    case 3:
      return createNamedConv<linalg::Conv3DNcdhwFcdhwOp>(
          b, loc, {input, filter}, init, config);
    default:
      break;
    }
  } else if (config.groups == channels && filters == channels && spatial <= 3) {
    return buildDepthwiseConv(b, loc, input, filter, init, config);
  } else if (spatial == 2) {
    int64_t groups = config.groups;
    auto group = [&](Value value, int64_t dim) {
      SmallVector<int64_t> shape(shapeOf(value));
      shape[dim] /= groups;
      shape.insert(shape.begin() + dim, groups);
      return createReshape(b, loc, value, withShape(value, shape));
    };
    Value result = createNamedConv<linalg::Conv2DNgchwGfchwOp>(
        b, loc, {group(input, 1), group(filter, 0)}, group(init, 1), config);
    return createReshape(b, loc, result,
                         cast<RankedTensorType>(init.getType()));
  }
  return buildGroupedConvGeneric(b, loc, input, filter, init, config);
}

/// The accumulator of a conv producing `type` (N x F x O...), from the bias.
Value buildConvInit(OpBuilder &b, Location loc, RankedTensorType type,
                    Value bias) {
  AffineMap biasMap;
  if (bias)
    biasMap = AffineMap::get(type.getRank(), 0, b.getAffineDimExpr(1));
  return buildInit(b, loc, type, bias, biasMap);
}

Value zeroOf(OpBuilder &b, Location loc, Type type) {
  return arith::ConstantOp::create(b, loc,
                                   getIdentityAttr(Combiner::add, type, false));
}

struct ConvLowering : OpConversionPattern<ConvOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getTypeConverter()->convertType<RankedTensorType>(op.getType());
    int64_t spatial = type.getRank() - 2;
    ArrayRef<int64_t> pads = op.getPads();
    SmallVector<int64_t> low(2, 0), high(2, 0);
    llvm::append_range(low, pads.take_front(spatial));
    llvm::append_range(high, pads.drop_front(spatial));
    Value input = createPadded(rewriter, loc, adaptor.getInput(), low, high,
                               zeroOf(rewriter, loc, type.getElementType()));
    Value init = buildConvInit(rewriter, loc, type, adaptor.getBias());
    Value result = buildConv(
        rewriter, loc, input, adaptor.getFilter(), init,
        {op.getStrides(), op.getDilations(), int64_t(op.getGroups())});
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// conv_transpose as a conv: the input dilated by the stride (zeros between
/// elements) and padded by dilation * (K - 1) - pad (output_padding more at
/// the end; negative amounts crop), convolved with stride 1 and the filter
/// flipped spatially and transposed per group to F x C/G x K....
struct ConvTransposeLowering : OpConversionPattern<ConvTransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConvTransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getTypeConverter()->convertType<RankedTensorType>(op.getType());
    Value filter = adaptor.getFilter();
    ArrayRef<int64_t> kernel = shapeOf(filter).drop_front(2);
    int64_t spatial = type.getRank() - 2;
    ArrayRef<int64_t> strides = op.getStrides(), dilations = op.getDilations(),
                      pads = op.getPads(),
                      outputPadding = op.getOutputPadding();
    Value zero = zeroOf(rewriter, loc, type.getElementType());
    Value input = dilateInput(rewriter, loc, adaptor.getInput(), strides, zero);
    SmallVector<int64_t> low(2, 0), high(2, 0);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t span = dilations[i] * (kernel[i] - 1);
      low.push_back(span - pads[i]);
      high.push_back(span - pads[spatial + i] + outputPadding[i]);
    }
    input = createPadded(rewriter, loc, input, low, high, zero);
    Value flipped = flipFilter(rewriter, loc, filter, op.getGroups());
    SmallVector<int64_t> unitStrides(spatial, 1);
    Value init = buildConvInit(rewriter, loc, type, adaptor.getBias());
    Value result = buildConv(rewriter, loc, input, flipped, init,
                             {unitStrides, dilations, int64_t(op.getGroups())});
    rewriter.replaceOp(op, result);
    return success();
  }

  /// Zeros with `input` at every stride-th position of each spatial dim.
  static Value dilateInput(OpBuilder &b, Location loc, Value input,
                           ArrayRef<int64_t> strides, Value zero) {
    if (llvm::all_of(strides, [](int64_t s) { return s == 1; }))
      return input;
    SmallVector<int64_t> shape(shapeOf(input).take_front(2));
    SmallVector<int64_t> steps = {1, 1};
    for (auto [size, stride] :
         llvm::zip_equal(shapeOf(input).drop_front(2), strides)) {
      shape.push_back((size - 1) * stride + 1);
      steps.push_back(stride);
    }
    Value empty = createEmpty(b, loc, withShape(input, shape));
    Value zeros = linalg::FillOp::create(b, loc, zero, empty).getResult(0);
    MLIRContext *context = b.getContext();
    return tensor::InsertSliceOp::create(
        b, loc, input, zeros,
        getAsIndexOpFoldResult(context, SmallVector<int64_t>(shape.size(), 0)),
        getAsIndexOpFoldResult(context, shapeOf(input)),
        getAsIndexOpFoldResult(context, steps));
  }

  /// C x F/G x K... -> F x C/G x K..., flipped along every spatial dim:
  /// result[g*Fg + f, c, k] = filter[g*Cg + c, f, K - 1 - k].
  static Value flipFilter(OpBuilder &b, Location loc, Value filter,
                          int64_t groups) {
    MLIRContext *context = b.getContext();
    ArrayRef<int64_t> shape = shapeOf(filter);
    int64_t channelsPerGroup = shape[0] / groups, filtersPerGroup = shape[1];
    int64_t spatial = int64_t(shape.size()) - 2;
    SmallVector<int64_t> groupedShape = {groups, channelsPerGroup,
                                         filtersPerGroup};
    llvm::append_range(groupedShape, shape.drop_front(2));
    Value grouped =
        createReshape(b, loc, filter, withShape(filter, groupedShape));
    // Iteration space (g, f, c, k...) = the flipped result's.
    SmallVector<int64_t> resultShape = {groups, filtersPerGroup,
                                        channelsPerGroup};
    llvm::append_range(resultShape, shape.drop_front(2));
    int64_t loops = 3 + spatial;
    auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
    SmallVector<AffineExpr> exprs = {dim(0), dim(2), dim(1)};
    for (int64_t i = 0; i < spatial; ++i)
      exprs.push_back(getAffineConstantExpr(shape[2 + i] - 1, context) -
                      dim(3 + i));
    auto resultType = withShape(filter, resultShape);
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{resultType}, grouped, createEmpty(b, loc, resultType),
        {AffineMap::get(loops, 0, exprs, context),
         b.getMultiDimIdentityMap(loops)},
        getIterators(loops), [](OpBuilder &nb, Location nl, ValueRange args) {
          linalg::YieldOp::create(nb, nl, args[0]);
        });
    SmallVector<int64_t> flatShape = {groups * filtersPerGroup,
                                      channelsPerGroup};
    llvm::append_range(flatShape, shape.drop_front(2));
    return createReshape(b, loc, generic.getResult(0),
                         withShape(filter, flatShape));
  }
};

//===----------------------------------------------------------------------===//
// pool
//===----------------------------------------------------------------------===//

/// How many of the kernel taps of output position `o` fall in [lo, hi).
int64_t countTaps(int64_t o, int64_t kernel, int64_t stride, int64_t dilation,
                  int64_t padBegin, int64_t lo, int64_t hi) {
  int64_t count = 0;
  for (int64_t j = 0; j < kernel; ++j) {
    int64_t position = o * stride - padBegin + j * dilation;
    count += position >= lo && position < hi;
  }
  return count;
}

struct PoolLowering : OpConversionPattern<PoolOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type elementType = type.getElementType();
    ArrayRef<int64_t> inShape = shapeOf(adaptor.getInput());
    int64_t spatial = type.getRank() - 2;
    ArrayRef<int64_t> kernel = op.getKernel(), strides = op.getStrides(),
                      dilations = op.getDilations(), pads = op.getPads();
    bool isMax = op.getKind() == PoolKind::max;
    // Pad so that every window (ceil_mode ones included) lies inside.
    SmallVector<int64_t> low(2, 0), high(2, 0);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t needed = (type.getDimSize(2 + i) - 1) * strides[i] +
                       dilations[i] * (kernel[i] - 1) + 1;
      int64_t have = inShape[2 + i] + pads[i] + pads[spatial + i];
      low.push_back(pads[i]);
      high.push_back(pads[spatial + i] + std::max<int64_t>(needed - have, 0));
    }
    Combiner combiner = isMax ? Combiner::max : Combiner::add;
    TypedAttr identity = getIdentityAttr(combiner, elementType, false);
    Value padValue = arith::ConstantOp::create(rewriter, loc, identity);
    Value input =
        createPadded(rewriter, loc, adaptor.getInput(), low, high, padValue);
    Value init = createFilled(rewriter, loc, type, identity);
    Value window =
        createEmpty(rewriter, loc, RankedTensorType::get(kernel, elementType));
    Value pooled;
    if (spatial == 2 && isMax)
      pooled = createNamedConv<linalg::PoolingNchwMaxOp>(
          rewriter, loc, {input, window}, init, {strides, dilations, 1});
    else if (spatial == 2)
      pooled = createNamedConv<linalg::PoolingNchwSumOp>(
          rewriter, loc, {input, window}, init, {strides, dilations, 1});
    else if (spatial == 1 && isMax)
      pooled = createNamedConv<linalg::PoolingNcwMaxOp>(
          rewriter, loc, {input, window}, init, {strides, dilations, 1});
    else if (spatial == 1)
      pooled = createNamedConv<linalg::PoolingNcwSumOp>(
          rewriter, loc, {input, window}, init, {strides, dilations, 1});
    else
      pooled = buildPoolGeneric(rewriter, loc, input, window, init, strides,
                                dilations, combiner);
    if (!isMax)
      pooled = divideByCounts(rewriter, loc, op, pooled);
    rewriter.replaceOp(op, pooled);
    return success();
  }

  /// Pooling over (n, c, o..., k...) for spatial ranks without a named op.
  static Value buildPoolGeneric(OpBuilder &b, Location loc, Value input,
                                Value window, Value init,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> dilations,
                                Combiner combiner) {
    MLIRContext *context = b.getContext();
    int64_t spatial = int64_t(strides.size()), loops = 2 + 2 * spatial;
    auto dim = [&](int64_t d) { return getAffineDimExpr(d, context); };
    SmallVector<AffineExpr> inputExprs = {dim(0), dim(1)}, windowExprs,
                            outExprs = {dim(0), dim(1)};
    SmallVector<int64_t> reductions;
    for (int64_t i = 0; i < spatial; ++i) {
      AffineExpr o = dim(2 + i), k = dim(2 + spatial + i);
      inputExprs.push_back(o * strides[i] + k * dilations[i]);
      windowExprs.push_back(k);
      outExprs.push_back(o);
      reductions.push_back(2 + spatial + i);
    }
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{init.getType()}, ValueRange{input, window}, init,
        {AffineMap::get(loops, 0, inputExprs, context),
         AffineMap::get(loops, 0, windowExprs, context),
         AffineMap::get(loops, 0, outExprs, context)},
        getIterators(loops, reductions),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          linalg::YieldOp::create(
              nb, nl, combine(nb, nl, combiner, args[2], args[0], false));
        });
    return generic.getResult(0);
  }

  /// Average: divides each window sum by its count of counted taps (inside
  /// the input, or inside input plus pads with count_include_pad), known per
  /// spatial dim at compile time.
  static Value divideByCounts(OpBuilder &b, Location loc, PoolOp op,
                              Value sums) {
    auto type = cast<RankedTensorType>(sums.getType());
    Type elementType = type.getElementType();
    ArrayRef<int64_t> inShape = shapeOf(op.getInput());
    int64_t spatial = type.getRank() - 2;
    SmallVector<Value> inputs = {sums};
    SmallVector<AffineMap> maps = {b.getMultiDimIdentityMap(type.getRank())};
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t padBegin = op.getPads()[i], padEnd = op.getPads()[spatial + i];
      int64_t lo = op.getCountIncludePad() ? -padBegin : 0;
      int64_t hi = inShape[2 + i] + (op.getCountIncludePad() ? padEnd : 0);
      SmallVector<Attribute> counts;
      for (int64_t o = 0; o < type.getDimSize(2 + i); ++o)
        counts.push_back(b.getFloatAttr(
            elementType,
            double(countTaps(o, op.getKernel()[i], op.getStrides()[i],
                             op.getDilations()[i], padBegin, lo, hi))));
      auto countType =
          RankedTensorType::get({type.getDimSize(2 + i)}, elementType);
      inputs.push_back(arith::ConstantOp::create(
          b, loc, DenseElementsAttr::get(countType, counts)));
      maps.push_back(
          AffineMap::get(type.getRank(), 0, b.getAffineDimExpr(2 + i)));
    }
    maps.push_back(b.getMultiDimIdentityMap(type.getRank()));
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{type}, inputs, createEmpty(b, loc, type), maps,
        getIterators(type.getRank()),
        [](OpBuilder &nb, Location nl, ValueRange args) {
          Value count = args[1];
          for (Value factor : args.drop_front(2).drop_back())
            count = arith::MulFOp::create(nb, nl, count, factor);
          linalg::YieldOp::create(
              nb, nl,
              arith::DivFOp::create(nb, nl, args[0], count).getResult());
        });
    return generic.getResult(0);
  }
};

} // namespace

void mlir::autoglm::populateNNToLinalgPatterns(TypeConverter &converter,
                                               RewritePatternSet &patterns) {
  patterns
      .add<MatmulLowering, ConvLowering, ConvTransposeLowering, PoolLowering>(
          converter, patterns.getContext());
}
