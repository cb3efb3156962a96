//===- make_test_artifact.cpp - write a test artifact for lit tests -------===//
//
// agm-make-test-artifact OUT.agm [--unknown-cpu-feature]
// Writes the standard test model (TestArtifacts.h); with
// --unknown-cpu-feature it requires CPU feature bit 63, which no host has.
//
//===----------------------------------------------------------------------===//

#include "test/runtime/TestArtifacts.h"

#include <cstdio>
#include <cstring>

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3 ||
      (argc == 3 && std::strcmp(argv[2], "--unknown-cpu-feature") != 0)) {
    std::fprintf(stderr,
                 "usage: agm-make-test-artifact OUT.agm [--unknown-cpu-feature]\n");
    return 2;
  }
  mlir::autoglm::ArtifactWriter writer;
  agmtest::buildTestModel(writer);
  if (argc == 3)
    writer.setTarget(1, "cpu", "imaginary", 1ull << 63);
  if (llvm::Error error = writer.write(argv[1])) {
    std::fprintf(stderr, "agm-make-test-artifact: %s\n",
                 llvm::toString(std::move(error)).c_str());
    return 1;
  }
  return 0;
}
