//===- Model.cpp - the runtime.h C API and the CPU executor ---------------===//
//
// agm_model_create maps and validates the artifact (Artifact.cpp), loads its
// CPU code (CodeLoader.cpp) and resolves every dispatch's kernel, allocates
// the arena and the zero-initialized persistent state once, and starts the
// thread pool. agm_model_run resolves each buffer to an address (weights
// point into the mapping, inputs and outputs at the caller's memory) and
// runs the entry's dispatches in order, each split over the threads.
//
// A CUDA artifact goes to CudaExecutor instead (created here, run from
// executeEntry); nothing of the CPU path runs for it, nor it for the CPU.
//
// Runs of one model share its arena, state and threads, so they are
// serialized: concurrent agm_model_run calls on the same model wait for each
// other (and for a generation, Generate.cpp). Different models run
// independently.
//
//===----------------------------------------------------------------------===//

#include "KernelAllocator.h"
#include "ModelImpl.h"

#include "Export.h"
#include "Status.h"

#include <cstring>
#include <mutex>
#include <new>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

using namespace agm;

namespace {

/// Zeroed, page-aligned (so 64-byte aligned) memory, committed lazily.
uint8_t *allocatePages(uint64_t size) {
  if (size == 0)
    return nullptr;
  if (size > SIZE_MAX)
    return nullptr;
  void *memory = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return memory == MAP_FAILED ? nullptr : static_cast<uint8_t *>(memory);
}

int defaultThreadCount() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int count = CPU_COUNT(&set);
    if (count > 0)
      return count;
  }
  long online = sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? static_cast<int>(online) : 1;
}

agm_status invalidModel() {
  return makeStatus(AGM_INVALID_ARGUMENT, "model is NULL");
}

agm_status checkEntry(agm_model model, int32_t entry) {
  if (!model)
    return invalidModel();
  int32_t count = static_cast<int32_t>(model->artifact->entryCount());
  if (entry < 0 || entry >= count)
    return makeStatusf(AGM_INVALID_ARGUMENT,
                       "artifact '%s': entry point %d out of range (the "
                       "model has %d)",
                       model->artifact->path().c_str(), entry, count);
  return nullptr;
}

void fillInfo(const Artifact &artifact, const agm_tensor_desc &t,
              agm_tensor_info *info) {
  std::memset(info, 0, sizeof(*info));
  info->name = artifact.string(t.name);
  info->dtype = static_cast<agm_dtype>(t.dtype);
  info->rank = static_cast<int32_t>(t.rank);
  for (uint32_t d = 0; d < t.rank; ++d)
    info->dims[d] = t.dims[d];
  info->byte_size = artifact.tensorBytes(t);
}

agm_status tensorInfo(agm_model model, int32_t entry, int32_t index,
                      agm_tensor_info *out, bool input) {
  if (agm_status status = checkEntry(model, entry))
    return status;
  const Artifact &artifact = *model->artifact;
  const agm_entry_point &e = artifact.entry(entry);
  const char *what = input ? "input" : "output";
  int32_t count = static_cast<int32_t>(input ? e.input_count : e.output_count);
  if (!out)
    return makeStatusf(AGM_INVALID_ARGUMENT, "%s info: out_info is NULL",
                       what);
  if (index < 0 || index >= count)
    return makeStatusf(AGM_INVALID_ARGUMENT,
                       "artifact '%s': %s %d out of range (entry point '%s' "
                       "has %d)",
                       artifact.path().c_str(), what, index,
                       artifact.string(e.name), count);
  fillInfo(artifact,
           artifact.tensor((input ? e.first_input : e.first_output) + index),
           out);
  return nullptr;
}

