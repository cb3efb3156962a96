//===- Artifact.h - a mapped and validated .agm file ------------*- C++ -*-===//
//
// openArtifact() maps the file read-only and checks everything
// docs/artifact.md lists before anything else reads it: magic, format
// version, file size against the header, section table and section bounds,
// alignment and checksums, target, CPU features, and every string, buffer,
// binding, tensor and dispatch index in the plan. Afterwards the accessors
// may be used without further bounds checks.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_RUNTIME_SRC_ARTIFACT_H
#define AUTOGLM_RUNTIME_SRC_ARTIFACT_H

#include "autoglm/runtime.h"

#include <cstdint>
#include <memory>
#include <string>

namespace agm {

/// Bytes per element of `dtype`; 0 when unknown.
uint64_t dtypeSize(uint32_t dtype);
/// "f32", "i64", ... ("dtype N" when unknown).
const char *dtypeName(uint32_t dtype);

class Artifact {
public:
  ~Artifact();
  Artifact(const Artifact &) = delete;
  Artifact &operator=(const Artifact &) = delete;

  /// Maps and validates `path`. On failure returns a status naming the file
  /// and the check that failed.
  static agm_status open(const char *path, bool checkWeights,
                         std::unique_ptr<Artifact> &out);

  const std::string &path() const { return path_; }
  const agm_metadata &metadata() const { return *metadata_; }
  const agm_plan &plan() const { return *plan_; }
  const char *string(uint32_t offset) const { return strings_ + offset; }

  uint32_t entryCount() const { return metadata_->entry_count; }
  const agm_entry_point &entry(uint32_t i) const { return entries_[i]; }
  const agm_buffer &buffer(uint32_t i) const { return buffers_[i]; }
  const agm_dispatch &dispatch(uint32_t i) const { return dispatches_[i]; }
  uint32_t binding(uint32_t i) const { return bindings_[i]; }
  const agm_tensor_desc &tensor(uint32_t i) const { return tensors_[i]; }
  /// Bytes of a tensor descriptor's data (validated not to overflow).
  uint64_t tensorBytes(const agm_tensor_desc &t) const;

  const uint8_t *weights() const { return weights_; }
  uint64_t weightsSize() const { return weightsSize_; }
  const uint8_t *cpuCode() const { return code_; }
  uint64_t cpuCodeSize() const { return codeSize_; }

  /// CUDA target (metadata().target == 2): launches and code images.
  bool isCuda() const { return metadata_->target == AGM_TARGET_CUDA; }
  uint32_t launchCount() const { return plan_->launch_count; }
  const agm_launch &launch(uint32_t i) const { return launches_[i]; }
  uint32_t cudaImageCount() const { return cudaImageCount_; }
  const agm_cuda_image &cudaImage(uint32_t i) const { return cudaImages_[i]; }
  /// The bytes of image `i` (inside the CODE_CUDA section).
  const uint8_t *cudaImageBytes(uint32_t i) const {
    return cudaCode_ + cudaImages_[i].offset;
  }

private:
  Artifact() = default;
  agm_status validate(bool checkWeights);
  agm_status validateSections(bool checkWeights);
  agm_status validateMetadata();
  agm_status validatePlan();
  agm_status validateEntries();
  agm_status validateCode();
  agm_status validateLaunches();
  agm_status validateCudaCode();
  /// "artifact 'PATH': <message>" with `code`.
  agm_status fail(agm_status_code code, const char *fmt, ...) const
      __attribute__((format(printf, 3, 4)));
  bool validString(uint32_t offset) const { return offset < stringsSize_; }

  std::string path_;
  const uint8_t *base_ = nullptr;
  uint64_t size_ = 0;

  const char *strings_ = nullptr;
  uint64_t stringsSize_ = 0;
  const agm_metadata *metadata_ = nullptr;
  const agm_entry_point *entries_ = nullptr;
  const agm_plan *plan_ = nullptr;
  uint64_t planSize_ = 0;
  const agm_buffer *buffers_ = nullptr;
  const agm_dispatch *dispatches_ = nullptr;
  const uint32_t *bindings_ = nullptr;
  const agm_tensor_desc *tensors_ = nullptr;
  const uint8_t *weights_ = nullptr;
  uint64_t weightsSize_ = 0;
  const uint8_t *code_ = nullptr;
  uint64_t codeSize_ = 0;
  bool hasCode_ = false;
  const agm_launch *launches_ = nullptr;
  const uint8_t *cudaCode_ = nullptr;
  uint64_t cudaCodeSize_ = 0;
  bool hasCudaCode_ = false;
  const agm_cuda_image *cudaImages_ = nullptr;
  uint32_t cudaImageCount_ = 0;
};

} // namespace agm

#endif // AUTOGLM_RUNTIME_SRC_ARTIFACT_H
