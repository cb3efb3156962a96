// RUN: autoglm-opt %s --ag-to-linalg %lower_to_llvm \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// Numerics of the lowered LLM ops, run on mlir-runner, against numpy
// (transformers' formulas: inv_freq = 1 / theta^(2i/r) in f32, pairs (2i,
// 2i+1) for interleaved, (i, i + r/2) for half; channels past rotary_dim
// unchanged), attention over a KV cache whose first kv_len positions are
// filled, and a cache write at a position.

func.func private @printMemrefF32(tensor<*xf32>)

// CHECK-LABEL: rope_interleaved
// CHECK: sizes = [1, 2, 3, 6]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[-1, -0.9, -0.8, -0.7, -0.6, -0.5],
// CHECK-NEXT: [-0.401142, 0.298471, -0.194752, -0.109871, 0, 0.1],
// CHECK-NEXT: [0.233387, -0.274828, 0.309643, 0.560465, 0.6, 0.7]],
// CHECK-NEXT: {{\[}}[0.8, 0.9, 1, 1.1, 1.2, 1.3],
// CHECK-NEXT: [1.83551, -0.917001, 1.51304, 1.77784, 1.8, 1.9],
// CHECK-NEXT: [1.46861, -2.50064, 1.77917, 2.63905, 2.4, 2.5]]]]
func.func @rope_interleaved(%x: tensor<1x2x3x6xf32>, %pos: tensor<1x3xi64>) {
  vector.print str "rope_interleaved\n"
  %r = ag.rope %x, %pos layout interleaved rotary_dim 4 theta 10000.0 : tensor<1x2x3x6xf32>, tensor<1x3xi64>
  %u = tensor.cast %r : tensor<1x2x3x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// CHECK-LABEL: rope_half
// CHECK: sizes = [1, 2, 3, 6]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[-1, -0.9, -0.8, -0.7, -0.6, -0.5],
// CHECK-NEXT: [-0.30525, -0.215332, 0.326837, -0.231586, 0, 0.1],
// CHECK-NEXT: [0.329526, -0.534486, -0.302345, 0.233077, 0.6, 0.7]],
// CHECK-NEXT: {{\[}}[0.8, 0.9, 1, 1.1, 1.2, 1.3],
// CHECK-NEXT: [1.93141, 0.50135, -0.888634, 2.21103, 1.8, 1.9],
// CHECK-NEXT: [1.56475, -2.5514, -2.52815, 1.78615, 2.4, 2.5]]]]
func.func @rope_half(%x: tensor<1x2x3x6xf32>, %pos: tensor<1x3xi64>) {
  vector.print str "rope_half\n"
  %r = ag.rope %x, %pos layout half rotary_dim 4 theta 100.0 : tensor<1x2x3x6xf32>, tensor<1x3xi64>
  %u = tensor.cast %r : tensor<1x2x3x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// Two queries at positions 1 and 2 of a 4-position cache holding 3 keys
// (position 3 holds garbage that must not be read).
// CHECK-LABEL: attention_cache_causal
// CHECK: sizes = [1, 2, 2, 2]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[1.75508, 2.75508],
// CHECK-NEXT: [3.30191, 4.30191]],
// CHECK-NEXT: {{\[}}[1.53788, 2.53788],
// CHECK-NEXT: [3.53391, 4.53391]]]]
// Without causal, every query sees the first kv_len = 2 keys.
// CHECK-LABEL: attention_cache_filled
// CHECK: sizes = [1, 2, 2, 2]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[1.75508, 2.75508],
// CHECK-NEXT: [2.24492, 3.24492]],
// CHECK-NEXT: {{\[}}[1.53788, 2.53788],
// CHECK-NEXT: [2.46212, 3.46212]]]]
func.func @attention_cache(%q: tensor<1x2x2x2xf32>, %k: tensor<1x1x4x2xf32>, %v: tensor<1x1x4x2xf32>) {
  vector.print str "attention_cache_causal\n"
  %three = ag.constant dense<3> : tensor<i64>
  %o = ag.attention %q, %k, %v kv_len %three causal scale 0.5 : (tensor<1x2x2x2xf32>, tensor<1x1x4x2xf32>, tensor<1x1x4x2xf32>, tensor<i64>) -> tensor<1x2x2x2xf32>
  %u = tensor.cast %o : tensor<1x2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  vector.print str "attention_cache_filled\n"
  %two = ag.constant dense<2> : tensor<i32>
  %o2 = ag.attention %q, %k, %v kv_len %two scale 0.5 : (tensor<1x2x2x2xf32>, tensor<1x1x4x2xf32>, tensor<1x1x4x2xf32>, tensor<i32>) -> tensor<1x2x2x2xf32>
  %u2 = tensor.cast %o2 : tensor<1x2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
  return
}

// Two positions written at 1; a position past the end is clamped (the
// last two positions are written).
// CHECK-LABEL: cache_write
// CHECK: sizes = [1, 1, 4, 2]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[0, 0],
// CHECK-NEXT: [7, 8],
// CHECK-NEXT: [9, 10],
// CHECK-NEXT: [0, 0]]]]
// CHECK: sizes = [1, 1, 4, 2]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[0, 0],
// CHECK-NEXT: [0, 0],
// CHECK-NEXT: [7, 8],
// CHECK-NEXT: [9, 10]]]]
func.func @cache_write() {
  vector.print str "cache_write\n"
  %cache = ag.constant dense<0.0> : tensor<1x1x4x2xf32>
  %update = ag.constant dense<[[[[7.0, 8.0], [9.0, 10.0]]]]> : tensor<1x1x2x2xf32>
  %one = ag.constant dense<1> : tensor<i64>
  %w = ag.kv_cache_write %update into %cache at %one : tensor<1x1x2x2xf32>, tensor<1x1x4x2xf32>, tensor<i64>
  %u = tensor.cast %w : tensor<1x1x4x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  %far = ag.constant dense<9> : tensor<i64>
  %w2 = ag.kv_cache_write %update into %cache at %far : tensor<1x1x2x2xf32>, tensor<1x1x4x2xf32>, tensor<i64>
  %u2 = tensor.cast %w2 : tensor<1x1x4x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
  return
}

func.func @main() {
  %x = ag.constant dense<[[[[-1.0, -0.9, -0.8, -0.7, -0.6, -0.5], [-0.4, -0.3, -0.2, -0.1, 0.0, 0.1], [0.2, 0.3, 0.4, 0.5, 0.6, 0.7]], [[0.8, 0.9, 1.0, 1.1, 1.2, 1.3], [1.4, 1.5, 1.6, 1.7, 1.8, 1.9], [2.0, 2.1, 2.2, 2.3, 2.4, 2.5]]]]> : tensor<1x2x3x6xf32>
  %pos = ag.constant dense<[[0, 5, 17]]> : tensor<1x3xi64>
  call @rope_interleaved(%x, %pos) : (tensor<1x2x3x6xf32>, tensor<1x3xi64>) -> ()
  call @rope_half(%x, %pos) : (tensor<1x2x3x6xf32>, tensor<1x3xi64>) -> ()
  %q = ag.constant dense<[[[[1.0, 0.0], [0.0, 1.0]], [[2.0, 0.0], [0.0, 2.0]]]]> : tensor<1x2x2x2xf32>
  %k = ag.constant dense<[[[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [9.0, 9.0]]]]> : tensor<1x1x4x2xf32>
  %v = ag.constant dense<[[[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0], [100.0, 100.0]]]]> : tensor<1x1x4x2xf32>
  call @attention_cache(%q, %k, %v) : (tensor<1x2x2x2xf32>, tensor<1x1x4x2xf32>, tensor<1x1x4x2xf32>) -> ()
  call @cache_write() : () -> ()
  return
}
