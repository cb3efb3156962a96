//===- PruneDeadSubgraphsPass.cpp - erase what reaches no result ----------===//
//
// Erases side-effect-free ops whose results are unused, walking each block
// backwards so that a chain ending in an unused value goes in one sweep.
// Unused constants go too (counted with their bytes); function arguments and
// ops with side effects stay.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"
#include "dialects/AutoGLM/IR/AutoGLMOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "ag-prune-dead-subgraphs"

namespace mlir::autoglm {
#define GEN_PASS_DEF_PRUNEDEADSUBGRAPHSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::autoglm

using namespace mlir;
using namespace mlir::autoglm;

namespace {

/// The bytes a constant's data takes in the artifact (splats expanded, i1 as
/// one byte per element); 0 when it is not a static-shaped tensor constant.
int64_t constantBytes(Attribute value) {
  auto elements = dyn_cast_or_null<ElementsAttr>(value);
  if (!elements)
    return 0;
  auto type = dyn_cast<RankedTensorType>(elements.getType());
  if (!type || !type.hasStaticShape())
    return 0;
  Type element = type.getElementType();
  int64_t bytes = element.isIntOrFloat()
                      ? (element.getIntOrFloatBitWidth() + 7) / 8
                      : 8; // index
  return type.getNumElements() * bytes;
}

struct PruneDeadSubgraphsPass
    : mlir::autoglm::impl::PruneDeadSubgraphsPassBase<PruneDeadSubgraphsPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  /// Erases the dead ops of `block` (and of the regions nested in its ops),
  /// last op first.
  void pruneBlock(Block &block);
};

void PruneDeadSubgraphsPass::pruneBlock(Block &block) {
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(block))) {
    // Nested regions first: their dead ops may be all that uses an outer
    // value defined earlier in this block.
    for (Region &region : op.getRegions())
      for (Block &nested : llvm::reverse(region))
        pruneBlock(nested);
    if (!isOpTriviallyDead(&op))
      continue;
    Attribute value;
    bool isConstant = matchPattern(&op, m_Constant(&value));
    if (isConstant && !pruneConstants)
      continue;
    LLVM_DEBUG(llvm::dbgs() << "pruning " << op.getName() << " at "
                            << op.getLoc() << "\n");
    if (isConstant) {
      ++numPrunedConstants;
      numPrunedConstantBytes += constantBytes(value);
    }
    ++numPrunedOps;
    op.erase();
  }
}

void PruneDeadSubgraphsPass::runOnOperation() {
  for (Block &block : llvm::reverse(getOperation().getBody()))
    pruneBlock(block);
}

} // namespace
