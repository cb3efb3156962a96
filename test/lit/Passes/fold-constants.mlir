// RUN: autoglm-opt %s --split-input-file --ag-fold-constants | FileCheck %s
// RUN: autoglm-opt %s --split-input-file --ag-fold-constants=max-elements=2 | FileCheck %s --check-prefix=LIMIT

// ag-fold-constants: ag ops whose operands are all constants become
// ag.constant, under max-elements (the LIMIT run lowers it to 2).
// Its statistics are checked in pass-statistics.mlir.

// Binary op with numpy broadcasting; the operand constants go with it.
// CHECK-LABEL: func.func @add_broadcast
// CHECK-NEXT: %[[C:.*]] = ag.constant dense<{{\[}}[1.100000e+01, 1.200000e+01], [2.100000e+01, 2.200000e+01]]> : tensor<2x2xf32>
// CHECK-NEXT: return %[[C]]
// LIMIT-LABEL: func.func @add_broadcast
// LIMIT: ag.add
func.func @add_broadcast() -> tensor<2x2xf32> {
  %a = ag.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = ag.constant dense<[[10.0], [20.0]]> : tensor<2x1xf32>
  %c = ag.add %a, %b : tensor<2xf32>, tensor<2x1xf32>
  return %c : tensor<2x2xf32>
}

// -----

// A chain folds completely (program order): exp(0) * 3 - 1.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT: %[[C:.*]] = ag.constant dense<2.000000e+00> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @chain() -> tensor<3xf32> {
  %z = ag.constant dense<0.0> : tensor<3xf32>
  %three = ag.constant dense<3.0> : tensor<3xf32>
  %one = ag.constant dense<1.0> : tensor<1xf32>
  %e = ag.exp %z : tensor<3xf32>
  %m = ag.mul %e, %three : tensor<3xf32>, tensor<3xf32>
  %s = ag.sub %m, %one : tensor<3xf32>, tensor<1xf32>
  return %s : tensor<3xf32>
}

// -----

