//===- CpuBackend.cpp - kernels to an x86-64 shared object ---------------===//

#include "compiler/driver/CpuBackend.h"
#include "compiler/codegen/RunPipeline.h"

#include "compiler/codegen/cpu/AgToLinalg.h"
#include "runtime/include/autoglm/artifact_format.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/X86TargetParser.h"

namespace mlir::autoglm {

/// Remaining linalg ops (on memrefs) to parallel loop nests.
static const char *kToLoopsPipeline =
    "func.func(convert-linalg-to-parallel-loops),canonicalize,cse";

/// From loops on memrefs to the LLVM dialect. Math ops LLVM has intrinsics
/// for go there; the rest (erf, tanh, ...) become libm calls.
static const char *kToLLVMPipeline =
    "lower-affine,convert-math-to-funcs,convert-scf-to-cf,convert-math-to-llvm,"
    "convert-math-to-libm,expand-strided-metadata,lower-affine,"
    "finalize-memref-to-llvm,"
    "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,"
    "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
    "reconcile-unrealized-casts";

/// ag to linalg on tensors, cleaned up.
static const char *kToLinalgPipeline = "ag-to-linalg,canonicalize,cse";

/// Runs a textual pass list (no builtin.module() wrapper: the manager is
/// already anchored on the module).
static LogicalResult runPipeline(ModuleOp module, StringRef pipeline,
                                 const CpuTarget &target) {
  return runTextualPipeline(module, pipeline, target.printIRAfterAll,
                            target.timing, target.instrument);
}

/// The f32 GEMM microkernel (ukernels/sgemm.c), compiled into every
/// artifact with the target's -march.
static constexpr const char *kSgemmSymbol = "agm_ukernel_sgemm";
/// Its quantized-B variant (same file): B dequantized while packed.
static constexpr const char *kQgemmSymbol = "agm_ukernel_qgemm";
#include "compiler/driver/SgemmSource.inc"
#include "compiler/driver/QgemmSource.inc"

/// True for an f32 memref of `rank` the microkernels can address directly:
/// static, row-major and contiguous.
static bool isPlainF32(Value value, int64_t rank) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getRank() == rank && type.hasStaticShape() &&
         type.getElementType().isF32() && type.getLayout().isIdentity();
}

/// Removes a zero linalg.fill of `c` right before `op`; true if it did
/// (the call then overwrites instead of accumulating).
static bool foldZeroFill(Operation *op, Value c) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode());
  if (!fill || !fill.hasPureBufferSemantics() || fill.getDpsInits()[0] != c ||
      !matchPattern(fill.getDpsInputs()[0], m_AnyZeroFloat()))
    return false;
  fill.erase();
  return true;
}

/// Removes a linalg.generic right before `op` that broadcasts a contiguous
/// f32 vector bias[N] into every row of `c` (how ag-to-linalg starts a
/// matmul with bias); returns the bias, or null if there is none.
static Value foldBiasBroadcast(Operation *op, Value c) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op->getPrevNode());
  if (!generic || !generic.hasPureBufferSemantics() ||
      generic.getNumDpsInputs() != 1 || generic.getNumDpsInits() != 1 ||
      generic.getDpsInits()[0] != c)
    return {};
  Value bias = generic.getDpsInputs()[0];
  auto biasType = dyn_cast<MemRefType>(bias.getType());
  auto cType = cast<MemRefType>(c.getType());
  MLIRContext *ctx = op->getContext();
  AffineMap column = AffineMap::get(2, 0, getAffineDimExpr(1, ctx));
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  if (!biasType || biasType.getRank() != 1 || !biasType.hasStaticShape() ||
      !biasType.getLayout().isIdentity() || !biasType.getElementType().isF32() ||
      biasType.getDimSize(0) != cType.getDimSize(1) ||
      generic.getIndexingMapsArray()[0] != column ||
      !generic.getIndexingMapsArray()[1].isIdentity() ||
      yield.getNumOperands() != 1 ||
      yield.getOperand(0) != generic.getBody()->getArgument(0))
    return {};
  generic.erase();
  return bias;
}

/// Replaces plain f32 linalg.batch_matmul ops by an scf.parallel over the
/// batch calling the microkernel (the batch then splits over workgroups).
static int useBatchMatmulMicrokernel(ModuleOp module) {
  SmallVector<linalg::BatchMatmulOp> matmuls;
  module.walk([&](linalg::BatchMatmulOp op) {
    if (op.hasPureBufferSemantics() && !op.hasUserDefinedMaps() &&
        isPlainF32(op.getDpsInputs()[0], 3) &&
        isPlainF32(op.getDpsInputs()[1], 3) &&
        isPlainF32(op.getDpsInits()[0], 3))
      matmuls.push_back(op);
  });
  for (linalg::BatchMatmulOp op : matmuls) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value a = op.getDpsInputs()[0], bm = op.getDpsInputs()[1],
          c = op.getDpsInits()[0];
    bool accumulate = !foldZeroFill(op, c);
    auto aType = cast<MemRefType>(a.getType());
    auto cType = cast<MemRefType>(c.getType());
    int64_t batch = cType.getDimSize(0), m = cType.getDimSize(1),
            n = cType.getDimSize(2), k = aType.getDimSize(2);
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    Value aBase = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, a);
    Value bBase = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, bm);
    Value cBase = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, c);
    auto loop = scf::ParallelOp::create(b, loc, ValueRange{index(0)},
                                        ValueRange{index(batch)},
                                        ValueRange{index(1)});
    OpBuilder body = OpBuilder::atBlockBegin(loop.getBody());
    Value i = loop.getInductionVars()[0];
    auto at = [&](Value base, int64_t elements) -> Value {
      Value stride = arith::ConstantIndexOp::create(body, loc, elements * 4);
      return arith::AddIOp::create(
          body, loc, base, arith::MulIOp::create(body, loc, i, stride));
    };
    auto i64 = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(body, loc, v, 64);
    };
    func::CallOp::create(body, loc, kSgemmSymbol, TypeRange{},
                         ValueRange{at(aBase, m * k), at(bBase, k * n),
                                    at(cBase, m * n), i64(0), i64(m), i64(n),
                                    i64(k), i64(k), i64(n), i64(n),
                                    i64(accumulate),
                                    arith::ConstantIndexOp::create(body, loc, 0)});
    op.erase();
  }
  return matmuls.size();
}

