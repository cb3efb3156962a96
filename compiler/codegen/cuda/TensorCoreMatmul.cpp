//===- TensorCoreMatmul.cpp - GEMMs with 16-bit operands on tensor cores --===//
//
// The kernel, for C[b] (+)= A[b] * B[b] with A: M x K (f32, bf16 or f16),
// B: K x N or N x K (bf16 or f16), C: M x N f32 (or B's type: the f32 sums
// are rounded once when stored), all static:
//
//   grid  (ceil(N / BN), ceil(M / BM), batch), block 128 threads = 4 warps
//   A's BM x BK and B's BK x BN tiles (BK = 32) go through shared memory as
//   16-bit values, in two stages (rows padded by 8 elements: the 8 row
//   addresses of an ldmatrix fall into distinct 16-byte bank groups). A
//   16-bit operand whose rows are whole 16-byte chunks is copied with
//   cp.async (16 bytes, zero fill past the edges); an f32 A is loaded into
//   registers, rounded to the 16-bit type (round to nearest even, as the
//   CPU's microkernel rounds activations) and stored, four elements at a
//   time where its rows are whole 16-byte chunks. Out-of-range rows /
//   columns (and K tiles past the end) become zeros.
//   prologue: tile 0 into stage 0.
//   for each K tile kt (stage kt % 2):
//     issue tile kt + 1 into the other stage (cp.async; register loads);
//     wait for tile kt's copies (cp.async.wait_group 1); barrier;
//     each warp computes its WM x WN sub-tile with ldmatrix and mma.sync
//     m16n8k16 (two k16 steps); store tile kt + 1's registers to the other
//     stage; barrier.
//   epilogue: each thread stores its f32 accumulators, guarded by M and N.
//
// Fragment layouts (PTX ISA, "Matrix Fragments for mma.m16n8k16 with
// floating point type"; lane = thread id in the warp, g = lane / 4,
// t = lane % 4):
//   A (16 x 16, row): a0,a1: (row g,   col 2t, 2t+1)   a2,a3: (row g+8, col 2t, 2t+1)
//                     a4,a5: (row g,   col 2t+8, 2t+9) a6,a7: (row g+8, col 2t+8, 2t+9)
//     i.e. registers r0..r3 (two 16-bit values each) are the 8x8 blocks
//     (rows 0-7, k 0-7), (rows 8-15, k 0-7), (rows 0-7, k 8-15),
//     (rows 8-15, k 8-15), thread g*4+t holding row g, cols 2t, 2t+1 of
//     each: exactly what ldmatrix.x4 returns for matrices 0..3 when lane l
//     gives the address of row (l % 16), col (l / 16) * 8 of the 16 x 16
//     tile (lanes 8j..8j+7 address the rows of matrix j).
//   B (16 x 8, col): b0,b1: (k 2t, 2t+1; col n = g)  b2,b3: (k 2t+8, 2t+9; n = g)
//     Shared B stored k-major ([k][n]): ldmatrix.x4.trans, lane l addresses
//     row k = l % 16, col n = (l / 16) * 8: .trans hands thread g*4+t the
//     elements (k 2t, 2t+1; n g) of each 8x8 matrix, so r0, r1 are b0..b3 of
//     the n8 tile at n and r2, r3 those of the tile at n + 8.
//     Shared B stored n-major ([n][k], a transposed B): ldmatrix.x4 without
//     .trans, lane l addresses row n = l % 8 + (l / 16) * 8,
//     col k = ((l / 8) % 2) * 8: the same r0..r3.
//   C / D (16 x 8, f32): c0,c1: (row g, col 2t, 2t+1)  c2,c3: (row g+8, col 2t, 2t+1)
//
// bf16 fragments are passed to nvvm.mma.sync as i32 (two bf16 each), f16
// fragments as vector<2xf16> (nvgpu.mma.sync does not lower bf16 in LLVM
// 22, so the NVVM op is used directly for both).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cuda/TensorCoreMatmul.h"
#include "compiler/codegen/cuda/GemmMatch.h"
#include "compiler/codegen/cuda/IndexArith.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace mlir::autoglm {

