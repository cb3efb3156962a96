//===- CudaExecutor.cpp - run a CUDA artifact on a GPU --------------------===//
//
// Every driver call is checked; a failure becomes a status naming the
// artifact, the device and the call (with the driver's name and text for
// its CUresult). Nothing here runs for CPU artifacts.
//
//===----------------------------------------------------------------------===//

#include "CudaExecutor.h"

#include "Status.h"

#include <cstdarg>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>

namespace agm {

using namespace cu;

namespace {
/// Dynamic shared memory above this needs the function attribute.
constexpr uint32_t kDefaultSharedLimit = 48 * 1024;
/// Device allocations of inputs and outputs are aligned like cuMemAlloc's.
constexpr uint64_t kTensorAlignment = 256;
} // namespace

/// Makes the executor's context current for a scope (and restores the
/// caller's afterwards).
class CudaContextScope {
public:
  explicit CudaContextScope(const CudaExecutor &executor)
      : driver_(executor.driver_) {
    result = driver_->cuCtxPushCurrent_v2(executor.context_);
  }
  ~CudaContextScope() {
    CUcontext popped;
    if (result == CUDA_SUCCESS)
      driver_->cuCtxPopCurrent_v2(&popped);
  }
  CUresult result;

private:
  const Driver *driver_;
};

CudaImageChoice chooseCudaImages(const Artifact &artifact,
                                 uint32_t deviceArch) {
  CudaImageChoice choice;
  for (uint32_t i = 0; i < artifact.cudaImageCount(); ++i) {
    const agm_cuda_image &image = artifact.cudaImage(i);
    if (image.format == AGM_CUDA_CUBIN) {
      if (image.arch == deviceArch && choice.cubin < 0)
        choice.cubin = static_cast<int>(i);
    } else if (image.arch <= deviceArch &&
               (choice.ptx < 0 ||
                image.arch > artifact.cudaImage(choice.ptx).arch)) {
      choice.ptx = static_cast<int>(i);
    }
  }
  return choice;
}

agm_status CudaExecutor::fail(agm_status_code code, const char *fmt,
                              ...) const {
  try {
    va_list args;
    va_start(args, fmt);
    va_list copy;
    va_copy(copy, args);
    int n = std::vsnprintf(nullptr, 0, fmt, copy);
    va_end(copy);
    std::string text(n > 0 ? n : 0, '\0');
    if (n > 0)
      std::vsnprintf(text.data(), text.size() + 1, fmt, args);
    va_end(args);
    return makeStatus(code, "artifact '" + artifact_.path() + "': " + text);
  } catch (...) {
    return outOfMemoryStatus();
  }
}

agm_status CudaExecutor::driverFailure(const char *what, const char *call,
                                       CUresult result) const {
  return fail(statusCodeFor(result), "%s on %s: %s", what, description_.c_str(),
              driver_->failed(call, result).c_str());
}

CudaExecutor::~CudaExecutor() {
  if (!driver_)
    return;
  if (contextRetained_) {
    CudaContextScope scope(*this);
    if (scope.result == CUDA_SUCCESS) {
      if (stream_)
        driver_->cuStreamSynchronize(stream_);
      for (EntryPlan &plan : entries_)
        if (plan.graph)
          driver_->cuGraphExecDestroy(plan.graph);
      if (start_)
        driver_->cuEventDestroy_v2(start_);
      if (stop_)
        driver_->cuEventDestroy_v2(stop_);
      if (stream_)
        driver_->cuStreamDestroy_v2(stream_);
      for (CUdeviceptr allocation : allocations_)
        driver_->cuMemFree_v2(allocation);
      if (module_)
        driver_->cuModuleUnload(module_);
    }
    driver_->cuDevicePrimaryCtxRelease_v2(device_);
  }
}

agm_status CudaExecutor::create(const Artifact &artifact,
                                const agm_runtime_options &options,
                                std::unique_ptr<CudaExecutor> &out) {
  std::unique_ptr<CudaExecutor> executor(new CudaExecutor(artifact));
  if (agm_status status = executor->setUp(options))
    return status; // the destructor releases what was set up
  out = std::move(executor);
  return nullptr;
}

agm_status CudaExecutor::setUp(const agm_runtime_options &options) {
  std::string error;
  driver_ = loadCudaDriver(error);
  if (!driver_)
    return fail(AGM_UNAVAILABLE, "compiled for cuda, but %s", error.c_str());
  const char *driverPath = driver_->path.c_str();
  CUresult result = driver_->cuInit(0);
  if (result != CUDA_SUCCESS)
    return fail(AGM_UNAVAILABLE,
                "compiled for cuda, but the CUDA driver '%s' cannot be "
                "initialized (no GPU or driver here?): %s",
                driverPath, driver_->failed("cuInit", result).c_str());
  int count = 0;
  if ((result = driver_->cuDeviceGetCount(&count)) != CUDA_SUCCESS)
    return fail(AGM_UNAVAILABLE,
                "compiled for cuda, but the CUDA driver "
                "'%s' cannot count its devices: %s",
                driverPath,
                driver_->failed("cuDeviceGetCount", result).c_str());
  if (count <= 0)
    return fail(AGM_UNAVAILABLE,
                "compiled for cuda, but the CUDA driver '%s' finds no GPU",
                driverPath);
  if (options.cuda_device < 0 || options.cuda_device >= count)
    return fail(AGM_INVALID_ARGUMENT,
                "cuda_device is %d, but the CUDA driver finds %d GPU%s "
                "(0 to %d)",
                options.cuda_device, count, count == 1 ? "" : "s", count - 1);
  deviceOrdinal_ = options.cuda_device;
  description_ = format("GPU %d", deviceOrdinal_);
  if ((result = driver_->cuDeviceGet(&device_, deviceOrdinal_)) != CUDA_SUCCESS)
    return driverFailure("cannot open the device", "cuDeviceGet", result);
  char name[256] = {};
  if ((result = driver_->cuDeviceGetName(name, sizeof(name) - 1, device_)) !=
      CUDA_SUCCESS)
    return driverFailure("cannot read the device's name", "cuDeviceGetName",
                         result);
  int major = 0, minor = 0;
  if ((result = driver_->cuDeviceGetAttribute(
           &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device_)) !=
          CUDA_SUCCESS ||
      (result = driver_->cuDeviceGetAttribute(
           &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device_)) !=
          CUDA_SUCCESS)
    return driverFailure("cannot read the compute capability",
                         "cuDeviceGetAttribute", result);
  deviceName_ = name;
  arch_ = static_cast<uint32_t>(major * 10 + minor);
  description_ = format("GPU %d '%s' (sm_%u)", deviceOrdinal_, name, arch_);

  if ((result = driver_->cuDevicePrimaryCtxRetain(&context_, device_)) !=
      CUDA_SUCCESS)
    return driverFailure("cannot create a context", "cuDevicePrimaryCtxRetain",
                         result);
  contextRetained_ = true;
  CudaContextScope scope(*this);
  if (scope.result != CUDA_SUCCESS)
    return driverFailure("cannot make the context current", "cuCtxPushCurrent",
                         scope.result);

  if (agm_status status = loadModule())
    return status;
  if (agm_status status = resolveFunctions())
    return status;

  const char *env = std::getenv("AGM_CUDA_GRAPHS");
  graphs_ =
      !options.disable_cuda_graphs && !(env && std::strcmp(env, "0") == 0);

  // Device memory, once: weights (copied from the mapping), arena, zeroed
  // state, and every entry's inputs and outputs.
  const agm_plan &plan = artifact_.plan();
  if (agm_status status =
          allocate(weights_, artifact_.weightsSize(), "the weights"))
    return status;
  if (weights_ && (result = driver_->cuMemcpyHtoD_v2(
                       weights_, artifact_.weights(),
                       artifact_.weightsSize())) != CUDA_SUCCESS)
    return driverFailure("cannot copy the weights", "cuMemcpyHtoD", result);
  if (agm_status status = allocate(arena_, plan.arena_size, "the arena"))
    return status;
  if (agm_status status =
          allocate(state_, plan.state_size, "the persistent state"))
    return status;
  if (state_ && (result = driver_->cuMemsetD8_v2(state_, 0, plan.state_size)) !=
                    CUDA_SUCCESS)
    return driverFailure("cannot zero the persistent state", "cuMemsetD8",
                         result);
  tensors_.assign(plan.tensor_count, 0);
  std::vector<uint64_t> tensorOffsets(plan.tensor_count, UINT64_MAX);
  uint64_t ioBytes = 0;
  for (uint32_t e = 0; e < artifact_.entryCount(); ++e) {
    const agm_entry_point &entry = artifact_.entry(e);
    auto place = [&](uint32_t tensor) {
      uint64_t bytes = artifact_.tensorBytes(artifact_.tensor(tensor));
      if (bytes == 0 || tensorOffsets[tensor] != UINT64_MAX)
        return;
      tensorOffsets[tensor] = ioBytes;
      ioBytes +=
          (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
    };
    for (uint32_t i = 0; i < entry.input_count; ++i)
      place(entry.first_input + i);
    for (uint32_t i = 0; i < entry.output_count; ++i)
      place(entry.first_output + i);
  }
  CUdeviceptr io = 0;
  if (agm_status status =
          allocate(io, ioBytes, "the entry points' inputs and outputs"))
    return status;
  for (uint32_t t = 0; t < plan.tensor_count; ++t)
    if (tensorOffsets[t] != UINT64_MAX)
      tensors_[t] = io + tensorOffsets[t];

  if ((result = driver_->cuStreamCreate(&stream_, CU_STREAM_NON_BLOCKING)) !=
      CUDA_SUCCESS)
    return driverFailure("cannot create a stream", "cuStreamCreate", result);
  if ((result = driver_->cuEventCreate(&start_, CU_EVENT_DEFAULT)) !=
          CUDA_SUCCESS ||
      (result = driver_->cuEventCreate(&stop_, CU_EVENT_DEFAULT)) !=
          CUDA_SUCCESS)
    return driverFailure("cannot create events", "cuEventCreate", result);
  return buildEntryPlans();
}

agm_status CudaExecutor::loadModule() {
  CudaImageChoice choice = chooseCudaImages(artifact_, arch_);
  std::string cubinFailure;
  CUresult result;
  if (choice.cubin >= 0) {
    const agm_cuda_image &image = artifact_.cudaImage(choice.cubin);
    result = driver_->cuModuleLoadDataEx(
        &module_, artifact_.cudaImageBytes(choice.cubin), 0, nullptr, nullptr);
    if (result == CUDA_SUCCESS) {
      description_ += format(", sm_%u cubin", image.arch);
      return nullptr;
    }
    module_ = nullptr;
    // A cubin of a newer toolkit than the driver's does not load; its PTX
    // may still JIT.
    cubinFailure =
        format("its sm_%u cubin did not load: %s", image.arch,
               driver_->failed("cuModuleLoadDataEx", result).c_str());
  }
  if (choice.ptx >= 0) {
    const agm_cuda_image &image = artifact_.cudaImage(choice.ptx);
    char log[8192] = {};
    int options[2] = {CU_JIT_ERROR_LOG_BUFFER,
                      CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *values[2] = {log, reinterpret_cast<void *>(uintptr_t(sizeof(log)))};
    result = driver_->cuModuleLoadDataEx(
        &module_, artifact_.cudaImageBytes(choice.ptx), 2, options, values);
    if (result != CUDA_SUCCESS) {
      module_ = nullptr;
      log[sizeof(log) - 1] = '\0';
      agm_status_code code = statusCodeFor(result);
      return fail(code == AGM_INTERNAL ? AGM_INCOMPATIBLE : code,
                  "the CUDA driver cannot compile its sm_%u PTX for %s: "
                  "%s%s%s%s%s",
                  image.arch, description_.c_str(),
                  driver_->failed("cuModuleLoadDataEx", result).c_str(),
                  *log ? "\n" : "", log, cubinFailure.empty() ? "" : "; ",
                  cubinFailure.c_str());
    }
    description_ += format(", sm_%u PTX compiled by the driver", image.arch);
    if (!cubinFailure.empty())
      description_ += " (" + cubinFailure + ")";
    return nullptr;
  }
  std::string ptx, cubins;
  for (uint32_t i = 0; i < artifact_.cudaImageCount(); ++i) {
    const agm_cuda_image &image = artifact_.cudaImage(i);
    std::string &list = image.format == AGM_CUDA_CUBIN ? cubins : ptx;
    list += format("%ssm_%u", list.empty() ? "" : ", ", image.arch);
  }
  std::string has;
  if (!ptx.empty())
    has = "PTX for " + ptx;
  if (!cubins.empty())
    has += (has.empty() ? "" : " and ") + std::string("cubins for ") + cubins;
  return fail(AGM_INCOMPATIBLE,
              "no code for %s: the artifact has %s (PTX runs on its arch "
              "and later ones, a cubin only on its own arch)%s%s; "
              "recompile with --gpu-arch=sm_%u",
              description_.c_str(), has.c_str(),
              cubinFailure.empty() ? "" : ", and ", cubinFailure.c_str(),
              arch_);
}

agm_status CudaExecutor::resolveFunctions() {
  // Every launch's kernel, once; a missing one is an error naming it.
  const agm_plan &plan = artifact_.plan();
  CUresult result;
  functions_.assign(plan.launch_count, nullptr);
  std::map<std::string, CUfunction> byName;
  for (uint32_t d = 0; d < plan.dispatch_count; ++d) {
    const agm_dispatch &dispatch = artifact_.dispatch(d);
    for (uint32_t l = dispatch.first_launch;
         l < dispatch.first_launch + dispatch.launch_count; ++l) {
      const agm_launch &launch = artifact_.launch(l);
      const char *name = artifact_.string(launch.kernel);
      auto found = byName.find(name);
      if (found == byName.end()) {
        CUfunction function = nullptr;
        result = driver_->cuModuleGetFunction(&function, module_, name);
        if (result != CUDA_SUCCESS) {
          agm_status_code code = statusCodeFor(result);
          return fail(code == AGM_INTERNAL ? AGM_NOT_FOUND : code,
                      "kernel '%s' (launch %u, of dispatch %u '%s') is not "
                      "in the code loaded for %s: %s",
                      name, l, d, artifact_.string(dispatch.kernel),
                      description_.c_str(),
                      driver_->failed("cuModuleGetFunction", result).c_str());
        }
        found = byName.emplace(name, function).first;
      }
      functions_[l] = found->second;
      if (launch.shared_bytes > kDefaultSharedLimit &&
          (result = driver_->cuFuncSetAttribute(
               found->second, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
               static_cast<int>(launch.shared_bytes))) != CUDA_SUCCESS)
        return fail(statusCodeFor(result),
                    "kernel '%s' cannot have %u bytes of dynamic shared "
                    "memory on %s: %s",
                    name, launch.shared_bytes, description_.c_str(),
                    driver_->failed("cuFuncSetAttribute", result).c_str());
    }
  }
  return nullptr;
}

agm_status CudaExecutor::allocate(CUdeviceptr &ptr, uint64_t bytes,
                                  const char *what) {
  ptr = 0;
  if (bytes == 0)
    return nullptr;
  CUresult result = driver_->cuMemAlloc_v2(&ptr, bytes);
  if (result != CUDA_SUCCESS) {
    ptr = 0;
    return fail(statusCodeFor(result), "cannot allocate %s for %s on %s: %s",
                formatBytes(bytes).c_str(), what, description_.c_str(),
                driver_->failed("cuMemAlloc", result).c_str());
  }
  allocations_.push_back(ptr);
  return nullptr;
}

agm_status CudaExecutor::buildEntryPlans() {
  entries_.resize(artifact_.entryCount());
  for (uint32_t e = 0; e < artifact_.entryCount(); ++e) {
    const agm_entry_point &entry = artifact_.entry(e);
    EntryPlan &plan = entries_[e];
    // A buffer's device address while this entry runs.
    auto address = [&](uint32_t index) -> CUdeviceptr {
      const agm_buffer &buffer = artifact_.buffer(index);
      CUdeviceptr base = 0;
      switch (buffer.kind) {
      case AGM_BUFFER_ARENA:
        base = arena_;
        break;
      case AGM_BUFFER_WEIGHT:
        base = weights_;
        break;
      case AGM_BUFFER_STATE:
        base = state_;
        break;
      case AGM_BUFFER_INPUT:
        if (buffer.index < entry.input_count)
          base = tensors_[entry.first_input + buffer.index];
        break;
      case AGM_BUFFER_OUTPUT:
        if (buffer.index < entry.output_count)
          base = tensors_[entry.first_output + buffer.index];
        break;
      }
      return base ? base + buffer.offset : 0;
    };
    for (uint32_t d = entry.first_dispatch;
         d < entry.first_dispatch + entry.dispatch_count; ++d) {
      const agm_dispatch &dispatch = artifact_.dispatch(d);
      for (uint32_t l = dispatch.first_launch;
           l < dispatch.first_launch + dispatch.launch_count; ++l) {
        const agm_launch &record = artifact_.launch(l);
        Launch launch;
        launch.function = functions_[l];
        launch.record = &record;
        launch.index = l;
        launch.dispatch = d;
        launch.firstParam = static_cast<uint32_t>(plan.paramValues.size());
        for (uint32_t k = 0; k < record.param_count; ++k)
          plan.paramValues.push_back(
              address(artifact_.binding(record.first_param + k)));
        plan.launches.push_back(launch);
      }
    }
    // Pointers into paramValues, now that it no longer grows.
    for (CUdeviceptr &value : plan.paramValues)
      plan.paramPointers.push_back(&value);
    for (uint32_t i = 0; i < entry.input_count; ++i) {
      uint32_t t = entry.first_input + i;
      plan.inputs.push_back(
          {tensors_[t], artifact_.tensorBytes(artifact_.tensor(t))});
    }
    for (uint32_t i = 0; i < entry.output_count; ++i) {
      uint32_t t = entry.first_output + i;
      const agm_tensor_desc &tensor = artifact_.tensor(t);
      const agm_buffer &buffer = artifact_.buffer(tensor.buffer);
      // An output the plan keeps elsewhere (arena, weight, state, an input)
      // is copied from there, as on the CPU.
      CUdeviceptr source = buffer.kind == AGM_BUFFER_OUTPUT
                               ? tensors_[t]
                               : address(tensor.buffer);
      plan.outputs.push_back({source, artifact_.tensorBytes(tensor)});
    }
  }
  return nullptr;
}

CUresult CudaExecutor::launchOne(EntryPlan &plan, const Launch &launch) {
  const agm_launch &r = *launch.record;
  return driver_->cuLaunchKernel(
      launch.function, r.grid[0], r.grid[1], r.grid[2], r.block[0], r.block[1],
      r.block[2], r.shared_bytes, stream_,
      r.param_count ? plan.paramPointers.data() + launch.firstParam : nullptr,
      nullptr);
}

agm_status CudaExecutor::launchDirect(uint32_t entry, EntryPlan &plan) {
  for (const Launch &launch : plan.launches) {
    CUresult result = launchOne(plan, launch);
    if (result != CUDA_SUCCESS)
      return fail(statusCodeFor(result),
                  "launching kernel '%s' (launch %u, of dispatch %u '%s', "
                  "entry point '%s') on %s: %s",
                  artifact_.string(launch.record->kernel), launch.index,
                  launch.dispatch,
                  artifact_.string(artifact_.dispatch(launch.dispatch).kernel),
                  artifact_.string(artifact_.entry(entry).name),
                  description_.c_str(),
                  driver_->failed("cuLaunchKernel", result).c_str());
  }
  return nullptr;
}

bool CudaExecutor::captureGraph(EntryPlan &plan) {
  if (driver_->cuStreamBeginCapture_v2(
          stream_, CU_STREAM_CAPTURE_MODE_THREAD_LOCAL) != CUDA_SUCCESS) {
    plan.graphFailed = true;
    return false;
  }
  bool launched = true;
  for (const Launch &launch : plan.launches)
    if (launchOne(plan, launch) != CUDA_SUCCESS) {
      launched = false;
      break;
    }
  CUgraph graph = nullptr;
  CUresult ended = driver_->cuStreamEndCapture(stream_, &graph);
  bool ok = launched && ended == CUDA_SUCCESS && graph &&
            driver_->cuGraphInstantiateWithFlags(&plan.graph, graph, 0) ==
                CUDA_SUCCESS;
  if (graph)
    driver_->cuGraphDestroy(graph);
  if (!ok) {
    // Launch one by one from now on; a real launch error shows there.
    plan.graph = nullptr;
    plan.graphFailed = true;
  }
  return ok;
}

agm_status CudaExecutor::run(uint32_t entry, const void *const *inputs,
                             void *const *outputs) {
  EntryPlan &plan = entries_[entry];
  const char *entryName = artifact_.string(artifact_.entry(entry).name);
  CudaContextScope scope(*this);
  if (scope.result != CUDA_SUCCESS)
    return driverFailure("cannot make the context current", "cuCtxPushCurrent",
                         scope.result);
  // On an error, wait for what was queued (it may read the caller's
  // inputs or write its outputs) before returning.
  auto drain = [&](agm_status status) {
    driver_->cuStreamSynchronize(stream_);
    return status;
  };
  std::string what;
  CUresult result;
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const Copy &copy = plan.inputs[i];
    if (copy.bytes == 0)
      continue;
    if ((result = driver_->cuMemcpyHtoDAsync_v2(
             copy.device, inputs[i], copy.bytes, stream_)) != CUDA_SUCCESS) {
      what = format("cannot copy input %zu of entry point '%s' to the device",
                    i, entryName);
      return drain(driverFailure(what.c_str(), "cuMemcpyHtoDAsync", result));
    }
  }
  if ((result = driver_->cuEventRecord(start_, stream_)) != CUDA_SUCCESS)
    return drain(
        driverFailure("cannot record an event", "cuEventRecord", result));
  bool replay = graphs_ && plan.runs > 0 && !plan.launches.empty() &&
                !plan.graphFailed && (plan.graph || captureGraph(plan));
  if (replay) {
    if ((result = driver_->cuGraphLaunch(plan.graph, stream_)) !=
        CUDA_SUCCESS) {
      what =
          format("cannot replay the CUDA graph of entry point '%s'", entryName);
      return drain(driverFailure(what.c_str(), "cuGraphLaunch", result));
    }
  } else if (agm_status status = launchDirect(entry, plan)) {
    return drain(status);
  }
  if ((result = driver_->cuEventRecord(stop_, stream_)) != CUDA_SUCCESS)
    return drain(
        driverFailure("cannot record an event", "cuEventRecord", result));
  for (size_t i = 0; i < plan.outputs.size(); ++i) {
    const Copy &copy = plan.outputs[i];
    if (copy.bytes == 0)
      continue;
    if ((result = driver_->cuMemcpyDtoHAsync_v2(
             outputs[i], copy.device, copy.bytes, stream_)) != CUDA_SUCCESS) {
      what = format("cannot copy output %zu of entry point '%s' from the "
                    "device",
                    i, entryName);
      return drain(driverFailure(what.c_str(), "cuMemcpyDtoHAsync", result));
    }
  }
  if ((result = driver_->cuStreamSynchronize(stream_)) != CUDA_SUCCESS) {
    what = format("running entry point '%s' failed", entryName);
    return driverFailure(what.c_str(), "cuStreamSynchronize", result);
  }
  float ms = -1;
  if (driver_->cuEventElapsedTime(&ms, start_, stop_) != CUDA_SUCCESS)
    ms = -1;
  lastDeviceMs_ = ms;
  plan.runs += 1;
  return nullptr;
}

} // namespace agm
