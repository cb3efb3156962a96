//===- autoglm-opt.cpp - mlir-opt for the ag dialect and its passes -------===//
//
// Drives lit tests: registers the ag dialect, AutoGLM's passes and pipelines,
// and the upstream dialects, extensions and passes that codegen uses.
//
//===----------------------------------------------------------------------===//

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::autoglm::AutoGLMDialect>();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllPasses();
  mlir::autoglm::registerAutoGLMPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "AutoGLM optimizer driver\n", registry));
}
