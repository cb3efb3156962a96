// RUN: autoglm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ag-quantize{mode=int8 min-size=1}))' | FileCheck %s --check-prefix=INT8
// RUN: autoglm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ag-quantize{mode=int4 group-size=2 min-size=1}))' | FileCheck %s --check-prefix=INT4
// RUN: autoglm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ag-quantize{mode=int4 group-size=2 symmetric=false min-size=1}))' | FileCheck %s --check-prefix=ASYM
// RUN: autoglm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ag-quantize))' | FileCheck %s --check-prefix=NONE
// RUN: autoglm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ag-quantize{mode=int8}))' | FileCheck %s --check-prefix=MIN
// RUN: not autoglm-opt %s --pass-pipeline='builtin.module(func.func(ag-quantize{mode=int3}))' 2>&1 | FileCheck %s --check-prefix=BAD

// ag-quantize: matmuls with constant f32 weights become ag.dequant_matmul
// with the weight quantized (K x N); matmul(x, dequantize(constant)) maps to
// the same form in every mode. Quantized weights are dense_resource blobs
// (4-bit ones packed two per byte), checked byte by byte where it matters.

// BAD: unknown mode 'int3' (use none, int8 or int4)

// int8, symmetric per output channel: scale = max|w[:, n]| / 127,
// q = round(w / scale): [[127, -95], [32, 127]].
// INT8-LABEL: func.func @int8_per_channel
// INT8-SAME: (%[[X:.*]]: tensor<3x2xf32>)
// INT8-DAG: %[[Q:.*]] = ag.constant dense_resource<quantized_weight> : tensor<2x2xi8>
// INT8-DAG: %[[S:.*]] = ag.constant dense<[0.00787401571, 0.0314960629]> : tensor<2xf32>
// INT8: %[[Y:.*]] = ag.dequant_matmul %[[X]], %[[Q]], %[[S]] {axis = 1 : i64} : (tensor<3x2xf32>, tensor<2x2xi8>, tensor<2xf32>) -> tensor<3x2xf32>
// INT8-NOT: ag.matmul
// INT8: return %[[Y]]
// INT8: quantized_weight: "0x010000007FA1207F"
// NONE-LABEL: func.func @int8_per_channel
// NONE: ag.matmul
// NONE-NOT: ag.dequant_matmul
// NONE: return
func.func @int8_per_channel(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = ag.constant dense<[[1.0, -3.0], [0.25, 4.0]]> : tensor<2x2xf32>
  %y = ag.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// A transposed (N x K, Gemm transB) weight is stored K x N; the bias stays.
// INT8-LABEL: func.func @int8_transposed_bias
// INT8-SAME: (%[[X:.*]]: tensor<1x3x2xf32>, %[[B:.*]]: tensor<2xf32>)
// INT8-DAG: %[[Q:.*]] = ag.constant dense_resource<quantized_weight{{.*}}> : tensor<2x2xi8>
// INT8-DAG: %[[S:.*]] = ag.constant dense<[0.00787401571, 0.0314960629]> : tensor<2xf32>
// INT8: ag.dequant_matmul %[[X]], %[[Q]], %[[S]] bias %[[B]] {axis = 1 : i64} : (tensor<1x3x2xf32>, tensor<2x2xi8>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x3x2xf32>
// INT8-NOT: ag.matmul
// INT8: quantized_weight{{.*}}: "0x010000007FA1207F"
func.func @int8_transposed_bias(%x: tensor<1x3x2xf32>, %b: tensor<2xf32>) -> tensor<1x3x2xf32> {
  %w = ag.constant dense<[[1.0, 0.25], [-3.0, 4.0]]> : tensor<2x2xf32>
  %y = ag.matmul %x, %w bias %b transpose_rhs : (tensor<1x3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<1x3x2xf32>
  return %y : tensor<1x3x2xf32>
}

// -----

// int4 in groups of 2 rows of K; K = 3 is not a multiple: the last group
// has one row and its own scale (2 groups). Symmetric: scale = max|w| / 7
// per group and column; values packed low nibble first:
// rows [7, -7], [-4, 2] | [7, 7] -> bytes 0x97, 0x2C, 0x77.
// INT4-LABEL: func.func @int4_groups
// INT4-SAME: (%[[X:.*]]: tensor<5x3xf32>)
// INT4-DAG: %[[Q:.*]] = ag.constant dense_resource<quantized_weight> : tensor<3x2xi4>
// INT4-DAG: %[[S:.*]] = ag.constant dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 1.000000e+00]]> : tensor<2x2xf32>
// INT4: ag.dequant_matmul %[[X]], %[[Q]], %[[S]] {group_size = 2 : i64} : (tensor<5x3xf32>, tensor<3x2xi4>, tensor<2x2xf32>) -> tensor<5x2xf32>
// INT4-NOT: ag.matmul
// INT4: quantized_weight: "0x01000000972C77"
// Asymmetric: ui4 with a ui4 zero point per group and column.
// ASYM-LABEL: func.func @int4_groups
// ASYM: %[[Q:.*]] = ag.constant dense_resource<quantized_weight> : tensor<3x2xui4>
// ASYM: %[[Z:.*]] = ag.constant dense_resource<quantized_zero_point> : tensor<2x2xui4>
// ASYM: ag.dequant_matmul %{{.*}}, %[[Q]], %{{.*}} zero_point %[[Z]] {group_size = 2 : i64} : (tensor<5x3xf32>, tensor<3x2xui4>, tensor<2x2xf32>, tensor<2x2xui4>) -> tensor<5x2xf32>
func.func @int4_groups(%x: tensor<5x3xf32>) -> tensor<5x2xf32> {
  %w = ag.constant dense<[[7.0, -14.0], [-4.0, 4.0], [21.0, 7.0]]> : tensor<3x2xf32>
  %y = ag.matmul %x, %w : (tensor<5x3xf32>, tensor<3x2xf32>) -> tensor<5x2xf32>
  return %y : tensor<5x2xf32>
}

// -----

// Two matmuls reading one weight share one quantized copy.
// INT8-LABEL: func.func @shared_weight
// INT8-COUNT-1: dense_resource<quantized_weight
// INT8-COUNT-2: ag.dequant_matmul
// INT8-NOT: ag.matmul
// INT8: return
func.func @shared_weight(%x: tensor<3x2xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = ag.constant dense<[[1.0, -3.0], [0.25, 4.0]]> : tensor<2x2xf32>
  %y = ag.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %z = ag.matmul %y, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y, %z : tensor<3x2xf32>, tensor<3x2xf32>
}

// -----

// Must not fire: the weight is not a constant.
// INT8-LABEL: func.func @weight_not_constant
// INT8: ag.matmul
// INT8-NOT: ag.dequant_matmul
// INT8: return
func.func @weight_not_constant(%x: tensor<3x2xf32>, %w: tensor<2x2xf32>) -> tensor<3x2xf32> {
  %y = ag.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Must not fire: another op reads the weight as floats (quantizing would
// store it twice).
// INT8-LABEL: func.func @weight_read_by_add
// INT8: ag.matmul
// INT8-NOT: ag.dequant_matmul
// INT8: return
func.func @weight_read_by_add(%x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = ag.constant dense<[[1.0, -3.0], [0.25, 4.0]]> : tensor<2x2xf32>
  %y = ag.matmul %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %z = ag.add %x, %w : tensor<2x2xf32>, tensor<2x2xf32>
  return %y, %z : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// A gather's table (a tied embedding and lm_head) is quantized for the
// matmul; the gather keeps reading the float table.
// INT8-LABEL: func.func @tied_embedding
// INT8-SAME: (%[[IDS:.*]]: tensor<1x2xi64>)
// INT8: %[[TABLE:.*]] = ag.constant dense<{{.*}}> : tensor<4x2xf32>
// INT8: %[[E:.*]] = ag.gather %[[TABLE]], %[[IDS]]
// INT8: ag.dequant_matmul %[[E]], %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<1x2x2xf32>, tensor<2x4xi8>, tensor<4xf32>)
// INT8-NOT: ag.matmul
// INT8: return
func.func @tied_embedding(%ids: tensor<1x2xi64>) -> tensor<1x2x4xf32> {
  %w = ag.constant dense<[[1.0, -3.0], [0.25, 4.0], [2.0, 2.0], [-1.0, 0.5]]> : tensor<4x2xf32>
  %e = ag.gather %w, %ids axis 0 : (tensor<4x2xf32>, tensor<1x2xi64>) -> tensor<1x2x2xf32>
  %y = ag.matmul %e, %w transpose_rhs : (tensor<1x2x2xf32>, tensor<4x2xf32>) -> tensor<1x2x4xf32>
  return %y : tensor<1x2x4xf32>
}

// -----

// Must not fire: the constant is the lhs, not the weight; and a transposed
// lhs.
// INT8-LABEL: func.func @constant_lhs
// INT8-COUNT-2: ag.matmul
// INT8-NOT: ag.dequant_matmul
// INT8: return
func.func @constant_lhs(%x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = ag.constant dense<[[1.0, -3.0], [0.25, 4.0]]> : tensor<2x2xf32>
  %y = ag.matmul %w, %x : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %v = ag.constant dense<[[1.0, -3.0], [0.25, 4.0]]> : tensor<2x2xf32>
  %z = ag.matmul %x, %v transpose_lhs : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %y, %z : tensor<2x2xf32>, tensor<2x2xf32>
}

// -----

// Must not fire with int4: N odd (packed rows would not start on a byte).
// int8 has no such limit.
// INT4-LABEL: func.func @int4_odd_n
// INT4: ag.matmul
// INT4-NOT: ag.dequant_matmul
// INT4: return
// INT8-LABEL: func.func @int4_odd_n
// INT8: ag.dequant_matmul
func.func @int4_odd_n(%x: tensor<1x2xf32>) -> tensor<1x3xf32> {
  %w = ag.constant dense<[[1.0, -3.0, 2.0], [0.25, 4.0, 1.0]]> : tensor<2x3xf32>
  %y = ag.matmul %x, %w : (tensor<1x2xf32>, tensor<2x3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// Must not fire under the default min-size (16): tiny matmuls lose accuracy
// and gain nothing.
// MIN-LABEL: func.func @tiny
// MIN: ag.matmul
// MIN-NOT: ag.dequant_matmul
// MIN: return
func.func @tiny(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %w = ag.constant dense<[[1.0, -3.0], [0.25, 4.0]]> : tensor<2x2xf32>
  %y = ag.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// QDQ (and QLinearMatMul's weight): matmul(x, dequantize(constant i8)) maps
// to dequant_matmul in every mode, mode=none included; a per-tensor scale
// and zero point become per-column ones.
// NONE-LABEL: func.func @qdq_per_tensor
// NONE-SAME: (%[[X:.*]]: tensor<3x2xf32>)
// NONE-DAG: %[[Q:.*]] = ag.constant dense_resource<quantized_weight> : tensor<2x2xui8>
// NONE-DAG: %[[S:.*]] = ag.constant dense<5.000000e-01> : tensor<2xf32>
// NONE-DAG: %[[Z:.*]] = ag.constant dense_resource<quantized_zero_point> : tensor<2xui8>
// NONE: ag.dequant_matmul %[[X]], %[[Q]], %[[S]] zero_point %[[Z]] {axis = 1 : i64}
// NONE-NOT: ag.dequantize
// NONE-NOT: ag.matmul
// NONE: return
func.func @qdq_per_tensor(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %q = ag.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xui8>
  %s = ag.constant dense<0.5> : tensor<f32>
  %z = ag.constant dense<128> : tensor<ui8>
  %w = ag.dequantize %q, %s zero_point %z : (tensor<2x2xui8>, tensor<f32>, tensor<ui8>) -> tensor<2x2xf32>
  %y = ag.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Per output channel of a transposed (N x K) i8 weight: axis 0 there; the
// weight is transposed to K x N: [[1, 3], [2, 4]].
// NONE-LABEL: func.func @qdq_transposed_per_channel
// NONE: %[[Q:.*]] = ag.constant dense_resource<quantized_weight> : tensor<2x2xi8>
// NONE: ag.dequant_matmul %{{.*}}, %[[Q]], %{{.*}} {axis = 1 : i64}
// NONE-NOT: ag.matmul
// NONE: quantized_weight: "0x0100000001030204"
func.func @qdq_transposed_per_channel(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %q = ag.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %s = ag.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %w = ag.dequantize %q, %s : (tensor<2x2xi8>, tensor<2xf32>) -> tensor<2x2xf32>
  %y = ag.matmul %x, %w transpose_rhs : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Must not map: scales per row of K (axis 0 of a K x N weight) are no
// per-output-channel form; a dequantize of a non-constant.
// NONE-LABEL: func.func @qdq_wrong_axis
// NONE-COUNT-2: ag.matmul
// NONE-NOT: ag.dequant_matmul
// NONE: return
func.func @qdq_wrong_axis(%x: tensor<3x2xf32>, %p: tensor<2x2xi8>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %q = ag.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>
  %s = ag.constant dense<[0.5, 0.25]> : tensor<2xf32>
  %w = ag.dequantize %q, %s {axis = 0 : i64} : (tensor<2x2xi8>, tensor<2xf32>) -> tensor<2x2xf32>
  %y = ag.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  %v = ag.dequantize %p, %s {axis = 1 : i64} : (tensor<2x2xi8>, tensor<2xf32>) -> tensor<2x2xf32>
  %z = ag.matmul %x, %v : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y, %z : tensor<3x2xf32>, tensor<3x2xf32>
}
