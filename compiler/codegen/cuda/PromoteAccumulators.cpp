//===- PromoteAccumulators.cpp - reduction accumulators in registers ------===//

#include "compiler/codegen/cuda/PromoteAccumulators.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::autoglm {

/// The buffer a view is of.
static Value bufferOf(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      break;
    value = view.getViewSource();
  }
  return value;
}

/// True when nothing in `loop` but `load` and `store` reads or writes the
/// buffer of `store`, and every op of the loop is a load, a store, or free
/// of memory effects (no calls or barriers whose effects are unknown).
static bool onlyAccessedBy(scf::ForOp loop, memref::LoadOp load,
                           memref::StoreOp store) {
  Value buffer = bufferOf(store.getMemref());
  WalkResult result = loop.getBody()->walk([&](Operation *op) {
    if (op == load || op == store)
      return WalkResult::advance();
    if (auto other = dyn_cast<memref::LoadOp>(op))
      return bufferOf(other.getMemref()) == buffer ? WalkResult::interrupt()
                                                   : WalkResult::advance();
    if (auto other = dyn_cast<memref::StoreOp>(op))
      return bufferOf(other.getMemref()) == buffer ? WalkResult::interrupt()
                                                   : WalkResult::advance();
    if (op->hasTrait<OpTrait::HasRecursiveMemoryEffects>() ||
        isMemoryEffectFree(op))
      return WalkResult::advance();
    return WalkResult::interrupt();
  });
  return !result.wasInterrupted();
}

/// A load and a store of the same loop-invariant element, both directly in
/// the loop's body, the load first.
static std::pair<memref::LoadOp, memref::StoreOp>
findAccumulator(scf::ForOp loop) {
  for (auto store : loop.getBody()->getOps<memref::StoreOp>()) {
    if (!llvm::all_of(store.getIndices(), [&](Value index) {
          return loop.isDefinedOutsideOfLoop(index);
        }) ||
        !loop.isDefinedOutsideOfLoop(store.getMemref()))
      continue;
    for (auto load : loop.getBody()->getOps<memref::LoadOp>()) {
      if (load.getMemref() != store.getMemref() ||
          load.getIndices() != store.getIndices() ||
          !load->isBeforeInBlock(store))
        continue;
      if (onlyAccessedBy(loop, load, store))
        return {load, store};
    }
  }
  return {};
}

unsigned promoteLoopAccumulators(func::FuncOp func) {
  SmallVector<scf::ForOp> loops;
  func.walk([&](scf::ForOp loop) { loops.push_back(loop); }); // post-order
  IRRewriter rewriter(func.getContext());
  unsigned promoted = 0;
  for (scf::ForOp loop : loops) {
    // One accumulator after another: each rewrite replaces the loop.
    while (true) {
      auto [load, store] = findAccumulator(loop);
      if (!load)
        break;
      rewriter.setInsertionPoint(loop);
      Value init = memref::LoadOp::create(rewriter, load.getLoc(),
                                          load.getMemref(), load.getIndices());
      Value stored = store.getValueToStore();
      FailureOr<LoopLikeOpInterface> replaced =
          loop.replaceWithAdditionalYields(
              rewriter, init, /*replaceInitOperandUsesInLoop=*/false,
              [&](OpBuilder &, Location, ArrayRef<BlockArgument>) {
                return SmallVector<Value>{stored};
              });
      if (failed(replaced))
        break;
      auto newLoop = cast<scf::ForOp>(replaced->getOperation());
      rewriter.replaceAllUsesWith(load.getResult(),
                                  newLoop.getRegionIterArgs().back());
      rewriter.setInsertionPointAfter(newLoop);
      memref::StoreOp::create(rewriter, store.getLoc(),
                              newLoop.getResults().back(), store.getMemref(),
                              store.getIndices());
      rewriter.eraseOp(store);
      rewriter.eraseOp(load);
      loop = newLoop;
      ++promoted;
    }
  }
  return promoted;
}

} // namespace mlir::autoglm
