//===- make_test_artifact.cpp - write a test artifact for lit tests -------===//
//
// agm-make-test-artifact OUT.agm [--unknown-cpu-feature | --toy-llm |
//                                  --toy-llm-cuda]
// Writes the standard test model (TestArtifacts.h); with
// --unknown-cpu-feature it requires CPU feature bit 63, which no host has;
// with --toy-llm it writes the toy LLM instead (prefill length 4, vocabulary
// 64, max_context 32); with --toy-llm-cuda the same as a CUDA artifact for
// the mock driver (test/runtime/mock_cuda_driver.h).
//
//===----------------------------------------------------------------------===//

#include "test/runtime/TestArtifacts.h"

#include <cstdio>
#include <cstring>

int main(int argc, char **argv) {
  bool unknownFeature =
      argc == 3 && !std::strcmp(argv[2], "--unknown-cpu-feature");
  bool toyLlm = argc == 3 && !std::strcmp(argv[2], "--toy-llm");
  bool toyLlmCuda = argc == 3 && !std::strcmp(argv[2], "--toy-llm-cuda");
  if (argc < 2 || argc > 3 ||
      (argc == 3 && !unknownFeature && !toyLlm && !toyLlmCuda)) {
    std::fprintf(stderr, "usage: agm-make-test-artifact OUT.agm "
                         "[--unknown-cpu-feature | --toy-llm | "
                         "--toy-llm-cuda]\n");
    return 2;
  }
  mlir::autoglm::ArtifactWriter writer;
  if (toyLlm || toyLlmCuda) {
    agmtest::ToyLlmOptions options;
    options.cuda = toyLlmCuda;
    agmtest::buildToyLlm(writer, options);
  } else {
    agmtest::buildTestModel(writer);
  }
  if (unknownFeature)
    writer.setTarget(1, "cpu", "imaginary", 1ull << 63);
  if (llvm::Error error = writer.write(argv[1])) {
    std::fprintf(stderr, "agm-make-test-artifact: %s\n",
                 llvm::toString(std::move(error)).c_str());
    return 1;
  }
  return 0;
}
