//===- CpuBackend.h - kernels to an x86-64 shared object --------*- C++ -*-===//
//
// Takes the outlined kernels (linalg on tensors), bufferizes them into
// destination-passing form, maps each kernel's outermost parallel loop to
// workgroups, lowers to the LLVM dialect, adds the entry point the runtime
// calls (`void kernel(void **bindings, int64_t wg_begin, int64_t wg_end)`),
// and emits one shared object.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_DRIVER_CPUBACKEND_H
#define AUTOGLM_COMPILER_DRIVER_CPUBACKEND_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mlir::autoglm {

struct CpuTarget {
  /// LLVM CPU name: "host" resolves to this machine's.
  std::string cpu = "host";
  /// 0..3, LLVM's optimization level for the kernels.
  int optLevel = 2;
  /// MLIR debugging for the lowering pipelines.
  bool printIRAfterAll = false;
  bool timing = false;
  /// Called on each lowering pass manager before it runs (statistics).
  std::function<void(PassManager &)> instrument;
  /// Stop after code generation and return the assembly text (--emit=asm).
  bool emitAssembly = false;
};

/// What the backend learned about each kernel.
struct KernelInfo {
  std::string symbol;
  int64_t workgroupCount = 1;
};

struct CpuObject {
  std::vector<char> sharedObject;
  std::vector<KernelInfo> kernels;
  std::string cpuName;
  /// AGM_CPU_* bits the generated code needs.
  uint64_t cpuFeatures = 0;
  /// The kernels' assembly, with CpuTarget::emitAssembly (no shared object).
  std::string assembly;
};

/// Lowers every kernel of `module` (func.func ops of ag, linalg or tensor
/// ops) to x86-64 machine code and links it into a shared object. The
/// module is modified (it ends in the LLVM dialect).
FailureOr<CpuObject> compileKernelsForCpu(ModuleOp module,
                                          const CpuTarget &target);

/// The first stage only: ag ops to linalg on tensors (--emit=linalg).
LogicalResult lowerKernelsToLinalg(ModuleOp module, const CpuTarget &target);

/// Every stage up to the LLVM dialect (--emit=llvm).
LogicalResult lowerKernelsToLLVMDialect(ModuleOp module,
                                        const CpuTarget &target,
                                        std::vector<KernelInfo> &kernels);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_DRIVER_CPUBACKEND_H
