//===- NormPatterns.cpp - LayerNorm and RMSNorm recognition ---------------===//
//
// LayerNorm as torch exports it below opset 17:
//   mean = ReduceMean(x); d = x - mean; var = ReduceMean(d ^ 2)
//   y = d / Sqrt(var + eps) [* scale] [+ bias]
// (d * Rsqrt(var + eps) and d * Reciprocal(Sqrt(...)) too), and RMSNorm as
// HF Llama / GLM write it:
//   y = weight * [Cast](x * Rsqrt(ReduceMean(x ^ 2) + eps))
// with the reciprocal square root in any of its exported forms. The core
// (without scale and bias) of a LayerNorm becomes ag.layer_norm first;
// following mul/add by per-channel parameters fold into it.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/MatchUtils.h"
#include "passes/fusion/PatternRecognition.h"

#include "dialects/AutoGLM/IR/AutoGLMOps.h"

using namespace mlir;
using namespace mlir::autoglm;
using namespace mlir::autoglm::fusion;

namespace {

/// `num / sqrt(mean(num^2) + eps)` (or `num * rsqrt(...)`), the mean over
/// trailing dims [axis, rank) with keep_dims.
struct RmsScaled {
  Value numerator;
  int64_t axis = 0;
  double epsilon = 0;
};

/// Matches the part after `numerator` is known: `denominatorInner` is
/// `mean(numerator^2) + eps`.
bool matchMeanSquarePlusEps(Value inner, Value numerator, RmsScaled &out,
                            MatchedOps &ops) {
  auto add = inner.getDefiningOp<AddOp>();
  if (!add)
    return false;
  Value meanSquare;
  std::optional<double> epsilon;
  if ((epsilon = getScalarConstant(add.getRhs())))
    meanSquare = add.getLhs();
  else if ((epsilon = getScalarConstant(add.getLhs())))
    meanSquare = add.getRhs();
  // The constant must not broadcast the mean to a larger shape.
  if (!epsilon || *epsilon < 0 || add.getType() != meanSquare.getType())
    return false;
  auto reduce = meanSquare.getDefiningOp<ReduceOp>();
  int64_t axis;
  if (!reduce || !isTrailingReduction(reduce, ReduceKind::mean, axis))
    return false;
  MatchedOps local;
  Value squared;
  if (!matchSquare(reduce.getInput(), squared, local) || squared != numerator)
    return false;
  ops.insert(add);
  ops.insert(reduce);
  ops.insert(local.begin(), local.end());
  out = {numerator, axis, *epsilon};
  return true;
}

/// Matches `value` as num / sqrt(mean(num^2) + eps) or num * rsqrt(...),
/// trying both operand orders of the product.
bool matchRmsScaled(Value value, RmsScaled &out, MatchedOps &ops) {
  Operation *def = value.getDefiningOp();
  if (auto div = dyn_cast_or_null<DivOp>(def)) {
    auto sqrt = div.getRhs().getDefiningOp<SqrtOp>();
    MatchedOps local;
    if (!sqrt || !matchMeanSquarePlusEps(sqrt.getInput(), div.getLhs(), out,
                                         local))
      return false;
    ops.insert(div);
    ops.insert(sqrt);
    ops.insert(local.begin(), local.end());
    return true;
  }
  auto mul = dyn_cast_or_null<MulOp>(def);
  if (!mul)
    return false;
  for (auto [numerator, factor] : {std::pair(mul.getLhs(), mul.getRhs()),
                                   std::pair(mul.getRhs(), mul.getLhs())}) {
    MatchedOps local;
    Value inner;
    if (matchRsqrt(factor, inner, local) &&
        matchMeanSquarePlusEps(inner, numerator, out, local)) {
      ops.insert(mul);
      ops.insert(local.begin(), local.end());
      return true;
    }
  }
  return false;
}

/// True if `value` is `y - mean(y)` over trailing dims from `axis`; sets
/// `input` to y and adds the two ops.
bool matchCentered(Value value, int64_t axis, Value &input, MatchedOps &ops) {
  auto sub = value.getDefiningOp<SubOp>();
  if (!sub)
    return false;
  auto mean = sub.getRhs().getDefiningOp<ReduceOp>();
  int64_t meanAxis;
  if (!mean || !isTrailingReduction(mean, ReduceKind::mean, meanAxis) ||
      meanAxis != axis || mean.getInput() != sub.getLhs())
    return false;
  input = sub.getLhs();
  ops.insert(sub);
  ops.insert(mean);
  return true;
}

/// The normalized dims [axis, rank) of `value`'s shape.
ArrayRef<int64_t> normalizedShape(Value value, int64_t axis) {
  return cast<RankedTensorType>(value.getType()).getShape().drop_front(axis);
}

/// (x - mean) / sqrt(var + eps) -> ag.layer_norm without scale and bias.
template <typename RootOp>
struct LayerNormCorePattern : OpRewritePattern<RootOp> {
  LayerNormCorePattern(MLIRContext *context, RecognitionCounts *counts)
      : OpRewritePattern<RootOp>(context, /*benefit=*/2), counts(counts) {}