namespace {

/// Threads per block: 4 warps.
constexpr int64_t kWarps = 4;
constexpr int64_t kThreads = 32 * kWarps;
/// Shared-memory rows are padded by this many 16-bit elements (16 bytes).
constexpr int64_t kPad = 8;

/// Block tile BM x BN x BK, split into warpsM x warpsN warp tiles.
struct TileConfig {
  int64_t bm, bn, bk;
  int64_t warpsM, warpsN;
  int64_t wm() const { return bm / warpsM; }
  int64_t wn() const { return bn / warpsN; }
  int64_t mTiles() const { return wm() / 16; } // m16 tiles per warp
  int64_t nTiles() const { return wn() / 8; }  // n8 tiles per warp (even)
};

/// Small M (an LLM's decode, a short sequence) takes smaller block tiles.
TileConfig chooseTiles(int64_t m) {
  if (m <= 16)
    return {16, 64, 32, 1, 4}; // warp tile 16 x 16
  if (m <= 32)
    return {32, 64, 32, 2, 2}; // warp tile 16 x 32
  return {64, 64, 32, 2, 2};   // warp tile 32 x 32
}

/// A GEMM the kernel handles.
struct Gemm : GemmMatch {
  Type compute; // bf16 or f16: the multiplicands' type on the tensor cores
};

bool isF16OrBF16(Type type) { return type.isF16() || type.isBF16(); }

/// The GEMM of `op` if the tensor-core kernel takes it: B bf16 or f16, A
/// and C f32 or B's type.
std::optional<Gemm> matchTensorCoreGemm(linalg::LinalgOp op) {
  std::optional<GemmMatch> match = matchGemm(op);
  if (!match || !isF16OrBF16(match->bElem) ||
      !(match->aElem.isF32() || match->aElem == match->bElem) ||
      !(match->cElem.isF32() || match->cElem == match->bElem))
    return std::nullopt;
  Gemm gemm;
  static_cast<GemmMatch &>(gemm) = *match;
  gemm.compute = match->bElem;
  return gemm;
}

/// Whether a 16-bit `memref` can be staged with 16-byte cp.async: rows of
/// whole 16-byte chunks, row-major and contiguous from the buffer's start
/// (the buffers themselves are at least 16-byte aligned).
bool canCopyAsync(Value memref) {
  return isF16OrBF16(cast<MemRefType>(memref.getType()).getElementType()) &&
         hasAlignedRows(memref, 16);
}

/// Whether an f32 `memref` can be loaded four elements (16 bytes) at a
/// time: rows of whole 16-byte chunks, row-major and contiguous from the
/// buffer's start.
bool canLoadF32x4(Value memref) {
  return cast<MemRefType>(memref.getType()).getElementType().isF32() &&
         hasAlignedRows(memref, 16);
}

/// Builds the kernel body; `b` is inside the launch.
class KernelBuilder : IndexArith {
public:
  KernelBuilder(OpBuilder &b, Location loc, const Gemm &gemm,
                const TileConfig &tiles, gpu::LaunchOp launch, Value smemA,
                Value smemB)
      : IndexArith{b, loc}, gemm(gemm), tiles(tiles), launch(launch),
        smemA(smemA), smemB(smemB) {}

  void build();

private:
  /// Indices into a global operand: the batch index first where batched.
  SmallVector<Value> globalIndices(Value row, Value col) {
    SmallVector<Value> indices;
    if (gemm.batched)
      indices.push_back(batchIdx);
    indices.push_back(row);
    indices.push_back(col);
    return indices;
  }

  /// How an operand's tiles get to shared memory.
  enum class Staging { Async, F32x4, Scalar };
  /// A or B: the tileRows x tileCols tiles of the rows x cols matrix
  /// `global`, K along the columns (A, a transposed B) or the rows (B);
  /// `fixed` is the block's offset along the other dimension. `smem` holds
  /// two stages: [2][tileRows][tileCols + pad].
  struct Operand {
    Value global, smem;
    int64_t tileRows, tileCols, rows, cols;
    bool kAlongCols;
    Value fixed;
    Staging staging;
  };
  /// A value loaded into registers, bound for shared memory at (row, col).
  struct Staged {
    Value value, row, col;
  };
  Operand operand(Value global, Value smem, int64_t tileRows,
                  int64_t tileCols, int64_t rows, int64_t cols,
                  bool kAlongCols, Value fixed);
  /// The K tile at k0 of `op` (zeros outside the matrix, so also for k0
  /// past K): cp.async copies into `stage` (Async), or loads into registers
  /// rounded to the compute type (the others), to be stored by
  /// storeStaged.
  void issueCopies(const Operand &op, Value k0, Value stage,
                   SmallVectorImpl<Value> &tokens);
  SmallVector<Staged> loadStaged(const Operand &op, Value k0);
  void storeStaged(const Operand &op, ArrayRef<Staged> staged, Value stage);
  SmallVector<Value> mma(ValueRange a, ValueRange bFrag, ValueRange c);

