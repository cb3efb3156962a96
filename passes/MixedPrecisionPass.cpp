//===- MixedPrecisionPass.cpp - bf16 / fp16 matmul weights ----------------===//
//
// Converts the constant f32 weights of matmuls to bf16 or fp16, stored K x N
// in that type; the matmul then reads an f32 lhs and a 16-bit rhs, which the
// CPU backend computes with the GEMM microkernel's 16-bit B path (16-bit
// operands, f32 accumulation). See the pass description in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"
#include "dialects/AutoGLM/IR/FoldUtils.h"
#include "dialects/AutoGLM/IR/AutoGLMOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#include <cstring>

#define DEBUG_TYPE "ag-mixed-precision"

namespace mlir::autoglm {
#define GEN_PASS_DEF_MIXEDPRECISIONPASS
#include "passes/Passes.h.inc"
} // namespace mlir::autoglm

using namespace mlir;
using namespace mlir::autoglm;

namespace {


/// `value` rounded to nearest even in `semantics`, as its bits.
uint16_t toHalfBits(float value, const llvm::fltSemantics &semantics) {
  bool losesInfo;
  llvm::APFloat f(value);
  f.convert(semantics, llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return uint16_t(f.bitcastToAPInt().getZExtValue());
}

struct MixedPrecisionPass
    : mlir::autoglm::impl::MixedPrecisionPassBase<MixedPrecisionPass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    if (precision != "bf16" && precision != "fp16")
      return emitError(UnknownLoc::get(ctx))
             << "ag-mixed-precision: unknown precision '" << precision
             << "' (use bf16 or fp16)";
    return success();
  }

  void runOnOperation() override;

private:
  /// The 16-bit K x N weight for `matmul`, or null when it does not apply.
  Value convertWeight(MatmulOp matmul, ConstantOp constant);
};

Value MixedPrecisionPass::convertWeight(MatmulOp matmul, ConstantOp constant) {
  auto type = cast<RankedTensorType>(constant.getType());
  auto lhsType = cast<RankedTensorType>(matmul.getLhs().getType());
  if (matmul.getTransposeLhs() || type.getRank() < 2 ||
      !type.hasStaticShape() || !type.getElementType().isF32() ||
      lhsType.getRank() < 2 || !lhsType.getElementType().isF32())
    return {};
  for (int64_t d : type.getShape().drop_back(2))
    if (d != 1)
      return {};
  for (Operation *user : constant->getUsers()) {
    auto other = dyn_cast<MatmulOp>(user);
    if (!other || other.getLhs() == constant.getResult() ||
        other.getBias() == constant.getResult())
      return {};
  }
  int64_t rows = type.getDimSize(type.getRank() - 2),
          cols = type.getDimSize(type.getRank() - 1);
  bool transpose = matmul.getTransposeRhs();
  int64_t k = transpose ? cols : rows, n = transpose ? rows : cols;
  if (k < minSize || n < minSize)
    return {};
  std::optional<std::vector<float>> values = getF32Values(constant.getValue());
  if (!values)
    return {};
  bool bf16 = precision == "bf16";
  const llvm::fltSemantics &semantics =
      bf16 ? llvm::APFloat::BFloat() : llvm::APFloat::IEEEhalf();
  std::vector<uint16_t> bits(values->size());
  for (int64_t r = 0; r < k; ++r)
    for (int64_t c = 0; c < n; ++c)
      bits[r * n + c] = toHalfBits(
          (*values)[transpose ? c * k + r : r * n + c], semantics);
  OpBuilder b(constant);
  Type element = bf16 ? Type(b.getBF16Type()) : Type(b.getF16Type());
  auto newType = RankedTensorType::get({k, n}, element);
  auto attr = DenseResourceElementsAttr::get(
      newType, bf16 ? "bf16_weight" : "fp16_weight",
      HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<uint16_t>(bits)));
  numBytesSaved += k * n * 2;
  return ConstantOp::create(b, constant.getLoc(), newType, attr);
}

void MixedPrecisionPass::runOnOperation() {
  SmallVector<MatmulOp> matmuls;
  getOperation().walk([&](MatmulOp matmul) { matmuls.push_back(matmul); });
  // One converted copy per weight and transpose flag.
  llvm::DenseMap<std::pair<Operation *, unsigned>, Value> converted;
  llvm::SetVector<Operation *> maybeDead;
  for (MatmulOp matmul : matmuls) {
    auto constant = matmul.getRhs().getDefiningOp<ConstantOp>();
    if (!constant)
      continue;
    Value &weight = converted[{constant, matmul.getTransposeRhs()}];
    if (!weight)
      weight = convertWeight(matmul, constant);
    if (!weight)
      continue;
    OpBuilder b(matmul);
    auto replacement = MatmulOp::create(b, matmul.getLoc(), matmul.getLhs(),
                                        weight, matmul.getBias(),
                                        /*transpose_lhs=*/false,
                                        /*transpose_rhs=*/false);
    Value result = replacement.getResult();
    // Weights with leading unit dims add them to the result.
    if (result.getType() != matmul.getType())
      result = ReshapeOp::create(b, matmul.getLoc(), matmul.getType(), result);
    matmul.replaceAllUsesWith(result);
    matmul.erase();
    ++numConverted;
    maybeDead.insert(constant);
  }
  for (Operation *op : maybeDead)
    if (op->use_empty())
      op->erase();
  LLVM_DEBUG(llvm::dbgs() << "ag-mixed-precision: " << numConverted
                          << " matmuls in " << precision << "\n");
}

} // namespace
