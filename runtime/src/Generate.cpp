//===- Generate.cpp - greedy generation over prefill / decode -------------===//
//
// agm_model_generate (runtime.h): finds the `prefill` and `decode` entry
// points of an LLM artifact and their `tokens`/`token`, `position` and
// `logits` tensors by name, checks them and the arguments before running
// anything, then runs chunked prefill (right-padded with token 0) and a
// greedy decode loop under the model's run mutex, timing both with the
// monotonic clock. The buffers one call of each entry needs are allocated
// once per generation; the loop itself allocates nothing.
//
//===----------------------------------------------------------------------===//

#include "ModelImpl.h"

#include "Export.h"
#include "Status.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

using namespace agm;

namespace {

/// One entry point as generation uses it.
struct LlmEntry {
  uint32_t entry = 0;
  const char *name = nullptr;
  uint32_t tokensInput = 0, positionInput = 0, logitsOutput = 0;
  /// Tokens per call: C for prefill, 1 for decode.
  int64_t length = 0;
  int64_t vocab = 0;
};

struct Llm {
  LlmEntry prefill, decode;
  int64_t maxContext = 0;
};

/// "i64[1, 4]".
std::string describe(const agm_tensor_desc &t) {
  std::string out = dtypeName(t.dtype);
  out += "[";
  for (uint32_t d = 0; d < t.rank; ++d)
    out += (d ? ", " : "") + std::to_string(t.dims[d]);
  return out + "]";
}

int64_t elementCount(const agm_tensor_desc &t) {
  int64_t count = 1;
  for (uint32_t d = 0; d < t.rank; ++d)
    count *= t.dims[d];
  return count;
}

agm_status findEntry(const Artifact &artifact, const char *name,
                     LlmEntry &out) {
  for (uint32_t e = 0; e < artifact.entryCount(); ++e) {
    if (std::strcmp(artifact.string(artifact.entry(e).name), name) == 0) {
      out.entry = e;
      out.name = artifact.string(artifact.entry(e).name);
      return nullptr;
    }
  }
  return makeStatusf(AGM_NOT_FOUND,
                     "artifact '%s' has no entry point '%s': it is not an "
                     "LLM artifact (compiled from a GLM checkpoint)",
                     artifact.path().c_str(), name);
}

/// Finds the input (or output) called `name` of `entry`.
agm_status findTensor(const Artifact &artifact, const LlmEntry &entry,
                      bool input, const char *name, uint32_t &index) {
  const agm_entry_point &e = artifact.entry(entry.entry);
  uint32_t count = input ? e.input_count : e.output_count;
  uint32_t first = input ? e.first_input : e.first_output;
  std::string names;
  for (uint32_t i = 0; i < count; ++i) {
    const char *tensorName = artifact.string(artifact.tensor(first + i).name);
    if (std::strcmp(tensorName, name) == 0) {
      index = i;
      return nullptr;
    }
    names += (names.empty() ? "'" : ", '") + std::string(tensorName) + "'";
  }
  return makeStatusf(AGM_NOT_FOUND,
                     "artifact '%s': entry point '%s' has no %s '%s' (it has "
                     "%s), so it is not the LLM interface generation expects",
                     artifact.path().c_str(), entry.name,
                     input ? "input" : "output", name,
                     names.empty() ? "none" : names.c_str());
}

agm_status wrongShape(const Artifact &artifact, const LlmEntry &entry,
                      bool input, const agm_tensor_desc &t,
                      const char *expected) {
  return makeStatusf(AGM_INVALID_ARGUMENT,
                     "artifact '%s': %s '%s' of entry point '%s' is %s, "
                     "expected %s",
                     artifact.path().c_str(), input ? "input" : "output",
                     artifact.string(t.name), entry.name, describe(t).c_str(),
                     expected);
}

/// Finds and checks the tensors of `entry`; `prefill` selects the names and
/// shapes (tokens i64[1, C] vs token i64[1, 1]).
agm_status describeEntry(const Artifact &artifact, bool prefill,
                         LlmEntry &entry) {
  const agm_entry_point &e = artifact.entry(entry.entry);
  const char *tokensName = prefill ? "tokens" : "token";
  if (agm_status status =
          findTensor(artifact, entry, true, tokensName, entry.tokensInput))
    return status;
  if (agm_status status =
          findTensor(artifact, entry, true, "position", entry.positionInput))
    return status;
  if (agm_status status =
          findTensor(artifact, entry, false, "logits", entry.logitsOutput))
    return status;
  for (uint32_t i = 0; i < e.input_count; ++i)
    if (i != entry.tokensInput && i != entry.positionInput)
      return makeStatusf(
          AGM_INVALID_ARGUMENT,
          "artifact '%s': entry point '%s' has an input '%s' that generation "
          "cannot fill (it passes only '%s' and 'position')",
          artifact.path().c_str(), entry.name,
          artifact.string(artifact.tensor(e.first_input + i).name), tokensName);

  const agm_tensor_desc &tokens =
      artifact.tensor(e.first_input + entry.tokensInput);
  if (tokens.dtype != AGM_I64 || tokens.rank != 2 || tokens.dims[0] != 1 ||
      tokens.dims[1] < 1 || (!prefill && tokens.dims[1] != 1))
    return wrongShape(artifact, entry, true, tokens,
                      prefill ? "i64[1, C] with C >= 1" : "i64[1, 1]");
  entry.length = tokens.dims[1];

  const agm_tensor_desc &position =
      artifact.tensor(e.first_input + entry.positionInput);
  if (position.dtype != AGM_I64 || elementCount(position) != 1)
    return wrongShape(artifact, entry, true, position, "i64[] (one element)");

  const agm_tensor_desc &logits =
      artifact.tensor(e.first_output + entry.logitsOutput);
  std::string expected = "f32[1, " + std::to_string(entry.length) + ", V]";
  if (logits.dtype != AGM_F32 || logits.rank != 3 || logits.dims[0] != 1 ||
      logits.dims[1] != entry.length || logits.dims[2] < 1)
    return wrongShape(artifact, entry, false, logits, expected.c_str());
  entry.vocab = logits.dims[2];
  return nullptr;
}

agm_status describeLlm(agm_model model, Llm &llm) {
  const Artifact &artifact = *model->artifact;
  if (agm_status status = findEntry(artifact, "prefill", llm.prefill))
    return status;
  if (agm_status status = findEntry(artifact, "decode", llm.decode))
    return status;
  if (agm_status status = describeEntry(artifact, true, llm.prefill))
    return status;
  if (agm_status status = describeEntry(artifact, false, llm.decode))
    return status;
  if (llm.prefill.vocab != llm.decode.vocab)
    return makeStatusf(AGM_INVALID_ARGUMENT,
                       "artifact '%s': the logits of 'prefill' have %lld "
                       "entries per position, those of 'decode' %lld",
                       artifact.path().c_str(),
                       static_cast<long long>(llm.prefill.vocab),
                       static_cast<long long>(llm.decode.vocab));
  llm.maxContext = artifact.metadata().max_context;
  if (llm.maxContext == 0)
    return makeStatusf(AGM_INVALID_ARGUMENT,
                       "artifact '%s' has entry points 'prefill' and "
                       "'decode' but no max_context (0 in its metadata): "
                       "recompile it",
                       artifact.path().c_str());
  return nullptr;
}

double monotonicSeconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
}

