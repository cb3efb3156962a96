//===- SoftmaxPatterns.cpp - decomposed softmax recognition ---------------===//
//
// e = Exp(x - ReduceMax(x, axis, keepdims)); y = e / ReduceSum(e, axis,
// keepdims) -> ag.softmax axis. The form without the max subtraction
// (Exp(x) / ReduceSum(Exp(x))) computes the same function, less stably, and
// becomes the same op. One axis only: ag.softmax normalizes along one.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/MatchUtils.h"
#include "passes/fusion/PatternRecognition.h"

#include "dialects/AutoGLM/IR/AutoGLMOps.h"

using namespace mlir;
using namespace mlir::autoglm;
using namespace mlir::autoglm::fusion;

namespace {

/// The single axis of a keep-dims reduction of `kind`, if it is one.
std::optional<int64_t> singleAxis(Value value, ReduceKind kind,
                                  ReduceOp &reduce) {
  reduce = value.getDefiningOp<ReduceOp>();
  if (!reduce || reduce.getKind() != kind || !reduce.getKeepDims() ||
      reduce.getAxes().size() != 1)
    return std::nullopt;
  return reduce.getAxes().front();
}

struct SoftmaxPattern : OpRewritePattern<DivOp> {
  SoftmaxPattern(MLIRContext *context, RecognitionCounts *counts)
      : OpRewritePattern<DivOp>(context), counts(counts) {}

  LogicalResult matchAndRewrite(DivOp root,
                                PatternRewriter &rewriter) const override {
    MatchedOps ops;
    ops.insert(root);
    auto exp = root.getLhs().getDefiningOp<ExpOp>();
    ReduceOp sum, max;
    std::optional<int64_t> axis = singleAxis(root.getRhs(), ReduceKind::sum, sum);
    if (!exp || !axis || sum.getInput() != exp.getResult())
      return rewriter.notifyMatchFailure(root, "not exp(z) / sum(exp(z))");
    ops.insert(exp);
    ops.insert(sum);
    Value input = exp.getInput();
    if (auto sub = input.getDefiningOp<SubOp>()) {
      std::optional<int64_t> maxAxis =
          singleAxis(sub.getRhs(), ReduceKind::max, max);
      if (maxAxis && *maxAxis == *axis && max.getInput() == sub.getLhs()) {
        ops.insert(sub);
        ops.insert(max);
        input = sub.getLhs();
      }
    }
    if (input.getType() != root.getType() ||
        !isa<FloatType>(root.getType().getElementType()))
      return rewriter.notifyMatchFailure(root, "shapes differ from the input");
    if (!usesStayInside(ops, root))
      return rewriter.notifyMatchFailure(
          root, "an intermediate value has another consumer");
    auto softmax = SoftmaxOp::create(rewriter, fusedLocation(ops),
                                     root.getType(), input,
                                     rewriter.getI64IntegerAttr(*axis));
    rewriter.replaceOp(root, softmax.getResult());
    if (counts)
      ++counts->softmaxes;
    return success();
  }

  RecognitionCounts *counts;
};

} // namespace

void mlir::autoglm::populateSoftmaxPatterns(RewritePatternSet &patterns,
                                            RecognitionCounts *counts) {
  patterns.add<SoftmaxPattern>(patterns.getContext(), counts);
}
