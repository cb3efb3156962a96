//===- IndexArith.h - index arithmetic for the GEMM kernel builders -*- C++ -*-===//

#ifndef AUTOGLM_COMPILER_CODEGEN_CUDA_INDEXARITH_H
#define AUTOGLM_COMPILER_CODEGEN_CUDA_INDEXARITH_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace mlir::autoglm {

/// The index arithmetic the kernel builders write (unsigned division and
/// comparisons: every index is non-negative), at `b`'s insertion point.
struct IndexArith {
  OpBuilder &b;
  Location loc;

  Value cst(int64_t value) {
    return arith::ConstantIndexOp::create(b, loc, value);
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value add(Value x, int64_t y) { return y ? add(x, cst(y)) : x; }
  Value mul(Value x, int64_t y) {
    return arith::MulIOp::create(b, loc, x, cst(y));
  }
  Value div(Value x, int64_t y) {
    return arith::DivUIOp::create(b, loc, x, cst(y));
  }
  Value rem(Value x, int64_t y) {
    return arith::RemUIOp::create(b, loc, x, cst(y));
  }
  Value minIdx(Value x, int64_t y) {
    return arith::MinUIOp::create(b, loc, x, cst(y));
  }
  Value lessThan(Value x, int64_t bound) {
    return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x,
                                 cst(bound));
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
};

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_CUDA_INDEXARITH_H
