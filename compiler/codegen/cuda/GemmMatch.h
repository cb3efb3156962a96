//===- GemmMatch.h - the GEMMs the CUDA target gives kernels of their own -*- C++ -*-===//
//
// Recognizes a GEMM on static memrefs in a bufferized kernel (and holds what
// the GEMM kernels share: their shared-memory buffers): a contraction
// (linalg.matmul, linalg.batch_matmul, or a linalg.generic with a
// multiply-add body) with at most one batch dimension and one M, N and K
// dimension, A (b?, m, k), B (b?, k, n) or (b?, n, k), C (b?, m, n). The
// kernels (TensorCoreMatmul.h, SimtMatmul.h) decide which element types
// they take.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_CODEGEN_CUDA_GEMMMATCH_H
#define AUTOGLM_COMPILER_CODEGEN_CUDA_GEMMMATCH_H

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>

namespace mlir::autoglm {

struct GemmMatch {
  linalg::LinalgOp op;
  Value a, b, c;
  Type aElem, bElem, cElem;
  bool batched = false;
  bool transposeB = false; // B is N x K
  int64_t batch = 1, m = 0, n = 0, k = 0;
  /// A zero linalg.fill of C right before the GEMM (the kernel's
  /// accumulators start at zero and the fill goes), or null: the kernel
  /// accumulates into C.
  linalg::FillOp zeroFill;

  /// "linalg.matmul 33x72x40 (MxNxK)" and the like.
  std::string describeShape() const;
};

/// The GEMM `op` computes, or nullopt.
std::optional<GemmMatch> matchGemm(linalg::LinalgOp op);

/// A private, 16-byte aligned workgroup-memory global of `type` named
/// `name` (uniqued) at the start of `module`, for a kernel to
/// memref.get_global; outlining copies it into the kernel's gpu.module.
memref::GlobalOp createSharedBuffer(ModuleOp module, StringRef name,
                                   MemRefType type);

/// The launch of a GEMM kernel, created before `gemm.op`: a grid of
/// ceil(N / bn) x ceil(M / bm) x batch blocks of `threads` threads, its body
/// the memref.get_global ops of the two shared buffers, then a terminator.
struct GemmLaunch {
  gpu::LaunchOp launch;
  Value smemA, smemB;
  /// Where the kernel body goes: before the terminator.
  Operation *terminator;
};
GemmLaunch createGemmLaunch(const GemmMatch &gemm, int64_t bm, int64_t bn,
                            int64_t threads, memref::GlobalOp aShared,
                            memref::GlobalOp bShared);

/// Whether a grid of x * y * z blocks can be launched (x < 2^31, y and z at
/// most 65535); a GEMM whose grid does not fit keeps the loop-nest path.
inline bool fitsGrid(int64_t x, int64_t y, int64_t z) {
  return x < (int64_t(1) << 31) && y <= 65535 && z <= 65535;
}

/// Whether `memref` is row-major and contiguous from its buffer's start, its
/// rows whole `bytes`-byte chunks (with 16-byte aligned buffers, every chunk
/// is then `bytes`-byte aligned).
bool hasAlignedRows(Value memref, int64_t bytes);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_CUDA_GEMMMATCH_H