/// Replaces f32 linalg.conv_2d_nchw_fchw ops (input already padded) by
/// im2col into a scratch buffer and the GEMM microkernel per image:
/// out[n] (F x OH*OW) += filter (F x C*KH*KW) * col (C*KH*KW x OH*OW).
/// The images split over workgroups.
static int useConvMicrokernel(ModuleOp module) {
  SmallVector<linalg::Conv2DNchwFchwOp> convs;
  module.walk([&](linalg::Conv2DNchwFchwOp op) {
    if (op.hasPureBufferSemantics() && isPlainF32(op.getDpsInputs()[0], 4) &&
        isPlainF32(op.getDpsInputs()[1], 4) &&
        isPlainF32(op.getDpsInits()[0], 4))
      convs.push_back(op);
  });
  for (linalg::Conv2DNchwFchwOp op : convs) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value image = op.getDpsInputs()[0], filter = op.getDpsInputs()[1],
          out = op.getDpsInits()[0];
    bool accumulate = !foldZeroFill(op, out);
    ArrayRef<int64_t> in = cast<MemRefType>(image.getType()).getShape();
    ArrayRef<int64_t> fs = cast<MemRefType>(filter.getType()).getShape();
    ArrayRef<int64_t> os = cast<MemRefType>(out.getType()).getShape();
    auto strides = llvm::to_vector(op.getStrides().getValues<int64_t>());
    auto dilations = llvm::to_vector(op.getDilations().getValues<int64_t>());
    int64_t c = in[1], f = fs[0], kh = fs[2], kw = fs[3], oh = os[2],
            ow = os[3], rows = c * kh * kw, cols = oh * ow;
    auto index = [&](OpBuilder &at, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(at, loc, v);
    };
    Value filterBase =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, filter);
    Value outBase = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, out);
    auto images = scf::ParallelOp::create(b, loc, ValueRange{index(b, 0)},
                                          ValueRange{index(b, os[0])},
                                          ValueRange{index(b, 1)});
    OpBuilder body = OpBuilder::atBlockBegin(images.getBody());
    Value n = images.getInductionVars()[0];
    auto colType = MemRefType::get({rows, cols}, b.getF32Type());
    Value col = memref::AllocOp::create(body, loc, colType,
                                        body.getI64IntegerAttr(64));
    // col[(ci*KH + i)*KW + j, y*OW + x] = image[n, ci, y*sh + i*dh, x*sw + j*dw]
    Value zero = index(body, 0), one = index(body, 1);
    SmallVector<Value> ivs;
    OpBuilder nest = body;
    for (int64_t bound : {c, kh, kw, oh, ow}) {
      auto loop = scf::ForOp::create(nest, loc, zero, index(nest, bound), one);
      ivs.push_back(loop.getInductionVar());
      nest = OpBuilder::atBlockBegin(loop.getBody());
    }
    auto affine = [&](Value a, int64_t scale, Value bv, int64_t bscale) {
      Value lhs = arith::MulIOp::create(nest, loc, a, index(nest, scale));
      Value rhs = arith::MulIOp::create(nest, loc, bv, index(nest, bscale));
      return arith::AddIOp::create(nest, loc, lhs, rhs).getResult();
    };
    Value y = affine(ivs[3], strides[0], ivs[1], dilations[0]);
    Value x = affine(ivs[4], strides[1], ivs[2], dilations[1]);
    Value value =
        memref::LoadOp::create(nest, loc, image, ValueRange{n, ivs[0], y, x});
    Value row = affine(affine(ivs[0], kh, ivs[1], 1), kw, ivs[2], 1);
    Value column = affine(ivs[3], ow, ivs[4], 1);
    memref::StoreOp::create(nest, loc, value, col, ValueRange{row, column});
    auto i64 = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(body, loc, v, 64);
    };
    Value colBase = memref::ExtractAlignedPointerAsIndexOp::create(body, loc, col);
    Value outImage = arith::AddIOp::create(
        body, loc, outBase,
        arith::MulIOp::create(body, loc, n, index(body, f * cols * 4)));
    func::CallOp::create(body, loc, kSgemmSymbol, TypeRange{},
                         ValueRange{filterBase, colBase, outImage, i64(0),
                                    i64(f), i64(cols), i64(rows), i64(rows),
                                    i64(cols), i64(cols), i64(accumulate),
                                    index(body, 0)});
    memref::DeallocOp::create(body, loc, col);
    op.erase();
  }
  return convs.size();
}

/// Calls the quantized / 16-bit-B GEMM microkernel (ukernels/qgemm.c) for
/// C[m x n] (+)= A[m x k] * dequant(B), all columns (the workgroup split
/// narrows them later). `kind`: 0 i8, 1 u8, 2 i4, 3 u4, 4 bf16, 5 f16;
/// `scale` and `zeroPoint` may be null (16-bit B, symmetric).
static void createQgemmCall(OpBuilder &b, Location loc, Value a, Value bm,
                            Value c, int64_t m, int64_t n, int64_t k,
                            bool accumulate, Value bias, Value scale,
                            Value zeroPoint, int64_t kind, int64_t group) {
  auto pointer = [&](Value memref) -> Value {
    return memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
  };
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIntOp::create(b, loc, v, 64);
  };
  Value null = arith::ConstantIndexOp::create(b, loc, 0);
  auto orNull = [&](Value memref) { return memref ? pointer(memref) : null; };
  func::CallOp::create(
      b, loc, kQgemmSymbol, TypeRange{},
      ValueRange{pointer(a), pointer(bm), pointer(c), constant(0),
                 constant(m), constant(n), constant(k), constant(k),
                 constant(n), constant(n), constant(accumulate), orNull(bias),
                 orNull(scale), orNull(zeroPoint), constant(kind),
                 constant(group), constant(0), constant(n)});
}

/// True for a static, row-major memref of `rank` (any element type).
static bool isPlainMemref(Value value, int64_t rank) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && type.getRank() == rank && type.hasStaticShape() &&
         type.getLayout().isIdentity();
}

/// Replaces each plain linalg.matmul (C += A * B on row-major memrefs, A
/// and C f32) by a microkernel call; naive loop nests are no GEMM. An f32 B
/// goes to sgemm; a bf16 / f16 B (from ag-mixed-precision) to the quantized
/// GEMM's 16-bit path (kinds 4 / 5: A rounded to 16 bits, f32 accumulation).
/// Returns the number of (sgemm, qgemm) calls made.
static std::pair<int, int> useMatmulMicrokernels(ModuleOp module) {
  SmallVector<linalg::MatmulOp> matmuls;
  module.walk([&](linalg::MatmulOp op) {
    Value bm = op.getDpsInputs()[1];
    Type element = cast<ShapedType>(bm.getType()).getElementType();
    if (op.hasPureBufferSemantics() && !op.hasUserDefinedMaps() &&
        isPlainF32(op.getDpsInputs()[0], 2) && isPlainMemref(bm, 2) &&
        (element.isF32() || element.isBF16() || element.isF16()) &&
        isPlainF32(op.getDpsInits()[0], 2))
      matmuls.push_back(op);
  });
  std::pair<int, int> calls = {0, 0};
  for (linalg::MatmulOp op : matmuls) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value a = op.getDpsInputs()[0], bm = op.getDpsInputs()[1],
          c = op.getDpsInits()[0];
    int64_t m = cast<MemRefType>(c.getType()).getDimSize(0),
            n = cast<MemRefType>(c.getType()).getDimSize(1),
            k = cast<MemRefType>(a.getType()).getDimSize(1);
    // A zero fill or a bias broadcast into C right before is folded into the
    // call (accumulate=0) so the call is the kernel's only work and splits
    // by rows.
    Value bias = foldBiasBroadcast(op, c);
    bool accumulate = !bias && !foldZeroFill(op, c);
    Type element = cast<MemRefType>(bm.getType()).getElementType();
    if (!element.isF32()) {
      createQgemmCall(b, loc, a, bm, c, m, n, k, accumulate, bias,
                      /*scale=*/Value(), /*zeroPoint=*/Value(),
                      element.isBF16() ? 4 : 5, /*group=*/k);
      ++calls.second;
      op.erase();
      continue;
    }
    auto pointer = [&](Value memref) -> Value {
      return memref::ExtractAlignedPointerAsIndexOp::create(b, loc, memref);
    };
    auto constant = [&](int64_t v) -> Value {
      return arith::ConstantIntOp::create(b, loc, v, 64);
    };
    func::CallOp::create(b, loc, kSgemmSymbol, TypeRange{},
                         ValueRange{pointer(a), pointer(bm), pointer(c),
                                    constant(0), constant(m), constant(n),
                                    constant(k), constant(k), constant(n),
                                    constant(n), constant(accumulate),
                                    bias ? pointer(bias)
                                         : arith::ConstantIndexOp::create(
                                               b, loc, 0)});
    ++calls.first;
    op.erase();
  }
  return calls;
}

