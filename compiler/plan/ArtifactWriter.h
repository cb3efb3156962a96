//===- ArtifactWriter.h - build and write a .agm artifact -------*- C++ -*-===//
//
// An in-memory builder for the `.agm` file described in
// runtime/include/autoglm/artifact_format.h and docs/artifact.md. The host
// plan and codegen fill it (strings, weights, buffers, dispatches, tensor
// descriptors, entry points, metadata, the CPU code bytes); write() lays out
// the header, the section table and the 64-byte aligned sections with their
// checksums, into a temporary file beside the target that is renamed into
// place only once complete.
//
// Plain C++17 on LLVM's support library (no MLIR), so tests and tools can
// produce artifacts without a compiler behind them.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_PLAN_ARTIFACTWRITER_H
#define AUTOGLM_COMPILER_PLAN_ARTIFACTWRITER_H

#include "autoglm/artifact_format.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mlir::autoglm {

/// A caller input or output as the artifact describes it.
struct TensorSpec {
  std::string name;
  agm_dtype dtype = AGM_F32;
  std::vector<int64_t> dims;
  /// Index of the plan buffer holding it (an AGM_BUFFER_INPUT with the
  /// tensor's position for inputs, an AGM_BUFFER_OUTPUT for outputs).
  uint32_t buffer = 0;
};

/// Bytes per element of `dtype`, 0 for an unknown value.
uint64_t dtypeByteSize(uint32_t dtype);

/// FNV-1a 64 continued over `size` more bytes; starting from
/// kChecksumSeed it equals agm_checksum() of the concatenation.
constexpr uint64_t kChecksumSeed = 1469598103934665603ull;
uint64_t checksumUpdate(uint64_t hash, const void *data, uint64_t size);

class ArtifactWriter {
public:
  ArtifactWriter();

  // --- strings -----------------------------------------------------------
  /// Adds a NUL-terminated string (deduplicated) and returns its offset in
  /// the STRINGS section. Offset 0 is always the empty string.
  uint32_t addString(llvm::StringRef str);

  // --- weights -----------------------------------------------------------
  /// Copies `bytes` into the WEIGHTS section at a 64-byte aligned offset and
  /// returns that offset.
  uint64_t addWeight(llvm::ArrayRef<uint8_t> bytes);
  uint64_t addWeight(const void *data, uint64_t size) {
    return addWeight(
        llvm::ArrayRef<uint8_t>(static_cast<const uint8_t *>(data), size));
  }
  /// Like addWeight, without copying: `bytes` must stay valid until the
  /// last write() (for weights mapped from a checkpoint).
  uint64_t addWeightReference(llvm::ArrayRef<uint8_t> bytes);
  uint64_t weightsSize() const { return weightsSize_; }

  // --- plan ----------------------------------------------------------------
  void setArenaSize(uint64_t bytes) { plan_.arena_size = bytes; }
  void setStateSize(uint64_t bytes) { plan_.state_size = bytes; }
  uint64_t arenaSize() const { return plan_.arena_size; }

  /// Buffers; each returns the buffer's index.
  uint32_t addBuffer(agm_buffer_kind kind, uint32_t index, uint64_t offset,
                     uint64_t size);
  uint32_t addArenaBuffer(uint64_t offset, uint64_t size) {
    return addBuffer(AGM_BUFFER_ARENA, 0, offset, size);
  }
  uint32_t addWeightBuffer(uint64_t weightOffset, uint64_t size) {
    return addBuffer(AGM_BUFFER_WEIGHT, 0, weightOffset, size);
  }
  uint32_t addInputBuffer(uint32_t inputIndex, uint64_t size) {
    return addBuffer(AGM_BUFFER_INPUT, inputIndex, 0, size);
  }
  uint32_t addOutputBuffer(uint32_t outputIndex, uint64_t size) {
    return addBuffer(AGM_BUFFER_OUTPUT, outputIndex, 0, size);
  }
  uint32_t addStateBuffer(uint64_t offset, uint64_t size) {
    return addBuffer(AGM_BUFFER_STATE, 0, offset, size);
  }
  uint32_t bufferCount() const { return buffers_.size(); }

  /// Appends a dispatch of `kernel` (a symbol of the CPU code) over
  /// `workgroupCount` workgroups whose bindings are the given buffer
  /// indices; returns the dispatch's index.
  uint32_t addDispatch(llvm::StringRef kernel,
                       llvm::ArrayRef<uint32_t> bindings,
                       uint64_t workgroupCount);
  uint32_t dispatchCount() const { return dispatches_.size(); }

