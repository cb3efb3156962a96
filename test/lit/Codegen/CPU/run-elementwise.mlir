// RUN: autoglm-opt %s --ag-to-linalg %lower_to_llvm \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// Numerics of lowered elementwise ops, run on mlir-runner: broadcasting,
// integer semantics (Python mod, unsigned compare and divide), NaN and
// rounding rules, saturating float -> int casts.

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI32(tensor<*xi32>)

func.func @print_f32(%t: tensor<*xf32>) {
  call @printMemrefF32(%t) : (tensor<*xf32>) -> ()
  return
}

func.func @print_bool(%b: tensor<4xi1>) {
  %i = ag.cast %b : tensor<4xi1> to tensor<4xi32>
  %u = tensor.cast %i : tensor<4xi32> to tensor<*xi32>
  call @printMemrefI32(%u) : (tensor<*xi32>) -> ()
  return
}

// CHECK-LABEL: broadcast_add
// CHECK: sizes = [2, 3]
// CHECK-NEXT: {{\[}}[11, 22, 33],
// CHECK-NEXT: [14, 25, 36]]
func.func @broadcast_add() {
  vector.print str "broadcast_add\n"
  %a = ag.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = ag.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %r = ag.add %a, %b : tensor<2x3xf32>, tensor<3xf32>
  %u = tensor.cast %r : tensor<2x3xf32> to tensor<*xf32>
  call @print_f32(%u) : (tensor<*xf32>) -> ()
  return
}

// Python mod takes the divisor's sign, fmod the dividend's.
// CHECK-LABEL: integer_mod
// CHECK: [1, 2, -2, -1, 0]
// CHECK: [1, -1, 1, -1, 0]
func.func @integer_mod() {
  vector.print str "integer_mod\n"
  %a = ag.constant dense<[7, -7, 7, -7, 6]> : tensor<5xsi32>
  %b = ag.constant dense<[3, 3, -3, -3, 3]> : tensor<5xsi32>
  %m = ag.mod %a, %b : tensor<5xsi32>, tensor<5xsi32>
  %f = ag.mod %a, %b fmod : tensor<5xsi32>, tensor<5xsi32>
  %mi = ag.cast %m : tensor<5xsi32> to tensor<5xi32>
  %fi = ag.cast %f : tensor<5xsi32> to tensor<5xi32>
  %mu = tensor.cast %mi : tensor<5xi32> to tensor<*xi32>
  %fu = tensor.cast %fi : tensor<5xi32> to tensor<*xi32>
  call @printMemrefI32(%mu) : (tensor<*xi32>) -> ()
  call @printMemrefI32(%fu) : (tensor<*xi32>) -> ()
  return
}

// 200 < 100 is false for ui8 (a signed i8 compare would say -56 < 100);
// 200 / 3 is 66 unsigned.
// CHECK-LABEL: unsigned_compare_divide
// CHECK: [0, 1, 0, 1]
// CHECK: [66, 0, 1, 0]
func.func @unsigned_compare_divide() {
  vector.print str "unsigned_compare_divide\n"
  %a = ag.constant dense<[200, 3, 255, 0]> : tensor<4xui8>
  %b = ag.constant dense<[100, 100, 255, 1]> : tensor<4xui8>
  %lt = ag.compare lt, %a, %b : tensor<4xui8>, tensor<4xui8>
  call @print_bool(%lt) : (tensor<4xi1>) -> ()
  %three = ag.constant dense<[3, 200, 255, 7]> : tensor<4xui8>
  %q = ag.div %a, %three : tensor<4xui8>, tensor<4xui8>
  %qi = ag.cast %q : tensor<4xui8> to tensor<4xi32>
  %qu = tensor.cast %qi : tensor<4xi32> to tensor<*xi32>
  call @printMemrefI32(%qu) : (tensor<*xi32>) -> ()
  return
}

