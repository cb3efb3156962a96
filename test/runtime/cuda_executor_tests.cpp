//===- cuda_executor_tests.cpp - the CUDA executor over a mock driver -----===//
//
// AGM_CUDA_DRIVER points at mock_cuda_driver.so (host memory, host
// kernels registered by name; mock_cuda_driver.h), so these run without a
// GPU: outputs computed by the host kernels through the real plumbing
// (inputs, arena temporaries, weights, state, outputs), launches in plan
// order with their parameters, CUDA Graph replay from the second run,
// state zeroed at load and kept, the choice of code image, and every error
// path the executor has.
//
//===----------------------------------------------------------------------===//

#include "test/runtime/TestArtifacts.h"
#include "test/runtime/TestHarness.h"
#include "test/runtime/mock_cuda_driver.h"
#include "test/runtime/test_params.h"

#include "autoglm/runtime.h"

#include <cmath>
#include <dlfcn.h>
#include <fstream>
#include <functional>
#include <string>
#include <sys/stat.h>
#include <vector>

using mlir::autoglm::ArtifactWriter;
using mlir::autoglm::TensorSpec;
using namespace agmtest;

// The CPU test kernels (kernels.c), reused as host kernels.
extern "C" {
void toy_write(void **b, int64_t begin, int64_t end);
void toy_logits(void **b, int64_t begin, int64_t end);
void copy_bytes(void **b, int64_t begin, int64_t end);
void toy_fill(void **b, int64_t begin, int64_t end);
}

namespace {

//===----------------------------------------------------------------------===//
// The mock driver
//===----------------------------------------------------------------------===//

struct Mock {
  mock_cuda_reset_fn reset;
  mock_cuda_set_device_fn setDevice;
  mock_cuda_set_memory_limit_fn setMemoryLimit;
  mock_cuda_fail_fn fail;
  mock_cuda_register_kernel_fn registerKernel;
  mock_cuda_log_fn log;
  mock_cuda_live_objects_fn liveObjects;
};

/// The mock, loaded once (the runtime's dlopen of the same path shares it),
/// with AGM_CUDA_DRIVER pointing at it.
Mock &mock() {
  static Mock m = [] {
    void *handle = dlopen(AGM_MOCK_CUDA_DRIVER, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      std::fprintf(stderr, "cannot load the mock driver: %s\n", dlerror());
      std::exit(2);
    }
    Mock m{};
#define RESOLVE(field, symbol)                                                 \
  m.field = reinterpret_cast<decltype(m.field)>(dlsym(handle, symbol));        \
  if (!m.field) {                                                              \
    std::fprintf(stderr, "the mock driver lacks %s\n", symbol);                \
    std::exit(2);                                                              \
  }
    RESOLVE(reset, "mock_cuda_reset");
    RESOLVE(setDevice, "mock_cuda_set_device");
    RESOLVE(setMemoryLimit, "mock_cuda_set_memory_limit");
    RESOLVE(fail, "mock_cuda_fail");
    RESOLVE(registerKernel, "mock_cuda_register_kernel");
    RESOLVE(log, "mock_cuda_log");
    RESOLVE(liveObjects, "mock_cuda_live_objects");
#undef RESOLVE
    return m;
  }();
  setenv("AGM_CUDA_DRIVER", AGM_MOCK_CUDA_DRIVER, 1);
  unsetenv("AGM_CUDA_GRAPHS");
  return m;
}

std::string log() { return mock().log(); }

/// Lines of the log that start with `prefix`.
std::vector<std::string> logLines(const std::string &prefix) {
  std::vector<std::string> lines;
  std::string text = log();
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    std::string line = text.substr(at, end - at);
    if (line.compare(0, prefix.size(), prefix) == 0)
      lines.push_back(line);
    at = end == std::string::npos ? text.size() : end + 1;
  }
  return lines;
}

//===----------------------------------------------------------------------===//
// The test model
//===----------------------------------------------------------------------===//

constexpr int kN = 100; // floats per tensor: not a multiple of the block

unsigned threads(const unsigned grid[3], const unsigned block[3]) {
  return grid[0] * grid[1] * grid[2] * block[0] * block[1] * block[2];
}

/// tmp = x + y; params x, y, tmp.
void kAdd(void **p, const unsigned grid[3], const unsigned block[3]) {
  const float *x = static_cast<float *>(p[0]), *y = static_cast<float *>(p[1]);
  float *tmp = static_cast<float *>(p[2]);
  for (unsigned i = 0; i < threads(grid, block) && i < kN; ++i)
    tmp[i] = x[i] + y[i];
}
/// out = tmp * w; params tmp, w (a weight), out.
void kScale(void **p, const unsigned grid[3], const unsigned block[3]) {
  const float *tmp = static_cast<float *>(p[0]),
              *w = static_cast<float *>(p[1]);
  float *out = static_cast<float *>(p[2]);
  for (unsigned i = 0; i < threads(grid, block) && i < kN; ++i)
    out[i] = tmp[i] * w[i];
}
/// state += 1, count = state; params state (i64), count (i64).
void kCount(void **p, const unsigned *, const unsigned *) {
  int64_t *state = static_cast<int64_t *>(p[0]);
  *state += 1;
  *static_cast<int64_t *>(p[1]) = *state;
}

