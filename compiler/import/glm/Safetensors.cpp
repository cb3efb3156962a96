//===- Safetensors.cpp - read safetensors checkpoints by mmap -------------===//

#include "compiler/import/glm/Safetensors.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

namespace mlir::autoglm::glm_import {

namespace json = llvm::json;

/// The safetensors reference implementation refuses larger headers.
static constexpr uint64_t kMaxHeaderBytes = 100'000'000;

int64_t SafetensorsTensor::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

int64_t safetensorsDTypeBytes(StringRef dtype) {
  return llvm::StringSwitch<int64_t>(dtype)
      .Cases({"BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0"}, 1)
      .Cases({"I16", "U16", "F16", "BF16"}, 2)
      .Cases({"I32", "U32", "F32"}, 4)
      .Cases({"I64", "U64", "F64", "C64"}, 8)
      .Default(0);
}

static llvm::Error fileError(StringRef path, const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 path + ": error: " + message);
}

/// Reads one header entry into `tensor`; `data` is the data section its
/// offsets index.
static llvm::Error parseTensorEntry(StringRef path, StringRef name,
                                    const json::Value &entry,
                                    ArrayRef<char> data,
                                    SafetensorsTensor &tensor) {
  auto bad = [&](const Twine &what) {
    return fileError(path, "tensor '" + name + "': " + what);
  };
  const json::Object *object = entry.getAsObject();
  if (!object)
    return bad("header entry is not a JSON object");
  std::optional<StringRef> dtype = object->getString("dtype");
  if (!dtype)
    return bad("header entry has no string 'dtype'");
  int64_t elementBytes = safetensorsDTypeBytes(*dtype);
  if (elementBytes == 0)
    return bad("unknown dtype '" + *dtype + "'");
  const json::Array *shape = object->getArray("shape");
  if (!shape)
    return bad("header entry has no 'shape' array");
  // The product stays far from overflow (a real tensor is bounded by the
  // file size, which the byte-range check below enforces).
  uint64_t count = 1;
  for (const json::Value &dim : *shape) {
    std::optional<int64_t> value = dim.getAsInteger();
    if (!value || *value < 0)
      return bad("shape entries must be non-negative integers");
    tensor.shape.push_back(*value);
    if (*value != 0 && count > (uint64_t(1) << 56) / uint64_t(*value))
      return bad("shape is too large");
    count *= *value;
  }
  const json::Array *offsets = object->getArray("data_offsets");
  std::optional<int64_t> begin, end;
  if (offsets && offsets->size() == 2) {
    begin = (*offsets)[0].getAsInteger();
    end = (*offsets)[1].getAsInteger();
  }
  if (!begin || !end)
    return bad("header entry has no 'data_offsets' [begin, end] of integers");
  if (*begin < 0 || *end < *begin || uint64_t(*end) > data.size())
    return bad("data_offsets [" + Twine(*begin) + ", " + Twine(*end) +
               "] lie outside the " + Twine(data.size()) +
               " bytes of data after the header");
  uint64_t expected = count * uint64_t(elementBytes);
  if (uint64_t(*end - *begin) != expected) {
    std::string dims;
    for (auto [i, dim] : llvm::enumerate(tensor.shape))
      dims += (i ? ", " : "") + std::to_string(dim);
    return bad("data_offsets span " + Twine(*end - *begin) +
               " bytes but dtype " + *dtype + " and shape [" + dims +
               "] need " + Twine(expected));
  }
  tensor.name = name.str();
  tensor.dtype = dtype->str();
  tensor.bytes = data.slice(*begin, *end - *begin);
  tensor.path = path.str();
  return llvm::Error::success();
}

llvm::Expected<SafetensorsFile> readSafetensorsFile(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false,
                                            /*IsVolatile=*/false);
  if (!buffer)
    return fileError(path, "cannot read the file: " +
                               buffer.getError().message());
  std::shared_ptr<llvm::MemoryBuffer> file = std::move(*buffer);
  StringRef contents = file->getBuffer();
  if (contents.size() < 8)
    return fileError(path, "not a safetensors file: " +
                               Twine(contents.size()) +
                               " bytes, shorter than the 8-byte header "
                               "length");
  uint64_t headerBytes =
      llvm::support::endian::read64le(contents.data());
  if (headerBytes > kMaxHeaderBytes || headerBytes > contents.size() - 8)
    return fileError(path, "not a safetensors file: header length " +
                               Twine(headerBytes) + " exceeds the " +
                               Twine(contents.size() - 8) +
                               " bytes after it");
  StringRef headerText = contents.substr(8, headerBytes);
  llvm::Expected<json::Value> header = json::parse(headerText);
  if (!header)
    return fileError(path, "header is not valid JSON: " +
                               llvm::toString(header.takeError()));
  const json::Object *entries = header->getAsObject();
  if (!entries)
    return fileError(path, "header is not a JSON object");

  SafetensorsFile result;
  result.path = path.str();
  ArrayRef<char> data(contents.data() + 8 + headerBytes,
                      contents.size() - 8 - headerBytes);
  // In name order, so that the first problem reported does not depend on
  // hashing.
  SmallVector<StringRef> keys;
  for (const auto &entry : *entries)
    keys.push_back(entry.first);
  llvm::sort(keys);
  for (StringRef key : keys) {
    const json::Value &value = *entries->get(key);
    if (key == "__metadata__") {
      const json::Object *metadata = value.getAsObject();
      if (!metadata)
        return fileError(path, "__metadata__ is not a JSON object");
      for (const auto &[metaKey, metaValue] : *metadata) {
        std::optional<StringRef> text = metaValue.getAsString();
        if (!text)
          return fileError(path, "__metadata__ entry '" + metaKey.str() +
                                     "' is not a string");
        result.metadata[metaKey.str()] = text->str();
      }
      continue;
    }
    SafetensorsTensor tensor;
    if (llvm::Error error = parseTensorEntry(path, key, value, data, tensor))
      return error;
    tensor.file = file;
    result.tensors[key.str()] = std::move(tensor);
  }
  return result;
}

