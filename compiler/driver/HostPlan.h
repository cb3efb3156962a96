//===- HostPlan.h - host plan and artifact from compiled dispatches -*- C++ -*-===//
//
// Turns the host program (dispatch formation) and the compiled kernels
// (CPU or CUDA backend) into the .agm artifact: buffers for inputs,
// outputs, weights and arena-planned intermediates, dispatches with their
// bindings and workgroup counts (CPU) or launches (CUDA), the entry points,
// metadata and the code.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_DRIVER_HOSTPLAN_H
#define AUTOGLM_COMPILER_DRIVER_HOSTPLAN_H

#include "compiler/codegen/cuda/CudaBackend.h"
#include "compiler/driver/CpuBackend.h"
#include "compiler/driver/DispatchFormation.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::autoglm {

struct ArtifactInfo {
  std::string sourceModelPath;
  /// Print arena size vs the sum of intermediates and per-dispatch lines.
  bool verbose = false;
  /// Positions an LLM's KV cache holds (0: not an LLM).
  int64_t maxContext = 0;
};

/// Writes the artifact to `path`; reports through the returned error.
/// One entry point per host program, sharing weights and persistent state.
llvm::Error writeCpuArtifact(llvm::ArrayRef<HostProgram> programs,
                             const CpuObject &object,
                             const ArtifactInfo &info, llvm::StringRef path,
                             llvm::raw_ostream &log);

/// The same for the CUDA target: each dispatch's launches, its temporaries
/// placed in the arena (live for that dispatch only), the PTX of every arch
/// and, where `cubins` has one for an arch (same order as object.archs,
/// empty where ptxas did not run), its cubin.
llvm::Error writeCudaArtifact(llvm::ArrayRef<HostProgram> programs,
                              const CudaObject &object,
                              llvm::ArrayRef<std::string> cubins,
                              const ArtifactInfo &info, llvm::StringRef path,
                              llvm::raw_ostream &log);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_DRIVER_HOSTPLAN_H
