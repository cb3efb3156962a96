//===- SplitReductions.h - two-stage reductions for GPU parallelism -*- C++ -*-===//
//
// The GPU mapping gives every element of a loop nest's parallel iteration
// space one thread and runs its reduction sequentially in it. A reduction
// with few outputs and a long reduction dimension (a decode GEMV: 1 x N
// outputs over K; a norm or softmax row; a reduction to a scalar) then
// occupies a few blocks of the GPU while the rest idle. This splits such a
// reduction in two linalg ops (linalg::splitReduction): r partial results
// per output, each over K / r elements, then the sum (or max, ...) of the r
// partials, so the first stage has r times the threads. The split
// dimension's place is chosen for coalescing: where the reduction dimension
// is the contiguous dimension of the largest input, consecutive threads
// take consecutive elements of it (k = t * r + j, j innermost); otherwise
// the split is the outermost parallel dimension, so consecutive threads
// keep walking the contiguous parallel dimension (a GEMV's N of a [K, N]
// weight). Contiguous reductions that BlockReductions takes (a whole block
// per output) are left to it.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_CODEGEN_CUDA_SPLITREDUCTIONS_H
#define AUTOGLM_COMPILER_CODEGEN_CUDA_SPLITREDUCTIONS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::autoglm {

/// True when loop `reductionDim` of `op` is the last (contiguous) dimension
/// of its largest input (tensor or memref, static shape).
bool reductionIsContiguous(linalg::LinalgOp op, unsigned reductionDim);

/// Collapses, in every linalg.generic of `module` (on tensors), reduction
/// loops that are adjacent in the iteration space and contiguous in every
/// operand into one (a reduction over all of a [64, 512] tensor becomes one
/// over 32768), so that the block and split reductions, which take ops
/// with one reduction loop, apply; returns how many ops were collapsed.
unsigned collapseReductionLoops(ModuleOp module);

/// Splits, in every function of `module` (linalg on tensors, static
/// shapes), each single-reduction linalg op whose parallel iteration space
/// is smaller than `targetThreads` and whose reduction has at least
/// `minReduction` elements; returns how many were split.
unsigned splitReductionsForParallelism(ModuleOp module,
                                       int64_t targetThreads = 65536,
                                       int64_t minReduction = 256);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_CUDA_SPLITREDUCTIONS_H
