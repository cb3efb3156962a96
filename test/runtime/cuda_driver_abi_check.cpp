//===- cuda_driver_abi_check.cpp - CudaDriver.h against cuda.h ------------===//
//
// Compiled (never run) where the CUDA toolkit's cuda.h is found: every
// driver entry point the runtime declares for itself (runtime/src/
// CudaDriver.h, which must not need cuda.h) has cuda.h's signature, with
// enums and 4-byte integers compared as int (the same ABI), and every enum
// value it uses has cuda.h's value. A mismatch fails the build.
//
//===----------------------------------------------------------------------===//

#include <cuda.h>

#include "CudaDriver.h"

#include <type_traits>

namespace {

/// A 4-byte integer (sizeof only asked of integral types, which are
/// complete).
template <class B, bool = std::is_integral_v<B>>
struct IsInt32 : std::false_type {};
template <class B>
struct IsInt32<B, true> : std::bool_constant<sizeof(B) == 4> {};

template <class T> struct Norm;
template <class T> using norm_t = typename Norm<T>::type;
template <class T> struct Norm {
  using Bare = std::remove_cv_t<T>;
  using Int = std::conditional_t<std::is_enum_v<Bare> || IsInt32<Bare>::value,
                                 int, Bare>;
  using type = std::conditional_t<std::is_const_v<T>, const Int, Int>;
};
template <class T> struct Norm<T *> { using type = norm_t<T> *; };
template <class T> struct Norm<T *const> { using type = norm_t<T> *const; };
template <class R, class... A> struct Norm<R (*)(A...)> {
  using type = norm_t<R> (*)(norm_t<A>...);
};

using agm::cu::Driver;

#define AGM_CHECK_SIGNATURE(name, type)                                        \
  static_assert(                                                               \
      std::is_same_v<norm_t<Driver::PFN_##name>, norm_t<decltype(&::name)>>,   \
      "CudaDriver.h declares " #name " unlike cuda.h");
AGM_CUDA_DRIVER_FUNCTIONS(AGM_CHECK_SIGNATURE)
#undef AGM_CHECK_SIGNATURE

static_assert(std::is_same_v<agm::cu::CUdeviceptr, ::CUdeviceptr>);
static_assert(std::is_same_v<agm::cu::CUcontext, ::CUcontext>);
static_assert(std::is_same_v<agm::cu::CUgraphExec, ::CUgraphExec>);

#define AGM_CHECK_VALUE(name)                                                  \
  static_assert(static_cast<long long>(agm::cu::name) ==                       \
                    static_cast<long long>(::name),                            \
                #name " differs from cuda.h");
AGM_CHECK_VALUE(CUDA_SUCCESS)
AGM_CHECK_VALUE(CUDA_ERROR_INVALID_VALUE)
AGM_CHECK_VALUE(CUDA_ERROR_OUT_OF_MEMORY)
AGM_CHECK_VALUE(CUDA_ERROR_NOT_INITIALIZED)
AGM_CHECK_VALUE(CUDA_ERROR_DEINITIALIZED)
AGM_CHECK_VALUE(CUDA_ERROR_STUB_LIBRARY)
AGM_CHECK_VALUE(CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER)
AGM_CHECK_VALUE(CUDA_ERROR_DEVICE_UNAVAILABLE)
AGM_CHECK_VALUE(CUDA_ERROR_NO_DEVICE)
AGM_CHECK_VALUE(CUDA_ERROR_INVALID_DEVICE)
AGM_CHECK_VALUE(CUDA_ERROR_INVALID_IMAGE)
AGM_CHECK_VALUE(CUDA_ERROR_NO_BINARY_FOR_GPU)
AGM_CHECK_VALUE(CUDA_ERROR_INVALID_PTX)
AGM_CHECK_VALUE(CUDA_ERROR_JIT_COMPILER_NOT_FOUND)
AGM_CHECK_VALUE(CUDA_ERROR_UNSUPPORTED_PTX_VERSION)
AGM_CHECK_VALUE(CUDA_ERROR_NOT_FOUND)
AGM_CHECK_VALUE(CUDA_ERROR_SYSTEM_NOT_READY)
AGM_CHECK_VALUE(CUDA_ERROR_SYSTEM_DRIVER_MISMATCH)
AGM_CHECK_VALUE(CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE)
AGM_CHECK_VALUE(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)
AGM_CHECK_VALUE(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)
AGM_CHECK_VALUE(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)
AGM_CHECK_VALUE(CU_JIT_ERROR_LOG_BUFFER)
AGM_CHECK_VALUE(CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES)
AGM_CHECK_VALUE(CU_STREAM_NON_BLOCKING)
AGM_CHECK_VALUE(CU_EVENT_DEFAULT)
AGM_CHECK_VALUE(CU_STREAM_CAPTURE_MODE_THREAD_LOCAL)
#undef AGM_CHECK_VALUE

} // namespace
