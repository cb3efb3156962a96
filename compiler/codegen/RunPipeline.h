//===- RunPipeline.h - textual pass pipelines for the backends --*- C++ -*-===//
//
// Both code generation backends (CPU, CUDA) run their lowering stages as
// textual pass lists with the same debugging options, and bufferize the
// same way.
//
//===----------------------------------------------------------------------===//
#ifndef AUTOGLM_COMPILER_CODEGEN_RUNPIPELINE_H
#define AUTOGLM_COMPILER_CODEGEN_RUNPIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <string>

namespace mlir::autoglm {

/// Bufferization of the outlined kernels, shared by the backends:
/// destination-passing kernels whose results are written to out-params.
inline constexpr const char *kBufferizePipeline =
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},canonicalize,"
    "buffer-results-to-out-params{hoist-static-allocs "
    "modify-public-functions},canonicalize,cse";

/// Runs `pipeline` (a pass list without the builtin.module() wrapper: the
/// manager is anchored on the module) on `module`, printing the IR after
/// each pass, timing, and calling `instrument` on the manager as asked.
inline LogicalResult
runTextualPipeline(ModuleOp module, StringRef pipeline, bool printIRAfterAll,
                   bool timing,
                   const std::function<void(PassManager &)> &instrument) {
  PassManager pm(module.getContext());
  if (printIRAfterAll) {
    module.getContext()->disableMultithreading();
    pm.enableIRPrinting();
  }
  if (timing)
    pm.enableTiming();
  if (instrument)
    instrument(pm);
  std::string errors;
  llvm::raw_string_ostream os(errors);
  if (failed(parsePassPipeline(pipeline, pm, os)))
    return module.emitError("internal error: bad pipeline: ") << errors;
  return pm.run(module);
}

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_RUNPIPELINE_H