/// Replaces the linalg.generic ops ag-to-linalg tags `ag.dequant_matmul`
/// by calls to the quantized GEMM microkernel (dequantization fused into
/// its B packing). 4-bit weights are packed two per byte, which only the
/// microkernel reads: such an op left as a loop nest is an error.
static FailureOr<int> useDequantMatmulMicrokernel(ModuleOp module) {
  SmallVector<linalg::GenericOp> generics;
  module.walk([&](linalg::GenericOp op) {
    if (op->hasAttr(kDequantMatmulAttrName))
      generics.push_back(op);
  });
  int calls = 0;
  for (linalg::GenericOp op : generics) {
    auto info = op->getAttrOfType<DictionaryAttr>(kDequantMatmulAttrName);
    auto bits = info ? info.getAs<IntegerAttr>("bits") : IntegerAttr();
    auto isUnsigned = info ? info.getAs<BoolAttr>("unsigned") : BoolAttr();
    auto group = info ? info.getAs<IntegerAttr>("group_size") : IntegerAttr();
    SmallVector<Value> inputs(op.getDpsInputs());
    bool plain = bits && isUnsigned && group && op.hasPureBufferSemantics() &&
                 (inputs.size() == 3 || inputs.size() == 4) &&
                 isPlainF32(inputs[0], 2) && isPlainMemref(inputs[1], 2) &&
                 isPlainMemref(inputs[2],
                               cast<MemRefType>(inputs[2].getType())
                                   .getRank()) &&
                 (inputs.size() == 3 ||
                  isPlainMemref(inputs[3], cast<MemRefType>(
                                               inputs[3].getType())
                                               .getRank())) &&
                 isPlainF32(op.getDpsInits()[0], 2);
    if (!plain) {
      if (bits && bits.getInt() == 4)
        return op.emitError("internal error: a 4-bit dequant_matmul must "
                            "become a microkernel call (its weight is "
                            "packed), but its operands are not plain "
                            "row-major memrefs");
      continue; // the loop nest reads 8-bit weights correctly
    }
    OpBuilder b(op);
    Location loc = op.getLoc();
    Value a = inputs[0], w = inputs[1], scale = inputs[2],
          c = op.getDpsInits()[0];
    Value zeroPoint = inputs.size() == 4 ? inputs[3] : Value();
    auto aType = cast<MemRefType>(a.getType());
    auto cType = cast<MemRefType>(c.getType());
    int64_t m = cType.getDimSize(0), n = cType.getDimSize(1),
            k = aType.getDimSize(1);
    Value bias = foldBiasBroadcast(op, c);
    bool accumulate = !bias && !foldZeroFill(op, c);
    int64_t kind = (bits.getInt() == 4 ? 2 : 0) + (isUnsigned.getValue() ? 1 : 0);
    createQgemmCall(b, loc, a, w, c, m, n, k, accumulate, bias, scale,
                    zeroPoint, kind, group.getInt());
    op.erase();
    ++calls;
  }
  return calls;
}

/// Declares the quantized GEMM microkernel: sgemm's operands, then
/// (scale, zero_point, kind, group_size, n_begin, n_end).
static void declareQgemm(ModuleOp module) {
  if (module.lookupSymbol(kQgemmSymbol))
    return;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  Type index = b.getIndexType(), i64 = b.getI64Type();
  func::FuncOp::create(
      b, module.getLoc(), kQgemmSymbol,
      b.getFunctionType({index, index, index, i64, i64, i64, i64, i64, i64,
                         i64, i64, index, index, index, i64, i64, i64, i64},
                        {}))
      .setPrivate();
}

/// Declares the GEMM microkernel the calls above use:
/// (A, B, C, m_begin, m_end, n, k, lda, ldb, ldc, accumulate, bias).
static void declareSgemm(ModuleOp module) {
  if (module.lookupSymbol(kSgemmSymbol))
    return;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  Type index = b.getIndexType(), i64 = b.getI64Type();
  func::FuncOp::create(
      b, module.getLoc(), kSgemmSymbol,
      b.getFunctionType({index, index, index, i64, i64, i64, i64, i64, i64,
                         i64, i64, index},
                        {}))
      .setPrivate();
}

/// GEMM-class linalg ops (batch matmul, conv, matmul) to microkernel calls;
/// naive loop nests are no GEMM.
static LogicalResult useMicrokernels(ModuleOp module) {
  auto [sgemmCalls, halfCalls] = useMatmulMicrokernels(module);
  int calls = useBatchMatmulMicrokernel(module) +
              useConvMicrokernel(module) + sgemmCalls;
  if (calls > 0)
    declareSgemm(module);
  FailureOr<int> quantized = useDequantMatmulMicrokernel(module);
  if (failed(quantized))
    return failure();
  if (*quantized + halfCalls > 0)
    declareQgemm(module);
  return success();
}

/// Set on a kernel whose loop nests can all be split the same way along
/// their first loop (see splittableRows); the value is that loop's extent.
static constexpr const char *kSplitRowsAttr = "ag.split_rows";

/// The root a tensor is a reshape of (reshapes are views of contiguous
/// buffers after bufferization).
static Value reshapeRoot(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    if (!isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def))
      break;
    value = def->getOperand(0);
  }
  return value;
}