/// The first index of the largest value; NaN never wins (0 when all are).
int64_t argmax(const float *row, int64_t count) {
  int64_t best = -1;
  float bestValue = 0;
  for (int64_t v = 0; v < count; ++v) {
    float value = row[v];
    if (std::isnan(value))
      continue;
    if (best < 0 || value > bestValue) {
      best = v;
      bestValue = value;
    }
  }
  return best < 0 ? 0 : best;
}

/// Pointers for one call of an entry: the caller's tensors for tokens,
/// position and logits, scratch memory for any other output.
struct EntryCall {
  std::vector<const void *> inputs;
  std::vector<void *> outputs;
  std::vector<std::vector<uint64_t>> scratch;

  void setUp(const Artifact &artifact, const LlmEntry &entry,
             const int64_t *tokens, const int64_t *position, float *logits) {
    const agm_entry_point &e = artifact.entry(entry.entry);
    inputs.assign(e.input_count, nullptr);
    inputs[entry.tokensInput] = tokens;
    inputs[entry.positionInput] = position;
    outputs.assign(e.output_count, nullptr);
    for (uint32_t i = 0; i < e.output_count; ++i) {
      if (i == entry.logitsOutput) {
        outputs[i] = logits;
        continue;
      }
      uint64_t bytes =
          artifact.tensorBytes(artifact.tensor(e.first_output + i));
      scratch.emplace_back((bytes + 7) / 8 + 1);
      outputs[i] = scratch.back().data();
    }
  }
};

