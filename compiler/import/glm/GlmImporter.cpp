//===- GlmImporter.cpp - GLM checkpoints into the ag dialect --------------===//
//
// Reads config.json, opens the safetensors files, checks every tensor
// against what the architecture expects (one error listing every missing,
// unexpected, misshapen or mistyped tensor), imports each tensor once as an
// f32 DenseResourceElementsAttr (mapped in place when it is f32 and aligned,
// converted from bf16 / f16 otherwise) and builds the module.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/glm/GlmImporter.h"
#include "compiler/import/glm/GlmConfig.h"
#include "compiler/import/glm/GlmModelBuilder.h"
#include "compiler/import/glm/Safetensors.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Alignment.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstring>

namespace mlir::autoglm::glm_import {

/// Larger caches are refused (their size would overflow long before).
static constexpr int64_t kMaxContextLimit = int64_t(1) << 24;

std::string checkGlmImportOptions(const GlmImportOptions &options) {
  if (options.prefillLength <= 0)
    return "--prefill-length must be positive, got " +
           std::to_string(options.prefillLength);
  if (options.maxContext <= 0)
    return "--max-context must be positive, got " +
           std::to_string(options.maxContext);
  if (options.maxContext > kMaxContextLimit)
    return "--max-context " + std::to_string(options.maxContext) +
           " is too large (at most " + std::to_string(kMaxContextLimit) + ")";
  if (options.maxContext % options.prefillLength != 0)
    return "--max-context " + std::to_string(options.maxContext) +
           " is not a multiple of --prefill-length " +
           std::to_string(options.prefillLength) +
           " (prefill writes whole chunks into the KV cache)";
  return "";
}

bool isGlmCheckpoint(StringRef path) {
  return llvm::sys::fs::is_directory(path) ||
         llvm::sys::path::filename(path) == "config.json";
}

namespace {

std::string formatDims(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, dim] : llvm::enumerate(shape))
    text += (i ? ", " : "") + std::to_string(dim);
  return text + "]";
}

/// Checks the store against the architecture; every mismatch goes into one
/// error. On success, returns the name the logits read.
llvm::Expected<std::string> checkTensors(const GlmConfig &config,
                                         const TensorStore &store) {
  std::vector<ExpectedTensor> expected = expectedGlmTensors(config);
  llvm::StringSet<> known;
  std::vector<std::string> missing, unexpected, wrongShape, wrongType;
  for (const ExpectedTensor &tensor : expected) {
    known.insert(tensor.name);
    auto it = store.tensors.find(tensor.name);
    if (it == store.tensors.end()) {
      if (!tensor.optional)
        missing.push_back(tensor.name + " " + formatDims(tensor.shape));
      continue;
    }
    const SafetensorsTensor &found = it->second;
    if (ArrayRef<int64_t>(found.shape) != ArrayRef<int64_t>(tensor.shape))
      wrongShape.push_back(tensor.name + ": expected " +
                           formatDims(tensor.shape) + ", found " +
                           formatDims(found.shape));
    if (found.dtype != "F32" && found.dtype != "BF16" && found.dtype != "F16")
      wrongType.push_back(tensor.name + ": " + found.dtype +
                          " (supported: F32, BF16, F16)");
  }
  for (const auto &[name, tensor] : store.tensors)
    if (!known.contains(name))
      unexpected.push_back(name + " " + formatDims(tensor.shape) + " (in " +
                           llvm::sys::path::filename(tensor.path).str() +
                           ")");
  size_t problems =
      missing.size() + unexpected.size() + wrongShape.size() + wrongType.size();
  if (problems == 0)
    return std::string(store.tensors.count("lm_head.weight")
                           ? "lm_head.weight"
                           : "model.embed_tokens.weight");

  std::string message;
  llvm::raw_string_ostream os(message);
  os << store.source << ": error: the checkpoint's tensors do not match "
     << config.className() << " with its config.json (";
  bool first = true;
  auto count = [&](size_t n, StringRef what) {
    if (n == 0)
      return;
    os << (first ? "" : ", ") << n << " " << what;
    first = false;
  };
  count(missing.size(), "missing");
  count(unexpected.size(), "unexpected");
  count(wrongShape.size(), wrongShape.size() == 1 ? "wrong shape"
                                                  : "wrong shapes");
  count(wrongType.size(), wrongType.size() == 1 ? "unsupported dtype"
                                                : "unsupported dtypes");
  os << "):";
  for (const std::string &line : missing)
    os << "\n  missing: " << line;
  for (const std::string &line : unexpected)
    os << "\n  unexpected: " << line;
  for (const std::string &line : wrongShape)
    os << "\n  wrong shape: " << line;
  for (const std::string &line : wrongType)
    os << "\n  unsupported dtype: " << line;
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

float bf16ToF32(uint16_t bits) {
  uint32_t word = uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &word, sizeof(value));
  return value;
}

