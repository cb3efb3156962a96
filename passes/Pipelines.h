//===- Pipelines.h - AutoGLM's graph optimization pipeline ------*- C++ -*-===//
//
// The graph passes that run on the imported ag module before dispatch
// formation, by optimization level. autoglm-compile builds its pipeline
// here, and `autoglm-opt --ag-graph-pipeline=opt-level=N` runs the same one,
// so lit tests see exactly what the compiler does.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_PASSES_PIPELINES_H
#define AUTOGLM_PASSES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir::autoglm {

/// Weight-only quantization of matmul/gemm weights (issue 5, item 4).
enum class QuantizeMode { None, Int8, Int4 };
/// Precision of matmuls and convolutions (issue 5, item 5).
enum class ComputePrecision { F32, F16, BF16 };

struct GraphPipelineOptions
    : public PassPipelineOptions<GraphPipelineOptions> {
  Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("0: no graph passes; 1: fold constants, prune dead "
                     "subgraphs, canonicalize, CSE; 2 and 3: everything but "
                     "quantization"),
      llvm::cl::init(2)};
  Option<QuantizeMode> quantize{
      *this, "quantize",
      llvm::cl::desc("Weight-only quantization of matmul weights"),
      llvm::cl::init(QuantizeMode::None),
      llvm::cl::values(
          clEnumValN(QuantizeMode::None, "none", "keep float weights"),
          clEnumValN(QuantizeMode::Int8, "int8",
                     "int8, per output channel, symmetric"),
          clEnumValN(QuantizeMode::Int4, "int4",
                     "int4, group-wise (group-size)"))};
  Option<int64_t> groupSize{
      *this, "group-size",
      llvm::cl::desc("Elements per quantization group along K (int4)"),
      llvm::cl::init(128)};
  Option<bool> int4Symmetric{
      *this, "int4-symmetric",
      llvm::cl::desc("int4 without zero points (false: asymmetric, with "
                     "zero points)"),
      llvm::cl::init(true)};
  Option<ComputePrecision> precision{
      *this, "precision",
      llvm::cl::desc("Precision of matmuls and convolutions (fp32 "
                     "accumulation; norms, softmax and reductions stay fp32)"),
      llvm::cl::init(ComputePrecision::F32),
      llvm::cl::values(
          clEnumValN(ComputePrecision::F32, "fp32", "32-bit float"),
          clEnumValN(ComputePrecision::F16, "fp16", "IEEE half"),
          clEnumValN(ComputePrecision::BF16, "bf16", "bfloat16"))};
};

/// Adds the graph passes for `options` to `pm` (anchored on builtin.module,
/// or on func.func for the per-function part only). Fails, with a message
/// through `emitError`, for options this build cannot honour.
LogicalResult
buildGraphPipeline(OpPassManager &pm, const GraphPipelineOptions &options,
                   llvm::function_ref<void(const llvm::Twine &)> emitError);

/// The textual form of the graph pipeline for `options` (what
/// `autoglm-compile --print-pipeline` prints and `--pass-pipeline` accepts),
/// or an empty string with `error` set.
std::string graphPipelineText(const GraphPipelineOptions &options,
                              std::string &error);

/// Registers `ag-graph-pipeline` with MLIR's pass registry.
void registerAutoGLMPipelines();

} // namespace mlir::autoglm

#endif // AUTOGLM_PASSES_PIPELINES_H
