// RUN: autoglm-opt %s --split-input-file --ag-to-linalg | FileCheck %s

// ag.attention lowers to two linalg.batch_matmul on row-major operands (what
// the GEMM microkernel rewrite picks up) around a softmax in linalg.generic
// ops. Grouped-query heads are rows of one GEMM per KV head: q reshapes to
// (B*Hkv) x (G*Sq) x D and v to (B*Hkv) x Skv x Dv, with no copy per query
// head; only k is transposed.

// The softmax runs in the (B*Hkv, G, Sq, Skv) space: every op of the
// kernel starts with the GEMM batch, so the kernel splits over KV heads.
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$MASK:.*]] = affine_map<(d0, d1, d2, d3) -> (d0 floordiv 2, 0, d2, d3)>
// CHECK-LABEL: func.func @gqa_mask_causal
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8x16x64xf32>, %[[K:.*]]: tensor<2x2x32x64xf32>, %[[V:.*]]: tensor<2x2x32x48xf32>, %[[M:.*]]: tensor<2x1x16x32xf32>)
// CHECK: %[[Q5:.*]] = tensor.expand_shape %[[Q]] {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 4, 16, 64]
// CHECK: %[[Q3:.*]] = tensor.collapse_shape %[[Q5]] {{\[}}[0, 1], [2, 3], [4]] : tensor<2x2x4x16x64xf32> into tensor<4x64x64xf32>
// CHECK: %[[K3:.*]] = tensor.collapse_shape %[[K]] {{\[}}[0, 1], [2], [3]] : tensor<2x2x32x64xf32> into tensor<4x32x64xf32>
// CHECK: %[[KT3:.*]] = linalg.transpose ins(%[[K3]] : tensor<4x32x64xf32>) outs(%{{.*}} : tensor<4x64x32xf32>) permutation = [0, 2, 1]
// CHECK: %[[S:.*]] = linalg.batch_matmul ins(%[[Q3]], %[[KT3]] : tensor<4x64x64xf32>, tensor<4x64x32xf32>)
// CHECK: %[[S4:.*]] = tensor.expand_shape %[[S]] {{\[}}[0], [1, 2], [3]] output_shape [4, 4, 16, 32]
// CHECK: %[[L:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$MASK]], #[[$ID]]]{{.*}} ins(%[[S4]], %[[M]] :
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.index 2
// CHECK: linalg.index 3
// CHECK: arith.cmpi sle
// CHECK: arith.select
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: %[[V3:.*]] = tensor.collapse_shape %[[V]] {{\[}}[0, 1], [2], [3]] : tensor<2x2x32x48xf32> into tensor<4x32x48xf32>
// CHECK: %[[O:.*]] = linalg.batch_matmul ins(%{{.*}}, %[[V3]] : tensor<4x64x32xf32>, tensor<4x32x48xf32>)
// CHECK: arith.divf
// CHECK: %[[R:.*]] = tensor.expand_shape %{{.*}} output_shape [2, 8, 16, 48] : tensor<12288xf32> into tensor<2x8x16x48xf32>
// CHECK: return %[[R]]
// CHECK-NOT: ag.attention
func.func @gqa_mask_causal(%q: tensor<2x8x16x64xf32>, %k: tensor<2x2x32x64xf32>, %v: tensor<2x2x32x48xf32>, %m: tensor<2x1x16x32xf32>) -> tensor<2x8x16x48xf32> {
  %o = ag.attention %q, %k, %v mask %m causal : (tensor<2x8x16x64xf32>, tensor<2x2x32x64xf32>, tensor<2x2x32x48xf32>, tensor<2x1x16x32xf32>) -> tensor<2x8x16x48xf32>
  return %o : tensor<2x8x16x48xf32>
}

// -----

// A per-query-head mask reads head kv_head * G + group.
// CHECK-DAG: #[[$HEADS:.*]] = affine_map<(d0, d1, d2, d3) -> ((d0 mod 2) * 2 + d1, d2, d3)>
// CHECK-LABEL: func.func @per_head_mask
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$HEADS]], #{{.*}}]
// CHECK-NOT: linalg.index
// CHECK: return
func.func @per_head_mask(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>, %m: tensor<4x8x8xf32>) -> tensor<1x4x8x16xf32> {
  %o = ag.attention %q, %k, %v mask %m scale 0.25 : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>, tensor<4x8x8xf32>) -> tensor<1x4x8x16xf32>
  return %o : tensor<1x4x8x16xf32>
}
