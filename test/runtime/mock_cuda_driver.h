/*===- mock_cuda_driver.h - control of the mock CUDA driver -----*- C -*-===*
 *
 * mock_cuda_driver.cpp is a shared library exporting the CUDA driver entry
 * points the runtime's CUDA executor uses, on host memory: the tests point
 * AGM_CUDA_DRIVER at it, dlopen it themselves and drive it through these
 * functions.
 *
 *  - Device memory is malloc'd (new allocations are filled with 0xcd, so
 *    memory the runtime must zero is not zero by accident); every copy and
 *    every kernel parameter must lie inside a live allocation.
 *  - Streams queue their work (async copies, launches, event records) and
 *    run it at cuStreamSynchronize, so a missing synchronize shows.
 *  - A module image is accepted when it contains "mock-module"; its
 *    "tag=NAME" names it in the log, "kernels: a b c" (to the end of the
 *    line) lists its kernels; "mock-bad-image" makes it fail to load
 *    (CUDA_ERROR_NO_BINARY_FOR_GPU, or CUDA_ERROR_INVALID_PTX with a line in
 *    the JIT error log when log options are passed). Real PTX (no
 *    "mock-module") also loads: each .entry is a function that does
 *    nothing (its parameters, all .u64, are still checked to lie in
 *    allocations); real cubins fail with CUDA_ERROR_NO_BINARY_FOR_GPU.
 *  - cuLaunchKernel runs the host function registered under the kernel's
 *    name; each kernel executed advances the device clock that events read
 *    by 0.25 ms. The toy LLM's kernels (kernels.c: toy_write, toy_logits,
 *    copy_bytes, toy_fill; one workgroup per block) are built in.
 *  - Stream capture records launches (copies and event records during a
 *    capture are refused); a graph launch queues the recorded launches.
 *  - The log has one line per call that matters, e.g.
 *      launch k_add grid=2,1,1 block=64,1,1 shared=0 params=A2+0,A4+256
 *    where An+off is the n-th allocation since mock_cuda_reset and the byte
 *    offset into it ("null" for 0, "??" outside every allocation).
 *
 *===----------------------------------------------------------------------===*/

#ifndef AUTOGLM_TEST_RUNTIME_MOCK_CUDA_DRIVER_H
#define AUTOGLM_TEST_RUNTIME_MOCK_CUDA_DRIVER_H

#ifdef __cplusplus
extern "C" {
#endif

/* A host kernel: params[i] is the address parameter i points at. */
typedef void (*mock_cuda_kernel)(void **params, const unsigned grid[3],
                                 const unsigned block[3]);

/* Back to one device "Mock GPU" of sm_90, no failures, no memory limit, only
 * the built-in kernels; clears the log and the allocation numbering. */
typedef void (*mock_cuda_reset_fn)(void);
typedef void (*mock_cuda_set_device_fn)(int count, int major, int minor);
/* Device memory limit in bytes (0: none); beyond it cuMemAlloc fails with
 * CUDA_ERROR_OUT_OF_MEMORY. */
typedef void (*mock_cuda_set_memory_limit_fn)(unsigned long long bytes);
/* Every call of `function` after the next `skip` fails with `result`. */
typedef void (*mock_cuda_fail_fn)(const char *function, int result, int skip);
typedef void (*mock_cuda_register_kernel_fn)(const char *name,
                                             int param_count,
                                             mock_cuda_kernel kernel);
/* The log since the last reset (valid until the next call). */
typedef const char *(*mock_cuda_log_fn)(void);
/* Live objects: allocations, modules, streams, events, graphs, graph
 * executables and primary-context retains. */
typedef long long (*mock_cuda_live_objects_fn)(void);

#ifdef __cplusplus
}
#endif

#endif