agm_status generate(agm_model model, const int64_t *prompt, int32_t promptCount,
                    const agm_generate_params *userParams, int64_t *outTokens,
                    int32_t *outCount, agm_generate_stats *stats) {
  agm_generate_stats localStats;
  if (!stats)
    stats = &localStats;
  std::memset(stats, 0, sizeof(*stats));
  stats->prefill_device_seconds = stats->decode_device_seconds =
      model && model->cuda ? 0 : -1;
  if (outCount)
    *outCount = 0;
  if (!model)
    return makeStatus(AGM_INVALID_ARGUMENT, "model is NULL");
  if (!outCount)
    return makeStatus(AGM_INVALID_ARGUMENT,
                      "agm_model_generate: out_count is NULL");
  agm_generate_params params;
  agm_generate_params_init(&params);
  if (userParams)
    params = *userParams;

  Llm llm;
  if (agm_status status = describeLlm(model, llm))
    return status;
  const Artifact &artifact = *model->artifact;
  const char *path = artifact.path().c_str();
  const int64_t chunk = llm.prefill.length, vocab = llm.prefill.vocab;

  // Arguments, before anything runs.
  if (promptCount < 1)
    return makeStatusf(AGM_INVALID_ARGUMENT,
                       "agm_model_generate: the prompt has %d tokens; at "
                       "least 1 is needed",
                       promptCount);
  if (!prompt)
    return makeStatus(AGM_INVALID_ARGUMENT,
                      "agm_model_generate: prompt is NULL");
  for (int32_t i = 0; i < promptCount; ++i)
    if (prompt[i] < 0 || prompt[i] >= vocab)
      return makeStatusf(AGM_INVALID_ARGUMENT,
                         "agm_model_generate: prompt token %d is %lld, "
                         "outside the vocabulary [0, %lld) of artifact '%s'",
                         i, static_cast<long long>(prompt[i]),
                         static_cast<long long>(vocab), path);
  if (params.max_new_tokens < 0)
    return makeStatusf(AGM_INVALID_ARGUMENT,
                       "agm_model_generate: max_new_tokens is %d (must not "
                       "be negative)",
                       params.max_new_tokens);
  if (params.max_new_tokens > 0 && !outTokens)
    return makeStatusf(AGM_INVALID_ARGUMENT,
                       "agm_model_generate: out_tokens is NULL, but "
                       "max_new_tokens is %d",
                       params.max_new_tokens);
  if (params.stop_token < -1 || params.stop_token >= vocab)
    return makeStatusf(AGM_INVALID_ARGUMENT,
                       "agm_model_generate: stop_token %lld is outside the "
                       "vocabulary [0, %lld) (-1: none)",
                       static_cast<long long>(params.stop_token),
                       static_cast<long long>(vocab));
  const int64_t total =
      static_cast<int64_t>(promptCount) + params.max_new_tokens;
  if (total > llm.maxContext)
    return makeStatusf(AGM_INVALID_ARGUMENT,
                       "agm_model_generate: %d prompt + %d new tokens = "
                       "%lld, more than the %lld positions (max_context) of "
                       "artifact '%s'",
                       promptCount, params.max_new_tokens,
                       static_cast<long long>(total),
                       static_cast<long long>(llm.maxContext), path);
  const int64_t prefillCalls = (promptCount + chunk - 1) / chunk;
  if (prefillCalls * chunk > llm.maxContext)
    return makeStatusf(AGM_INVALID_ARGUMENT,
                       "agm_model_generate: the %d prompt tokens padded to "
                       "%lld prefill calls of %lld need %lld positions, "
                       "more than the %lld (max_context) of artifact '%s'",
                       promptCount, static_cast<long long>(prefillCalls),
                       static_cast<long long>(chunk),
                       static_cast<long long>(prefillCalls * chunk),
                       static_cast<long long>(llm.maxContext), path);

  // Set up once: one call's tokens, position and logits per entry.
  std::vector<int64_t> chunkTokens(chunk, 0);
  int64_t prefillPosition = 0, decodeToken = 0, decodePosition = 0;
  std::vector<float> prefillLogits(chunk * vocab), decodeLogits(vocab);
  EntryCall prefillCall, decodeCall;
  prefillCall.setUp(artifact, llm.prefill, chunkTokens.data(), &prefillPosition,
                    prefillLogits.data());
  decodeCall.setUp(artifact, llm.decode, &decodeToken, &decodePosition,
                   decodeLogits.data());

  std::lock_guard<std::mutex> lock(model->runMutex);
  stats->prompt_tokens = promptCount;

  // Prefill, chunk by chunk; the last one right-padded with token 0.
  const float *lastRow = nullptr;
  for (int64_t call = 0; call < prefillCalls; ++call) {
    int64_t begin = call * chunk;
    int64_t real = std::min<int64_t>(chunk, promptCount - begin);
    std::memcpy(chunkTokens.data(), prompt + begin, real * sizeof(int64_t));
    std::fill(chunkTokens.begin() + real, chunkTokens.end(), 0);
    prefillPosition = begin;
    double start = monotonicSeconds();
    if (agm_status status =
            executeEntry(model, static_cast<int32_t>(llm.prefill.entry),
                         prefillCall.inputs.data(), prefillCall.outputs.data()))
      return status;
    stats->prefill_seconds += monotonicSeconds() - start;
    if (model->cuda)
      stats->prefill_device_seconds += model->cuda->lastDeviceMs() * 1e-3;
    stats->prefill_calls += 1;
    if (params.prompt_logits)
      std::memcpy(params.prompt_logits + begin * vocab, prefillLogits.data(),
                  real * vocab * sizeof(float));
    lastRow = prefillLogits.data() + (real - 1) * vocab;
  }
  if (params.max_new_tokens == 0)
    return nullptr;

  // Token 0 from the last prompt position, then one decode per token.
  double start = monotonicSeconds();
  int64_t token = argmax(lastRow, vocab);
  stats->prefill_seconds += monotonicSeconds() - start;
  for (int32_t step = 0;; ++step) {
    outTokens[step] = token;
    *outCount = step + 1;
    stats->generated_tokens = step + 1;
    bool stop = token == params.stop_token || step + 1 == params.max_new_tokens;
    if (params.on_token &&
        params.on_token(params.user, step, token,
                        step == 0 ? lastRow : decodeLogits.data(), vocab))
      stop = true;
    if (stop)
      break;
    decodeToken = token;
    decodePosition = static_cast<int64_t>(promptCount) + step;
    start = monotonicSeconds();
    if (agm_status status =
            executeEntry(model, static_cast<int32_t>(llm.decode.entry),
                         decodeCall.inputs.data(), decodeCall.outputs.data()))
      return status;
    token = argmax(decodeLogits.data(), vocab);
    stats->decode_seconds += monotonicSeconds() - start;
    if (model->cuda)
      stats->decode_device_seconds += model->cuda->lastDeviceMs() * 1e-3;
    stats->decode_calls += 1;
  }
  return nullptr;
}

} // namespace

