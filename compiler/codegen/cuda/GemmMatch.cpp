//===- GemmMatch.cpp - the GEMMs the CUDA target gives kernels of their own -===//

#include "compiler/codegen/cuda/GemmMatch.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "mlir/IR/AffineMap.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir::autoglm {

std::optional<GemmMatch> matchGemm(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->batch.size() > 1 || dims->m.size() != 1 ||
      dims->n.size() != 1 || dims->k.size() != 1 ||
      op.getNumLoops() != dims->batch.size() + 3)
    return std::nullopt;
  GemmMatch gemm;
  gemm.op = op;
  gemm.batched = dims->batch.size() == 1;
  gemm.a = op.getDpsInputOperand(0)->get();
  gemm.b = op.getDpsInputOperand(1)->get();
  gemm.c = op.getDpsInitOperand(0)->get();
  auto aType = dyn_cast<MemRefType>(gemm.a.getType());
  auto bType = dyn_cast<MemRefType>(gemm.b.getType());
  auto cType = dyn_cast<MemRefType>(gemm.c.getType());
  int64_t rank = gemm.batched ? 3 : 2;
  if (!aType || !bType || !cType || !aType.hasStaticShape() ||
      !bType.hasStaticShape() || !cType.hasStaticShape() ||
      aType.getRank() != rank || bType.getRank() != rank ||
      cType.getRank() != rank)
    return std::nullopt;
  gemm.aElem = aType.getElementType();
  gemm.bElem = bType.getElementType();
  gemm.cElem = cType.getElementType();

  // Indexing maps: A (b?, m, k), B (b?, k, n) or (b?, n, k), C (b?, m, n).
  MLIRContext *context = op.getContext();
  unsigned off = gemm.batched ? 1 : 0;
  auto map = [&](unsigned row, unsigned col) {
    SmallVector<AffineExpr> exprs;
    if (gemm.batched)
      exprs.push_back(getAffineDimExpr(dims->batch[0], context));
    exprs.push_back(getAffineDimExpr(row, context));
    exprs.push_back(getAffineDimExpr(col, context));
    return AffineMap::get(op.getNumLoops(), 0, exprs, context);
  };
  unsigned m = dims->m[0], n = dims->n[0], k = dims->k[0];
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (maps.size() != 3 || maps[0] != map(m, k) || maps[2] != map(m, n))
    return std::nullopt;
  if (maps[1] == map(k, n))
    gemm.transposeB = false;
  else if (maps[1] == map(n, k))
    gemm.transposeB = true;
  else
    return std::nullopt;

  ArrayRef<int64_t> a = aType.getShape(), b = bType.getShape(),
                    c = cType.getShape();
  gemm.batch = gemm.batched ? c[0] : 1;
  gemm.m = c[off];
  gemm.n = c[off + 1];
  gemm.k = a[off + 1];
  int64_t bk = gemm.transposeB ? b[off + 1] : b[off];
  int64_t bn = gemm.transposeB ? b[off] : b[off + 1];
  if (a[off] != gemm.m || bk != gemm.k || bn != gemm.n ||
      (gemm.batched && (a[0] != gemm.batch || b[0] != gemm.batch)))
    return std::nullopt;
  if (gemm.m == 0 || gemm.n == 0 || gemm.k == 0)
    return std::nullopt;

  if (auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode()))
    if (fill.hasPureBufferSemantics() && fill.getOutputs().size() == 1 &&
        fill.getOutputs()[0] == gemm.c &&
        matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
      gemm.zeroFill = fill;
  return gemm;
}

std::string GemmMatch::describeShape() const {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << op->getName().getStringRef() << " ";
  if (batched)
    os << batch << "x";
  os << m << "x" << n << "x" << k << (batched ? " (BxMxNxK)" : " (MxNxK)");
  return text;
}

memref::GlobalOp createSharedBuffer(ModuleOp module, StringRef name,
                                   MemRefType type) {
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto global = memref::GlobalOp::create(
      b, module.getLoc(), name, b.getStringAttr("private"), type,
      /*initial_value=*/Attribute(), /*constant=*/false,
      b.getI64IntegerAttr(16));
  SymbolTable(module).insert(global); // uniques the name if needed
  return global;
}

bool hasAlignedRows(Value memref, int64_t bytes) {
  auto type = cast<MemRefType>(memref.getType());
  int64_t elementBytes = type.getElementTypeBitWidth() / 8;
  return type.getLayout().isIdentity() && elementBytes > 0 &&
         (type.getShape().back() * elementBytes) % bytes == 0;
}

GemmLaunch createGemmLaunch(const GemmMatch &gemm, int64_t bm, int64_t bn,
                            int64_t threads, memref::GlobalOp aShared,
                            memref::GlobalOp bShared) {
  Operation *op = linalg::LinalgOp(gemm.op).getOperation();
  OpBuilder b(op);
  Location loc = op->getLoc();
  auto constant = [&](int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value).getResult();
  };
  Value one = constant(1);
  auto launch = gpu::LaunchOp::create(
      b, loc, constant((gemm.n + bn - 1) / bn), constant((gemm.m + bm - 1) / bm),
      constant(gemm.batch), constant(threads), one, one);
  b.setInsertionPointToStart(&launch.getBody().front());
  Value smemA = memref::GetGlobalOp::create(b, loc, aShared.getType(),
                                            aShared.getSymName());
  Value smemB = memref::GetGlobalOp::create(b, loc, bShared.getType(),
                                            bShared.getSymName());
  Operation *terminator = gpu::TerminatorOp::create(b, loc);
  return {launch, smemA, smemB, terminator};
}

} // namespace mlir::autoglm
