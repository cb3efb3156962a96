//===- FusePass.cpp - fused dispatches -----------------------------------===//
//
// ag-fuse: groups ops into ag.fusion regions (passes/fusion/FusionGroups).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/fusion/FusionGroups.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#define DEBUG_TYPE "ag-fuse"

namespace mlir::autoglm {
#define GEN_PASS_DEF_FUSEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::autoglm

using namespace mlir;
using namespace mlir::autoglm;

namespace {

struct FusePass : mlir::autoglm::impl::FusePassBase<FusePass> {
  using FusePassBase::FusePassBase;

  void runOnOperation() override {
    if (!formGroups)
      return;
    FusionGroupCounts counts = formFusionGroups(getOperation());
    numGroups += counts.groups;
    numFusedOps += counts.fusedOps;
    numEpilogues += counts.epilogues;
  }
};

} // namespace