// Float compares are ordered except ne: NaN == NaN is false, NaN != NaN true.
// CHECK-LABEL: float_compare_nan
// CHECK: [0, 1, 0, 0]
// CHECK: [1, 0, 1, 1]
func.func @float_compare_nan() {
  vector.print str "float_compare_nan\n"
  %a = ag.constant dense<[0x7FC00000, 1.0, 2.0, 0x7FC00000]> : tensor<4xf32>
  %b = ag.constant dense<[0x7FC00000, 1.0, 3.0, 1.0]> : tensor<4xf32>
  %eq = ag.compare eq, %a, %b : tensor<4xf32>, tensor<4xf32>
  %ne = ag.compare ne, %a, %b : tensor<4xf32>, tensor<4xf32>
  call @print_bool(%eq) : (tensor<4xi1>) -> ()
  call @print_bool(%ne) : (tensor<4xi1>) -> ()
  return
}

// Float to int truncates toward zero and saturates; NaN becomes 0.
// CHECK-LABEL: cast_float_to_int
// CHECK: [-3, 0, 2, 2147483647, -2147483648, 0, 300]
// CHECK: [0, 0, 2, 255, 0, 0, 255]
func.func @cast_float_to_int() {
  vector.print str "cast_float_to_int\n"
  %a = ag.constant dense<[-3.7, -0.5, 2.9, 1.0e10, -1.0e10, 0x7FC00000, 300.0]> : tensor<7xf32>
  %s = ag.cast %a : tensor<7xf32> to tensor<7xsi32>
  %si = ag.cast %s : tensor<7xsi32> to tensor<7xi32>
  %su = tensor.cast %si : tensor<7xi32> to tensor<*xi32>
  call @printMemrefI32(%su) : (tensor<*xi32>) -> ()
  %u = ag.cast %a : tensor<7xf32> to tensor<7xui8>
  %ui = ag.cast %u : tensor<7xui8> to tensor<7xi32>
  %uu = tensor.cast %ui : tensor<7xi32> to tensor<*xi32>
  call @printMemrefI32(%uu) : (tensor<*xi32>) -> ()
  return
}

// max/min propagate NaN; round is half to even.
// CHECK-LABEL: nan_and_rounding
// CHECK: [{{-?}}nan, {{-?}}nan, 2]
// CHECK: [0, 2, 2, -0, -4]
func.func @nan_and_rounding() {
  vector.print str "nan_and_rounding\n"
  %a = ag.constant dense<[1.0, 0x7FC00000, 2.0]> : tensor<3xf32>
  %b = ag.constant dense<[0x7FC00000, 2.0, -1.0]> : tensor<3xf32>
  %m = ag.max %a, %b : tensor<3xf32>, tensor<3xf32>
  %mu = tensor.cast %m : tensor<3xf32> to tensor<*xf32>
  call @print_f32(%mu) : (tensor<*xf32>) -> ()
  %c = ag.constant dense<[0.5, 1.5, 2.5, -0.5, -3.5]> : tensor<5xf32>
  %r = ag.round %c : tensor<5xf32>
  %ru = tensor.cast %r : tensor<5xf32> to tensor<*xf32>
  call @print_f32(%ru) : (tensor<*xf32>) -> ()
  return
}

// Stable sigmoid at large |x|; exact gelu.
// CHECK-LABEL: sigmoid_gelu
// CHECK: [2.06115e-09, 0.5, 1]
// CHECK: [-0.158655, 0, 0.841345]
func.func @sigmoid_gelu() {
  vector.print str "sigmoid_gelu\n"
  %a = ag.constant dense<[-20.0, 0.0, 100.0]> : tensor<3xf32>
  %s = ag.sigmoid %a : tensor<3xf32>
  %su = tensor.cast %s : tensor<3xf32> to tensor<*xf32>
  call @print_f32(%su) : (tensor<*xf32>) -> ()
  %b = ag.constant dense<[-1.0, 0.0, 1.0]> : tensor<3xf32>
  %g = ag.gelu %b : tensor<3xf32>
  %gu = tensor.cast %g : tensor<3xf32> to tensor<*xf32>
  call @print_f32(%gu) : (tensor<*xf32>) -> ()
  return
}

func.func @main() {
  call @broadcast_add() : () -> ()
  call @integer_mod() : () -> ()
  call @unsigned_compare_divide() : () -> ()
  call @float_compare_nan() : () -> ()
  call @cast_float_to_int() : () -> ()
  call @nan_and_rounding() : () -> ()
  call @sigmoid_gelu() : () -> ()
  return
}
