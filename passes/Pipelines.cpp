//===- Pipelines.cpp - AutoGLM's graph optimization pipeline --------------===//
//
// -O0 runs nothing, so the imported module reaches dispatch formation as it
// was imported. -O1 evaluates what is constant, drops what reaches no
// result, and lets canonicalize and CSE clean up; -O2 (the default, and -O3,
// which only raises LLVM's level) adds fusion, and quantization and mixed
// precision when asked for.
//
//===----------------------------------------------------------------------===//

#include "passes/Pipelines.h"

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::autoglm;

LogicalResult mlir::autoglm::buildGraphPipeline(
    OpPassManager &pm, const GraphPipelineOptions &options,
    llvm::function_ref<void(const llvm::Twine &)> emitError) {
  if (options.groupSize <= 0) {
    emitError("ag-graph-pipeline: group-size must be positive, got " +
              llvm::Twine(options.groupSize.getValue()));
    return failure();
  }
  // Quantization and 16-bit weights are asked for explicitly, so they run
  // at -O0 too; -O1 and up also map ONNX's quantized forms (quantize=none).
  bool quantize = options.quantize != QuantizeMode::None;
  bool lowPrecision = options.precision != ComputePrecision::F32;
  if (options.optLevel == 0 && !quantize && !lowPrecision)
    return success();

  // All graph passes work per function: one nested pipeline, so functions
  // are optimized in parallel.
  bool onFunction = pm.getOpAnchorName() == func::FuncOp::getOperationName();
  OpPassManager &funcPm = onFunction ? pm : pm.nest<func::FuncOp>();
  if (options.optLevel > 0) {
    funcPm.addPass(createFoldConstantsPass());
    funcPm.addPass(createPruneDeadSubgraphsPass());
  }
  if (options.optLevel > 0 || quantize) {
    QuantizePassOptions quantizeOptions;
    quantizeOptions.mode = options.quantize == QuantizeMode::Int8   ? "int8"
                           : options.quantize == QuantizeMode::Int4 ? "int4"
                                                                    : "none";
    quantizeOptions.groupSize = options.groupSize;
    quantizeOptions.symmetric = options.int4Symmetric;
    funcPm.addPass(createQuantizePass(quantizeOptions));
  }
  // 16-bit matmul weights (quantized ones are dequant_matmuls by now).
  if (lowPrecision) {
    MixedPrecisionPassOptions mixed;
    mixed.precision =
        options.precision == ComputePrecision::BF16 ? "bf16" : "fp16";
    funcPm.addPass(createMixedPrecisionPass(mixed));
  }
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(createCSEPass());
  // Fusion last: it groups what the cleanups left.
  if (options.optLevel >= 2)
    funcPm.addPass(createFusePass());
  return success();
}

std::string mlir::autoglm::graphPipelineText(
    const GraphPipelineOptions &options, std::string &error) {
  OpPassManager pm(ModuleOp::getOperationName());
  if (failed(buildGraphPipeline(pm, options, [&](const llvm::Twine &message) {
        error = message.str();
      })))
    return "";
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  return text;
}

void mlir::autoglm::registerAutoGLMPipelines() {
  // registerPassPipeline rather than PassPipelineRegistration: the builder
  // can fail with a message (options this build cannot honour).
  registerPassPipeline(
      "ag-graph-pipeline",
      "The graph passes autoglm-compile runs before dispatch formation, by "
      "optimization level",
      [](OpPassManager &pm, StringRef optionsText,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        GraphPipelineOptions options;
        if (failed(options.parseFromString(optionsText)))
          return failure();
        return buildGraphPipeline(pm, options, [&](const Twine &message) {
          (void)errorHandler(message);
        });
      },
      [](function_ref<void(const detail::PassOptions &)> optionHandler) {
        optionHandler(GraphPipelineOptions());
      });
}
