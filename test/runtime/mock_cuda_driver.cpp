//===- mock_cuda_driver.cpp - a CUDA driver on host memory, for tests -----===//
//
// What it simulates and how the tests steer it: mock_cuda_driver.h.
//
//===----------------------------------------------------------------------===//

#include "mock_cuda_driver.h"

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace {

using CUresult = int;
using CUdeviceptr = unsigned long long;

constexpr CUresult kSuccess = 0, kInvalidValue = 1, kOutOfMemory = 2,
                   kNotInitialized = 3, kNoDevice = 100, kInvalidDevice = 101,
                   kNoBinary = 209, kInvalidContext = 201, kInvalidPtx = 218,
                   kNotFound = 500, kNotReady = 600, kCaptureUnsupported = 900;
constexpr double kKernelMs = 0.25;

struct Function {
  std::string name;
  int paramCount = 0;
  mock_cuda_kernel kernel = nullptr;
  int maxDynamicShared = 48 * 1024;
};
struct Module {
  std::string tag;
  std::map<std::string, std::unique_ptr<Function>> functions;
};
struct LaunchRecord {
  Function *function;
  unsigned grid[3], block[3];
  std::vector<CUdeviceptr> params;
};
struct Graph {
  std::vector<LaunchRecord> launches;
};
struct Stream {
  std::vector<std::function<void()>> queue;
  bool capturing = false;
  std::vector<LaunchRecord> captured;
};
struct Event {
  double time = 0;
  bool complete = false;
};
struct Allocation {
  int id;
  size_t size;
};

// The toy LLM's kernels (kernels.c), built in so that autoglm-run can
// generate from a CUDA toy LLM (agm-make-test-artifact --toy-llm-cuda) on
// the mock: one workgroup per block.
extern "C" {
void toy_write(void **b, int64_t begin, int64_t end);
void toy_logits(void **b, int64_t begin, int64_t end);
void copy_bytes(void **b, int64_t begin, int64_t end);
void toy_fill(void **b, int64_t begin, int64_t end);
}
void builtinToyWrite(void **p, const unsigned *grid, const unsigned *) {
  toy_write(p, 0, grid[0]);
}
void builtinToyLogits(void **p, const unsigned *grid, const unsigned *) {
  toy_logits(p, 0, grid[0]);
}
void builtinCopyBytes(void **p, const unsigned *grid, const unsigned *) {
  copy_bytes(p, 0, grid[0]);
}
void builtinToyFill(void **p, const unsigned *grid, const unsigned *) {
  toy_fill(p, 0, grid[0]);
}

struct State {
  std::recursive_mutex mutex;
  bool initialized = false;
  int devices = 1, major = 9, minor = 0;
  unsigned long long memoryLimit = 0, liveBytes = 0;
  std::map<std::string, std::pair<int, int>> failures; // result, skip
  std::map<std::string, std::pair<int, mock_cuda_kernel>> kernels;
  std::string log, logCopy;
  int nextAllocation = 1;
  std::map<CUdeviceptr, Allocation> allocations;
  std::set<void *> objects; // modules, streams, events, graphs, execs
  int contextRetains = 0;
  double clock = 0;
};
void registerBuiltins(State &s) {
  s.kernels["toy_write"] = {4, builtinToyWrite};
  s.kernels["toy_logits"] = {4, builtinToyLogits};
  s.kernels["copy_bytes"] = {3, builtinCopyBytes};
  s.kernels["toy_fill"] = {2, builtinToyFill};
}
State &state() {
  static State *s = [] {
    State *fresh = new State();
    registerBuiltins(*fresh);
    return fresh;
  }();
  return *s;
}
int contextToken;
thread_local std::vector<void *> contextStack;

void logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void logf(const char *fmt, ...) {
  char line[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(line, sizeof(line), fmt, args);
  va_end(args);
  state().log += line;
  state().log += '\n';
}

/// The injected result for `function`, or success.
CUresult injected(const char *function) {
  auto found = state().failures.find(function);
  if (found == state().failures.end())
    return kSuccess;
  if (found->second.second > 0) {
    --found->second.second;
    return kSuccess;
  }
  return found->second.first;
}

#define ENTER(name)                                                            \
  std::lock_guard<std::recursive_mutex> lock(state().mutex);                   \
  if (CUresult injectedResult = injected(name))                                \
    return injectedResult;

#define NEED_CONTEXT()                                                         \
  if (!state().initialized)                                                    \
    return kNotInitialized;                                                    \
  if (contextStack.empty())                                                    \
    return kInvalidContext;

/// The allocation holding [ptr, ptr + bytes), or null.
const std::pair<const CUdeviceptr, Allocation> *holder(CUdeviceptr ptr,
                                                       size_t bytes) {
  auto &allocations = state().allocations;
  auto it = allocations.upper_bound(ptr);
  if (it == allocations.begin())
    return nullptr;
  --it;
  if (ptr < it->first || ptr - it->first + bytes > it->second.size)
    return nullptr;
  return &*it;
}

std::string describe(CUdeviceptr ptr) {
  if (ptr == 0)
    return "null";
  auto *h = holder(ptr, 1);
  if (!h)
    return "??";
  return "A" + std::to_string(h->second.id) + "+" +
         std::to_string(ptr - h->first);
}

std::string launchLine(const char *what, const LaunchRecord &r,
                       unsigned shared) {
  std::string params;
  for (CUdeviceptr p : r.params)
    params += (params.empty() ? "" : ",") + describe(p);
  char line[256];
  std::snprintf(line, sizeof(line),
                "%s %s grid=%u,%u,%u block=%u,%u,%u shared=%u params=", what,
                r.function->name.c_str(), r.grid[0], r.grid[1], r.grid[2],
                r.block[0], r.block[1], r.block[2], shared);
  return line + params;
}

void execute(const LaunchRecord &r) {
  std::vector<void *> params;
  for (CUdeviceptr p : r.params)
    params.push_back(reinterpret_cast<void *>(p));
  if (r.function->kernel) // none for real PTX: only the parameters count
    r.function->kernel(params.data(), r.grid, r.block);
  state().clock += kKernelMs;
}

void drain(Stream *stream) {
  // Work may queue more work only through the API, which this does not.
  std::vector<std::function<void()>> queue;
  queue.swap(stream->queue);
  for (auto &op : queue)
    op();
}

} // namespace

extern "C" {

//===- control ------------------------------------------------------------===//

__attribute__((visibility("default"))) void mock_cuda_reset(void) {
  std::lock_guard<std::recursive_mutex> lock(state().mutex);
  State &s = state();
  s.devices = 1;
  s.major = 9;
  s.minor = 0;
  s.memoryLimit = 0;
  s.failures.clear();
  s.kernels.clear();
  registerBuiltins(s);
  s.log.clear();
  s.nextAllocation = 1;
}

__attribute__((visibility("default"))) void
mock_cuda_set_device(int count, int major, int minor) {
  std::lock_guard<std::recursive_mutex> lock(state().mutex);
  state().devices = count;
  state().major = major;
  state().minor = minor;
}

__attribute__((visibility("default"))) void
mock_cuda_set_memory_limit(unsigned long long bytes) {
  std::lock_guard<std::recursive_mutex> lock(state().mutex);
  state().memoryLimit = bytes;
}

__attribute__((visibility("default"))) void
mock_cuda_fail(const char *function, int result, int skip) {
  std::lock_guard<std::recursive_mutex> lock(state().mutex);
  state().failures[function] = {result, skip};
}

__attribute__((visibility("default"))) void
mock_cuda_register_kernel(const char *name, int paramCount,
                          mock_cuda_kernel kernel) {
  std::lock_guard<std::recursive_mutex> lock(state().mutex);
  state().kernels[name] = {paramCount, kernel};
}

__attribute__((visibility("default"))) const char *mock_cuda_log(void) {
  std::lock_guard<std::recursive_mutex> lock(state().mutex);
  state().logCopy = state().log;
  return state().logCopy.c_str();
}

__attribute__((visibility("default"))) long long mock_cuda_live_objects(void) {
  std::lock_guard<std::recursive_mutex> lock(state().mutex);
  return static_cast<long long>(state().allocations.size() +
                                state().objects.size()) +
         state().contextRetains;
}

//===- driver API ---------------------------------------------------------===//

CUresult cuGetErrorName(CUresult error, const char **out) {
  switch (error) {
  case kSuccess:
    *out = "CUDA_SUCCESS";
    return kSuccess;
  case kInvalidValue:
    *out = "CUDA_ERROR_INVALID_VALUE";
    return kSuccess;
  case kOutOfMemory:
    *out = "CUDA_ERROR_OUT_OF_MEMORY";
    return kSuccess;
  case kNoDevice:
    *out = "CUDA_ERROR_NO_DEVICE";
    return kSuccess;
  case kNoBinary:
    *out = "CUDA_ERROR_NO_BINARY_FOR_GPU";
    return kSuccess;
  case kInvalidPtx:
    *out = "CUDA_ERROR_INVALID_PTX";
    return kSuccess;
  case kNotFound:
    *out = "CUDA_ERROR_NOT_FOUND";
    return kSuccess;
  case 700:
    *out = "CUDA_ERROR_ILLEGAL_ADDRESS";
    return kSuccess;
  default:
    *out = nullptr;
    return kInvalidValue;
  }
}

CUresult cuGetErrorString(CUresult error, const char **out) {
  switch (error) {
  case kOutOfMemory:
    *out = "out of memory";
    return kSuccess;
  case kNoDevice:
    *out = "no CUDA-capable device is detected";
    return kSuccess;
  case 700:
    *out = "an illegal memory access was encountered";
    return kSuccess;
  default:
    *out = nullptr;
    return kInvalidValue;
  }
}

CUresult cuInit(unsigned flags) {
  ENTER("cuInit");
  logf("init");
  if (flags != 0)
    return kInvalidValue;
  state().initialized = true;
  return kSuccess;
}

CUresult cuDriverGetVersion(int *version) {
  ENTER("cuDriverGetVersion");
  *version = 12040;
  return kSuccess;
}

CUresult cuDeviceGetCount(int *count) {
  ENTER("cuDeviceGetCount");
  if (!state().initialized)
    return kNotInitialized;
  *count = state().devices;
  return kSuccess;
}

CUresult cuDeviceGet(int *device, int ordinal) {
  ENTER("cuDeviceGet");
  if (ordinal < 0 || ordinal >= state().devices)
    return kInvalidDevice;
  *device = ordinal;
  return kSuccess;
}

CUresult cuDeviceGetName(char *name, int length, int device) {
  ENTER("cuDeviceGetName");
  if (device < 0 || device >= state().devices || length <= 0)
    return kInvalidValue;
  std::snprintf(name, length, "Mock GPU");
  return kSuccess;
}

CUresult cuDeviceGetAttribute(int *value, int attribute, int device) {
  ENTER("cuDeviceGetAttribute");
  if (device < 0 || device >= state().devices)
    return kInvalidDevice;
  if (attribute == 75)
    *value = state().major;
  else if (attribute == 76)
    *value = state().minor;
  else
    return kInvalidValue;
  return kSuccess;
}

CUresult cuDevicePrimaryCtxRetain(void **context, int device) {
  ENTER("cuDevicePrimaryCtxRetain");
  if (device < 0 || device >= state().devices)
    return kInvalidDevice;
  *context = &contextToken;
  ++state().contextRetains;
  return kSuccess;
}

CUresult cuDevicePrimaryCtxRelease_v2(int device) {
  ENTER("cuDevicePrimaryCtxRelease_v2");
  --state().contextRetains;
  return kSuccess;
}

CUresult cuCtxPushCurrent_v2(void *context) {
  ENTER("cuCtxPushCurrent_v2");
  if (context != &contextToken)
    return kInvalidContext;
  contextStack.push_back(context);
  return kSuccess;
}

CUresult cuCtxPopCurrent_v2(void **context) {
  ENTER("cuCtxPopCurrent_v2");
  if (contextStack.empty())
    return kInvalidContext;
  if (context)
    *context = contextStack.back();
  contextStack.pop_back();
  return kSuccess;
}

CUresult cuModuleLoadDataEx(Module **out, const void *image, unsigned count,
                            int *options, void **values) {
  ENTER("cuModuleLoadDataEx");
  NEED_CONTEXT();
  const char *text = static_cast<const char *>(image);
  // The test images are NUL-terminated text (a cubin after its ELF magic).
  std::string bytes(text, strnlen(text, 1 << 20));
  size_t tagAt = bytes.find("tag=");
  std::string tag =
      tagAt == std::string::npos
          ? "?"
          : bytes.substr(tagAt + 4,
                         bytes.find_first_of(" \n", tagAt) - tagAt - 4);
  if (bytes.find("mock-module") == std::string::npos) {
    // Real PTX (a compiled artifact's): every .entry becomes a function
    // that does nothing but take its parameters (all must be 64-bit
    // pointers); real cubins cannot be read here.
    if (bytes.find(".entry ") == std::string::npos) {
      logf("load ? options=%u", count);
      return std::memcmp(text,
                         "\x7f"
                         "ELF",
                         4) == 0
                 ? kNoBinary
                 : kInvalidValue;
    }
    auto module = std::make_unique<Module>();
    module->tag = "ptx";
    for (size_t at = bytes.find(".entry "); at != std::string::npos;
         at = bytes.find(".entry ", at + 1)) {
      size_t open = bytes.find('(', at), close = bytes.find(')', open);
      if (open == std::string::npos || close == std::string::npos)
        return kInvalidPtx;
      auto function = std::make_unique<Function>();
      function->name = bytes.substr(at + 7, open - at - 7);
      std::string params = bytes.substr(open, close - open);
      for (size_t p = params.find(".param"); p != std::string::npos;
           p = params.find(".param", p + 1)) {
        if (params.compare(p, 11, ".param .u64") != 0)
          return kInvalidPtx;
        ++function->paramCount;
      }
      module->functions[function->name] = std::move(function);
    }
    logf("load ptx options=%u entries=%zu", count, module->functions.size());
    *out = module.release();
    state().objects.insert(*out);
    return kSuccess;
  }
  logf("load %s options=%u", tag.c_str(), count);
  if (bytes.find("mock-bad-image") != std::string::npos) {
    char *log = nullptr;
    unsigned size = 0;
    for (unsigned i = 0; i < count; ++i) {
      if (options[i] == 5)
        log = static_cast<char *>(values[i]);
      if (options[i] == 6)
        size = static_cast<unsigned>(reinterpret_cast<uintptr_t>(values[i]));
    }
    if (log && size > 0) {
      std::snprintf(log, size, "ptxas fatal: mock error in %s", tag.c_str());
      return kInvalidPtx;
    }
    return kNoBinary;
  }
  auto module = std::make_unique<Module>();
  module->tag = tag;
  size_t at = bytes.find("kernels:");
  if (at != std::string::npos) {
    size_t end = bytes.find('\n', at);
    std::string list = bytes.substr(
        at + 8, end == std::string::npos ? std::string::npos : end - at - 8);
    size_t pos = 0;
    while (pos < list.size()) {
      size_t start = list.find_first_not_of(' ', pos);
      if (start == std::string::npos)
        break;
      size_t stop = list.find(' ', start);
      std::string name = list.substr(
          start, stop == std::string::npos ? std::string::npos : stop - start);
      auto function = std::make_unique<Function>();
      function->name = name;
      module->functions[name] = std::move(function);
      pos = stop == std::string::npos ? list.size() : stop;
    }
  }
  *out = module.release();
  state().objects.insert(*out);
  return kSuccess;
}

CUresult cuModuleUnload(Module *module) {
  ENTER("cuModuleUnload");
  if (!state().objects.erase(module))
    return kInvalidValue;
  logf("unload %s", module->tag.c_str());
  delete module;
  return kSuccess;
}

CUresult cuModuleGetFunction(Function **out, Module *module, const char *name) {
  ENTER("cuModuleGetFunction");
  NEED_CONTEXT();
  if (!state().objects.count(module))
    return kInvalidValue;
  auto found = module->functions.find(name);
  if (found == module->functions.end())
    return kNotFound;
  if (module->tag != "ptx") { // a test image: the host kernel of the name
    auto kernel = state().kernels.find(name);
    if (kernel == state().kernels.end())
      return kNotFound;
    found->second->paramCount = kernel->second.first;
    found->second->kernel = kernel->second.second;
  }
  *out = found->second.get();
  return kSuccess;
}

CUresult cuFuncSetAttribute(Function *function, int attribute, int value) {
  ENTER("cuFuncSetAttribute");
  logf("set-attribute %s %d=%d", function->name.c_str(), attribute, value);
  if (attribute != 8 || value < 0 || value > 227 * 1024)
    return kInvalidValue;
  function->maxDynamicShared = value;
  return kSuccess;
}

CUresult cuMemAlloc_v2(CUdeviceptr *ptr, size_t bytes) {
  ENTER("cuMemAlloc_v2");
  NEED_CONTEXT();
  if (bytes == 0)
    return kInvalidValue;
  State &s = state();
  if (s.memoryLimit && s.liveBytes + bytes > s.memoryLimit)
    return kOutOfMemory;
  void *memory = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
  if (!memory)
    return kOutOfMemory;
  std::memset(memory, 0xcd, bytes);
  *ptr = reinterpret_cast<CUdeviceptr>(memory);
  int id = s.nextAllocation++;
  s.allocations[*ptr] = {id, bytes};
  s.liveBytes += bytes;
  logf("alloc A%d %zu", id, bytes);
  return kSuccess;
}

CUresult cuMemFree_v2(CUdeviceptr ptr) {
  ENTER("cuMemFree_v2");
  auto found = state().allocations.find(ptr);
  if (found == state().allocations.end())
    return kInvalidValue;
  state().liveBytes -= found->second.size;
  state().allocations.erase(found);
  std::free(reinterpret_cast<void *>(ptr));
  return kSuccess;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t bytes) {
  ENTER("cuMemcpyHtoD_v2");
  NEED_CONTEXT();
  if (!holder(dst, bytes))
    return kInvalidValue;
  logf("copy-htod %s %zu", describe(dst).c_str(), bytes);
  std::memcpy(reinterpret_cast<void *>(dst), src, bytes);
  return kSuccess;
}

CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char value, size_t bytes) {
  ENTER("cuMemsetD8_v2");
  NEED_CONTEXT();
  if (!holder(dst, bytes))
    return kInvalidValue;
  logf("memset %s %zu", describe(dst).c_str(), bytes);
  std::memset(reinterpret_cast<void *>(dst), value, bytes);
  return kSuccess;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t bytes,
                              Stream *stream) {
  ENTER("cuMemcpyHtoDAsync_v2");
  NEED_CONTEXT();
  if (!state().objects.count(stream) || !holder(dst, bytes))
    return kInvalidValue;
  if (stream->capturing)
    return kCaptureUnsupported;
  logf("copy-htod-async %s %zu", describe(dst).c_str(), bytes);
  stream->queue.push_back(
      [=] { std::memcpy(reinterpret_cast<void *>(dst), src, bytes); });
  return kSuccess;
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t bytes,
                              Stream *stream) {
  ENTER("cuMemcpyDtoHAsync_v2");
  NEED_CONTEXT();
  if (!state().objects.count(stream) || !holder(src, bytes))
    return kInvalidValue;
  if (stream->capturing)
    return kCaptureUnsupported;
  logf("copy-dtoh-async %s %zu", describe(src).c_str(), bytes);
  stream->queue.push_back(
      [=] { std::memcpy(dst, reinterpret_cast<const void *>(src), bytes); });
  return kSuccess;
}

CUresult cuStreamCreate(Stream **out, unsigned flags) {
  ENTER("cuStreamCreate");
  NEED_CONTEXT();
  *out = new Stream();
  state().objects.insert(*out);
  return kSuccess;
}

CUresult cuStreamDestroy_v2(Stream *stream) {
  ENTER("cuStreamDestroy_v2");
  if (!state().objects.erase(stream))
    return kInvalidValue;
  drain(stream);
  delete stream;
  return kSuccess;
}

CUresult cuStreamSynchronize(Stream *stream) {
  ENTER("cuStreamSynchronize");
  NEED_CONTEXT();
  if (!state().objects.count(stream) || stream->capturing)
    return kInvalidValue;
  logf("synchronize");
  drain(stream);
  return kSuccess;
}

CUresult cuLaunchKernel(Function *function, unsigned gx, unsigned gy,
                        unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared, Stream *stream, void **params,
                        void **extra) {
  ENTER("cuLaunchKernel");
  NEED_CONTEXT();
  if (!function || !state().objects.count(stream) || extra)
    return kInvalidValue;
  LaunchRecord record{function, {gx, gy, gz}, {bx, by, bz}, {}};
  for (int i = 0; i < function->paramCount; ++i) {
    if (!params)
      return kInvalidValue;
    record.params.push_back(*static_cast<CUdeviceptr *>(params[i]));
  }
  std::string line =
      launchLine(stream->capturing ? "capture" : "launch", record, shared);
  logf("%s", line.c_str());
  if (!gx || !gy || !gz || !bx || !by || !bz || uint64_t(bx) * by * bz > 1024 ||
      shared > static_cast<unsigned>(function->maxDynamicShared))
    return kInvalidValue;
  for (CUdeviceptr p : record.params)
    if (p && !holder(p, 1))
      return kInvalidValue;
  if (stream->capturing)
    stream->captured.push_back(record);
  else
    stream->queue.push_back([record] { execute(record); });
  return kSuccess;
}

CUresult cuEventCreate(Event **out, unsigned flags) {
  ENTER("cuEventCreate");
  NEED_CONTEXT();
  *out = new Event();
  state().objects.insert(*out);
  return kSuccess;
}

CUresult cuEventRecord(Event *event, Stream *stream) {
  ENTER("cuEventRecord");
  NEED_CONTEXT();
  if (!state().objects.count(event) || !state().objects.count(stream))
    return kInvalidValue;
  if (stream->capturing)
    return kCaptureUnsupported;
  event->complete = false;
  stream->queue.push_back([event] {
    event->time = state().clock;
    event->complete = true;
  });
  return kSuccess;
}

CUresult cuEventElapsedTime(float *ms, Event *start, Event *end) {
  ENTER("cuEventElapsedTime");
  if (!start->complete || !end->complete)
    return kNotReady;
  *ms = static_cast<float>(end->time - start->time);
  return kSuccess;
}

CUresult cuEventDestroy_v2(Event *event) {
  ENTER("cuEventDestroy_v2");
  if (!state().objects.erase(event))
    return kInvalidValue;
  delete event;
  return kSuccess;
}

CUresult cuStreamBeginCapture_v2(Stream *stream, int mode) {
  ENTER("cuStreamBeginCapture_v2");
  NEED_CONTEXT();
  if (!state().objects.count(stream) || stream->capturing)
    return kInvalidValue;
  logf("capture-begin mode=%d", mode);
  stream->capturing = true;
  stream->captured.clear();
  return kSuccess;
}

CUresult cuStreamEndCapture(Stream *stream, Graph **out) {
  ENTER("cuStreamEndCapture");
  if (!state().objects.count(stream) || !stream->capturing)
    return kInvalidValue;
  stream->capturing = false;
  logf("capture-end %zu", stream->captured.size());
  auto graph = std::make_unique<Graph>();
  graph->launches = std::move(stream->captured);
  *out = graph.release();
  state().objects.insert(*out);
  return kSuccess;
}

CUresult cuGraphInstantiateWithFlags(Graph **out, Graph *graph,
                                     unsigned long long flags) {
  ENTER("cuGraphInstantiateWithFlags");
  if (!state().objects.count(graph))
    return kInvalidValue;
  *out = new Graph(*graph);
  state().objects.insert(*out);
  return kSuccess;
}

CUresult cuGraphLaunch(Graph *exec, Stream *stream) {
  ENTER("cuGraphLaunch");
  NEED_CONTEXT();
  if (!state().objects.count(exec) || !state().objects.count(stream))
    return kInvalidValue;
  logf("graph-launch %zu", exec->launches.size());
  for (const LaunchRecord &record : exec->launches)
    stream->queue.push_back([record] { execute(record); });
  return kSuccess;
}

CUresult cuGraphExecDestroy(Graph *exec) {
  ENTER("cuGraphExecDestroy");
  if (!state().objects.erase(exec))
    return kInvalidValue;
  delete exec;
  return kSuccess;
}

CUresult cuGraphDestroy(Graph *graph) {
  ENTER("cuGraphDestroy");
  if (!state().objects.erase(graph))
    return kInvalidValue;
  delete graph;
  return kSuccess;
}

} // extern "C"
