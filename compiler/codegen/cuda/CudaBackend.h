//===- CudaBackend.h - kernels to PTX through MLIR's NVPTX path -*- C++ -*-===//
//
// The first slice of the CUDA target (issue 7): takes the outlined kernels
// exactly as the CPU backend receives them (after dispatch formation),
// lowers them to linalg (the CPU's ag-to-linalg and kernel fusion, through
// CudaTarget::lowerToLinalg), bufferizes them with the CPU's pipeline, turns
// the linalg ops into parallel loops, maps the outermost parallel loop of
// each nest to blocks of 256 threads, outlines the GPU kernels and lowers
// them through NVVM to PTX, one module per requested arch.
//
// GEMMs get kernels of their own: on tensor cores with a bf16 / f16 operand
// (TensorCoreMatmul.h), in shared-memory tiles in f32 (SimtMatmul.h).
// Not yet: host code (the plan launches the kernels; CudaLaunch records
// what each launch needs), shared-memory reductions. Other GEMM-class ops
// (quantized matmuls, convs) are naive loop nests (one thread per output
// element, the K loop sequential); see docs/design/cuda-codegen.md.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_CODEGEN_CUDA_CUDABACKEND_H
#define AUTOGLM_COMPILER_CODEGEN_CUDA_CUDABACKEND_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlir::autoglm {

struct CudaTarget {
  /// Archs to emit PTX for (sm_80, sm_86, sm_89, sm_90), first one first.
  std::vector<std::string> archs = {"sm_80"};
  /// LLVM's optimization level for the NVPTX back end (0..3).
  int optLevel = 2;
  /// Lowers the ag kernels to linalg on tensors (the CPU backend's
  /// lowerKernelsToLinalg: ag-to-linalg and kernel fusion). Left empty, only
  /// ag-to-linalg, canonicalize and cse run.
  std::function<LogicalResult(ModuleOp)> lowerToLinalg;
  bool printIRAfterAll = false;
  bool timing = false;
  std::function<void(PassManager &)> instrument;
};

/// One kernel launch: the PTX entry and its grid and block sizes (-1 where
/// a size is only known at run time).
struct CudaLaunch {
  std::string kernel;
  std::array<int64_t, 3> grid = {1, 1, 1};
  std::array<int64_t, 3> block = {1, 1, 1};
};

/// The launches one dispatch (one outlined kernel function) makes, in order,
/// on one stream. Its arguments are the dispatch's bindings; each launch
/// takes bare device pointers (one per memref the kernel uses, in the order
/// of the PTX entry's parameters) followed by no sizes: shapes are static.
struct CudaDispatch {
  std::string name;
  std::vector<CudaLaunch> launches;
  /// The gpu.launch_func operands of each launch, as indices into the
  /// dispatch's function arguments (-1: a temporary the dispatch allocates).
  std::vector<std::vector<int64_t>> launchArguments;
  /// One line per GEMM given a kernel of its own (tensor cores,
  /// TensorCoreMatmul.h; shared-memory tiles, SimtMatmul.h), for -v.
  std::vector<std::string> gemms;
};

struct CudaObject {
  /// archs[i]'s PTX text is ptx[i]; every kernel of the model in one module.
  std::vector<std::string> archs;
  std::vector<std::string> ptx;
  std::vector<CudaDispatch> dispatches;
};

/// The archs --gpu-arch accepts.
const std::vector<std::string> &supportedCudaArchs();

/// The PTX ISA feature (+ptxNN) used for `arch`.
std::string ptxFeatureForArch(const std::string &arch);

/// Lowers every kernel of `module` to PTX. The module is modified. A kernel
/// that does not lower gives an error naming its dispatch.
FailureOr<CudaObject> compileKernelsForCuda(ModuleOp module,
                                            const CudaTarget &target);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_CUDA_CUDABACKEND_H