float weightOf(int i) { return 0.5f + 0.25f * (i % 7); }

struct Image {
  uint32_t arch;
  agm_cuda_image_format format;
  std::string tag;
  std::string kernels = "k_add k_scale k_count";
  bool bad = false;
};

const std::vector<Image> kDefaultImages = {{80, AGM_CUDA_PTX, "ptx80"},
                                           {90, AGM_CUDA_CUBIN, "cubin90"}};

/// main(x f32[kN], y f32[kN]) -> (out = (x + y) * w, sum = x + y, count):
///   dispatch 0: k_add(x, y, tmp)      tmp: arena [128, +400)
///   dispatch 1: k_scale(tmp, w, out)  w: a weight at offset 128; 64 KiB of
///                                     dynamic shared memory
///   dispatch 2: k_count(state, count) state: 8 bytes at state offset 8
/// `sum` is the arena temporary, copied out. echo(a f32[4]) -> (b), b bound
/// to input a (no launches).
std::string writeCudaModel(const std::string &name,
                           const std::vector<Image> &images = kDefaultImages) {
  ArtifactWriter writer;
  writer.setTarget(2, "cuda", "sm_80,sm_90", 0);
  writer.setSourceModel("cuda-test", 1);
  std::vector<uint8_t> filler(100, 0xab);
  writer.addWeight(filler);
  std::vector<float> w(kN);
  for (int i = 0; i < kN; ++i)
    w[i] = weightOf(i);
  uint64_t wOffset = writer.addWeight(w.data(), kN * 4);
  const uint64_t bytes = kN * 4;
  uint32_t x = writer.addInputBuffer(0, bytes);
  uint32_t y = writer.addInputBuffer(1, bytes);
  uint32_t out = writer.addOutputBuffer(0, bytes);
  uint32_t count = writer.addOutputBuffer(2, 8);
  writer.setArenaSize(128 + bytes);
  uint32_t tmp = writer.addArenaBuffer(128, bytes);
  uint32_t weight = writer.addWeightBuffer(wOffset, bytes);
  writer.setStateSize(16);
  uint32_t state = writer.addStateBuffer(8, 8);
  using Launch = ArtifactWriter::Launch;
  uint32_t first = writer.addCudaDispatch(
      "dispatch_0_add", {x, y, tmp},
      {Launch{"k_add", {2, 1, 1}, {64, 1, 1}, 0, {x, y, tmp}}});
  writer.addCudaDispatch(
      "dispatch_1_scale", {out, weight, tmp}, // not in parameter order
      {Launch{
          "k_scale", {1, 1, 1}, {128, 1, 1}, 64 * 1024, {tmp, weight, out}}});
  writer.addCudaDispatch(
      "dispatch_2_count", {state, count},
      {Launch{"k_count", {1, 1, 1}, {1, 1, 1}, 0, {state, count}}});
  writer.addEntryPoint(
      "main",
      {TensorSpec{"x", AGM_F32, {kN}, x}, TensorSpec{"y", AGM_F32, {kN}, y}},
      {TensorSpec{"out", AGM_F32, {kN}, out},
       TensorSpec{"sum", AGM_F32, {kN}, tmp},
       TensorSpec{"count", AGM_I64, {}, count}},
      first, 3);
  uint32_t a = writer.addInputBuffer(0, 16);
  writer.addEntryPoint("echo", {TensorSpec{"a", AGM_F32, {4}, a}},
                       {TensorSpec{"b", AGM_F32, {4}, a}}, first + 3, 0);
  for (const Image &image : images) {
    std::string text = image.format == AGM_CUDA_CUBIN ? "\x7f"
                                                        "ELF "
                                                      : "";
    text += "// mock-module tag=" + image.tag +
            (image.bad ? " mock-bad-image" : "") +
            " kernels: " + image.kernels + "\n";
    std::vector<uint8_t> data(text.begin(), text.end());
    data.push_back(0);
    writer.addCudaImage(image.arch, image.format, data);
  }
  std::string path = tempPath(name);
  if (llvm::Error error = writer.write(path)) {
    std::fprintf(stderr, "write failed: %s\n",
                 llvm::toString(std::move(error)).c_str());
    std::exit(1);
  }
  return path;
}

void registerKernels() {
  mock().registerKernel("k_add", 3, kAdd);
  mock().registerKernel("k_scale", 3, kScale);
  mock().registerKernel("k_count", 2, kCount);
}

struct CreateResult {
  agm_model model = nullptr;
  agm_status_code code = AGM_OK;
  std::string message;
};

CreateResult create(const std::string &path, int graphsOff = 0,
                    int device = 0) {
  agm_runtime_options options;
  agm_runtime_options_init(&options);
  options.disable_cuda_graphs = graphsOff;
  options.cuda_device = device;
  CreateResult result;
  agm_status status = agm_model_create(path.c_str(), &options, &result.model);
  result.code = agm_status_code_of(status);
  result.message = agm_status_message(status);
  agm_status_release(status);
  CHECK((result.code == AGM_OK) == (result.model != nullptr));
  return result;
}