/// For a kernel of several linalg ops (an ag.fusion group, attention): the
/// common extent T of their first loops when splitting every op into the
/// same parts [b, e) of that loop keeps each workgroup's work independent of
/// the others'. That holds when the first loop is parallel with extent T in
/// every op, and every tensor the kernel computes is read and written with
/// dim 0 of extent T indexed by that loop alone: part [b, e) of any such
/// contiguous tensor is then the same byte range whatever reshapes lie
/// between its producer and consumers. Inputs of the kernel are only read,
/// so any access to them is fine.
static std::optional<int64_t> splittableRows(func::FuncOp kernel) {
  if (kernel.isDeclaration())
    return std::nullopt;
  std::optional<int64_t> rows;
  for (Operation &op : kernel.getBody().front()) {
    if (isa<func::ReturnOp, tensor::EmptyOp, arith::ConstantOp,
            tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
      continue;
    auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
    if (!linalgOp || linalgOp.getNumLoops() == 0)
      return std::nullopt;
    SmallVector<int64_t> ranges = linalgOp.getStaticLoopRanges();
    if (ShapedType::isDynamic(ranges[0]) ||
        linalgOp.getIteratorTypesArray()[0] != utils::IteratorType::parallel ||
        (rows && *rows != ranges[0]))
      return std::nullopt;
    rows = ranges[0];
    AffineExpr d0 = getAffineDimExpr(0, op.getContext());
    for (OpOperand &operand : op.getOpOperands()) {
      auto type = dyn_cast<RankedTensorType>(operand.get().getType());
      if (!type)
        continue;
      auto root = dyn_cast<BlockArgument>(reshapeRoot(operand.get()));
      if (root && root.getOwner()->getParentOp() == kernel &&
          linalgOp.isDpsInput(&operand))
        continue;
      AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
      if (map.getNumResults() == 0 || map.getResult(0) != d0 ||
          type.getDimSize(0) != *rows ||
          llvm::any_of(map.getResults().drop_front(), [&](AffineExpr e) {
            return e.isFunctionOfDim(0);
          }))
        return std::nullopt;
    }
  }
  return rows;
}

/// Static trip count of dimension 0 of `loop`, if its bounds are constants.
static std::optional<int64_t> tripCount(scf::ParallelOp loop) {
  auto lb = getConstantIntValue(loop.getLowerBound()[0]);
  auto ub = getConstantIntValue(loop.getUpperBound()[0]);
  auto step = getConstantIntValue(loop.getStep()[0]);
  if (!lb || !ub || !step || *step <= 0)
    return std::nullopt;
  return std::max<int64_t>(0, (*ub - *lb + *step - 1) / *step);
}

/// Rows of C per workgroup of a GEMM microkernel call.
static constexpr int64_t kGemmRowsPerWorkgroup = 32;

/// Makes `call` compute rows [begin * R, min(end * R, M)) of its GEMM.
static int64_t distributeGemmRows(func::CallOp call, Value begin, Value end) {
  OpBuilder b(call);
  Location loc = call.getLoc();
  std::optional<int64_t> m = getConstantIntValue(call.getOperand(4));
  if (!m)
    return 1;
  Type i64 = b.getI64Type();
  Value rows = arith::ConstantIntOp::create(b, loc, kGemmRowsPerWorkgroup, 64);
  Value first = arith::MulIOp::create(
      b, loc, arith::IndexCastOp::create(b, loc, i64, begin), rows);
  Value last = arith::MinSIOp::create(
      b, loc, call.getOperand(4),
      arith::MulIOp::create(b, loc,
                            arith::IndexCastOp::create(b, loc, i64, end),
                            rows));
  call->setOperand(3, first);
  call->setOperand(4, last);
  return (*m + kGemmRowsPerWorkgroup - 1) / kGemmRowsPerWorkgroup;
}

/// Splits a kernel of several nests and GEMM calls that splittableRows
/// found independent along rows [0, rows): workgroup w runs rows
/// [w * unit, (w + 1) * unit) of every nest and call, with unit = the GEMM's
/// row block when there is a GEMM call, else 1. None if a nest's first loop
/// does not span exactly those rows.
static std::optional<int64_t> distributeRows(ArrayRef<Operation *> nests,
                                             int64_t rows, Value begin,
                                             Value end) {
  bool hasGemm = false;
  for (Operation *nest : nests) {
    if (auto call = dyn_cast<func::CallOp>(nest)) {
      std::optional<int64_t> m = getConstantIntValue(call.getOperand(4));
      if ((call.getCallee() != kSgemmSymbol &&
           call.getCallee() != kQgemmSymbol) ||
          !m || *m != rows ||
          getConstantIntValue(call.getOperand(3)) != 0)
        return std::nullopt;
      hasGemm = true;
      continue;
    }
    auto loop = dyn_cast<scf::ParallelOp>(nest);
    if (!loop || getConstantIntValue(loop.getLowerBound()[0]) != 0 ||
        getConstantIntValue(loop.getStep()[0]) != 1 ||
        getConstantIntValue(loop.getUpperBound()[0]) != rows)
      return std::nullopt;
  }
  int64_t unit = hasGemm ? kGemmRowsPerWorkgroup : 1;
  for (Operation *nest : nests) {
    OpBuilder b(nest);
    Location loc = nest->getLoc();
    Value unitValue = arith::ConstantIndexOp::create(b, loc, unit);
    Value limit = arith::ConstantIndexOp::create(b, loc, rows);
    auto bound = [&](Value workgroup) -> Value {
      return arith::MinSIOp::create(
          b, loc, limit, arith::MulIOp::create(b, loc, workgroup, unitValue));
    };
    Value first = bound(begin), last = bound(end);
    if (auto loop = dyn_cast<scf::ParallelOp>(nest)) {
      loop.getLowerBoundMutable().slice(0, 1).assign(first);
      loop.getUpperBoundMutable().slice(0, 1).assign(last);
      continue;
    }
    Type i64 = b.getI64Type();
    nest->setOperand(3, arith::IndexCastOp::create(b, loc, i64, first));
    nest->setOperand(4, arith::IndexCastOp::create(b, loc, i64, last));
  }
  return (rows + unit - 1) / unit;
}

/// Columns of C per workgroup of a quantized GEMM call with few rows: a
/// multiple of the microkernel's panel width (32) and even (packed i4).
static constexpr int64_t kGemmColumnsPerWorkgroup = 128;

/// The buffer a view (reshape, subview, cast) reads or writes.
static Value rootBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  return value;
}

/// Splits a kernel of one GEMM call with few rows (LLM decode: a GEMV), its
/// elementwise epilogue nests and a prologue initializing C (the bias) by
/// blocks of columns: workgroup w computes columns [w * W, (w + 1) * W) of
/// the GEMM and of every nest, whose innermost loop runs over those columns
/// (a nest writes element (i, j) of C or of the output from reads at j or of
/// values outside the kernel).
/// sgemm has no column range: its B, C and bias pointers move to the first
/// column and its n shrinks. None when the kernel has another form.
static std::optional<int64_t> distributeColumns(ArrayRef<Operation *> nests,
                                                Value begin, Value end) {
  func::CallOp gemm;
  SmallVector<Operation *> prologue;
  for (Operation *nest : nests)
    if (auto call = dyn_cast<func::CallOp>(nest)) {
      if (gemm || (call.getCallee() != kSgemmSymbol &&
                   call.getCallee() != kQgemmSymbol))
        return std::nullopt;
      gemm = call;
    } else if (!gemm) {
      prologue.push_back(nest);
    }
  if (!gemm)
    return std::nullopt;
  // A nest before the GEMM may only initialize C (the bias): one computing
  // A would be cut to a workgroup's columns while the GEMM reads all of A.
  auto pointee = [](Value pointer) -> Value {
    auto extract =
        pointer.getDefiningOp<memref::ExtractAlignedPointerAsIndexOp>();
    return extract ? rootBuffer(extract.getSource()) : Value();
  };
  Value c = pointee(gemm.getOperand(2));
  for (Operation *nest : prologue) {
    bool writesOnlyC = c != nullptr;
    nest->walk([&](memref::StoreOp store) {
      writesOnlyC &= rootBuffer(store.getMemRef()) == c;
    });
    if (!writesOnlyC)
      return std::nullopt;
  }
  // Work outside the nests (a copy) would run whole in every workgroup.
  for (Operation &op : gemm->getBlock()->without_terminator())
    if (isa<memref::CopyOp, linalg::LinalgOp>(op))
      return std::nullopt;
  std::optional<int64_t> mBegin = getConstantIntValue(gemm.getOperand(3));
  std::optional<int64_t> m = getConstantIntValue(gemm.getOperand(4));
  std::optional<int64_t> n = getConstantIntValue(gemm.getOperand(5));
  if (mBegin != 0 || !m || !n || *m > kGemmRowsPerWorkgroup ||
      *n <= kGemmColumnsPerWorkgroup)
    return std::nullopt;
  // Every other nest: rows (outer dims, M iterations in all) x N columns.
  for (Operation *nest : nests) {
    if (nest == gemm)
      continue;
    auto loop = dyn_cast<scf::ParallelOp>(nest);
    if (!loop)
      return std::nullopt;
    int64_t dims = loop.getNumLoops(), rows = 1;
    for (int64_t d = 0; d < dims; ++d) {
      std::optional<int64_t> lb = getConstantIntValue(loop.getLowerBound()[d]);
      std::optional<int64_t> ub = getConstantIntValue(loop.getUpperBound()[d]);
      std::optional<int64_t> step = getConstantIntValue(loop.getStep()[d]);
      if (lb != 0 || step != 1 || !ub)
        return std::nullopt;
      if (d + 1 < dims)
        rows *= *ub;
      else if (*ub != *n)
        return std::nullopt;
    }
    if (rows != *m)
      return std::nullopt;
  }
  for (Operation *nest : nests) {
    OpBuilder b(nest);
    Location loc = nest->getLoc();
    Value width = arith::ConstantIndexOp::create(b, loc,
                                                 kGemmColumnsPerWorkgroup);
    Value limit = arith::ConstantIndexOp::create(b, loc, *n);
    Value first = arith::MinSIOp::create(
        b, loc, limit, arith::MulIOp::create(b, loc, begin, width));
    Value last = arith::MinSIOp::create(
        b, loc, limit, arith::MulIOp::create(b, loc, end, width));
    if (auto loop = dyn_cast<scf::ParallelOp>(nest)) {
      int64_t inner = loop.getNumLoops() - 1;
      loop.getLowerBoundMutable().slice(inner, 1).assign(first);
      loop.getUpperBoundMutable().slice(inner, 1).assign(last);
      continue;
    }
    Type i64 = b.getI64Type();
    if (gemm.getCallee() == kQgemmSymbol) {
      gemm->setOperand(16, arith::IndexCastOp::create(b, loc, i64, first));
      gemm->setOperand(17, arith::IndexCastOp::create(b, loc, i64, last));
      continue;
    }
    // sgemm: f32 B, C and bias start at column `first`.
    Value bytes = arith::MulIOp::create(
        b, loc, first, arith::ConstantIndexOp::create(b, loc, 4));
    for (unsigned operand : {1u, 2u, 11u}) {
      Value pointer = gemm.getOperand(operand);
      if (operand == 11 && isConstantIntValue(pointer, 0))
        continue;
      gemm->setOperand(operand, arith::AddIOp::create(b, loc, pointer, bytes));
    }
    gemm->setOperand(5, arith::IndexCastOp::create(
                            b, loc, i64,
                            arith::SubIOp::create(b, loc, last, first)));
  }
  return (*n + kGemmColumnsPerWorkgroup - 1) / kGemmColumnsPerWorkgroup;
}

