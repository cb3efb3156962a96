// RUN: autoglm-opt %s --split-input-file --ag-to-linalg | FileCheck %s

// matmul, conv, conv_transpose and pool: named linalg ops where the layout
// and attributes match exactly, linalg.generic otherwise. Padding is a
// tensor.pad before the op; a bias is the broadcast initial accumulator.

// CHECK-LABEL: func.func @matmul_2d
// CHECK-SAME: (%[[A:.*]]: tensor<4x8xf32>, %[[B:.*]]: tensor<8x16xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<4x16xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<4x16xf32>)
// CHECK: %[[R:.*]] = linalg.matmul ins(%[[A]], %[[B]] : tensor<4x8xf32>, tensor<8x16xf32>) outs(%[[INIT]] : tensor<4x16xf32>)
// CHECK: return %[[R]]
// CHECK-NOT: ag.
func.func @matmul_2d(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>) -> tensor<4x16xf32> {
  %0 = ag.matmul %a, %b : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// A 2-D rhs: the lhs batch dims fold into M; transpose_rhs is an indexing
// map of linalg.matmul; the bias broadcast is the accumulator.
// CHECK-DAG: #[[$BIAS:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[$RHST:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @matmul_flatten_bias_transpose
// CHECK-SAME: (%[[A:.*]]: tensor<2x4x8xf32>, %[[B:.*]]: tensor<16x8xf32>, %[[C:.*]]: tensor<16xf32>)
// CHECK: %[[BIASED:.*]] = linalg.generic {indexing_maps = [#[[$BIAS]], #{{.*}}]
// CHECK-SAME: ins(%[[C]] : tensor<16xf32>)
// CHECK: %[[A2:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<2x4x8xf32> into tensor<8x8xf32>
// CHECK: %[[INIT:.*]] = tensor.collapse_shape %[[BIASED]] {{\[}}[0, 1], [2]] : tensor<2x4x16xf32> into tensor<8x16xf32>
// CHECK: %[[MM:.*]] = linalg.matmul indexing_maps = [#[[$LHS]], #[[$RHST]], #[[$OUT]]] ins(%[[A2]], %[[B]] : tensor<8x8xf32>, tensor<16x8xf32>) outs(%[[INIT]] : tensor<8x16xf32>)
// CHECK: tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2]] output_shape [2, 4, 16]
func.func @matmul_flatten_bias_transpose(%a: tensor<2x4x8xf32>, %b: tensor<16x8xf32>, %c: tensor<16xf32>) -> tensor<2x4x16xf32> {
  %0 = ag.matmul %a, %b bias %c transpose_rhs : (tensor<2x4x8xf32>, tensor<16x8xf32>, tensor<16xf32>) -> tensor<2x4x16xf32>
  return %0 : tensor<2x4x16xf32>
}

// -----

// Equal batch dims fold into one for linalg.batch_matmul.
// CHECK-LABEL: func.func @matmul_batch
// CHECK-DAG: %[[A3:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2], [3]] : tensor<2x3x4x8xf32> into tensor<6x4x8xf32>
// CHECK-DAG: %[[B3:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2], [3]] : tensor<2x3x8x5xf32> into tensor<6x8x5xf32>
// CHECK: %[[MM:.*]] = linalg.batch_matmul ins(%[[A3]], %[[B3]] : tensor<6x4x8xf32>, tensor<6x8x5xf32>)
// CHECK: tensor.expand_shape %[[MM]] {{\[}}[0, 1], [2], [3]] output_shape [2, 3, 4, 5]
func.func @matmul_batch(%a: tensor<2x3x4x8xf32>, %b: tensor<2x3x8x5xf32>) -> tensor<2x3x4x5xf32> {
  %0 = ag.matmul %a, %b : (tensor<2x3x4x8xf32>, tensor<2x3x8x5xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// -----

// Broadcast batch dims: a generic over (b, m, n, k) with the size-1 batch
// dim read at 0.
// CHECK-DAG: #[[$LHS:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[$RHS:.*]] = affine_map<(d0, d1, d2, d3) -> (0, d3, d2)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @matmul_broadcast
// CHECK: linalg.generic {indexing_maps = [#[[$LHS]], #[[$RHS]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: ^bb0(%[[X:.*]]: i32, %[[Y:.*]]: i32, %[[ACC:.*]]: i32):
// CHECK: %[[P:.*]] = arith.muli %[[X]], %[[Y]]
// CHECK: %[[S:.*]] = arith.addi %[[ACC]], %[[P]]
// CHECK: linalg.yield %[[S]]
func.func @matmul_broadcast(%a: tensor<3x4x8xi32>, %b: tensor<1x8x5xi32>) -> tensor<3x4x5xi32> {
  %0 = ag.matmul %a, %b : (tensor<3x4x8xi32>, tensor<1x8x5xi32>) -> tensor<3x4x5xi32>
  return %0 : tensor<3x4x5xi32>
}

// -----

// CHECK-DAG: #[[$BIAS:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @conv_2d
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<16x3x3x3xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[PAD:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK: } : tensor<1x3x8x8xf32> to tensor<1x3x9x9xf32>
// CHECK: %[[INIT:.*]] = linalg.generic {indexing_maps = [#[[$BIAS]], #{{.*}}]{{.*}} ins(%[[B]] : tensor<16xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[PAD]], %[[W]] : tensor<1x3x9x9xf32>, tensor<16x3x3x3xf32>) outs(%[[INIT]] : tensor<1x16x4x4xf32>)
func.func @conv_2d(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>) -> tensor<1x16x4x4xf32> {
  %0 = ag.conv %x, %w bias %b strides [2, 2] dilations [1, 1] pads [1, 1, 0, 0] groups 1 : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x4x4xf32>
  return %0 : tensor<1x16x4x4xf32>
}

// -----

// Groups: channels split into N x G x C/G x H x W for conv_2d_ngchw_gfchw.
// CHECK-LABEL: func.func @conv_grouped
// CHECK-DAG: %[[INIT:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 3, 4, 4]
// CHECK-DAG: %[[X:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 6, 6]
// CHECK-DAG: %[[W:.*]] = tensor.expand_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3]
// CHECK: %[[C:.*]] = linalg.conv_2d_ngchw_gfchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[X]], %[[W]] : {{.*}}) outs(%[[INIT]] : tensor<1x2x3x4x4xf32>)
// CHECK: tensor.collapse_shape %[[C]] {{\[}}[0], [1, 2], [3], [4]] : tensor<1x2x3x4x4xf32> into tensor<1x6x4x4xf32>
func.func @conv_grouped(%x: tensor<1x4x6x6xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %0 = ag.conv %x, %w strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] groups 2 : (tensor<1x4x6x6xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv_depthwise
// CHECK: %[[W:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3]] : tensor<4x1x3x3xf32> into tensor<4x3x3xf32>
// CHECK: linalg.depthwise_conv_2d_nchw_chw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%{{.*}}, %[[W]] : tensor<1x4x6x6xf32>, tensor<4x3x3xf32>)
func.func @conv_depthwise(%x: tensor<1x4x6x6xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32> {
  %0 = ag.conv %x, %w strides [1, 1] dilations [2, 2] pads [0, 0, 0, 0] groups 4 : (tensor<1x4x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x2x2xf32>
  return %0 : tensor<1x4x2x2xf32>
}

// -----

// No named op for grouped 1-D conv: a generic over (n, g, f, o, c, k).
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4, d3 * 2 + d5 * 3)>
// CHECK-DAG: #[[$FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d4, d5)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_1d_grouped
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$FILTER]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3]] : tensor<1x2x3x2xf32> into tensor<1x6x2xf32>
func.func @conv_1d_grouped(%x: tensor<1x4x9xf32>, %w: tensor<6x2x3xf32>) -> tensor<1x6x2xf32> {
  %0 = ag.conv %x, %w strides [2] dilations [3] pads [0, 0] groups 2 : (tensor<1x4x9xf32>, tensor<6x2x3xf32>) -> tensor<1x6x2xf32>
  return %0 : tensor<1x6x2xf32>
}

// -----

// conv_transpose: zeros between input elements (stride 2), padded by
// K - 1 - pad, convolved at stride 1 with the filter flipped and transposed.
// CHECK-DAG: #[[$FLIP:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, -d3 + 2, -d4 + 2)>
// CHECK-LABEL: func.func @conv_transpose
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x3x3xf32>, %[[W:.*]]: tensor<2x4x3x3xf32>)
// CHECK: %[[Z:.*]] = linalg.fill {{.*}} -> tensor<1x2x5x5xf32>
// CHECK: %[[D:.*]] = tensor.insert_slice %[[X]] into %[[Z]][0, 0, 0, 0] [1, 2, 3, 3] [1, 1, 2, 2]
// CHECK: %[[P:.*]] = tensor.pad %[[D]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<1x2x5x5xf32> to tensor<1x2x7x7xf32>
// CHECK: %[[G:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [1, 2, 4, 3, 3]
// CHECK: %[[F:.*]] = linalg.generic {indexing_maps = [#[[$FLIP]], #{{.*}}]{{.*}} ins(%[[G]] : tensor<1x2x4x3x3xf32>)
// CHECK: %[[FF:.*]] = tensor.collapse_shape %[[F]] {{\[}}[0, 1], [2], [3], [4]] : tensor<1x4x2x3x3xf32> into tensor<4x2x3x3xf32>
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%[[P]], %[[FF]] : tensor<1x2x7x7xf32>, tensor<4x2x3x3xf32>)
func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<2x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
  %0 = ag.conv_transpose %x, %w strides [2, 2] dilations [1, 1] pads [1, 1, 1, 1] output_padding [0, 0] groups 1 : (tensor<1x2x3x3xf32>, tensor<2x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

// Max pool pads with -inf, so padding never wins.
// CHECK-LABEL: func.func @pool_max
// CHECK: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.yield %[[NEGINF]]
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x3x3xf32>)
// CHECK: %[[WIN:.*]] = tensor.empty() : tensor<3x3xf32>
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%[[P]], %[[WIN]] : tensor<1x2x7x7xf32>, tensor<3x3xf32>) outs(%[[INIT]] : tensor<1x2x3x3xf32>)
func.func @pool_max(%x: tensor<1x2x5x5xf32>) -> tensor<1x2x3x3xf32> {
  %0 = ag.pool max %x kernel [3, 3] strides [2, 2] dilations [1, 1] pads [1, 1, 1, 1] : tensor<1x2x5x5xf32> -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Average pool: a zero-padded sum divided by the count of input elements in
// each window (pads excluded), known per position at compile time.
// CHECK-DAG: #[[$COUNT:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @pool_avg_ceil
// CHECK: %[[P:.*]] = tensor.pad %{{.*}} low[0, 0, 1] high[0, 0, 0]
// CHECK: %[[SUM:.*]] = linalg.pooling_ncw_sum {dilations = dense<1> : tensor<1xi64>, strides = dense<2> : tensor<1xi64>} ins(%[[P]], %{{.*}} : tensor<1x1x7xf32>, tensor<3xf32>)
// CHECK: %[[COUNTS:.*]] = arith.constant dense<[2.000000e+00, 3.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$COUNT]], #{{.*}}]{{.*}} ins(%[[SUM]], %[[COUNTS]] : tensor<1x1x3xf32>, tensor<3xf32>)
// CHECK: arith.divf
func.func @pool_avg_ceil(%x: tensor<1x1x6xf32>) -> tensor<1x1x3xf32> {
  %0 = ag.pool avg %x kernel [3] strides [2] dilations [1] pads [1, 0] ceil_mode : tensor<1x1x6xf32> -> tensor<1x1x3xf32>
  return %0 : tensor<1x1x3xf32>
}

// -----

// With count_include_pad the pads count.
// CHECK-LABEL: func.func @pool_avg_include_pad
// CHECK: arith.constant dense<3.000000e+00> : tensor<3xf32>
func.func @pool_avg_include_pad(%x: tensor<1x1x5xf32>) -> tensor<1x1x3xf32> {
  %0 = ag.pool avg %x kernel [3] strides [2] dilations [1] pads [1, 1] count_include_pad : tensor<1x1x5xf32> -> tensor<1x1x3xf32>
  return %0 : tensor<1x1x3xf32>
}

// -----

// No named NCDHW pooling op: a generic over (n, c, o..., k...).
// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d2 * 2 + d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-DAG: #[[$WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d5, d6, d7)>
// CHECK-LABEL: func.func @pool_3d
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$WIN]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK: arith.maximumf
func.func @pool_3d(%x: tensor<1x1x4x4x4xf32>) -> tensor<1x1x2x2x2xf32> {
  %0 = ag.pool max %x kernel [2, 2, 2] strides [2, 2, 2] dilations [1, 1, 1] pads [0, 0, 0, 0, 0, 0] : tensor<1x1x4x4x4xf32> -> tensor<1x1x2x2x2xf32>
  return %0 : tensor<1x1x2x2x2xf32>
}
