//===- SimtMatmul.cpp - f32 GEMMs in shared-memory tiles ------------------===//
//
// The kernel, for C[b] (+)= A[b] * B[b], all f32 and static:
//
//   grid (ceil(N / 64), ceil(M / BM), batch), block 256 threads, thread
//   (tx, ty) = (tid % 16, tid / 16) owns rows ty + 16 i (i < BM / 16) and
//   columns tx + 16 j (j < 4) of the block tile.
//   for each K tile of 16:
//     stage A's BM x 16 and B's 16 x 64 tile (a transposed B's 64 x 16,
//       rows padded to 17 so that a column read hits 16 banks) in shared
//       memory; zeros outside the matrices. Rows of whole 16-byte chunks are
//       loaded and stored four elements at a time; consecutive threads take
//       consecutive columns (coalesced).
//     barrier; for k in the tile: acc[i][j] += A[ty + 16 i][k] * B[k][tx + 16 j]
//       (A: two rows per warp, broadcast; B: 16 consecutive words); barrier.
//   epilogue: acc to C inside M x N (16 consecutive columns per half warp).
//
// The products and the order of the additions (K ascending from C's initial
// value) are those of the loop-nest path.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cuda/SimtMatmul.h"
#include "compiler/codegen/cuda/GemmMatch.h"
#include "compiler/codegen/cuda/IndexArith.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir::autoglm {

namespace {

constexpr int64_t kThreads = 256;
constexpr int64_t kThreadsX = 16; // tx: columns, ty: rows
constexpr int64_t kBN = 64, kBK = 16, kTN = kBN / kThreadsX;

/// Block rows: fewer for small M (an LLM's decode, short sequences).
int64_t chooseBlockRows(int64_t m) { return m <= 16 ? 16 : m <= 32 ? 32 : 64; }

bool isF32Gemm(const GemmMatch &gemm) {
  return gemm.aElem.isF32() && gemm.bElem.isF32() && gemm.cElem.isF32();
}

class SimtBuilder : IndexArith {
public:
  SimtBuilder(OpBuilder &b, Location loc, const GemmMatch &gemm, int64_t bm,
              gpu::LaunchOp launch, Value smemA, Value smemB)
      : IndexArith{b, loc}, gemm(gemm), bm(bm), launch(launch), smemA(smemA),
        smemB(smemB) {}

  void build();

private:
  SmallVector<Value> globalIndices(Value row, Value col) {
    SmallVector<Value> indices;
    if (gemm.batched)
      indices.push_back(launch.getBlockIds().z);
    indices.push_back(row);
    indices.push_back(col);
    return indices;
  }
  void stage(Value global, Value row0, Value col0, int64_t tileRows,
             int64_t tileCols, int64_t rows, int64_t cols, Value smem);

