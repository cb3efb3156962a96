// RUN: autoglm-opt %s --split-input-file --ag-to-linalg | FileCheck %s

// Data movement: reshapes as collapse/expand_shape, linalg.transpose,
// insert/extract_slice, tensor.pad, and generics for what has no tensor op
// (negative steps, reflect/edge/wrap padding, broadcasts, resize).

// CHECK-LABEL: func.func @reshape_collapse
// CHECK-SAME: (%[[A:.*]]: tensor<1x16x4x16xf32>)
// CHECK: %[[R:.*]] = tensor.collapse_shape %[[A]] {{\[}}[0], [1], [2, 3]] : tensor<1x16x4x16xf32> into tensor<1x16x64xf32>
// CHECK: return %[[R]]
// CHECK-NOT: ag.
func.func @reshape_collapse(%a: tensor<1x16x4x16xf32>) -> tensor<1x16x64xf32> {
  %0 = ag.reshape %a : tensor<1x16x4x16xf32> -> tensor<1x16x64xf32>
  return %0 : tensor<1x16x64xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_expand
// CHECK: tensor.expand_shape %{{.*}} {{\[}}[0], [1], [2, 3]] output_shape [1, 16, 4, 16]
func.func @reshape_expand(%a: tensor<1x16x64xf32>) -> tensor<1x16x4x16xf32> {
  %0 = ag.reshape %a : tensor<1x16x64xf32> -> tensor<1x16x4x16xf32>
  return %0 : tensor<1x16x4x16xf32>
}

// -----

// Neither a collapse nor an expand: through 1-D.
// CHECK-LABEL: func.func @reshape_general
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [3, 8] : tensor<24xf32> into tensor<3x8xf32>
func.func @reshape_general(%a: tensor<2x3x4xf32>) -> tensor<3x8xf32> {
  %0 = ag.reshape %a : tensor<2x3x4xf32> -> tensor<3x8xf32>
  return %0 : tensor<3x8xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_unsigned
// CHECK-SAME: (%{{.*}}: tensor<6xi8>) -> tensor<2x3xi8>
// CHECK: tensor.expand_shape
func.func @reshape_unsigned(%a: tensor<6xui8>) -> tensor<2x3xui8> {
  %0 = ag.reshape %a : tensor<6xui8> -> tensor<2x3xui8>
  return %0 : tensor<2x3xui8>
}

// -----

// CHECK-LABEL: func.func @transpose
// CHECK-SAME: (%[[A:.*]]: tensor<1x16x4x16xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<1x4x16x16xf32>
// CHECK: linalg.transpose ins(%[[A]] : tensor<1x16x4x16xf32>) outs(%[[INIT]] : tensor<1x4x16x16xf32>) permutation = [0, 2, 1, 3]
func.func @transpose(%a: tensor<1x16x4x16xf32>) -> tensor<1x4x16x16xf32> {
  %0 = ag.transpose %a [0, 2, 1, 3] : tensor<1x16x4x16xf32> -> tensor<1x4x16x16xf32>
  return %0 : tensor<1x4x16x16xf32>
}

// -----

// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x5xf32>)
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [2, 3] [1, 1]
// CHECK: %[[I1:.*]] = tensor.insert_slice %[[B]] into %[[I0]][0, 3] [2, 5] [1, 1]
// CHECK: return %[[I1]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = ag.concat %a, %b axis 1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @slice_positive
// CHECK: tensor.extract_slice %{{.*}}[0, 2] [4, 3] [1, 2] : tensor<4x8xf32> to tensor<4x3xf32>
func.func @slice_positive(%a: tensor<4x8xf32>) -> tensor<4x3xf32> {
  %0 = ag.slice %a starts [0, 2] sizes [4, 3] steps [1, 2] : tensor<4x8xf32> -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// Negative steps read start + i * step.
// CHECK-DAG: #[[$REV:.*]] = affine_map<(d0, d1) -> (d0 * -2 + 3, -d1 + 7)>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @slice_negative
// CHECK: linalg.generic {indexing_maps = [#[[$REV]], #[[$ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: } -> tensor<2x8xf32>
func.func @slice_negative(%a: tensor<4x8xf32>) -> tensor<2x8xf32> {
  %0 = ag.slice %a starts [3, 7] sizes [2, 8] steps [-2, -1] : tensor<4x8xf32> -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// The pad value converts to the element type (200 as ui8 is -56 as i8).
// CHECK-LABEL: func.func @pad_constant
// CHECK: %[[V:.*]] = arith.constant -56 : i8
// CHECK: tensor.pad %{{.*}} low[1, 0] high[0, 2]
// CHECK: tensor.yield %[[V]] : i8
// CHECK: } : tensor<3x4xi8> to tensor<4x6xi8>
func.func @pad_constant(%a: tensor<3x4xui8>) -> tensor<4x6xui8> {
  %0 = ag.pad constant %a pads [1, 0, 0, 2] value 200.0 : tensor<3x4xui8> -> tensor<4x6xui8>
  return %0 : tensor<4x6xui8>
}

// -----

// Negative pads crop first.
// CHECK-LABEL: func.func @pad_crop
// CHECK: %[[C:.*]] = tensor.extract_slice %{{.*}}[1, 0] [2, 4] [1, 1] : tensor<3x4xf32> to tensor<2x4xf32>
// CHECK: tensor.pad %[[C]] low[0, 0] high[0, 1]
func.func @pad_crop(%a: tensor<3x4xf32>) -> tensor<2x5xf32> {
  %0 = ag.pad constant %a pads [-1, 0, 0, 1] : tensor<3x4xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// Reflect: the source index mirrors with period 2 * (size - 1); an unpadded
// dim reads its own index.
// CHECK-LABEL: func.func @pad_reflect
// CHECK-SAME: (%[[A:.*]]: tensor<3x4xf32>)
// CHECK: linalg.generic
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[J:.*]] = linalg.index 1 : index
// CHECK: %[[SHIFTED:.*]] = arith.subi %[[J]], %{{.*}} : index
// CHECK: arith.remsi %[[SHIFTED]]
// CHECK: %[[M:.*]] = arith.remsi
// CHECK: %[[INSIDE:.*]] = arith.cmpi slt, %[[M]]
// CHECK: %[[MIRROR:.*]] = arith.subi %{{.*}}, %[[M]]
// CHECK: %[[SRC:.*]] = arith.select %[[INSIDE]], %[[M]], %[[MIRROR]]
// CHECK: tensor.extract %[[A]][%[[I]], %[[SRC]]] : tensor<3x4xf32>
func.func @pad_reflect(%a: tensor<3x4xf32>) -> tensor<3x7xf32> {
  %0 = ag.pad reflect %a pads [0, 2, 0, 1] : tensor<3x4xf32> -> tensor<3x7xf32>
  return %0 : tensor<3x7xf32>
}

// -----

// Edge clamps the source index to [0, size - 1].
// CHECK-LABEL: func.func @pad_edge
// CHECK: %[[J:.*]] = arith.subi
// CHECK: %[[LAST:.*]] = arith.constant 3 : index
// CHECK: %[[LO:.*]] = arith.maxsi %[[J]], %{{.*}}
// CHECK: %[[SRC:.*]] = arith.minsi %[[LO]], %[[LAST]]
// CHECK: tensor.extract %{{.*}}[%[[SRC]]]
func.func @pad_edge(%a: tensor<4xf32>) -> tensor<6xf32> {
  %0 = ag.pad edge %a pads [1, 1] : tensor<4xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// CHECK-DAG: #[[$IN:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @expand
// CHECK: linalg.generic {indexing_maps = [#[[$IN]], #[[$OUT]]]
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: linalg.yield %[[X]]
func.func @expand(%a: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = ag.expand %a : tensor<3x1xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Nearest resize: per resized dim a table of source indices, computed at
// compile time; the other dims read their own index.
// CHECK-DAG: #[[$H:.*]] = affine_map<(d0, d1, d2, d3) -> (d2)>
// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-LABEL: func.func @resize_nearest
// CHECK-SAME: (%[[A:.*]]: tensor<1x1x2x2xf32>)
// CHECK: %[[TH:.*]] = arith.constant dense<[0, 0, 1, 1]> : tensor<4xi64>
// CHECK: %[[TW:.*]] = arith.constant dense<[0, 0, 1, 1]> : tensor<4xi64>
// CHECK: linalg.generic {indexing_maps = [#[[$H]], #[[$W]], #{{.*}}]
// CHECK-SAME: ins(%[[TH]], %[[TW]] : tensor<4xi64>, tensor<4xi64>)
// CHECK: ^bb0(%[[IH:.*]]: i64, %[[IW:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[N:.*]] = linalg.index 0
// CHECK: %[[C:.*]] = linalg.index 1
// CHECK: %[[Y:.*]] = arith.index_cast %[[IH]] : i64 to index
// CHECK: %[[X:.*]] = arith.index_cast %[[IW]] : i64 to index
// CHECK: tensor.extract %[[A]][%[[N]], %[[C]], %[[Y]], %[[X]]]
func.func @resize_nearest(%a: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %0 = ag.resize nearest %a coordinate_mode asymmetric nearest_mode floor : tensor<1x1x2x2xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Linear resize: per interpolated dim an index table and a weight table per
// tap (floor and floor + 1); the result is the weighted sum of the reads.
// CHECK-LABEL: func.func @resize_linear
// CHECK-SAME: (%[[A:.*]]: tensor<1x1x2x2xf32>)
// CHECK-DAG: %[[LO:.*]] = arith.constant dense<[0, 0, 0, 1]> : tensor<4xi64>
// CHECK-DAG: %[[HI:.*]] = arith.constant dense<1> : tensor<4xi64>
// CHECK-DAG: %[[WLO:.*]] = arith.constant dense<[1.000000e+00, 0.666666686, 0.333333343, 1.000000e+00]> : tensor<4xf32>
// CHECK-DAG: %[[WHI:.*]] = arith.constant dense<[0.000000e+00, 0.333333343, 0.666666686, 0.000000e+00]> : tensor<4xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[LO]], %[[HI]], %[[WLO]], %[[WHI]] :
// CHECK: ^bb0(%[[ILO:.*]]: i64, %[[IHI:.*]]: i64, %[[W0:.*]]: f32, %[[W1:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[XLO:.*]] = arith.index_cast %[[ILO]] : i64 to index
// CHECK: %[[XHI:.*]] = arith.index_cast %[[IHI]] : i64 to index
// CHECK: %[[E0:.*]] = tensor.extract %[[A]][%{{.*}}, %{{.*}}, %{{.*}}, %[[XLO]]]
// CHECK: %[[T0:.*]] = arith.mulf %[[W0]], %[[E0]]
// CHECK: %[[E1:.*]] = tensor.extract %[[A]][%{{.*}}, %{{.*}}, %{{.*}}, %[[XHI]]]
// CHECK: %[[T1:.*]] = arith.mulf %[[W1]], %[[E1]]
// CHECK: arith.addf %[[T0]], %[[T1]]
func.func @resize_linear(%a: tensor<1x1x2x2xf32>) -> tensor<1x1x2x4xf32> {
  %0 = ag.resize linear %a coordinate_mode align_corners : tensor<1x1x2x2xf32> -> tensor<1x1x2x4xf32>
  return %0 : tensor<1x1x2x4xf32>
}

// -----

// With explicit scales, align_corners maps through the unrounded output
// length (4 * 0.6 = 2.4), as ONNX does: x = 1 reads 1 * 3 / 1.4 = 2.142857.
// CHECK-LABEL: func.func @resize_scales_align_corners
// CHECK-DAG: arith.constant dense<[0, 2]> : tensor<2xi64>
// CHECK-DAG: arith.constant dense<[1, 3]> : tensor<2xi64>
// CHECK-DAG: arith.constant dense<[1.000000e+00, 0.857142{{[0-9]*}}]> : tensor<2xf32>
// CHECK-DAG: arith.constant dense<[0.000000e+00, 0.142857{{[0-9]*}}]> : tensor<2xf32>
func.func @resize_scales_align_corners(%a: tensor<1x1x2x4xf32>) -> tensor<1x1x1x2xf32> {
  %0 = ag.resize linear %a coordinate_mode align_corners {scales = array<f64: 1.0, 1.0, 0.6, 0.6>} : tensor<1x1x2x4xf32> -> tensor<1x1x1x2xf32>
  return %0 : tensor<1x1x1x2xf32>
}

// -----

// Cubic: four taps (floor - 1 .. floor + 2, clamped to the edge) with
// ONNX's cubic convolution weights (cubic_coeff_a -0.75).
// CHECK-LABEL: func.func @resize_cubic
// x = 1 reads 0.5: taps 0, 0, 1, 2 with weights -0.09375, 0.59375, 0.59375,
// -0.09375 (x = 0 reads 0 exactly: weight 1 on the floor tap).
// CHECK-DAG: arith.constant dense<0> : tensor<4xi64>
// CHECK-DAG: arith.constant dense<[0, 0, 1, 1]> : tensor<4xi64>
// CHECK-DAG: arith.constant dense<[1, 1, 2, 2]> : tensor<4xi64>
// CHECK-DAG: arith.constant dense<[2, 2, 3, 3]> : tensor<4xi64>
// CHECK-DAG: arith.constant dense<[1.000000e+00, 5.937500e-01, 1.000000e+00, 5.937500e-01]> : tensor<4xf32>
// CHECK-DAG: arith.constant dense<[0.000000e+00, 5.937500e-01, 0.000000e+00, 5.937500e-01]> : tensor<4xf32>
// CHECK: linalg.generic
// CHECK-COUNT-4: tensor.extract
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @resize_cubic(%a: tensor<1x1x1x4xf32>) -> tensor<1x1x1x4xf32> {
  %0 = ag.resize cubic %a coordinate_mode asymmetric {scales = array<f64: 1.0, 1.0, 1.0, 2.0>} : tensor<1x1x1x4xf32> -> tensor<1x1x1x4xf32>
  return %0 : tensor<1x1x1x4xf32>
}