/// Runs main with x[i] = i / 4 + round, y[i] = 1 - i and checks every
/// output; returns the count.
int64_t runMain(agm_model model, int round) {
  std::vector<float> x(kN), y(kN), out(kN, -1), sum(kN, -1);
  for (int i = 0; i < kN; ++i) {
    x[i] = i * 0.25f + round;
    y[i] = 1.0f - i;
  }
  int64_t count = -1;
  const void *inputs[] = {x.data(), y.data()};
  void *outputs[] = {out.data(), sum.data(), &count};
  agm_status status = agm_model_run(model, 0, inputs, outputs);
  if (status)
    std::fprintf(stderr, "run failed: %s\n", agm_status_message(status));
  CHECK(status == nullptr);
  agm_status_release(status);
  int wrong = 0;
  for (int i = 0; i < kN; ++i)
    wrong += sum[i] != x[i] + y[i] || out[i] != (x[i] + y[i]) * weightOf(i);
  CHECK(wrong == 0);
  return count;
}

} // namespace

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

TEST(cuda_run_launches_and_graph_replay) {
  mock().reset();
  registerKernels();
  std::string path = writeCudaModel("run.agm");
  CreateResult created = create(path);
  agm_model model = created.model;
  if (!model) {
    std::fprintf(stderr, "%s\n", created.message.c_str());
    return;
  }
  CHECK(agm_model_target(model) == AGM_TARGET_CUDA);
  CHECK(std::string(agm_model_device_description(model)) ==
        "GPU 0 'Mock GPU' (sm_90), sm_90 cubin");
  CHECK(agm_model_last_run_device_ms(model) == -1);
  // Allocations: weights (A1, copied once), arena (A2), state (A3, zeroed),
  // inputs and outputs (A4: x 0, y 512, out 1024, sum 1536, count 2048,
  // echo's a 2304 and b 2560); the 64 KiB launch gets the attribute.
  std::string setup = log();
  CHECK_CONTAINS(setup, "load cubin90 options=0\n");
  CHECK_CONTAINS(setup, "set-attribute k_scale 8=65536\n");
  CHECK_CONTAINS(setup, "alloc A1 528\ncopy-htod A1+0 528\nalloc A2 528\n"
                        "alloc A3 16\nmemset A3+0 16\nalloc A4 2816\n");
  CHECK(logLines("launch").empty());

  mock().reset();
  registerKernels();
  CHECK(runMain(model, 0) == 1); // state starts at zero
  std::string first = log();
  CHECK_CONTAINS(first,
                 "copy-htod-async A4+0 400\ncopy-htod-async A4+512 400\n"
                 "launch k_add grid=2,1,1 block=64,1,1 shared=0 "
                 "params=A4+0,A4+512,A2+128\n"
                 "launch k_scale grid=1,1,1 block=128,1,1 shared=65536 "
                 "params=A2+128,A1+128,A4+1024\n"
                 "launch k_count grid=1,1,1 block=1,1,1 shared=0 "
                 "params=A3+8,A4+2048\n"
                 "copy-dtoh-async A4+1024 400\ncopy-dtoh-async A2+128 400\n"
                 "copy-dtoh-async A4+2048 8\nsynchronize\n");
  CHECK(logLines("synchronize").size() == 1);
  CHECK(agm_model_last_run_device_ms(model) == 0.75); // 3 kernels * 0.25

  // The second run captures the launches once and replays the graph; the
  // copies stay outside it.
  mock().reset();
  registerKernels();
  CHECK(runMain(model, 1) == 2);
  CHECK_CONTAINS(log(), "copy-htod-async A4+512 400\ncapture-begin mode=1\n"
                        "capture k_add grid=2,1,1 block=64,1,1 shared=0 "
                        "params=A4+0,A4+512,A2+128\n");
  CHECK_CONTAINS(log(), "capture-end 3\ngraph-launch 3\n"
                        "copy-dtoh-async A4+1024 400\n");
  CHECK(logLines("launch").empty());
  CHECK(agm_model_last_run_device_ms(model) == 0.75);
  mock().reset();
  registerKernels();
  CHECK(runMain(model, 2) == 3);
  CHECK(logLines("capture").empty() && logLines("launch").empty());
  CHECK(logLines("graph-launch 3").size() == 1);

  // echo: an output bound to an input buffer is copied from the input's
  // device copy; no launches, so the device time is 0.
  float a[4] = {1, 2, 3, 4}, b[4] = {};
  const void *inputs[] = {a};
  void *outputs[] = {b};
  int32_t echo = -1;
  CHECK(agm_model_find_entry(model, "echo", &echo) == nullptr);
  mock().reset();
  registerKernels();
  for (int round = 0; round < 2; ++round) {
    CHECK(agm_model_run(model, echo, inputs, outputs) == nullptr);
    CHECK(std::equal(a, a + 4, b));
  }
  CHECK(logLines("copy-dtoh-async A4+2304 16").size() == 2);
  CHECK(logLines("graph-launch").empty());
  CHECK(agm_model_last_run_device_ms(model) == 0);

  // A new model starts from zeroed state again; releasing frees everything.
  CreateResult second = create(path);
  int64_t secondCount = second.model ? runMain(second.model, 0) : -1;
  if (secondCount != 1)
    std::fprintf(stderr, "second model: %lld %s\n%s",
                 static_cast<long long>(secondCount), second.message.c_str(),
                 log().c_str());
  CHECK(secondCount == 1);
  CHECK(runMain(model, 3) == 4);
  agm_model_release(second.model);
  agm_model_release(model);
  CHECK(mock().liveObjects() == 0);
}

