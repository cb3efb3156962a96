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

#include <exception>
#include <new>
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

/// Runs `fn` (returning an agm_status) and turns an escaping exception into
/// a status, so no exception crosses the C API.
template <typename Fn> agm_status guarded(Fn &&fn) noexcept {
  try {
    return fn();
  } catch (const std::bad_alloc &) {
    return outOfMemoryStatus();
  } catch (const std::exception &e) {
    return makeStatusf(AGM_INTERNAL, "internal error: %s", e.what());
  } catch (...) {
    return makeStatus(AGM_INTERNAL, "internal error");
  }
}

/// "1.5 GiB", "12 KiB", "100 bytes".
std::string formatBytes(uint64_t bytes);

} // namespace agm

#endif // AUTOGLM_RUNTIME_SRC_STATUS_H
