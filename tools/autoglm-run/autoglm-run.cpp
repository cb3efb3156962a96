//===- autoglm-run.cpp - run a compiled .agm artifact ---------------------===//
//
// Thin CLI11 front end: parses flags into RunOptions and calls runArtifact
// (RunDriver.cpp), which holds the logic. Exit codes: 0 success, 1 a model,
// input or runtime error or a --compare mismatch, 2 bad usage.
//
//===----------------------------------------------------------------------===//

#include "tools/autoglm-run/RunDriver.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char **argv) {
  autoglm::RunOptions options;
  CLI::App app{"autoglm-run: run an entry point of a compiled .agm artifact "
               "on inputs from .npy files or random values, print, save and "
               "compare its outputs, and benchmark it; or generate greedily "
               "from an LLM artifact (--prompt-ids)"};
  app.add_option("model", options.modelPath, "the .agm artifact")->required();
  app.add_option("--entry", options.entry,
                 "entry point to run (default: main, or the only one)");
  app.add_option("--input", options.inputs,
                 "bind an input to a .npy file, as name=file.npy "
                 "(repeatable); inputs not given get random values")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--random-seed", options.randomSeed,
                 "seed of the random inputs: uniform [-1, 1) for floats, "
                 "[-5, 5] / [0, 10] for integers, 0/1 for bools")
      ->capture_default_str();
  app.add_option("--output-dir", options.outputDir,
                 "write each output to DIR/<name>.npy; with --prompt-ids: "
                 "prefill_logits.npy (f32 [1, S, V], the prompt's positions), "
                 "step_logits.npy (f32 [n, V], row i = the logits generated "
                 "token i was chosen from) and generated_ids.npy (i64 [n])");
  app.add_option("--compare", options.compares,
                 "compare an output with a reference, as name=ref.npy "
                 "(repeatable): element-wise |got - expected| <= atol + "
                 "rtol * |expected|, NaN equal to NaN; a mismatch names the "
                 "worst element and exits 1")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--rtol", options.rtol, "relative tolerance of --compare")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--atol", options.atol, "absolute tolerance of --compare")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--benchmark", options.benchmarkRuns,
                 "time N more runs and print min / median / p90 latency "
                 "(cuda: also the median device time of the kernels, from "
                 "CUDA events); with --prompt-ids: repeat the whole "
                 "generation N times and print the median prefill and "
                 "decode tokens/s (cuda: and decode device ms/token)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--warmup", options.warmupRuns,
                 "untimed runs (generations) before --benchmark's")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--threads", options.threads,
                 "worker threads of the cpu executor (0 = all cores); "
                 "ignored on cuda")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--device", options.device,
                 "cpu or cuda (default: the artifact's target); an artifact "
                 "runs only on the target it was compiled for. cuda loads "
                 "the driver libcuda.so.1, or the library $AGM_CUDA_DRIVER "
                 "names, and runs on the GPU --gpu names")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--gpu", options.gpu,
                 "cuda: the ordinal of the GPU to run on (as the driver "
                 "numbers them; CUDA_VISIBLE_DEVICES applies)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_flag("--no-cuda-graphs", options.noCudaGraphs,
               "cuda: launch the kernels one by one on every run instead of "
               "replaying a CUDA Graph from the second run on (to measure "
               "launch overhead; AGM_CUDA_GRAPHS=0 does the same)");
  app.add_option("--prompt-ids", options.promptIds,
                 "LLM artifacts (entry points prefill and decode): generate "
                 "greedily from these comma-separated token ids, e.g. "
                 "1,2,3; prints the generated ids, then prefill and decode "
                 "throughput (the first generated token comes from prefill, "
                 "each further one from a decode call)");
  app.add_option("--max-new-tokens", options.maxNewTokens,
                 "with --prompt-ids: tokens to generate at most (prompt + "
                 "new tokens must fit the artifact's max context)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--stop-id", options.stopId,
                 "with --prompt-ids: stop after generating this token id "
                 "(kept in the output)")
      ->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int code = app.exit(e);
    return code == 0 ? 0 : autoglm::kExitUsage;
  }
  options.entryGiven = app.count("--entry") > 0;
  options.promptIdsGiven = app.count("--prompt-ids") > 0;
  options.maxNewTokensGiven = app.count("--max-new-tokens") > 0;
  options.stopIdGiven = app.count("--stop-id") > 0;
  return autoglm::runArtifact(options, std::cout, std::cerr);
}
