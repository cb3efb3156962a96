//===- TestHarness.h - the runtime tests' small harness ---------*- C++ -*-===//
//
// TEST(name) registers a test, CHECK and CHECK_CONTAINS count failures;
// runRegisteredTests() runs them in order (only the named ones when names
// are given) in a fresh temporary directory and prints a summary. Shared by
// runtime_tests and runtime_cuda_tests.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_TEST_RUNTIME_TESTHARNESS_H
#define AUTOGLM_TEST_RUNTIME_TESTHARNESS_H

#include "llvm/Support/FileSystem.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace agmtest {

struct TestCase {
  const char *name;
  void (*fn)();
};
inline std::vector<TestCase> &registry() {
  static std::vector<TestCase> tests;
  return tests;
}
struct Registrar {
  Registrar(const char *name, void (*fn)()) {
    registry().push_back({name, fn});
  }
};
inline int checkFailures = 0;
inline std::string tempDir;

inline std::string tempPath(const std::string &name) {
  return tempDir + "/" + name;
}

inline int runRegisteredTests(int argc, char **argv) {
  const char *tmp = std::getenv("TMPDIR");
  std::string templ =
      std::string(tmp && *tmp ? tmp : "/tmp") + "/agm-runtime-tests-XXXXXX";
  std::vector<char> buffer(templ.begin(), templ.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) {
    std::perror("mkdtemp");
    return 1;
  }
  tempDir = buffer.data();

  int failedTests = 0, ran = 0;
  for (const TestCase &test : registry()) {
    if (argc > 1 && std::none_of(argv + 1, argv + argc, [&](const char *name) {
          return std::strcmp(name, test.name) == 0;
        }))
      continue;
    int before = checkFailures;
    test.fn();
    ++ran;
    bool ok = checkFailures == before;
    failedTests += !ok;
    std::printf("[%s] %s\n", ok ? "  OK  " : "FAILED", test.name);
    std::fflush(stdout);
  }
  std::printf("%d tests, %d failed\n", ran, failedTests);
  llvm::sys::fs::remove_directories(tempDir);
  return failedTests ? 1 : 0;
}

} // namespace agmtest

#define TEST(name)                                                             \
  static void test_##name();                                                   \
  static agmtest::Registrar registrar_##name(#name, test_##name);              \
  static void test_##name()

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,    \
                   #cond);                                                     \
      ++agmtest::checkFailures;                                                \
    }                                                                          \
  } while (0)

#define CHECK_CONTAINS(text, part)                                             \
  do {                                                                         \
    std::string checkText_ = (text);                                           \
    if (checkText_.find(part) == std::string::npos) {                          \
      std::fprintf(stderr, "%s:%d: '%s' does not contain '%s'\n", __FILE__,    \
                   __LINE__, checkText_.c_str(), std::string(part).c_str());   \
      ++agmtest::checkFailures;                                                \
    }                                                                          \
  } while (0)

#endif // AUTOGLM_TEST_RUNTIME_TESTHARNESS_H