  const GemmMatch &gemm;
  int64_t bm;
  gpu::LaunchOp launch;
  Value smemA, smemB;
  Value tid;
};

/// Copies the tileRows x tileCols tile at (row0, col0) of the rows x cols
/// matrix `global` to `smem` (zeros outside the matrix): units (elements,
/// or four elements where rows allow) tid, tid + 256, ...
void SimtBuilder::stage(Value global, Value row0, Value col0,
                        int64_t tileRows, int64_t tileCols, int64_t rows,
                        int64_t cols, Value smem) {
  auto smemType = cast<MemRefType>(smem.getType());
  bool quads = hasAlignedRows(global, 16) && tileCols % 4 == 0 &&
               smemType.getShape().back() == tileCols;
  int64_t width = quads ? 4 : 1;
  int64_t perRow = tileCols / width;
  int64_t units = tileRows * perRow;
  Type f32 = b.getF32Type();
  auto vectorType = VectorType::get({width}, f32);
  for (int64_t i = 0; i * kThreads < units; ++i) {
    OpBuilder::InsertionGuard guard(b);
    Value unit = add(tid, i * kThreads);
    if ((i + 1) * kThreads > units) {
      auto ifOp = scf::IfOp::create(b, loc, lessThan(unit, units),
                                    /*withElse=*/false);
      b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
    }
    Value row = div(unit, perRow), col = mul(rem(unit, perRow), width);
    Value globalRow = add(row0, row), globalCol = add(col0, col);
    Value inside = both(lessThan(globalRow, rows), lessThan(globalCol, cols));
    SmallVector<Value> at = globalIndices(minIdx(globalRow, rows - 1),
                                          minIdx(globalCol, cols - width));
    if (quads) {
      Value value = vector::LoadOp::create(b, loc, vectorType, global, at,
                                           /*nontemporal=*/false,
                                           llvm::MaybeAlign(16));
      Value zeros = arith::ConstantOp::create(b, loc, vectorType,
                                              b.getZeroAttr(vectorType));
      value = arith::SelectOp::create(b, loc, inside, value, zeros);
      vector::StoreOp::create(b, loc, value, smem, ValueRange{row, col},
                              /*nontemporal=*/false, llvm::MaybeAlign(16));
    } else {
      Value value = memref::LoadOp::create(b, loc, global, at);
      Value zero = arith::ConstantOp::create(b, loc, f32, b.getZeroAttr(f32));
      value = arith::SelectOp::create(b, loc, inside, value, zero);
      memref::StoreOp::create(b, loc, value, smem, ValueRange{row, col});
    }
  }
}

void SimtBuilder::build() {
  const int64_t tm = bm / (kThreads / kThreadsX);
  tid = launch.getThreadIds().x;
  Value tx = rem(tid, kThreadsX), ty = div(tid, kThreadsX);
  gpu::KernelDim3 blocks = launch.getBlockIds();
  Value blockRow = mul(blocks.y, bm), blockCol = mul(blocks.x, kBN);
  Type f32 = b.getF32Type();
  Value zero = arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(0));

  // Thread-local rows ty + 16 i, columns tx + 16 j.
  auto localRow = [&](int64_t i) { return add(ty, i * 16); };
  auto localCol = [&](int64_t j) { return add(tx, j * kThreadsX); };
  auto rowOf = [&](int64_t i) { return add(blockRow, localRow(i)); };
  auto colOf = [&](int64_t j) { return add(blockCol, localCol(j)); };

  SmallVector<Value> init;
  for (int64_t i = 0; i < tm; ++i)
    for (int64_t j = 0; j < kTN; ++j) {
      if (gemm.zeroFill) {
        init.push_back(zero);
        continue;
      }
      Value row = rowOf(i), col = colOf(j);
      Value inside = both(lessThan(row, gemm.m), lessThan(col, gemm.n));
      Value value = memref::LoadOp::create(
          b, loc, gemm.c,
          globalIndices(minIdx(row, gemm.m - 1), minIdx(col, gemm.n - 1)));
      init.push_back(arith::SelectOp::create(b, loc, inside, value, zero));
    }

  int64_t kTiles = (gemm.k + kBK - 1) / kBK;
  auto loop = scf::ForOp::create(b, loc, cst(0), cst(kTiles), cst(1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value k0 = mul(loop.getInductionVar(), kBK);
    SmallVector<Value> acc(loop.getRegionIterArgs().begin(),
                           loop.getRegionIterArgs().end());
    stage(gemm.a, blockRow, k0, bm, kBK, gemm.m, gemm.k, smemA);
    if (!gemm.transposeB)
      stage(gemm.b, k0, blockCol, kBK, kBN, gemm.k, gemm.n, smemB);
    else
      stage(gemm.b, blockCol, k0, kBN, kBK, gemm.n, gemm.k, smemB);
    gpu::BarrierOp::create(b, loc);
    for (int64_t kk = 0; kk < kBK; ++kk) {
      Value k = cst(kk);
      SmallVector<Value> as, bs;
      for (int64_t i = 0; i < tm; ++i)
        as.push_back(memref::LoadOp::create(b, loc, smemA,
                                            ValueRange{localRow(i), k}));
      for (int64_t j = 0; j < kTN; ++j)
        bs.push_back(memref::LoadOp::create(
            b, loc, smemB,
            gemm.transposeB ? ValueRange{localCol(j), k}
                            : ValueRange{k, localCol(j)}));
      for (int64_t i = 0; i < tm; ++i)
        for (int64_t j = 0; j < kTN; ++j) {
          Value product = arith::MulFOp::create(b, loc, as[i], bs[j]);
          acc[i * kTN + j] =
              arith::AddFOp::create(b, loc, acc[i * kTN + j], product);
        }
    }
    // The next K tile overwrites the shared tiles.
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, acc);
  }

