//===- CudaBackend.cpp - kernels to PTX through MLIR's NVPTX path ---------===//

#include "compiler/codegen/cuda/CudaBackend.h"
#include "compiler/codegen/RunPipeline.h"
#include "compiler/codegen/cuda/BlockReductions.h"
#include "compiler/codegen/cuda/PromoteAccumulators.h"
#include "compiler/codegen/cuda/SimtMatmul.h"
#include "compiler/codegen/cuda/SplitReductions.h"
#include "compiler/codegen/cuda/TensorCoreMatmul.h"
#include "compiler/codegen/cuda/ViewSource.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Utils/GPUUtils.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

namespace mlir::autoglm {

/// Linalg on memrefs to parallel loop nests (reductions stay scf.for).
static const char *kToLoopsPipeline =
    "func.func(convert-linalg-to-parallel-loops),"
    "convert-math-to-funcs{convert-ctlz=false},canonicalize,cse";

/// The mapped parallel loops to gpu.launch.
static const char *kToGpuPipeline =
    "func.func(gpu-map-parallel-loops,convert-parallel-loops-to-gpu),"
    "canonicalize,cse";

/// The launches to gpu.func kernels in NVVM (LLVM dialect). Kernels take
/// bare pointers: every shape is static.
static const char *kOutliningPipeline = "gpu-kernel-outlining";
static const char *kToNvvmPipeline =
    "gpu.module("
    "expand-strided-metadata,lower-affine,convert-scf-to-cf,"
    "convert-nvgpu-to-nvvm,convert-gpu-to-nvvm{use-bare-ptr-memref-call-conv=1}),"
    "reconcile-unrealized-casts";

/// Threads per block for the outermost parallel loop of each nest.
static constexpr int64_t kThreadsPerBlock = 256;

const std::vector<std::string> &supportedCudaArchs() {
  static const std::vector<std::string> archs = {"sm_80", "sm_86", "sm_89",
                                                 "sm_90"};
  return archs;
}

std::string ptxFeatureForArch(const std::string &arch) {
  // PTX ISA 7.8 (CUDA 11.8) is the first with sm_89 and sm_90; it is used
  // for every arch so that one toolkit assembles them all.
  (void)arch;
  return "+ptx78";
}

static LogicalResult runPipeline(ModuleOp module, StringRef pipeline,
                                 const CudaTarget &target) {
  return runTextualPipeline(module, pipeline, target.printIRAfterAll,
                            target.timing, target.instrument);
}

/// Ops that may stay in the dispatch's host function, outside every launch:
/// buffers, views and index arithmetic (sunk into the launches that use
/// them), the launches themselves.
static bool staysOnHost(Operation *op) {
  if (isa<gpu::LaunchOp, gpu::LaunchFuncOp, func::ReturnOp, memref::AllocOp,
          memref::AllocaOp, memref::DeallocOp, memref::GetGlobalOp,
          scf::ParallelOp>(op))
    return true;
  return isMemoryEffectFree(op) && op->getNumRegions() == 0;
}

/// A run of loads of kernel arguments the kernel never writes (an LLM's
/// position) and arithmetic on them, used by the loop nests after it, is
/// cloned into each of them (every thread reads the scalar) instead of
/// staying on the host.
static LogicalResult sinkScalarReads(func::FuncOp kernel,
                                     ArrayRef<Operation *> run) {
  llvm::SmallPtrSet<Value, 4> written;
  kernel.walk([&](memref::StoreOp store) {
    written.insert(viewSourceBuffer(store.getMemref()));
  });
  for (Operation *op : run) {
    if (auto load = dyn_cast<memref::LoadOp>(op)) {
      Value root = viewSourceBuffer(load.getMemref());
      if (!isa<BlockArgument>(root) || written.contains(root))
        return failure();
      continue;
    }
    if (!isMemoryEffectFree(op) || op->getNumRegions() != 0)
      return failure();
  }
  Block &body = kernel.getBody().front();
  llvm::SmallPtrSet<Operation *, 8> inRun(run.begin(), run.end());
  llvm::SetVector<Operation *> users;
  for (Operation *op : run)
    for (Operation *user : op->getUsers()) {
      Operation *top = body.findAncestorOpInBlock(*user);
      if (top && !inRun.contains(top))
        users.insert(top);
    }
  for (Operation *user : users) {
    if (user->getNumRegions() != 1 || !user->getRegion(0).hasOneBlock())
      return failure();
  }
  for (Operation *user : users) {
    OpBuilder b = OpBuilder::atBlockBegin(&user->getRegion(0).front());
    IRMapping mapping;
    for (Operation *op : run)
      b.clone(*op, mapping);
    for (Operation *op : run)
      for (auto [from, to] :
           llvm::zip(op->getResults(), mapping.lookup(op)->getResults()))
        from.replaceUsesWithIf(to, [&](OpOperand &use) {
          return user->isProperAncestor(use.getOwner());
        });
  }
  for (Operation *op : llvm::reverse(run))
    if (op->use_empty())
      op->erase();
  return success();
}

/// Wraps each run of top-level ops that would otherwise stay on the host
/// but read or write memory (a reduction to a scalar is an scf.for nest, a
/// copy of a scalar a load and a store) in a one-iteration scf.parallel, so
/// that it runs on the device (one thread). Fails if a value of such a run
/// is used after it.
static LogicalResult wrapSequentialCode(func::FuncOp kernel) {
  Block &body = kernel.getBody().front();
  SmallVector<SmallVector<Operation *>> runs;
  SmallVector<Operation *> current;
  llvm::SmallPtrSet<Operation *, 16> inCurrent;
  for (Operation &op : body) {
    // Index arithmetic and constants on host values stay where they are
    // (the launches capture them) without ending the run; on a value of
    // the run they join it.
    bool usesRun = llvm::any_of(op.getOperands(), [&](Value operand) {
      Operation *def = operand.getDefiningOp();
      return def && inCurrent.contains(def);
    });
    if (staysOnHost(&op) && !usesRun) {
      bool breaksRun = !isMemoryEffectFree(&op) || op.getNumRegions() != 0 ||
                       isa<scf::ParallelOp>(op);
      if (breaksRun && !current.empty()) {
        runs.push_back(std::move(current));
        current.clear();
        inCurrent.clear();
      }
      continue;
    }
    current.push_back(&op);
    inCurrent.insert(&op);
  }
  if (!current.empty())
    runs.push_back(std::move(current));
  for (auto &run : runs) {
    if (succeeded(sinkScalarReads(kernel, run)))
      continue;
    llvm::SmallPtrSet<Operation *, 8> inRun(run.begin(), run.end());
    for (Operation *op : run)
      for (Value result : op->getResults())
        for (Operation *user : result.getUsers()) {
          Operation *top = body.findAncestorOpInBlock(*user);
          if (!top || !inRun.contains(top))
            return op->emitError("sequential code whose result is used by "
                                 "another loop nest is not mapped to the "
                                 "GPU yet");
        }
    // The loop takes the place of the run's last op: the host values the
    // run uses (defined before that) dominate it.
    OpBuilder b(run.back());
    Location loc = run.front()->getLoc();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto loop = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                        ValueRange{one}, ValueRange{one});
    Operation *terminator = loop.getBody()->getTerminator();
    for (Operation *op : run)
      op->moveBefore(terminator);
  }
  return success();
}

