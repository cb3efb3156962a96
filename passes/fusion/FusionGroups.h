//===- FusionGroups.h - group ops into ag.fusion dispatches -----*- C++ -*-===//
//
// The grouping stage of ag-fuse: elementwise chains, and a matmul or conv
// with its elementwise epilogue (bias, activation, residual add), become
// ag.fusion regions that dispatch formation outlines as one kernel each.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_PASSES_FUSION_FUSIONGROUPS_H
#define AUTOGLM_PASSES_FUSION_FUSIONGROUPS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::autoglm {

/// What formFusionGroups did, for the pass statistics.
struct FusionGroupCounts {
  int64_t groups = 0;    ///< ag.fusion regions created
  int64_t fusedOps = 0;  ///< ops moved into them
  int64_t epilogues = 0; ///< matmul/conv groups with at least one epilogue op
};

/// Forms ag.fusion groups among the top-level ops of `func`. Rules (each
/// keeps one kernel = one loop nest, or one GEMM plus one nest):
///  - an elementwise op joins the group of an operand's producer when that
///    value is used by this op alone and has this op's shape (no broadcast
///    of an intermediate), merging several such groups;
///  - a matmul (2-D weight) or conv heads a group; only elementwise ops of
///    its result's shape join it (the epilogue);
///  - a reshape, transpose or slice of a value from outside the groups that
///    is used only by an elementwise op joins that op's group (it becomes a
///    view or an indexing map in the kernel, not a copy).
/// Groups of one op stay plain ops.
FusionGroupCounts formFusionGroups(func::FuncOp func);

} // namespace mlir::autoglm

#endif // AUTOGLM_PASSES_FUSION_FUSIONGROUPS_H
