// RUN: autoglm-opt %s --ag-to-linalg %lower_to_llvm \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// Numerics of lowered data movement, run on mlir-runner: gathers with
// negative indices, slices with negative steps, scatters, padding modes,
// reshape/transpose/concat and resize.

func.func private @printMemrefF32(tensor<*xf32>)

// Rows [-1, 0, -3] of a 3x2 table: rows 2, 0, 0.
// CHECK-LABEL: gather_negative
// CHECK: sizes = [3, 2]
// CHECK-NEXT: {{\[}}[5, 6],
// CHECK-NEXT: [1, 2],
// CHECK-NEXT: [1, 2]]
// gather_elements along axis 1 with [[-1, 0], [1, -2]].
// CHECK: sizes = [2, 2]
// CHECK-NEXT: {{\[}}[2, 1],
// CHECK-NEXT: [4, 3]]
func.func @gather_negative() {
  vector.print str "gather_negative\n"
  %t = ag.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %i = ag.constant dense<[-1, 0, -3]> : tensor<3xi64>
  %g = ag.gather %t, %i axis 0 : (tensor<3x2xf32>, tensor<3xi64>) -> tensor<3x2xf32>
  %gu = tensor.cast %g : tensor<3x2xf32> to tensor<*xf32>
  call @printMemrefF32(%gu) : (tensor<*xf32>) -> ()
  %s = ag.slice %t starts [0, 0] sizes [2, 2] steps [1, 1] : tensor<3x2xf32> -> tensor<2x2xf32>
  %e = ag.constant dense<[[-1, 0], [1, -2]]> : tensor<2x2xsi32>
  %ge = ag.gather_elements %s, %e axis 1 : (tensor<2x2xf32>, tensor<2x2xsi32>) -> tensor<2x2xf32>
  %geu = tensor.cast %ge : tensor<2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%geu) : (tensor<*xf32>) -> ()
  return
}

// [0..7] from 7 by -2; rows 3 and 1 of its 4x2 reshape.
// CHECK-LABEL: slice_negative_step
// CHECK: [7, 5, 3]
// CHECK: sizes = [2, 2]
// CHECK-NEXT: {{\[}}[6, 7],
// CHECK-NEXT: [2, 3]]
func.func @slice_negative_step() {
  vector.print str "slice_negative_step\n"
  %x = ag.constant dense<[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]> : tensor<8xf32>
  %r = ag.slice %x starts [7] sizes [3] steps [-2] : tensor<8xf32> -> tensor<3xf32>
  %ru = tensor.cast %r : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%ru) : (tensor<*xf32>) -> ()
  %m = ag.reshape %x : tensor<8xf32> -> tensor<4x2xf32>
  %s = ag.slice %m starts [3, 0] sizes [2, 2] steps [-2, 1] : tensor<4x2xf32> -> tensor<2x2xf32>
  %u = tensor.cast %s : tensor<2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// Scatter with duplicate indices and add; scatter_nd replaces rows.
// CHECK-LABEL: scatter
// CHECK: [11, 0, 22, 0]
// CHECK: sizes = [3, 2]
// CHECK-NEXT: {{\[}}[7, 8],
// CHECK-NEXT: [0, 0],
// CHECK-NEXT: [5, 6]]
func.func @scatter() {
  vector.print str "scatter\n"
  %d = ag.constant dense<0.0> : tensor<4xf32>
  %i = ag.constant dense<[0, -2, 0]> : tensor<3xi64>
  %u = ag.constant dense<[1.0, 22.0, 10.0]> : tensor<3xf32>
  %s = ag.scatter_elements %d, %i, %u axis 0 reduction add : tensor<4xf32>, tensor<3xi64>, tensor<3xf32>
  %su = tensor.cast %s : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%su) : (tensor<*xf32>) -> ()
  %d2 = ag.constant dense<0.0> : tensor<3x2xf32>
  %i2 = ag.constant dense<[[2], [0]]> : tensor<2x1xi64>
  %u2 = ag.constant dense<[[5.0, 6.0], [7.0, 8.0]]> : tensor<2x2xf32>
  %n = ag.scatter_nd %d2, %i2, %u2 : tensor<3x2xf32>, tensor<2x1xi64>, tensor<2x2xf32>
  %nu = tensor.cast %n : tensor<3x2xf32> to tensor<*xf32>
  call @printMemrefF32(%nu) : (tensor<*xf32>) -> ()
  %y = ag.constant dense<[[[0.0, 1.0, 4.0, 9.0]]]> : tensor<1x1x4xf32>
  %c = ag.resize cubic %y : tensor<1x1x4xf32> -> tensor<1x1x8xf32>
  %cu = tensor.cast %c : tensor<1x1x8xf32> to tensor<*xf32>
  call @printMemrefF32(%cu) : (tensor<*xf32>) -> ()
  return
}

