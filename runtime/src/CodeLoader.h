//===- CodeLoader.h - dlopen the CPU code section ---------------*- C++ -*-===//

#ifndef AUTOGLM_RUNTIME_SRC_CODELOADER_H
#define AUTOGLM_RUNTIME_SRC_CODELOADER_H

#include "autoglm/runtime.h"

#include <cstdint>
#include <string>

namespace agm {

/// A shared object loaded from memory. The bytes go to a memfd (or, where
/// memfd_create is unavailable, an unlinked private temporary file) that is
/// dlopen'ed with RTLD_NOW | RTLD_LOCAL.
class LoadedCode {
public:
  LoadedCode() = default;
  ~LoadedCode();
  LoadedCode(const LoadedCode &) = delete;
  LoadedCode &operator=(const LoadedCode &) = delete;

  /// `artifactPath` only names the file in messages.
  agm_status load(const std::string &artifactPath, const uint8_t *bytes,
                  uint64_t size);
  /// The address of `symbol`, or NULL.
  void *symbol(const char *name) const;

private:
  void *handle_ = nullptr;
  /// The memfd stays open while the library is loaded, so its
  /// /proc/self/fd/N name cannot be reused by another model meanwhile.
  int fd_ = -1;
};

} // namespace agm

#endif // AUTOGLM_RUNTIME_SRC_CODELOADER_H
