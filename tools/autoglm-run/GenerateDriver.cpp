//===- GenerateDriver.cpp - autoglm-run --prompt-ids ----------------------===//

#include "tools/autoglm-run/GenerateDriver.h"

#include "tools/autoglm-run/Npy.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>

namespace autoglm {
namespace {

std::string takeMessage(agm_status status) {
  std::string message = agm_status_message(status);
  agm_status_release(status);
  return message;
}

int failure(std::ostream &err, const std::string &message,
            int code = kExitFailure) {
  err << "autoglm-run: error: " << message << "\n";
  return code;
}

std::string trim(const std::string &s) {
  size_t begin = 0, end = s.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(s[begin])))
    ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(s[end - 1])))
    --end;
  return s.substr(begin, end - begin);
}

/// The share of `wall` the device was not busy: 1 - device / wall, in %.
double overheadPercent(double device, double wall) {
  return wall > 0 ? 100.0 * std::max(0.0, 1 - device / wall) : 0.0;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/// Copies each generated token's logits row into `rows` (room for
/// max_new_tokens rows of `vocab`).
struct StepRecorder {
  float *rows;
  static int32_t callback(void *user, int32_t step, int64_t,
                          const float *logits, int64_t vocab) {
    auto *recorder = static_cast<StepRecorder *>(user);
    std::memcpy(recorder->rows + step * vocab, logits, vocab * sizeof(float));
    return 0;
  }
};

std::string formatLine(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
std::string formatLine(const char *fmt, ...) {
  char line[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(line, sizeof(line), fmt, args);
  va_end(args);
  return line;
}

} // namespace

bool parsePromptIds(const std::string &text, std::vector<int64_t> &ids,
                    std::string &error) {
  ids.clear();
  size_t start = 0;
  for (size_t index = 1;; ++index) {
    size_t comma = text.find(',', start);
    std::string entry = trim(text.substr(
        start, comma == std::string::npos ? std::string::npos : comma - start));
    std::string where =
        "--prompt-ids '" + text + "': entry " + std::to_string(index);
    if (entry.empty()) {
      error = where + " is empty (expected comma-separated token ids, e.g. "
                      "1,2,3)";
      return false;
    }
    bool digits = std::all_of(entry.begin(), entry.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
    errno = 0;
    char *end = nullptr;
    unsigned long long value = std::strtoull(entry.c_str(), &end, 10);
    if (!digits || errno == ERANGE ||
        value > static_cast<unsigned long long>(
                    std::numeric_limits<int64_t>::max())) {
      error = where + " ('" + entry +
              "') is not a token id (a non-negative integer)";
      return false;
    }
    ids.push_back(static_cast<int64_t>(value));
    if (comma == std::string::npos)
      return true;
    start = comma + 1;
  }
}

bool looksLikeLlm(agm_model model) {
  int32_t entry;
  for (const char *name : {"prefill", "decode"}) {
    if (agm_status status = agm_model_find_entry(model, name, &entry)) {
      agm_status_release(status);
      return false;
    }
  }
  return true;
}

int runGeneration(const RunOptions &options, const std::vector<int64_t> &prompt,
                  agm_model model, std::ostream &out, std::ostream &err) {
  agm_llm_info info;
  if (agm_status status = agm_model_llm_info(model, &info))
    return failure(err, "--prompt-ids: " + takeMessage(status));
  const int64_t vocab = info.vocab_size;
  for (size_t i = 0; i < prompt.size(); ++i)
    if (prompt[i] >= vocab)
      return failure(err, "--prompt-ids: entry " + std::to_string(i + 1) +
                              " (" + std::to_string(prompt[i]) +
                              ") is outside the vocabulary [0, " +
                              std::to_string(vocab) + ") of " +
                              options.modelPath);
  if (options.stopIdGiven && options.stopId >= vocab)
    return failure(err, "--stop-id " + std::to_string(options.stopId) +
                            " is outside the vocabulary [0, " +
                            std::to_string(vocab) + ") of " +
                            options.modelPath);
  if (prompt.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    return failure(err, "--prompt-ids: too many tokens");
  const int32_t promptCount = static_cast<int32_t>(prompt.size());
  const int32_t maxNew = options.maxNewTokens;
  if (promptCount + static_cast<int64_t>(maxNew) > info.max_context)
    return failure(err, formatLine("%d prompt tokens + --max-new-tokens %d "
                                   "= %lld, more than the %lld positions of "
                                   "the model's context (max_context)",
                                   promptCount, maxNew,
                                   static_cast<long long>(promptCount) + maxNew,
                                   static_cast<long long>(info.max_context)));

  out << "model " << options.modelPath << ": LLM, prefill length "
      << info.prefill_length << ", vocabulary " << vocab << ", max context "
      << info.max_context << ", " << whereItRuns(options, model) << "\n";
  out << "prompt: " << promptCount << " tokens\n";

  // The generation that is printed and saved; logits are kept only for
  // --output-dir.
  bool save = !options.outputDir.empty();
  std::vector<float> promptLogits, stepLogits;
  StepRecorder recorder{nullptr};
  agm_generate_params params;
  agm_generate_params_init(&params);
  params.max_new_tokens = maxNew;
  params.stop_token = options.stopIdGiven ? options.stopId : -1;
  if (save) {
    promptLogits.resize(static_cast<size_t>(promptCount) * vocab);
    stepLogits.resize(static_cast<size_t>(maxNew) * vocab);
    recorder.rows = stepLogits.data();
    params.on_token = StepRecorder::callback;
    params.user = &recorder;
    params.prompt_logits = promptLogits.data();
  }
  std::vector<int64_t> tokens(std::max(maxNew, 1));
  int32_t count = 0;
  agm_generate_stats stats;
  if (agm_status status =
          agm_model_generate(model, prompt.data(), promptCount, &params,
                             tokens.data(), &count, &stats))
    return failure(err, takeMessage(status));
  tokens.resize(count);

  std::string ids;
  for (int64_t token : tokens)
    ids += " " + std::to_string(token);
  out << "generated:" << ids << "\n";
  if (options.stopIdGiven && count > 0 && tokens.back() == options.stopId)
    out << "stopped at --stop-id " << options.stopId << " after " << count
        << " of " << maxNew << " tokens\n";
  out << formatLine(
      "prefill: %d tokens in %.3f ms (%.1f tokens/s, %d calls "
      "of %lld)\n",
      stats.prompt_tokens, stats.prefill_seconds * 1e3,
      stats.prefill_seconds > 0 ? stats.prompt_tokens / stats.prefill_seconds
                                : 0.0,
      stats.prefill_calls, static_cast<long long>(info.prefill_length));
  if (stats.decode_calls > 0) {
    out << formatLine("decode: %d tokens in %.3f ms (%.1f tokens/s, %.3f "
                      "ms/token)\n",
                      stats.decode_calls, stats.decode_seconds * 1e3,
                      stats.decode_seconds > 0
                          ? stats.decode_calls / stats.decode_seconds
                          : 0.0,
                      stats.decode_seconds * 1e3 / stats.decode_calls);
    if (stats.decode_device_seconds >= 0)
      out << formatLine("decode device time: %.3f ms/token (CUDA events); "
                        "launch overhead, copies and argmax: %.1f%% of the "
                        "decode wall time\n",
                        stats.decode_device_seconds * 1e3 / stats.decode_calls,
                        overheadPercent(stats.decode_device_seconds,
                                        stats.decode_seconds));
  } else {
    out << "decode: 0 tokens"
        << (count == 1 ? " (the one generated token "
                         "comes from prefill)"
                       : "")
        << "\n";
  }

  if (save) {
    std::error_code ec;
    std::filesystem::create_directories(options.outputDir, ec);
    if (ec)
      return failure(err, "--output-dir '" + options.outputDir +
                              "': cannot create: " + ec.message());
    struct File {
      const char *name;
      uint32_t dtype;
      std::vector<int64_t> shape;
      const void *data;
      size_t bytes;
    } const files[] = {
        {"prefill_logits",
         AGM_F32,
         {1, promptCount, vocab},
         promptLogits.data(),
         promptLogits.size() * sizeof(float)},
        {"step_logits",
         AGM_F32,
         {count, vocab},
         stepLogits.data(),
         static_cast<size_t>(count) * vocab * sizeof(float)},
        {"generated_ids",
         AGM_I64,
         {count},
         tokens.data(),
         tokens.size() * sizeof(int64_t)},
    };
    for (const File &file : files) {
      std::string path = options.outputDir + "/" + file.name + ".npy";
      std::string error;
      if (!npy::write(path, file.dtype, file.shape, file.data, file.bytes,
                      error))
        return failure(err, "--output-dir: " + error);
      out << "saved " << file.name << " " << agm_dtype_name(file.dtype)
          << npy::formatShape(file.shape) << " to " << path << "\n";
    }
  }

  // --benchmark: the whole generation again, without logits or callback.
  if (options.benchmarkRuns > 0) {
    agm_generate_params plain;
    agm_generate_params_init(&plain);
    plain.max_new_tokens = maxNew;
    plain.stop_token = params.stop_token;
    std::vector<int64_t> again(std::max(maxNew, 1));
    std::vector<double> prefillRates, decodeRates, decodeMs, decodeDeviceMs,
        decodeOverhead;
    for (int run = 0; run < options.warmupRuns + options.benchmarkRuns; ++run) {
      int32_t againCount = 0;
      agm_generate_stats s;
      if (agm_status status =
              agm_model_generate(model, prompt.data(), promptCount, &plain,
                                 again.data(), &againCount, &s))
        return failure(err, takeMessage(status));
      if (againCount != count ||
          !std::equal(tokens.begin(), tokens.end(), again.begin()))
        return failure(err, "--benchmark: generation " +
                                std::to_string(run + 1) +
                                " gave other tokens than the first");
      if (run < options.warmupRuns)
        continue;
      prefillRates.push_back(
          s.prefill_seconds > 0 ? s.prompt_tokens / s.prefill_seconds : 0);
      if (s.decode_calls > 0) {
        decodeRates.push_back(
            s.decode_seconds > 0 ? s.decode_calls / s.decode_seconds : 0);
        decodeMs.push_back(s.decode_seconds * 1e3 / s.decode_calls);
        if (s.decode_device_seconds >= 0) {
          decodeDeviceMs.push_back(s.decode_device_seconds * 1e3 /
                                   s.decode_calls);
          decodeOverhead.push_back(
              overheadPercent(s.decode_device_seconds, s.decode_seconds));
        }
      }
    }
    std::string line = formatLine(
        "benchmark: %d generations after %d warmup: prefill median %.1f "
        "tokens/s",
        options.benchmarkRuns, options.warmupRuns, median(prefillRates));
    if (!decodeRates.empty())
      line += formatLine(", decode median %.1f tokens/s (%.3f ms/token)",
                         median(decodeRates), median(decodeMs));
    if (!decodeDeviceMs.empty())
      line += formatLine("; decode device median %.3f ms/token, launch "
                         "overhead %.1f%%",
                         median(decodeDeviceMs), median(decodeOverhead));
    out << line << "\n";
  }
  return kExitOk;
}

} // namespace autoglm