// CHECK-LABEL: pad_modes
// CHECK: [9, 9, 1, 2, 3, 9]
// CHECK: [3, 2, 1, 2, 3, 2]
// CHECK: [1, 1, 1, 2, 3, 3]
// CHECK: [2, 3, 1, 2, 3, 1]
func.func @pad_modes() {
  vector.print str "pad_modes\n"
  %x = ag.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %c = ag.pad constant %x pads [2, 1] value 9.0 : tensor<3xf32> -> tensor<6xf32>
  %r = ag.pad reflect %x pads [2, 1] : tensor<3xf32> -> tensor<6xf32>
  %e = ag.pad edge %x pads [2, 1] : tensor<3xf32> -> tensor<6xf32>
  %w = ag.pad wrap %x pads [2, 1] : tensor<3xf32> -> tensor<6xf32>
  %cu = tensor.cast %c : tensor<6xf32> to tensor<*xf32>
  %ru = tensor.cast %r : tensor<6xf32> to tensor<*xf32>
  %eu = tensor.cast %e : tensor<6xf32> to tensor<*xf32>
  %wu = tensor.cast %w : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%cu) : (tensor<*xf32>) -> ()
  call @printMemrefF32(%ru) : (tensor<*xf32>) -> ()
  call @printMemrefF32(%eu) : (tensor<*xf32>) -> ()
  call @printMemrefF32(%wu) : (tensor<*xf32>) -> ()
  return
}

// concat, then a reshape that is neither a collapse nor an expand.
// CHECK-LABEL: concat_reshape
// CHECK: sizes = [3, 2]
// CHECK-NEXT: {{\[}}[1, 2],
// CHECK-NEXT: [3, 10],
// CHECK-NEXT: [20, 30]]
func.func @concat_reshape() {
  vector.print str "concat_reshape\n"
  %a = ag.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %b = ag.constant dense<[[10.0, 20.0, 30.0]]> : tensor<1x3xf32>
  %c = ag.concat %a, %b axis 0 : (tensor<1x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
  %r = ag.reshape %c : tensor<2x3xf32> -> tensor<3x2xf32>
  %u = tensor.cast %r : tensor<3x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

// Linear (align_corners) and nearest (asymmetric, floor) upsampling of
// [0, 3] to 4 points; cubic (half_pixel) upsampling of [0, 1, 4, 9] to 8
// points (values from ONNX's reference implementation).
// CHECK-LABEL: resize
// CHECK: [0, 1, 2, 3]
// CHECK: [0, 0, 3, 3]
// CHECK: [-0.105469, 0.121094, 0.457031, 1.60938, 2.82812, 5.44922, 7.97266, 9.52734]
func.func @resize() {
  vector.print str "resize\n"
  %x = ag.constant dense<[[[0.0, 3.0]]]> : tensor<1x1x2xf32>
  %l = ag.resize linear %x coordinate_mode align_corners : tensor<1x1x2xf32> -> tensor<1x1x4xf32>
  %n = ag.resize nearest %x coordinate_mode asymmetric nearest_mode floor : tensor<1x1x2xf32> -> tensor<1x1x4xf32>
  %lu = tensor.cast %l : tensor<1x1x4xf32> to tensor<*xf32>
  %nu = tensor.cast %n : tensor<1x1x4xf32> to tensor<*xf32>
  call @printMemrefF32(%lu) : (tensor<*xf32>) -> ()
  call @printMemrefF32(%nu) : (tensor<*xf32>) -> ()
  %y = ag.constant dense<[[[0.0, 1.0, 4.0, 9.0]]]> : tensor<1x1x4xf32>
  %c = ag.resize cubic %y : tensor<1x1x4xf32> -> tensor<1x1x8xf32>
  %cu = tensor.cast %c : tensor<1x1x8xf32> to tensor<*xf32>
  call @printMemrefF32(%cu) : (tensor<*xf32>) -> ()
  return
}

func.func @main() {
  call @gather_negative() : () -> ()
  call @slice_negative_step() : () -> ()
  call @scatter() : () -> ()
  call @pad_modes() : () -> ()
  call @concat_reshape() : () -> ()
  call @resize() : () -> ()
  return
}
