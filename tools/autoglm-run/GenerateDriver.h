//===- GenerateDriver.h - autoglm-run --prompt-ids ---------------*- C++
//-*-===//
//
// Greedy generation from the command line through agm_model_generate:
// prints the generated ids and prefill / decode throughput, saves the
// logits and ids as .npy files (--output-dir), repeats the generation for
// --benchmark.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_TOOLS_AUTOGLM_RUN_GENERATEDRIVER_H
#define AUTOGLM_TOOLS_AUTOGLM_RUN_GENERATEDRIVER_H

#include "tools/autoglm-run/RunDriver.h"

#include "autoglm/runtime.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace autoglm {

/// Parses "1,2,3" (spaces around entries allowed) into token ids; false
/// with `error` naming the first bad entry (empty, not a non-negative
/// integer, too large).
bool parsePromptIds(const std::string &text, std::vector<int64_t> &ids,
                    std::string &error);

/// True when `model` has the entry points `prefill` and `decode`.
bool looksLikeLlm(agm_model model);

/// Generates from `prompt` on `model` as `options` says (--max-new-tokens,
/// --stop-id, --output-dir, --benchmark, --warmup); returns the exit code.
int runGeneration(const RunOptions &options, const std::vector<int64_t> &prompt,
                  agm_model model, std::ostream &out, std::ostream &err);

} // namespace autoglm

#endif // AUTOGLM_TOOLS_AUTOGLM_RUN_GENERATEDRIVER_H
