// RUN: autoglm-opt --canonicalize --cse %autoglm_src/models/mlp/mlp.mlir | FileCheck %s

// The bundled MLP (README's main job): canonicalization drops the exporter
// leftovers (reshape to the same shape, transpose pair, multiply by one) and
// keeps the two matmuls, relu and softmax.

// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[IN:.*]]: tensor<1x64xf32>)
// CHECK-NOT: ag.reshape
// CHECK: %[[H:.*]] = ag.matmul %[[IN]], %{{.*}} bias %{{.*}} transpose_rhs
// CHECK: %[[A:.*]] = ag.relu %[[H]]
// CHECK-NOT: ag.mul
// CHECK-NOT: ag.transpose
// CHECK: %[[L:.*]] = ag.matmul %[[A]], %{{.*}} bias %{{.*}} transpose_rhs
// CHECK: %[[P:.*]] = ag.softmax %[[L]] axis 1
// CHECK: return %[[P]]