float f16ToF32(uint16_t bits) {
  uint32_t sign = uint32_t(bits & 0x8000) << 16;
  uint32_t exponent = (bits >> 10) & 0x1f, mantissa = bits & 0x3ff;
  uint32_t word;
  if (exponent == 0x1f) { // inf / nan
    word = sign | 0x7f800000 | (mantissa << 13);
  } else if (exponent != 0) { // normal
    word = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) { // zero
    word = sign;
  } else { // subnormal: normalize
    int shift = 0;
    while (!(mantissa & 0x400)) {
      mantissa <<= 1;
      ++shift;
    }
    word = sign | (uint32_t(113 - shift) << 23) | ((mantissa & 0x3ff) << 13);
  }
  float value;
  std::memcpy(&value, &word, sizeof(value));
  return value;
}

/// An f32 dense_resource blob of `tensor`: the mapped bytes themselves when
/// they are f32 and aligned (the blob keeps the mapping alive), else a
/// converted or copied heap buffer.
ElementsAttr importTensor(const SafetensorsTensor &tensor,
                          MLIRContext &context) {
  auto type = RankedTensorType::get(tensor.shape, Float32Type::get(&context));
  ArrayRef<char> bytes = tensor.bytes;
  AsmResourceBlob blob;
  if (tensor.dtype == "F32") {
    if (llvm::isAddrAligned(llvm::Align(alignof(float)), bytes.data())) {
      std::shared_ptr<llvm::MemoryBuffer> file = tensor.file;
      blob = AsmResourceBlob(
          bytes, alignof(float),
          [file](void *, size_t, size_t) mutable { file.reset(); },
          /*dataIsMutable=*/false);
    } else {
      blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes,
                                                           alignof(float));
    }
  } else {
    int64_t count = tensor.numElements();
    blob = HeapAsmResourceBlob::allocate(count * sizeof(float),
                                         alignof(float));
    auto *out = reinterpret_cast<float *>(blob.getMutableData().data());
    bool isBF16 = tensor.dtype == "BF16";
    for (int64_t i = 0; i < count; ++i) {
      uint16_t bits;
      std::memcpy(&bits, bytes.data() + 2 * i, sizeof(bits));
      out[i] = isBF16 ? bf16ToF32(bits) : f16ToF32(bits);
    }
  }
  return DenseResourceElementsAttr::get(type, tensor.name, std::move(blob));
}

} // namespace

FailureOr<OwningOpRef<ModuleOp>>
importGlmCheckpoint(StringRef path, const GlmImportOptions &options,
                    MLIRContext &context, llvm::raw_ostream &errs) {
  std::string optionError = checkGlmImportOptions(options);
  if (!optionError.empty()) {
    errs << "error: " << optionError << "\n";
    return failure();
  }
  SmallString<256> dir, configPath;
  if (llvm::sys::fs::is_directory(path)) {
    dir = path;
    configPath = path;
    llvm::sys::path::append(configPath, "config.json");
    if (!llvm::sys::fs::exists(configPath)) {
      errs << path
           << ": error: not a GLM checkpoint folder: it has no config.json\n";
      return failure();
    }
  } else {
    configPath = path;
    dir = llvm::sys::path::parent_path(path);
    if (dir.empty())
      dir = ".";
  }
  auto report = [&](llvm::Error error) {
    errs << llvm::toString(std::move(error)) << "\n";
    return failure();
  };
  llvm::Expected<GlmConfig> config = readGlmConfig(configPath);
  if (!config)
    return report(config.takeError());
  llvm::Expected<TensorStore> store = openTensorStore(dir);
  if (!store)
    return report(store.takeError());
  llvm::Expected<std::string> lmHead = checkTensors(*config, *store);
  if (!lmHead)
    return report(lmHead.takeError());

  // Each tensor once: both functions use the same attribute.
  GlmWeights weights;
  weights.lmHead = *lmHead;
  for (const auto &[name, tensor] : store->tensors)
    weights.tensors[name] = importTensor(tensor, context);
  OwningOpRef<ModuleOp> module =
      buildGlmModule(*config, options, weights,
                     FileLineColLoc::get(&context, configPath, 0, 0), context,
                     errs);
  if (!module)
    return failure();
  return module;
}

} // namespace mlir::autoglm::glm_import
