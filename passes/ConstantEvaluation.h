//===- ConstantEvaluation.h - evaluate ag ops on host values ----*- C++ -*-===//
//
// Host-side evaluation of ag ops for ag-fold-constants: constants are read
// into HostTensors (floats as double, integers as 64-bit values wrapped to the
// type's width and sign- or zero-extended by its signedness), evaluated with
// one function per op family, and written back as dense attributes (floats
// rounded to the element type, integers truncated to its width).
//
// Every evaluator returns std::nullopt when it cannot evaluate exactly what
// the op defines (integer division by zero, an index out of range, an
// unsupported element type), so the op stays in place.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_PASSES_CONSTANTEVALUATION_H
#define AUTOGLM_PASSES_CONSTANTEVALUATION_H

#include "dialects/AutoGLM/IR/AutoGLMOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>
#include <vector>

namespace mlir::autoglm::consteval {

/// A constant tensor on the host. Exactly one of `floats` / `ints` holds the
/// elements, in row-major order.
struct HostTensor {
  RankedTensorType type;
  std::vector<double> floats;
  std::vector<int64_t> ints;

  bool isFloat() const { return isa<FloatType>(type.getElementType()); }
  int64_t size() const { return type.getNumElements(); }
};

//===----------------------------------------------------------------------===//
// Element helpers (shared by the evaluator files)
//===----------------------------------------------------------------------===//

/// True for unsigned integer types and i1 (held zero-extended).
bool isZeroExtended(Type element);
/// `value` wrapped to the width of integer/index type `element`, sign- or
/// zero-extended back to 64 bits.
int64_t wrapInt(uint64_t value, Type element);
/// An integer element as a double (unsigned types convert as unsigned).
double intToDouble(int64_t value, Type element);
/// A double as an integer element: truncated toward zero, saturated to the
/// type's range, NaN to 0; i1 is `value != 0`.
int64_t doubleToInt(double value, Type element);
/// For each element of `to` (row-major), the row-major position of the
/// element of `from` that numpy broadcasting reads (shapes right-aligned).
std::vector<int64_t> broadcastPositions(ArrayRef<int64_t> from,
                                        ArrayRef<int64_t> to);
/// Row-major strides of `shape`.
SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape);
/// An empty tensor of `type` with room for its elements.
HostTensor makeTensor(RankedTensorType type);

/// True for the element types the evaluators handle: floats and integers up
/// to 64 bits (i1 included), and index.
bool isSupportedElementType(Type type);

/// Reads a `dense` or `dense_resource` constant; std::nullopt for other
/// attributes, unsupported element types or a resource without its blob.
std::optional<HostTensor> readConstant(ElementsAttr attr);

/// Writes `tensor` as a dense attribute of its type.
DenseElementsAttr writeConstant(const HostTensor &tensor);

/// Elementwise unary ops (abs ... round, not, gelu, leaky_relu, is_nan,
/// is_inf), with `resultType` the op's result type.
std::optional<HostTensor> evalUnary(Operation *op, const HostTensor &input,
                                    RankedTensorType resultType);
/// Elementwise binary ops with numpy broadcasting (add, sub, mul, div, pow,
/// max, min, and, or, xor, mod) and compare.
std::optional<HostTensor> evalBinary(Operation *op, const HostTensor &lhs,
                                     const HostTensor &rhs,
                                     RankedTensorType resultType);
std::optional<HostTensor> evalSelect(const HostTensor &condition,
                                     const HostTensor &onTrue,
                                     const HostTensor &onFalse,
                                     RankedTensorType resultType);
std::optional<HostTensor> evalCast(const HostTensor &input,
                                   RankedTensorType resultType);
std::optional<HostTensor> evalClamp(ClampOp op, const HostTensor &input);

/// Data movement.
std::optional<HostTensor> evalReshape(const HostTensor &input,
                                      RankedTensorType resultType);
std::optional<HostTensor> evalExpand(const HostTensor &input,
                                     RankedTensorType resultType);
std::optional<HostTensor> evalTranspose(TransposeOp op,
                                        const HostTensor &input);
std::optional<HostTensor> evalConcat(ConcatOp op,
                                     ArrayRef<HostTensor> inputs);
std::optional<HostTensor> evalSlice(SliceOp op, const HostTensor &input);
std::optional<HostTensor> evalGather(GatherOp op, const HostTensor &input,
                                     const HostTensor &indices);
std::optional<HostTensor> evalPad(PadOp op, const HostTensor &input);

/// Reductions and matrix products.
std::optional<HostTensor> evalReduce(ReduceOp op, const HostTensor &input);
std::optional<HostTensor> evalMatmul(MatmulOp op, const HostTensor &lhs,
                                     const HostTensor &rhs,
                                     const HostTensor *bias);

} // namespace mlir::autoglm::consteval

#endif // AUTOGLM_PASSES_CONSTANTEVALUATION_H