/// Collapses the outermost parallel loop of each nest into one dimension
/// and tiles it by kThreadsPerBlock (guarded, no min bounds): the outer loop
/// then maps to blocks, the inner one to threads; consecutive threads take
/// consecutive innermost indices (coalesced accesses). Deeper parallel
/// loops run sequentially in each thread.
static void tileOuterParallelLoops(func::FuncOp kernel) {
  IRRewriter rewriter(kernel.getContext());
  SmallVector<scf::ParallelOp> loops;
  for (auto loop : kernel.getBody().front().getOps<scf::ParallelOp>())
    loops.push_back(loop);
  for (scf::ParallelOp loop : loops) {
    unsigned rank = loop.getNumLoops();
    if (rank > 1) {
      std::vector<unsigned> all;
      for (unsigned i = 0; i < rank; ++i)
        all.push_back(i);
      rewriter.setInsertionPoint(loop);
      collapseParallelLoops(rewriter, loop, {all});
    }
  }
  loops.clear();
  for (auto loop : kernel.getBody().front().getOps<scf::ParallelOp>())
    loops.push_back(loop);
  for (scf::ParallelOp loop : loops)
    scf::tileParallelLoop(loop, {kThreadsPerBlock}, /*noMinMaxBounds=*/true);
}

/// Sinks the views, constants and index arithmetic each launch uses into it,
/// so that only buffers cross into the kernel.
static LogicalResult sinkIntoLaunches(func::FuncOp kernel) {
  SmallVector<gpu::LaunchOp> launches;
  kernel.walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
  for (gpu::LaunchOp launch : launches)
    if (failed(sinkOperationsIntoLaunchOp(launch, [](Operation *op) {
          return isMemoryEffectFree(op) && op->getNumRegions() == 0 &&
                 !isa<memref::AllocOp, memref::AllocaOp>(op);
        })))
      return failure();
  return success();
}