TEST(cuda_graphs_can_be_turned_off) {
  mock().reset();
  registerKernels();
  std::string path = writeCudaModel("nographs.agm");
  for (int how = 0; how < 2; ++how) {
    if (how == 1)
      setenv("AGM_CUDA_GRAPHS", "0", 1);
    CreateResult created = create(path, /*graphsOff=*/how == 0);
    unsetenv("AGM_CUDA_GRAPHS");
    mock().reset();
    registerKernels();
    for (int round = 0; round < 3; ++round)
      CHECK(runMain(created.model, round) == round + 1);
    CHECK(logLines("launch").size() == 9);
    CHECK(logLines("capture").empty() && logLines("graph").empty());
    agm_model_release(created.model);
  }
  // A driver that cannot capture: launches one by one, and still right.
  mock().reset();
  registerKernels();
  CreateResult created = create(path);
  mock().fail("cuStreamBeginCapture_v2", 900, 0);
  for (int round = 0; round < 3; ++round)
    CHECK(runMain(created.model, round) == round + 1);
  CHECK(logLines("launch k_add").size() == 3);
  agm_model_release(created.model);
  mock().reset();
  registerKernels();
  created = create(path);
  mock().fail("cuGraphInstantiateWithFlags", 999, 0);
  for (int round = 0; round < 3; ++round)
    CHECK(runMain(created.model, round) == round + 1);
  CHECK(logLines("launch k_add").size() == 3 &&
        logLines("capture-end").size() == 1 && logLines("graph").empty());
  agm_model_release(created.model);
  CHECK(mock().liveObjects() == 0);
}

//===----------------------------------------------------------------------===//
// Image choice
//===----------------------------------------------------------------------===//

