//===- BlockReductions.cpp - row reductions by whole thread blocks --------===//

#include "compiler/codegen/cuda/BlockReductions.h"
#include "compiler/codegen/cuda/SplitReductions.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::autoglm {

/// The gpu.all_reduce kind of a combiner op, if it has one.
static std::optional<gpu::AllReduceOperation> allReduceKind(Operation *op) {
  using K = gpu::AllReduceOperation;
  return llvm::TypeSwitch<Operation *, std::optional<K>>(op)
      .Case<arith::AddFOp, arith::AddIOp>([](auto) { return K::ADD; })
      .Case<arith::MulFOp, arith::MulIOp>([](auto) { return K::MUL; })
      .Case<arith::MaximumFOp>([](auto) { return K::MAXIMUMF; })
      .Case<arith::MinimumFOp>([](auto) { return K::MINIMUMF; })
      .Case<arith::MaxNumFOp>([](auto) { return K::MAXNUMF; })
      .Case<arith::MinNumFOp>([](auto) { return K::MINNUMF; })
      .Case<arith::MaxSIOp>([](auto) { return K::MAXSI; })
      .Case<arith::MinSIOp>([](auto) { return K::MINSI; })
      .Case<arith::MaxUIOp>([](auto) { return K::MAXUI; })
      .Case<arith::MinUIOp>([](auto) { return K::MINUI; })
      .Case<arith::AndIOp>([](auto) { return K::AND; })
      .Case<arith::OrIOp>([](auto) { return K::OR; })
      .Case<arith::XOrIOp>([](auto) { return K::XOR; })
      .Default([](Operation *) { return std::nullopt; });
}

/// The combiner of `op`'s body, `yield combine(x, out)` with the output's
/// block argument used by nothing else, and the operand x.
static std::pair<Operation *, Value> findCombiner(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  BlockArgument out = op.getRegionOutputArgs().front();
  Operation *combiner = yield.getValues().front().getDefiningOp();
  if (!combiner || combiner->getBlock() != body ||
      combiner->getNumOperands() != 2 || !out.hasOneUse() ||
      !allReduceKind(combiner))
    return {};
  Value lhs = combiner->getOperand(0), rhs = combiner->getOperand(1);
  if (lhs == out && rhs != out)
    return {combiner, rhs};
  if (rhs == out && lhs != out)
    return {combiner, lhs};
  return {};
}

/// The indices a projected permutation `map` selects from the loop indices.
static SmallVector<Value> applyMap(AffineMap map, ArrayRef<Value> loops) {
  SmallVector<Value> indices;
  for (AffineExpr expr : map.getResults())
    indices.push_back(loops[cast<AffineDimExpr>(expr).getPosition()]);
  return indices;
}

/// One block per output element of `op` (see the header); false if `op`
/// does not qualify.
static bool lowerToBlocks(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumReductionLoops() != 1 ||
      op.getNumDpsInits() != 1 || op.hasDynamicShape() ||
      !op.hasOnlyProjectedPermutations())
    return false;
  SmallVector<unsigned> reductionDims;
  op.getReductionDims(reductionDims);
  unsigned reductionDim = reductionDims.front();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t reduction = ranges[reductionDim], outputs = 1;
  for (auto [i, range] : llvm::enumerate(ranges))
    if (i != reductionDim)
      outputs *= range;
  if (!blockReductionApplies(outputs, reduction) ||
      !reductionIsContiguous(op, reductionDim))
    return false;
  auto [combiner, folded] = findCombiner(op);
  if (!combiner)
    return false;
  std::optional<TypedAttr> identity = arith::getNeutralElement(combiner);
  if (!identity)
    return false;

  OpBuilder b(op);
  Location loc = op.getLoc();
  auto constant = [&](int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value).getResult();
  };
  Value one = constant(1);
  auto launch = gpu::LaunchOp::create(b, loc, constant(outputs), one, one,
                                      constant(kBlockReductionThreads), one,
                                      one);
  b.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(b, loc);
  b.setInsertionPointToStart(&launch.getBody().front());

  // The loop indices of the block's output: its block id delinearized over
  // the parallel loops (the last one fastest).
  Value block = launch.getBlockIds().x, thread = launch.getThreadIds().x;
  SmallVector<Value> loops(ranges.size());
  Value rest = block;
  for (int64_t i = ranges.size() - 1; i >= 0; --i) {
    if (unsigned(i) == reductionDim)
      continue;
    Value extent = arith::ConstantIndexOp::create(b, loc, ranges[i]);
    loops[i] = arith::RemUIOp::create(b, loc, rest, extent);
    rest = arith::DivUIOp::create(b, loc, rest, extent);
  }

  // Each thread folds elements thread, thread + 256, ... of the row.
  Value init = arith::ConstantOp::create(b, loc, *identity);
  auto row = scf::ForOp::create(
      b, loc, thread, arith::ConstantIndexOp::create(b, loc, reduction),
      arith::ConstantIndexOp::create(b, loc, kBlockReductionThreads),
      ValueRange{init});
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(row.getBody());
    loops[reductionDim] = row.getInductionVar();
    IRMapping mapping;
    for (OpOperand *input : op.getDpsInputOperands()) {
      BlockArgument arg = op.getMatchingBlockArgument(input);
      if (!isa<MemRefType>(input->get().getType())) {
        mapping.map(arg, input->get()); // a scalar operand
        continue;
      }
      SmallVector<Value> indices =
          applyMap(op.getMatchingIndexingMap(input), loops);
      mapping.map(arg, memref::LoadOp::create(b, loc, input->get(), indices));
    }
    for (Operation &bodyOp : op.getBlock()->without_terminator()) {
      if (&bodyOp == combiner)
        continue;
      if (auto index = dyn_cast<linalg::IndexOp>(bodyOp)) {
        mapping.map(index.getResult(), loops[index.getDim()]);
        continue;
      }
      b.clone(bodyOp, mapping);
    }
    Value acc = row.getRegionIterArgs().front();
    Operation *combined = b.clone(*combiner);
    combined->setOperands({mapping.lookupOrDefault(folded), acc});
    scf::YieldOp::create(b, loc, combined->getResult(0));
  }

  // The block's total, combined by thread 0 with the output's initial value.
  auto total = gpu::AllReduceOp::create(
      b, loc, row.getResult(0),
      gpu::AllReduceOperationAttr::get(b.getContext(),
                                       *allReduceKind(combiner)),
      b.getUnitAttr());
  Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                      thread, constant(0));
  auto store = scf::IfOp::create(b, loc, first, /*withElseRegion=*/false);
  b.setInsertionPointToStart(store.thenBlock());
  OpOperand *output = op.getDpsInitOperand(0);
  SmallVector<Value> indices =
      applyMap(op.getMatchingIndexingMap(output), loops);
  Value initial = memref::LoadOp::create(b, loc, output->get(), indices);
  Operation *result = b.clone(*combiner);
  result->setOperands({total.getResult(), initial});
  memref::StoreOp::create(b, loc, result->getResult(0), output->get(),
                          indices);
  op->erase();
  return true;
}

unsigned lowerRowReductionsToBlocks(func::FuncOp func) {
  SmallVector<linalg::LinalgOp> ops;
  func.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
  unsigned lowered = 0;
  for (linalg::LinalgOp op : ops)
    lowered += lowerToBlocks(op);
  return lowered;
}

LogicalResult lowerAllReduces(ModuleOp module) {
  RewritePatternSet patterns(module.getContext());
  populateGpuAllReducePatterns(patterns);
  return applyPatternsGreedily(module, std::move(patterns));
}

} // namespace mlir::autoglm
