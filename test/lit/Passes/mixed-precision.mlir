// RUN: autoglm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ag-mixed-precision{precision=bf16 min-size=1}))' | FileCheck %s --check-prefix=BF16
// RUN: autoglm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ag-mixed-precision{precision=fp16 min-size=1}))' | FileCheck %s --check-prefix=FP16
// RUN: autoglm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ag-mixed-precision))' | FileCheck %s --check-prefix=MIN
// RUN: not autoglm-opt %s --pass-pipeline='builtin.module(func.func(ag-mixed-precision{precision=fp8}))' 2>&1 | FileCheck %s --check-prefix=BAD

// ag-mixed-precision: constant f32 matmul weights are stored K x N in bf16
// or fp16 and the matmul reads them as such (f32 lhs and result).

// BAD: unknown precision 'fp8' (use bf16 or fp16)

// A transposed weight [[1, 0.25], [-3, 4]] (N x K) is stored K x N:
// [[1, -3], [0.25, 4]]; bf16 bits 3F80 C040 3E80 4080, fp16 3C00 C200 3400
// 4400 (little endian in the blob). The bias stays f32.
// BF16-LABEL: func.func @transposed_bias
// BF16-SAME: (%[[X:.*]]: tensor<3x2xf32>, %[[B:.*]]: tensor<2xf32>)
// BF16: %[[W:.*]] = ag.constant dense_resource<bf16_weight> : tensor<2x2xbf16>
// BF16: %[[Y:.*]] = ag.matmul %[[X]], %[[W]] bias %[[B]] : (tensor<3x2xf32>, tensor<2x2xbf16>, tensor<2xf32>) -> tensor<3x2xf32>
// BF16-NOT: transpose_rhs
// BF16: return %[[Y]]
// BF16: bf16_weight: "0x02000000803F40C0803E8040"
// FP16-LABEL: func.func @transposed_bias
// FP16: ag.matmul %{{.*}}, %{{.*}} bias %{{.*}} : (tensor<3x2xf32>, tensor<2x2xf16>, tensor<2xf32>) -> tensor<3x2xf32>
// FP16: fp16_weight: "0x02000000003C00C200340044"
// MIN-LABEL: func.func @transposed_bias
// MIN: ag.matmul {{.*}} transpose_rhs : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>)
func.func @transposed_bias(%x: tensor<3x2xf32>, %b: tensor<2xf32>) -> tensor<3x2xf32> {
  %w = ag.constant dense<[[1.0, 0.25], [-3.0, 4.0]]> : tensor<2x2xf32>
  %y = ag.matmul %x, %w bias %b transpose_rhs : (tensor<3x2xf32>, tensor<2x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Must not fire: activation x activation (attention scores) stays f32.
// BF16-LABEL: func.func @activations
// BF16: ag.matmul {{.*}} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
// BF16-NOT: bf16
// BF16: return
func.func @activations(%x: tensor<3x2xf32>, %w: tensor<2x2xf32>) -> tensor<3x2xf32> {
  %y = ag.matmul %x, %w : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// -----

// Must not fire: another op reads the weight in f32; norms, softmax and
// reductions are untouched.
// BF16-LABEL: func.func @weight_read_by_add
// BF16: ag.matmul {{.*}} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
// BF16: ag.softmax {{.*}} : tensor<2x2xf32>
// BF16-NOT: bf16
// BF16: return
func.func @weight_read_by_add(%x: tensor<2x2xf32>) -> (tensor<2x2xf32>, tensor<2x2xf32>) {
  %w = ag.constant dense<[[1.0, -3.0], [0.25, 4.0]]> : tensor<2x2xf32>
  %y = ag.matmul %x, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %s = ag.softmax %y axis 1 : tensor<2x2xf32>
  %z = ag.add %x, %w : tensor<2x2xf32>, tensor<2x2xf32>
  return %s, %z : tensor<2x2xf32>, tensor<2x2xf32>
}
