//===- CudaExecutor.h - run a CUDA artifact on a GPU ------------*- C++ -*-===//
//
// The executor of target-2 artifacts (docs/artifact.md, "Running on a
// GPU"). create() loads the driver (CudaDriver.h), picks the device and the
// code image, resolves every launch's kernel, allocates the weights, the
// arena, the zeroed state and every entry's inputs and outputs on the
// device once, and precomputes each entry's launches with their parameter
// values (device addresses never change after create). run() copies the
// inputs in, launches (from an entry's second run on, by replaying a CUDA
// Graph captured once), copies the outputs out and synchronizes once.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_RUNTIME_SRC_CUDAEXECUTOR_H
#define AUTOGLM_RUNTIME_SRC_CUDAEXECUTOR_H

#include "Artifact.h"
#include "CudaDriver.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace agm {

/// Which images of an artifact suit a device of arch `deviceArch`
/// (compute capability * 10): the cubin of exactly that arch, and the PTX
/// of the highest arch <= it (the driver compiles PTX for later archs).
/// -1 where there is none.
struct CudaImageChoice {
  int cubin = -1;
  int ptx = -1;
};
CudaImageChoice chooseCudaImages(const Artifact &artifact, uint32_t deviceArch);

class CudaExecutor {
public:
  /// Prepares `artifact` (validated, target 2) to run on the device
  /// `options->cuda_device`. The executor keeps a reference to `artifact`.
  static agm_status create(const Artifact &artifact,
                           const agm_runtime_options &options,
                           std::unique_ptr<CudaExecutor> &out);
  ~CudaExecutor();
  CudaExecutor(const CudaExecutor &) = delete;
  CudaExecutor &operator=(const CudaExecutor &) = delete;

  /// Runs entry `entry` (checked by the caller, as are the pointers). The
  /// caller serializes runs.
  agm_status run(uint32_t entry, const void *const *inputs,
                 void *const *outputs);

  /// Device milliseconds of the last successful run's launches; -1 before.
  double lastDeviceMs() const { return lastDeviceMs_.load(); }
  const std::string &description() const { return description_; }

private:
  struct Launch {
    cu::CUfunction function = nullptr;
    const agm_launch *record = nullptr;
    uint32_t index = 0;      // in the plan's launches
    uint32_t dispatch = 0;   // in the plan's dispatches
    uint32_t firstParam = 0; // in EntryPlan::paramPointers
  };
  struct Copy {
    cu::CUdeviceptr device = 0;
    uint64_t bytes = 0;
  };
  struct EntryPlan {
    std::vector<Launch> launches;
    std::vector<cu::CUdeviceptr> paramValues;
    std::vector<void *> paramPointers;
    std::vector<Copy> inputs, outputs;
    uint64_t runs = 0;
    cu::CUgraphExec graph = nullptr;
    bool graphFailed = false;
  };

  explicit CudaExecutor(const Artifact &artifact) : artifact_(artifact) {}
  agm_status fail(agm_status_code code, const char *fmt, ...) const
      __attribute__((format(printf, 3, 4)));
  agm_status driverFailure(const char *what, const char *call,
                           cu::CUresult result) const;
  agm_status setUp(const agm_runtime_options &options);
  agm_status loadModule();
  agm_status resolveFunctions();
  agm_status allocate(cu::CUdeviceptr &ptr, uint64_t bytes, const char *what);
  agm_status buildEntryPlans();
  cu::CUresult launchOne(EntryPlan &plan, const Launch &launch);
  agm_status launchDirect(uint32_t entry, EntryPlan &plan);
  /// Captures the entry's launches into plan.graph; false (and the graph
  /// path off for this entry) when the driver cannot.
  bool captureGraph(EntryPlan &plan);

  const Artifact &artifact_;
  const cu::Driver *driver_ = nullptr;
  cu::CUdevice device_ = 0;
  int deviceOrdinal_ = 0;
  bool contextRetained_ = false;
  cu::CUcontext context_ = nullptr;
  uint32_t arch_ = 0;
  std::string deviceName_;
  std::string description_;
  cu::CUmodule module_ = nullptr;
  cu::CUstream stream_ = nullptr;
  cu::CUevent start_ = nullptr, stop_ = nullptr;
  std::vector<cu::CUdeviceptr> allocations_;
  cu::CUdeviceptr weights_ = 0, arena_ = 0, state_ = 0;
  /// Device copies of every entry's inputs and outputs, by tensor index.
  std::vector<cu::CUdeviceptr> tensors_;
  /// The function of each of the plan's launches.
  std::vector<cu::CUfunction> functions_;
  std::vector<EntryPlan> entries_;
  bool graphs_ = true;
  std::atomic<double> lastDeviceMs_{-1};

  friend class CudaContextScope;
};

} // namespace agm

#endif // AUTOGLM_RUNTIME_SRC_CUDAEXECUTOR_H
