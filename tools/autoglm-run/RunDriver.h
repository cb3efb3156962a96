//===- RunDriver.h - what autoglm-run does ----------------------*- C++ -*-===//
//
// Loads an artifact through the runtime C API, binds inputs from .npy files
// (or random values from a seed), runs an entry point, prints, saves and
// compares its outputs, and optionally benchmarks it; or, on an LLM
// artifact given --prompt-ids, generates greedily (GenerateDriver.h).
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_TOOLS_AUTOGLM_RUN_RUNDRIVER_H
#define AUTOGLM_TOOLS_AUTOGLM_RUN_RUNDRIVER_H

#include "autoglm/runtime.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace autoglm {

struct RunOptions {
  std::string modelPath;
  /// Entry point; when left at "main" and the artifact has a single entry
  /// with another name, that one runs.
  std::string entry = "main";
  bool entryGiven = false;
  /// name=file.npy
  std::vector<std::string> inputs;
  uint64_t randomSeed = 0;
  /// Where outputs are saved as <name>.npy ("" = not saved).
  std::string outputDir;
  /// name=ref.npy
  std::vector<std::string> compares;
  double rtol = 1e-4;
  double atol = 1e-5;
  int benchmarkRuns = 0;
  int warmupRuns = 1;
  /// 0 = all cores (cpu only).
  int threads = 0;
  /// "cpu" or "cuda": where to run; "" = the artifact's target. A device
  /// other than the artifact's target is an error.
  std::string device;
  /// cuda: launch kernels one by one instead of replaying CUDA Graphs.
  bool noCudaGraphs = false;
  /// cuda: the GPU ordinal (agm_runtime_options::cuda_device).
  int gpu = 0;

  /// LLM generation (GenerateDriver.cpp): the prompt as comma-separated
  /// token ids; generation runs when given.
  std::string promptIds;
  bool promptIdsGiven = false;
  int maxNewTokens = 32;
  bool maxNewTokensGiven = false;
  /// Generation stops after this id; -1: none.
  int64_t stopId = -1;
  bool stopIdGiven = false;
};

/// Exit codes.
constexpr int kExitOk = 0;
constexpr int kExitFailure = 1; // model, input or runtime error; mismatch
constexpr int kExitUsage = 2;

/// Runs everything `options` asks for; results go to `out`, errors (each
/// line starting "autoglm-run: error: ") to `err`. Returns the exit code.
int runArtifact(const RunOptions &options, std::ostream &out,
                std::ostream &err);

/// "threads: 4" on the CPU, "device: GPU 0 '...' (sm_90), sm_90 cubin" on
/// CUDA, for the first line of the output.
std::string whereItRuns(const RunOptions &options, agm_model model);

} // namespace autoglm

#endif // AUTOGLM_TOOLS_AUTOGLM_RUN_RUNDRIVER_H