  LogicalResult matchAndRewrite(RootOp root,
                                PatternRewriter &rewriter) const override {
    MatchedOps ops;
    ops.insert(root);
    RmsScaled scaled;
    Value input;
    if (!matchRmsScaled(root.getResult(), scaled, ops) ||
        !matchCentered(scaled.numerator, scaled.axis, input, ops))
      return rewriter.notifyMatchFailure(root, "not a layer norm core");
    if (input.getType() != root.getType() ||
        !isa<FloatType>(root.getType().getElementType()))
      return rewriter.notifyMatchFailure(root, "the result is not shaped "
                                               "as the normalized input");
    if (!usesStayInside(ops, root))
      return rewriter.notifyMatchFailure(
          root, "an intermediate value has another consumer");
    auto norm = LayerNormOp::create(
        rewriter, fusedLocation(ops), root.getType(), input, Value(), Value(),
        rewriter.getI64IntegerAttr(scaled.axis),
        rewriter.getF64FloatAttr(
            shortestDecimal(scaled.epsilon, root.getType().getElementType())));
    rewriter.replaceOp(root, norm.getResult());
    if (counts)
      ++counts->layerNorms;
    return success();
  }

  RecognitionCounts *counts;
};

/// layer_norm(x) * scale -> layer_norm(x) scale (when it has neither
/// parameter yet and `scale` is per-channel).
struct LayerNormScalePattern : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp root,
                                PatternRewriter &rewriter) const override {
    for (auto [normValue, scale] : {std::pair(root.getLhs(), root.getRhs()),
                                    std::pair(root.getRhs(), root.getLhs())}) {
      auto norm = normValue.getDefiningOp<LayerNormOp>();
      if (!norm || norm.getScale() || norm.getBias() || !norm->hasOneUse() ||
          root.getType() != norm.getType())
        continue;
      ArrayRef<int64_t> shape = normalizedShape(norm, norm.getAxis());
      if (!isNormParam(scale, shape, root.getType().getElementType()))
        continue;
      Location loc = FusedLoc::get(getContext(), {norm.getLoc(), root.getLoc()});
      auto fused = LayerNormOp::create(
          rewriter, loc, norm.getType(), norm.getInput(),
          asNormParam(rewriter, loc, scale, shape), Value(),
          norm.getAxisAttr(), norm.getEpsilonAttr());
      rewriter.replaceOp(root, fused.getResult());
      return success();
    }
    return rewriter.notifyMatchFailure(root, "not a layer norm times a scale");
  }
};

