//===- CompileDriver.h - the compiler behind autoglm-compile ----*- C++ -*-===//

#ifndef AUTOGLM_COMPILER_DRIVER_COMPILEDRIVER_H
#define AUTOGLM_COMPILER_DRIVER_COMPILEDRIVER_H

#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::autoglm {

struct CompileOptions {
  /// An ONNX model (.onnx, .onnxtxt) or a GLM checkpoint (its folder or its
  /// config.json).
  std::string inputPath;
  /// Where to write the result; "-" is standard output.
  std::string outputPath = "-";
  /// What to produce: ag (the imported module), ag-opt (the module after
  /// the graph pipeline), linalg (kernels after lowering), llvm (kernels in
  /// the LLVM dialect), asm (x86-64 assembly), ptx (--target=cuda: the PTX
  /// of the first --gpu-arch), agm (the artifact); empty: agm when the output ends
  /// in .agm, else ag.
  std::string emit;
  /// Code generation target: cpu, or cuda (--emit=ptx only so far).
  std::string target = "cpu";
  /// --target=cuda: comma-separated archs (sm_80, sm_86, sm_89, sm_90); the
  /// first one's PTX is what --emit=ptx writes.
  std::string gpuArchs;
  /// --target=cuda: ptxas for the cubins ("" = look for it, "none" = PTX
  /// only).
  std::string ptxas;
  /// CPU to generate code for: host, x86-64-v3, x86-64-v4 or an LLVM name.
  std::string cpu = "host";
  /// 0..3.
  int optLevel = 2;
  /// Weight-only quantization (ag-quantize mode): none, int8 or int4, with
  /// the int4 group size and symmetry.
  std::string quantize = "none";
  int64_t groupSize = 128;
  bool quantizeSymmetric = true;
  /// Matmul precision (ag-mixed-precision): fp32 (off), fp16 or bf16.
  std::string precision = "fp32";
  /// Print the memory plan and dispatches.
  bool verbose = false;
  /// MLIR debugging: IR after each pass, pass timing.
  bool printIRAfterAll = false;
  bool timing = false;
  /// Only report which nodes import (--check); write nothing.
  bool checkOnly = false;
  /// --input-shape name=DxD... entries.
  std::vector<std::string> inputShapes;
  /// --const-input name=tensor.pb entries.
  std::vector<std::string> constantInputs;
  bool runOnnxChecker = true;
  /// Print constants' full contents instead of eliding large ones.
  bool printLargeConstants = false;
  /// Treat an .onnxtxt input as several models separated by `# -----`
  /// lines, imported one by one (for lit tests).
  bool splitInputFile = false;
  /// Print each op's location (its ONNX node name).
  bool printDebugInfo = false;
  /// GLM checkpoints: KV cache positions (--max-context) and tokens per
  /// prefill call (--prefill-length).
  int64_t maxContext = 2048;
  int64_t prefillLength = 64;
  /// Whether either was given (they apply to GLM checkpoints only).
  bool llmOptionsGiven = false;
  /// Pass plug-ins to load (--load-pass-plugin).
  std::vector<std::string> passPlugins;
  /// A textual pipeline (`builtin.module(...)`) replacing the -O graph
  /// pipeline (--pass-pipeline).
  std::string passPipeline;
  /// Print the graph pipeline's textual form and stop (--print-pipeline).
  bool printPipeline = false;
  /// Print what each pass did (--mlir-pass-statistics[-display]).
  bool passStatistics = false;
  std::string passStatisticsDisplay = "pipeline";
};

/// Runs one compilation; diagnostics go to `errs`. Returns the process exit
/// code: 0 on success, 1 when the model has problems, 2 on bad usage.
int runCompile(const CompileOptions &options, llvm::raw_ostream &errs);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_DRIVER_COMPILEDRIVER_H
