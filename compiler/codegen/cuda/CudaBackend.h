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
// The host side is the plan: CudaDispatch records each dispatch's launches
// (grid, block, which buffer each parameter is) and temporaries, which
// writeCudaArtifact turns into the artifact's launches. GEMMs get kernels of
// their own: on tensor cores with a bf16 / f16 operand (TensorCoreMatmul.h),
// in shared-memory tiles in f32 (SimtMatmul.h). See
// docs/design/cuda-codegen.md for what is still naive.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_CODEGEN_CUDA_CUDABACKEND_H
#define AUTOGLM_COMPILER_CODEGEN_CUDA_CUDABACKEND_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/Error.h"

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

/// One kernel launch: the PTX entry, its grid and block sizes and dynamic
/// shared memory, and its parameters.
struct CudaLaunch {
  std::string kernel;
  std::array<int64_t, 3> grid = {1, 1, 1};
  std::array<int64_t, 3> block = {1, 1, 1};
  int64_t sharedBytes = 0;
  /// The gpu.launch_func operands (bare device pointers, in the order of
  /// the PTX entry's parameters): i >= 0 is the dispatch's function
  /// argument i, i < 0 its temporary -(i + 1).
  std::vector<int64_t> arguments;
};

/// The launches one dispatch (one outlined kernel function) makes, in order,
/// on one stream. Its arguments are the dispatch's bindings (operands, then
/// results); shapes are static, so launches take no sizes.
struct CudaDispatch {
  std::string name;
  std::vector<CudaLaunch> launches;
  /// Bytes of each device buffer the dispatch allocates for its own use
  /// (the executor places them in the arena, live during the dispatch).
  std::vector<int64_t> temporaryBytes;
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

/// "dispatch D: launch K grid XxYxZ block XxYxZ", the -v line of a launch.
void printCudaLaunch(llvm::raw_ostream &os, llvm::StringRef dispatch,
                     const CudaLaunch &launch);

/// The archs --gpu-arch accepts.
const std::vector<std::string> &supportedCudaArchs();

/// The PTX ISA feature (+ptxNN) used for `arch`.
std::string ptxFeatureForArch(const std::string &arch);

/// The ptxas that assembles cubins: `requested` when given ("none": no
/// ptxas, returns ""), else ptxas on PATH, else /usr/local/cuda/bin/ptxas
/// when it exists, else "".
std::string findPtxas(llvm::StringRef requested);

/// Assembles each arch's PTX of `object` with `ptxas` into a cubin (same
/// order as object.archs). A ptxas failure is an error carrying its output.
llvm::Expected<std::vector<std::string>>
assembleCubins(const CudaObject &object, llvm::StringRef ptxas);

/// Lowers every kernel of `module` to PTX. The module is modified. A kernel
/// that does not lower gives an error naming its dispatch.
FailureOr<CudaObject> compileKernelsForCuda(ModuleOp module,
                                            const CudaTarget &target);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_CUDA_CUDABACKEND_H