/// Adds (wg_begin, wg_end) index arguments to `kernel`. When its body is a
/// single parallel loop nest, iterations [wg_begin, wg_end) of the outer
/// dimension are this call's share and the workgroup count is that
/// dimension's trip count; otherwise the kernel runs whole as workgroup 0.
static int64_t distributeWorkgroups(func::FuncOp kernel) {
  Block &body = kernel.getBody().front();
  Type indexType = IndexType::get(kernel.getContext());
  BlockArgument begin = body.addArgument(indexType, kernel.getLoc());
  BlockArgument end = body.addArgument(indexType, kernel.getLoc());
  SmallVector<Type> inputs(kernel.getArgumentTypes());
  inputs.append({indexType, indexType});
  kernel.setType(FunctionType::get(kernel.getContext(), inputs, {}));

  // Loop nests and calls (microkernels) each do a share of the work; only a
  // body that is one parallel nest can be split by workgroup.
  SmallVector<Operation *> nests;
  for (Operation &op : body.without_terminator())
    if (op.getNumRegions() != 0 || isa<func::CallOp>(op))
      nests.push_back(&op);
  // A GEMM call with few rows (LLM decode: a GEMV), alone or with its
  // epilogue, splits by blocks of columns; a lone one with more rows by
  // blocks of rows.
  if (std::optional<int64_t> groups = distributeColumns(nests, begin, end))
    return *groups;
  if (nests.size() == 1)
    if (auto call = dyn_cast<func::CallOp>(nests.front());
        call && (call.getCallee() == kSgemmSymbol ||
                 call.getCallee() == kQgemmSymbol))
      return distributeGemmRows(call, begin, end);
  auto rows = kernel->getAttrOfType<IntegerAttr>(kSplitRowsAttr);
  kernel->removeAttr(kSplitRowsAttr);
  if (nests.size() > 1 && rows)
    if (std::optional<int64_t> groups =
            distributeRows(nests, rows.getInt(), begin, end))
      return *groups;
  auto loop = nests.size() == 1 ? dyn_cast<scf::ParallelOp>(nests.front())
                                : scf::ParallelOp();
  std::optional<int64_t> trips = loop ? tripCount(loop) : std::nullopt;
  Location loc = kernel.getLoc();
  if (!trips || *trips <= 1) {
    // One workgroup: the whole body runs when wg_begin == 0.
    OpBuilder b = OpBuilder::atBlockBegin(&body);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value active =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, begin, zero);
    auto guard = scf::IfOp::create(b, loc, active, /*withElse=*/false);
    Operation *terminator = guard.thenBlock()->getTerminator();
    for (Operation &op : llvm::make_early_inc_range(body))
      if (guard->isBeforeInBlock(&op) && &op != body.getTerminator())
        op.moveBefore(terminator);
    return 1;
  }
  OpBuilder b(loop);
  Value lb = loop.getLowerBound()[0], step = loop.getStep()[0];
  Value ub = loop.getUpperBound()[0];
  Value first = arith::AddIOp::create(
      b, loc, lb, arith::MulIOp::create(b, loc, begin, step));
  Value last = arith::MinSIOp::create(
      b, loc, ub,
      arith::AddIOp::create(b, loc, lb,
                            arith::MulIOp::create(b, loc, end, step)));
  loop.getLowerBoundMutable().slice(0, 1).assign(first);
  loop.getUpperBoundMutable().slice(0, 1).assign(last);
  return *trips;
}

/// True when `value` (a buffer) or a view of it leaves its block through a
/// terminator (a loop's yield, a return).
static bool escapesBlock(Value value) {
  for (Operation *user : value.getUsers()) {
    if (user->hasTrait<OpTrait::IsTerminator>())
      return true;
    if (isa<ViewLikeOpInterface>(user))
      for (Value view : user->getResults())
        if (escapesBlock(view))
          return true;
  }
  return false;
}

/// Bufferization leaves the kernels' temporaries (memref.alloc: a transposed
/// operand, attention scores, im2col columns) without deallocation, so every
/// run leaked them. Each is freed at the end of its block, after every use
/// (uses are dominated by the alloc, so they sit in that block or in ops
/// nested in it); one that a terminator passes on is left alone.
static int deallocateTemporaries(ModuleOp module) {
  SmallVector<memref::AllocOp> allocs;
  module.walk([&](memref::AllocOp alloc) { allocs.push_back(alloc); });
  int count = 0;
  for (memref::AllocOp alloc : allocs) {
    // The conv microkernel's im2col scratch is freed where it is made.
    if (escapesBlock(alloc.getResult()) ||
        llvm::any_of(alloc->getUsers(), [](Operation *user) {
          return isa<memref::DeallocOp>(user);
        }))
      continue;
    Block *block = alloc->getBlock();
    OpBuilder b(block->getTerminator());
    memref::DeallocOp::create(b, alloc.getLoc(), alloc.getResult());
    ++count;
  }
  return count;
}

