//===- HostPlan.h - host plan and artifact from compiled dispatches -*- C++ -*-===//
//
// Turns the host program (dispatch formation) and the compiled kernels
// (CPU backend) into the .agm artifact: buffers for inputs, outputs,
// weights and arena-planned intermediates, dispatches with their bindings
// and workgroup counts, the entry point, metadata and the code.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_DRIVER_HOSTPLAN_H
#define AUTOGLM_COMPILER_DRIVER_HOSTPLAN_H

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

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_DRIVER_HOSTPLAN_H