// An op with one non-constant operand stays, and so does its constant.
// CHECK-LABEL: func.func @non_constant_operand
// CHECK: %[[C:.*]] = ag.constant dense<1.000000e+00>
// CHECK: ag.add %{{.*}}, %[[C]]
func.func @non_constant_operand(%x: tensor<4xf32>) -> tensor<4xf32> {
  %c = ag.constant dense<1.0> : tensor<4xf32>
  %y = ag.add %x, %c : tensor<4xf32>, tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// A result over max-elements (65536 by default) is not materialized.
// CHECK-LABEL: func.func @over_max_elements
// CHECK: ag.expand
func.func @over_max_elements() -> tensor<2x32769xf32> {
  %c = ag.constant dense<1.0> : tensor<1xf32>
  %y = ag.expand %c : tensor<1xf32> -> tensor<2x32769xf32>
  return %y : tensor<2x32769xf32>
}

// -----

// Exported shape arithmetic: Gather of a shape, Concat, then a reshape of
// the folded shape-ops' values.
// CHECK-LABEL: func.func @shape_chain
// CHECK-NEXT: %[[C:.*]] = ag.constant dense<[1, 12, 64, -1]> : tensor<4xi64>
// CHECK-NEXT: return %[[C]]
func.func @shape_chain() -> tensor<4xi64> {
  %shape = ag.constant dense<[1, 128, 768]> : tensor<3xi64>
  %i = ag.constant dense<[0]> : tensor<1xi64>
  %d = ag.gather %shape, %i axis 0 : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  %rest = ag.constant dense<[12, 64, -1]> : tensor<3xi64>
  %c = ag.concat %d, %rest axis 0 : (tensor<1xi64>, tensor<3xi64>) -> tensor<4xi64>
  return %c : tensor<4xi64>
}

// -----

// Integers wrap to the type's width.
// CHECK-LABEL: func.func @int_wrap
// CHECK-NEXT: ag.constant dense<[-56, -128, 0]> : tensor<3xi8>
func.func @int_wrap() -> tensor<3xi8> {
  %a = ag.constant dense<[100, 127, -128]> : tensor<3xi8>
  %b = ag.constant dense<[100, 1, -128]> : tensor<3xi8>
  %c = ag.add %a, %b : tensor<3xi8>, tensor<3xi8>
  return %c : tensor<3xi8>
}

// -----

// Unsigned types divide, compare and convert as unsigned.
// CHECK-LABEL: func.func @unsigned
// CHECK-DAG: ag.constant dense<[66, 1]> : tensor<2xui8>
// CHECK-DAG: ag.constant dense<[true, false]> : tensor<2xi1>
// CHECK-DAG: ag.constant dense<[2.000000e+02, 3.000000e+00]> : tensor<2xf32>
// CHECK-NOT: ag.div
// CHECK-NOT: ag.compare
// CHECK-NOT: ag.cast
func.func @unsigned() -> (tensor<2xui8>, tensor<2xi1>, tensor<2xf32>) {
  %a = ag.constant dense<[200, 3]> : tensor<2xui8>
  %b = ag.constant dense<[3, 2]> : tensor<2xui8>
  %q = ag.div %a, %b : tensor<2xui8>, tensor<2xui8>
  %h = ag.constant dense<100> : tensor<ui8>
  %g = ag.compare gt, %a, %h : tensor<2xui8>, tensor<ui8>
  %f = ag.cast %a : tensor<2xui8> to tensor<2xf32>
  return %q, %g, %f : tensor<2xui8>, tensor<2xi1>, tensor<2xf32>
}

// -----

// Integer division by zero is undefined: the op stays.
// CHECK-LABEL: func.func @div_by_zero
// CHECK: ag.div
func.func @div_by_zero() -> tensor<2xi32> {
  %a = ag.constant dense<[4, 5]> : tensor<2xi32>
  %b = ag.constant dense<[2, 0]> : tensor<2xi32>
  %c = ag.div %a, %b : tensor<2xi32>, tensor<2xi32>
  return %c : tensor<2xi32>
}

// -----

// Python and C remainders, integer pow, min/max.
// CHECK-LABEL: func.func @int_binary
// CHECK-DAG: ag.constant dense<[2, -2, 1]> : tensor<3xi32>
// CHECK-DAG: ag.constant dense<[-1, 1, 1]> : tensor<3xi32>
// CHECK-DAG: ag.constant dense<[49, 49, 1]> : tensor<3xi32>
// CHECK-DAG: ag.constant dense<[3, 7, 3]> : tensor<3xi32>
func.func @int_binary() -> (tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>) {
  %a = ag.constant dense<[-7, 7, 1]> : tensor<3xi32>
  %b = ag.constant dense<[3, -3, 3]> : tensor<3xi32>
  %two = ag.constant dense<2> : tensor<1xi32>
  %m = ag.mod %a, %b : tensor<3xi32>, tensor<3xi32>
  %f = ag.mod %a, %b fmod : tensor<3xi32>, tensor<3xi32>
  %p = ag.pow %a, %two : tensor<3xi32>, tensor<1xi32>
  %x = ag.max %a, %b : tensor<3xi32>, tensor<3xi32>
  return %m, %f, %p, %x : tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>
}

// -----

// Float results are computed in double and rounded to the element type.
// CHECK-LABEL: func.func @float_rounding
// CHECK-DAG: ag.constant dense<3.332520e-01> : tensor<2xf16>
// CHECK-DAG: ag.constant dense<3.339840e-01> : tensor<2xbf16>
// CHECK-DAG: ag.constant dense<0.33333333333333331> : tensor<2xf64>
func.func @float_rounding() -> (tensor<2xf16>, tensor<2xbf16>, tensor<2xf64>) {
  %h = ag.constant dense<3.0> : tensor<2xf16>
  %b = ag.constant dense<3.0> : tensor<2xbf16>
  %d = ag.constant dense<3.0> : tensor<2xf64>
  %rh = ag.reciprocal %h : tensor<2xf16>
  %rb = ag.reciprocal %b : tensor<2xbf16>
  %rd = ag.reciprocal %d : tensor<2xf64>
  return %rh, %rb, %rd : tensor<2xf16>, tensor<2xbf16>, tensor<2xf64>
}

// -----

// Casts: float to int truncates and saturates, to bool tests != 0, int to
// int wraps; clamp and select.
// CHECK-LABEL: func.func @cast_clamp_select
// CHECK-DAG: ag.constant dense<[-2, 127, -128, 0]> : tensor<4xi8>
// CHECK-DAG: ag.constant dense<[true, true, true, false]> : tensor<4xi1>
// CHECK-DAG: ag.constant dense<[-1.000000e+00, 1.000000e+00, -1.000000e+00, 0.000000e+00]> : tensor<4xf32>
// CHECK-DAG: ag.constant dense<[-2.700000e+00, 1.000000e+00, -1.000000e+00, 0.000000e+00]> : tensor<4xf32>
// CHECK-DAG: ag.constant dense<[44, -1]> : tensor<2xi8>
func.func @cast_clamp_select() -> (tensor<4xi8>, tensor<4xi1>, tensor<4xf32>, tensor<4xf32>, tensor<2xi8>) {
  %x = ag.constant dense<[-2.7, 300.0, -1000.0, 0.0]> : tensor<4xf32>
  %i = ag.cast %x : tensor<4xf32> to tensor<4xi8>
  %b = ag.cast %x : tensor<4xf32> to tensor<4xi1>
  %c = ag.clamp %x min -1.0 max 1.0 : tensor<4xf32>
  %m = ag.constant dense<[false, true, true, false]> : tensor<4xi1>
  %s = ag.select %m, %c, %x : tensor<4xi1>, tensor<4xf32>, tensor<4xf32>
  %w = ag.constant dense<[300, 255]> : tensor<2xi32>
  %n = ag.cast %w : tensor<2xi32> to tensor<2xi8>
  return %i, %b, %c, %s, %n : tensor<4xi8>, tensor<4xi1>, tensor<4xf32>, tensor<4xf32>, tensor<2xi8>
}

// -----

// Data movement: transpose, reshape, slice with a negative step, gather with
// a negative index, expand, constant pad.
// CHECK-LABEL: func.func @data_movement
// CHECK-DAG: ag.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi32>
// CHECK-DAG: ag.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi32>
// CHECK-DAG: ag.constant dense<{{\[}}[6, 4], [3, 1]]> : tensor<2x2xi32>
// CHECK-DAG: ag.constant dense<{{\[}}[3, 1], [6, 4]]> : tensor<2x2xi32>
// CHECK-DAG: ag.constant dense<{{\[}}[1, 2, 3], [1, 2, 3]]> : tensor<2x3xi32>
// CHECK-DAG: ag.constant dense<{{\[}}[9, 1, 2, 3], [9, 4, 5, 6], [9, 9, 9, 9]]> : tensor<3x4xi32>
// CHECK-NOT: ag.transpose
// CHECK-NOT: ag.reshape
// CHECK-NOT: ag.slice
// CHECK-NOT: ag.gather
// CHECK-NOT: ag.expand
// CHECK-NOT: ag.pad
func.func @data_movement() -> (tensor<3x2xi32>, tensor<6xi32>, tensor<2x2xi32>, tensor<2x2xi32>, tensor<2x3xi32>, tensor<3x4xi32>) {
  %x = ag.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %t = ag.transpose %x [1, 0] : tensor<2x3xi32> -> tensor<3x2xi32>
  %r = ag.reshape %x : tensor<2x3xi32> -> tensor<6xi32>
  %s = ag.slice %x starts [1, 2] sizes [2, 2] steps [-1, -2] : tensor<2x3xi32> -> tensor<2x2xi32>
  %idx = ag.constant dense<[-1, 0]> : tensor<2xi64>
  %g = ag.gather %x, %idx axis 1 : (tensor<2x3xi32>, tensor<2xi64>) -> tensor<2x2xi32>
  %row = ag.constant dense<[1, 2, 3]> : tensor<3xi32>
  %e = ag.expand %row : tensor<3xi32> -> tensor<2x3xi32>
  %p = ag.pad constant %x pads [0, 1, 1, 0] value 9.0 : tensor<2x3xi32> -> tensor<3x4xi32>
  return %t, %r, %s, %g, %e, %p : tensor<3x2xi32>, tensor<6xi32>, tensor<2x2xi32>, tensor<2x2xi32>, tensor<2x3xi32>, tensor<3x4xi32>
}

// -----

// A slice reading outside its input (or a gather index out of range) is
// undefined: the op stays.
// CHECK-LABEL: func.func @out_of_range
// CHECK: ag.gather
func.func @out_of_range() -> tensor<1xi32> {
  %x = ag.constant dense<[1, 2, 3]> : tensor<3xi32>
  %i = ag.constant dense<[3]> : tensor<1xi64>
  %g = ag.gather %x, %i axis 0 : (tensor<3xi32>, tensor<1xi64>) -> tensor<1xi32>
  return %g : tensor<1xi32>
}

// -----

// Reductions, with and without keep_dims.
// CHECK-LABEL: func.func @reduce
// CHECK-DAG: ag.constant dense<[6.000000e+00, 1.500000e+01]> : tensor<2xf32>
// CHECK-DAG: ag.constant dense<{{\[}}[2.500000e+00, 3.500000e+00, 4.500000e+00]]> : tensor<1x3xf32>
// CHECK-DAG: ag.constant dense<6.000000e+00> : tensor<f32>
// CHECK-DAG: ag.constant dense<[1, 4]> : tensor<2xi32>
// CHECK-DAG: ag.constant dense<[6, 120]> : tensor<2xi32>
func.func @reduce() -> (tensor<2xf32>, tensor<1x3xf32>, tensor<f32>, tensor<2xi32>, tensor<2xi32>) {
  %x = ag.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %sum = ag.reduce sum %x axes [1] : tensor<2x3xf32> -> tensor<2xf32>
  %mean = ag.reduce mean %x axes [0] keep_dims : tensor<2x3xf32> -> tensor<1x3xf32>
  %max = ag.reduce max %x axes [0, 1] : tensor<2x3xf32> -> tensor<f32>
  %i = ag.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %min = ag.reduce min %i axes [1] : tensor<2x3xi32> -> tensor<2xi32>
  %prod = ag.reduce prod %i axes [1] : tensor<2x3xi32> -> tensor<2xi32>
  return %sum, %mean, %max, %min, %prod : tensor<2xf32>, tensor<1x3xf32>, tensor<f32>, tensor<2xi32>, tensor<2xi32>
}

// -----

// Small matmuls, batched with a transposed rhs and a bias.
// CHECK-LABEL: func.func @matmul
// CHECK-NEXT: %[[C:.*]] = ag.constant dense<{{\[}}{{\[}}[1.500000e+01, 3.300000e+01], [2.400000e+01, 5.100000e+01]]]> : tensor<1x2x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @matmul() -> tensor<1x2x2xf32> {
  %a = ag.constant dense<[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]> : tensor<1x2x3xf32>
  %b = ag.constant dense<[[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]]> : tensor<2x3xf32>
  %bias = ag.constant dense<[9.0, 21.0]> : tensor<2xf32>
  %y = ag.matmul %a, %b bias %bias transpose_rhs : (tensor<1x2x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2x2xf32>
  return %y : tensor<1x2x2xf32>
}

// -----

// A matmul whose reduction dim exceeds 4096 stays, however small its result.
// CHECK-LABEL: func.func @matmul_deep
// CHECK: ag.matmul
func.func @matmul_deep() -> tensor<1x1xf32> {
  %a = ag.constant dense<1.0> : tensor<1x4097xf32>
  %b = ag.constant dense<1.0> : tensor<4097x1xf32>
  %y = ag.matmul %a, %b : (tensor<1x4097xf32>, tensor<4097x1xf32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// dense_resource operands are read from their blob.
// CHECK-LABEL: func.func @resource_operand
// CHECK-NEXT: ag.constant dense<[2.000000e+00, 4.000000e+00]> : tensor<2xf32>
func.func @resource_operand() -> tensor<2xf32> {
  %w = ag.constant dense_resource<weights> : tensor<2xf32>
  %y = ag.add %w, %w : tensor<2xf32>, tensor<2xf32>
  return %y : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F00000040"
    }
  }
#-}

// -----

// NaN compares unequal, is_nan finds it; integer mean truncates toward
// zero; unsigned subtraction wraps; concat along an inner axis.
// CHECK-LABEL: func.func @more_elementwise
// CHECK-DAG: ag.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-DAG: ag.constant dense<[false, true, false]> : tensor<3xi1>
// CHECK-DAG: ag.constant dense<[-2, 3]> : tensor<2xi32>
// CHECK-DAG: ag.constant dense<[245, 246, 255]> : tensor<3xui8>
// CHECK-DAG: ag.constant dense<{{\[}}[1, 2, 5], [3, 4, 6]]> : tensor<2x3xi32>
func.func @more_elementwise() -> (tensor<3xi1>, tensor<3xi1>, tensor<2xi32>, tensor<3xui8>, tensor<2x3xi32>) {
  %f = ag.constant dense<[1.0, 0x7FC00000, 0x7F800000]> : tensor<3xf32>
  %one = ag.constant dense<1.0> : tensor<f32>
  %ne = ag.compare ne, %f, %one : tensor<3xf32>, tensor<f32>
  %nan = ag.is_nan %f : tensor<3xf32>
  %i = ag.constant dense<[[-7, 2], [3, 4]]> : tensor<2x2xi32>
  %mean = ag.reduce mean %i axes [1] : tensor<2x2xi32> -> tensor<2xi32>
  %u = ag.constant dense<[250, 10, 0]> : tensor<3xui8>
  %v = ag.constant dense<[5, 20, 1]> : tensor<3xui8>
  %d = ag.sub %u, %v : tensor<3xui8>, tensor<3xui8>
  %a = ag.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %b = ag.constant dense<[[5], [6]]> : tensor<2x1xi32>
  %c = ag.concat %a, %b axis 1 : (tensor<2x2xi32>, tensor<2x1xi32>) -> tensor<2x3xi32>
  return %ne, %nan, %mean, %d, %c : tensor<3xi1>, tensor<3xi1>, tensor<2xi32>, tensor<3xui8>, tensor<2x3xi32>
}
