//===- Status.cpp - agm_status objects ------------------------------------===//

#include "Status.h"
#include "Export.h"

#include <cstdarg>
#include <cstdio>
#include <new>

namespace agm {
namespace {
agm_status_impl &staticOutOfMemory() {
  static agm_status_impl status{AGM_RESOURCE_EXHAUSTED,
                                "out of memory (while reporting an error)"};
  return status;
}

std::string vformat(const char *fmt, va_list args) {
  va_list copy;
  va_copy(copy, args);
  char small[256];
  int n = std::vsnprintf(small, sizeof(small), fmt, copy);
  va_end(copy);
  if (n < 0)
    return fmt;
  if (static_cast<size_t>(n) < sizeof(small))
    return std::string(small, n);
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::vsnprintf(&out[0], out.size(), fmt, args);
  out.resize(n);
  return out;
}
} // namespace

std::string format(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::string out = vformat(fmt, args);
  va_end(args);
  return out;
}

agm_status outOfMemoryStatus() noexcept { return &staticOutOfMemory(); }

agm_status makeStatus(agm_status_code code, std::string message) noexcept {
  try {
    return new agm_status_impl{code, std::move(message)};
  } catch (...) {
    return outOfMemoryStatus();
  }
}

agm_status makeStatusf(agm_status_code code, const char *fmt, ...) noexcept {
  try {
    va_list args;
    va_start(args, fmt);
    std::string message = vformat(fmt, args);
    va_end(args);
    return makeStatus(code, std::move(message));
  } catch (...) {
    return outOfMemoryStatus();
  }
}

std::string formatBytes(uint64_t bytes) {
  const char *units[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024)
    return format("%llu bytes", static_cast<unsigned long long>(bytes));
  double value = bytes;
  int unit = -1;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  return format("%.1f %s", value, units[unit]);
}

} // namespace agm

extern "C" {

AGM_EXPORT agm_status_code agm_status_code_of(agm_status status) {
  return status ? status->code : AGM_OK;
}

AGM_EXPORT const char *agm_status_message(agm_status status) {
  return status ? status->message.c_str() : "";
}

AGM_EXPORT void agm_status_release(agm_status status) {
  if (status && status != agm::outOfMemoryStatus())
    delete status;
}

} // extern "C"
