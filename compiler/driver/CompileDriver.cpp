//===- CompileDriver.cpp - the compiler behind autoglm-compile ------------===//

#include "compiler/driver/CompileDriver.h"
#include "compiler/import/onnx/OnnxImporter.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

namespace mlir::autoglm {

int runCompile(const CompileOptions &options, llvm::raw_ostream &errs) {
  onnx_import::ImportOptions importOptions;
  importOptions.runChecker = options.runOnnxChecker;
  for (const std::string &spec : options.inputShapes) {
    std::string error = onnx_import::parseInputShape(spec, importOptions);
    if (!error.empty()) {
      errs << "autoglm-compile: error: " << error << "\n";
      return 2;
    }
  }
  for (const std::string &spec : options.constantInputs) {
    std::string error = onnx_import::parseConstantInput(spec, importOptions);
    if (!error.empty()) {
      errs << "autoglm-compile: error: " << error << "\n";
      return 2;
    }
  }
  if (options.emit != "ag") {
    errs << "autoglm-compile: error: --emit=" << options.emit
         << " is not available yet (supported: ag)\n";
    return 2;
  }

  MLIRContext context;
  context.loadDialect<AutoGLMDialect, func::FuncDialect>();

  std::string errorMessage;
  auto output = openOutputFile(options.outputPath, &errorMessage);
  if (!output) {
    errs << "autoglm-compile: error: cannot write '" << options.outputPath
         << "': " << errorMessage << "\n";
    return 1;
  }
  // Weights are elided only for reading on a terminal: a file written with
  // -o keeps them, so it can be compiled further.
  OpPrintingFlags flags;
  if (!options.printLargeConstants && options.outputPath == "-")
    flags.elideLargeElementsAttrs(16).elideLargeResourceString(64);
  if (options.printDebugInfo)
    flags.enableDebugInfo().useLocalScope();

  // Imports one model and prints it (or its problems); true on success.
  auto importOne = [&](onnx_import::ImportResult result) {
    if (options.checkOnly && !result.report.opTypes.empty())
      result.report.printOpTypes(errs);
    if (!result.fatalError.empty()) {
      errs << "autoglm-compile: error: " << result.fatalError << "\n";
      return false;
    }
    if (options.checkOnly || !result.report.ok() ||
        !result.report.warnings.empty())
      result.report.print(errs);
    if (!result.module || !result.report.ok())
      return false;
    if (!options.checkOnly) {
      result.module->print(output->os(), flags);
      output->os() << "\n";
    }
    return true;
  };

  bool ok = true;
  if (!options.splitInputFile) {
    ok = importOne(
        onnx_import::importOnnxFile(options.inputPath, importOptions, context));
  } else {
    auto buffer = llvm::MemoryBuffer::getFile(options.inputPath);
    if (!buffer) {
      errs << "autoglm-compile: error: " << options.inputPath
           << ": cannot read the file: " << buffer.getError().message()
           << "\n";
      return 1;
    }
    // Each chunk keeps its first line number in the name errors print.
    StringRef rest = (*buffer)->getBuffer();
    unsigned line = 1;
    bool first = true;
    while (!rest.empty()) {
      size_t split = rest.find("\n# -----");
      StringRef chunk = rest.substr(0, split);
      std::string name = options.inputPath + ":" + std::to_string(line);
      if (!first && !options.checkOnly)
        output->os() << "// -----\n";
      first = false;
      ok &= importOne(
          onnx_import::importOnnxText(chunk, name, importOptions, context));
      if (split == StringRef::npos)
        break;
      line += chunk.count('\n') + 1;
      rest = rest.substr(split + 1);
      size_t eol = rest.find('\n');
      line += 1;
      rest = eol == StringRef::npos ? StringRef() : rest.substr(eol + 1);
    }
  }
  output->keep();
  return ok ? 0 : 1;
}

} // namespace mlir::autoglm