  /// CUDA target: one kernel launch, its parameters given as buffer indices.
  struct Launch {
    std::string kernel;
    std::array<uint32_t, 3> grid = {1, 1, 1};
    std::array<uint32_t, 3> block = {1, 1, 1};
    uint32_t sharedBytes = 0;
    std::vector<uint32_t> params;
  };
  /// CUDA target: appends a dispatch named `name` that uses the buffers
  /// `bindings` and runs `launches` in order; returns its index.
  uint32_t addCudaDispatch(llvm::StringRef name,
                           llvm::ArrayRef<uint32_t> bindings,
                           llvm::ArrayRef<Launch> launches);
  uint32_t launchCount() const { return launches_.size(); }

  /// Appends one tensor descriptor; returns its index.
  uint32_t addTensor(const TensorSpec &tensor);

  /// Adds an entry point whose inputs and outputs are appended as tensor
  /// descriptors and whose dispatches are [firstDispatch, firstDispatch +
  /// dispatchCount); returns the entry's index.
  uint32_t addEntryPoint(llvm::StringRef name,
                         llvm::ArrayRef<TensorSpec> inputs,
                         llvm::ArrayRef<TensorSpec> outputs,
                         uint32_t firstDispatch, uint32_t dispatchCount);
  /// The same with the raw record (string and index fields as stored).
  uint32_t addEntryPoint(const agm_entry_point &entry);

  // --- metadata ------------------------------------------------------------
  /// target: 1 = cpu, 2 = cuda; cpuFeatures: AGM_CPU_* bits the code needs.
  void setTarget(uint32_t target, llvm::StringRef targetName,
                 llvm::StringRef cpuName, uint64_t cpuFeatures);
  void setCompilerVersion(uint32_t major, uint32_t minor, uint32_t patch);
  void setSourceModel(llvm::StringRef name, uint64_t hash);
  /// LLM artifacts: the positions of the KV cache `prefill` and `decode`
  /// share (the longest prompt + generated tokens); 0 (the default) for
  /// models that are not LLMs.
  void setMaxContext(uint32_t positions) { metadata_.max_context = positions; }

  // --- code ----------------------------------------------------------------
  /// The ELF shared object holding the kernels (copied).
  void setCpuCode(llvm::ArrayRef<uint8_t> sharedObject);
  /// CUDA target: adds an image of every kernel for `arch` (compute
  /// capability * 10): PTX text, or a cubin from ptxas (copied).
  void addCudaImage(uint32_t arch, agm_cuda_image_format format,
                    llvm::ArrayRef<uint8_t> bytes);

  // --- output --------------------------------------------------------------
  /// Checks that every index and range the builder was given is in bounds.
  llvm::Error verify() const;
  /// verify(), then the whole file to `os`.
  llvm::Error serialize(llvm::raw_ostream &os) const;
  /// verify(), then writes `path` through a temporary file in the same
  /// directory that is renamed over it; on any failure no file is left
  /// behind and the error names `path`.
  llvm::Error write(llvm::StringRef path) const;
  /// The file size write() would produce.
  uint64_t fileSize() const;

private:
  struct WeightChunk {
    uint64_t offset;
    llvm::ArrayRef<uint8_t> bytes;
  };
  uint64_t placeWeight(llvm::ArrayRef<uint8_t> bytes);
  std::vector<uint8_t> buildMetadata() const;
  std::vector<uint8_t> buildPlan() const;
  std::vector<uint8_t> buildCudaCode() const;

  std::string strings_;
  llvm::StringMap<uint32_t> stringOffsets_;
  std::vector<WeightChunk> weights_;
  std::vector<std::unique_ptr<std::vector<uint8_t>>> ownedWeights_;
  uint64_t weightsSize_ = 0;
  agm_plan plan_{};
  agm_metadata metadata_{};
  std::vector<agm_buffer> buffers_;
  std::vector<agm_dispatch> dispatches_;
  std::vector<uint32_t> bindings_;
  std::vector<agm_tensor_desc> tensors_;
  std::vector<agm_entry_point> entries_;
  std::vector<agm_launch> launches_;
  std::vector<uint8_t> cpuCode_;
  struct CudaImage {
    uint32_t arch;
    agm_cuda_image_format format;
    std::vector<uint8_t> bytes;
  };
  std::vector<CudaImage> cudaImages_;
  bool hasCpuCode_ = false;
  /// Misuse noticed while building (too many dims, ...), reported by
  /// verify().
  std::vector<std::string> problems_;
};

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_PLAN_ARTIFACTWRITER_H
