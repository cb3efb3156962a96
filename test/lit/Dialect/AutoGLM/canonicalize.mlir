// RUN: autoglm-opt %s --split-input-file --canonicalize | FileCheck %s

// One case per fold of the ag dialect, with negative cases where a fold must
// not fire (a broadcast that grows the operand, a non-identity constant).

// CHECK-LABEL: func.func @add_zero
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NOT: ag.add
// CHECK: return %[[X]], %[[X]]
func.func @add_zero(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %zero = ag.constant dense<0.0> : tensor<3xf32>
  %0 = ag.add %x, %zero : tensor<2x3xf32>, tensor<3xf32>
  %1 = ag.add %zero, %x : tensor<3xf32>, tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// The zero broadcasts %x to a larger shape: not an identity.
// CHECK-LABEL: func.func @add_zero_broadcasting
// CHECK: ag.add
func.func @add_zero_broadcasting(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %zero = ag.constant dense<0.0> : tensor<2x3xf32>
  %0 = ag.add %x, %zero : tensor<3xf32>, tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @add_nonzero
// CHECK: ag.add
func.func @add_nonzero(%x: tensor<3xi32>) -> tensor<3xi32> {
  %one = ag.constant dense<1> : tensor<3xi32>
  %0 = ag.add %x, %one : tensor<3xi32>, tensor<3xi32>
  return %0 : tensor<3xi32>
}

// -----

// CHECK-LABEL: func.func @sub_mul_div_pow_identities
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: ag.sub
// CHECK-NOT: ag.mul
// CHECK-NOT: ag.div
// CHECK-NOT: ag.pow
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @sub_mul_div_pow_identities(%x: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %zero = ag.constant dense<0.0> : tensor<f32>
  %one = ag.constant dense<1.0> : tensor<f32>
  %0 = ag.sub %x, %zero : tensor<4xf32>, tensor<f32>
  %1 = ag.mul %x, %one : tensor<4xf32>, tensor<f32>
  %2 = ag.mul %one, %x : tensor<f32>, tensor<4xf32>
  %3 = ag.div %x, %one : tensor<4xf32>, tensor<f32>
  %4 = ag.pow %x, %one : tensor<4xf32>, tensor<f32>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// 0 - x and 1 / x are not identities.
// CHECK-LABEL: func.func @sub_div_left_constant
// CHECK: ag.sub
// CHECK: ag.div
func.func @sub_div_left_constant(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %zero = ag.constant dense<0.0> : tensor<f32>
  %one = ag.constant dense<1.0> : tensor<f32>
  %0 = ag.sub %zero, %x : tensor<f32>, tensor<4xf32>
  %1 = ag.div %one, %x : tensor<f32>, tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @and_or_identities
// CHECK-SAME: (%[[P:.*]]: tensor<4xi1>)
// CHECK-NOT: ag.and
// CHECK-NOT: ag.or
// CHECK: return %[[P]], %[[P]]
func.func @and_or_identities(%p: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>) {
  %t = ag.constant dense<true> : tensor<4xi1>
  %f = ag.constant dense<false> : tensor<4xi1>
  %0 = ag.and %p, %t : tensor<4xi1>, tensor<4xi1>
  %1 = ag.or %f, %p : tensor<4xi1>, tensor<4xi1>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @clamp_unbounded
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[C:.*]] = ag.clamp %[[X]] min
// CHECK: return %[[X]], %[[C]]
func.func @clamp_unbounded(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = ag.clamp %x : tensor<4xf32>
  %1 = ag.clamp %x min 0.0 : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @select_folds
// CHECK-SAME: (%[[C:.*]]: tensor<4xi1>, %[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NOT: ag.select
// CHECK: return %[[A]], %[[A]], %[[B]]
func.func @select_folds(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %t = ag.constant dense<true> : tensor<i1>
  %f = ag.constant dense<false> : tensor<i1>
  %0 = ag.select %c, %a, %a : tensor<4xi1>, tensor<4xf32>, tensor<4xf32>
  %1 = ag.select %t, %a, %b : tensor<i1>, tensor<4xf32>, tensor<4xf32>
  %2 = ag.select %f, %a, %b : tensor<i1>, tensor<4xf32>, tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// A true condition that picks a value needing broadcast is kept.
// CHECK-LABEL: func.func @select_broadcasting
// CHECK: ag.select
func.func @select_broadcasting(%a: tensor<f32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %t = ag.constant dense<true> : tensor<i1>
  %0 = ag.select %t, %a, %b : tensor<i1>, tensor<f32>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @cast_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[H:.*]] = ag.cast %[[X]] : tensor<4xf32> to tensor<4xf16>
// CHECK: return %[[X]], %[[H]]
func.func @cast_same_type(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf16>) {
  %0 = ag.cast %x : tensor<4xf32> to tensor<4xf32>
  %1 = ag.cast %x : tensor<4xf32> to tensor<4xf16>
  return %0, %1 : tensor<4xf32>, tensor<4xf16>
}

// -----

// Over no axes, sum is the identity but sum_square still squares.
// CHECK-LABEL: func.func @reduce_no_axes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[R:.*]] = ag.reduce sum %[[X]] axes [1]
// CHECK: %[[S:.*]] = ag.reduce sum_square %[[X]] axes []
// CHECK: return %[[X]], %[[R]], %[[S]]
func.func @reduce_no_axes(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2xf32>, tensor<2x3xf32>) {
  %0 = ag.reduce sum %x axes [] : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = ag.reduce sum %x axes [1] : tensor<2x3xf32> -> tensor<2xf32>
  %2 = ag.reduce sum_square %x axes [] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<2xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_folds
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[S:.*]] = ag.constant dense<2.000000e+00> : tensor<3x2xf32>
// CHECK-DAG: %[[R:.*]] = ag.reshape %[[X]] : tensor<2x3x4xf32> -> tensor<24xf32>
// CHECK-NOT: ag.reshape
// CHECK: return %[[X]], %[[R]], %[[S]]
func.func @reshape_folds(%x: tensor<2x3x4xf32>)
    -> (tensor<2x3x4xf32>, tensor<24xf32>, tensor<3x2xf32>) {
  %0 = ag.reshape %x : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %1 = ag.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %2 = ag.reshape %1 : tensor<6x4xf32> -> tensor<24xf32>
  %c = ag.constant dense<2.0> : tensor<6xf32>
  %3 = ag.reshape %c : tensor<6xf32> -> tensor<3x2xf32>
  return %0, %2, %3 : tensor<2x3x4xf32>, tensor<24xf32>, tensor<3x2xf32>
}

// -----

// Non-splat constants are left to ag-fold-constants and its size limit.
// CHECK-LABEL: func.func @reshape_dense_constant
// CHECK: ag.reshape
func.func @reshape_dense_constant() -> tensor<2x1xf32> {
  %c = ag.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = ag.reshape %c : tensor<2xf32> -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_folds
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[T:.*]] = ag.transpose %[[X]] [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NOT: ag.transpose
// CHECK: return %[[X]], %[[T]], %[[X]]
func.func @transpose_folds(%x: tensor<2x3x4xf32>)
    -> (tensor<2x3x4xf32>, tensor<4x2x3xf32>, tensor<2x3x4xf32>) {
  %0 = ag.transpose %x [0, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  %1 = ag.transpose %x [1, 0, 2] : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  %2 = ag.transpose %1 [2, 1, 0] : tensor<3x2x4xf32> -> tensor<4x2x3xf32>
  %3 = ag.transpose %1 [1, 0, 2] : tensor<3x2x4xf32> -> tensor<2x3x4xf32>
  return %0, %2, %3 : tensor<2x3x4xf32>, tensor<4x2x3xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @concat_single
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[C:.*]] = ag.concat %[[X]], %[[X]] axis 0
// CHECK: return %[[X]], %[[C]]
func.func @concat_single(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<4x3xf32>) {
  %0 = ag.concat %x axis 1 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = ag.concat %x, %x axis 0 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @slice_full
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[R:.*]] = ag.slice %[[X]] starts [3, 0] sizes [4, 8] steps [-1, 1]
// CHECK: return %[[X]], %[[R]]
func.func @slice_full(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = ag.slice %x starts [0, 0] sizes [4, 8] steps [1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  %1 = ag.slice %x starts [3, 0] sizes [4, 8] steps [-1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @pad_zero
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK: %[[P:.*]] = ag.pad edge %[[X]] pads [0, 1, 0, 0]
// CHECK: return %[[X]], %[[P]]
func.func @pad_zero(%x: tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4x9xf32>) {
  %0 = ag.pad constant %x pads [0, 0, 0, 0] value 3.0 : tensor<4x8xf32> -> tensor<4x8xf32>
  %1 = ag.pad edge %x pads [0, 1, 0, 0] : tensor<4x8xf32> -> tensor<4x9xf32>
  return %0, %1 : tensor<4x8xf32>, tensor<4x9xf32>
}

// -----

// CHECK-LABEL: func.func @expand_folds
// CHECK-SAME: (%[[X:.*]]: tensor<1x3xf32>)
// CHECK-DAG: %[[E:.*]] = ag.expand %[[X]] : tensor<1x3xf32> -> tensor<4x3xf32>
// CHECK-DAG: %[[S:.*]] = ag.constant dense<5> : tensor<4x3xi32>
// CHECK: return %[[X]], %[[E]], %[[S]]
func.func @expand_folds(%x: tensor<1x3xf32>)
    -> (tensor<1x3xf32>, tensor<4x3xf32>, tensor<4x3xi32>) {
  %0 = ag.expand %x : tensor<1x3xf32> -> tensor<1x3xf32>
  %1 = ag.expand %x : tensor<1x3xf32> -> tensor<4x3xf32>
  %c = ag.constant dense<5> : tensor<3xi32>
  %2 = ag.expand %c : tensor<3xi32> -> tensor<4x3xi32>
  return %0, %1, %2 : tensor<1x3xf32>, tensor<4x3xf32>, tensor<4x3xi32>
}

// -----

// A same-shape resize is the identity unless an explicit scale differs
// from 1 (ONNX then samples at other coordinates).
// CHECK-LABEL: func.func @resize_same_shape
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>)
// CHECK: %[[R:.*]] = ag.resize linear %[[X]] :
// CHECK: %[[S:.*]] = ag.resize linear %[[X]] {scales
// CHECK: return %[[X]], %[[R]], %[[S]]
func.func @resize_same_shape(%x: tensor<1x3x8x8xf32>)
    -> (tensor<1x3x8x8xf32>, tensor<1x3x16x16xf32>, tensor<1x3x8x8xf32>) {
  %0 = ag.resize linear %x : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
  %1 = ag.resize linear %x : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  %2 = ag.resize linear %x {scales = array<f64: 1.0, 1.0, 1.1, 1.1>} : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
  return %0, %1, %2 : tensor<1x3x8x8xf32>, tensor<1x3x16x16xf32>, tensor<1x3x8x8xf32>
}

// -----

// An inclusive cumsum over a size-1 axis is the identity; an exclusive one
// (zeros) or one over a longer axis is not.
// CHECK-LABEL: func.func @cumsum_single
// CHECK-SAME: (%[[X:.*]]: tensor<4x1xf32>, %[[Y:.*]]: tensor<4x3xf32>)
// CHECK: %[[E:.*]] = ag.cumsum %[[X]] axis 1 exclusive
// CHECK: %[[L:.*]] = ag.cumsum %[[Y]] axis 1 :
// CHECK: return %[[X]], %[[X]], %[[E]], %[[L]]
func.func @cumsum_single(%x: tensor<4x1xf32>, %y: tensor<4x3xf32>)
    -> (tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x3xf32>) {
  %0 = ag.cumsum %x axis 1 : tensor<4x1xf32>
  %1 = ag.cumsum %x axis 1 reverse : tensor<4x1xf32>
  %2 = ag.cumsum %x axis 1 exclusive : tensor<4x1xf32>
  %3 = ag.cumsum %y axis 1 : tensor<4x3xf32>
  return %0, %1, %2, %3 : tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x3xf32>
}

// -----

// Over a size-1 axis every position is 0.
// CHECK-LABEL: func.func @arg_reduce_single
// CHECK-SAME: (%[[X:.*]]: tensor<4x1xf32>, %[[Y:.*]]: tensor<4x3xf32>)
// CHECK-DAG: %[[Z:.*]] = ag.constant dense<0> : tensor<4xi64>
// CHECK-DAG: %[[ZK:.*]] = ag.constant dense<0> : tensor<4x1xi64>
// CHECK-DAG: %[[A:.*]] = ag.arg_reduce max %[[Y]] axis 1 :
// CHECK: return %[[Z]], %[[ZK]], %[[A]]
func.func @arg_reduce_single(%x: tensor<4x1xf32>, %y: tensor<4x3xf32>)
    -> (tensor<4xi64>, tensor<4x1xi64>, tensor<4xi64>) {
  %0 = ag.arg_reduce max %x axis 1 : tensor<4x1xf32> -> tensor<4xi64>
  %1 = ag.arg_reduce min %x axis 1 keep_dims select_last_index : tensor<4x1xf32> -> tensor<4x1xi64>
  %2 = ag.arg_reduce max %y axis 1 : tensor<4x3xf32> -> tensor<4xi64>
  return %0, %1, %2 : tensor<4xi64>, tensor<4x1xi64>, tensor<4xi64>
}

// -----

// topk with k equal to the axis size still sorts: never folded.
// CHECK-LABEL: func.func @topk_full
// CHECK: ag.topk
func.func @topk_full(%x: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xi64>) {
  %0:2 = ag.topk %x k 8 axis 1 largest sorted : tensor<2x8xf32> -> tensor<2x8xf32>, tensor<2x8xi64>
  return %0#0, %0#1 : tensor<2x8xf32>, tensor<2x8xi64>
}

// -----

// Scatters without any index leave the data unchanged. A scatter_nd whose
// single empty index tuple addresses the whole tensor replaces it: kept.
// CHECK-LABEL: func.func @scatter_no_indices
// CHECK-SAME: (%[[D:.*]]: tensor<4x5xf32>
// CHECK: %[[S:.*]] = ag.scatter_nd %[[D]]
// CHECK-NOT: ag.scatter
// CHECK: return %[[D]], %[[D]], %[[S]]
func.func @scatter_no_indices(%d: tensor<4x5xf32>, %ei: tensor<0x5xi64>,
                              %eu: tensor<0x5xf32>, %ni: tensor<0x1xi64>,
                              %nu: tensor<0x5xf32>, %wi: tensor<0xi64>)
    -> (tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>) {
  %0 = ag.scatter_elements %d, %ei, %eu axis 0 : tensor<4x5xf32>, tensor<0x5xi64>, tensor<0x5xf32>
  %1 = ag.scatter_nd %d, %ni, %nu reduction add : tensor<4x5xf32>, tensor<0x1xi64>, tensor<0x5xf32>
  %2 = ag.scatter_nd %d, %wi, %d : tensor<4x5xf32>, tensor<0xi64>, tensor<4x5xf32>
  return %0, %1, %2 : tensor<4x5xf32>, tensor<4x5xf32>, tensor<4x5xf32>
}

// -----

// CHECK-LABEL: func.func @scatter_kept
// CHECK: ag.scatter_elements
// CHECK: ag.scatter_nd
func.func @scatter_kept(%d: tensor<4x5xf32>, %ei: tensor<2x5xi64>,
                        %eu: tensor<2x5xf32>, %ni: tensor<2x1xi64>)
    -> (tensor<4x5xf32>, tensor<4x5xf32>) {
  %0 = ag.scatter_elements %d, %ei, %eu axis 0 : tensor<4x5xf32>, tensor<2x5xi64>, tensor<2x5xf32>
  %1 = ag.scatter_nd %d, %ni, %eu : tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>
  return %0, %1 : tensor<4x5xf32>, tensor<4x5xf32>
}