/// Anything left on the host besides buffers and launches would not run.
static LogicalResult checkHostCode(func::FuncOp kernel) {
  for (Operation &op : kernel.getBody().front())
    if (!isa<gpu::LaunchOp, func::ReturnOp, memref::AllocOp,
             memref::DeallocOp, memref::GetGlobalOp>(op) &&
        !isMemoryEffectFree(&op))
      return op.emitError("'")
             << op.getName() << "' stays outside every GPU launch";
  return success();
}

/// Clones `kernel` and the symbols it references (globals, declarations)
/// into a fresh module.
static OwningOpRef<ModuleOp> isolateKernel(ModuleOp module,
                                           func::FuncOp kernel) {
  OwningOpRef<ModuleOp> isolated = ModuleOp::create(kernel.getLoc());
  OpBuilder b = OpBuilder::atBlockEnd(isolated->getBody());
  SymbolTable symbols(module);
  llvm::StringSet<> cloned;
  SmallVector<Operation *> work = {kernel};
  while (!work.empty()) {
    Operation *op = work.pop_back_val();
    b.clone(*op);
    if (auto uses = SymbolTable::getSymbolUses(op))
      for (const SymbolTable::SymbolUse &use : *uses) {
        StringRef name = use.getSymbolRef().getRootReference().getValue();
        if (name == kernel.getSymName() || !cloned.insert(name).second)
          continue;
        if (Operation *symbol = symbols.lookup(name))
          work.push_back(symbol);
      }
  }
  return isolated;
}

/// Bytes of a statically shaped memref of int or float elements (i1 and
/// sub-byte integers take a byte per element, as the kernels address them).
static int64_t byteSizeOf(MemRefType type) {
  unsigned bits = type.getElementTypeBitWidth();
  return type.getNumElements() * std::max<int64_t>(1, (bits + 7) / 8);
}

/// Outlining names every gpu.func of a dispatch `<dispatch>_kernel`, in
/// gpu.modules whose names are unique (`<dispatch>_kernel`, `..._kernel_0`):
/// each kernel takes its module's name, so that the entries of all the
/// dispatches can share one PTX module.
static void renameKernels(ModuleOp isolated) {
  MLIRContext *context = isolated.getContext();
  for (auto gpuModule : isolated.getOps<gpu::GPUModuleOp>()) {
    StringAttr moduleName = gpuModule.getSymNameAttr();
    for (auto kernel : gpuModule.getOps<gpu::GPUFuncOp>()) {
      if (!kernel.isKernel() || kernel.getNameAttr() == moduleName)
        continue;
      StringAttr oldName = kernel.getNameAttr();
      SymbolTable::setSymbolName(kernel, moduleName);
      isolated.walk([&](gpu::LaunchFuncOp launch) {
        if (launch.getKernelModuleName() == moduleName &&
            launch.getKernelName() == oldName)
          launch.setKernelAttr(SymbolRefAttr::get(
              moduleName, {FlatSymbolRefAttr::get(context, moduleName)}));
      });
    }
  }
}