/// Routes the kernels' malloc / free (temporaries) through function
/// pointers the code exports as `agm_kernel_malloc` / `agm_kernel_free`:
/// the runtime points them at an allocator that reuses freed blocks
/// (runtime/src/KernelAllocator.h); left null, libc's are called.
static void routeKernelAllocations(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  const std::pair<StringRef, StringRef> routes[] = {
      {"malloc", "agm_kernel_malloc"}, {"free", "agm_kernel_free"}};
  for (auto [libcName, hookName] : routes) {
    auto libc = module.lookupSymbol<LLVM::LLVMFuncOp>(libcName);
    if (!libc)
      continue;
    std::string routedName = ("agm_routed_" + libcName).str();
    if (failed(SymbolTable::replaceAllSymbolUses(
            libc, StringAttr::get(ctx, routedName), module)))
      continue;
    auto hook = LLVM::GlobalOp::create(b, loc, ptrType, /*isConstant=*/false,
                                       LLVM::Linkage::External, hookName,
                                       Attribute());
    {
      OpBuilder init = OpBuilder::atBlockEnd(
          b.createBlock(&hook.getInitializerRegion()));
      LLVM::ReturnOp::create(init, loc,
                             LLVM::ZeroOp::create(init, loc, ptrType));
    }
    b.setInsertionPointToEnd(module.getBody());
    LLVM::LLVMFunctionType type = libc.getFunctionType();
    auto routed = LLVM::LLVMFuncOp::create(b, loc, routedName, type,
                                           LLVM::Linkage::Internal);
    Block *entry = routed.addEntryBlock(b);
    Block *viaLibc = b.createBlock(&routed.getBody());
    Block *viaHook = b.createBlock(&routed.getBody());
    SmallVector<Value> args(entry->getArguments());
    OpBuilder eb = OpBuilder::atBlockEnd(entry);
    Value function = LLVM::LoadOp::create(
        eb, loc, ptrType, LLVM::AddressOfOp::create(eb, loc, hook));
    Value unset = LLVM::ICmpOp::create(eb, loc, LLVM::ICmpPredicate::eq,
                                       function,
                                       LLVM::ZeroOp::create(eb, loc, ptrType));
    LLVM::CondBrOp::create(eb, loc, unset, viaLibc, viaHook);
    auto finish = [&](Block *block, bool indirect) {
      OpBuilder fb = OpBuilder::atBlockEnd(block);
      SmallVector<Value> operands;
      if (indirect)
        operands.push_back(function);
      operands.append(args);
      auto call = indirect ? LLVM::CallOp::create(fb, loc, type, operands)
                           : LLVM::CallOp::create(fb, loc, libc, args);
      LLVM::ReturnOp::create(fb, loc, call.getResults());
    };
    finish(viaLibc, false);
    finish(viaHook, true);
    b.setInsertionPointToEnd(module.getBody());
  }
}

/// Renames each kernel to <name>_impl (internal) and adds <name>, the C
/// entry point `void (void **bindings, int64_t wg_begin, int64_t wg_end)`.
static LogicalResult addEntryPoints(ModuleOp module,
                                    ArrayRef<KernelInfo> kernels) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module.getBody());
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  auto i64 = IntegerType::get(ctx, 64);
  for (const KernelInfo &kernel : kernels) {
    auto impl = module.lookupSymbol<LLVM::LLVMFuncOp>(kernel.symbol);
    if (!impl)
      return module.emitError("internal error: kernel '")
             << kernel.symbol << "' was not lowered to an llvm.func";
    std::string implName = kernel.symbol + "_impl";
    impl.setSymName(implName);
    impl.setLinkage(LLVM::Linkage::Internal);
    Location loc = impl.getLoc();
    auto entry = LLVM::LLVMFuncOp::create(
        b, loc, kernel.symbol,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx),
                                    {ptrType, i64, i64}));
    Block *block = entry.addEntryBlock(b);
    OpBuilder body = OpBuilder::atBlockBegin(block);
    SmallVector<Value> args;
    auto implType = impl.getFunctionType();
    unsigned bufferCount = implType.getNumParams() - 2;
    for (unsigned i = 0; i < bufferCount; ++i) {
      Value slot = LLVM::GEPOp::create(
          body, loc, ptrType, ptrType, block->getArgument(0),
          ArrayRef<LLVM::GEPArg>{int32_t(i)});
      args.push_back(LLVM::LoadOp::create(body, loc, ptrType, slot));
    }
    args.push_back(block->getArgument(1));
    args.push_back(block->getArgument(2));
    LLVM::CallOp::create(body, loc, impl, args);
    LLVM::ReturnOp::create(body, loc, ValueRange{});
  }
  return success();
}

/// An elementwise generic writing a fresh tensor (tensor.empty) while reading,
/// at the same positions, a same-typed value computed earlier in the kernel
/// and used by it alone (a GEMM result under its epilogue) writes into that
/// value instead: bufferization then updates the buffer in place, with no
/// second buffer and no copy.
struct WriteInPlaceOfInput : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getNumDpsInits() != 1 || !op.hasPureTensorSemantics() ||
        op.getNumLoops() != op.getNumParallelLoops())
      return failure();
    OpOperand *init = op.getDpsInitOperand(0);
    if (!init->get().getDefiningOp<tensor::EmptyOp>() ||
        op.payloadUsesValueFromOperand(init))
      return failure();
    AffineMap outputMap = op.getMatchingIndexingMap(init);
    for (OpOperand *input : op.getDpsInputOperands()) {
      Value value = input->get();
      Operation *producer = value.getDefiningOp();
      if (!producer || !isa<linalg::LinalgOp>(producer) ||
          value.getType() != init->get().getType() || !value.hasOneUse() ||
          op.getMatchingIndexingMap(input) != outputMap)
        continue;
      // The input moves to the output slot: its block argument becomes the
      // output's (which the body did not use).
      SmallVector<Value> inputs;
      SmallVector<AffineMap> maps;
      for (OpOperand *other : op.getDpsInputOperands())
        if (other != input) {
          inputs.push_back(other->get());
          maps.push_back(op.getMatchingIndexingMap(other));
        }
      maps.push_back(outputMap);
      auto fused = linalg::GenericOp::create(
          rewriter, op.getLoc(), op.getResultTypes(), inputs, ValueRange{value},
          maps, op.getIteratorTypesArray());
      rewriter.inlineRegionBefore(op.getRegion(), fused.getRegion(),
                                  fused.getRegion().begin());
      Block &body = fused.getRegion().front();
      BlockArgument inputArg = body.getArgument(input->getOperandNumber());
      rewriter.replaceAllUsesWith(inputArg, body.getArguments().back());
      body.eraseArgument(inputArg.getArgNumber());
      rewriter.replaceOp(op, fused.getResults());
      return success();
    }
    return failure();
  }
};

/// A linalg.fill feeding only generics (a reduction's start value) becomes a
/// generic itself, so that unit-dim folding treats it like its consumers.
/// Fills of GEMM or conv results (the quantized GEMM is a tagged generic)
/// stay: the microkernel rewrites fold them.
struct GeneralizeFillOfGenerics : OpRewritePattern<linalg::FillOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::FillOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics())
      return failure();
    // Users, looking through reshapes, must all be generics.
    SmallVector<Operation *> users(op->getUsers());
    while (!users.empty()) {
      Operation *user = users.pop_back_val();
      if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(user))
        llvm::append_range(users, user->getUsers());
      else if (!isa<linalg::GenericOp>(user) ||
               user->hasAttr(kDequantMatmulAttrName))
        return failure();
    }
    return linalg::generalizeNamedOp(rewriter, op);
  }
};

