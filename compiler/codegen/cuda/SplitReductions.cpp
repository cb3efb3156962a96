//===- SplitReductions.cpp - two-stage reductions for GPU parallelism -----===//

#include "compiler/codegen/cuda/SplitReductions.h"
#include "compiler/codegen/cuda/BlockReductions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::autoglm {

/// Partials per output at most, and elements each partial reduces at least.
static constexpr int64_t kMaxSplit = 1024;
static constexpr int64_t kMinPerPartial = 32;

/// The split factor: the largest power of two r that divides K, keeps at
/// least kMinPerPartial elements per partial and brings parallel * r up to
/// about `targetThreads`; 1 when not worth it.
static int64_t splitFactor(int64_t parallel, int64_t reduction,
                           int64_t targetThreads) {
  int64_t r = 1;
  while (r * 2 <= kMaxSplit && parallel * r * 2 <= targetThreads &&
         reduction % (r * 2) == 0 && reduction / (r * 2) >= kMinPerPartial)
    r *= 2;
  return r >= 4 ? r : 1;
}

bool reductionIsContiguous(linalg::LinalgOp op, unsigned reductionDim) {
  OpOperand *largest = nullptr;
  int64_t largestSize = -1;
  for (OpOperand *input : op.getDpsInputOperands()) {
    auto type = dyn_cast<ShapedType>(input->get().getType());
    if (!type || type.getRank() == 0 || !type.hasStaticShape())
      continue;
    if (type.getNumElements() > largestSize) {
      largest = input;
      largestSize = type.getNumElements();
    }
  }
  if (!largest)
    return false;
  AffineMap map = op.getMatchingIndexingMap(largest);
  auto last = dyn_cast<AffineDimExpr>(map.getResults().back());
  return last && last.getPosition() == reductionDim;
}

/// Reorders a generic's loops so the parallel ones come first (in their
/// order), then the reductions: the GPU mapping turns the leading parallel
/// loops into threads.
static void parallelLoopsFirst(RewriterBase &rewriter, linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic)
    return;
  SmallVector<unsigned> order;
  SmallVector<utils::IteratorType> iterators =
      generic.getIteratorTypesArray();
  for (auto [i, type] : llvm::enumerate(iterators))
    if (type == utils::IteratorType::parallel)
      order.push_back(i);
  for (auto [i, type] : llvm::enumerate(iterators))
    if (type != utils::IteratorType::parallel)
      order.push_back(i);
  bool identity = llvm::all_of(llvm::enumerate(order), [](auto entry) {
    return entry.index() == entry.value();
  });
  if (!identity)
    (void)linalg::interchangeGenericOp(rewriter, generic, order);
}

unsigned collapseReductionLoops(ModuleOp module) {
  SmallVector<linalg::GenericOp> candidates;
  module.walk([&](linalg::GenericOp op) {
    // Projected permutations only: a window's loops (pooling, h + kh) are
    // not contiguous in the input however they look to
    // areDimSequencesPreserved.
    if (op.hasPureTensorSemantics() && op.getNumReductionLoops() > 1 &&
        cast<linalg::LinalgOp>(op.getOperation())
            .hasOnlyProjectedPermutations())
      candidates.push_back(op);
  });
  IRRewriter rewriter(module.getContext());
  unsigned collapsed = 0;
  for (linalg::GenericOp op : candidates) {
    SmallVector<unsigned> reductionDims;
    op.getReductionDims(reductionDims);
    // Adjacent loops only: d1, d2, d3 collapse; d0, d2 do not.
    ReassociationIndices group;
    for (unsigned dim : reductionDims)
      group.push_back(dim);
    bool adjacent = llvm::all_of(llvm::enumerate(group), [&](auto entry) {
      return entry.value() == group.front() + entry.index();
    });
    if (!adjacent ||
        !linalg::areDimSequencesPreserved(op.getIndexingMapsArray(), {group}))
      continue;
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::CollapseResult> result =
        linalg::collapseOpIterationDims(op, {group}, rewriter);
    if (failed(result))
      continue;
    rewriter.replaceOp(op, result->results);
    ++collapsed;
  }
  return collapsed;
}

unsigned splitReductionsForParallelism(ModuleOp module, int64_t targetThreads,
                                       int64_t minReduction) {
  SmallVector<linalg::LinalgOp> candidates;
  module.walk([&](linalg::LinalgOp op) {
    if (op.hasPureTensorSemantics() && op.getNumReductionLoops() == 1 &&
        op.getNumDpsInits() == 1 && !op.hasDynamicShape() &&
        // splitReduction expands K in every map: a map with arithmetic on
        // it (int4's per-group scales, k floordiv 128) would break.
        op.hasOnlyProjectedPermutations())
      candidates.push_back(op);
  });
  IRRewriter rewriter(module.getContext());
  unsigned split = 0;
  for (linalg::LinalgOp op : candidates) {
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    SmallVector<unsigned> reductionDims;
    op.getReductionDims(reductionDims);
    unsigned reductionDim = reductionDims.front();
    int64_t reduction = ranges[reductionDim], parallel = 1;
    for (auto [i, range] : llvm::enumerate(ranges))
      if (i != reductionDim)
        parallel *= range;
    if (reduction < minReduction || parallel >= targetThreads)
      continue;
    int64_t ratio = splitFactor(parallel, reduction, targetThreads);
    if (ratio == 1)
      continue;
    bool contiguous = reductionIsContiguous(op, reductionDim);
    if (contiguous && blockReductionApplies(parallel, reduction))
      continue; // one block per output (BlockReductions.cpp)
    unsigned outputRank = op.getRank(op.getDpsInitOperand(0));
    linalg::ControlSplitReductionFn control = [&](linalg::LinalgOp) {
      // Contiguous reduction: k = t * r + j with j the innermost parallel
      // loop; otherwise j is the outermost parallel loop, each partial a
      // contiguous chunk of K.
      return linalg::SplitReductionOptions{ratio,
                                           contiguous ? outputRank : 0u,
                                           contiguous};
    };
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::SplitReductionResult> result =
        linalg::splitReduction(rewriter, op, control);
    if (failed(result))
      continue; // no recognizable combiner: left as it is
    parallelLoopsFirst(rewriter, result->splitLinalgOp);
    parallelLoopsFirst(rewriter, result->resultCombiningLinalgOp);
    ++split;
  }
  return split;
}

} // namespace mlir::autoglm
