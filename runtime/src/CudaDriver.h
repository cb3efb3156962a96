//===- CudaDriver.h - the CUDA driver API, resolved at run time -*- C++ -*-===//
//
// The runtime never links CUDA: loadCudaDriver() dlopens "libcuda.so.1" (or
// the library the environment variable AGM_CUDA_DRIVER names: tests point
// it at a mock driver, unusual installs at their libcuda) and resolves the
// few driver entry points the CUDA executor uses. The types and signatures
// are declared here, not taken from cuda.h; the handle structs carry
// cuda.h's tag names, so test/runtime/cuda_driver_abi_check.cpp can check
// every signature against cuda.h where the toolkit is installed.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_RUNTIME_SRC_CUDADRIVER_H
#define AUTOGLM_RUNTIME_SRC_CUDADRIVER_H

#include "autoglm/runtime.h"

#include <cstddef>
#include <string>

// Opaque driver handles (cuda.h's tags).
struct CUctx_st;
struct CUmod_st;
struct CUfunc_st;
struct CUstream_st;
struct CUevent_st;
struct CUgraph_st;
struct CUgraphExec_st;

namespace agm::cu {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = ::CUctx_st *;
using CUmodule = ::CUmod_st *;
using CUfunction = ::CUfunc_st *;
using CUstream = ::CUstream_st *;
using CUevent = ::CUevent_st *;
using CUgraph = ::CUgraph_st *;
using CUgraphExec = ::CUgraphExec_st *;

// The enum values used (cuda.h's names).
constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_INVALID_VALUE = 1;
constexpr CUresult CUDA_ERROR_OUT_OF_MEMORY = 2;
constexpr CUresult CUDA_ERROR_NOT_INITIALIZED = 3;
constexpr CUresult CUDA_ERROR_DEINITIALIZED = 4;
constexpr CUresult CUDA_ERROR_STUB_LIBRARY = 34;
constexpr CUresult CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER = 36;
constexpr CUresult CUDA_ERROR_DEVICE_UNAVAILABLE = 46;
constexpr CUresult CUDA_ERROR_NO_DEVICE = 100;
constexpr CUresult CUDA_ERROR_INVALID_DEVICE = 101;
constexpr CUresult CUDA_ERROR_INVALID_IMAGE = 200;
constexpr CUresult CUDA_ERROR_NO_BINARY_FOR_GPU = 209;
constexpr CUresult CUDA_ERROR_INVALID_PTX = 218;
constexpr CUresult CUDA_ERROR_JIT_COMPILER_NOT_FOUND = 221;
constexpr CUresult CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222;
constexpr CUresult CUDA_ERROR_NOT_FOUND = 500;
constexpr CUresult CUDA_ERROR_SYSTEM_NOT_READY = 802;
constexpr CUresult CUDA_ERROR_SYSTEM_DRIVER_MISMATCH = 803;
constexpr CUresult CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE = 804;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr int CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
constexpr unsigned CU_STREAM_NON_BLOCKING = 1;
constexpr unsigned CU_EVENT_DEFAULT = 0;
constexpr int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;

/// The resolved entry points. Each member is named after the exported
/// symbol it holds (the _v2 names are what cuda.h's macros call).
struct Driver {
  std::string path;
  void *handle = nullptr;

#define AGM_CUDA_DRIVER_FUNCTIONS(X)                                           \
  X(cuGetErrorName, CUresult (*)(CUresult, const char **))                     \
  X(cuGetErrorString, CUresult (*)(CUresult, const char **))                   \
  X(cuInit, CUresult (*)(unsigned))                                            \
  X(cuDriverGetVersion, CUresult (*)(int *))                                   \
  X(cuDeviceGetCount, CUresult (*)(int *))                                     \
  X(cuDeviceGet, CUresult (*)(CUdevice *, int))                                \
  X(cuDeviceGetName, CUresult (*)(char *, int, CUdevice))                      \
  X(cuDeviceGetAttribute, CUresult (*)(int *, int, CUdevice))                  \
  X(cuDevicePrimaryCtxRetain, CUresult (*)(CUcontext *, CUdevice))             \
  X(cuDevicePrimaryCtxRelease_v2, CUresult (*)(CUdevice))                      \
  X(cuCtxPushCurrent_v2, CUresult (*)(CUcontext))                              \
  X(cuCtxPopCurrent_v2, CUresult (*)(CUcontext *))                             \
  X(cuModuleLoadDataEx,                                                        \
    CUresult (*)(CUmodule *, const void *, unsigned, int *, void **))          \
  X(cuModuleUnload, CUresult (*)(CUmodule))                                    \
  X(cuModuleGetFunction, CUresult (*)(CUfunction *, CUmodule, const char *))   \
  X(cuFuncSetAttribute, CUresult (*)(CUfunction, int, int))                    \
  X(cuMemAlloc_v2, CUresult (*)(CUdeviceptr *, size_t))                        \
  X(cuMemFree_v2, CUresult (*)(CUdeviceptr))                                   \
  X(cuMemcpyHtoD_v2, CUresult (*)(CUdeviceptr, const void *, size_t))          \
  X(cuMemsetD8_v2, CUresult (*)(CUdeviceptr, unsigned char, size_t))           \
  X(cuMemcpyHtoDAsync_v2,                                                      \
    CUresult (*)(CUdeviceptr, const void *, size_t, CUstream))                 \
  X(cuMemcpyDtoHAsync_v2,                                                      \
    CUresult (*)(void *, CUdeviceptr, size_t, CUstream))                       \
  X(cuStreamCreate, CUresult (*)(CUstream *, unsigned))                        \
  X(cuStreamDestroy_v2, CUresult (*)(CUstream))                                \
  X(cuStreamSynchronize, CUresult (*)(CUstream))                               \
  X(cuLaunchKernel,                                                            \
    CUresult (*)(CUfunction, unsigned, unsigned, unsigned, unsigned,           \
                 unsigned, unsigned, unsigned, CUstream, void **, void **))    \
  X(cuEventCreate, CUresult (*)(CUevent *, unsigned))                          \
  X(cuEventRecord, CUresult (*)(CUevent, CUstream))                            \
  X(cuEventElapsedTime, CUresult (*)(float *, CUevent, CUevent))               \
  X(cuEventDestroy_v2, CUresult (*)(CUevent))                                  \
  X(cuStreamBeginCapture_v2, CUresult (*)(CUstream, int))                      \
  X(cuStreamEndCapture, CUresult (*)(CUstream, CUgraph *))                     \
  X(cuGraphInstantiateWithFlags,                                               \
    CUresult (*)(CUgraphExec *, CUgraph, unsigned long long))                  \
  X(cuGraphLaunch, CUresult (*)(CUgraphExec, CUstream))                        \
  X(cuGraphExecDestroy, CUresult (*)(CUgraphExec))                             \
  X(cuGraphDestroy, CUresult (*)(CUgraph))

#define AGM_CUDA_DECLARE(name, type)                                           \
  using PFN_##name = type;                                                     \
  PFN_##name name = nullptr;
  AGM_CUDA_DRIVER_FUNCTIONS(AGM_CUDA_DECLARE)
#undef AGM_CUDA_DECLARE