/// Fuses the linalg ops of each kernel (an ag.fusion group lowers to several)
/// into as few loop nests as possible: elementwise producers into their
/// consumers, and reshapes between them folded by collapsing the consumer's
/// iteration space (a [B, S, N] epilogue after a GEMM on [B*S, N] becomes a
/// [B*S, N] nest, so it splits by the same rows as the GEMM).
static LogicalResult fuseKernelLoops(ModuleOp module) {
  MLIRContext *context = module.getContext();
  RewritePatternSet patterns(context);
  auto singleUse = [](OpOperand *operand) {
    Operation *producer = operand->get().getDefiningOp();
    return producer && producer->hasOneUse();
  };
  linalg::populateElementwiseOpsFusionPatterns(patterns, singleUse);
  linalg::populateFoldReshapeOpsByCollapsingPatterns(
      patterns, [](OpOperand *) { return true; });
  linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
  // Unit dims dropped from the loop nests of kernels without a GEMM or conv:
  // a [1, S, H] LayerNorm iterates over S rows first, so its kernel splits
  // over them. (Next to a GEMM or conv, the collapsed views would keep the
  // epilogue from updating the GEMM's result in place.)
  linalg::ControlDropUnitDims dropUnitDims;
  dropUnitDims.controlFn = [](Operation *op) -> SmallVector<unsigned> {
    auto generic = dyn_cast<linalg::GenericOp>(op);
    auto kernel = op->getParentOfType<func::FuncOp>();
    if (!generic || !kernel)
      return {};
    bool hasContraction = false;
    kernel.walk([&](linalg::LinalgOp other) {
      hasContraction |= !isa<linalg::GenericOp, linalg::FillOp>(other) ||
                        other->hasAttr(kDequantMatmulAttrName);
    });
    if (hasContraction)
      return {};
    return llvm::to_vector(llvm::seq<unsigned>(0, generic.getNumLoops()));
  };
  linalg::populateFoldUnitExtentDimsPatterns(patterns, dropUnitDims);
  patterns.add<GeneralizeFillOfGenerics>(context);
  patterns.add<WriteInPlaceOfInput>(context);
  tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
  tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
  tensor::EmptyOp::getCanonicalizationPatterns(patterns, context);
  FrozenRewritePatternSet frozen(std::move(patterns));
  for (auto kernel : module.getOps<func::FuncOp>())
    if (!kernel.isDeclaration() &&
        failed(applyPatternsGreedily(kernel, frozen)))
      return kernel.emitError("internal error: loop fusion did not converge");
  return success();
}

LogicalResult lowerKernelsToLinalg(ModuleOp module, const CpuTarget &target) {
  if (failed(runPipeline(module, kToLinalgPipeline, target)))
    return failure();
  if (target.optLevel > 1 && failed(fuseKernelLoops(module)))
    return failure();
  return success();
}

/// `value` (a static, contiguous memref) viewed as [rows, elements / rows];
/// null when it is not such a memref or the rows do not divide it.
static Value viewAsRows(OpBuilder &b, Value value, int64_t rows) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type || !type.hasStaticShape() || !type.getLayout().isIdentity() ||
      rows <= 0 || type.getNumElements() % rows != 0 || type.getRank() == 0)
    return {};
  if (type.getRank() == 2 && type.getDimSize(0) == rows)
    return value;
  Location loc = value.getLoc();
  ReassociationIndices all = llvm::to_vector(
      llvm::seq<int64_t>(0, type.getRank()));
  Value flat = type.getRank() == 1
                   ? value
                   : memref::CollapseShapeOp::create(
                         b, loc, value, ArrayRef<ReassociationIndices>{all})
                         .getResult();
  auto rowsType = MemRefType::get({rows, type.getNumElements() / rows},
                                  type.getElementType());
  return memref::ExpandShapeOp::create(b, loc, rowsType, flat,
                                       ArrayRef<ReassociationIndices>{{0, 1}})
      .getResult();
}

LogicalResult lowerKernelsToLLVMDialect(ModuleOp module,
                                        const CpuTarget &target,
                                        std::vector<KernelInfo> &kernels) {
  if (failed(lowerKernelsToLinalg(module, target)))
    return failure();
  for (auto kernel : module.getOps<func::FuncOp>())
    if (std::optional<int64_t> rows = splittableRows(kernel))
      kernel->setAttr(kSplitRowsAttr,
                      IntegerAttr::get(IndexType::get(module.getContext()),
                                       *rows));
  if (failed(runPipeline(module, kBufferizePipeline, target)))
    return failure();
  if (failed(useMicrokernels(module)))
    return failure();
  // memref.copy of strided views would call a runtime helper (memrefCopy)
  // the kernels do not link: make every copy a loop nest instead.
  SmallVector<memref::CopyOp> copies;
  module.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
  for (memref::CopyOp copy : copies) {
    OpBuilder b(copy);
    Value source = copy.getSource(), target = copy.getTarget();
    // In a kernel split by rows, a contiguous copy (the result into its
    // out-param) is viewed as [rows, rest] so that it splits like the rest.
    auto kernel = copy->getParentOfType<func::FuncOp>();
    if (auto rows = kernel->getAttrOfType<IntegerAttr>(kSplitRowsAttr)) {
      Value rowsSource = viewAsRows(b, source, rows.getInt());
      Value rowsTarget = viewAsRows(b, target, rows.getInt());
      if (rowsSource && rowsTarget) {
        source = rowsSource;
        target = rowsTarget;
      }
    }
    linalg::CopyOp::create(b, copy.getLoc(), source, target);
    copy.erase();
  }
  if (failed(runPipeline(module, kToLoopsPipeline, target)))
    return failure();
  kernels.clear();
  for (auto kernel : module.getOps<func::FuncOp>()) {
    if (kernel.isDeclaration())
      continue;
    kernels.push_back({kernel.getSymName().str(), distributeWorkgroups(kernel)});
  }
  deallocateTemporaries(module);
  if (failed(runPipeline(module, kToLLVMPipeline, target)))
    return failure();
  routeKernelAllocations(module);
  return addEntryPoints(module, kernels);
}

/// AGM_CPU_* bits for the LLVM features the code may use.
static uint64_t featureBits(const llvm::StringMap<bool> &features) {
  static const std::pair<const char *, uint64_t> kBits[] = {
      {"avx2", AGM_CPU_AVX2},         {"fma", AGM_CPU_FMA},
      {"avx512f", AGM_CPU_AVX512F},   {"avx512bw", AGM_CPU_AVX512BW},
      {"avx512vl", AGM_CPU_AVX512VL}, {"avx512dq", AGM_CPU_AVX512DQ},
      {"f16c", AGM_CPU_F16C},         {"bmi2", AGM_CPU_BMI2}};
  uint64_t bits = 0;
  for (auto [name, bit] : kBits)
    if (features.lookup(name))
      bits |= bit;
  return bits;
}

/// The features of an x86-64 microarchitecture level or of this machine.
static llvm::StringMap<bool> featuresOf(StringRef cpu) {
  if (cpu == llvm::sys::getHostCPUName())
    return llvm::sys::getHostCPUFeatures();
  llvm::StringMap<bool> features;
  bool v3 = cpu == "x86-64-v3" || cpu == "x86-64-v4";
  for (const char *name : {"avx2", "fma", "f16c", "bmi2"})
    features[name] = v3;
  for (const char *name : {"avx512f", "avx512bw", "avx512vl", "avx512dq"})
    features[name] = cpu == "x86-64-v4";
  return features;
}

