// RUN: autoglm-opt %s --ag-to-linalg %lower_to_llvm \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// Numerics of the lowered ag.attention, run on mlir-runner, against numpy
// (softmax(q k^T * scale + mask) v with k and v repeated per query group):
// grouped-query heads with a causal mask, an additive mask with -inf and the
// default 1/sqrt(d) scale, a boolean mask, and a causal mask with fewer
// queries than keys (query i sits at position i + Skv - Sq).

func.func private @printMemrefF32(tensor<*xf32>)

// Two query heads read one KV head; causal.
// CHECK-LABEL: gqa_causal
// CHECK: sizes = [1, 2, 3, 2]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[1, 2],
// CHECK-NEXT: [2.24492, 3.24492],
// CHECK-NEXT: [3.35559, 4.35559]],
// CHECK-NEXT: {{\[}}[1, 2],
// CHECK-NEXT: [2.46212, 3.46212],
// CHECK-NEXT: [2.60143, 3.60143]]]]
func.func @gqa_causal() {
  vector.print str "gqa_causal\n"
  %q = ag.constant dense<[[[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[2.0, 0.0], [0.0, 2.0], [1.0, -1.0]]]]> : tensor<1x2x3x2xf32>
  %k = ag.constant dense<[[[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]]]> : tensor<1x1x3x2xf32>
  %v = ag.constant dense<[[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]]]> : tensor<1x1x3x2xf32>
  %o = ag.attention %q, %k, %v causal scale 0.5 : (tensor<1x2x3x2xf32>, tensor<1x1x3x2xf32>, tensor<1x1x3x2xf32>) -> tensor<1x2x3x2xf32>
  %u = tensor.cast %o : tensor<1x2x3x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// The last key masked by -inf; scale 1/sqrt(2) by default; Dv != D.
// CHECK-LABEL: additive_mask
// CHECK: sizes = [1, 1, 2, 3]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[0.140029, 0.283995, 0.575975],
// CHECK-NEXT: [0.197776, 0.401112, 0.401112]]]]
func.func @additive_mask() {
  vector.print str "additive_mask\n"
  %q = ag.constant dense<[[[[1.0, 2.0], [0.0, 1.0]]]]> : tensor<1x1x2x2xf32>
  %k = ag.constant dense<[[[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 2.0]]]]> : tensor<1x1x4x2xf32>
  %v = ag.constant dense<[[[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]]]]> : tensor<1x1x4x3xf32>
  %m = ag.constant dense<[[[[0.0, 0.0, 0.0, 0xFF800000]]]]> : tensor<1x1x1x4xf32>
  %o = ag.attention %q, %k, %v mask %m : (tensor<1x1x2x2xf32>, tensor<1x1x4x2xf32>, tensor<1x1x4x3xf32>, tensor<1x1x1x4xf32>) -> tensor<1x1x2x3xf32>
  %u = tensor.cast %o : tensor<1x1x2x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// A boolean mask (true keeps), broadcast over batch and heads.
// CHECK-LABEL: boolean_mask
// CHECK: sizes = [1, 1, 2, 3]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[0.952877, 0.946499, 0.993623],
// CHECK-NEXT: [0.268941, 0.731059, 0]]]]
func.func @boolean_mask() {
  vector.print str "boolean_mask\n"
  %q = ag.constant dense<[[[[1.0, 2.0], [0.0, 1.0]]]]> : tensor<1x1x2x2xf32>
  %k = ag.constant dense<[[[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 2.0]]]]> : tensor<1x1x4x2xf32>
  %v = ag.constant dense<[[[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]]]]> : tensor<1x1x4x3xf32>
  %m = ag.constant dense<[[true, false, true, true], [true, true, false, false]]> : tensor<2x4xi1>
  %o = ag.attention %q, %k, %v mask %m scale 1.0 : (tensor<1x1x2x2xf32>, tensor<1x1x4x2xf32>, tensor<1x1x4x3xf32>, tensor<2x4xi1>) -> tensor<1x1x2x3xf32>
  %u = tensor.cast %o : tensor<1x1x2x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// Causal with 2 queries over 4 keys: query 0 sees keys 0..2.
// CHECK-LABEL: causal_offset
// CHECK: sizes = [1, 1, 2, 3]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[0.0900306, 0.244728, 0.665241],
// CHECK-NEXT: [0.606776, 0.731059, 0.731059]]]]
func.func @causal_offset() {
  vector.print str "causal_offset\n"
  %q = ag.constant dense<[[[[1.0, 2.0], [0.0, 1.0]]]]> : tensor<1x1x2x2xf32>
  %k = ag.constant dense<[[[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 2.0]]]]> : tensor<1x1x4x2xf32>
  %v = ag.constant dense<[[[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 1.0, 1.0]]]]> : tensor<1x1x4x3xf32>
  %o = ag.attention %q, %k, %v causal scale 1.0 : (tensor<1x1x2x2xf32>, tensor<1x1x4x2xf32>, tensor<1x1x4x3xf32>) -> tensor<1x1x2x3xf32>
  %u = tensor.cast %o : tensor<1x1x2x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func @main() {
  call @gqa_causal() : () -> ()
  call @additive_mask() : () -> ()
  call @boolean_mask() : () -> ()
  call @causal_offset() : () -> ()
  return
}
