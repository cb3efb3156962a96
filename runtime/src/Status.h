//===- Status.h - agm_status objects and message formatting -----*- C++ -*-===//
//
// An error status is a heap-allocated code + message; NULL is OK. When even
// that allocation fails, a static out-of-memory status is returned, which
// agm_status_release leaves alone.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_RUNTIME_SRC_STATUS_H
#define AUTOGLM_RUNTIME_SRC_STATUS_H

#include "autoglm/runtime.h"

#include <string>

struct agm_status_impl {
  agm_status_code code;
  std::string message;
};

namespace agm {

/// printf-style formatting into a std::string.
std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/// A new status (never NULL; code must not be AGM_OK).
agm_status makeStatus(agm_status_code code, std::string message) noexcept;
agm_status makeStatusf(agm_status_code code, const char *fmt, ...) noexcept
    __attribute__((format(printf, 2, 3)));
/// The static status returned when allocation fails.
agm_status outOfMemoryStatus() noexcept;

/// "1.5 GiB", "12 KiB", "100 bytes".
std::string formatBytes(uint64_t bytes);

} // namespace agm

#endif // AUTOGLM_RUNTIME_SRC_STATUS_H
