//===- WeightLayout.cpp - lay weights out for the CPU kernels ------------===//

#include "compiler/driver/WeightLayout.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"
#include "dialects/AutoGLM/IR/FoldUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"

namespace mlir::autoglm {


int pretransposeMatmulWeights(ModuleOp module) {
  llvm::DenseMap<Operation *, Value> transposed;
  int count = 0;
  module.walk([&](MatmulOp matmul) {
    auto constant = matmul.getRhs().getDefiningOp<ConstantOp>();
    auto type = cast<RankedTensorType>(matmul.getRhs().getType());
    if (!matmul.getTransposeRhs() || matmul.getTransposeLhs() || !constant ||
        type.getRank() != 2 || !type.getElementType().isF32())
      return;
    Value &replacement = transposed[constant];
    if (!replacement) {
      std::optional<std::vector<float>> values = getF32Values(constant.getValue());
      if (!values)
        return;
      int64_t n = type.getDimSize(0), k = type.getDimSize(1);
      std::vector<float> out(values->size());
      for (int64_t row = 0; row < n; ++row)
        for (int64_t col = 0; col < k; ++col)
          out[col * n + row] = (*values)[row * k + col];
      auto newType = RankedTensorType::get({k, n}, type.getElementType());
      auto attr = DenseResourceElementsAttr::get(
          newType, "transposed_weight",
          HeapAsmResourceBlob::allocateAndCopyInferAlign(ArrayRef<float>(out)));
      OpBuilder b(constant);
      replacement = ConstantOp::create(b, constant.getLoc(), newType, attr);
      ++count;
    }
    matmul.getRhsMutable().assign(replacement);
    matmul.removeTransposeRhsAttr();
  });
  for (auto &entry : transposed)
    if (entry.first->use_empty())
      entry.first->erase();
  return count;
}

} // namespace mlir::autoglm
