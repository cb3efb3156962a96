//===- MatchUtils.cpp - helpers shared by the recognition patterns --------===//

#include "passes/fusion/MatchUtils.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>

using namespace mlir;
using namespace mlir::autoglm;

namespace mlir::autoglm::fusion {

std::optional<double> getScalarConstant(Value value) {
  Attribute attr;
  if (!value || !matchPattern(value, m_Constant(&attr)))
    return std::nullopt;
  auto elements = dyn_cast<ElementsAttr>(attr);
  if (!elements || !isa<FloatType>(elements.getElementType()))
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(elements))
    if (dense.isSplat())
      return dense.getSplatValue<APFloat>().convertToDouble();
  if (elements.getNumElements() != 1)
    return std::nullopt;
  auto values = elements.tryGetValues<APFloat>();
  if (!values)
    return std::nullopt;
  return (*values->begin()).convertToDouble();
}

double shortestDecimal(double value, Type element) {
  if (!element.isF32() || !std::isfinite(value))
    return value;
  float target = static_cast<float>(value);
  for (int digits = 1; digits <= 9; ++digits) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.*g", digits, double(target));
    double candidate = std::strtod(text, nullptr);
    if (static_cast<float>(candidate) == target)
      return candidate;
  }
  return value;
}

bool isClose(double a, double b, double relTol) {
  if (b == 0)
    return std::abs(a) <= relTol;
  return std::abs(a - b) <= relTol * std::abs(b);
}

bool isScalarConstant(Value value, double expected, double relTol) {
  std::optional<double> actual = getScalarConstant(value);
  return actual && isClose(*actual, expected, relTol);
}

Product flattenProduct(Value value, MatchedOps &ops) {
  Product product;
  std::function<void(Value, bool)> visit = [&](Value v, bool isRoot) {
    if (std::optional<double> constant = getScalarConstant(v)) {
      product.constant *= *constant;
      return;
    }
    Operation *def = v.getDefiningOp();
    // A nested factor's only use is its parent in this product.
    if (def && (isRoot || v.hasOneUse())) {
      if (auto mul = dyn_cast<MulOp>(def)) {
        ops.insert(mul);
        visit(mul.getLhs(), false);
        visit(mul.getRhs(), false);
        return;
      }
      if (auto div = dyn_cast<DivOp>(def)) {
        std::optional<double> divisor = getScalarConstant(div.getRhs());
        if (divisor && *divisor != 0) {
          ops.insert(div);
          product.constant /= *divisor;
          visit(div.getLhs(), false);
          return;
        }
      }
    }
    product.terms.push_back(v);
  };
  visit(value, /*isRoot=*/true);
  return product;
}

Value otherTerm(ArrayRef<Value> terms, Value other) {
  if (terms.size() != 2 || (terms[0] == other) == (terms[1] == other))
    return {};
  return terms[0] == other ? terms[1] : terms[0];
}

bool isTrailingReduction(ReduceOp reduce, ReduceKind kind, int64_t &axis) {
  ArrayRef<int64_t> axes = reduce.getAxes();
  int64_t rank = cast<RankedTensorType>(reduce.getInput().getType()).getRank();
  if (reduce.getKind() != kind || !reduce.getKeepDims() || axes.empty())
    return false;
  for (auto [i, a] : llvm::enumerate(axes))
    if (a != rank - int64_t(axes.size()) + int64_t(i))
      return false;
  axis = axes.front();
  return true;
}

bool usesStayInside(const MatchedOps &ops, Operation *root) {
  for (Operation *op : ops) {
    if (op == root)
      continue;
    for (Operation *user : op->getUsers())
      if (!ops.contains(user))
        return false;
  }
  return true;
}

bool matchSquare(Value value, Value &x, MatchedOps &ops) {
  Operation *def = value.getDefiningOp();
  if (auto mul = dyn_cast_or_null<MulOp>(def);
      mul && mul.getLhs() == mul.getRhs()) {
    x = mul.getLhs();
    ops.insert(mul);
    return true;
  }
  if (auto pow = dyn_cast_or_null<PowOp>(def);
      pow && isScalarConstant(pow.getRhs(), 2.0, 0)) {
    x = pow.getLhs();
    ops.insert(pow);
    return true;
  }
  return false;
}

bool matchRsqrt(Value value, Value &inner, MatchedOps &ops) {
  Operation *def = value.getDefiningOp();
  if (auto rsqrt = dyn_cast_or_null<RsqrtOp>(def)) {
    inner = rsqrt.getInput();
    ops.insert(rsqrt);
    return true;
  }
  if (auto pow = dyn_cast_or_null<PowOp>(def);
      pow && isScalarConstant(pow.getRhs(), -0.5, 0)) {
    inner = pow.getLhs();
    ops.insert(pow);
    return true;
  }
  // 1 / sqrt(s), as ag.reciprocal or as a division of a constant 1.
  Value sqrtOperand;
  if (auto reciprocal = dyn_cast_or_null<ReciprocalOp>(def)) {
    sqrtOperand = reciprocal.getInput();
  } else if (auto div = dyn_cast_or_null<DivOp>(def);
             div && isScalarConstant(div.getLhs(), 1.0, 0)) {
    sqrtOperand = div.getRhs();
  } else {
    return false;
  }
  auto sqrt = sqrtOperand.getDefiningOp<SqrtOp>();
  if (!sqrt)
    return false;
  // The 1/x op may broadcast a larger constant 1: only same-shape forms.
  if (sqrt.getType() != def->getResult(0).getType())
    return false;
  ops.insert(def);
  ops.insert(sqrt);
  inner = sqrt.getInput();
  return true;
}

Location fusedLocation(const MatchedOps &ops) {
  SmallVector<Location> locations;
  for (Operation *op : ops)
    locations.push_back(op->getLoc());
  return FusedLoc::get(ops.front()->getContext(), locations);
}

bool isNormParam(Value param, ArrayRef<int64_t> shape, Type element) {
  auto type = dyn_cast<RankedTensorType>(param.getType());
  return type && type.hasStaticShape() && type.getElementType() == element &&
         dropLeadingOnes(type.getShape()) == dropLeadingOnes(shape);
}

Value asNormParam(OpBuilder &builder, Location loc, Value param,
                  ArrayRef<int64_t> shape) {
  auto type = cast<RankedTensorType>(param.getType());
  if (type.getShape() == shape)
    return param;
  return ReshapeOp::create(builder, loc, type.clone(shape), param);
}

ArrayRef<int64_t> dropLeadingOnes(ArrayRef<int64_t> shape) {
  while (!shape.empty() && shape.front() == 1)
    shape = shape.drop_front();
  return shape;
}

} // namespace mlir::autoglm::fusion
