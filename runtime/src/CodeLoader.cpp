//===- CodeLoader.cpp - dlopen the CPU code section -----------------------===//

#include "CodeLoader.h"

#include "Status.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace agm {

static bool writeAll(int fd, const uint8_t *bytes, uint64_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, bytes, size > (1u << 30) ? (1u << 30) : size);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    bytes += n;
    size -= static_cast<uint64_t>(n);
  }
  return true;
}

LoadedCode::~LoadedCode() {
  if (handle_)
    dlclose(handle_);
  if (fd_ >= 0)
    ::close(fd_);
}

void *LoadedCode::symbol(const char *name) const {
  return handle_ ? dlsym(handle_, name) : nullptr;
}

agm_status LoadedCode::load(const std::string &artifactPath,
                            const uint8_t *bytes, uint64_t size) {
  auto writeFailed = [&](const char *what, int error) {
    return makeStatusf(error == ENOSPC || error == ENOMEM
                           ? AGM_RESOURCE_EXHAUSTED
                           : AGM_INTERNAL,
                       "artifact '%s': cannot load its CPU code: %s: %s",
                       artifactPath.c_str(), what, std::strerror(error));
  };
  auto dlopenFailed = [&]() {
    const char *error = dlerror();
    return makeStatusf(AGM_INTERNAL,
                       "artifact '%s': cannot load its CPU code: %s",
                       artifactPath.c_str(), error ? error : "dlopen failed");
  };

  int fd = memfd_create("autoglm-code", MFD_CLOEXEC);
  if (fd >= 0) {
    if (!writeAll(fd, bytes, size)) {
      int error = errno;
      ::close(fd);
      return writeFailed("writing to a memfd", error);
    }
    // glibc finds an already loaded library by its path name before it
    // compares files, so a name still held by a library that dlclose did
    // not unload would hand back the wrong code: use a spelling of the
    // fd's path that nothing loaded has.
    std::string path = "/proc/self/fd";
    std::string fdName = std::to_string(fd);
    for (int attempt = 0;; ++attempt) {
      std::string candidate = path + "/" + fdName;
      void *existing = dlopen(candidate.c_str(), RTLD_NOW | RTLD_NOLOAD);
      if (!existing) {
        path = candidate;
        break;
      }
      dlclose(existing);
      if (attempt == 64) {
        ::close(fd);
        return makeStatusf(AGM_INTERNAL,
                           "artifact '%s': cannot load its CPU code: no free "
                           "name for the in-memory library",
                           artifactPath.c_str());
      }
      path += "/.";
    }
    dlerror();
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
      agm_status status = dlopenFailed();
      ::close(fd);
      return status;
    }
    fd_ = fd;
    return nullptr;
  }

  // No memfd: a private temporary file, unlinked once loaded.
  const char *dir = std::getenv("TMPDIR");
  std::string pattern =
      std::string(dir && *dir ? dir : "/tmp") + "/autoglm-code-XXXXXX";
  fd = mkstemp(&pattern[0]);
  if (fd < 0)
    return writeFailed(("creating " + pattern).c_str(), errno);
  if (!writeAll(fd, bytes, size)) {
    int error = errno;
    ::close(fd);
    unlink(pattern.c_str());
    return writeFailed(("writing " + pattern).c_str(), error);
  }
  ::close(fd);
  dlerror();
  handle_ = dlopen(pattern.c_str(), RTLD_NOW | RTLD_LOCAL);
  agm_status status = handle_ ? nullptr : dlopenFailed();
  unlink(pattern.c_str());
  return status;
}

} // namespace agm
