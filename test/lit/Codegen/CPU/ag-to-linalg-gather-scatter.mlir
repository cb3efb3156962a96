// RUN: autoglm-opt %s --split-input-file --ag-to-linalg | FileCheck %s

// Gathers: a linalg.generic over the result whose body normalizes the index
// (index + dim when negative) and reads the source with tensor.extract.
// Scatters: scf.for nests over the updates carrying the result tensor.

// CHECK-DAG: #[[$IDX:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @gather
// CHECK-SAME: (%[[T:.*]]: tensor<5x4xf32>, %[[I:.*]]: tensor<2x3xi64>)
// CHECK: linalg.generic {indexing_maps = [#[[$IDX]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[I]] : tensor<2x3xi64>)
// CHECK: ^bb0(%[[IN:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[X:.*]] = arith.index_cast %[[IN]] : i64 to index
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[DIM:.*]] = arith.constant 5 : index
// CHECK: %[[NEG:.*]] = arith.cmpi slt, %[[X]], %[[ZERO]]
// CHECK: %[[WRAPPED:.*]] = arith.addi %[[X]], %[[DIM]]
// CHECK: %[[ROW:.*]] = arith.select %[[NEG]], %[[WRAPPED]], %[[X]]
// CHECK: %[[COL:.*]] = linalg.index 2
// CHECK: %[[E:.*]] = tensor.extract %[[T]][%[[ROW]], %[[COL]]] : tensor<5x4xf32>
// CHECK: linalg.yield %[[E]]
// CHECK-NOT: ag.
func.func @gather(%t: tensor<5x4xf32>, %i: tensor<2x3xi64>) -> tensor<2x3x4xf32> {
  %0 = ag.gather %t, %i axis 0 : (tensor<5x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A middle axis: dims before it, the index, the dims after it.
// CHECK-DAG: #[[$IDX:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @gather_axis1
// CHECK: linalg.generic {indexing_maps = [#[[$IDX]], #{{.*}}]
// CHECK: %[[A:.*]] = linalg.index 0
// CHECK: %[[C:.*]] = linalg.index 2
// CHECK: tensor.extract %{{.*}}[%[[A]], %{{.*}}, %[[C]]] : tensor<2x3x4xf32>
func.func @gather_axis1(%t: tensor<2x3x4xf32>, %i: tensor<5xsi32>) -> tensor<2x5x4xf32> {
  %0 = ag.gather %t, %i axis 1 : (tensor<2x3x4xf32>, tensor<5xsi32>) -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}

// -----

// CHECK-LABEL: func.func @gather_elements
// CHECK: ^bb0(%[[IN:.*]]: i32, %{{.*}}: f32):
// CHECK: %[[R:.*]] = linalg.index 0
// CHECK: arith.index_cast %[[IN]] : i32 to index
// CHECK: %[[COL:.*]] = arith.select
// CHECK: tensor.extract %{{.*}}[%[[R]], %[[COL]]] : tensor<3x4xf32>
func.func @gather_elements(%x: tensor<3x4xf32>, %i: tensor<3x2xi32>) -> tensor<3x2xf32> {
  %0 = ag.gather_elements %x, %i axis 1 : (tensor<3x4xf32>, tensor<3x2xi32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// gather_nd reads each index of the tuple from the indices tensor.
// CHECK-LABEL: func.func @gather_nd
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[I:.*]]: tensor<5x2xi64>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<5x4xf32>)
// CHECK: %[[T:.*]] = linalg.index 0
// CHECK: %[[J0:.*]] = arith.constant 0 : index
// CHECK: tensor.extract %[[I]][%[[T]], %[[J0]]]
// CHECK: %[[J1:.*]] = arith.constant 1 : index
// CHECK: tensor.extract %[[I]][%[[T]], %[[J1]]]
// CHECK: %[[REST:.*]] = linalg.index 1
// CHECK: tensor.extract %[[X]][%{{.*}}, %{{.*}}, %[[REST]]] : tensor<2x3x4xf32>
func.func @gather_nd(%x: tensor<2x3x4xf32>, %i: tensor<5x2xi64>) -> tensor<5x4xf32> {
  %0 = ag.gather_nd %x, %i : (tensor<2x3x4xf32>, tensor<5x2xi64>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

// scatter_elements: one tensor.insert per update, on the data it carries.
// CHECK-LABEL: func.func @scatter_elements
// CHECK-SAME: (%[[D:.*]]: tensor<3x4xf32>, %[[I:.*]]: tensor<2x4xi64>, %[[U:.*]]: tensor<2x4xf32>)
// CHECK: %[[R:.*]] = scf.for %[[P:.*]] = {{.*}} iter_args(%[[ACC0:.*]] = %[[D]])
// CHECK: scf.for %[[Q:.*]] = {{.*}} iter_args(%[[ACC:.*]] = %[[ACC0]])
// CHECK: %[[UP:.*]] = tensor.extract %[[U]][%[[P]], %[[Q]]]
// CHECK: %[[IDX:.*]] = tensor.extract %[[I]][%[[P]], %[[Q]]]
// CHECK: %[[ROW:.*]] = arith.select
// CHECK: %[[NEW:.*]] = tensor.insert %[[UP]] into %[[ACC]][%[[ROW]], %[[Q]]]
// CHECK: scf.yield %[[NEW]]
// CHECK: return %[[R]]
func.func @scatter_elements(%d: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf32>) -> tensor<3x4xf32> {
  %0 = ag.scatter_elements %d, %i, %u axis 0 : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// A reduction combines the update with the element it lands on.
// CHECK-LABEL: func.func @scatter_elements_max_unsigned
// CHECK: scf.for
// CHECK: scf.for {{.*}} iter_args(%[[ACC:.*]] = %{{.*}})
// CHECK: %[[UP:.*]] = tensor.extract %{{.*}} : tensor<3x4xi8>
// CHECK: %[[OLD:.*]] = tensor.extract %[[ACC]][%{{.*}}, %{{.*}}] : tensor<3x4xi8>
// CHECK: %[[M:.*]] = arith.maxui %[[OLD]], %[[UP]] : i8
// CHECK: tensor.insert %[[M]]
func.func @scatter_elements_max_unsigned(%d: tensor<3x4xui8>, %i: tensor<3x4xi64>, %u: tensor<3x4xui8>) -> tensor<3x4xui8> {
  %0 = ag.scatter_elements %d, %i, %u axis 1 reduction max : tensor<3x4xui8>, tensor<3x4xi64>, tensor<3x4xui8>
  return %0 : tensor<3x4xui8>
}

// -----

// scatter_nd: loops over the updates; the index tuple addresses the leading
// data dims, the inner loop indices the rest.
// CHECK-LABEL: func.func @scatter_nd
// CHECK-SAME: (%[[D:.*]]: tensor<4x5xf32>, %[[I:.*]]: tensor<2x1xi64>, %[[U:.*]]: tensor<2x5xf32>)
// CHECK: scf.for %[[P:.*]] = {{.*}} iter_args(%[[ACC0:.*]] = %[[D]])
// CHECK: scf.for %[[Q:.*]] = {{.*}} iter_args(%[[ACC:.*]] = %[[ACC0]])
// CHECK: %[[UP:.*]] = tensor.extract %[[U]][%[[P]], %[[Q]]]
// CHECK: tensor.extract %[[I]][%[[P]], %{{.*}}] : tensor<2x1xi64>
// CHECK: %[[ROW:.*]] = arith.select
// CHECK: %[[OLD:.*]] = tensor.extract %[[ACC]][%[[ROW]], %[[Q]]]
// CHECK: %[[SUM:.*]] = arith.addf %[[OLD]], %[[UP]]
// CHECK: tensor.insert %[[SUM]] into %[[ACC]][%[[ROW]], %[[Q]]]
func.func @scatter_nd(%d: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2x5xf32>) -> tensor<4x5xf32> {
  %0 = ag.scatter_nd %d, %i, %u reduction add : tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>
  return %0 : tensor<4x5xf32>
}
