//===- RunDriver.cpp - what autoglm-run does ------------------------------===//

#include "tools/autoglm-run/RunDriver.h"

#include "tools/autoglm-run/GenerateDriver.h"
#include "tools/autoglm-run/Npy.h"

#include "autoglm/runtime.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <random>
#include <set>
#include <tuple>

namespace autoglm {
namespace {

//===----------------------------------------------------------------------===//
// Element types
//===----------------------------------------------------------------------===//

const char *dtypeName(uint32_t dtype) {
  return agm_dtype_name(dtype);
}

size_t dtypeSize(uint32_t dtype) {
  return agm_dtype_size(dtype);
}

bool isFloat(uint32_t dtype) {
  return dtype == AGM_F32 || dtype == AGM_F64 || dtype == AGM_F16 ||
         dtype == AGM_BF16;
}

float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1f;
  uint32_t mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else { // subnormal: normalize
    int shift = 0;
    while (!(mantissa & 0x400)) {
      mantissa <<= 1;
      ++shift;
    }
    mantissa &= 0x3ff;
    bits = sign | ((113 - shift) << 23) | (mantissa << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  uint16_t sign = (bits >> 16) & 0x8000;
  uint32_t absBits = bits & 0x7fffffffu;
  if (absBits > 0x7f800000u) // NaN
    return sign | 0x7e00;
  if (absBits >= 0x477ff000u) // rounds to inf
    return sign | 0x7c00;
  if (absBits < 0x38800000u) { // subnormal or zero in half
    float magnitude;
    std::memcpy(&magnitude, &absBits, 4);
    // Scale so the half subnormal unit (2^-24) becomes 1; round to even.
    float scaled = magnitude * 16777216.0f;
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  uint32_t rounded = absBits + 0xfff + ((absBits >> 13) & 1);
  return sign | static_cast<uint16_t>((rounded - 0x38000000u) >> 13);
}

float bf16ToFloat(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToBf16(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x40);
  bits += 0x7fff + ((bits >> 16) & 1);
  return static_cast<uint16_t>(bits >> 16);
}

template <typename T> T load(const uint8_t *data, size_t i) {
  T value;
  std::memcpy(&value, data + i * sizeof(T), sizeof(T));
  return value;
}

double elementAt(uint32_t dtype, const uint8_t *data, size_t i) {
  switch (dtype) {
  case AGM_F32: return load<float>(data, i);
  case AGM_F64: return load<double>(data, i);
  case AGM_F16: return halfToFloat(load<uint16_t>(data, i));
  case AGM_BF16: return bf16ToFloat(load<uint16_t>(data, i));
  case AGM_I8: return load<int8_t>(data, i);
  case AGM_I16: return load<int16_t>(data, i);
  case AGM_I32: return load<int32_t>(data, i);
  case AGM_I64: return static_cast<double>(load<int64_t>(data, i));
  case AGM_U8: return load<uint8_t>(data, i);
  case AGM_U16: return load<uint16_t>(data, i);
  case AGM_U32: return load<uint32_t>(data, i);
  case AGM_U64: return static_cast<double>(load<uint64_t>(data, i));
  case AGM_BOOL: return load<uint8_t>(data, i) != 0;
  default: return 0;
  }
}

std::string formatNumber(double value, uint32_t dtype) {
  char text[64];
  if (!isFloat(dtype) && std::isfinite(value))
    std::snprintf(text, sizeof(text), "%.0f", value);
  else
    std::snprintf(text, sizeof(text), "%.6g", value);
  return text;
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

struct FreeDeleter {
  void operator()(void *p) const { std::free(p); }
};

/// A 64-byte aligned host tensor for one input or output.
struct HostTensor {
  agm_tensor_info info{};
  std::unique_ptr<uint8_t, FreeDeleter> data;
  std::string source; // where an input came from

  bool allocate() {
    size_t size = (info.byte_size + 63) / 64 * 64;
    data.reset(static_cast<uint8_t *>(std::aligned_alloc(64, size ? size : 64)));
    if (data)
      std::memset(data.get(), 0, size ? size : 64);
    return data != nullptr;
  }
  size_t elements() const {
    size_t size = dtypeSize(info.dtype);
    return size ? info.byte_size / size : 0;
  }
  std::vector<int64_t> shape() const {
    return std::vector<int64_t>(info.dims, info.dims + info.rank);
  }
  std::string typeString() const {
    return std::string(dtypeName(info.dtype)) + npy::formatShape(shape());
  }
};

struct Failure {
  std::ostream &err;
  int operator()(const std::string &message, int code = kExitFailure) const {
    err << "autoglm-run: error: " << message << "\n";
    return code;
  }
};

/// name=path; false when there is no '=' or either side is empty.
bool splitSpec(const std::string &spec, std::string &name, std::string &path) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    return false;
  name = spec.substr(0, eq);
  path = spec.substr(eq + 1);
  return true;
}

/// The expected .npy descr for a tensor of `dtype` (bf16 travels as f32).
uint32_t fileDtypeOf(uint32_t dtype) {
  return dtype == AGM_BF16 ? static_cast<uint32_t>(AGM_F32) : dtype;
}

bool loadInput(HostTensor &tensor, const std::string &path,
               std::string &error) {
  npy::Array array;
  std::string readError;
  std::string what = "input '" + std::string(tensor.info.name) + "' (" +
                     path + ")";
  if (!npy::read(path, array, readError)) {
    error = "input '" + std::string(tensor.info.name) + "': " + readError;
    return false;
  }
  if (array.fortranOrder) {
    error = what + ": Fortran-order arrays are not supported; save it in C "
                   "order (numpy.ascontiguousarray)";
    return false;
  }
  uint32_t expected = fileDtypeOf(tensor.info.dtype);
  if (array.dtype != expected) {
    error = what + ": dtype " + dtypeName(array.dtype) + " ('" + array.descr +
            "'), but the model expects " + dtypeName(tensor.info.dtype) +
            (tensor.info.dtype == AGM_BF16 ? " (given as f32 '<f4')" : "");
    return false;
  }
  if (array.shape != tensor.shape()) {
    error = what + ": shape " + npy::formatShape(array.shape) +
            ", but the model expects " + npy::formatShape(tensor.shape()) +
            " (" + tensor.typeString() + ")";
    return false;
  }
  if (tensor.info.dtype == AGM_BF16) {
    for (size_t i = 0; i < tensor.elements(); ++i) {
      uint16_t value = floatToBf16(load<float>(array.data.data(), i));
      std::memcpy(tensor.data.get() + 2 * i, &value, 2);
    }
  } else if (!array.data.empty()) {
    std::memcpy(tensor.data.get(), array.data.data(), array.data.size());
  }
  return true;
}

void fillRandom(HostTensor &tensor, std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int> signedInt(-5, 5);
  std::uniform_int_distribution<int> unsignedInt(0, 10);
  std::uniform_int_distribution<int> boolean(0, 1);
  uint8_t *data = tensor.data.get();
  for (size_t i = 0; i < tensor.elements(); ++i) {
    auto store = [&](auto value) {
      std::memcpy(data + i * sizeof(value), &value, sizeof(value));
    };
    switch (tensor.info.dtype) {
    case AGM_F32: store(static_cast<float>(real(rng))); break;
    case AGM_F64: store(real(rng)); break;
    case AGM_F16: store(floatToHalf(static_cast<float>(real(rng)))); break;
    case AGM_BF16: store(floatToBf16(static_cast<float>(real(rng)))); break;
    case AGM_I8: store(static_cast<int8_t>(signedInt(rng))); break;
    case AGM_I16: store(static_cast<int16_t>(signedInt(rng))); break;
    case AGM_I32: store(static_cast<int32_t>(signedInt(rng))); break;
    case AGM_I64: store(static_cast<int64_t>(signedInt(rng))); break;
    case AGM_U8: store(static_cast<uint8_t>(unsignedInt(rng))); break;
    case AGM_U16: store(static_cast<uint16_t>(unsignedInt(rng))); break;
    case AGM_U32: store(static_cast<uint32_t>(unsignedInt(rng))); break;
    case AGM_U64: store(static_cast<uint64_t>(unsignedInt(rng))); break;
    case AGM_BOOL: store(static_cast<uint8_t>(boolean(rng))); break;
    default: break;
    }
  }
}

std::string summarize(const HostTensor &tensor) {
  size_t count = tensor.elements();
  uint32_t dtype = tensor.info.dtype;
  const uint8_t *data = tensor.data.get();
  double minimum = std::numeric_limits<double>::infinity();
  double maximum = -minimum, sum = 0;
  size_t nans = 0;
  for (size_t i = 0; i < count; ++i) {
    double value = elementAt(dtype, data, i);
    if (std::isnan(value)) {
      ++nans;
      continue;
    }
    minimum = std::min(minimum, value);
    maximum = std::max(maximum, value);
    sum += value;
  }
  std::string out;
  if (count == nans) {
    out = count ? "all NaN" : "empty";
  } else {
    out = "min " + formatNumber(minimum, dtype) + ", max " +
          formatNumber(maximum, dtype) + ", mean " +
          formatNumber(sum / static_cast<double>(count - nans), AGM_F64);
    if (nans)
      out += ", " + std::to_string(nans) + " NaN";
  }
  out += ", first [";
  size_t shown = std::min<size_t>(count, 8);
  for (size_t i = 0; i < shown; ++i)
    out += (i ? ", " : "") + formatNumber(elementAt(dtype, data, i), dtype);
  out += count > shown ? ", ...]" : "]";
  return out;
}

std::string fileNameFor(const std::string &name) {
  std::string out;
  for (char c : name)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' ||
            c == '-' || c == '_')
               ? c
               : '_';
  if (out.empty() || out[0] == '.')
    out = "_" + out;
  return out;
}

std::string indexString(size_t flat, const std::vector<int64_t> &shape) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    int64_t dim = std::max<int64_t>(shape[d], 1);
    index[d] = static_cast<int64_t>(flat % static_cast<size_t>(dim));
    flat /= static_cast<size_t>(dim);
  }
  return npy::formatShape(index);
}

/// Compares an output with a reference file; prints the result. Returns
/// false on a mismatch or an unusable reference.
bool compareOutput(const HostTensor &tensor, const std::string &path,
                   const RunOptions &options, std::ostream &out,
                   std::ostream &err) {
  std::string name = tensor.info.name;
  npy::Array ref;
  std::string error;
  if (!npy::read(path, ref, error)) {
    Failure{err}("--compare '" + name + "': " + error);
    return false;
  }
  if (ref.fortranOrder) {
    Failure{err}("--compare '" + name + "' (" + path +
                 "): Fortran-order arrays are not supported");
    return false;
  }
  if (ref.shape != tensor.shape()) {
    Failure{err}("--compare '" + name + "' (" + path + "): shape " +
                 npy::formatShape(ref.shape) + ", but output '" + name +
                 "' has shape " + npy::formatShape(tensor.shape()));
    return false;
  }
  size_t count = tensor.elements();
  size_t mismatches = 0, worst = 0;
  double worstExcess = -std::numeric_limits<double>::infinity();
  double maxAbs = 0, maxRel = 0;
  for (size_t i = 0; i < count; ++i) {
    double got = elementAt(tensor.info.dtype, tensor.data.get(), i);
    double expected = elementAt(ref.dtype, ref.data.data(), i);
    double excess;
    bool bothNan = std::isnan(got) && std::isnan(expected);
    if (bothNan || got == expected) {
      excess = -std::numeric_limits<double>::infinity();
    } else if (std::isnan(got) || std::isnan(expected) ||
               std::isinf(got) || std::isinf(expected)) {
      excess = std::numeric_limits<double>::infinity();
    } else {
      double diff = std::fabs(got - expected);
      maxAbs = std::max(maxAbs, diff);
      if (expected != 0)
        maxRel = std::max(maxRel, diff / std::fabs(expected));
      excess = diff - (options.atol + options.rtol * std::fabs(expected));
    }
    bool bad = excess > 0;
    if (bad)
      ++mismatches;
    if (bad && excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  char tolerance[96];
  std::snprintf(tolerance, sizeof(tolerance), "rtol %g, atol %g", options.rtol,
                options.atol);
  if (mismatches == 0) {
    out << "compare '" << name << "' with " << path << ": ok, " << count
        << " elements within " << tolerance << " (max abs error "
        << formatNumber(maxAbs, AGM_F64) << ", max rel error "
        << formatNumber(maxRel, AGM_F64) << ")\n";
    return true;
  }
  double got = elementAt(tensor.info.dtype, tensor.data.get(), worst);
  double expected = elementAt(ref.dtype, ref.data.data(), worst);
  double absError = std::fabs(got - expected);
  double relError = expected != 0 ? absError / std::fabs(expected)
                                  : std::numeric_limits<double>::infinity();
  err << "autoglm-run: mismatch: output '" << name << "' vs " << path << ": "
      << mismatches << " of " << count << " elements differ (" << tolerance
      << "); worst at " << indexString(worst, tensor.shape())
      << " (flat index " << worst << "): got "
      << formatNumber(got, tensor.info.dtype) << ", expected "
      << formatNumber(expected, ref.dtype) << ", abs error "
      << formatNumber(absError, AGM_F64) << ", rel error "
      << formatNumber(relError, AGM_F64) << "\n";
  return false;
}

/// Releases the model and statuses on scope exit.
struct ModelHolder {
  agm_model model = nullptr;
  ~ModelHolder() { agm_model_release(model); }
};

std::string takeMessage(agm_status status) {
  std::string message = agm_status_message(status);
  agm_status_release(status);
  return message;
}

} // namespace

std::string whereItRuns(const RunOptions &options, agm_model model) {
  if (agm_model_target(model) == AGM_TARGET_CUDA)
    return std::string("device: ") + agm_model_device_description(model) +
           (options.noCudaGraphs ? ", CUDA graphs off" : "");
  return "threads: " +
         (options.threads ? std::to_string(options.threads) : "all cores");
}

int runArtifact(const RunOptions &options, std::ostream &out,
                std::ostream &err) {
  Failure fail{err};

  // Command-line specs first: usage problems exit 2 before any work.
  std::vector<std::pair<std::string, std::string>> inputSpecs, compareSpecs;
  for (auto [specs, parsed, option] :
       {std::make_tuple(&options.inputs, &inputSpecs, "--input"),
        std::make_tuple(&options.compares, &compareSpecs, "--compare")}) {
    std::set<std::string> seen;
    for (const std::string &spec : *specs) {
      std::string name, path;
      if (!splitSpec(spec, name, path))
        return fail(std::string(option) + " '" + spec +
                        "': expected name=file.npy",
                    kExitUsage);
      if (!seen.insert(name).second)
        return fail(std::string(option) + " '" + name + "' given twice",
                    kExitUsage);
      parsed->emplace_back(name, path);
    }
  }
  if (options.threads < 0 || options.benchmarkRuns < 0 ||
      options.warmupRuns < 0 || options.rtol < 0 || options.atol < 0)
    return fail("--threads, --benchmark, --warmup, --rtol and --atol must not "
                "be negative",
                kExitUsage);
  std::vector<int64_t> promptIds;
  if (options.promptIdsGiven) {
    std::string error;
    if (!parsePromptIds(options.promptIds, promptIds, error))
      return fail(error, kExitUsage);
    if (!options.inputs.empty() || !options.compares.empty() ||
        options.entryGiven)
      return fail("--prompt-ids generates with the entry points 'prefill' "
                  "and 'decode'; it cannot be combined with --input, "
                  "--compare or --entry",
                  kExitUsage);
    if (options.maxNewTokens < 0 || (options.stopIdGiven && options.stopId < 0))
      return fail("--max-new-tokens and --stop-id must not be negative",
                  kExitUsage);
  } else if (options.maxNewTokensGiven || options.stopIdGiven) {
    return fail("--max-new-tokens and --stop-id need --prompt-ids", kExitUsage);
  }

  // An explicit --device must be the artifact's target.
  if (!options.device.empty()) {
    int32_t target = 0;
    if (agm_status status =
            agm_artifact_target(options.modelPath.c_str(), &target))
      return fail(takeMessage(status));
    bool cuda = target == AGM_TARGET_CUDA;
    if (options.device != (cuda ? "cuda" : "cpu"))
      return fail(cuda ? options.modelPath +
                             " was compiled for cuda; run it with "
                             "--device=cuda (cuda artifacts do not run on "
                             "the cpu)"
                       : options.modelPath +
                             " was compiled for the cpu; run it with "
                             "--device=cpu, or recompile it with "
                             "--target=cuda (cpu artifacts do not run on "
                             "cuda)",
                  kExitUsage);
  }

  // Load.
  agm_runtime_options runtimeOptions;
  agm_runtime_options_init(&runtimeOptions);
  runtimeOptions.threads = options.threads;
  runtimeOptions.disable_cuda_graphs = options.noCudaGraphs;
  runtimeOptions.cuda_device = options.gpu;
  ModelHolder holder;
  if (agm_status status = agm_model_create(options.modelPath.c_str(),
                                           &runtimeOptions, &holder.model))
    return fail(takeMessage(status));
  agm_model model = holder.model;
  if (options.promptIdsGiven)
    return runGeneration(options, promptIds, model, out, err);

  int32_t entry = -1;
  if (agm_status status =
          agm_model_find_entry(model, options.entry.c_str(), &entry)) {
    if (!options.entryGiven && agm_model_entry_count(model) == 1) {
      agm_status_release(status);
      entry = 0;
    } else if (!options.entryGiven && looksLikeLlm(model)) {
      agm_status_release(status);
      return fail(options.modelPath +
                      " is an LLM artifact (entry points 'prefill' and "
                      "'decode'): pass --prompt-ids 1,2,3 [--max-new-tokens "
                      "N] to generate, or --entry prefill|decode to run one "
                      "entry point on inputs",
                  kExitUsage);
    } else {
      return fail(takeMessage(status));
    }
  }
  const char *entryName = agm_model_entry_name(model, entry);

  // Inputs.
  int32_t inputCount = agm_model_input_count(model, entry);
  int32_t outputCount = agm_model_output_count(model, entry);
  std::vector<HostTensor> inputs(std::max(inputCount, 0));
  std::string inputNames;
  for (int32_t i = 0; i < inputCount; ++i) {
    if (agm_status status =
            agm_model_input_info(model, entry, i, &inputs[i].info))
      return fail(takeMessage(status));
    if (!inputs[i].allocate())
      return fail("out of memory allocating input '" +
                  std::string(inputs[i].info.name) + "'");
    inputNames += (i ? ", '" : "'") + std::string(inputs[i].info.name) + "'";
  }
  for (const auto &[name, path] : inputSpecs) {
    auto it = std::find_if(inputs.begin(), inputs.end(), [&](auto &t) {
      return name == t.info.name;
    });
    if (it == inputs.end())
      return fail("--input '" + name + "': entry point '" + entryName +
                  "' has no input of that name (its inputs: " +
                  (inputNames.empty() ? "none" : inputNames) + ")");
    std::string error;
    if (!loadInput(*it, path, error))
      return fail(error);
    it->source = "from " + path;
  }
  std::mt19937_64 rng(options.randomSeed);
  for (HostTensor &input : inputs) {
    if (!input.source.empty())
      continue;
    fillRandom(input, rng);
    input.source = "random (seed " + std::to_string(options.randomSeed) + ")";
  }

  // Outputs.
  std::vector<HostTensor> outputs(std::max(outputCount, 0));
  for (int32_t i = 0; i < outputCount; ++i) {
    if (agm_status status =
            agm_model_output_info(model, entry, i, &outputs[i].info))
      return fail(takeMessage(status));
    if (!outputs[i].allocate())
      return fail("out of memory allocating output '" +
                  std::string(outputs[i].info.name) + "'");
  }
  for (const auto &spec : compareSpecs) {
    const std::string &name = spec.first;
    if (std::none_of(outputs.begin(), outputs.end(),
                     [&](auto &t) { return name == t.info.name; })) {
      std::string names;
      for (const HostTensor &t : outputs)
        names += (names.empty() ? "'" : ", '") + std::string(t.info.name) + "'";
      return fail("--compare '" + name + "': entry point '" + entryName +
                  "' has no output of that name (its outputs: " +
                  (names.empty() ? "none" : names) + ")");
    }
  }

  std::vector<const void *> inputPointers;
  for (HostTensor &t : inputs)
    inputPointers.push_back(t.data.get());
  std::vector<void *> outputPointers;
  for (HostTensor &t : outputs)
    outputPointers.push_back(t.data.get());

  out << "model " << options.modelPath << ", entry point '" << entryName
      << "', " << whereItRuns(options, model) << "\n";
  for (size_t i = 0; i < inputs.size(); ++i)
    out << "input " << i << " '" << inputs[i].info.name
        << "': " << inputs[i].typeString() << " " << inputs[i].source << "\n";

  // Run.
  if (agm_status status = agm_model_run(model, entry, inputPointers.data(),
                                        outputPointers.data()))
    return fail(takeMessage(status));

  std::set<std::string> fileNames;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const HostTensor &t = outputs[i];
    out << "output " << i << " '" << t.info.name << "': " << t.typeString()
        << ": " << summarize(t) << "\n";
  }

  // Save.
  if (!options.outputDir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.outputDir, ec);
    if (ec)
      return fail("--output-dir '" + options.outputDir +
                  "': cannot create: " + ec.message());
    for (size_t i = 0; i < outputs.size(); ++i) {
      const HostTensor &t = outputs[i];
      std::string base = fileNameFor(t.info.name);
      if (!fileNames.insert(base).second)
        base += "_" + std::to_string(i);
      std::string path = options.outputDir + "/" + base + ".npy";
      std::string error;
      bool ok;
      if (t.info.dtype == AGM_BF16) {
        std::vector<float> widened(t.elements());
        for (size_t k = 0; k < widened.size(); ++k)
          widened[k] = bf16ToFloat(load<uint16_t>(t.data.get(), k));
        ok = npy::write(path, AGM_F32, t.shape(), widened.data(),
                        widened.size() * 4, error);
      } else {
        ok = npy::write(path, t.info.dtype, t.shape(), t.data.get(),
                        t.info.byte_size, error);
      }
      if (!ok)
        return fail("output '" + std::string(t.info.name) + "': " + error);
      out << "saved output '" << t.info.name << "' to " << path
          << (t.info.dtype == AGM_BF16 ? " (bf16 widened to f32)" : "")
          << "\n";
    }
  }

