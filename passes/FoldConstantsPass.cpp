//===- FoldConstantsPass.cpp - evaluate ag ops on constant operands -------===//
//
// Visits the ag ops of a function in program order; an op whose operands are
// all constants and whose result fits under max-elements is evaluated on the
// host (ConstantEvaluation.h) and replaced by an ag.constant. Constants that
// a fold leaves without uses are erased.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/ConstantEvaluation.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"
#include "dialects/AutoGLM/IR/AutoGLMOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "ag-fold-constants"

namespace mlir::autoglm {
#define GEN_PASS_DEF_FOLDCONSTANTSPASS
#include "passes/Passes.h.inc"
} // namespace mlir::autoglm

using namespace mlir;
using namespace mlir::autoglm;
using namespace mlir::autoglm::consteval;

namespace {

/// Largest reduction dim of a folded matmul.
constexpr int64_t kMaxMatmulDepth = 4096;
/// An operand may hold at most this many times max-elements elements.
constexpr int64_t kOperandFactor = 64;

/// Evaluates `op` on `operands` with one call per op family; std::nullopt
/// when `op` is not foldable here.
std::optional<HostTensor> evaluate(Operation *op, ArrayRef<HostTensor> operands,
                                   RankedTensorType resultType) {
  using Result = std::optional<HostTensor>;
  return llvm::TypeSwitch<Operation *, Result>(op)
      .Case<AbsOp, NegOp, SignOp, ReluOp, ExpOp, LogOp, SqrtOp, RsqrtOp,
            ReciprocalOp, SinOp, CosOp, TanOp, AsinOp, AcosOp, AtanOp, SinhOp,
            CoshOp, AsinhOp, AcoshOp, AtanhOp, TanhOp, ErfOp, SigmoidOp,
            SiluOp, SoftplusOp, FloorOp, CeilOp, RoundOp, NotOp, GeluOp,
            LeakyReluOp, IsNanOp, IsInfOp>([&](Operation *unary) -> Result {
        return evalUnary(unary, operands[0], resultType);
      })
      .Case<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, AndOp, OrOp,
            XorOp, ModOp, CompareOp>([&](Operation *binary) -> Result {
        return evalBinary(binary, operands[0], operands[1], resultType);
      })
      .Case([&](SelectOp) -> Result {
        return evalSelect(operands[0], operands[1], operands[2], resultType);
      })
      .Case([&](CastOp) { return evalCast(operands[0], resultType); })
      .Case([&](ClampOp clamp) { return evalClamp(clamp, operands[0]); })
      .Case([&](ReshapeOp) { return evalReshape(operands[0], resultType); })
      .Case([&](ExpandOp) { return evalExpand(operands[0], resultType); })
      .Case([&](TransposeOp transpose) {
        return evalTranspose(transpose, operands[0]);
      })
      .Case([&](ConcatOp concat) { return evalConcat(concat, operands); })
      .Case([&](SliceOp slice) { return evalSlice(slice, operands[0]); })
      .Case([&](GatherOp gather) {
        return evalGather(gather, operands[0], operands[1]);
      })
      .Case([&](PadOp pad) { return evalPad(pad, operands[0]); })
      .Case([&](ReduceOp reduce) { return evalReduce(reduce, operands[0]); })
      .Case([&](MatmulOp matmul) -> Result {
        auto lhs = cast<RankedTensorType>(matmul.getLhs().getType());
        int64_t depth = lhs.getDimSize(lhs.getRank() -
                                       (matmul.getTransposeLhs() ? 2 : 1));
        if (depth > kMaxMatmulDepth)
          return std::nullopt;
        return evalMatmul(matmul, operands[0], operands[1],
                          operands.size() > 2 ? &operands[2] : nullptr);
      })
      .Default([](Operation *) -> Result { return std::nullopt; });
}

struct FoldConstantsPass
    : mlir::autoglm::impl::FoldConstantsPassBase<FoldConstantsPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  /// Folds `op` when it qualifies; true if it was replaced.
  bool tryFold(Operation *op);
};

bool FoldConstantsPass::tryFold(Operation *op) {
  if (!isa<AutoGLMDialect>(op->getDialect()) || isa<ConstantOp>(op) ||
      op->getNumResults() != 1 || op->getNumOperands() == 0 ||
      op->getNumRegions() != 0 || !isPure(op))
    return false;
  auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!resultType || !resultType.hasStaticShape() ||
      !isSupportedElementType(resultType.getElementType()) ||
      resultType.getNumElements() > maxElements)
    return false;

  // Every operand a constant small enough to read.
  SmallVector<ElementsAttr> attrs;
  for (Value operand : op->getOperands()) {
    ElementsAttr attr;
    if (!matchPattern(operand, m_Constant(&attr)))
      return false;
    auto type = dyn_cast<RankedTensorType>(attr.getType());
    if (!type || !type.hasStaticShape() ||
        type.getNumElements() > kOperandFactor * maxElements)
      return false;
    attrs.push_back(attr);
  }
  SmallVector<HostTensor> operands;
  for (ElementsAttr attr : attrs) {
    std::optional<HostTensor> tensor = readConstant(attr);
    if (!tensor)
      return false;
    operands.push_back(std::move(*tensor));
  }

  std::optional<HostTensor> result = evaluate(op, operands, resultType);
  if (!result || result->type != resultType)
    return false;

  LLVM_DEBUG(llvm::dbgs() << "folding " << op->getName() << " at "
                          << op->getLoc() << "\n");
  OpBuilder builder(op);
  auto constant =
      ConstantOp::create(builder, op->getLoc(), resultType,
                         cast<ElementsAttr>(writeConstant(*result)));
  llvm::SetVector<Operation *> producers;
  for (Value operand : op->getOperands())
    if (Operation *producer = operand.getDefiningOp())
      producers.insert(producer);
  op->getResult(0).replaceAllUsesWith(constant.getResult());
  op->erase();
  // Operand constants nothing else uses.
  for (Operation *producer : producers)
    if (isOpTriviallyDead(producer))
      producer->erase();
  ++numFolded;
  numElements += resultType.getNumElements();
  return true;
}

void FoldConstantsPass::runOnOperation() {
  SmallVector<Operation *> ops;
  getOperation().walk([&](Operation *op) {
    if (isa<AutoGLMDialect>(op->getDialect()) && !isa<ConstantOp>(op))
      ops.push_back(op);
  });
  for (Operation *op : ops)
    tryFold(op);
}

} // namespace
