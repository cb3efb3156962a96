// RUN: autoglm-opt %s --ag-to-linalg %lower_to_llvm \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// Numerics of the lowered quantization ops as loop nests (the CPU backend
// replaces 8-bit dequant_matmul by its microkernel; the loops here are the
// reference semantics): quantize rounds half to even and saturates,
// dequantize subtracts the zero point, dequant_matmul per output channel
// with a bias and per group of K with zero points (last group partial).

func.func private @printMemrefF32(tensor<*xf32>)

// x / 0.5 = [-2, 0.5, 1.5, 600] -> round-even [-2, 0, 2, 600] + 10 ->
// saturate to ui8 [8, 10, 12, 255]; back: (q - 10) * 0.5.
// CHECK-LABEL: quantize_dequantize
// CHECK: [-1, 0, 1, 122.5]
func.func @quantize_dequantize() {
  vector.print str "quantize_dequantize\n"
  %x = ag.constant dense<[-1.0, 0.25, 0.75, 300.0]> : tensor<4xf32>
  %s = ag.constant dense<0.5> : tensor<f32>
  %z = ag.constant dense<10> : tensor<ui8>
  %q = ag.quantize %x, %s zero_point %z : (tensor<4xf32>, tensor<f32>, tensor<ui8>) -> tensor<4xui8>
  %d = ag.dequantize %q, %s zero_point %z : (tensor<4xui8>, tensor<f32>, tensor<ui8>) -> tensor<4xf32>
  %u = tensor.cast %d : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// Per axis (axis 1) signed: [[-2, 3], [127, -128]] * [0.5, 2].
// CHECK-LABEL: dequantize_per_axis
// CHECK: {{\[}}[-1, 6],
// CHECK-NEXT: [63.5, -256]]
func.func @dequantize_per_axis() {
  vector.print str "dequantize_per_axis\n"
  %q = ag.constant dense<[[-2, 3], [127, -128]]> : tensor<2x2xi8>
  %s = ag.constant dense<[0.5, 2.0]> : tensor<2xf32>
  %d = ag.dequantize %q, %s {axis = 1 : i64} : (tensor<2x2xi8>, tensor<2xf32>) -> tensor<2x2xf32>
  %u = tensor.cast %d : tensor<2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// [1, 2] x [[1, -1], [2, 3]] * [0.5, 2] + [10, 20] = [12.5, 30].
// Groups of 2 rows of K = 3 with zero points: dequantized weight
// [[0, 5], [20, 15], [0, 60]]; ones x that = [20, 80].
// CHECK-LABEL: dequant_matmul
// CHECK: {{\[}}[12.5, 30]]
// CHECK: {{\[}}[20, 80]]
func.func @dequant_matmul() {
  vector.print str "dequant_matmul\n"
  %x = ag.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %w = ag.constant dense<[[1, -1], [2, 3]]> : tensor<2x2xi8>
  %s = ag.constant dense<[0.5, 2.0]> : tensor<2xf32>
  %b = ag.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %y = ag.dequant_matmul %x, %w, %s bias %b {axis = 1 : i64} : (tensor<1x2xf32>, tensor<2x2xi8>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  %u = tensor.cast %y : tensor<1x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  %x3 = ag.constant dense<[[1.0, 1.0, 1.0]]> : tensor<1x3xf32>
  %w3 = ag.constant dense<[[10, 20], [30, 40], [50, 60]]> : tensor<3x2xui8>
  %s3 = ag.constant dense<[[1.0, 0.5], [2.0, 1.0]]> : tensor<2x2xf32>
  %z3 = ag.constant dense<[[10, 10], [50, 0]]> : tensor<2x2xui8>
  %y3 = ag.dequant_matmul %x3, %w3, %s3 zero_point %z3 {group_size = 2 : i64} : (tensor<1x3xf32>, tensor<3x2xui8>, tensor<2x2xf32>, tensor<2x2xui8>) -> tensor<1x2xf32>
  %u3 = tensor.cast %y3 : tensor<1x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u3) : (tensor<*xf32>) -> ()
  return
}

func.func @main() {
  call @quantize_dequantize() : () -> ()
  call @dequantize_per_axis() : () -> ()
  call @dequant_matmul() : () -> ()
  return
}
