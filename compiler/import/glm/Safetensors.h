//===- Safetensors.h - read safetensors checkpoints by mmap -----*- C++ -*-===//
//
// Reads Hugging Face `*.safetensors` files: an 8-byte little-endian header
// length, a JSON header mapping each tensor name to its dtype, shape and
// byte range (`data_offsets`, relative to the end of the header), an
// optional `__metadata__` string map, then the data. Files are mapped, not
// read: a tensor's bytes point into the mapping, which a shared_ptr keeps
// alive as long as anything (e.g. an MLIR resource blob) holds it.
//
// A checkpoint folder holds either `model.safetensors` or shards listed by
// `model.safetensors.index.json` (`weight_map`: tensor name -> shard file).
// Every way a file can be broken becomes an error naming the file, as
// `path: error: what` (several joined by newlines).
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_IMPORT_GLM_SAFETENSORS_H
#define AUTOGLM_COMPILER_IMPORT_GLM_SAFETENSORS_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <map>
#include <memory>
#include <string>

namespace mlir::autoglm::glm_import {

/// One tensor of a safetensors file. `bytes` points into `file`'s mapping.
struct SafetensorsTensor {
  std::string name;
  /// The dtype as the header spells it (F32, BF16, F16, I64, ...).
  std::string dtype;
  SmallVector<int64_t> shape;
  ArrayRef<char> bytes;
  /// The mapping `bytes` lives in, and the file's path (for errors).
  std::shared_ptr<llvm::MemoryBuffer> file;
  std::string path;

  int64_t numElements() const;
};

/// Bytes per element of a safetensors dtype, or 0 for a name the format
/// does not define.
int64_t safetensorsDTypeBytes(StringRef dtype);

/// Every tensor of one `.safetensors` file, by name.
struct SafetensorsFile {
  std::string path;
  std::map<std::string, SafetensorsTensor> tensors;
  /// The header's `__metadata__` (string -> string), if any.
  std::map<std::string, std::string> metadata;
};

/// Maps and parses the file at `path`. Errors name the file and, where it
/// applies, the tensor: short or oversized header, bad JSON, a dtype the
/// format does not define, offsets outside the data, a byte range that
/// does not match dtype x shape.
llvm::Expected<SafetensorsFile> readSafetensorsFile(StringRef path);

/// The tensors of a checkpoint folder: `model.safetensors`, or the shards
/// of `model.safetensors.index.json` (the single file wins when both are
/// present, as in transformers).
struct TensorStore {
  /// Where the tensors came from: the single file or the index.
  std::string source;
  /// Every tensor of every file, by name (sorted, so reports are stable).
  std::map<std::string, SafetensorsTensor> tensors;
};

/// Opens the checkpoint in folder `dir`. For a sharded checkpoint every
/// shard named by the index is read; a shard that is missing or broken, a
/// tensor held by two shards, or one the index places in a shard that does
/// not hold it are errors (all of them, joined).
llvm::Expected<TensorStore> openTensorStore(StringRef dir);

} // namespace mlir::autoglm::glm_import

#endif // AUTOGLM_COMPILER_IMPORT_GLM_SAFETENSORS_H
