//===- GlmConfig.cpp - config.json of a GLM / GLM-4 checkpoint ------------===//

#include "compiler/import/glm/GlmConfig.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <cstdio>

namespace mlir::autoglm::glm_import {

namespace json = llvm::json;

StringRef GlmConfig::modelType() const {
  return architecture == GlmArchitecture::Glm ? "glm" : "glm4";
}

StringRef GlmConfig::className() const {
  return architecture == GlmArchitecture::Glm ? "GlmForCausalLM"
                                              : "Glm4ForCausalLM";
}

int64_t GlmConfig::rotaryDim() const {
  return std::llround(double(headDim) * partialRotaryFactor);
}

namespace {

/// Sizes beyond this are refused, so that products of a few of them (weight
/// element counts, cache sizes) cannot overflow int64.
constexpr int64_t kMaxSize = int64_t(1) << 31;

/// A double as config.json would likely spell it (%g: 1e-05, 0.5, 10000).
std::string num(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

std::string show(const json::Value &value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << value;
  return text;
}

/// Reads fields of config.json, applying defaults for absent keys and
/// collecting every problem.
class ConfigReader {
public:
  explicit ConfigReader(const json::Object &root) : root(root) {}

  std::vector<std::string> problems;

  void problem(const Twine &text) { problems.push_back(text.str()); }

  /// A positive integer (sizes, counts). Null is a problem: the modeling
  /// code would fail on None.
  void readSize(StringRef key, int64_t &field) {
    const json::Value *value = root.get(key);
    if (!value)
      return;
    std::optional<int64_t> number = value->getAsInteger();
    if (!number)
      problem(key + ": " + show(*value) + " is not a positive integer");
    else if (*number <= 0)
      problem(key + ": " + Twine(*number) + " is not positive");
    else if (*number > kMaxSize)
      problem(key + ": " + Twine(*number) + " is too large");
    else
      field = *number;
  }

  /// A number from `object` (root or a rope dict); false when absent.
  bool readNumber(const json::Object &object, StringRef key, StringRef where,
                  double &field) {
    const json::Value *value = object.get(key);
    if (!value)
      return false;
    std::optional<double> number = value->getAsNumber();
    if (!number || !std::isfinite(*number)) {
      problem(where + key + ": " + show(*value) + " is not a number");
      return true;
    }
    field = *number;
    return true;
  }

  void readBool(StringRef key, bool &field) {
    const json::Value *value = root.get(key);
    if (!value)
      return;
    if (std::optional<bool> flag = value->getAsBoolean())
      field = *flag;
    else
      problem(key + ": " + show(*value) + " is not true or false");
  }

  /// A string from `object`; false when absent.
  bool readString(const json::Object &object, StringRef key, StringRef where,
                  std::string &field) {
    const json::Value *value = object.get(key);
    if (!value)
      return false;
    if (std::optional<StringRef> text = value->getAsString())
      field = text->str();
    else
      problem(where + key + ": " + show(*value) + " is not a string");
    return true;
  }

  const json::Object &root;
};

/// architectures / model_type -> the architecture.
void readArchitecture(ConfigReader &reader, GlmConfig &config) {
  const json::Object &root = reader.root;
  std::optional<GlmArchitecture> fromClass, fromType;
  bool unknownClass = false;
  if (const json::Value *value = root.get("architectures");
      value && value->kind() != json::Value::Null) {
    const json::Array *names = value->getAsArray();
    if (!names)
      reader.problem("architectures: " + show(*value) + " is not a list");
    for (const json::Value &entry : names ? *names : json::Array()) {
      std::optional<StringRef> name = entry.getAsString();
      std::optional<GlmArchitecture> arch;
      if (name && *name == "GlmForCausalLM")
        arch = GlmArchitecture::Glm;
      else if (name && *name == "Glm4ForCausalLM")
        arch = GlmArchitecture::Glm4;
      if (!arch) {
        reader.problem("unknown architecture '" +
                       (name ? name->str() : show(entry)) +
                       "' (supported: GlmForCausalLM, Glm4ForCausalLM)");
        unknownClass = true;
      } else if (fromClass && *fromClass != *arch) {
        reader.problem("architectures lists both GlmForCausalLM and "
                       "Glm4ForCausalLM");
      } else {
        fromClass = arch;
      }
    }
  }
  std::string modelType;
  if (reader.readString(root, "model_type", "", modelType)) {
    if (modelType == "glm")
      fromType = GlmArchitecture::Glm;
    else if (modelType == "glm4")
      fromType = GlmArchitecture::Glm4;
    else if (!fromClass && !unknownClass)
      reader.problem("unknown model_type '" + modelType +
                     "' (supported: glm, glm4)");
  }
  if (fromClass && fromType && *fromClass != *fromType) {
    GlmConfig classConfig;
    classConfig.architecture = *fromClass;
    reader.problem("architectures names " + classConfig.className() +
                   " but model_type is '" + modelType + "'");
  }
  if (!fromClass && !fromType && !unknownClass &&
      !root.get("model_type"))
    reader.problem("no architecture: config.json has neither "
                   "'architectures' nor 'model_type' (supported: "
                   "GlmForCausalLM, Glm4ForCausalLM)");
  if (fromClass)
    config.architecture = *fromClass;
  else if (fromType)
    config.architecture = *fromType;
}

/// Rope parameters: the `rope_parameters` dict (5.x) first, then top-level
/// keys (4.x), then the defaults. Only the default rope type is supported.
void readRope(ConfigReader &reader, GlmConfig &config) {
  const json::Object &root = reader.root;
  const json::Object *params = nullptr;
  if (const json::Value *value = root.get("rope_parameters");
      value && value->kind() != json::Value::Null) {
    params = value->getAsObject();
    if (!params)
      reader.problem("rope_parameters: " + show(*value) +
                     " is not an object");
  }
  if (const json::Value *value = root.get("rope_scaling");
      value && value->kind() != json::Value::Null)
    reader.problem("rope_scaling: " + show(*value) +
                   " is not supported (only the default rope, "
                   "rope_scaling null)");
  if (params) {
    if (!reader.readString(*params, "rope_type", "rope_parameters.",
                           config.ropeType))
      reader.readString(*params, "type", "rope_parameters.", config.ropeType);
    if (config.ropeType != "default")
      reader.problem("rope_parameters.rope_type: '" + config.ropeType +
                     "' is not supported (only 'default')");
  }
  auto readRopeNumber = [&](StringRef key, double &field) {
    if (!params ||
        !reader.readNumber(*params, key, "rope_parameters.", field))
      reader.readNumber(root, key, "", field);
  };
  readRopeNumber("rope_theta", config.ropeTheta);
  readRopeNumber("partial_rotary_factor", config.partialRotaryFactor);
  if (!(config.ropeTheta > 0))
    reader.problem("rope_theta: " + num(config.ropeTheta) +
                   " is not positive");
  double rotary = double(config.headDim) * config.partialRotaryFactor;
  if (!(config.partialRotaryFactor > 0 && config.partialRotaryFactor <= 1))
    reader.problem("partial_rotary_factor: " +
                   num(config.partialRotaryFactor) +
                   " is not in (0, 1]");
  else if (std::fabs(rotary - std::round(rotary)) > 1e-9 * rotary)
    reader.problem("partial_rotary_factor: head_dim " +
                   Twine(config.headDim) + " * " +
                   num(config.partialRotaryFactor) + " = " +
                   num(rotary) + " rotary channels is not an integer");
  else if (std::llround(rotary) % 2 != 0)
    reader.problem("partial_rotary_factor: head_dim " +
                   Twine(config.headDim) + " * " +
                   num(config.partialRotaryFactor) + " = " +
                   Twine(std::llround(rotary)) +
                   " rotary channels is odd (channels rotate in pairs)");
}

} // namespace

llvm::Expected<GlmConfig> parseGlmConfig(StringRef text,
                                         StringRef displayName) {
  auto fail = [&](const Twine &message) -> llvm::Error {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   displayName + ": error: " + message);
  };
  llvm::Expected<json::Value> parsed = json::parse(text);
  if (!parsed)
    return fail("not valid JSON: " + llvm::toString(parsed.takeError()));
  const json::Object *root = parsed->getAsObject();
  if (!root)
    return fail("not a JSON object");

