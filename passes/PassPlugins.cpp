//===- PassPlugins.cpp - out-of-tree passes and tool flags ----------------===//

#include "passes/PassPlugins.h"

#include "mlir/Tools/Plugins/PassPlugin.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/FileSystem.h"

using namespace mlir;
using namespace mlir::autoglm;

LogicalResult mlir::autoglm::loadPassPlugin(StringRef path, StringRef tool,
                                            llvm::raw_ostream &errs) {
  // dlopen's message for a missing file names neither the flag nor the
  // file's absence clearly; say it first.
  if (!llvm::sys::fs::exists(path)) {
    errs << tool << ": error: cannot load pass plugin '" << path
         << "': no such file\n";
    return failure();
  }
  llvm::Expected<PassPlugin> plugin = PassPlugin::load(path.str());
  if (!plugin) {
    errs << tool << ": error: cannot load pass plugin '" << path
         << "': " << llvm::toString(plugin.takeError()) << "\n";
    return failure();
  }
  plugin->registerPassRegistryCallbacks();
  return success();
}

std::optional<PassDisplayMode>
mlir::autoglm::parsePassDisplayMode(StringRef text) {
  if (text == "list")
    return PassDisplayMode::List;
  if (text == "pipeline")
    return PassDisplayMode::Pipeline;
  return std::nullopt;
}

OptToolArguments mlir::autoglm::extractOptToolArguments(int argc,
                                                        char **argv) {
  OptToolArguments result;
  if (argc > 0)
    result.remaining.push_back(argv[0]);
  bool positionalOnly = false;
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    if (positionalOnly || !arg.starts_with("-") || arg == "-") {
      positionalOnly |= arg == "--";
      result.remaining.push_back(argv[i]);
      continue;
    }
    StringRef flag = arg.ltrim('-');
    auto [name, value] = flag.split('=');
    bool hasValue = flag.contains('=');
    if (name == "load-pass-plugin") {
      if (!hasValue) {
        if (i + 1 >= argc) {
          result.error = "--load-pass-plugin needs a library path";
          return result;
        }
        value = argv[++i];
      }
      result.passPlugins.push_back(value.str());
    } else if (name == "mlir-pass-statistics") {
      if (hasValue && value != "true" && value != "false" && value != "1" &&
          value != "0") {
        result.error = "--mlir-pass-statistics takes no value other than "
                       "true or false, got '" +
                       value.str() + "'";
        return result;
      }
      result.passStatistics = !hasValue || value == "true" || value == "1";
    } else if (name == "mlir-pass-statistics-display") {
      if (!hasValue && i + 1 < argc)
        value = argv[++i];
      std::optional<PassDisplayMode> mode = parsePassDisplayMode(value);
      if (!mode) {
        result.error = "--mlir-pass-statistics-display must be list or "
                       "pipeline, got '" +
                       value.str() + "'";
        return result;
      }
      result.passStatisticsDisplay = *mode;
    } else {
      result.remaining.push_back(argv[i]);
    }
  }
  result.remaining.push_back(nullptr);
  return result;
}
