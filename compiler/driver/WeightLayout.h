//===- WeightLayout.h - lay weights out for the CPU kernels ------*- C++ -*-===//

#ifndef AUTOGLM_COMPILER_DRIVER_WEIGHTLAYOUT_H
#define AUTOGLM_COMPILER_DRIVER_WEIGHTLAYOUT_H

#include "mlir/IR/BuiltinOps.h"

namespace mlir::autoglm {

/// Rewrites `ag.matmul %x, %w transpose_rhs` with a constant f32 weight into
/// a plain matmul of the transposed weight, computed once here, so the
/// kernel is a row-major GEMM the microkernel handles. Returns how many
/// weights were transposed.
int pretransposeMatmulWeights(ModuleOp module);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_DRIVER_WEIGHTLAYOUT_H