agm_status createModel(const char *path, const agm_runtime_options *options,
                       agm_model *outModel) {
  if (!outModel)
    return makeStatus(AGM_INVALID_ARGUMENT,
                      "agm_model_create: out_model is NULL");
  *outModel = nullptr;
  if (!path)
    return makeStatus(AGM_INVALID_ARGUMENT, "agm_model_create: path is NULL");
  agm_runtime_options defaults;
  agm_runtime_options_init(&defaults);
  if (!options)
    options = &defaults;
  if (options->threads < 0)
    return makeStatusf(AGM_INVALID_ARGUMENT,
                       "agm_model_create: threads is %d (0 means all cores)",
                       options->threads);

  std::unique_ptr<agm_model_impl> model(new agm_model_impl());
  if (agm_status status = Artifact::open(
          path, /*checkWeights=*/!options->skip_weight_checksums,
          model->artifact))
    return status;
  const Artifact &artifact = *model->artifact;
  const agm_plan &plan = artifact.plan();
  if (artifact.isCuda()) {
    if (agm_status status =
            CudaExecutor::create(artifact, *options, model->cuda))
      return status;
    *outModel = model.release();
    return nullptr;
  }

  // Code: every dispatch's kernel is resolved now, so a run never meets a
  // missing symbol.
  model->kernels.assign(plan.dispatch_count, nullptr);
  if (plan.dispatch_count > 0) {
    if (agm_status status = model->code.load(
            artifact.path(), artifact.cpuCode(), artifact.cpuCodeSize()))
      return status;
    for (uint32_t d = 0; d < plan.dispatch_count; ++d) {
      const char *name = artifact.string(artifact.dispatch(d).kernel);
      void *symbol = model->code.symbol(name);
      if (!symbol)
        return makeStatusf(AGM_NOT_FOUND,
                           "artifact '%s': kernel '%s' of dispatch %u is not "
                           "defined in the CPU code",
                           artifact.path().c_str(), name, d);
      model->kernels[d] = reinterpret_cast<KernelFn>(symbol);
    }
    installKernelAllocator(
        [&](const char *name) { return model->code.symbol(name); });
  }

  // Memory: one arena per model, reused by every run; zeroed state.
  if (plan.arena_size > 0 && !(model->arena = allocatePages(plan.arena_size)))
    return makeStatusf(AGM_RESOURCE_EXHAUSTED,
                       "artifact '%s': cannot allocate the %s arena",
                       artifact.path().c_str(),
                       formatBytes(plan.arena_size).c_str());
  if (plan.state_size > 0 && !(model->state = allocatePages(plan.state_size)))
    return makeStatusf(AGM_RESOURCE_EXHAUSTED,
                       "artifact '%s': cannot allocate the %s of persistent "
                       "state",
                       artifact.path().c_str(),
                       formatBytes(plan.state_size).c_str());
  model->bufferAddresses.assign(plan.buffer_count, nullptr);
  model->bindingAddresses.assign(plan.binding_count, nullptr);

  int threads = options->threads > 0 ? options->threads : defaultThreadCount();
  std::string error;
  if (!model->pool.start(threads, error))
    return makeStatusf(AGM_RESOURCE_EXHAUSTED,
                       "artifact '%s': cannot start %d threads: %s",
                       artifact.path().c_str(), threads, error.c_str());
  *outModel = model.release();
  return nullptr;
}

agm_status runModel(agm_model model, int32_t entryIndex,
                    const void *const *inputs, void *const *outputs) {
  if (agm_status status = checkEntry(model, entryIndex))
    return status;
  const Artifact &artifact = *model->artifact;
  const agm_entry_point &entry = artifact.entry(entryIndex);
  const char *entryName = artifact.string(entry.name);
  auto checkPointers = [&](const void *const *pointers, uint32_t count,
                           uint32_t first, const char *what) -> agm_status {
    if (count == 0)
      return nullptr;
    if (!pointers)
      return makeStatusf(AGM_INVALID_ARGUMENT,
                         "agm_model_run: %ss is NULL, but entry point '%s' "
                         "has %u %s%s",
                         what, entryName, count, what, count == 1 ? "" : "s");
    for (uint32_t i = 0; i < count; ++i) {
      const agm_tensor_desc &t = artifact.tensor(first + i);
      if (!pointers[i] && artifact.tensorBytes(t) > 0)
        return makeStatusf(AGM_INVALID_ARGUMENT,
                           "agm_model_run: %s %u ('%s') of entry point '%s' "
                           "is NULL",
                           what, i, artifact.string(t.name), entryName);
    }
    return nullptr;
  };
  if (agm_status status =
          checkPointers(inputs, entry.input_count, entry.first_input, "input"))
    return status;
  if (agm_status status = checkPointers(outputs, entry.output_count,
                                        entry.first_output, "output"))
    return status;
  // An LLM entry's `position` (i64 scalar) places its tokens (the other
  // rank-2 input's dim 1) in the KV cache: they must fit in max_context.
  if (int64_t maxContext = artifact.metadata().max_context) {
    int64_t position = -1, tokens = 1;
    bool hasPosition = false;
    for (uint32_t i = 0; i < entry.input_count; ++i) {
      const agm_tensor_desc &t = artifact.tensor(entry.first_input + i);
      if (std::strcmp(artifact.string(t.name), "position") == 0 &&
          t.dtype == AGM_I64 && t.rank == 0) {
        std::memcpy(&position, inputs[i], sizeof position);
        hasPosition = true;
      } else if (t.rank == 2) {
        tokens = t.dims[1];
      }
    }
    if (hasPosition && (position < 0 || position + tokens > maxContext))
      return makeStatusf(AGM_INVALID_ARGUMENT,
                         "agm_model_run: position %lld of entry point '%s' "
                         "(tokens at %lld..%lld) lies outside the KV cache's "
                         "%lld positions (max_context of artifact '%s')",
                         static_cast<long long>(position), entryName,
                         static_cast<long long>(position),
                         static_cast<long long>(position + tokens - 1),
                         static_cast<long long>(maxContext),
                         artifact.path().c_str());
  }

  std::lock_guard<std::mutex> lock(model->runMutex);
  return executeEntry(model, entryIndex, inputs, outputs);
}

} // namespace