  // Compare.
  bool allMatch = true;
  for (const auto &[name, path] : compareSpecs) {
    const HostTensor &t = *std::find_if(
        outputs.begin(), outputs.end(),
        [&](auto &candidate) { return name == candidate.info.name; });
    allMatch &= compareOutput(t, path, options, out, err);
  }

  // Benchmark.
  if (options.benchmarkRuns > 0) {
    using Clock = std::chrono::steady_clock;
    for (int i = 0; i < options.warmupRuns; ++i)
      if (agm_status status = agm_model_run(model, entry, inputPointers.data(),
                                            outputPointers.data()))
        return fail(takeMessage(status));
    std::vector<double> times, deviceTimes;
    for (int i = 0; i < options.benchmarkRuns; ++i) {
      auto start = Clock::now();
      agm_status status = agm_model_run(model, entry, inputPointers.data(),
                                        outputPointers.data());
      auto end = Clock::now();
      if (status)
        return fail(takeMessage(status));
      times.push_back(
          std::chrono::duration<double, std::milli>(end - start).count());
      double device = agm_model_last_run_device_ms(model);
      if (device >= 0)
        deviceTimes.push_back(device);
    }
    std::sort(times.begin(), times.end());
    size_t n = times.size();
    double median = n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
    size_t p90Rank = (9 * n + 9) / 10; // ceil(0.9 n), 1-based
    double p90 = times[std::min(n, std::max<size_t>(p90Rank, 1)) - 1];
    char line[256];
    std::snprintf(line, sizeof(line),
                  "benchmark: %d runs after %d warmup: min %.3f ms, median "
                  "%.3f ms, p90 %.3f ms\n",
                  options.benchmarkRuns, options.warmupRuns, times.front(),
                  median, p90);
    out << line;
    if (!deviceTimes.empty()) {
      std::sort(deviceTimes.begin(), deviceTimes.end());
      size_t m = deviceTimes.size();
      double device = m % 2 ? deviceTimes[m / 2]
                            : (deviceTimes[m / 2 - 1] + deviceTimes[m / 2]) / 2;
      std::snprintf(line, sizeof(line),
                    "device: median %.3f ms of kernels (CUDA events); launch "
                    "overhead and copies: %.1f%% of the median wall time\n",
                    device,
                    median > 0 ? 100.0 * std::max(0.0, 1 - device / median)
                               : 0.0);
      out << line;
    }
  }
  return allMatch ? kExitOk : kExitFailure;
}

} // namespace autoglm
