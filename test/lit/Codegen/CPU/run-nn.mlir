// RUN: autoglm-opt %s --ag-to-linalg %lower_to_llvm \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// Numerics of lowered NN ops, run on mlir-runner: matmul with bias and
// transposes, a grouped conv with asymmetric padding and bias, pooling with
// padding (padded elements never win a max and do not count in an average),
// conv_transpose with a stride.

func.func private @printMemrefF32(tensor<*xf32>)

// [[1,2,3],[4,5,6]] x [[1,0],[0,1],[1,1]] + [10, 20].
// CHECK-LABEL: matmul_bias
// CHECK: sizes = [2, 2]
// CHECK-NEXT: {{\[}}[14, 25],
// CHECK-NEXT: [20, 31]]
// The same product with rhs stored transposed, batched over 2.
// CHECK: sizes = [2, 2, 2]
// CHECK-NEXT: {{\[}}{{\[}}[4, 5],
// CHECK-NEXT: [10, 11]],
// CHECK-NEXT: {{\[}}[4, 5],
// CHECK-NEXT: [10, 11]]]
func.func @matmul_bias() {
  vector.print str "matmul_bias\n"
  %a = ag.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = ag.constant dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]> : tensor<3x2xf32>
  %c = ag.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %r = ag.matmul %a, %b bias %c : (tensor<2x3xf32>, tensor<3x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %u = tensor.cast %r : tensor<2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  %a2 = ag.expand %a : tensor<2x3xf32> -> tensor<2x2x3xf32>
  %bt = ag.constant dense<[[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]> : tensor<2x3xf32>
  %bt3 = ag.reshape %bt : tensor<2x3xf32> -> tensor<1x2x3xf32>
  %r2 = ag.matmul %a2, %bt3 transpose_rhs : (tensor<2x2x3xf32>, tensor<1x2x3xf32>) -> tensor<2x2x2xf32>
  %u2 = tensor.cast %r2 : tensor<2x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u2) : (tensor<*xf32>) -> ()
  return
}

// Two groups: output channels 0-1 read input channel 0 (1..9), channels 2-3
// read channel 1 (ones). Pads: one row on top, one column on the left.
// CHECK-LABEL: conv_groups_padding
// CHECK: sizes = [1, 4, 3, 3]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[0, 0, 0],
// CHECK-NEXT: [0, 1, 2],
// CHECK-NEXT: [0, 4, 5]],
// CHECK-NEXT: {{\[}}[101, 103, 105],
// CHECK-NEXT: [105, 112, 116],
// CHECK-NEXT: [111, 124, 128]],
// CHECK-NEXT: {{\[}}[4, 7, 7],
// CHECK-NEXT: [6, 10, 10],
// CHECK-NEXT: [6, 10, 10]],
// CHECK-NEXT: {{\[}}[9, 9, 9],
// CHECK-NEXT: [9, 9, 9],
// CHECK-NEXT: [9, 9, 9]]]]
func.func @conv_groups_padding() {
  vector.print str "conv_groups_padding\n"
  %x = ag.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]],
                           [[1.0, 1.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]]> : tensor<1x2x3x3xf32>
  %w = ag.constant dense<[[[[1.0, 0.0], [0.0, 0.0]]], [[[1.0, 1.0], [1.0, 1.0]]],
                          [[[1.0, 2.0], [3.0, 4.0]]], [[[0.0, 0.0], [0.0, -1.0]]]]> : tensor<4x1x2x2xf32>
  %b = ag.constant dense<[0.0, 100.0, 0.0, 10.0]> : tensor<4xf32>
  %r = ag.conv %x, %w bias %b strides [1, 1] dilations [1, 1] pads [1, 1, 0, 0] groups 2
      : (tensor<1x2x3x3xf32>, tensor<4x1x2x2xf32>, tensor<4xf32>) -> tensor<1x4x3x3xf32>
  %u = tensor.cast %r : tensor<1x4x3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// All inputs negative (-1 .. -16), pads of 1: a zero pad would win every max
// and halve the border averages.
// CHECK-LABEL: pool_padding
// CHECK: sizes = [1, 1, 3, 3]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[-1, -2, -4],
// CHECK-NEXT: [-5, -6, -8],
// CHECK-NEXT: [-13, -14, -16]]]]
// CHECK: sizes = [1, 1, 3, 3]
// CHECK-NEXT: {{\[}}{{\[}}{{\[}}[-1, -2.5, -4],
// CHECK-NEXT: [-7, -8.5, -10],
// CHECK-NEXT: [-13, -14.5, -16]]]]
func.func @pool_padding() {
  vector.print str "pool_padding\n"
  %x = ag.constant dense<[[[[-1.0, -2.0, -3.0, -4.0], [-5.0, -6.0, -7.0, -8.0],
                            [-9.0, -10.0, -11.0, -12.0], [-13.0, -14.0, -15.0, -16.0]]]]> : tensor<1x1x4x4xf32>
  %m = ag.pool max %x kernel [2, 2] strides [2, 2] dilations [1, 1] pads [1, 1, 1, 1]
      : tensor<1x1x4x4xf32> -> tensor<1x1x3x3xf32>
  %mu = tensor.cast %m : tensor<1x1x3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%mu) : (tensor<*xf32>) -> ()
  %a = ag.pool avg %x kernel [2, 2] strides [2, 2] dilations [1, 1] pads [1, 1, 1, 1]
      : tensor<1x1x4x4xf32> -> tensor<1x1x3x3xf32>
  %au = tensor.cast %a : tensor<1x1x3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%au) : (tensor<*xf32>) -> ()
  return
}

// [1, 2, 3] spread with stride 2 under a kernel of ones.
// CHECK-LABEL: conv_transpose_stride
// CHECK: [1, 1, 3, 2, 5, 3, 3]
func.func @conv_transpose_stride() {
  vector.print str "conv_transpose_stride\n"
  %x = ag.constant dense<[[[1.0, 2.0, 3.0]]]> : tensor<1x1x3xf32>
  %w = ag.constant dense<[[[1.0, 1.0, 1.0]]]> : tensor<1x1x3xf32>
  %r = ag.conv_transpose %x, %w strides [2] dilations [1] pads [0, 0] output_padding [0] groups 1
      : (tensor<1x1x3xf32>, tensor<1x1x3xf32>) -> tensor<1x1x7xf32>
  %u = tensor.cast %r : tensor<1x1x7xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func @main() {
  call @matmul_bias() : () -> ()
  call @conv_groups_padding() : () -> ()
  call @pool_padding() : () -> ()
  call @conv_transpose_stride() : () -> ()
  return
}
