//===- FusePass.cpp - recognize fused patterns, form fusion groups --------===//
//
// Stage 1 rewrites the decomposed patterns exporters emit into fused ag ops
// (passes/fusion/, greedily, so that a softmax recognized first lets the
// attention around it match). Stage 2 forms fusion groups.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/fusion/FusionGroups.h"
#include "passes/fusion/PatternRecognition.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "ag-fuse"

namespace mlir::autoglm {
#define GEN_PASS_DEF_FUSEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::autoglm

using namespace mlir;
using namespace mlir::autoglm;

namespace {

struct FusePass : mlir::autoglm::impl::FusePassBase<FusePass> {
  using Base::Base;

  void runOnOperation() override;

private:
  /// Stage 1: decomposed patterns to fused ag ops.
  LogicalResult recognizePatterns();
};

LogicalResult FusePass::recognizePatterns() {
  RecognitionCounts counts;
  RewritePatternSet patterns(&getContext());
  populatePatternRecognition(patterns, &counts);
  // Not converging within the iteration limit only means some pattern may
  // be left decomposed, which is still correct.
  (void)applyPatternsGreedily(getOperation(), std::move(patterns));
  numLayerNorms += counts.layerNorms;
  numRmsNorms += counts.rmsNorms;
  numGelus += counts.gelus;
  numSilus += counts.silus;
  numSoftmaxes += counts.softmaxes;
  numAttentions += counts.attentions;
  LLVM_DEBUG(llvm::dbgs() << "ag-fuse: " << counts.layerNorms
                          << " layer norms, " << counts.rmsNorms
                          << " rms norms, " << counts.gelus << " gelus, "
                          << counts.silus << " silus, " << counts.softmaxes
                          << " softmaxes, " << counts.attentions
                          << " attentions\n");
  return success();
}

void FusePass::runOnOperation() {
  if (patterns && failed(recognizePatterns()))
    return signalPassFailure();

  // Stage 2, after recognition so that groups see the fused ops.
  if (groups) {
    FusionGroupCounts counts = formFusionGroups(getOperation());
    numGroups += counts.groups;
    numFusedOps += counts.fusedOps;
    numEpilogues += counts.epilogues;
  }
}

} // namespace
