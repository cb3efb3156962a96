//===- PassPlugins.h - out-of-tree passes and tool flags --------*- C++ -*-===//
//
// Loading pass plug-ins (shared libraries exporting mlirGetPassPluginInfo)
// with a clear error instead of MLIR's "Request ignored", and the flags
// autoglm-opt handles itself before MlirOptMain parses the rest: plug-ins
// load first so their passes are ordinary flags and pipeline elements, and
// --mlir-pass-statistics reports through PassStatistics.h.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_PASSES_PASSPLUGINS_H
#define AUTOGLM_PASSES_PASSPLUGINS_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Support/LLVM.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::autoglm {

/// Loads the pass plug-in at `path` and registers its passes; on failure
/// prints `<tool>: error: ...` (missing file, not a shared library, no
/// entry point, wrong API version) to `errs`.
LogicalResult loadPassPlugin(StringRef path, StringRef tool,
                             llvm::raw_ostream &errs);

/// Parses "list" or "pipeline" (--mlir-pass-statistics-display).
std::optional<PassDisplayMode> parsePassDisplayMode(StringRef text);

/// The flags autoglm-opt takes out of argv before MlirOptMain sees them.
struct OptToolArguments {
  std::vector<std::string> passPlugins;
  bool passStatistics = false;
  PassDisplayMode passStatisticsDisplay = PassDisplayMode::Pipeline;
  /// argv without them (argv[0] first), for MlirOptMain.
  std::vector<char *> remaining;
  /// Set on a malformed flag.
  std::string error;
};

/// Takes --load-pass-plugin=<lib> (or `--load-pass-plugin <lib>`),
/// --mlir-pass-statistics and --mlir-pass-statistics-display=<mode> out of
/// `argv`; everything after a bare `--` is left alone.
OptToolArguments extractOptToolArguments(int argc, char **argv);

} // namespace mlir::autoglm

#endif // AUTOGLM_PASSES_PASSPLUGINS_H
