// RUN: autoglm-opt %s --split-input-file --ag-prune-dead-subgraphs | FileCheck %s
// RUN: autoglm-opt %s --split-input-file --ag-prune-dead-subgraphs=prune-constants=false | FileCheck %s --check-prefix=KEEP

// ag-prune-dead-subgraphs: side-effect-free ops and constants whose results
// reach no function result are erased, whole chains at once; function
// arguments and everything a result depends on stay.
// Its statistics are checked in pass-statistics.mlir.

// A dead chain (constant -> exp -> mul) goes entirely; the live op stays.
// CHECK-LABEL: func.func @dead_chain
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: ag.constant
// CHECK-NOT: ag.exp
// CHECK-NOT: ag.mul
// CHECK: %[[Y:.*]] = ag.neg %[[X]]
// CHECK-NEXT: return %[[Y]]
// KEEP-LABEL: func.func @dead_chain
// KEEP: ag.constant dense<2.000000e+00> : tensor<4xf32>
// KEEP-NOT: ag.exp
// KEEP-NOT: ag.mul
// KEEP: ag.neg
func.func @dead_chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = ag.constant dense<2.0> : tensor<4xf32>
  %e = ag.exp %c : tensor<4xf32>
  %m = ag.mul %e, %x : tensor<4xf32>, tensor<4xf32>
  %y = ag.neg %x : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// A chain with one use that reaches a result stays whole, including the
// constant it reads; only the dead branch hanging off it goes.
// CHECK-LABEL: func.func @live_chain
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[C:.*]] = ag.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00]>
// CHECK: %[[A:.*]] = ag.add %[[X]], %[[C]]
// CHECK-NOT: ag.tanh
// CHECK: %[[E:.*]] = ag.exp %[[A]]
// CHECK-NEXT: return %[[E]]
func.func @live_chain(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = ag.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %a = ag.add %x, %c : tensor<4xf32>, tensor<4xf32>
  %t = ag.tanh %a : tensor<4xf32>
  %e = ag.exp %a : tensor<4xf32>
  return %e : tensor<4xf32>
}

// -----

// An unused function argument stays: the user declared it. Its dead user
// goes.
// CHECK-LABEL: func.func @unused_argument
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %{{.*}}: tensor<2x3xi64>) -> tensor<4xf32>
// CHECK-NOT: ag.reshape
// CHECK-NEXT: return %[[X]]
func.func @unused_argument(%x: tensor<4xf32>, %unused: tensor<2x3xi64>) -> tensor<4xf32> {
  %r = ag.reshape %unused : tensor<2x3xi64> -> tensor<6xi64>
  return %x : tensor<4xf32>
}

// -----

// Unused initializers go whatever their form: a dense_resource weight (its
// blob leaves the written resources too, so the artifact's weights shrink),
// a splat, an i1 mask. The weight that is used stays.
// CHECK-LABEL: func.func @unused_initializers
// CHECK-NOT: dense_resource<unused_weight>
// CHECK-NOT: dense<0.000000e+00> : tensor<64x64xf16>
// CHECK-NOT: tensor<8xi1>
// CHECK: %[[W:.*]] = ag.constant dense_resource<used_weight> : tensor<2xf32>
// CHECK: %[[R:.*]] = ag.reshape %[[W]]
// CHECK: ag.matmul %{{.*}}, %[[R]]
// CHECK: dialect_resources
// CHECK-NOT: unused_weight
// CHECK: used_weight
// CHECK-NOT: unused_weight
// KEEP-LABEL: func.func @unused_initializers
// KEEP-DAG: dense_resource<unused_weight>
// KEEP-DAG: dense<0.000000e+00> : tensor<64x64xf16>
// KEEP-DAG: dense<true> : tensor<8xi1>
func.func @unused_initializers(%x: tensor<3x2xf32>) -> tensor<3x1xf32> {
  %u = ag.constant dense_resource<unused_weight> : tensor<4xf32>
  %z = ag.constant dense<0.0> : tensor<64x64xf16>
  %b = ag.constant dense<true> : tensor<8xi1>
  %w = ag.constant dense_resource<used_weight> : tensor<2xf32>
  %w2 = ag.reshape %w : tensor<2xf32> -> tensor<2x1xf32>
  %y = ag.matmul %x, %w2 : (tensor<3x2xf32>, tensor<2x1xf32>) -> tensor<3x1xf32>
  return %y : tensor<3x1xf32>
}
{-#
  dialect_resources: {
    builtin: {
      unused_weight: "0x040000000000803F000000400000404000008040",
      used_weight: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// Nothing dead: nothing changes (multiple results, each reaching a result).
// CHECK-LABEL: func.func @nothing_dead
// CHECK: ag.topk
// CHECK: return
func.func @nothing_dead(%x: tensor<8xf32>) -> (tensor<2xf32>, tensor<2xi64>) {
  %v, %i = ag.topk %x k 2 axis 0 largest sorted : tensor<8xf32> -> tensor<2xf32>, tensor<2xi64>
  return %v, %i : tensor<2xf32>, tensor<2xi64>
}