agm_status agm::executeEntry(agm_model model, int32_t entryIndex,
                             const void *const *inputs,
                             void *const *outputs) {
  if (model->cuda)
    return model->cuda->run(static_cast<uint32_t>(entryIndex), inputs,
                            outputs);
  const Artifact &artifact = *model->artifact;
  const agm_entry_point &entry = artifact.entry(entryIndex);
  const agm_plan &plan = artifact.plan();
  // Resolve buffers. Caller buffers of other entries stay NULL; validation
  // guarantees this entry's dispatches do not use them.
  for (uint32_t b = 0; b < plan.buffer_count; ++b) {
    const agm_buffer &buffer = artifact.buffer(b);
    uint8_t *address = nullptr;
    switch (buffer.kind) {
    case AGM_BUFFER_ARENA:
      address = model->arena ? model->arena + buffer.offset : nullptr;
      break;
    case AGM_BUFFER_WEIGHT:
      address = const_cast<uint8_t *>(artifact.weights()) + buffer.offset;
      break;
    case AGM_BUFFER_STATE:
      address = model->state ? model->state + buffer.offset : nullptr;
      break;
    case AGM_BUFFER_INPUT:
      if (buffer.index < entry.input_count && inputs[buffer.index])
        address = static_cast<uint8_t *>(
                      const_cast<void *>(inputs[buffer.index])) +
                  buffer.offset;
      break;
    case AGM_BUFFER_OUTPUT:
      if (buffer.index < entry.output_count && outputs[buffer.index])
        address = static_cast<uint8_t *>(outputs[buffer.index]) + buffer.offset;
      break;
    }
    model->bufferAddresses[b] = address;
  }

  for (uint32_t d = entry.first_dispatch;
       d < entry.first_dispatch + entry.dispatch_count; ++d) {
    const agm_dispatch &dispatch = artifact.dispatch(d);
    void **bindings = model->bindingAddresses.data() + dispatch.first_binding;
    for (uint32_t k = 0; k < dispatch.binding_count; ++k)
      bindings[k] =
          model->bufferAddresses[artifact.binding(dispatch.first_binding + k)];
    model->pool.run(model->kernels[d], bindings, dispatch.workgroup_count);
  }

  // Outputs the plan keeps elsewhere (a weight, an input, the arena) are
  // copied out.
  for (uint32_t i = 0; i < entry.output_count; ++i) {
    const agm_tensor_desc &t = artifact.tensor(entry.first_output + i);
    const agm_buffer &buffer = artifact.buffer(t.buffer);
    if (buffer.kind == AGM_BUFFER_OUTPUT)
      continue;
    uint64_t bytes = artifact.tensorBytes(t);
    if (bytes > 0 && model->bufferAddresses[t.buffer] != outputs[i])
      std::memmove(outputs[i], model->bufferAddresses[t.buffer], bytes);
  }
  return nullptr;
}

