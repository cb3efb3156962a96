//===- TensorCoreMatmul.h - GEMMs with 16-bit operands on tensor cores -*- C++ -*-===//
//
// Part of the CUDA target (issue 7): a GEMM of a dispatch whose B operand
// is bf16 or fp16 (what `--precision=bf16|fp16` makes of a matmul with a
// constant weight; A is f32 or the same 16-bit type, C is f32 or B's type) becomes one
// gpu.launch of a shape-specialized tensor-core kernel, built directly with
// the gpu / nvgpu / nvvm / memref / scf builders: block tiles staged through
// shared memory (cp.async where the operand is already 16-bit, ldmatrix to
// registers), warp tiles of mma.sync m16n8k16 with f32 accumulators, and a
// guarded epilogue that stores the f32 result. Any M, N, K (guards and zero
// fill), linalg.matmul and linalg.batch_matmul, B laid out K x N or N x K.
// See docs/design/cuda-codegen.md, "GEMM on tensor cores".
//
// It runs on the bufferized kernel, before the linalg ops become loops; the
// launch it creates then goes through the backend's outlining and NVVM
// lowering like the loop-nest launches (which need convert-nvgpu-to-nvvm).
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_CODEGEN_CUDA_TENSORCOREMATMUL_H
#define AUTOGLM_COMPILER_CODEGEN_CUDA_TENSORCOREMATMUL_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace mlir::autoglm {

/// Replaces every linalg.matmul / linalg.batch_matmul of the bufferized
/// `kernel` that the tensor-core kernel handles by a gpu.launch of it (a
/// zero linalg.fill of the result just before it is folded into the
/// accumulators' initial value). Others are left to SimtMatmul.h (f32) or
/// the loop-nest path.
/// Appends one line per rewritten GEMM to `report` (for -v). Loads the
/// dialects the kernels are built with (nvgpu, vector, LLVM, NVVM); not to
/// be called from inside a pass.
void mapGemmsToTensorCores(func::FuncOp kernel,
                           std::vector<std::string> &report);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_CUDA_TENSORCOREMATMUL_H
