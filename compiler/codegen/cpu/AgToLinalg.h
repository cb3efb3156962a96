//===- AgToLinalg.h - ag ops to linalg on tensors ---------------*- C++ -*-===//
//
// The first stage of CPU code generation (DESIGN.md section 1, step 4): ag ops
// become linalg (named ops where layout and attributes match, linalg.generic
// otherwise), tensor, arith, math and scf on tensors. Patterns are split by op
// family; each family's populate function adds one pattern per op. The
// patterns expect statically shaped tensors (the importer guarantees them;
// the ag-to-linalg pass reports any other case before converting).
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_CODEGEN_CPU_AGTOLINALG_H
#define AUTOGLM_COMPILER_CODEGEN_CPU_AGTOLINALG_H

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/DialectConversion.h"

#include <optional>
#include <string>

namespace mlir::autoglm {

/// constant, unary/binary elementwise ops, mod, compare, select, cast, clamp,
/// gelu, leaky_relu, is_nan, is_inf.
void populateElementwiseToLinalgPatterns(TypeConverter &converter,
                                         RewritePatternSet &patterns);

/// matmul, conv, conv_transpose, pool.
void populateNNToLinalgPatterns(TypeConverter &converter,
                                RewritePatternSet &patterns);

/// reduce, arg_reduce, cumsum, topk, softmax, layer_norm, rms_norm.
void populateReductionToLinalgPatterns(TypeConverter &converter,
                                       RewritePatternSet &patterns);

/// reshape, transpose, concat, slice, pad, expand, resize.
void populateDataMovementToLinalgPatterns(TypeConverter &converter,
                                          RewritePatternSet &patterns);

/// gather, gather_elements, gather_nd, scatter_elements, scatter_nd.
void populateGatherScatterToLinalgPatterns(TypeConverter &converter,
                                           RewritePatternSet &patterns);

/// attention: two batch matmuls around a softmax, query heads grouped per
/// KV head; the KV-cache form masks keys at or past kv_len.
void populateAttentionToLinalgPatterns(TypeConverter &converter,
                                       RewritePatternSet &patterns);
/// rope (one generic) and kv_cache_write (an insert_slice).
void populateLLMToLinalgPatterns(TypeConverter &converter,
                                 RewritePatternSet &patterns);
/// quantize, dequantize (elementwise) and dequant_matmul (a tagged
/// contraction the CPU backend turns into a microkernel call).
void populateQuantToLinalgPatterns(TypeConverter &converter,
                                   RewritePatternSet &patterns);
/// Why a dequant_matmul is not in the form the CPU lowers, or nullopt.
class DequantMatmulOp;
std::optional<std::string>
getDequantMatmulUnsupportedReason(DequantMatmulOp op);
/// The attribute marking the linalg.generic of a lowered dequant_matmul:
/// {bits, unsigned, group_size} of its weight.
inline constexpr const char *kDequantMatmulAttrName = "ag.dequant_matmul";

/// Every family above.
void populateAgToLinalgPatterns(TypeConverter &converter,
                                RewritePatternSet &patterns);

/// Why an ag op that ag-to-linalg handles cannot be lowered as it stands
/// (dynamic shapes, integer log_sum_exp, 4-bit tensors), or
/// nullopt when it can.
std::optional<std::string> getUnsupportedReason(Operation *op);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_CPU_AGTOLINALG_H