extern "C" {

AGM_EXPORT void agm_generate_params_init(agm_generate_params *params) {
  if (!params)
    return;
  std::memset(params, 0, sizeof(*params));
  params->max_new_tokens = 32;
  params->stop_token = -1;
}

AGM_EXPORT agm_status agm_model_llm_info(agm_model model,
                                         agm_llm_info *out_info) {
  return guarded([&]() -> agm_status {
    if (!model)
      return makeStatus(AGM_INVALID_ARGUMENT, "model is NULL");
    if (!out_info)
      return makeStatus(AGM_INVALID_ARGUMENT,
                        "agm_model_llm_info: out_info is NULL");
    Llm llm;
    if (agm_status status = describeLlm(model, llm))
      return status;
    out_info->prefill_length = llm.prefill.length;
    out_info->vocab_size = llm.prefill.vocab;
    out_info->max_context = llm.maxContext;
    return nullptr;
  });
}

AGM_EXPORT agm_status agm_model_generate(agm_model model, const int64_t *prompt,
                                         int32_t prompt_count,
                                         const agm_generate_params *params,
                                         int64_t *out_tokens,
                                         int32_t *out_count,
                                         agm_generate_stats *stats) {
  return guarded([&] {
    return generate(model, prompt, prompt_count, params, out_tokens, out_count,
                    stats);
  });
}

} // extern "C"