  GlmConfig config;
  ConfigReader reader(*root);
  readArchitecture(reader, config);
  reader.readSize("vocab_size", config.vocabSize);
  reader.readSize("hidden_size", config.hiddenSize);
  reader.readSize("intermediate_size", config.intermediateSize);
  reader.readSize("num_hidden_layers", config.numHiddenLayers);
  reader.readSize("num_attention_heads", config.numAttentionHeads);
  reader.readSize("num_key_value_heads", config.numKeyValueHeads);
  reader.readSize("head_dim", config.headDim);
  reader.readSize("max_position_embeddings", config.maxPositionEmbeddings);
  if (config.numAttentionHeads % config.numKeyValueHeads != 0)
    reader.problem("num_attention_heads " +
                   Twine(config.numAttentionHeads) +
                   " is not a multiple of num_key_value_heads " +
                   Twine(config.numKeyValueHeads));
  if (reader.readString(*root, "hidden_act", "", config.hiddenAct) &&
      config.hiddenAct != "silu")
    reader.problem("hidden_act: '" + config.hiddenAct +
                   "' is not supported (only 'silu')");
  if (reader.readNumber(*root, "rms_norm_eps", "", config.rmsNormEps) &&
      config.rmsNormEps < 0)
    reader.problem("rms_norm_eps: " + num(config.rmsNormEps) +
                   " is negative");
  reader.readBool("attention_bias", config.attentionBias);
  reader.readBool("tie_word_embeddings", config.tieWordEmbeddings);
  readRope(reader, config);
  if (const json::Value *value = root->get("quantization_config");
      value && value->kind() != json::Value::Null)
    reader.problem("quantization_config: pre-quantized checkpoints are not "
                   "supported (import the float checkpoint and use "
                   "--quantize)");

  if (reader.problems.size() == 1)
    return fail(reader.problems.front());
  if (!reader.problems.empty()) {
    std::string message = std::to_string(reader.problems.size()) +
                          " unsupported or invalid config values:";
    for (const std::string &problem : reader.problems)
      message += "\n  " + problem;
    return fail(message);
  }
  return config;
}

llvm::Expected<GlmConfig> readGlmConfig(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buffer)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   path + ": error: cannot read the file: " +
                                       buffer.getError().message());
  return parseGlmConfig((*buffer)->getBuffer(), path);
}

} // namespace mlir::autoglm::glm_import
