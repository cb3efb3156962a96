//===- autoglm-opt.cpp - mlir-opt for the ag dialect and its passes -------===//
//
// Drives lit tests: registers the ag dialect, AutoGLM's passes and pipelines,
// and the upstream dialects, extensions and passes that codegen uses. Pass
// plug-ins load before the command line is parsed (their passes then work
// as flags too), and --mlir-pass-statistics prints AutoGLM's counters, which
// the release libMLIR would drop (passes/PassStatistics.h).
//
//===----------------------------------------------------------------------===//

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"
#include "passes/PassPlugins.h"
#include "passes/PassStatistics.h"
#include "passes/Passes.h"
#include "passes/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  DialectRegistry registry;
  registry.insert<autoglm::AutoGLMDialect>();
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllPasses();
  autoglm::registerAutoGLMPasses();
  autoglm::registerAutoGLMPipelines();

  autoglm::OptToolArguments tool = autoglm::extractOptToolArguments(argc, argv);
  if (!tool.error.empty()) {
    llvm::errs() << "autoglm-opt: error: " << tool.error << "\n";
    return 1;
  }
  for (const std::string &plugin : tool.passPlugins)
    if (failed(autoglm::loadPassPlugin(plugin, "autoglm-opt", llvm::errs())))
      return 1;

  auto [inputFile, outputFile] = registerAndParseCLIOptions(
      static_cast<int>(tool.remaining.size()) - 1, tool.remaining.data(),
      "AutoGLM optimizer driver\n", registry);
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  if (tool.passStatistics) {
    MlirOptMainConfig parsed = config;
    PassDisplayMode mode = tool.passStatisticsDisplay;
    config.setPassPipelineSetupFn([parsed, mode](PassManager &pm) {
      if (failed(parsed.setupPassPipeline(pm)))
        return failure();
      autoglm::attachPassStatisticsReport(pm, mode);
      return success();
    });
  }
  if (config.shouldShowDialects() || config.shouldListPasses())
    return asMainReturnCode(
        MlirOptMain(llvm::outs(), nullptr, registry, config));

  std::string error;
  auto input = openInputFile(inputFile, &error);
  if (!input) {
    llvm::errs() << error << "\n";
    return 1;
  }
  auto output = openOutputFile(outputFile, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (failed(MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}