/// Reads the shards that `indexPath` lists.
static llvm::Expected<TensorStore> openShards(StringRef dir,
                                              StringRef indexPath) {
  auto buffer = llvm::MemoryBuffer::getFile(indexPath, /*IsText=*/true);
  if (!buffer)
    return fileError(indexPath, "cannot read the file: " +
                                    buffer.getError().message());
  llvm::Expected<json::Value> index = json::parse((*buffer)->getBuffer());
  if (!index)
    return fileError(indexPath, "not valid JSON: " +
                                    llvm::toString(index.takeError()));
  const json::Object *root = index->getAsObject();
  const json::Object *weightMap = root ? root->getObject("weight_map") : nullptr;
  if (!weightMap)
    return fileError(indexPath, "has no 'weight_map' object");

  // Shard file -> the tensors the index places in it.
  std::map<std::string, std::vector<std::string>> shards;
  for (const auto &[name, file] : *weightMap) {
    std::optional<StringRef> shard = file.getAsString();
    if (!shard)
      return fileError(indexPath, "weight_map entry '" + name.str() +
                                      "' is not a file name");
    if (shard->empty() || llvm::sys::path::is_absolute(*shard) ||
        shard->contains("..") || shard->contains('/') ||
        shard->contains('\\'))
      return fileError(indexPath, "weight_map entry '" + name.str() +
                                      "' names '" + *shard +
                                      "', not a file in the checkpoint "
                                      "folder");
    shards[shard->str()].push_back(name.str());
  }
  if (shards.empty())
    return fileError(indexPath, "weight_map is empty");
  for (auto &[shard, names] : shards)
    llvm::sort(names);

  TensorStore store;
  store.source = indexPath.str();
  llvm::Error errors = llvm::Error::success();
  auto addError = [&](llvm::Error error) {
    errors = llvm::joinErrors(std::move(errors), std::move(error));
  };
  for (const auto &[shard, names] : shards) {
    SmallString<256> path(dir);
    llvm::sys::path::append(path, shard);
    if (!llvm::sys::fs::exists(path)) {
      addError(fileError(indexPath, "shard '" + shard + "' (listed for " +
                                        Twine(names.size()) +
                                        " tensors, e.g. '" + names.front() +
                                        "') does not exist"));
      continue;
    }
    llvm::Expected<SafetensorsFile> file = readSafetensorsFile(path);
    if (!file) {
      addError(file.takeError());
      continue;
    }
    for (auto &[name, tensor] : file->tensors) {
      auto [it, inserted] = store.tensors.try_emplace(name, tensor);
      if (!inserted)
        addError(fileError(indexPath,
                           "tensor '" + name + "' is in two shards: '" +
                               llvm::sys::path::filename(it->second.path) +
                               "' and '" + shard + "'"));
    }
    for (const std::string &name : names)
      if (!file->tensors.count(name))
        addError(fileError(indexPath, "weight_map places '" + name +
                                          "' in '" + shard +
                                          "', which does not hold it"));
  }
  if (errors)
    return errors;
  return store;
}

llvm::Expected<TensorStore> openTensorStore(StringRef dir) {
  SmallString<256> single(dir), index(dir);
  llvm::sys::path::append(single, "model.safetensors");
  llvm::sys::path::append(index, "model.safetensors.index.json");
  if (llvm::sys::fs::exists(single)) {
    llvm::Expected<SafetensorsFile> file = readSafetensorsFile(single);
    if (!file)
      return file.takeError();
    TensorStore store;
    store.source = single.str().str();
    store.tensors = std::move(file->tensors);
    return store;
  }
  if (llvm::sys::fs::exists(index))
    return openShards(dir, index);
  return fileError(dir, "no weights: the folder holds neither "
                        "model.safetensors nor model.safetensors.index.json");
}

} // namespace mlir::autoglm::glm_import
