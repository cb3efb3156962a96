//===- cpu_backend_test.cpp - the CPU backend's kernel ABI, end to end ----===//
//
// Compiles linalg kernels with compileKernelsForCpu, loads the shared object
// and calls each kernel through the runtime's ABI
//   void kernel(void **bindings, int64_t wg_begin, int64_t wg_end)
// over split workgroup ranges, checking the numbers. Also checks the arena
// planner. Prints "N passed, M failed".
//
//===----------------------------------------------------------------------===//

#include "compiler/driver/CpuBackend.h"
#include "compiler/driver/MemoryPlanner.h"
#include "passes/Passes.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"

#include <cstdio>
#include <dlfcn.h>
#include <fstream>
#include <unistd.h>
#include <vector>

using namespace mlir;
using namespace mlir::autoglm;

static int passed = 0, failedCount = 0;

static void check(bool ok, const char *what) {
  std::printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
  ok ? ++passed : ++failedCount;
}

using KernelFn = void (*)(void **, int64_t, int64_t);

/// Compiles `source`, loads the library and returns its handle.
static void *compileAndLoad(MLIRContext &context, const char *source,
                            std::vector<KernelInfo> &kernels) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  if (!module)
    return nullptr;
  FailureOr<CpuObject> object = compileKernelsForCpu(*module, CpuTarget());
  if (failed(object))
    return nullptr;
  kernels = object->kernels;
  char path[] = "/tmp/autoglm-backend-test-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    return nullptr;
  (void)!write(fd, object->sharedObject.data(), object->sharedObject.size());
  close(fd);
  void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  unlink(path);
  return handle;
}

static const char *kBroadcastAdd = R"mlir(
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @add(%a: tensor<5x8xf32>, %b: tensor<8xf32>) -> tensor<5x8xf32> {
  %e = tensor.empty() : tensor<5x8xf32>
  %r = linalg.generic {indexing_maps = [#map, #row, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : tensor<5x8xf32>, tensor<8xf32>) outs(%e : tensor<5x8xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<5x8xf32>
  return %r : tensor<5x8xf32>
}
func.func @sum(%a: tensor<5x8xf32>) -> tensor<f32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<f32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %r = linalg.reduce ins(%a : tensor<5x8xf32>) outs(%init : tensor<f32>)
      dimensions = [0, 1]
    (%x: f32, %acc: f32) {
      %s = arith.addf %x, %acc : f32
      linalg.yield %s : f32
    }
  return %r : tensor<f32>
}
func.func @gemm(%a: tensor<70x40xf32>, %b: tensor<40x50xf32>) -> tensor<70x50xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<70x50xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e : tensor<70x50xf32>) -> tensor<70x50xf32>
  %r = linalg.matmul ins(%a, %b : tensor<70x40xf32>, tensor<40x50xf32>)
                     outs(%init : tensor<70x50xf32>) -> tensor<70x50xf32>
  return %r : tensor<70x50xf32>
}
func.func @erf(%a: tensor<4xf32>) -> tensor<4xf32> {
  %e = tensor.empty() : tensor<4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                       iterator_types = ["parallel"]}
      ins(%a : tensor<4xf32>) outs(%e : tensor<4xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = math.erf %x : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %r : tensor<4xf32>
}
)mlir";

