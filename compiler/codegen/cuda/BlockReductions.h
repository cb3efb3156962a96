//===- BlockReductions.h - row reductions by whole thread blocks -*- C++ -*-===//
//
// A reduction along the contiguous dimension of its input (a norm's or a
// softmax's row, attention's row maxima and sums, a reduction to a scalar)
// becomes one thread block per output element: the 256 threads stride the
// row together (consecutive threads, consecutive elements: coalesced), each
// folds its elements into a register, and gpu.all_reduce combines the 256
// partial values through warp shuffles and shared memory (upstream's
// all-reduce lowering, run on the outlined kernels). Thread 0 combines the
// result with the output's initial value and stores it.
//
// Applies to linalg ops on memrefs with static shapes, one reduction loop
// (the innermost dimension of the largest input), one output, and a body
// `yield combine(f(inputs, indices), out)` whose combiner gpu.all_reduce
// knows (add, mul, min, max, and, or, xor).
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_CODEGEN_CUDA_BLOCKREDUCTIONS_H
#define AUTOGLM_COMPILER_CODEGEN_CUDA_BLOCKREDUCTIONS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::autoglm {

/// Threads per block of a block reduction.
constexpr int64_t kBlockReductionThreads = 256;

/// Whether a contiguous reduction of `reduction` elements for each of
/// `outputs` outputs is worth a block per output: long enough rows for 256
/// threads, and few enough of them (each block does one row).
inline bool blockReductionApplies(int64_t outputs, int64_t reduction) {
  return reduction >= 256 && outputs <= 65536;
}

/// Replaces each qualifying linalg reduction of `func` (bufferized) for
/// which blockReductionApplies by a gpu.launch of one block per output
/// element; returns how many were replaced.
unsigned lowerRowReductionsToBlocks(func::FuncOp func);

/// Lowers the gpu.all_reduce ops of the outlined kernels in `module` to
/// shuffles, shared memory and barriers (before convert-gpu-to-nvvm).
LogicalResult lowerAllReduces(ModuleOp module);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_CUDA_BLOCKREDUCTIONS_H
