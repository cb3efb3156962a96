//===- autoglm-compile.cpp - AutoGLM's compiler command line --------------===//
//
// Thin CLI11 front end: parses flags into CompileOptions and runs the
// compile driver (compiler/driver), which holds the logic.
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/CompileDriver.h"

#include <CLI/CLI.hpp>

int main(int argc, char **argv) {
  mlir::autoglm::CompileOptions options;
  CLI::App app{"autoglm-compile: compile an ONNX model or a GLM checkpoint "
               "into a deployable .agm artifact (or stop at the ag, linalg "
               "or llvm stage)\n"
               "  autoglm-compile model.onnx -o model.agm\n"
               "  autoglm-compile model.onnx --check\n"
               "  autoglm-compile models/glm/tiny-glm -o tiny-glm.agm\n"};
  app.add_option("model", options.inputPath,
                 "model to compile: .onnx (protobuf, with external data "
                 "beside it), .onnxtxt (ONNX text syntax), or a Hugging Face "
                 "GLM / GLM-4 checkpoint (a folder with config.json and "
                 "safetensors, or its config.json); needed unless "
                 "--print-pipeline");
  app.add_option("-o,--output", options.outputPath,
                 "output file ('-' for standard output)")
      ->capture_default_str();
  app.add_option("--emit", options.emit,
                 "what to produce: ag (the imported module in the ag "
                 "dialect, before any pass), ag-opt (the ag module after the "
                 "graph pipeline, before dispatch formation), linalg (kernels lowered to linalg on tensors), "
                 "llvm (kernels in the LLVM dialect), asm (the kernels' x86-64 "
                 "assembly), ptx (--target=cuda: the kernels' PTX for the "
                 "first --gpu-arch), agm (the deployable artifact); default: agm when "
                 "-o ends in .agm, else ag")
      ->check(CLI::IsMember({"ag", "ag-opt", "linalg", "llvm", "asm", "ptx", "agm"}));
  app.add_option("--target", options.target,
                 "code generation target: cpu (x86-64), or cuda (NVIDIA "
                 "GPUs: PTX for every --gpu-arch, plus cubins where ptxas is "
                 "found)")
      ->capture_default_str()
      ->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--gpu-arch", options.gpuArchs,
                 "--target=cuda: comma-separated GPU archs (sm_80, sm_86, "
                 "sm_89, sm_90; default sm_80); --emit=ptx writes the first "
                 "one's PTX");
  app.add_option("--ptxas", options.ptxas,
                 "--target=cuda: the ptxas that assembles a cubin per arch "
                 "into the artifact (default: ptxas on PATH, else "
                 "/usr/local/cuda/bin/ptxas; 'none': PTX only, which the "
                 "driver compiles at load)");
  app.add_option("--cpu", options.cpu,
                 "CPU to generate code for: host (this machine), x86-64-v3 "
                 "(AVX2) or x86-64-v4 (AVX-512) for portable artifacts, or an "
                 "LLVM CPU name; the artifact refuses to run on a CPU that "
                 "lacks the features it needs")
      ->capture_default_str();
  app.add_option("-O", options.optLevel,
                 "optimization level 0..3: graph passes (0: none; 1: fold "
                 "constants, prune dead subgraphs, canonicalize, CSE; 2 and "
                 "3: all but quantization) and LLVM's level")
      ->capture_default_str()
      ->check(CLI::Range(0, 3));
  app.add_option("--quantize", options.quantize,
                 "weight-only quantization of matmul weights: none, int8 "
                 "(per output channel) or int4 (groups of --group-size rows "
                 "of K)")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "int8", "int4"}));
  app.add_option("--group-size", options.groupSize,
                 "rows of K per int4 scale")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("!--int4-asymmetric", options.quantizeSymmetric,
               "int4 with a zero point per group (default: symmetric)");
  app.add_option("--precision", options.precision,
                 "compute matmuls with constant weights in 16 bits (weights "
                 "stored in that type, f32 accumulation): fp32 (off), fp16 "
                 "or bf16")
      ->capture_default_str()
      ->check(CLI::IsMember({"fp32", "fp16", "bf16"}));
  app.add_flag("-v,--verbose", options.verbose,
               "print the memory plan (arena size vs the sum of "
               "intermediates) and each dispatch's workgroups");
  app.add_flag("--mlir-print-ir-after-all", options.printIRAfterAll,
               "print the IR after every code generation pass (stderr)");
  app.add_flag("--mlir-timing", options.timing,
               "report the time each code generation pass takes");
  app.add_flag("--check", options.checkOnly,
               "report every node the importer cannot handle (node name, op "
               "type, opset, reason) and a summary; for a GLM checkpoint, "
               "every config and tensor problem; write nothing");
  app.add_option("--input-shape", options.inputShapes,
                 "static shape of a graph input with symbolic dims, as "
                 "name=1x128x768 (repeatable; 'scalar' for 0-d)");
  app.add_option("--const-input", options.constantInputs,
                 "bind a graph input to a compile-time constant, as "
                 "name=tensor.pb (a serialized onnx TensorProto, as in ONNX's "
                 "test data); for models whose shapes depend on an input's "
                 "value (repeatable)");
  app.add_option("--max-context", options.maxContext,
                 "GLM checkpoints: positions of the KV cache, the longest "
                 "prompt plus generated tokens one run can hold (a multiple "
                 "of --prefill-length; may exceed the config's "
                 "max_position_embeddings)")
      ->capture_default_str();
  app.add_option("--prefill-length", options.prefillLength,
                 "GLM checkpoints: tokens per prefill call; a prompt of S "
                 "tokens runs ceil(S / N) calls, the last one padded")
      ->capture_default_str();
  app.add_flag("!--no-onnx-checker", options.runOnnxChecker,
               "skip onnx::checker::check_model before importing");
  app.add_flag("--print-large-constants", options.printLargeConstants,
               "print weights in full on standard output too (files written "
               "with -o always keep them)");
  app.add_flag("--split-input-file", options.splitInputFile,
               "treat an .onnxtxt file as several models separated by "
               "'# -----' lines and import each (for tests)");
  app.add_flag("--mlir-print-debuginfo", options.printDebugInfo,
               "print each op's location: the ONNX node it came from");
  app.add_option("--load-pass-plugin", options.passPlugins,
                 "load passes from a plug-in shared library (repeatable); "
                 "name them in --pass-pipeline (docs/writing-a-pass.md)");
  app.add_option("--pass-pipeline", options.passPipeline,
                 "run this textual pipeline, builtin.module(...), instead of "
                 "the -O level's graph passes (see --print-pipeline)");
  app.add_flag("--print-pipeline", options.printPipeline,
               "print the graph pipeline -O (or --pass-pipeline) selects, as "
               "text for --pass-pipeline, and exit");
  app.add_flag("--mlir-pass-statistics", options.passStatistics,
               "print what each pass did (pruned, folded, fused, quantized, "
               "lowered) after compiling (stderr)");
  app.add_option("--mlir-pass-statistics-display",
                 options.passStatisticsDisplay,
                 "statistics layout: pipeline (nested like the passes) or "
                 "list (merged by pass name)")
      ->capture_default_str()
      ->check(CLI::IsMember({"list", "pipeline"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    // --help exits 0; any bad usage exits 2.
    return app.exit(e) == 0 ? 0 : 2;
  }
  options.llmOptionsGiven =
      app.count("--max-context") + app.count("--prefill-length") > 0;
  return mlir::autoglm::runCompile(options, llvm::errs());
}