  for (int64_t i = 0; i < tm; ++i)
    for (int64_t j = 0; j < kTN; ++j) {
      Value row = rowOf(i), col = colOf(j);
      Value inside = both(lessThan(row, gemm.m), lessThan(col, gemm.n));
      auto ifOp = scf::IfOp::create(b, loc, inside, /*withElse=*/false);
      OpBuilder then = ifOp.getThenBodyBuilder();
      memref::StoreOp::create(then, loc, loop.getResult(i * kTN + j), gemm.c,
                              globalIndices(row, col));
    }
}

} // namespace

void mapGemmsToSharedMemoryTiles(func::FuncOp kernel,
                                 std::vector<std::string> &report) {
  SmallVector<GemmMatch> gemms;
  kernel.walk([&](linalg::LinalgOp op) {
    if (op->getParentOp() != kernel) // the launch must be top-level
      return;
    std::optional<GemmMatch> gemm = matchGemm(op);
    if (gemm && isF32Gemm(*gemm) &&
        fitsGrid((gemm->n + kBN - 1) / kBN,
                 (gemm->m + chooseBlockRows(gemm->m) - 1) /
                     chooseBlockRows(gemm->m),
                 gemm->batch))
      gemms.push_back(*gemm);
  });
  if (gemms.empty())
    return;
  auto module = kernel->getParentOfType<ModuleOp>();
  MLIRContext *context = kernel.getContext();
  context->loadDialect<gpu::GPUDialect, vector::VectorDialect>();
  Attribute workgroup =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  Type f32 = Float32Type::get(context);
  unsigned index = 0;
  for (GemmMatch &gemm : gemms) {
    int64_t bm = chooseBlockRows(gemm.m);
    Location loc = gemm.op.getLoc();
    std::string prefix =
        (kernel.getSymName() + "_simt" + std::to_string(index++)).str();
    auto aShared = MemRefType::get({bm, kBK}, f32, AffineMap(), workgroup);
    auto bShared =
        gemm.transposeB
            ? MemRefType::get({kBN, kBK + 1}, f32, AffineMap(), workgroup)
            : MemRefType::get({kBK, kBN}, f32, AffineMap(), workgroup);
    memref::GlobalOp aGlobal =
        createSharedBuffer(module, prefix + "_smem_a", aShared);
    memref::GlobalOp bGlobal =
        createSharedBuffer(module, prefix + "_smem_b", bShared);

    GemmLaunch kernel =
        createGemmLaunch(gemm, bm, kBN, kThreads, aGlobal, bGlobal);
    auto launch = kernel.launch;
    {
      OpBuilder b(kernel.terminator);
      SimtBuilder(b, loc, gemm, bm, launch, kernel.smemA, kernel.smemB)
          .build();
    }
    std::string line;
    llvm::raw_string_ostream os(line);
    os << "shared-memory tiles: " << gemm.describeShape() << " f32"
       << (gemm.transposeB ? ", B NxK" : ", B KxN") << ", block tile " << bm
       << "x" << kBN << "x" << kBK << ", " << kThreads
       << " threads of " << bm / 16 << "x" << kTN;
    report.push_back(line);
    if (gemm.zeroFill)
      gemm.zeroFill->erase();
    gemm.op->erase();
  }
}

} // namespace mlir::autoglm
