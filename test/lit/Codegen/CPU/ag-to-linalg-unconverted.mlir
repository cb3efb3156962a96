// RUN: autoglm-opt %s --split-input-file --ag-to-linalg | FileCheck %s
// RUN: autoglm-opt %s --split-input-file --ag-to-linalg=allow-unconverted=false -verify-diagnostics

// The LLM ops are lowered by a later stage: by default they
// stay, reading converted values through unrealized_conversion_cast where a
// type changed; with allow-unconverted=false each one is an error.

// CHECK-LABEL: func.func @llm_ops
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x8x64xf32>, %[[POS:.*]]: tensor<1x8xi64>, %[[K:.*]]: tensor<1x2x8x64xf32>, %[[KC:.*]]: tensor<1x2x16x64xf32>, %[[AT:.*]]: tensor<i64>)
// CHECK: %[[R:.*]] = ag.rope %[[Q]], %[[POS]]
// CHECK: %[[E:.*]] = linalg.generic {{.*}} ins(%[[R]] : tensor<1x4x8x64xf32>)
// CHECK: math.exp
// CHECK: %[[W:.*]] = ag.kv_cache_write %{{.*}} into %[[KC]] at %[[AT]]
// CHECK: return %[[E]], %[[W]]
func.func @llm_ops(%q: tensor<1x4x8x64xf32>, %pos: tensor<1x8xi64>, %k: tensor<1x2x8x64xf32>, %kc: tensor<1x2x16x64xf32>, %at: tensor<i64>) -> (tensor<1x4x8x64xf32>, tensor<1x2x16x64xf32>) {
  // expected-error @+1 {{'ag.rope' is not lowered by ag-to-linalg (LLM ops are lowered by a later stage)}}
  %r = ag.rope %q, %pos layout interleaved rotary_dim 32 theta 10000.0 : tensor<1x4x8x64xf32>, tensor<1x8xi64>
  %e = ag.exp %r : tensor<1x4x8x64xf32>
  %s = ag.slice %k starts [0, 0, 0, 0] sizes [1, 2, 1, 64] steps [1, 1, 1, 1] : tensor<1x2x8x64xf32> -> tensor<1x2x1x64xf32>
  // expected-error @+1 {{'ag.kv_cache_write' is not lowered by ag-to-linalg}}
  %w = ag.kv_cache_write %s into %kc at %at : tensor<1x2x1x64xf32>, tensor<1x2x16x64xf32>, tensor<i64>
  return %e, %w : tensor<1x4x8x64xf32>, tensor<1x2x16x64xf32>
}

// -----

// Calls and declarations convert with the same type converter.
// CHECK-LABEL: func.func private @external(tensor<3xi16>) -> tensor<3xi32>
// CHECK-LABEL: func.func @caller
// CHECK-SAME: (%[[A:.*]]: tensor<3xi16>) -> tensor<3xi32>
// CHECK: %[[R:.*]] = call @external(%[[A]]) : (tensor<3xi16>) -> tensor<3xi32>
// CHECK: linalg.generic {{.*}} ins(%[[R]], %[[R]] :
// CHECK: arith.addi
func.func private @external(tensor<3xui16>) -> tensor<3xsi32>
func.func @caller(%a: tensor<3xui16>) -> tensor<3xsi32> {
  %0 = call @external(%a) : (tensor<3xui16>) -> tensor<3xsi32>
  %1 = ag.add %0, %0 : tensor<3xsi32>, tensor<3xsi32>
  return %1 : tensor<3xsi32>
}
