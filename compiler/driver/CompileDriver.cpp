//===- CompileDriver.cpp - the compiler behind autoglm-compile ------------===//

#include "compiler/driver/CompileDriver.h"
#include "compiler/codegen/cuda/CudaBackend.h"
#include "compiler/driver/CpuBackend.h"
#include "compiler/driver/DispatchFormation.h"
#include "compiler/driver/HostPlan.h"
#include "compiler/driver/WeightLayout.h"
#include "compiler/import/glm/GlmImporter.h"
#include "compiler/import/onnx/OnnxImporter.h"
#include "passes/PassPlugins.h"
#include "passes/PassStatistics.h"
#include "passes/Passes.h"
#include "passes/Pipelines.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/SourceMgr.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
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

/// Registers every pass and pipeline a --pass-pipeline may name, once.
static void registerPassesOnce() {
  static bool registered = [] {
    registerAllPasses();
    registerAutoGLMPasses();
    registerAutoGLMPipelines();
    return true;
  }();
  (void)registered;
}

/// The graph passes before dispatch formation: --pass-pipeline when given,
/// else the -O level's pipeline (passes/Pipelines.h).
static LogicalResult buildGraphPassManager(const CompileOptions &options,
                                           PassManager &pm,
                                           llvm::raw_ostream &errs) {
  if (options.passPipeline.empty()) {
    GraphPipelineOptions pipelineOptions;
    pipelineOptions.optLevel = options.optLevel;
    pipelineOptions.quantize = options.quantize == "int8"   ? QuantizeMode::Int8
                               : options.quantize == "int4" ? QuantizeMode::Int4
                                                            : QuantizeMode::None;
    pipelineOptions.groupSize = options.groupSize;
    pipelineOptions.int4Symmetric = options.quantizeSymmetric;
    pipelineOptions.precision = options.precision == "bf16"
                                    ? ComputePrecision::BF16
                                : options.precision == "fp16"
                                    ? ComputePrecision::F16
                                    : ComputePrecision::F32;
    return buildGraphPipeline(pm, pipelineOptions, [&](const Twine &message) {
      errs << "autoglm-compile: error: " << message << "\n";
    });
  }
  std::string parseErrors;
  llvm::raw_string_ostream parseStream(parseErrors);
  FailureOr<OpPassManager> parsed =
      parsePassPipeline(options.passPipeline, parseStream);
  if (failed(parsed)) {
    errs << "autoglm-compile: error: bad --pass-pipeline '"
         << options.passPipeline << "': " << StringRef(parseErrors).trim()
         << "\n";
    return failure();
  }
  if (parsed->getOpAnchorName() != ModuleOp::getOperationName()) {
    errs << "autoglm-compile: error: --pass-pipeline must be anchored on "
            "the module, as builtin.module(...), not '"
         << parsed->getOpAnchorName() << "'\n";
    return failure();
  }
  static_cast<OpPassManager &>(pm) = std::move(*parsed);
  return success();
}

/// The GLM import options of the command line.
static glm_import::GlmImportOptions glmOptions(const CompileOptions &options) {
  glm_import::GlmImportOptions glm;
  glm.maxContext = options.maxContext;
  glm.prefillLength = options.prefillLength;
  return glm;
}

/// Imports the input: an ag module (.mlir), a GLM checkpoint (a folder or
/// its config.json) or an ONNX model. Returns null after printing the problems.
static OwningOpRef<ModuleOp>
importModel(const CompileOptions &options,
            const onnx_import::ImportOptions &importOptions,
            MLIRContext &context, llvm::raw_ostream &errs) {
  if (StringRef(options.inputPath).ends_with(".mlir")) {
    // An ag module written out earlier (--emit=ag -o x.mlir) or by hand.
    llvm::SourceMgr sourceMgr;
    SourceMgrDiagnosticHandler handler(sourceMgr, &context, errs);
    return parseSourceFile<ModuleOp>(options.inputPath, sourceMgr,
                                     ParserConfig(&context));
  }
  if (glm_import::isGlmCheckpoint(options.inputPath)) {
    auto module = glm_import::importGlmCheckpoint(
        options.inputPath, glmOptions(options), context, errs);
    return succeeded(module) ? std::move(*module) : nullptr;
  }
  onnx_import::ImportResult result =
      onnx_import::importOnnxFile(options.inputPath, importOptions, context);
  if (!result.fatalError.empty()) {
    errs << "autoglm-compile: error: " << result.fatalError << "\n";
    return nullptr;
  }
  if (!result.report.ok() || !result.module) {
    result.report.print(errs);
    return nullptr;
  }
  return std::move(result.module);
}

/// The archs of --gpu-arch (default sm_80), unchecked.
static std::vector<std::string> cudaArchs(const CompileOptions &options) {
  std::vector<std::string> archs;
  SmallVector<StringRef> parts;
  StringRef(options.gpuArchs).split(parts, ',', -1, /*KeepEmpty=*/true);
  for (StringRef part : parts)
    archs.push_back(part.trim().str());
  if (options.gpuArchs.empty())
    archs = {"sm_80"};
  return archs;
}

