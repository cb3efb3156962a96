//===- FusionGroups.cpp - group ops into ag.fusion dispatches -------------===//

#include "passes/fusion/FusionGroups.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::autoglm {
namespace {

/// Ops computed element by element (broadcasting operands allowed): they
/// lower to one linalg.generic each, and chains of them fuse into one.
bool isElementwise(Operation *op) {
  if (!isa_and_nonnull<AutoGLMDialect>(op->getDialect()) ||
      op->getNumResults() != 1)
    return false;
  return op->hasTrait<OpTrait::Elementwise>() ||
         isa<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, AndOp, OrOp,
             XorOp, ModOp, CompareOp, SelectOp>(op);
}

/// Data movement that becomes a view (reshape, slice) or an indexing map
/// (transpose) when it feeds an elementwise op in the same kernel.
bool isView(Operation *op) { return isa<ReshapeOp, TransposeOp, SliceOp>(op); }

/// Ops that head a group: the f32 GEMM-class ops the CPU backend turns into
/// microkernel calls, which an epilogue can follow in the same kernel. The
/// quantized and 16-bit-weight GEMMs are not anchors yet: a kernel with
/// their call and an epilogue splits by columns (few rows) but not by rows,
/// so a prefill-sized one would run as one workgroup.
bool isAnchor(Operation *op) {
  if (auto matmul = dyn_cast<MatmulOp>(op))
    return matmul.getRhs().getType().getRank() == 2 &&
           !matmul.getTransposeLhs() &&
           matmul.getType().getElementType().isF32() &&
           matmul.getRhs().getType().getElementType().isF32();
  if (auto conv = dyn_cast<ConvOp>(op))
    return conv.getInput().getType().getRank() == 4 && conv.getGroups() == 1 &&
           conv.getType().getElementType().isF32();
  return false;
}

struct Group {
  SmallVector<Operation *> ops;
  Operation *anchor = nullptr;
  Value output;
};

bool sameShape(Value a, Value b) {
  return cast<ShapedType>(a.getType()).getShape() ==
         cast<ShapedType>(b.getType()).getShape();
}

bool onlyUsedBy(Value value, Operation *user) {
  return llvm::all_of(value.getUsers(),
                      [&](Operation *u) { return u == user; });
}

} // namespace

FusionGroupCounts formFusionGroups(func::FuncOp func) {
  FusionGroupCounts counts;
  if (func.getBody().empty())
    return counts;
  Block &body = func.getBody().front();
  std::vector<std::unique_ptr<Group>> storage;
  llvm::DenseMap<Operation *, Group *> groupOf;

  for (Operation &opRef : body.without_terminator()) {
    Operation *op = &opRef;
    if (isAnchor(op)) {
      storage.push_back(std::make_unique<Group>());
      Group *group = storage.back().get();
      group->ops.push_back(op);
      group->anchor = op;
      group->output = op->getResult(0);
      groupOf[op] = group;
      continue;
    }
    if (!isElementwise(op))
      continue;
    Value result = op->getResult(0);
    // Producer groups whose only output is consumed here, whole and alone.
    SmallVector<Group *> producers;
    bool haveAnchor = false;
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      Group *group = def ? groupOf.lookup(def) : nullptr;
      if (!group || group->output != operand ||
          llvm::is_contained(producers, group) ||
          !onlyUsedBy(operand, op) || !sameShape(operand, result))
        continue;
      if (group->anchor && haveAnchor)
        continue; // one GEMM per kernel
      haveAnchor |= group->anchor != nullptr;
      producers.push_back(group);
    }
    Group *target;
    if (producers.empty()) {
      storage.push_back(std::make_unique<Group>());
      target = storage.back().get();
    } else {
      target = producers.front();
      for (Group *other : ArrayRef(producers).drop_front()) {
        target->ops.append(other->ops);
        if (other->anchor)
          target->anchor = other->anchor;
        for (Operation *member : other->ops)
          groupOf[member] = target;
        other->ops.clear();
      }
    }
    // Views of outside values used only here come along as views.
    for (Value operand : op->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (!def || !isView(def) || groupOf.count(def) || !onlyUsedBy(operand, op))
        continue;
      Operation *source = def->getOperand(0).getDefiningOp();
      if (source && groupOf.count(source))
        continue;
      target->ops.push_back(def);
      groupOf[def] = target;
    }
    target->ops.push_back(op);
    target->output = result;
    groupOf[op] = target;
  }

  for (auto &group : storage) {
    if (group->ops.size() < 2)
      continue;
    // Program order, so each op follows the ops it reads.
    llvm::sort(group->ops, [](Operation *a, Operation *b) {
      return a->isBeforeInBlock(b);
    });
    Operation *last = group->ops.back();
    OpBuilder builder(last);
    auto fusion = FusionOp::create(builder, last->getLoc(),
                                   TypeRange{group->output.getType()});
    Block *block = builder.createBlock(&fusion.getBody());
    builder.setInsertionPointToEnd(block);
    group->output.replaceAllUsesWith(fusion.getResult(0));
    for (Operation *member : group->ops)
      member->moveBefore(block, block->end());
    YieldOp::create(builder, last->getLoc(), ValueRange{group->output});
    ++counts.groups;
    counts.fusedOps += group->ops.size();
    if (group->anchor)
      ++counts.epilogues;
  }
  return counts;
}

} // namespace mlir::autoglm
