// RUN: autoglm-opt %s --split-input-file --ag-to-linalg | FileCheck %s

// The LLM ops' lowering (numerics in run-llm.mlir).

// rope: one generic over the input reading positions per (batch, seq); the
// rotation partner is read with tensor.extract, the frequency from a
// constant table of rotary_dim / 2 entries (1 / 10000^(2i/4): 1, 0.01).
// CHECK-LABEL: func.func @rope
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x6xf32>, %[[P:.*]]: tensor<1x3xi64>)
// CHECK: %[[T:.*]] = arith.constant dense<[1.000000e+00, 0.00999999977]> : tensor<2xf32>
// CHECK: %[[R:.*]] = linalg.generic
// CHECK-SAME: ins(%[[X]], %[[P]] : tensor<1x2x3x6xf32>, tensor<1x3xi64>)
// CHECK: arith.cmpi slt, %{{.*}}, %c4
// CHECK: tensor.extract %[[X]]
// CHECK: tensor.extract %[[T]]
// CHECK: math.cos
// CHECK: math.sin
// CHECK: return %[[R]]
// CHECK-NOT: ag.rope
func.func @rope(%x: tensor<1x2x3x6xf32>, %pos: tensor<1x3xi64>) -> tensor<1x2x3x6xf32> {
  %r = ag.rope %x, %pos layout interleaved rotary_dim 4 theta 10000.0 : tensor<1x2x3x6xf32>, tensor<1x3xi64>
  return %r : tensor<1x2x3x6xf32>
}

// -----

// kv_cache_write: an insert_slice at the position clamped to [0, 16 - 2].
// CHECK-LABEL: func.func @cache_write
// CHECK-SAME: (%[[U:.*]]: tensor<1x2x2x8xf32>, %[[C:.*]]: tensor<1x2x16x8xf32>, %[[AT:.*]]: tensor<i64>)
// CHECK: %[[E:.*]] = tensor.extract %[[AT]][]
// CHECK: %[[I:.*]] = arith.index_cast %[[E]]
// CHECK: %[[LO:.*]] = arith.minsi %[[I]], %c14
// CHECK: %[[POS:.*]] = arith.maxsi %[[LO]], %c0
// CHECK: %[[W:.*]] = tensor.insert_slice %[[U]] into %[[C]][0, 0, %[[POS]], 0] [1, 2, 2, 8] [1, 1, 1, 1]
// CHECK: return %[[W]]
func.func @cache_write(%u: tensor<1x2x2x8xf32>, %c: tensor<1x2x16x8xf32>, %at: tensor<i64>) -> tensor<1x2x16x8xf32> {
  %w = ag.kv_cache_write %u into %c at %at : tensor<1x2x2x8xf32>, tensor<1x2x16x8xf32>, tensor<i64>
  return %w : tensor<1x2x16x8xf32>
}

// -----

// Attention over a cache: keys at or past kv_len are masked, and with
// causal query i sees keys j <= kv_len - Sq + i.
// CHECK-LABEL: func.func @attention_cache
// CHECK: linalg.batch_matmul
// CHECK: %[[N:.*]] = tensor.extract %{{.*}}[] : tensor<i64>
// CHECK: %[[LEN:.*]] = arith.index_cast %[[N]]
// CHECK: %[[OFF:.*]] = arith.subi %[[LEN]], %c1
// CHECK: linalg.generic
// CHECK: %[[I:.*]] = linalg.index 2
// CHECK: %[[J:.*]] = linalg.index 3
// CHECK: %[[LAST:.*]] = arith.addi %[[I]], %[[OFF]]
// CHECK: arith.cmpi sle, %[[J]], %[[LAST]]
// CHECK: linalg.batch_matmul
func.func @attention_cache(%q: tensor<1x4x1x8xf32>, %kc: tensor<1x2x16x8xf32>, %n: tensor<i64>) -> tensor<1x4x1x8xf32> {
  %0 = ag.attention %q, %kc, %kc kv_len %n causal : (tensor<1x4x1x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<i64>) -> tensor<1x4x1x8xf32>
  return %0 : tensor<1x4x1x8xf32>
}

// -----

// CHECK-LABEL: func.func @attention_filled
// CHECK: %[[N:.*]] = tensor.extract %{{.*}}[] : tensor<i64>
// CHECK: %[[LEN:.*]] = arith.index_cast %[[N]]
// CHECK: linalg.generic
// CHECK: %[[J:.*]] = linalg.index 3
// CHECK: arith.cmpi slt, %[[J]], %[[LEN]]
func.func @attention_filled(%q: tensor<1x4x1x8xf32>, %kc: tensor<1x2x16x8xf32>, %n: tensor<i64>) -> tensor<1x4x1x8xf32> {
  %0 = ag.attention %q, %kc, %kc kv_len %n : (tensor<1x4x1x8xf32>, tensor<1x2x16x8xf32>, tensor<1x2x16x8xf32>, tensor<i64>) -> tensor<1x4x1x8xf32>
  return %0 : tensor<1x4x1x8xf32>
}