/// Records what the executor needs for each gpu.launch_func of the
/// dispatch's host function: sizes (constants: shapes are static) and which
/// argument or temporary each parameter is.
static LogicalResult recordLaunches(ModuleOp isolated, StringRef name,
                                    CudaDispatch &dispatch) {
  dispatch.name = name.str();
  auto func = isolated.lookupSymbol<func::FuncOp>(name);
  if (!func)
    return isolated.emitError("internal error: the kernel vanished");
  llvm::DenseMap<Value, int64_t> temporaries;
  for (Operation &op : func.getBody().front()) {
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity())
        return alloc.emitError("a temporary of dynamic shape or strided "
                               "layout is not supported on the GPU");
      temporaries[alloc.getResult()] = dispatch.temporaryBytes.size();
      dispatch.temporaryBytes.push_back(byteSizeOf(type));
      continue;
    }
    auto launch = dyn_cast<gpu::LaunchFuncOp>(op);
    if (!launch)
      continue;
    CudaLaunch info;
    info.kernel = launch.getKernelName().str();
    gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
    gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
    Value sizes[] = {grid.x, grid.y, grid.z, block.x, block.y, block.z};
    for (auto [i, size] : llvm::enumerate(sizes)) {
      std::optional<int64_t> value = getConstantIntValue(size);
      if (!value || *value <= 0 || *value > INT32_MAX)
        return launch.emitError("launch of '")
               << info.kernel << "' has a grid or block size that is not a "
               << "positive constant";
      (i < 3 ? info.grid[i] : info.block[i - 3]) = *value;
    }
    if (Value shared = launch.getDynamicSharedMemorySize()) {
      std::optional<int64_t> bytes = getConstantIntValue(shared);
      if (!bytes || *bytes < 0)
        return launch.emitError("dynamic shared memory size is not a "
                                "constant");
      info.sharedBytes = *bytes;
    }
    for (Value operand : launch.getKernelOperands()) {
      // A view keeps its buffer's aligned pointer (its offset and strides
      // are static in its type, which the kernel applies): the parameter is
      // the buffer's address.
      Value buffer = operand;
      while (Operation *def = buffer.getDefiningOp()) {
        if (!isa<memref::SubViewOp, memref::ExpandShapeOp,
                 memref::CollapseShapeOp, memref::ReinterpretCastOp,
                 memref::CastOp>(def))
          break;
        buffer = cast<ViewLikeOpInterface>(def).getViewSource();
      }
      auto argument = dyn_cast<BlockArgument>(buffer);
      if (argument && argument.getOwner()->getParentOp() == func) {
        info.arguments.push_back(argument.getArgNumber());
      } else if (auto it = temporaries.find(buffer);
                 it != temporaries.end()) {
        info.arguments.push_back(-(it->second + 1));
      } else {
        return launch.emitError("launch of '")
               << info.kernel << "' takes a value that is neither an "
               << "argument of the dispatch nor a buffer it allocates";
      }
    }
    dispatch.launches.push_back(std::move(info));
  }
  return success();
}

/// Lowers one isolated kernel down to gpu.modules in NVVM and records its
/// launches.
static LogicalResult lowerKernel(ModuleOp isolated, StringRef name,
                                 const CudaTarget &target,
                                 CudaDispatch &dispatch) {
  if (failed(runPipeline(isolated, kBufferizePipeline, target)))
    return failure();
  // As on the CPU: memref.copy becomes a loop nest (no runtime helper).
  SmallVector<memref::CopyOp> copies;
  isolated.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
  for (memref::CopyOp copy : copies) {
    OpBuilder b(copy);
    linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                           copy.getTarget());
    copy.erase();
  }
  // GEMMs get launches of their own (tensor cores for 16-bit operands,
  // shared-memory tiles for f32), long contiguous reductions a block per
  // output, before the rest becomes loops.
  for (auto func : isolated.getOps<func::FuncOp>())
    if (!func.isDeclaration()) {
      mapGemmsToTensorCores(func, dispatch.gemms);
      mapGemmsToSharedMemoryTiles(func, dispatch.gemms);
      lowerRowReductionsToBlocks(func);
    }
  if (failed(runPipeline(isolated, kToLoopsPipeline, target)))
    return failure();
  for (auto func : isolated.getOps<func::FuncOp>()) {
    if (func.isDeclaration())
      continue;
    promoteLoopAccumulators(func);
    if (failed(wrapSequentialCode(func)))
      return failure();
    tileOuterParallelLoops(func);
  }
  if (failed(runPipeline(isolated, kToGpuPipeline, target)))
    return failure();
  for (auto func : isolated.getOps<func::FuncOp>()) {
    if (func.isDeclaration())
      continue;
    if (failed(sinkIntoLaunches(func)) || failed(checkHostCode(func)))
      return failure();
  }
  if (failed(runPipeline(isolated, kOutliningPipeline, target)))
    return failure();
  renameKernels(isolated);
  if (failed(lowerAllReduces(isolated)))
    return isolated.emitError("the block reductions did not lower");
  if (failed(runPipeline(isolated, kToNvvmPipeline, target)))
    return failure();
  return recordLaunches(isolated, name, dispatch);
}