static LogicalResult emitError(ModuleOp module, const Twine &message) {
  return module.emitError(message);
}

FailureOr<CpuObject> compileKernelsForCpu(ModuleOp module,
                                          const CpuTarget &target) {
  CpuObject result;
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::InitializeNativeTargetAsmParser();
  // Check the CPU name before any work: LLVM aborts on names it lacks.
  {
    std::string cpu = target.cpu == "host"
                          ? llvm::sys::getHostCPUName().str()
                          : target.cpu;
    if (llvm::X86::parseArchX86(cpu, /*Only64Bit=*/true) ==
        llvm::X86::CK_None) {
      (void)emitError(module, "unknown CPU '" + cpu +
                                  "' (use host, x86-64-v3, x86-64-v4 or an "
                                  "LLVM x86 CPU name such as znver4)");
      return failure();
    }
  }
  if (failed(lowerKernelsToLLVMDialect(module, target, result.kernels)))
    return failure();

  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "autoglm_kernels");
  if (!llvmModule) {
    (void)emitError(module, "translation to LLVM IR failed");
    return failure();
  }

  std::string cpu = target.cpu == "host" ? llvm::sys::getHostCPUName().str()
                                         : target.cpu;
  llvm::StringMap<bool> features = featuresOf(cpu);
  std::string featureString;
  for (const auto &entry : features)
    featureString += (entry.second ? "+" : "-") + entry.getKey().str() + ",";
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  std::string error;
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget) {
    (void)emitError(module, "no LLVM target for " + triple.str() + ": " +
                                error);
    return failure();
  }
  llvm::TargetOptions options;
  auto level = std::array<llvm::CodeGenOptLevel, 4>{
      llvm::CodeGenOptLevel::None, llvm::CodeGenOptLevel::Less,
      llvm::CodeGenOptLevel::Default,
      llvm::CodeGenOptLevel::Aggressive}[std::clamp(target.optLevel, 0, 3)];
  std::unique_ptr<llvm::TargetMachine> machine(
      llvmTarget->createTargetMachine(triple, cpu, featureString, options,
                                      llvm::Reloc::PIC_, std::nullopt,
                                      level));
  if (!machine) {
    (void)emitError(module, "unknown CPU '" + cpu + "'");
    return failure();
  }
  llvmModule->setDataLayout(machine->createDataLayout());
  llvmModule->setTargetTriple(triple);

  // LLVM's standard optimization pipeline over the kernels.
  if (target.optLevel > 0) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder builder(machine.get());
    builder.registerModuleAnalyses(mam);
    builder.registerCGSCCAnalyses(cgam);
    builder.registerFunctionAnalyses(fam);
    builder.registerLoopAnalyses(lam);
    builder.crossRegisterProxies(lam, fam, cgam, mam);
    auto optLevel = std::array<llvm::OptimizationLevel, 4>{
        llvm::OptimizationLevel::O0, llvm::OptimizationLevel::O1,
        llvm::OptimizationLevel::O2,
        llvm::OptimizationLevel::O3}[std::clamp(target.optLevel, 0, 3)];
    builder.buildPerModuleDefaultPipeline(optLevel).run(*llvmModule, mam);
  }

  if (target.emitAssembly) {
    {
      // The streams flush into result.assembly when they go out of scope.
      llvm::raw_string_ostream os(result.assembly);
      llvm::buffer_ostream buffered(os);
      llvm::legacy::PassManager pm;
      if (machine->addPassesToEmitFile(pm, buffered, nullptr,
                                       llvm::CodeGenFileType::AssemblyFile)) {
        (void)emitError(module, "the target cannot emit assembly");
        return failure();
      }
      pm.run(*llvmModule);
    }
    result.cpuName = cpu;
    return result;
  }

  // Object file, then a shared object linked by the system's C compiler.
  SmallString<128> objectPath, libraryPath;
  int objectFd;
  if (llvm::sys::fs::createTemporaryFile("autoglm-kernels", "o", objectFd,
                                         objectPath) ||
      llvm::sys::fs::createTemporaryFile("autoglm-kernels", "so",
                                         libraryPath)) {
    (void)emitError(module, "cannot create temporary files");
    return failure();
  }
  llvm::FileRemover removeObject(objectPath), removeLibrary(libraryPath);
  {
    llvm::raw_fd_ostream os(objectFd, /*shouldClose=*/true);
    llvm::legacy::PassManager pm;
    if (machine->addPassesToEmitFile(pm, os, nullptr,
                                     llvm::CodeGenFileType::ObjectFile)) {
      (void)emitError(module, "the target cannot emit object files");
      return failure();
    }
    pm.run(*llvmModule);
  }
  auto linker = llvm::sys::findProgramByName("cc");
  if (!linker) {
    (void)emitError(module, "no 'cc' on PATH to link the kernels into a "
                            "shared object (install gcc or clang)");
    return failure();
  }
  std::string errorMessage;
  // The microkernels, compiled for the same CPU level as the kernels, only
  // when a kernel calls one (the quantized GEMM builds on the f32 one's
  // tiles): compiling them is most of a small model's compile time.
  bool needsQgemm = module.lookupSymbol(kQgemmSymbol) != nullptr;
  bool needsUkernels = needsQgemm || module.lookupSymbol(kSgemmSymbol);
  SmallString<128> ukernelSource, ukernelObject;
  if (llvm::sys::fs::createTemporaryFile("autoglm-ukernels", "c",
                                         ukernelSource) ||
      llvm::sys::fs::createTemporaryFile("autoglm-ukernels", "o",
                                         ukernelObject)) {
    (void)emitError(module, "cannot create temporary files");
    return failure();
  }
  llvm::FileRemover removeSource(ukernelSource), removeUkernel(ukernelObject);
  if (needsUkernels) {
    {
      std::error_code ec;
      llvm::raw_fd_ostream os(ukernelSource, ec);
      os << kSgemmSource;
      if (needsQgemm)
        os << kQgemmSource;
    }
    std::string march = features.lookup("avx512f") ? "-march=x86-64-v4"
                        : features.lookup("avx2")  ? "-march=x86-64-v3"
                                                   : "-march=x86-64";
    SmallVector<StringRef> compileArgs = {*linker, "-c",  "-O3",
                                          "-fPIC", march, "-o",
                                          ukernelObject, ukernelSource};
    if (llvm::sys::ExecuteAndWait(*linker, compileArgs, std::nullopt, {}, 0,
                                  0, &errorMessage) != 0) {
      (void)emitError(module, "compiling the microkernels failed: " +
                                  errorMessage);
      return failure();
    }
  }
  SmallVector<StringRef> args = {*linker, "-shared", "-o", libraryPath,
                                 objectPath};
  if (needsUkernels)
    args.push_back(ukernelObject);
  args.push_back("-lm");
  if (llvm::sys::ExecuteAndWait(*linker, args, std::nullopt, {}, 0, 0,
                                &errorMessage) != 0) {
    (void)emitError(module, "linking the kernels failed: " + errorMessage);
    return failure();
  }
  auto library = llvm::MemoryBuffer::getFile(libraryPath, /*IsText=*/false,
                                             /*RequiresNullTerminator=*/false);
  if (!library) {
    (void)emitError(module, "cannot read the linked kernels");
    return failure();
  }
  StringRef bytes = (*library)->getBuffer();
  result.sharedObject.assign(bytes.begin(), bytes.end());
  result.cpuName = cpu;
  result.cpuFeatures = featureBits(features);
  return result;
}

} // namespace mlir::autoglm
