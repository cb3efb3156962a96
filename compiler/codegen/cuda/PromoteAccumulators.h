//===- PromoteAccumulators.h - reduction accumulators in registers -*- C++ -*-===//
//
// Linalg's loops keep a reduction's accumulator in memory: every iteration
// of the reduction loop loads the output element, combines and stores it
// back. On the GPU that is a global load and store per element reduced
// (LLVM cannot keep it in a register: kernel pointers may alias). This
// rewrites each scf.for whose body loads and stores one loop-invariant
// element of a buffer nothing else in the loop touches into a loop
// carrying the value (iter_args): one load before, one store after.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_CODEGEN_CUDA_PROMOTEACCUMULATORS_H
#define AUTOGLM_COMPILER_CODEGEN_CUDA_PROMOTEACCUMULATORS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::autoglm {

/// Promotes the accumulators of the scf.for loops in `func`, innermost loops
/// first (an outer loop then sees the inner one's single load and store);
/// returns how many were promoted.
unsigned promoteLoopAccumulators(func::FuncOp func);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_CUDA_PROMOTEACCUMULATORS_H
