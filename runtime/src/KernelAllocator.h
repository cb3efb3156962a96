//===- KernelAllocator.h - kernels' temporary buffers -----------*- C++ -*-===//
//
// Generated kernels allocate temporaries (a transposed K, attention scores)
// on every call. Through malloc, blocks above glibc's mmap threshold are
// mapped and unmapped each time: page faults and zeroing dominated an LLM
// decode step. The compiler routes the kernels' malloc/free through two
// function pointers the code exports (`agm_kernel_malloc`,
// `agm_kernel_free`); the runtime sets them to this allocator, which keeps
// a few freed blocks per thread and hands them out again by size.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_RUNTIME_SRC_KERNELALLOCATOR_H
#define AUTOGLM_RUNTIME_SRC_KERNELALLOCATOR_H

#include <cstdint>

namespace agm {

/// malloc-compatible (16-byte aligned, NULL on failure).
void *kernelMalloc(uint64_t size);
/// free-compatible (NULL is a no-op).
void kernelFree(void *pointer);

/// Points the code's allocator hooks, when it has them, at the functions
/// above: `symbol` looks a data symbol up in the loaded code.
template <typename Lookup> void installKernelAllocator(Lookup symbol) {
  if (auto **hook = static_cast<void **>(symbol("agm_kernel_malloc")))
    *hook = reinterpret_cast<void *>(&kernelMalloc);
  if (auto **hook = static_cast<void **>(symbol("agm_kernel_free")))
    *hook = reinterpret_cast<void *>(&kernelFree);
}

} // namespace agm

#endif // AUTOGLM_RUNTIME_SRC_KERNELALLOCATOR_H
