//===- TestArtifacts.h - artifacts over the test kernels --------*- C++ -*-===//
//
// Builders shared by runtime_tests and agm-make-test-artifact. The kernels
// are test/runtime/kernels.c, compiled to a shared object whose path the
// build passes in AGM_TEST_KERNELS_PATH.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_TEST_RUNTIME_TESTARTIFACTS_H
#define AUTOGLM_TEST_RUNTIME_TESTARTIFACTS_H

#include "compiler/plan/ArtifactWriter.h"

#include <cstdint>
#include <string>
#include <vector>

namespace agmtest {

/// The whole file, or empty when it cannot be read.
std::vector<uint8_t> readFile(const std::string &path);
/// The test kernels' shared object (exits when it is missing).
const std::vector<uint8_t> &testKernels();

/// Shape of the `main` entry's tensors.
constexpr int64_t kRows = 3, kCols = 50, kElements = kRows * kCols;
constexpr float kScale = 2.5f;

/// The standard test model:
///  - main(x f32[3x50], y f32[3x50]) -> (sum = x + y, scaled = sum * 2.5):
///    add_f32 into the arena, scale_f32 into `scaled`; `sum` is the arena
///    buffer, copied out after the run;
///  - counter() -> (count i64[]): count_runs over an 8-byte state buffer;
///  - echo_<dtype>(x <dtype>[2x3]) -> (y): copy_bytes, for every dtype.
void buildTestModel(mlir::autoglm::ArtifactWriter &writer);

/// visit() -> (counts i32[W], begins i64[W], threads i64[W]) over W
/// workgroups.
void buildVisitModel(mlir::autoglm::ArtifactWriter &writer,
                     int64_t workgroups);

/// The toy LLM of kernels.c and what to break in it.
struct ToyLlmOptions {
  int64_t prefillLength = 4; // C
  int64_t vocab = 64;        // V
  int64_t maxContext = 32;   // state positions
  /// agm_metadata.max_context; -1: maxContext.
  int64_t metadataMaxContext = -1;
  bool withDecode = true;
  agm_dtype tokensDtype = AGM_I64; // of prefill's `tokens`
  std::vector<int64_t> positionDims = {};
  int64_t decodeVocab = 0; // 0: vocab
  std::string prefillLogitsName = "logits";
  bool extraInput = false;  // prefill gets an input 'mask' i64[1, C]
  bool extraOutput = false; // prefill gets an output 'hidden' f32[1, C]
  /// A CUDA artifact (target 2) instead: each dispatch is one launch of
  /// the kernel of the same name with grid.x = its workgroup count, and
  /// the code is a mock-driver image (mock_cuda_driver.h) listing them.
  bool cuda = false;
};

/// A fake LLM artifact over the toy kernels (kernels.c):
///  - prefill(tokens i64[1, C], position i64[]) -> (logits f32[1, C, V]);
///  - decode(token i64[1, 1], position i64[]) -> (logits f32[1, 1, V]);
///    both share a state of maxContext i64 ("the KV cache");
///  - peek() -> (cache i64[maxContext]): a copy of the state;
///  - poison(): sets every state position to kToyPoison.
/// With options.cuda, the same plan as a CUDA artifact for the mock driver.
void buildToyLlm(mlir::autoglm::ArtifactWriter &writer,
                 const ToyLlmOptions &options = {});
constexpr int64_t kToyPoison = 1000;

} // namespace agmtest

#endif // AUTOGLM_TEST_RUNTIME_TESTARTIFACTS_H