/// Moves the contents of every gpu.module of `from` into `into` (one
/// symbol of a name: globals and declarations shared by kernels).
static void mergeGpuModules(ModuleOp from, gpu::GPUModuleOp into,
                            llvm::StringSet<> &names) {
  for (auto gpuModule : from.getOps<gpu::GPUModuleOp>()) {
    for (Operation &op :
         llvm::make_early_inc_range(gpuModule.getBody()->getOperations())) {
      if (auto symbol = dyn_cast<SymbolOpInterface>(op))
        if (!names.insert(symbol.getName()).second)
          continue;
      op.moveBefore(into.getBody(), into.getBody()->end());
    }
  }
}

FailureOr<CudaObject> compileKernelsForCuda(ModuleOp module,
                                            const CudaTarget &target) {
  MLIRContext *context = module.getContext();
  {
    DialectRegistry registry;
    registry.insert<gpu::GPUDialect, NVVM::NVVMDialect>();
    registerBuiltinDialectTranslation(registry);
    registerLLVMDialectTranslation(registry);
    registerGPUDialectTranslation(registry);
    registerNVVMDialectTranslation(registry);
    NVVM::registerNVVMTargetInterfaceExternalModels(registry);
    context->appendDialectRegistry(registry);
    context->loadDialect<gpu::GPUDialect, NVVM::NVVMDialect>();
  }
  if (target.archs.empty())
    return module.emitError("no GPU arch given");
  if (target.lowerToLinalg) {
    if (failed(target.lowerToLinalg(module)))
      return failure();
  } else if (failed(runPipeline(module, "ag-to-linalg,canonicalize,cse",
                                target))) {
    return failure();
  }

  // Reductions over several adjacent loops become one loop; then few
  // outputs over long reductions: two stages, for parallelism.
  collapseReductionLoops(module);
  splitReductionsForParallelism(module);

  CudaObject object;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto kernels = gpu::GPUModuleOp::create(b, module.getLoc(),
                                          "autoglm_kernels");
  llvm::StringSet<> names;
  SmallVector<func::FuncOp> funcs;
  for (auto func : module.getOps<func::FuncOp>())
    if (!func.isDeclaration())
      funcs.push_back(func);
  for (func::FuncOp func : funcs) {
    StringRef name = func.getSymName();
    OwningOpRef<ModuleOp> isolated = isolateKernel(module, func);
    // The stage's diagnostics become notes of one error naming the dispatch.
    std::string messages;
    LogicalResult lowered = success();
    {
      ScopedDiagnosticHandler capture(context, [&](Diagnostic &diag) {
        llvm::raw_string_ostream os(messages);
        os << "\n  " << diag.getLocation() << ": " << diag.str();
        return success();
      });
      CudaDispatch dispatch;
      lowered = lowerKernel(*isolated, name, target, dispatch);
      if (succeeded(lowered))
        object.dispatches.push_back(std::move(dispatch));
    }
    if (failed(lowered))
      return func.emitError("dispatch '")
             << name << "' cannot be lowered to the GPU:" << messages;
    mergeGpuModules(*isolated, kernels, names);
  }
  // Drop the host functions: only the device code is emitted in this slice.
  for (func::FuncOp func : funcs)
    func.erase();

  SmallVector<Attribute> targets;
  for (const std::string &arch : target.archs)
    targets.push_back(NVVM::NVVMTargetAttr::get(
        context, target.optLevel, "nvptx64-nvidia-cuda", arch,
        ptxFeatureForArch(arch)));
  kernels.setTargetsAttr(ArrayAttr::get(context, targets));
  std::string toolkit;
  if (llvm::sys::fs::exists("/usr/local/cuda/nvvm/libdevice"))
    toolkit = " toolkit=/usr/local/cuda";
  if (failed(runPipeline(
          module, "gpu-module-to-binary{format=isa" + toolkit + "}", target)))
    return module.emitError("the NVPTX back end failed on the kernels");
  for (auto binary : module.getOps<gpu::BinaryOp>()) {
    for (Attribute attr : binary.getObjects()) {
      auto objectAttr = cast<gpu::ObjectAttr>(attr);
      auto nvvm = dyn_cast<NVVM::NVVMTargetAttr>(objectAttr.getTarget());
      object.archs.push_back(nvvm ? nvvm.getChip().str() : "");
      object.ptx.push_back(objectAttr.getObject().str());
    }
  }
  if (object.ptx.size() != target.archs.size())
    return module.emitError("internal error: expected one PTX module per arch");
  return object;
}