  const Gemm &gemm;
  const TileConfig &tiles;
  gpu::LaunchOp launch;
  Value smemA, smemB;
  Value tid, lane, batchIdx;
};

KernelBuilder::Operand
KernelBuilder::operand(Value global, Value smem, int64_t tileRows,
                       int64_t tileCols, int64_t rows, int64_t cols,
                       bool kAlongCols, Value fixed) {
  Operand op{global, smem, tileRows, tileCols, rows, cols, kAlongCols,
             fixed, Staging::Scalar};
  if (canCopyAsync(global) && (tileRows * tileCols / 8) % kThreads == 0)
    op.staging = Staging::Async;
  else if (canLoadF32x4(global) && (tileRows * tileCols / 4) % kThreads == 0)
    op.staging = Staging::F32x4;
  return op;
}

// Thread `tid` takes units (16-byte chunks, four or one element) tid,
// tid + 128, ... of a tile, row by row: consecutive threads read
// consecutive columns (coalesced). Out-of-range units are clamped to a valid
// address and read as zeros.

void KernelBuilder::issueCopies(const Operand &op, Value k0, Value stage,
                                SmallVectorImpl<Value> &tokens) {
  if (op.staging != Staging::Async)
    return;
  Value row0 = op.kAlongCols ? op.fixed : k0;
  Value col0 = op.kAlongCols ? k0 : op.fixed;
  int64_t perRow = op.tileCols / 8;
  for (int64_t i = 0; i < op.tileRows * perRow / kThreads; ++i) {
    Value chunk = add(tid, i * kThreads);
    Value row = div(chunk, perRow), col = mul(rem(chunk, perRow), 8);
    Value globalRow = add(row0, row), globalCol = add(col0, col);
    // cols % 8 == 0: a chunk is wholly inside the matrix or wholly out (then
    // zero bytes of it are read: cp.async fills the 16 bytes with zeros).
    Value inside =
        both(lessThan(globalRow, op.rows), lessThan(globalCol, op.cols));
    Value srcElements = arith::SelectOp::create(b, loc, inside, cst(8),
                                                cst(0));
    tokens.push_back(nvgpu::DeviceAsyncCopyOp::create(
        b, loc, op.smem, ValueRange{stage, row, col}, op.global,
        globalIndices(minIdx(globalRow, op.rows - 1),
                      minIdx(globalCol, op.cols - 8)),
        b.getIndexAttr(8), srcElements, b.getUnitAttr()));
  }
}

SmallVector<KernelBuilder::Staged>
KernelBuilder::loadStaged(const Operand &op, Value k0) {
  SmallVector<Staged> staged;
  if (op.staging == Staging::Async)
    return staged;
  Value row0 = op.kAlongCols ? op.fixed : k0;
  Value col0 = op.kAlongCols ? k0 : op.fixed;
  Type elementType = cast<MemRefType>(op.global.getType()).getElementType();
  // An f32 operand: 16-byte loads of four elements (cols % 4 == 0: wholly
  // inside the matrix or wholly out), rounded to the compute type.
  int64_t width = op.staging == Staging::F32x4 ? 4 : 1;
  auto loadType = VectorType::get({width}, elementType);
  Value zero =
      width == 4
          ? arith::ConstantOp::create(b, loc, loadType,
                                      b.getZeroAttr(loadType))
                .getResult()
          : arith::ConstantOp::create(b, loc, elementType,
                                      b.getZeroAttr(elementType))
                .getResult();
  int64_t perRow = op.tileCols / width;
  for (int64_t i = 0; i < op.tileRows * perRow / kThreads; ++i) {
    Value unit = add(tid, i * kThreads);
    Value row = div(unit, perRow), col = mul(rem(unit, perRow), width);
    Value globalRow = add(row0, row), globalCol = add(col0, col);
    Value inside =
        both(lessThan(globalRow, op.rows), lessThan(globalCol, op.cols));
    SmallVector<Value> at = globalIndices(minIdx(globalRow, op.rows - 1),
                                          minIdx(globalCol, op.cols - width));
    Value value =
        width == 4
            ? vector::LoadOp::create(b, loc, loadType, op.global, at,
                                     /*nontemporal=*/false,
                                     llvm::MaybeAlign(16))
                  .getResult()
            : memref::LoadOp::create(b, loc, op.global, at).getResult();
    value = arith::SelectOp::create(b, loc, inside, value, zero);
    if (elementType != gemm.compute)
      value = arith::TruncFOp::create(
          b, loc,
          width == 4 ? Type(VectorType::get({4}, gemm.compute))
                     : gemm.compute,
          value);
    staged.push_back({value, row, col});
  }
  return staged;
}

void KernelBuilder::storeStaged(const Operand &op, ArrayRef<Staged> staged,
                                Value stage) {
  for (const Staged &unit : staged) {
    ValueRange at{stage, unit.row, unit.col};
    if (isa<VectorType>(unit.value.getType()))
      vector::StoreOp::create(b, loc, unit.value, op.smem, at,
                              /*nontemporal=*/false, llvm::MaybeAlign(8));
    else
      memref::StoreOp::create(b, loc, unit.value, op.smem, at);
  }
}

/// One mma.sync m16n8k16: `a` four and `bFrag` two vector<2xT> registers,
/// `c` four f32; returns the four f32 of D.
SmallVector<Value> KernelBuilder::mma(ValueRange a, ValueRange bFrag,
                                      ValueRange c) {
  MLIRContext *context = b.getContext();
  bool bf16 = gemm.compute.isBF16();
  auto mmaOperand = [&](Value v) -> Value {
    // bf16 pairs travel as i32 (the NVVM op's bf16 operand type).
    return bf16 ? LLVM::BitcastOp::create(b, loc, b.getI32Type(), v)
                      .getResult()
                : v;
  };
  SmallVector<Value> aOps, bOps;
  for (Value v : a)
    aOps.push_back(mmaOperand(v));
  for (Value v : bFrag)
    bOps.push_back(mmaOperand(v));
  Type f32 = b.getF32Type();
  auto resultType =
      LLVM::LLVMStructType::getLiteral(context, {f32, f32, f32, f32});
  NVVM::MMATypes type = bf16 ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
  auto op = NVVM::MmaOp::create(
      b, loc, resultType, aOps, bOps, c, /*shape=*/{16, 8, 16},
      /*b1Op=*/std::nullopt, /*intOverflow=*/std::nullopt,
      std::array<NVVM::MMATypes, 2>{type, type},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  SmallVector<Value> d;
  for (int64_t i = 0; i < 4; ++i)
    d.push_back(LLVM::ExtractValueOp::create(b, loc, op.getResult(), i));
  return d;
}

void KernelBuilder::build() {
  const int64_t mT = tiles.mTiles(), nT = tiles.nTiles();
  tid = launch.getThreadIds().x;
  lane = rem(tid, 32);
  Value warp = div(tid, 32);
  Value warpM = div(warp, tiles.warpsN), warpN = rem(warp, tiles.warpsN);
  gpu::KernelDim3 blocks = launch.getBlockIds();
  batchIdx = blocks.z;
  Value blockRow = mul(blocks.y, tiles.bm), blockCol = mul(blocks.x, tiles.bn);
  Value warpRow = mul(warpM, tiles.wm()), warpCol = mul(warpN, tiles.wn());
  Value laneGroup = div(lane, 4), laneInGroup = rem(lane, 4);
  Type f32 = b.getF32Type();
  Type cElem = gemm.cElem;

  // The position of accumulator `i` of tile (mt, nt) in C (the C fragment
  // layout: rows g and g + 8, columns 2t and 2t + 1).
  auto accRow = [&](int64_t mt, int64_t i) {
    return add(add(blockRow, warpRow), add(laneGroup, mt * 16 + (i / 2) * 8));
  };
  auto accCol = [&](int64_t nt, int64_t i) {
    return add(add(blockCol, warpCol),
               add(mul(laneInGroup, 2), nt * 8 + (i % 2)));
  };

  // Initial accumulators: zero, or C where no zero fill precedes.
  SmallVector<Value> init;
  Value zero = arith::ConstantOp::create(b, loc, f32, b.getF32FloatAttr(0));
  for (int64_t mt = 0; mt < mT; ++mt)
    for (int64_t nt = 0; nt < nT; ++nt)
      for (int64_t i = 0; i < 4; ++i) {
        if (gemm.zeroFill) {
          init.push_back(zero);
          continue;
        }
        Value row = accRow(mt, i), col = accCol(nt, i);
        Value inside = both(lessThan(row, gemm.m), lessThan(col, gemm.n));
        Value value = memref::LoadOp::create(
            b, loc, gemm.c,
            globalIndices(minIdx(row, gemm.m - 1), minIdx(col, gemm.n - 1)));
        if (!value.getType().isF32())
          value = arith::ExtFOp::create(b, loc, f32, value);
        init.push_back(arith::SelectOp::create(b, loc, inside, value, zero));
      }

  // Lane-dependent shared-memory addresses of the ldmatrix loads (see the
  // fragment layouts above).
  Value aLdRow = add(warpRow, rem(lane, 16));
  Value aLdCol = mul(div(lane, 16), 8);
  Value bLdRow, bLdCol;
  if (!gemm.transposeB) { // [k][n], .trans
    bLdRow = rem(lane, 16);
    bLdCol = add(warpCol, mul(div(lane, 16), 8));
  } else { // [n][k]
    bLdRow = add(warpCol, add(rem(lane, 8), mul(div(lane, 16), 8)));
    bLdCol = mul(rem(div(lane, 8), 2), 8);
  }

  Operand a = operand(gemm.a, smemA, tiles.bm, tiles.bk, gemm.m, gemm.k,
                      /*kAlongCols=*/true, blockRow);
  Operand bOp = !gemm.transposeB
                    ? operand(gemm.b, smemB, tiles.bk, tiles.bn, gemm.k,
                              gemm.n, /*kAlongCols=*/false, blockCol)
                    : operand(gemm.b, smemB, tiles.bn, tiles.bk, gemm.n,
                              gemm.k, /*kAlongCols=*/true, blockCol);
  bool async = a.staging == Staging::Async || bOp.staging == Staging::Async;
  auto commit = [&](ArrayRef<Value> tokens) -> Value {
    return nvgpu::DeviceAsyncCreateGroupOp::create(
        b, loc, nvgpu::DeviceAsyncTokenType::get(b.getContext()), tokens);
  };

  // Two shared-memory stages: K tile kt + 1 is copied (cp.async) or loaded
  // into registers while tile kt is multiplied from the other stage.
  // Prologue: tile 0 into stage 0.
  Value firstGroup;
  {
    SmallVector<Value> tokens;
    issueCopies(a, cst(0), cst(0), tokens);
    issueCopies(bOp, cst(0), cst(0), tokens);
    if (async)
      firstGroup = commit(tokens);
    SmallVector<Staged> stagedA = loadStaged(a, cst(0));
    SmallVector<Staged> stagedB = loadStaged(bOp, cst(0));
    storeStaged(a, stagedA, cst(0));
    storeStaged(bOp, stagedB, cst(0));
  }
  int64_t kTiles = (gemm.k + tiles.bk - 1) / tiles.bk;
  auto loop = scf::ForOp::create(b, loc, cst(0), cst(kTiles), cst(1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kt = loop.getInductionVar();
    Value stage = rem(kt, 2), nextStage = rem(add(kt, 1), 2);
    // Past the last tile, k0 >= K: the copies and loads are all zeros.
    Value nextK0 = mul(add(kt, 1), tiles.bk);
    SmallVector<Value> acc(loop.getRegionIterArgs().begin(),
                           loop.getRegionIterArgs().end());

    // 1. Tile kt + 1: cp.async into the other stage (free since the barrier
    //    that ended the previous iteration), loads into registers.
    SmallVector<Value> tokens;
    issueCopies(a, nextK0, nextStage, tokens);
    issueCopies(bOp, nextK0, nextStage, tokens);
    SmallVector<Staged> stagedA = loadStaged(a, nextK0);
    SmallVector<Staged> stagedB = loadStaged(bOp, nextK0);
    // 2. Tile kt's copies done (all groups but the one just committed),
    //    and every thread's stores and copies of it visible.
    if (async) {
      Value group = commit(tokens);
      nvgpu::DeviceAsyncWaitOp::create(b, loc, group, b.getI32IntegerAttr(1));
    }
    gpu::BarrierOp::create(b, loc);

    Type quad = VectorType::get({4, 2}, gemm.compute);
    auto split = [&](Value fragment, SmallVectorImpl<Value> &out) {
      for (int64_t r = 0; r < 4; ++r)
        out.push_back(
            vector::ExtractOp::create(b, loc, fragment, ArrayRef<int64_t>{r}));
    };
    // 3. Tile kt from this stage.
    for (int64_t kk = 0; kk < tiles.bk; kk += 16) {
      // A: mT fragments of four registers.
      SmallVector<SmallVector<Value>> aFrags(mT);
      for (int64_t mt = 0; mt < mT; ++mt) {
        Value fragment = nvgpu::LdMatrixOp::create(
            b, loc, quad, smemA,
            ValueRange{stage, add(aLdRow, mt * 16), add(aLdCol, kk)},
            /*transpose=*/false, /*numTiles=*/4);
        split(fragment, aFrags[mt]);
      }
      // B: one ldmatrix.x4 per pair of n8 tiles.
      SmallVector<SmallVector<Value>> bFrags(nT);
      for (int64_t np = 0; np < nT / 2; ++np) {
        SmallVector<Value> indices =
            !gemm.transposeB
                ? SmallVector<Value>{stage, add(bLdRow, kk),
                                     add(bLdCol, np * 16)}
                : SmallVector<Value>{stage, add(bLdRow, np * 16),
                                     add(bLdCol, kk)};
        Value fragment = nvgpu::LdMatrixOp::create(
            b, loc, quad, smemB, indices,
            /*transpose=*/!gemm.transposeB, /*numTiles=*/4);
        SmallVector<Value> regs;
        split(fragment, regs);
        bFrags[2 * np] = {regs[0], regs[1]};
        bFrags[2 * np + 1] = {regs[2], regs[3]};
      }
      for (int64_t mt = 0; mt < mT; ++mt)
        for (int64_t nt = 0; nt < nT; ++nt) {
          int64_t base = (mt * nT + nt) * 4;
          SmallVector<Value> d =
              mma(aFrags[mt], bFrags[nt],
                  ArrayRef<Value>(acc).slice(base, 4));
          for (int64_t i = 0; i < 4; ++i)
            acc[base + i] = d[i];
        }
    }
    // 4. Tile kt + 1's registers to the other stage; the barrier keeps the
    //    next iteration's copies out of this stage until every warp is done
    //    with it.
    storeStaged(a, stagedA, nextStage);
    storeStaged(bOp, stagedB, nextStage);
    gpu::BarrierOp::create(b, loc);
    scf::YieldOp::create(b, loc, acc);
  }

  // The last iteration's copies (zeros past K) are not read; no thread
  // leaves with a copy in flight.
  if (async)
    nvgpu::DeviceAsyncWaitOp::create(b, loc, firstGroup,
                                     b.getI32IntegerAttr(0));

  // Epilogue: the f32 accumulators to C, inside M x N.
  for (int64_t mt = 0; mt < mT; ++mt)
    for (int64_t nt = 0; nt < nT; ++nt)
      for (int64_t i = 0; i < 4; ++i) {
        Value row = accRow(mt, i), col = accCol(nt, i);
        Value inside = both(lessThan(row, gemm.m), lessThan(col, gemm.n));
        auto ifOp = scf::IfOp::create(b, loc, inside, /*withElse=*/false);
        OpBuilder then = ifOp.getThenBodyBuilder();
        Value value = loop.getResult((mt * nT + nt) * 4 + i);
        if (cElem != f32) // a 16-bit C: the f32 sum rounded once
          value = arith::TruncFOp::create(then, loc, cElem, value);
        memref::StoreOp::create(then, loc, value, gemm.c,
                                globalIndices(row, col));
      }
}

std::string describe(const Gemm &gemm, const TileConfig &tiles,
                     StringRef stagingA, StringRef stagingB) {
  std::string text;
  llvm::raw_string_ostream os(text);
  auto typeName = [](Type type) {
    return type.isBF16() ? "bf16" : type.isF16() ? "f16" : "f32";
  };
  Type aElem = gemm.aElem;
  os << "tensor cores: " << gemm.describeShape() << " A " << typeName(aElem) << (aElem != gemm.compute ? " rounded to " : "")
     << (aElem != gemm.compute ? typeName(gemm.compute) : "") << ", B "
     << typeName(gemm.compute) << (gemm.transposeB ? " NxK" : " KxN")
     << ", C " << typeName(gemm.cElem)
     << ", f32 accumulators; mma.sync m16n8k16, block tile " << tiles.bm
     << "x" << tiles.bn << "x" << tiles.bk << ", " << kWarps
     << " warps of " << tiles.wm() << "x" << tiles.wn()
     << "; 2 stages, A by " << stagingA << ", B by " << stagingB;
  return text;
}

} // namespace

void mapGemmsToTensorCores(func::FuncOp kernel,
                           std::vector<std::string> &report) {
  SmallVector<Gemm> gemms;
  kernel.walk([&](linalg::LinalgOp op) {
    if (op->getParentOp() != kernel) // the launch must be top-level
      return;
    std::optional<Gemm> gemm = matchTensorCoreGemm(op);
    if (!gemm)
      return;
    TileConfig tiles = chooseTiles(gemm->m);
    if (fitsGrid((gemm->n + tiles.bn - 1) / tiles.bn,
                 (gemm->m + tiles.bm - 1) / tiles.bm, gemm->batch))
      gemms.push_back(*gemm);
  });
  if (gemms.empty())
    return;
  auto module = kernel->getParentOfType<ModuleOp>();
  MLIRContext *context = kernel.getContext();
  context->loadDialect<gpu::GPUDialect, nvgpu::NVGPUDialect,
                       vector::VectorDialect, LLVM::LLVMDialect,
                       NVVM::NVVMDialect>();
  Attribute workgroup =
      gpu::AddressSpaceAttr::get(context, gpu::AddressSpace::Workgroup);
  unsigned index = 0;
  for (Gemm &gemm : gemms) {
    TileConfig tiles = chooseTiles(gemm.m);
    Location loc = gemm.op.getLoc();
    std::string prefix =
        (kernel.getSymName() + "_tc" + std::to_string(index++)).str();
    auto aShared = MemRefType::get({2, tiles.bm, tiles.bk + kPad},
                                   gemm.compute, AffineMap(), workgroup);
    auto bShared =
        gemm.transposeB
            ? MemRefType::get({2, tiles.bn, tiles.bk + kPad}, gemm.compute,
                              AffineMap(), workgroup)
            : MemRefType::get({2, tiles.bk, tiles.bn + kPad}, gemm.compute,
                              AffineMap(), workgroup);
    memref::GlobalOp aGlobal =
        createSharedBuffer(module, prefix + "_smem_a", aShared);
    memref::GlobalOp bGlobal =
        createSharedBuffer(module, prefix + "_smem_b", bShared);

    GemmLaunch kernel =
        createGemmLaunch(gemm, tiles.bm, tiles.bn, kThreads, aGlobal, bGlobal);
    auto launch = kernel.launch;
    {
      OpBuilder b(kernel.terminator);
      KernelBuilder(b, loc, gemm, tiles, launch, kernel.smemA, kernel.smemB)
          .build();
    }
    auto staging = [&](Value operand, int64_t elements) -> std::string {
      if (canCopyAsync(operand) && (elements / 8) % kThreads == 0)
        return "cp.async";
      if (canLoadF32x4(operand) && (elements / 4) % kThreads == 0)
        return "ld.v4.f32";
      return "ld/st";
    };
    report.push_back(describe(gemm, tiles,
                              staging(gemm.a, tiles.bm * tiles.bk),
                              staging(gemm.b, tiles.bk * tiles.bn)));
    if (gemm.zeroFill)
      gemm.zeroFill->erase();
    gemm.op->erase();
  }
}

} // namespace mlir::autoglm