int main() {
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllPasses();
  registerAutoGLMPasses();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  std::vector<KernelInfo> kernels;
  void *library = compileAndLoad(context, kBroadcastAdd, kernels);
  check(library != nullptr, "kernels compile, link and load");
  if (!library)
    return 1;
  auto find = [&](const char *name) -> const KernelInfo * {
    for (const KernelInfo &k : kernels)
      if (k.symbol == name)
        return &k;
    return nullptr;
  };

  // Broadcast add: 5 workgroups (rows), run as two calls [0,2) and [2,5).
  const KernelInfo *add = find("add");
  check(add && add->workgroupCount == 5, "add distributes its 5 rows");
  auto addFn = reinterpret_cast<KernelFn>(dlsym(library, "add"));
  std::vector<float> a(40), b(8), out(40, -1);
  for (int i = 0; i < 40; ++i)
    a[i] = i;
  for (int i = 0; i < 8; ++i)
    b[i] = 100 * i;
  void *bindings[] = {a.data(), b.data(), out.data()};
  if (addFn) {
    addFn(bindings, 0, 2);
    addFn(bindings, 2, 5);
  }
  bool ok = addFn != nullptr;
  for (int i = 0; i < 40 && ok; ++i)
    ok = out[i] == a[i] + b[i % 8];
  check(ok, "add computes a + b over split workgroup ranges");

  // A full reduction is one workgroup; calls for other ranges do nothing.
  const KernelInfo *sum = find("sum");
  check(sum && sum->workgroupCount == 1, "sum runs as one workgroup");
  auto sumFn = reinterpret_cast<KernelFn>(dlsym(library, "sum"));
  float total = -1;
  void *sumBindings[] = {a.data(), &total};
  if (sumFn) {
    sumFn(sumBindings, 1, 2);
    check(total == -1, "workgroups past the count do nothing");
    sumFn(sumBindings, 0, 1);
  }
  check(total == 780, "sum reduces all elements (0 + ... + 39 = 780)");

  // Math without an LLVM intrinsic goes to libm.
  auto erfFn = reinterpret_cast<KernelFn>(dlsym(library, "erf"));
  float x[4] = {-1, 0, 0.5f, 2}, y[4] = {};
  void *erfBindings[] = {x, y};
  if (erfFn)
    erfFn(erfBindings, 0, 4);
  check(erfFn && std::abs(y[2] - 0.5204999f) < 1e-6f && y[1] == 0,
        "erf calls libm");

  // GEMM goes to the microkernel and splits by blocks of 32 rows; edge
  // tiles (70 rows, 50 columns) are covered.
  const KernelInfo *gemm = find("gemm");
  check(gemm && gemm->workgroupCount == 3, "gemm splits 70 rows into 3");
  auto gemmFn = reinterpret_cast<KernelFn>(dlsym(library, "gemm"));
  std::vector<float> ga(70 * 40), gb(40 * 50), gc(70 * 50, 123.0f);
  for (size_t i = 0; i < ga.size(); ++i)
    ga[i] = float(i % 7) - 3;
  for (size_t i = 0; i < gb.size(); ++i)
    gb[i] = float(i % 5) * 0.5f;
  void *gemmBindings[] = {ga.data(), gb.data(), gc.data()};
  if (gemmFn) {
    gemmFn(gemmBindings, 0, 1);
    gemmFn(gemmBindings, 1, 3);
  }
  bool gemmOk = gemmFn != nullptr;
  for (int i = 0; i < 70 && gemmOk; ++i)
    for (int j = 0; j < 50 && gemmOk; ++j) {
      float expected = 0;
      for (int k = 0; k < 40; ++k)
        expected += ga[i * 40 + k] * gb[k * 50 + j];
      gemmOk = std::abs(gc[i * 50 + j] - expected) <= 1e-4f * (1 + std::abs(expected));
    }
  check(gemmOk, "gemm microkernel matches the naive product");

  // Arena planning: a chain a -> b -> c lets a and c share bytes.
  ArenaPlan plan = planArena({{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}});
  check(plan.offsets[0] == plan.offsets[2] &&
            plan.offsets[0] != plan.offsets[1] && plan.arenaSize == 2048,
        "planner reuses bytes of dead intermediates");
  ArenaPlan overlap = planArena({{64, 0, 5}, {64, 1, 2}, {64, 2, 3}});
  check(overlap.offsets[1] != overlap.offsets[2] &&
            overlap.offsets[0] != overlap.offsets[1],
        "planner keeps a dispatch's reads and writes apart");

  std::printf("%d passed, %d failed\n", passed, failedCount);
  return failedCount == 0 ? 0 : 1;
}