extern "C" {

AGM_EXPORT void agm_runtime_options_init(agm_runtime_options *options) {
  if (!options)
    return;
  std::memset(options, 0, sizeof(*options));
  options->threads = 0;
  options->skip_weight_checksums = 0;
  options->cuda_device = 0;
  options->disable_cuda_graphs = 0;
}

AGM_EXPORT agm_status agm_model_create(const char *path,
                                       const agm_runtime_options *options,
                                       agm_model *out_model) {
  return guarded([&] { return createModel(path, options, out_model); });
}

AGM_EXPORT void agm_model_release(agm_model model) { delete model; }

AGM_EXPORT agm_status agm_artifact_target(const char *path,
                                          int32_t *out_target) {
  return guarded([&]() -> agm_status {
    if (!path || !out_target)
      return makeStatus(AGM_INVALID_ARGUMENT,
                        "agm_artifact_target: path or out_target is NULL");
    std::unique_ptr<Artifact> artifact;
    if (agm_status status =
            Artifact::open(path, /*checkWeights=*/false, artifact))
      return status;
    *out_target = static_cast<int32_t>(artifact->metadata().target);
    return nullptr;
  });
}

AGM_EXPORT int32_t agm_model_target(agm_model model) {
  return model ? static_cast<int32_t>(model->artifact->metadata().target) : 0;
}

AGM_EXPORT const char *agm_model_device_description(agm_model model) {
  if (!model)
    return "";
  return model->cuda ? model->cuda->description().c_str() : "cpu";
}

AGM_EXPORT double agm_model_last_run_device_ms(agm_model model) {
  return model && model->cuda ? model->cuda->lastDeviceMs() : -1;
}

AGM_EXPORT int32_t agm_model_entry_count(agm_model model) {
  return model ? static_cast<int32_t>(model->artifact->entryCount()) : 0;
}

AGM_EXPORT const char *agm_model_entry_name(agm_model model, int32_t entry) {
  if (!model || entry < 0 ||
      entry >= static_cast<int32_t>(model->artifact->entryCount()))
    return nullptr;
  return model->artifact->string(model->artifact->entry(entry).name);
}

AGM_EXPORT agm_status agm_model_find_entry(agm_model model, const char *name,
                                           int32_t *out_entry) {
  return guarded([&]() -> agm_status {
    if (!model)
      return invalidModel();
    if (!name || !out_entry)
      return makeStatus(AGM_INVALID_ARGUMENT,
                        "agm_model_find_entry: name or out_entry is NULL");
    const Artifact &artifact = *model->artifact;
    std::string names;
    for (uint32_t e = 0; e < artifact.entryCount(); ++e) {
      const char *entryName = artifact.string(artifact.entry(e).name);
      if (std::strcmp(entryName, name) == 0) {
        *out_entry = static_cast<int32_t>(e);
        return nullptr;
      }
      names += (names.empty() ? "'" : ", '") + std::string(entryName) + "'";
    }
    return makeStatusf(AGM_NOT_FOUND,
                       "artifact '%s': no entry point '%s' (it has %s)",
                       artifact.path().c_str(), name,
                       names.empty() ? "none" : names.c_str());
  });
}

/// -1 when the model or entry is invalid.
AGM_EXPORT int32_t agm_model_input_count(agm_model model, int32_t entry) {
  if (!model || entry < 0 ||
      entry >= static_cast<int32_t>(model->artifact->entryCount()))
    return -1;
  return static_cast<int32_t>(model->artifact->entry(entry).input_count);
}

AGM_EXPORT int32_t agm_model_output_count(agm_model model, int32_t entry) {
  if (!model || entry < 0 ||
      entry >= static_cast<int32_t>(model->artifact->entryCount()))
    return -1;
  return static_cast<int32_t>(model->artifact->entry(entry).output_count);
}

AGM_EXPORT agm_status agm_model_input_info(agm_model model, int32_t entry,
                                           int32_t index,
                                           agm_tensor_info *out_info) {
  return guarded(
      [&] { return tensorInfo(model, entry, index, out_info, true); });
}

AGM_EXPORT agm_status agm_model_output_info(agm_model model, int32_t entry,
                                            int32_t index,
                                            agm_tensor_info *out_info) {
  return guarded(
      [&] { return tensorInfo(model, entry, index, out_info, false); });
}

AGM_EXPORT int64_t agm_model_max_context(agm_model model) {
  return model ? model->artifact->metadata().max_context : 0;
}

AGM_EXPORT agm_status agm_model_run(agm_model model, int32_t entry,
                                    const void *const *inputs,
                                    void *const *outputs) {
  return guarded([&] { return runModel(model, entry, inputs, outputs); });
}

} // extern "C"
