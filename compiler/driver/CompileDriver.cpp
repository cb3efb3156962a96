//===- CompileDriver.cpp - the compiler behind autoglm-compile ------------===//

#include "compiler/driver/CompileDriver.h"
#include "compiler/driver/CpuBackend.h"
#include "compiler/driver/DispatchFormation.h"
#include "compiler/driver/HostPlan.h"
#include "compiler/driver/WeightLayout.h"
#include "compiler/import/onnx/OnnxImporter.h"
#include "passes/Passes.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

namespace mlir::autoglm {

/// Opens -o's file (or stdout); reports and returns null on failure.
static std::unique_ptr<llvm::ToolOutputFile>
openOutput(const CompileOptions &options, llvm::raw_ostream &errs) {
  std::string errorMessage;
  auto output = openOutputFile(options.outputPath, &errorMessage);
  if (!output)
    errs << "autoglm-compile: error: cannot write '" << options.outputPath
         << "': " << errorMessage << "\n";
  return output;
}

/// Import, dispatch formation, code generation and (for agm) the artifact.
static int compileModel(const CompileOptions &options, StringRef emit,
                        const onnx_import::ImportOptions &importOptions,
                        MLIRContext &context, llvm::raw_ostream &errs) {
  static bool passesRegistered = [] {
    registerAllPasses();
    registerAutoGLMPasses();
    return true;
  }();
  (void)passesRegistered;

  onnx_import::ImportResult result =
      onnx_import::importOnnxFile(options.inputPath, importOptions, context);
  if (!result.fatalError.empty()) {
    errs << "autoglm-compile: error: " << result.fatalError << "\n";
    return 1;
  }
  if (!result.report.ok() || !result.module) {
    result.report.print(errs);
    return 1;
  }
  ModuleOp module = *result.module;
  // Diagnostics from here on are compiler errors at the op's ONNX node.
  ScopedDiagnosticHandler diagnostics(&context, [&](Diagnostic &diag) {
    errs << options.inputPath << ": " << diag.getLocation() << ": "
         << (diag.getSeverity() == DiagnosticSeverity::Error ? "error: "
                                                             : "note: ")
         << diag.str() << "\n";
    return success();
  });
  // Graph cleanup before dispatch formation: fold what is constant, drop
  // what reaches no output, canonicalize.
  PassManager graph(&context);
  if (options.optLevel > 0) {
    graph.addNestedPass<func::FuncOp>(createFoldConstantsPass());
    graph.addNestedPass<func::FuncOp>(createPruneDeadSubgraphsPass());
  }
  // Quantized-weight matmuls (mode none: only ONNX's quantized forms).
  if (options.optLevel > 0 || options.quantize != "none") {
    QuantizePassOptions quantize;
    quantize.mode = options.quantize;
    quantize.groupSize = options.groupSize;
    quantize.symmetric = options.quantizeSymmetric;
    graph.addNestedPass<func::FuncOp>(createQuantizePass(quantize));
  }
  // 16-bit matmul weights (quantized ones are dequant_matmuls by now).
  if (options.precision != "fp32") {
    MixedPrecisionPassOptions mixed;
    mixed.precision = options.precision;
    graph.addNestedPass<func::FuncOp>(createMixedPrecisionPass(mixed));
  }
  graph.addPass(createCanonicalizerPass());
  if (failed(graph.run(module)))
    return 1;
  pretransposeMatmulWeights(module);
  FailureOr<HostProgram> program = formDispatches(module);
  if (failed(program))
    return 1;

  CpuTarget target;
  target.cpu = options.cpu;
  target.optLevel = options.optLevel;
  target.printIRAfterAll = options.printIRAfterAll;
  target.timing = options.timing;
  auto printModule = [&]() {
    auto output = openOutput(options, errs);
    if (!output)
      return 1;
    OpPrintingFlags flags;
    if (options.outputPath == "-")
      flags.elideLargeElementsAttrs(16).elideLargeResourceString(64);
    module.print(output->os(), flags);
    output->keep();
    return 0;
  };
  if (emit == "linalg") {
    if (failed(lowerKernelsToLinalg(module, target)))
      return 1;
    return printModule();
  }
  if (emit == "llvm") {
    std::vector<KernelInfo> kernels;
    if (failed(lowerKernelsToLLVMDialect(module, target, kernels)))
      return 1;
    return printModule();
  }
  target.emitAssembly = emit == "asm";
  FailureOr<CpuObject> object = compileKernelsForCpu(module, target);
  if (failed(object))
    return 1;
  if (emit == "asm") {
    auto output = openOutput(options, errs);
    if (!output)
      return 1;
    output->os() << object->assembly;
    output->keep();
    return 0;
  }
  ArtifactInfo info;
  info.sourceModelPath = options.inputPath;
  info.verbose = options.verbose;
  if (llvm::Error error = writeCpuArtifact(*program, *object, info,
                                           options.outputPath, errs)) {
    errs << "autoglm-compile: error: " << llvm::toString(std::move(error))
         << "\n";
    return 1;
  }
  return 0;
}

int runCompile(const CompileOptions &options, llvm::raw_ostream &errs) {
  if (options.quantize != "none" && options.quantize != "int8" &&
      options.quantize != "int4") {
    errs << "autoglm-compile: error: unknown --quantize value '"
         << options.quantize << "' (use none, int8 or int4)\n";
    return 2;
  }
  if (options.precision != "fp32" && options.precision != "fp16" &&
      options.precision != "bf16") {
    errs << "autoglm-compile: error: unknown --precision value '"
         << options.precision << "' (use fp32, fp16 or bf16)\n";
    return 2;
  }
  if (options.groupSize <= 0) {
    errs << "autoglm-compile: error: --group-size must be positive, got "
         << options.groupSize << "\n";
    return 2;
  }
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
  std::string emit = options.emit;
  if (emit.empty())
    emit = StringRef(options.outputPath).ends_with(".agm") ? "agm" : "ag";
  if (emit != "ag" && emit != "linalg" && emit != "llvm" && emit != "asm" &&
      emit != "agm") {
    errs << "autoglm-compile: error: --emit=" << emit
         << " is not one of ag, linalg, llvm, asm, agm\n";
    return 2;
  }
  if (options.target != "cpu") {
    errs << "autoglm-compile: error: --target=" << options.target
         << " is not available yet (supported: cpu)\n";
    return 2;
  }
  if (emit == "agm" && options.outputPath == "-") {
    errs << "autoglm-compile: error: an .agm artifact needs -o <file>\n";
    return 2;
  }
  if (emit != "ag" && (options.checkOnly || options.splitInputFile)) {
    errs << "autoglm-compile: error: --check and --split-input-file only "
            "import (--emit=ag)\n";
    return 2;
  }

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registry.insert<AutoGLMDialect>();
  MLIRContext context(registry);
  context.loadDialect<AutoGLMDialect, func::FuncDialect>();
  if (emit != "ag")
    return compileModel(options, emit, importOptions, context, errs);

  auto output = openOutput(options, errs);
  if (!output)
    return 1;
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