TEST(cuda_image_choice) {
  struct Case {
    const char *name;
    int major, minor;
    std::vector<Image> images;
    const char *loads;       // the log's load lines, in order
    const char *description; // the tail of agm_model_device_description
  };
  Image ptx80{80, AGM_CUDA_PTX, "ptx80"}, ptx86{86, AGM_CUDA_PTX, "ptx86"},
      ptx90{90, AGM_CUDA_PTX, "ptx90"}, cubin80{80, AGM_CUDA_CUBIN, "cubin80"},
      cubin90{90, AGM_CUDA_CUBIN, "cubin90"};
  Image badCubin90 = cubin90;
  badCubin90.bad = true;
  const Case cases[] = {
      {"cubin-exact",
       9,
       0,
       {ptx80, cubin90},
       "load cubin90 options=0\n",
       "(sm_90), sm_90 cubin"},
      {"cubin-exact-80",
       8,
       0,
       {cubin90, cubin80, ptx80},
       "load cubin80 options=0\n",
       "(sm_80), sm_80 cubin"},
      // No cubin for sm_86: the PTX of the highest arch <= 86.
      {"ptx-below",
       8,
       6,
       {ptx80, cubin90, ptx90, cubin80},
       "load ptx80 options=2\n",
       "(sm_86), sm_80 PTX compiled by the driver"},
      {"ptx-highest",
       9,
       0,
       {ptx80, ptx90, ptx86, cubin80},
       "load ptx90 options=2\n",
       "(sm_90), sm_90 PTX compiled by the driver"},
      {"newer-device",
       12,
       0,
       {ptx80, ptx90, cubin90},
       "load ptx90 options=2\n",
       "(sm_120), sm_90 PTX compiled by the driver"},
      // A cubin the driver refuses (a newer toolkit's): its PTX instead.
      {"cubin-fails",
       9,
       0,
       {badCubin90, ptx80},
       "load cubin90 options=0\nload ptx80 options=2\n",
       "(sm_90), sm_80 PTX compiled by the driver (its sm_90 cubin did not "
       "load: cuModuleLoadDataEx failed: CUDA_ERROR_NO_BINARY_FOR_GPU)"},
  };
  for (const Case &c : cases) {
    mock().reset();
    registerKernels();
    mock().setDevice(1, c.major, c.minor);
    std::string path =
        writeCudaModel(std::string("image-") + c.name + ".agm", c.images);
    CreateResult created = create(path);
    if (!created.model) {
      std::fprintf(stderr, "%s: %s\n", c.name, created.message.c_str());
      CHECK(created.model);
      continue;
    }
    std::string loads;
    for (const std::string &line : logLines("load "))
      loads += line + "\n";
    if (loads != c.loads)
      std::fprintf(stderr, "%s: loads\n%s", c.name, loads.c_str());
    CHECK(loads == c.loads);
    CHECK_CONTAINS(agm_model_device_description(created.model), c.description);
    CHECK(runMain(created.model, 0) == 1);
    agm_model_release(created.model);
  }
  CHECK(mock().liveObjects() == 0);
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(cuda_create_errors) {
  struct Case {
    const char *name;
    std::function<void()> setUp; // after mock().reset() + registerKernels()
    std::vector<Image> images;
    agm_status_code code;
    std::vector<std::string> parts;
    int device = 0;
  };
  Image ptx80{80, AGM_CUDA_PTX, "ptx80"},
      cubin90{90, AGM_CUDA_CUBIN, "cubin90"};
  Image badPtx80 = ptx80, badCubin90 = cubin90, ptx80NoCount = ptx80;
  badPtx80.bad = badCubin90.bad = true;
  ptx80NoCount.kernels = "k_add k_scale";
  const Case cases[] = {
      {"no-driver",
       [] { setenv("AGM_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1); },
       kDefaultImages,
       AGM_UNAVAILABLE,
       {"compiled for cuda, but cannot load the CUDA driver "
        "'/nonexistent/libcuda.so.1'",
        "AGM_CUDA_DRIVER"}},
      {"init-fails",
       [] { mock().fail("cuInit", 999, 0); },
       kDefaultImages,
       AGM_UNAVAILABLE,
       {"cannot be initialized", "cuInit failed: CUresult 999"}},
      {"no-device",
       [] { mock().fail("cuInit", 100, 0); },
       kDefaultImages,
       AGM_UNAVAILABLE,
       {"cuInit failed: CUDA_ERROR_NO_DEVICE (no CUDA-capable device is "
        "detected)"}},
      {"no-device-counted",
       [] { mock().setDevice(0, 9, 0); },
       kDefaultImages,
       AGM_UNAVAILABLE,
       {"compiled for cuda, but the CUDA driver '" AGM_MOCK_CUDA_DRIVER
        "' finds no GPU"}},
      {"bad-ordinal",
       [] {},
       kDefaultImages,
       AGM_INVALID_ARGUMENT,
       {"cuda_device is 1, but the CUDA driver finds 1 GPU (0 to 0)"},
       1},
      {"old-arch",
       [] { mock().setDevice(1, 7, 5); },
       kDefaultImages,
       AGM_INCOMPATIBLE,
       {"no code for GPU 0 'Mock GPU' (sm_75): the artifact has PTX for "
        "sm_80 and cubins for sm_90",
        "--gpu-arch=sm_75"}},
      {"cubin-fails-no-ptx",
       [] {},
       {badCubin90},
       AGM_INCOMPATIBLE,
       {"no code for GPU 0 'Mock GPU' (sm_90)",
        "its sm_90 cubin did not load: cuModuleLoadDataEx failed: "
        "CUDA_ERROR_NO_BINARY_FOR_GPU"}},
      {"ptx-fails",
       [] {},
       {badPtx80, cubin90},
       AGM_INCOMPATIBLE,
       {"cannot compile its sm_80 PTX for GPU 0 'Mock GPU' (sm_86)",
        "CUDA_ERROR_INVALID_PTX", "ptxas fatal: mock error in ptx80"}},
      {"missing-kernel",
       [] {},
       {ptx80NoCount},
       AGM_NOT_FOUND,
       {"kernel 'k_count' (launch 2, of dispatch 2 'dispatch_2_count') is "
        "not in the code loaded for GPU 0 'Mock GPU' (sm_90), sm_80 PTX",
        "CUDA_ERROR_NOT_FOUND"}},
      {"shared-memory-refused",
       [] { mock().fail("cuFuncSetAttribute", 1, 0); },
       kDefaultImages,
       AGM_INTERNAL,
       {"kernel 'k_scale' cannot have 65536 bytes of dynamic shared memory"}},
      {"weights-do-not-fit",
       [] { mock().setMemoryLimit(100); },
       kDefaultImages,
       AGM_RESOURCE_EXHAUSTED,
       {"cannot allocate 528 bytes for the weights on GPU 0 'Mock GPU' "
        "(sm_90), sm_90 cubin: cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY "
        "(out of memory)"}},
      {"io-does-not-fit",
       [] { mock().setMemoryLimit(2000); },
       kDefaultImages,
       AGM_RESOURCE_EXHAUSTED,
       {"cannot allocate 2.8 KiB for the entry points' inputs and "
        "outputs"}},
      {"state-not-zeroed",
       [] { mock().fail("cuMemsetD8_v2", 999, 0); },
       kDefaultImages,
       AGM_INTERNAL,
       {"cannot zero the persistent state", "cuMemsetD8 failed: CUresult "
                                            "999"}},
      {"no-stream",
       [] { mock().fail("cuStreamCreate", 2, 0); },
       kDefaultImages,
       AGM_RESOURCE_EXHAUSTED,
       {"cannot create a stream"}},
      {"no-context",
       [] { mock().fail("cuDevicePrimaryCtxRetain", 46, 0); },
       kDefaultImages,
       AGM_UNAVAILABLE,
       {"cannot create a context", "CUresult 46"}},
  };
  for (const Case &c : cases) {
    mock().reset();
    registerKernels();
    if (std::string(c.name) == "ptx-fails")
      mock().setDevice(1, 8, 6);
    c.setUp();
    std::string path =
        writeCudaModel(std::string("error-") + c.name + ".agm", c.images);
    CreateResult created = create(path, 0, c.device);
    setenv("AGM_CUDA_DRIVER", AGM_MOCK_CUDA_DRIVER, 1);
    if (created.code != c.code)
      std::fprintf(stderr, "%s: code %d: %s\n", c.name, int(created.code),
                   created.message.c_str());
    CHECK(created.code == c.code);
    CHECK_CONTAINS(created.message, "artifact '" + path + "': ");
    for (const std::string &part : c.parts)
      CHECK_CONTAINS(created.message, part);
    if (std::getenv("AGM_TEST_VERBOSE"))
      std::printf("  %s: %s\n", c.name, created.message.c_str());
    agm_model_release(created.model);
    // Whatever was set up before the failure is released.
    CHECK(mock().liveObjects() == 0);
  }
}

TEST(cuda_run_errors) {
  mock().reset();
  registerKernels();
  std::string path = writeCudaModel("run-errors.agm");
  CreateResult created = create(path);
  agm_model model = created.model;
  std::vector<float> x(kN), y(kN), out(kN), sum(kN);
  int64_t count = 0;
  const void *inputs[] = {x.data(), y.data()};
  void *outputs[] = {out.data(), sum.data(), &count};
  struct Case {
    const char *function;
    int result;
    int skip;
    agm_status_code code;
    const char *message;
    bool drains = true; // waits for the queued copies before returning
  };
  const Case cases[] = {
      {"cuLaunchKernel", 1, 1, AGM_INTERNAL,
       "launching kernel 'k_scale' (launch 1, of dispatch 1 "
       "'dispatch_1_scale', entry point 'main') on GPU 0 'Mock GPU' (sm_90), "
       "sm_90 cubin: cuLaunchKernel failed: CUDA_ERROR_INVALID_VALUE"},
      {"cuStreamSynchronize", 700, 0, AGM_INTERNAL,
       "running entry point 'main' failed on GPU 0 'Mock GPU' (sm_90), sm_90 "
       "cubin: cuStreamSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS (an "
       "illegal memory access was encountered)",
       false},
      {"cuMemcpyHtoDAsync_v2", 1, 1, AGM_INTERNAL,
       "cannot copy input 1 of entry point 'main' to the device"},
      {"cuMemcpyDtoHAsync_v2", 2, 0, AGM_RESOURCE_EXHAUSTED,
       "cannot copy output 0 of entry point 'main' from the device"},
      {"cuCtxPushCurrent_v2", 201, 0, AGM_INTERNAL,
       "cannot make the context current", false},
  };
  for (const Case &c : cases) {
    mock().reset();
    registerKernels();
    mock().fail(c.function, c.result, c.skip);
    agm_status status = agm_model_run(model, 0, inputs, outputs);
    CHECK(agm_status_code_of(status) == c.code);
    CHECK_CONTAINS(agm_status_message(status), c.message);
    CHECK_CONTAINS(agm_status_message(status), path);
    agm_status_release(status);
    if (c.drains)
      CHECK(logLines("synchronize").size() == 1);
  }
  // The model still runs afterwards (the mock has no sticky errors); the
  // failed runs do not count as an entry's first run for the graph.
  mock().reset();
  registerKernels();
  int64_t before = runMain(model, 0);
  CHECK(before >= 1);
  agm_model_release(model);
  CHECK(mock().liveObjects() == 0);
}

TEST(cpu_artifacts_never_touch_cuda) {
  mock().reset();
  ArtifactWriter writer;
  buildTestModel(writer);
  std::string path = tempPath("cpu.agm");
  CHECK(!writer.write(path));
  agm_model model = nullptr;
  CHECK(agm_model_create(path.c_str(), nullptr, &model) == nullptr);
  CHECK(agm_model_target(model) == AGM_TARGET_CPU);
  CHECK(std::string(agm_model_device_description(model)) == "cpu");
  CHECK(agm_model_last_run_device_ms(model) == -1);
  int64_t count = 0;
  void *outputs[] = {&count};
  int32_t counter = -1;
  CHECK(agm_model_find_entry(model, "counter", &counter) == nullptr);
  CHECK(agm_model_run(model, counter, nullptr, outputs) == nullptr);
  CHECK(count == 1 && agm_model_last_run_device_ms(model) == -1);
  agm_model_release(model);
  CHECK(log().empty()); // not even cuInit
}

//===----------------------------------------------------------------------===//
// Validation of CUDA artifacts
//===----------------------------------------------------------------------===//

namespace {
agm_header &headerOf(std::vector<uint8_t> &b) {
  return *reinterpret_cast<agm_header *>(b.data());
}
agm_section &sectionOf(std::vector<uint8_t> &b, uint32_t kind) {
  auto *table = reinterpret_cast<agm_section *>(
      b.data() + headerOf(b).section_table_offset);
  for (uint32_t i = 0;; ++i)
    if (table[i].kind == kind)
      return table[i];
}
void reseal(std::vector<uint8_t> &b) {
  auto *table = reinterpret_cast<agm_section *>(
      b.data() + headerOf(b).section_table_offset);
  for (uint32_t i = 0; i < headerOf(b).section_count; ++i)
    table[i].checksum = agm_checksum(b.data() + table[i].offset, table[i].size);
  headerOf(b).table_checksum =
      agm_checksum(table, headerOf(b).section_count * sizeof(agm_section));
}
} // namespace

TEST(cuda_validation) {
  mock().reset();
  registerKernels();
  std::string valid = writeCudaModel("valid-cuda.agm");
  struct Case {
    const char *name;
    std::function<void(std::vector<uint8_t> &, agm_plan &, agm_launch *,
                       agm_cuda_code &, agm_cuda_image *)>
        patch;
    const char *message;
  };
  const Case cases[] = {
      {"launches-outside-plan",
       [](auto &, agm_plan &p, auto *, auto &, auto *) {
         p.launches_offset = 1 << 20;
       },
       "the launches array (3 at offset 1048576) extends past"},
      {"launch-kernel-name",
       [](auto &, auto &, agm_launch *l, auto &, auto *) {
         l[1].kernel = 1 << 30;
       },
       "launch 1's kernel name (string offset 1073741824) is outside the "
       "string table"},
      {"launch-params",
       [](auto &, agm_plan &p, agm_launch *l, auto &, auto *) {
         l[2].first_param = p.binding_count - 1;
       },
       "launch 2 ('k_count') takes parameters"},
      {"launch-block",
       [](auto &, auto &, agm_launch *l, auto &, auto *) {
         l[0].block[0] = 2048;
       },
       "launch 0 ('k_add') has grid 2x1x1 and block 2048x1x1"},
      {"dispatch-launches",
       [](auto &, agm_plan &p, auto *, auto &, auto *) {
         auto *dispatches = reinterpret_cast<agm_dispatch *>(
             reinterpret_cast<uint8_t *>(&p) + p.dispatches_offset);
         dispatches[2].first_launch = 3;
       },
       "dispatch 2 ('dispatch_2_count') uses launches [3, +1) of 3"},
      {"no-images",
       [](auto &, auto &, auto *, agm_cuda_code &c, auto *) {
         c.image_count = 0;
       },
       "the CODE_CUDA section holds no code image"},
      {"image-table",
       [](auto &, auto &, auto *, agm_cuda_code &c, auto *) {
         c.image_count = 1000;
       },
       "too few for the table of its 1000 images"},
      {"image-outside",
       [](auto &, auto &, auto *, auto &, agm_cuda_image *i) {
         i[1].size = 1 << 20;
       },
       "CODE_CUDA image 1 (sm_90 cubin) [offset"},
      {"ptx-not-terminated",
       [](std::vector<uint8_t> &b, auto &, auto *, auto &, agm_cuda_image *i) {
         const agm_section &code = sectionOf(b, AGM_SECTION_CODE_CUDA);
         b[code.offset + i[0].offset + i[0].size - 1] = 'x';
       },
       "CODE_CUDA image 0 (sm_80 PTX) is not NUL-terminated"},
      {"image-format",
       [](auto &, auto &, auto *, auto &, agm_cuda_image *i) {
         i[0].format = 7;
       },
       "CODE_CUDA image 0 (sm_80) has unknown format 7"},
  };
  for (const Case &c : cases) {
    std::vector<uint8_t> bytes = readFile(valid);
    uint8_t *planBase =
        bytes.data() + sectionOf(bytes, AGM_SECTION_PLAN).offset;
    auto &plan = *reinterpret_cast<agm_plan *>(planBase);
    auto *launches =
        reinterpret_cast<agm_launch *>(planBase + plan.launches_offset);
    uint8_t *codeBase =
        bytes.data() + sectionOf(bytes, AGM_SECTION_CODE_CUDA).offset;
    auto &code = *reinterpret_cast<agm_cuda_code *>(codeBase);
    auto *images =
        reinterpret_cast<agm_cuda_image *>(codeBase + sizeof(agm_cuda_code));
    c.patch(bytes, plan, launches, code, images);
    reseal(bytes);
    std::string path = tempPath(std::string("invalid-") + c.name + ".agm");
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
    mock().reset();
    CreateResult created = create(path);
    if (created.code != AGM_DATA_LOSS)
      std::fprintf(stderr, "%s: %d %s\n", c.name, int(created.code),
                   created.message.c_str());
    CHECK(created.code == AGM_DATA_LOSS);
    CHECK_CONTAINS(created.message, c.message);
    CHECK(log().empty()); // refused before the driver is touched
    agm_model_release(created.model);
  }
}

//===----------------------------------------------------------------------===//
// Generation on the mock GPU
//===----------------------------------------------------------------------===//

namespace {
void hostToyWrite(void **p, const unsigned *grid, const unsigned *) {
  toy_write(p, 0, grid[0]);
}
void hostToyLogits(void **p, const unsigned *grid, const unsigned *) {
  toy_logits(p, 0, grid[0]);
}
void hostCopyBytes(void **p, const unsigned *grid, const unsigned *) {
  copy_bytes(p, 0, grid[0]);
}
void hostToyFill(void **p, const unsigned *grid, const unsigned *) {
  toy_fill(p, 0, grid[0]);
}

std::string toyPath(bool cuda) {
  ToyLlmOptions options;
  options.cuda = cuda;
  ArtifactWriter writer;
  buildToyLlm(writer, options);
  std::string path = tempPath(cuda ? "toy-cuda.agm" : "toy-cpu.agm");
  CHECK(!writer.write(path));
  return path;
}

struct ToyRun {
  std::vector<int64_t> tokens;
  std::vector<float> promptLogits;
  std::vector<int64_t> cache;
  agm_generate_stats stats{};
};

ToyRun generateOn(agm_model model, const std::vector<int64_t> &prompt, int n) {
  ToyRun run;
  // Poison the cache first: a generation never reads stale positions.
  int32_t entry = -1;
  CHECK(agm_model_find_entry(model, "poison", &entry) == nullptr);
  CHECK(agm_model_run(model, entry, nullptr, nullptr) == nullptr);
  run.tokens.assign(n, -1);
  run.promptLogits.assign(prompt.size() * 64, 0);
  agm_generate_params params;
  agm_generate_params_init(&params);
  params.max_new_tokens = n;
  params.prompt_logits = run.promptLogits.data();
  int32_t count = 0;
  agm_status status =
      agm_model_generate(model, prompt.data(), int32_t(prompt.size()), &params,
                         run.tokens.data(), &count, &run.stats);
  if (status)
    std::fprintf(stderr, "generate: %s\n", agm_status_message(status));
  CHECK(status == nullptr && count == n);
  agm_status_release(status);
  CHECK(agm_model_find_entry(model, "peek", &entry) == nullptr);
  run.cache.assign(32, 0);
  void *outputs[] = {run.cache.data()};
  CHECK(agm_model_run(model, entry, nullptr, outputs) == nullptr);
  return run;
}
} // namespace

TEST(cuda_generate_toy_llm) {
  mock().reset();
  mock().registerKernel("toy_write", 4, hostToyWrite);
  mock().registerKernel("toy_logits", 4, hostToyLogits);
  mock().registerKernel("copy_bytes", 3, hostCopyBytes);
  mock().registerKernel("toy_fill", 2, hostToyFill);
  agm_model cpu = nullptr, gpu = nullptr;
  CHECK(agm_model_create(toyPath(false).c_str(), nullptr, &cpu) == nullptr);
  CreateResult created = create(toyPath(true));
  gpu = created.model;
  if (!cpu || !gpu) {
    std::fprintf(stderr, "%s\n", created.message.c_str());
    return;
  }
  const std::vector<int64_t> prompt = {5, 17, 3, 60, 2, 2, 9, 41, 13};
  const int n = 12;
  ToyRun want = generateOn(cpu, prompt, n);
  CHECK(want.stats.prefill_device_seconds == -1 &&
        want.stats.decode_device_seconds == -1);
  for (int round = 0; round < 2; ++round) { // the second replays graphs
    ToyRun got = generateOn(gpu, prompt, n);
    CHECK(got.tokens == want.tokens);
    CHECK(got.promptLogits == want.promptLogits);
    CHECK(got.cache == want.cache); // the KV cache stayed on the device
    CHECK(got.stats.prefill_calls == 3 && got.stats.decode_calls == n - 1);
    // 2 kernels of 0.25 ms per call.
    CHECK(std::fabs(got.stats.prefill_device_seconds - 3 * 0.5e-3) < 1e-9);
    CHECK(std::fabs(got.stats.decode_device_seconds - (n - 1) * 0.5e-3) < 1e-9);
  }
  CHECK(logLines("graph-launch 2").size() > 0);
  agm_model_release(cpu);
  agm_model_release(gpu);
  CHECK(mock().liveObjects() == 0);
}

//===----------------------------------------------------------------------===//
// The toolkit's stub driver, where installed
//===----------------------------------------------------------------------===//

TEST(cuda_stub_driver) {
  const char *stub = "/usr/local/cuda/lib64/stubs/libcuda.so";
  struct stat info;
  if (stat(stub, &info) != 0) {
    std::printf("  (skipped: no %s)\n", stub);
    return;
  }
  mock().reset();
  std::string path = writeCudaModel("stub.agm");
  // Every entry point the executor uses resolves in a real driver's export
  // list; the stub then fails cuInit.
  setenv("AGM_CUDA_DRIVER", stub, 1);
  CreateResult created = create(path);
  setenv("AGM_CUDA_DRIVER", AGM_MOCK_CUDA_DRIVER, 1);
  CHECK(created.code == AGM_UNAVAILABLE);
  CHECK_CONTAINS(created.message, "cuInit failed: CUDA_ERROR_STUB_LIBRARY");
  agm_model_release(created.model);
}

int main(int argc, char **argv) { return runRegisteredTests(argc, argv); }