/// Import, dispatch formation, code generation and (for agm) the artifact.
static int compileModel(const CompileOptions &options, StringRef emit,
                        const onnx_import::ImportOptions &importOptions,
                        MLIRContext &context, llvm::raw_ostream &errs) {
  OwningOpRef<ModuleOp> imported =
      importModel(options, importOptions, context, errs);
  if (!imported)
    return 1;
  ModuleOp module = *imported;
  // Diagnostics from here on are compiler errors at the op's ONNX node.
  ScopedDiagnosticHandler diagnostics(&context, [&](Diagnostic &diag) {
    errs << options.inputPath << ": " << diag.getLocation() << ": "
         << (diag.getSeverity() == DiagnosticSeverity::Error ? "error: "
                                                             : "note: ")
         << diag.str() << "\n";
    return success();
  });
  // One statistics report for the graph and the lowering pipelines, printed
  // however the compilation ends.
  PassStatisticsCollector statistics;
  llvm::scope_exit printStatistics([&] {
    if (options.passStatistics)
      statistics.print(errs, *parsePassDisplayMode(
                                 options.passStatisticsDisplay));
  });
  PassManager graph(&context, ModuleOp::getOperationName());
  if (failed(buildGraphPassManager(options, graph, errs)))
    return 1;
  if (options.passStatistics)
    statistics.attach(graph);
  if (failed(graph.run(module)))
    return 1;
  auto printModule = [&]() {
    auto output = openOutput(options, errs);
    if (!output)
      return 1;
    OpPrintingFlags flags;
    if (options.outputPath == "-")
      flags.elideLargeElementsAttrs(16).elideLargeResourceString(64);
    if (options.printDebugInfo)
      flags.enableDebugInfo().useLocalScope();
    module.print(output->os(), flags);
    output->keep();
    return 0;
  };
  if (emit == "ag-opt")
    return printModule();
  pretransposeMatmulWeights(module);
  // An LLM's KV-cache length, for the runtime's checks.
  int64_t maxContext = 0;
  if (auto llm = module->getAttrOfType<DictionaryAttr>("ag.llm"))
    if (auto positions = llm.getAs<IntegerAttr>("max_context"))
      maxContext = positions.getInt();
  FailureOr<std::vector<HostProgram>> programs = formDispatches(module);
  if (failed(programs))
    return 1;

  CpuTarget target;
  target.cpu = options.cpu;
  target.optLevel = options.optLevel;
  target.printIRAfterAll = options.printIRAfterAll;
  target.timing = options.timing;
  if (options.passStatistics)
    target.instrument = [&](PassManager &pm) { statistics.attach(pm); };
  ArtifactInfo info;
  info.sourceModelPath = options.inputPath;
  info.verbose = options.verbose;
  info.maxContext = maxContext;
  if (options.target == "cuda" && (emit == "ptx" || emit == "agm")) {
    CudaTarget cuda;
    cuda.archs = cudaArchs(options);
    cuda.optLevel = options.optLevel;
    cuda.printIRAfterAll = options.printIRAfterAll;
    cuda.timing = options.timing;
    cuda.instrument = target.instrument;
    // The CPU's ag-to-linalg and kernel fusion, unchanged.
    cuda.lowerToLinalg = [&](ModuleOp kernels) {
      return lowerKernelsToLinalg(kernels, target);
    };
    FailureOr<CudaObject> object = compileKernelsForCuda(module, cuda);
    if (failed(object))
      return 1;
    if (options.verbose)
      for (const CudaDispatch &dispatch : object->dispatches)
        for (const std::string &gemm : dispatch.gemms)
          errs << "dispatch " << dispatch.name << ": " << gemm << "\n";
    if (emit == "ptx") {
      if (options.verbose)
        for (const CudaDispatch &dispatch : object->dispatches)
          for (const CudaLaunch &launch : dispatch.launches)
            printCudaLaunch(errs, dispatch.name, launch);
      auto output = openOutput(options, errs);
      if (!output)
        return 1;
      output->os() << object->ptx.front();
      output->keep();
      return 0;
    }
    std::vector<std::string> cubins;
    std::string ptxas = findPtxas(options.ptxas);
    if (!ptxas.empty()) {
      llvm::Expected<std::vector<std::string>> assembled =
          assembleCubins(*object, ptxas);
      if (!assembled) {
        errs << "autoglm-compile: error: "
             << llvm::toString(assembled.takeError()) << "\n";
        return 1;
      }
      cubins = std::move(*assembled);
    }
    if (options.verbose)
      errs << (ptxas.empty() ? "no ptxas: the artifact holds PTX only\n"
                             : "cubins assembled by " + ptxas + "\n");
    if (llvm::Error error = writeCudaArtifact(*programs, *object, cubins, info,
                                              options.outputPath, errs)) {
      errs << "autoglm-compile: error: " << llvm::toString(std::move(error))
           << "\n";
      return 1;
    }
    return 0;
  }
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
  if (llvm::Error error = writeCpuArtifact(*programs, *object, info,
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
  registerPassesOnce();
  for (const std::string &plugin : options.passPlugins)
    if (failed(loadPassPlugin(plugin, "autoglm-compile", errs)))
      return 1;
  if (!parsePassDisplayMode(options.passStatisticsDisplay)) {
    errs << "autoglm-compile: error: --mlir-pass-statistics-display must be "
            "list or pipeline, got '"
         << options.passStatisticsDisplay << "'\n";
    return 2;
  }
  if (options.printPipeline) {
    // The pipeline the options select, as text to copy into --pass-pipeline.
    DialectRegistry registry;
    registry.insert<AutoGLMDialect, func::FuncDialect>();
    MLIRContext context(registry);
    PassManager pm(&context, ModuleOp::getOperationName());
    if (failed(buildGraphPassManager(options, pm, errs)))
      return 1;
    pm.printAsTextualPipeline(llvm::outs());
    llvm::outs() << "\n";
    return 0;
  }
  if (options.inputPath.empty()) {
    errs << "autoglm-compile: error: no model given\n";
    return 2;
  }
  bool isGlm = glm_import::isGlmCheckpoint(options.inputPath);
  bool isMlir = StringRef(options.inputPath).ends_with(".mlir");
  if (!isGlm && options.llmOptionsGiven) {
    errs << "autoglm-compile: error: --max-context and --prefill-length "
            "apply to GLM checkpoints (a folder with config.json), not to '"
         << options.inputPath << "'\n";
    return 2;
  }
  if (isMlir && (!options.inputShapes.empty() ||
                 !options.constantInputs.empty() || options.splitInputFile)) {
    errs << "autoglm-compile: error: --input-shape, --const-input and "
            "--split-input-file apply to ONNX models, not to the ag module '"
         << options.inputPath << "'\n";
    return 2;
  }
  if (isGlm) {
    std::string error = glm_import::checkGlmImportOptions(glmOptions(options));
    if (!error.empty()) {
      errs << "autoglm-compile: error: " << error << "\n";
      return 2;
    }
    if (!options.inputShapes.empty() || !options.constantInputs.empty() ||
        options.splitInputFile) {
      errs << "autoglm-compile: error: --input-shape, --const-input and "
              "--split-input-file apply to ONNX models, not to the GLM "
              "checkpoint '"
           << options.inputPath << "'\n";
      return 2;
    }
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
  if (emit != "ag" && emit != "ag-opt" && emit != "linalg" && emit != "llvm" &&
      emit != "asm" && emit != "ptx" && emit != "agm") {
    errs << "autoglm-compile: error: --emit=" << emit
         << " is not one of ag, ag-opt, linalg, llvm, asm, ptx, agm\n";
    return 2;
  }
  if (isMlir && (emit == "ag" || options.checkOnly)) {
    errs << "autoglm-compile: error: '" << options.inputPath
         << "' is already an ag module: --emit=ag and --check import models; "
            "use --emit=ag-opt, linalg, llvm, asm or agm\n";
    return 2;
  }
  if (options.target != "cpu" && options.target != "cuda") {
    errs << "autoglm-compile: error: --target=" << options.target
         << " is not a target (supported: cpu, cuda)\n";
    return 2;
  }
  if (options.target == "cpu") {
    if (!options.ptxas.empty()) {
      errs << "autoglm-compile: error: --ptxas applies to --target=cuda\n";
      return 2;
    }
    if (emit == "ptx") {
      errs << "autoglm-compile: error: --emit=ptx needs --target=cuda\n";
      return 2;
    }
    if (!options.gpuArchs.empty()) {
      errs << "autoglm-compile: error: --gpu-arch applies to --target=cuda\n";
      return 2;
    }
  } else {
    const std::vector<std::string> &supported = supportedCudaArchs();
    for (const std::string &arch : cudaArchs(options))
      if (!llvm::is_contained(supported, arch)) {
        errs << "autoglm-compile: error: --gpu-arch: unknown or unsupported "
                "arch '"
             << arch << "' (supported: " << llvm::join(supported, ", ")
             << ")\n";
        return 2;
      }
    if (emit == "llvm" || emit == "asm") {
      errs << "autoglm-compile: error: --target=cuda --emit=" << emit
           << ": the CUDA target emits ptx or agm (llvm and asm are the "
              "CPU's)\n";
      return 2;
    }
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

  if (isGlm) {
    OwningOpRef<ModuleOp> module =
        importModel(options, importOptions, context, errs);
    if (!module)
      return 1;
    if (!options.checkOnly) {
      module->print(output->os(), flags);
      output->os() << "\n";
    }
    output->keep();
    return 0;
  }
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
