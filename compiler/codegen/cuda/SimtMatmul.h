//===- SimtMatmul.h - f32 GEMMs in shared-memory tiles -----------*- C++ -*-===//
//
// Part of the CUDA target (issue 7): a GEMM of a dispatch with f32 A, B and
// C (the default precision) becomes one gpu.launch of a shape-specialized
// SIMT kernel: 64 x 64 block tiles (16 or 32 rows for small M), K tiles of
// 16 staged through shared memory (16-byte loads where rows allow), 256
// threads each accumulating a 4 x 4 (or 2 x 4, 1 x 4) micro-tile in f32
// registers, K ascending as in the loop-nest path (same products and order
// of additions; no TF32). Any M, N, K (guards and zero fill), batched, B
// laid out K x N or N x K. See docs/design/cuda-codegen.md.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_CODEGEN_CUDA_SIMTMATMUL_H
#define AUTOGLM_COMPILER_CODEGEN_CUDA_SIMTMATMUL_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace mlir::autoglm {

/// Replaces every f32 GEMM (GemmMatch.h) of the bufferized `kernel` by a
/// gpu.launch of the shared-memory tiled kernel (a zero linalg.fill of C
/// just before it folded into the accumulators). Appends one line per GEMM
/// to `report` (for -v). Loads the dialects it builds with; not to be
/// called from inside a pass.
void mapGemmsToSharedMemoryTiles(func::FuncOp kernel,
                                 std::vector<std::string> &report);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_CUDA_SIMTMATMUL_H
