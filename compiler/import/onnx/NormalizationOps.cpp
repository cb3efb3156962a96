//===- NormalizationOps.cpp - ONNX LRN and MeanVarianceNormalization ------===//
//
// Both are decomposed into ag primitives:
//   LRN: y = x / (bias + alpha / size * sum of x^2 over a window of `size`
//        channels)^beta. The window sum divided by `size` is an ag.pool avg
//        (count_include_pad) over the channels, viewed as a spatial dim of
//        an N x 1 x C x (D1*...*Dn) tensor; so alpha * avg = alpha/size * sum.
//   MeanVarianceNormalization: y = (x - mean) / (sqrt(var) + 1e-9) over
//        `axes` (default [0, 2, 3]), with ONNX's function-body epsilon.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/HandlerUtils.h"

#include <algorithm>

namespace mlir::autoglm::onnx_import {
namespace {

/// Fails unless input 0 holds f16, bf16, f32 or f64.
LogicalResult checkFloat(NodeContext &ctx) {
  Type element = ctx.inputType(0).getElementType();
  if (isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(element))
    return success();
  std::string name;
  llvm::raw_string_ostream(name) << element;
  return ctx.unsupported("element type " + name +
                         " is not supported (expected f16, bf16, f32 or f64)");
}

template <typename OpTy>
FailureOr<Value> withScalar(NodeContext &ctx, Value x, double c) {
  return ctx.make<OpTy>(x, ctx.scalar(typeOf(x).getElementType(), c));
}

FailureOr<Value> reshape(NodeContext &ctx, Value value,
                         ArrayRef<int64_t> shape) {
  if (typeOf(value).getShape() == shape)
    return value;
  return ctx.makeTyped<ReshapeOp>(typeOf(value).clone(shape), value);
}

//===----------------------------------------------------------------------===//
// LRN
//===----------------------------------------------------------------------===//

/// The mean of `squares` (N x C x D...) over channel windows
/// [c - floor((size-1)/2), c + ceil((size-1)/2)], zeros outside counted.
FailureOr<Value> channelWindowMean(NodeContext &ctx, Value squares,
                                   int64_t size) {
  ArrayRef<int64_t> shape = typeOf(squares).getShape();
  int64_t spatial = 1;
  for (int64_t d : shape.drop_front(2))
    spatial *= d;
  FailureOr<Value> view =
      reshape(ctx, squares, {shape[0], 1, shape[1], spatial});
  if (failed(view))
    return failure();
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  SmallVector<int64_t> kernel = {size, 1}, ones = {1, 1},
                       pads = {before, 0, after, 0};
  FailureOr<Value> mean = ctx.make<PoolOp>(
      PoolKind::avg, *view, ArrayRef<int64_t>(kernel), ArrayRef<int64_t>(ones),
      ArrayRef<int64_t>(ones), ArrayRef<int64_t>(pads),
      /*ceil_mode=*/false, /*count_include_pad=*/true);
  if (failed(mean))
    return failure();
  return reshape(ctx, *mean, shape);
}

LogicalResult importLRN(NodeContext &ctx) {
  if (failed(checkFloat(ctx)))
    return failure();
  Value x = ctx.input(0);
  RankedTensorType type = typeOf(x);
  if (type.getRank() < 2 || !type.hasStaticShape())
    return ctx.unsupported("the input must be N x C x D1... with a static "
                           "shape, got rank " +
                           Twine(type.getRank()));
  if (!ctx.hasAttr("size"))
    return ctx.unsupported("the size attribute is missing");
  int64_t size = ctx.intAttr("size", 0);
  if (size <= 0)
    return ctx.unsupported("size must be positive, got " + Twine(size));
  double alpha = ctx.floatAttr("alpha", 1e-4);
  double beta = ctx.floatAttr("beta", 0.75);
  double bias = ctx.floatAttr("bias", 1.0);
  FailureOr<Value> squares = ctx.make<MulOp>(x, x);
  if (failed(squares))
    return failure();
  FailureOr<Value> mean = channelWindowMean(ctx, *squares, size);
  if (failed(mean))
    return failure();
  FailureOr<Value> scaled = withScalar<MulOp>(ctx, *mean, alpha);
  if (failed(scaled))
    return failure();
  FailureOr<Value> base = withScalar<AddOp>(ctx, *scaled, bias);
  if (failed(base))
    return failure();
  FailureOr<Value> denominator = withScalar<PowOp>(ctx, *base, beta);
  if (failed(denominator))
    return failure();
  return bind(ctx, ctx.make<DivOp>(x, *denominator));
}

//===----------------------------------------------------------------------===//
// MeanVarianceNormalization
//===----------------------------------------------------------------------===//

/// ONNX's function body adds this to the standard deviation.
constexpr double kMvnEpsilon = 1e-9;

FailureOr<Value> meanOver(NodeContext &ctx, Value x, ArrayRef<int64_t> axes) {
  return ctx.make<ReduceOp>(ReduceKind::mean, x, axes, /*keep_dims=*/true);
}

LogicalResult importMeanVarianceNormalization(NodeContext &ctx) {
  if (failed(checkFloat(ctx)))
    return failure();
  Value x = ctx.input(0);
  int64_t rank = typeOf(x).getRank();
  if (!ctx.hasAttr("axes") && rank < 4)
    return ctx.unsupported("the default axes [0, 2, 3] need rank >= 4, got "
                           "rank " +
                           Twine(rank));
  SmallVector<int64_t> axes;
  for (int64_t axis :
       ctx.intsAttr("axes").value_or(SmallVector<int64_t>{0, 2, 3})) {
    FailureOr<int64_t> normalized = ctx.normalizeAxis(axis, rank, "axis");
    if (failed(normalized))
      return failure();
    axes.push_back(*normalized);
  }
  llvm::sort(axes);
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  // var = mean((x - mean)^2): ONNX's E[x^2] - E[x]^2, without its
  // cancellation (it can go negative in floating point).
  FailureOr<Value> mean = meanOver(ctx, x, axes);
  if (failed(mean))
    return failure();
  FailureOr<Value> centered = ctx.make<SubOp>(x, *mean);
  if (failed(centered))
    return failure();
  FailureOr<Value> squares = ctx.make<MulOp>(*centered, *centered);
  if (failed(squares))
    return failure();
  FailureOr<Value> variance = meanOver(ctx, *squares, axes);
  if (failed(variance))
    return failure();
  FailureOr<Value> deviation = ctx.make<SqrtOp>(*variance);
  if (failed(deviation))
    return failure();
  FailureOr<Value> denominator =
      withScalar<AddOp>(ctx, *deviation, kMvnEpsilon);
  if (failed(denominator))
    return failure();
  return bind(ctx, ctx.make<DivOp>(*centered, *denominator));
}

} // namespace

void registerNormalizationHandlers(HandlerTable &table) {
  table["LRN"] = importLRN;
  table["MeanVarianceNormalization"] = importMeanVarianceNormalization;
}

} // namespace mlir::autoglm::onnx_import
