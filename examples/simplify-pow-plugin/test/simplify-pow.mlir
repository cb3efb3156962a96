// RUN: autoglm-opt %s --split-input-file --load-pass-plugin=%plugin --ag-example-simplify-pow | FileCheck %s
// RUN: autoglm-opt %s --split-input-file --load-pass-plugin=%plugin --ag-example-simplify-pow --mlir-pass-statistics 2>&1 >/dev/null | FileCheck %s --check-prefix=STATS

// ag-example-simplify-pow, loaded from the plug-in: pow by a constant splat
// 2 becomes a multiply, by 0.5 a square root; everything else stays.

// CHECK-LABEL: func.func @square
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>)
// CHECK-NOT: ag.pow
// CHECK: %[[Y:.*]] = ag.mul %[[X]], %[[X]] : tensor<4x8xf32>, tensor<4x8xf32>
// CHECK-NEXT: return %[[Y]]
// The plug-in's statistics count (autoglm::PassStatistic, not the no-op
// mlir::Pass::Statistic of the release libMLIR).
// STATS: ... Pass statistics report ...
// STATS: 'func.func' Pipeline
// STATS-NEXT: SimplifyPowPass
// STATS-NEXT: (S) 1 pow-to-mul  - Number of pow(x, 2) made x * x
// STATS-NEXT: (S) 0 pow-to-sqrt - Number of pow(x, 0.5) made sqrt(x)
func.func @square(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %two = ag.constant dense<2.0> : tensor<f32>
  %y = ag.pow %x, %two : tensor<4x8xf32>, tensor<f32>
  return %y : tensor<4x8xf32>
}

// -----

// A full-shape splat exponent counts too; 0.5 is a square root.
// CHECK-LABEL: func.func @square_root
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NOT: ag.pow
// CHECK: %[[Y:.*]] = ag.sqrt %[[X]] : tensor<4xf32>
// CHECK-NEXT: return %[[Y]]
// STATS: (S) 0 pow-to-mul
// STATS-NEXT: (S) 1 pow-to-sqrt
func.func @square_root(%x: tensor<4xf32>) -> tensor<4xf32> {
  %half = ag.constant dense<0.5> : tensor<4xf32>
  %y = ag.pow %x, %half : tensor<4xf32>, tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Must not fire: the exponent is not a constant.
// CHECK-LABEL: func.func @variable_exponent
// CHECK: ag.pow
// CHECK-NOT: ag.mul
func.func @variable_exponent(%x: tensor<4xf32>, %e: tensor<4xf32>) -> tensor<4xf32> {
  %y = ag.pow %x, %e : tensor<4xf32>, tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Must not fire: another exponent, and a non-splat one.
// CHECK-LABEL: func.func @other_exponents
// CHECK: ag.pow
// CHECK: ag.pow
// CHECK-NOT: ag.mul
// CHECK-NOT: ag.sqrt
func.func @other_exponents(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %three = ag.constant dense<3.0> : tensor<f32>
  %mixed = ag.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %a = ag.pow %x, %three : tensor<2xf32>, tensor<f32>
  %b = ag.pow %x, %mixed : tensor<2xf32>, tensor<2xf32>
  return %a, %b : tensor<2xf32>, tensor<2xf32>
}

// -----

// Must not fire: the exponent broadcasts x to a larger shape, so x * x
// would have the wrong type.
// CHECK-LABEL: func.func @broadcasting_exponent
// CHECK: ag.pow
// CHECK-NOT: ag.mul
func.func @broadcasting_exponent(%x: tensor<4xf32>) -> tensor<3x4xf32> {
  %two = ag.constant dense<2.0> : tensor<3x1xf32>
  %y = ag.pow %x, %two : tensor<4xf32>, tensor<3x1xf32>
  return %y : tensor<3x4xf32>
}

// -----

// Must not fire: integer pow.
// CHECK-LABEL: func.func @integer_pow
// CHECK: ag.pow
// CHECK-NOT: ag.mul
func.func @integer_pow(%x: tensor<4xi32>) -> tensor<4xi32> {
  %two = ag.constant dense<2> : tensor<i32>
  %y = ag.pow %x, %two : tensor<4xi32>, tensor<i32>
  return %y : tensor<4xi32>
}