  /// "CUDA_ERROR_OUT_OF_MEMORY (out of memory)"; falls back to built-in
  /// names where the driver cannot say (a stub library fails every call).
  std::string describe(CUresult result) const;
  /// "<call> failed: " + describe(result).
  std::string failed(const char *call, CUresult result) const {
    return std::string(call) + " failed: " + describe(result);
  }
};

/// The library loadCudaDriver() opens: $AGM_CUDA_DRIVER when set and not
/// empty, else "libcuda.so.1".
std::string cudaDriverPath();

/// Loads the driver named by cudaDriverPath() and resolves every entry
/// point. Loaded drivers are kept for the life of the process (one per
/// path; a driver is never unloaded). On failure returns nullptr and sets
/// `error` ("cannot load the CUDA driver 'libcuda.so.1': ...").
const Driver *loadCudaDriver(std::string &error);

/// The status code for a failed driver call: AGM_RESOURCE_EXHAUSTED for out
/// of memory, AGM_UNAVAILABLE for a missing, stub or broken driver or
/// device, AGM_INCOMPATIBLE for code the device cannot run, AGM_NOT_FOUND
/// for a missing symbol, AGM_INTERNAL otherwise.
agm_status_code statusCodeFor(CUresult result);

} // namespace agm::cu

#endif // AUTOGLM_RUNTIME_SRC_CUDADRIVER_H