/// layer_norm(x) + bias -> layer_norm(x) bias (when it has no bias yet).
struct LayerNormBiasPattern : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp root,
                                PatternRewriter &rewriter) const override {
    for (auto [normValue, bias] : {std::pair(root.getLhs(), root.getRhs()),
                                   std::pair(root.getRhs(), root.getLhs())}) {
      auto norm = normValue.getDefiningOp<LayerNormOp>();
      if (!norm || norm.getBias() || !norm->hasOneUse() ||
          root.getType() != norm.getType())
        continue;
      ArrayRef<int64_t> shape = normalizedShape(norm, norm.getAxis());
      if (!isNormParam(bias, shape, root.getType().getElementType()))
        continue;
      Location loc = FusedLoc::get(getContext(), {norm.getLoc(), root.getLoc()});
      auto fused = LayerNormOp::create(
          rewriter, loc, norm.getType(), norm.getInput(), norm.getScale(),
          asNormParam(rewriter, loc, bias, shape), norm.getAxisAttr(),
          norm.getEpsilonAttr());
      rewriter.replaceOp(root, fused.getResult());
      return success();
    }
    return rewriter.notifyMatchFailure(root, "not a layer norm plus a bias");
  }
};

/// weight * [cast](x * rsqrt(mean(x^2) + eps)) -> ag.rms_norm. With the cast
/// (HF Llama: normalize in f32, cast back, then scale) the norm runs on the
/// f32 value with the weight cast to f32, and its result is cast back.
struct RmsNormPattern : OpRewritePattern<MulOp> {
  RmsNormPattern(MLIRContext *context, RecognitionCounts *counts)
      : OpRewritePattern<MulOp>(context, /*benefit=*/1), counts(counts) {}

  LogicalResult matchAndRewrite(MulOp root,
                                PatternRewriter &rewriter) const override {
    for (auto [weight, normalized] :
         {std::pair(root.getLhs(), root.getRhs()),
          std::pair(root.getRhs(), root.getLhs())}) {
      MatchedOps ops;
      ops.insert(root);
      Value core = normalized;
      auto castBack = core.getDefiningOp<CastOp>();
      if (castBack) {
        ops.insert(castBack);
        core = castBack.getInput();
      }
      RmsScaled scaled;
      if (!matchRmsScaled(core, scaled, ops))
        continue;
      Value input = scaled.numerator;
      // (y - mean(y)) * rsqrt(...) is a layer norm, not an RMS norm.
      MatchedOps ignored;
      Value centeredInput;
      if (matchCentered(input, scaled.axis, centeredInput, ignored))
        continue;
      auto coreType = cast<RankedTensorType>(core.getType());
      if (input.getType() != coreType || !isa<FloatType>(coreType.getElementType()))
        continue;
      Type element = root.getType().getElementType();
      if (castBack ? castBack.getType() != root.getType()
                   : root.getType() != coreType)
        continue;
      ArrayRef<int64_t> shape = normalizedShape(input, scaled.axis);
      if (!isNormParam(weight, shape, element))
        continue;
      if (!usesStayInside(ops, root))
        return rewriter.notifyMatchFailure(
            root, "an intermediate value has another consumer");
      Location loc = fusedLocation(ops);
      Value fusedWeight = asNormParam(rewriter, loc, weight, shape);
      if (castBack)
        fusedWeight = CastOp::create(
            rewriter, loc,
            cast<RankedTensorType>(fusedWeight.getType())
                .clone(coreType.getElementType()),
            fusedWeight);
      Value norm = RmsNormOp::create(rewriter, loc, coreType, input,
                                     fusedWeight,
                                     rewriter.getI64IntegerAttr(scaled.axis),
                                     rewriter.getF64FloatAttr(shortestDecimal(
                                         scaled.epsilon,
                                         coreType.getElementType())));
      if (castBack)
        norm = CastOp::create(rewriter, loc, root.getType(), norm);
      rewriter.replaceOp(root, norm);
      if (counts)
        ++counts->rmsNorms;
      return success();
    }
    return rewriter.notifyMatchFailure(root, "not a weighted RMS norm");
  }

  RecognitionCounts *counts;
};

} // namespace

void mlir::autoglm::populateNormPatterns(RewritePatternSet &patterns,
                                         RecognitionCounts *counts) {
  MLIRContext *context = patterns.getContext();
  patterns.add<LayerNormCorePattern<DivOp>, LayerNormCorePattern<MulOp>,
               RmsNormPattern>(context, counts);
  patterns.add<LayerNormScalePattern, LayerNormBiasPattern>(context);
}
