//===- ModelImpl.h - the agm_model object -----------------------*- C++ -*-===//
//
// A loaded model: the mapped artifact, its resolved kernels, the arena and
// persistent state allocated once, the thread pool, and the mutex that
// serializes runs (Model.cpp) and generations (Generate.cpp) of one model.
// A CUDA artifact has a CudaExecutor instead of the CPU parts.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_RUNTIME_SRC_MODELIMPL_H
#define AUTOGLM_RUNTIME_SRC_MODELIMPL_H

#include "Artifact.h"
#include "CodeLoader.h"
#include "CudaExecutor.h"
#include "ThreadPool.h"

#include <memory>
#include <mutex>
#include <sys/mman.h>
#include <vector>

struct agm_model_impl {
  std::unique_ptr<agm::Artifact> artifact;
  agm::LoadedCode code;
  /// The kernel of each dispatch in the plan.
  std::vector<agm::KernelFn> kernels;
  uint8_t *arena = nullptr;
  uint8_t *state = nullptr;
  agm::ThreadPool pool;
  /// Held for a whole agm_model_run or agm_model_generate.
  std::mutex runMutex;
  /// Per-run scratch: each buffer's address, each binding's address.
  std::vector<uint8_t *> bufferAddresses;
  std::vector<void *> bindingAddresses;
  /// CUDA artifacts: the executor (no code, arena, state or threads on the
  /// host).
  std::unique_ptr<agm::CudaExecutor> cuda;

  ~agm_model_impl() {
    cuda.reset();
    if (arena)
      munmap(arena, artifact->plan().arena_size);
    if (state)
      munmap(state, artifact->plan().state_size);
  }
};

namespace agm {

/// Runs entry point `entry` once: resolves the buffers, runs its dispatches
/// and copies out outputs kept elsewhere (on the CPU, where it cannot
/// fail), or hands the run to the CUDA executor. The caller holds
/// model->runMutex and has checked `entry` and every input and output
/// pointer. Allocates nothing.
agm_status executeEntry(agm_model model, int32_t entry,
                        const void *const *inputs, void *const *outputs);

} // namespace agm

#endif // AUTOGLM_RUNTIME_SRC_MODELIMPL_H
