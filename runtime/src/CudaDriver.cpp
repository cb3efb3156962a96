//===- CudaDriver.cpp - dlopen the CUDA driver ----------------------------===//

#include "CudaDriver.h"

#include "Status.h"

#include <cstdlib>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <mutex>

namespace agm::cu {

namespace {

/// Names for the codes the executor meets most, for drivers whose
/// cuGetErrorName fails (the toolkit's stub library fails every call).
const char *builtinName(CUresult result) {
  switch (result) {
  case CUDA_SUCCESS:
    return "CUDA_SUCCESS";
  case CUDA_ERROR_INVALID_VALUE:
    return "CUDA_ERROR_INVALID_VALUE";
  case CUDA_ERROR_OUT_OF_MEMORY:
    return "CUDA_ERROR_OUT_OF_MEMORY";
  case CUDA_ERROR_NOT_INITIALIZED:
    return "CUDA_ERROR_NOT_INITIALIZED";
  case CUDA_ERROR_DEINITIALIZED:
    return "CUDA_ERROR_DEINITIALIZED";
  case CUDA_ERROR_STUB_LIBRARY:
    return "CUDA_ERROR_STUB_LIBRARY (the CUDA driver is a stub library, not "
           "a real driver)";
  case CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER:
    return "CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER";
  case CUDA_ERROR_NO_DEVICE:
    return "CUDA_ERROR_NO_DEVICE";
  case CUDA_ERROR_INVALID_DEVICE:
    return "CUDA_ERROR_INVALID_DEVICE";
  case CUDA_ERROR_INVALID_IMAGE:
    return "CUDA_ERROR_INVALID_IMAGE";
  case CUDA_ERROR_NO_BINARY_FOR_GPU:
    return "CUDA_ERROR_NO_BINARY_FOR_GPU";
  case CUDA_ERROR_INVALID_PTX:
    return "CUDA_ERROR_INVALID_PTX";
  case CUDA_ERROR_UNSUPPORTED_PTX_VERSION:
    return "CUDA_ERROR_UNSUPPORTED_PTX_VERSION";
  case CUDA_ERROR_NOT_FOUND:
    return "CUDA_ERROR_NOT_FOUND";
  default:
    return nullptr;
  }
}

std::mutex driversMutex;
/// Every driver loaded, by path; never unloaded.
std::map<std::string, std::unique_ptr<Driver>> &drivers() {
  static auto *loaded = new std::map<std::string, std::unique_ptr<Driver>>();
  return *loaded;
}

} // namespace

std::string Driver::describe(CUresult result) const {
  const char *name = nullptr, *text = nullptr;
  if (cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    name = nullptr;
  if (cuGetErrorString(result, &text) != CUDA_SUCCESS || !text)
    text = nullptr;
  std::string out;
  if (name)
    out = name;
  else if (const char *builtin = builtinName(result))
    out = builtin;
  else
    out = format("CUresult %d", result);
  if (text)
    out += format(" (%s)", text);
  return out;
}

std::string cudaDriverPath() {
  const char *path = std::getenv("AGM_CUDA_DRIVER");
  return path && *path ? path : "libcuda.so.1";
}

const Driver *loadCudaDriver(std::string &error) {
  std::string path = cudaDriverPath();
  std::lock_guard<std::mutex> lock(driversMutex);
  auto found = drivers().find(path);
  if (found != drivers().end())
    return found->second.get();

  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *why = dlerror();
    error = format("cannot load the CUDA driver '%s': %s (is the NVIDIA "
                   "driver installed? AGM_CUDA_DRIVER may name the library "
                   "to load)",
                   path.c_str(), why ? why : "dlopen failed");
    return nullptr;
  }
  auto driver = std::make_unique<Driver>();
  driver->path = path;
  driver->handle = handle;
  std::string missing;
#define AGM_CUDA_RESOLVE(name, type)                                           \
  driver->name = reinterpret_cast<Driver::PFN_##name>(dlsym(handle, #name));   \
  if (!driver->name)                                                           \
    missing += (missing.empty() ? "" : ", ") + std::string(#name);
  AGM_CUDA_DRIVER_FUNCTIONS(AGM_CUDA_RESOLVE)
#undef AGM_CUDA_RESOLVE
  if (!missing.empty()) {
    dlclose(handle);
    error = format("the CUDA driver '%s' lacks %s (a driver older than CUDA "
                   "11.4, or not a CUDA driver)",
                   path.c_str(), missing.c_str());
    return nullptr;
  }
  const Driver *result = driver.get();
  drivers().emplace(path, std::move(driver));
  return result;
}

agm_status_code statusCodeFor(CUresult result) {
  switch (result) {
  case CUDA_ERROR_OUT_OF_MEMORY:
    return AGM_RESOURCE_EXHAUSTED;
  case CUDA_ERROR_NOT_INITIALIZED:
  case CUDA_ERROR_DEINITIALIZED:
  case CUDA_ERROR_STUB_LIBRARY:
  case CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER:
  case CUDA_ERROR_DEVICE_UNAVAILABLE:
  case CUDA_ERROR_NO_DEVICE:
  case CUDA_ERROR_INVALID_DEVICE:
  case CUDA_ERROR_SYSTEM_NOT_READY:
  case CUDA_ERROR_SYSTEM_DRIVER_MISMATCH:
  case CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE:
    return AGM_UNAVAILABLE;
  case CUDA_ERROR_INVALID_IMAGE:
  case CUDA_ERROR_NO_BINARY_FOR_GPU:
  case CUDA_ERROR_INVALID_PTX:
  case CUDA_ERROR_JIT_COMPILER_NOT_FOUND:
  case CUDA_ERROR_UNSUPPORTED_PTX_VERSION:
    return AGM_INCOMPATIBLE;
  case CUDA_ERROR_NOT_FOUND:
    return AGM_NOT_FOUND;
  default:
    return AGM_INTERNAL;
  }
}

} // namespace agm::cu