void printCudaLaunch(llvm::raw_ostream &os, StringRef dispatch,
                     const CudaLaunch &launch) {
  os << "dispatch " << dispatch << ": launch " << launch.kernel << " grid "
     << launch.grid[0] << "x" << launch.grid[1] << "x" << launch.grid[2]
     << " block " << launch.block[0] << "x" << launch.block[1] << "x"
     << launch.block[2];
  if (launch.sharedBytes)
    os << " shared " << launch.sharedBytes;
  os << "\n";
}

std::string findPtxas(StringRef requested) {
  if (requested == "none")
    return "";
  if (!requested.empty())
    return requested.str();
  if (llvm::ErrorOr<std::string> onPath = llvm::sys::findProgramByName("ptxas"))
    return *onPath;
  if (llvm::sys::fs::can_execute("/usr/local/cuda/bin/ptxas"))
    return "/usr/local/cuda/bin/ptxas";
  return "";
}

llvm::Expected<std::vector<std::string>>
assembleCubins(const CudaObject &object, StringRef ptxas) {
  std::vector<std::string> cubins;
  for (auto [arch, ptx] : llvm::zip(object.archs, object.ptx)) {
    // ptxas reads and writes files: a temporary PTX, cubin and log each.
    SmallString<128> ptxPath, cubinPath, logPath;
    for (auto [path, suffix] :
         {std::make_pair(&ptxPath, "ptx"), std::make_pair(&cubinPath, "cubin"),
          std::make_pair(&logPath, "log")})
      if (std::error_code error = llvm::sys::fs::createTemporaryFile(
              "autoglm-" + arch, suffix, *path))
        return llvm::createStringError("cannot create a temporary file for "
                                       "ptxas: " + error.message());
    llvm::scope_exit cleanup([&] {
      llvm::sys::fs::remove(ptxPath);
      llvm::sys::fs::remove(cubinPath);
      llvm::sys::fs::remove(logPath);
    });
    {
      std::error_code error;
      llvm::raw_fd_ostream os(ptxPath, error);
      if (error)
        return llvm::createStringError("cannot write '" + ptxPath.str() +
                                       "': " + error.message());
      os << ptx;
    }
    std::string archFlag = "-arch=" + arch;
    SmallVector<StringRef> args = {ptxas, archFlag, "-o", cubinPath, ptxPath};
    std::optional<StringRef> redirects[] = {std::nullopt, StringRef(logPath),
                                            StringRef(logPath)};
    std::string message;
    int status = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt,
                                           redirects, 0, 0, &message);
    auto log = llvm::MemoryBuffer::getFile(logPath);
    std::string output = log ? (*log)->getBuffer().trim().str() : "";
    if (status != 0)
      return llvm::createStringError(
          "ptxas ('" + ptxas.str() + "') failed for " + arch +
          (message.empty() ? "" : ": " + message) +
          (output.empty() ? "" : ":\n" + output));
    auto cubin = llvm::MemoryBuffer::getFile(cubinPath, /*IsText=*/false,
                                             /*RequiresNullTerminator=*/false);
    if (!cubin)
      return llvm::createStringError("ptxas wrote no cubin for " + arch);
    cubins.push_back((*cubin)->getBuffer().str());
  }
  return cubins;
}

} // namespace mlir::autoglm
