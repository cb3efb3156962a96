// RUN: autoglm-opt %s --split-input-file | autoglm-opt --split-input-file | FileCheck %s
// RUN: autoglm-opt %s --split-input-file --mlir-print-op-generic | autoglm-opt --split-input-file | FileCheck %s

// Round trip of every ag op: parse, print, parse again. The second RUN line
// goes through the generic form, which checks properties survive too.

// CHECK-LABEL: func.func @constant
// CHECK: ag.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: ag.constant dense<3> : tensor<i64>
func.func @constant() {
  %0 = ag.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = ag.constant dense<3> : tensor<i64>
  return
}

// -----

// CHECK-LABEL: func.func @unary_numeric
// CHECK: ag.abs %{{.*}} : tensor<2x4xf32>
// CHECK: ag.neg %{{.*}} : tensor<2x4xf32>
// CHECK: ag.sign %{{.*}} : tensor<2x4xf32>
// CHECK: ag.relu %{{.*}} : tensor<2x4xf32>
// CHECK: ag.abs %{{.*}} : tensor<3xi32>
// CHECK: ag.neg %{{.*}} : tensor<3xi32>
// CHECK: ag.sign %{{.*}} : tensor<3xi32>
// CHECK: ag.relu %{{.*}} : tensor<3xi32>
func.func @unary_numeric(%x: tensor<2x4xf32>, %i: tensor<3xi32>) {
  %0 = ag.abs %x : tensor<2x4xf32>
  %1 = ag.neg %x : tensor<2x4xf32>
  %2 = ag.sign %x : tensor<2x4xf32>
  %3 = ag.relu %x : tensor<2x4xf32>
  %4 = ag.abs %i : tensor<3xi32>
  %5 = ag.neg %i : tensor<3xi32>
  %6 = ag.sign %i : tensor<3xi32>
  %7 = ag.relu %i : tensor<3xi32>
  return
}

// -----

// CHECK-LABEL: func.func @unary_float
// CHECK: ag.exp %{{.*}} : tensor<2x4xf16>
// CHECK: ag.log %{{.*}} : tensor<2x4xf16>
// CHECK: ag.sqrt %{{.*}} : tensor<2x4xf16>
// CHECK: ag.rsqrt %{{.*}} : tensor<2x4xf16>
// CHECK: ag.reciprocal %{{.*}} : tensor<2x4xf16>
// CHECK: ag.sin %{{.*}} : tensor<2x4xf16>
// CHECK: ag.cos %{{.*}} : tensor<2x4xf16>
// CHECK: ag.tan %{{.*}} : tensor<2x4xf16>
// CHECK: ag.asin %{{.*}} : tensor<2x4xf16>
// CHECK: ag.acos %{{.*}} : tensor<2x4xf16>
// CHECK: ag.atan %{{.*}} : tensor<2x4xf16>
// CHECK: ag.sinh %{{.*}} : tensor<2x4xf16>
// CHECK: ag.cosh %{{.*}} : tensor<2x4xf16>
// CHECK: ag.asinh %{{.*}} : tensor<2x4xf16>
// CHECK: ag.acosh %{{.*}} : tensor<2x4xf16>
// CHECK: ag.atanh %{{.*}} : tensor<2x4xf16>
// CHECK: ag.tanh %{{.*}} : tensor<2x4xf16>
// CHECK: ag.erf %{{.*}} : tensor<2x4xf16>
// CHECK: ag.sigmoid %{{.*}} : tensor<2x4xf16>
// CHECK: ag.silu %{{.*}} : tensor<2x4xf16>
// CHECK: ag.softplus %{{.*}} : tensor<2x4xf16>
// CHECK: ag.floor %{{.*}} : tensor<2x4xf16>
// CHECK: ag.ceil %{{.*}} : tensor<2x4xf16>
// CHECK: ag.round %{{.*}} : tensor<2x4xf16>
func.func @unary_float(%x: tensor<2x4xf16>) {
  %0 = ag.exp %x : tensor<2x4xf16>
  %1 = ag.log %x : tensor<2x4xf16>
  %2 = ag.sqrt %x : tensor<2x4xf16>
  %3 = ag.rsqrt %x : tensor<2x4xf16>
  %4 = ag.reciprocal %x : tensor<2x4xf16>
  %5 = ag.sin %x : tensor<2x4xf16>
  %6 = ag.cos %x : tensor<2x4xf16>
  %7 = ag.tan %x : tensor<2x4xf16>
  %8 = ag.asin %x : tensor<2x4xf16>
  %9 = ag.acos %x : tensor<2x4xf16>
  %10 = ag.atan %x : tensor<2x4xf16>
  %11 = ag.sinh %x : tensor<2x4xf16>
  %12 = ag.cosh %x : tensor<2x4xf16>
  %13 = ag.asinh %x : tensor<2x4xf16>
  %14 = ag.acosh %x : tensor<2x4xf16>
  %15 = ag.atanh %x : tensor<2x4xf16>
  %16 = ag.tanh %x : tensor<2x4xf16>
  %17 = ag.erf %x : tensor<2x4xf16>
  %18 = ag.sigmoid %x : tensor<2x4xf16>
  %19 = ag.silu %x : tensor<2x4xf16>
  %20 = ag.softplus %x : tensor<2x4xf16>
  %21 = ag.floor %x : tensor<2x4xf16>
  %22 = ag.ceil %x : tensor<2x4xf16>
  %23 = ag.round %x : tensor<2x4xf16>
  return
}

// -----

// CHECK-LABEL: func.func @unary_special
// CHECK: ag.gelu %{{.*}} : tensor<2x4xf32>
// CHECK: ag.gelu %{{.*}} approximation tanh : tensor<2x4xf32>
// CHECK: ag.clamp %{{.*}} min 0.000000e+00 max 6.000000e+00 : tensor<2x4xf32>
// CHECK: ag.clamp %{{.*}} max 1.000000e+00 : tensor<2x4xf32>
// CHECK: ag.leaky_relu %{{.*}} alpha 1.000000e-02 : tensor<2x4xf32>
// CHECK: ag.not %{{.*}} : tensor<4xi1>
// CHECK: %{{.*}} = ag.is_nan %{{.*}} : tensor<2x4xf32>
// CHECK: %{{.*}} = ag.is_inf %{{.*}} : tensor<2x4xf32>
func.func @unary_special(%x: tensor<2x4xf32>, %b: tensor<4xi1>) {
  %0 = ag.gelu %x : tensor<2x4xf32>
  %1 = ag.gelu %x approximation tanh : tensor<2x4xf32>
  %2 = ag.clamp %x min 0.0 max 6.0 : tensor<2x4xf32>
  %3 = ag.clamp %x max 1.0 : tensor<2x4xf32>
  %4 = ag.leaky_relu %x alpha 0.01 : tensor<2x4xf32>
  %5 = ag.not %b : tensor<4xi1>
  %6 = ag.is_nan %x : tensor<2x4xf32>
  %7 = ag.is_inf %x : tensor<2x4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @binary
// CHECK: ag.add %{{.*}}, %{{.*}} : tensor<2x1x4xf32>, tensor<3x1xf32>
// CHECK: ag.sub %{{.*}}, %{{.*}} : tensor<2x1x4xf32>, tensor<3x1xf32>
// CHECK: ag.mul %{{.*}}, %{{.*}} : tensor<2x1x4xf32>, tensor<3x1xf32>
// CHECK: ag.div %{{.*}}, %{{.*}} : tensor<2x1x4xf32>, tensor<3x1xf32>
// CHECK: ag.pow %{{.*}}, %{{.*}} : tensor<2x1x4xf32>, tensor<3x1xf32>
// CHECK: ag.max %{{.*}}, %{{.*}} : tensor<2x1x4xf32>, tensor<3x1xf32>
// CHECK: ag.min %{{.*}}, %{{.*}} : tensor<2x1x4xf32>, tensor<3x1xf32>
// CHECK: ag.and %{{.*}}, %{{.*}} : tensor<4xi1>, tensor<4xi1>
// CHECK: ag.or %{{.*}}, %{{.*}} : tensor<4xi1>, tensor<4xi1>
// CHECK: ag.xor %{{.*}}, %{{.*}} : tensor<4xi1>, tensor<4xi1>
// CHECK: ag.mod %{{.*}}, %{{.*}} : tensor<4xi32>, tensor<i32>
// CHECK: ag.mod %{{.*}}, %{{.*}} fmod : tensor<2x1x4xf32>, tensor<3x1xf32>
func.func @binary(%x: tensor<2x1x4xf32>, %y: tensor<3x1xf32>, %p: tensor<4xi1>,
                  %q: tensor<4xi1>, %i: tensor<4xi32>, %j: tensor<i32>)
    -> tensor<2x3x4xf32> {
  %0 = ag.add %x, %y : tensor<2x1x4xf32>, tensor<3x1xf32>
  %1 = ag.sub %x, %y : tensor<2x1x4xf32>, tensor<3x1xf32>
  %2 = ag.mul %x, %y : tensor<2x1x4xf32>, tensor<3x1xf32>
  %3 = ag.div %x, %y : tensor<2x1x4xf32>, tensor<3x1xf32>
  %4 = ag.pow %x, %y : tensor<2x1x4xf32>, tensor<3x1xf32>
  %5 = ag.max %x, %y : tensor<2x1x4xf32>, tensor<3x1xf32>
  %6 = ag.min %x, %y : tensor<2x1x4xf32>, tensor<3x1xf32>
  %7 = ag.and %p, %q : tensor<4xi1>, tensor<4xi1>
  %8 = ag.or %p, %q : tensor<4xi1>, tensor<4xi1>
  %9 = ag.xor %p, %q : tensor<4xi1>, tensor<4xi1>
  %10 = ag.mod %i, %j : tensor<4xi32>, tensor<i32>
  %11 = ag.mod %x, %y fmod : tensor<2x1x4xf32>, tensor<3x1xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @compare_select_cast
// CHECK: %[[M:.*]] = ag.compare lt, %{{.*}}, %{{.*}} : tensor<2x4xf32>, tensor<4xf32>
// CHECK: ag.compare eq, %{{.*}}, %{{.*}} : tensor<3xui8>, tensor<3xui8>
// CHECK: ag.select %[[M]], %{{.*}}, %{{.*}} : tensor<2x4xi1>, tensor<2x4xf32>, tensor<f32>
// CHECK: ag.cast %{{.*}} : tensor<2x4xf32> to tensor<2x4xbf16>
func.func @compare_select_cast(%x: tensor<2x4xf32>, %y: tensor<4xf32>,
                               %u: tensor<3xui8>, %s: tensor<f32>)
    -> (tensor<2x4xi1>, tensor<3xi1>, tensor<2x4xf32>, tensor<2x4xbf16>) {
  %0 = ag.compare lt, %x, %y : tensor<2x4xf32>, tensor<4xf32>
  %1 = ag.compare eq, %u, %u : tensor<3xui8>, tensor<3xui8>
  %2 = ag.select %0, %x, %s : tensor<2x4xi1>, tensor<2x4xf32>, tensor<f32>
  %3 = ag.cast %x : tensor<2x4xf32> to tensor<2x4xbf16>
  return %0, %1, %2, %3 : tensor<2x4xi1>, tensor<3xi1>, tensor<2x4xf32>, tensor<2x4xbf16>
}

// -----

// CHECK-LABEL: func.func @matmul
// CHECK: ag.matmul %{{.*}}, %{{.*}} : (tensor<8x128x768xf32>, tensor<768x3072xf32>) -> tensor<8x128x3072xf32>
// CHECK: ag.matmul %{{.*}}, %{{.*}} bias %{{.*}} transpose_rhs : (tensor<2x1x16x64xf32>, tensor<3x32x64xf32>, tensor<32xf32>) -> tensor<2x3x16x32xf32>
// CHECK: ag.matmul %{{.*}}, %{{.*}} transpose_lhs : (tensor<64x16xf32>, tensor<64x32xf32>) -> tensor<16x32xf32>
func.func @matmul(%a: tensor<8x128x768xf32>, %b: tensor<768x3072xf32>,
                  %c: tensor<2x1x16x64xf32>, %d: tensor<3x32x64xf32>,
                  %bias: tensor<32xf32>, %e: tensor<64x16xf32>,
                  %f: tensor<64x32xf32>) {
  %0 = ag.matmul %a, %b : (tensor<8x128x768xf32>, tensor<768x3072xf32>) -> tensor<8x128x3072xf32>
  %1 = ag.matmul %c, %d bias %bias transpose_rhs : (tensor<2x1x16x64xf32>, tensor<3x32x64xf32>, tensor<32xf32>) -> tensor<2x3x16x32xf32>
  %2 = ag.matmul %e, %f transpose_lhs : (tensor<64x16xf32>, tensor<64x32xf32>) -> tensor<16x32xf32>
  return
}

// -----

// CHECK-LABEL: func.func @conv_pool
// CHECK: ag.conv %{{.*}}, %{{.*}} bias %{{.*}} strides [1, 1] dilations [1, 1] pads [1, 1, 1, 1] groups 1 : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x32x32xf32>
// CHECK: ag.conv %{{.*}}, %{{.*}} strides [2] dilations [2] pads [0, 1] groups 4 : (tensor<2x8x20xf32>, tensor<12x2x3xf32>) -> tensor<2x12x9xf32>
// CHECK: ag.pool max %{{.*}} kernel [2, 2] strides [2, 2] dilations [1, 1] pads [0, 0, 0, 0] : tensor<1x16x32x32xf32> -> tensor<1x16x16x16xf32>
// CHECK: ag.pool avg %{{.*}} kernel [3, 3] strides [2, 2] dilations [1, 1] pads [1, 1, 1, 1] ceil_mode count_include_pad : tensor<1x16x32x32xf32> -> tensor<1x16x17x17xf32>
func.func @conv_pool(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>,
                     %b: tensor<16xf32>, %s: tensor<2x8x20xf32>,
                     %g: tensor<12x2x3xf32>) {
  %0 = ag.conv %x, %w bias %b strides [1, 1] dilations [1, 1] pads [1, 1, 1, 1] groups 1
      : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x32x32xf32>
  %1 = ag.conv %s, %g strides [2] dilations [2] pads [0, 1] groups 4
      : (tensor<2x8x20xf32>, tensor<12x2x3xf32>) -> tensor<2x12x9xf32>
  %2 = ag.pool max %0 kernel [2, 2] strides [2, 2] dilations [1, 1] pads [0, 0, 0, 0]
      : tensor<1x16x32x32xf32> -> tensor<1x16x16x16xf32>
  %3 = ag.pool avg %0 kernel [3, 3] strides [2, 2] dilations [1, 1] pads [1, 1, 1, 1] ceil_mode count_include_pad
      : tensor<1x16x32x32xf32> -> tensor<1x16x17x17xf32>
  return
}

// -----

// CHECK-LABEL: func.func @reduce_softmax_norms
// CHECK: ag.reduce mean %{{.*}} axes [2] keep_dims : tensor<1x128x768xf32> -> tensor<1x128x1xf32>
// CHECK: ag.reduce log_sum_exp %{{.*}} axes [0, 2] : tensor<1x128x768xf32> -> tensor<128xf32>
// CHECK: ag.reduce sum %{{.*}} axes [1] : tensor<4x5xi64> -> tensor<4xi64>
// CHECK: ag.softmax %{{.*}} axis 2 : tensor<1x128x768xf32>
// CHECK: ag.softmax %{{.*}} axis 2 log : tensor<1x128x768xf32>
// CHECK: ag.layer_norm %{{.*}} scale %{{.*}} bias %{{.*}} axis 2 epsilon 9.9999999999999995E-7 : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
// CHECK: ag.layer_norm %{{.*}} axis 1 epsilon 1.000000e-05 : (tensor<1x128x768xf32>) -> tensor<1x128x768xf32>
// CHECK: ag.rms_norm %{{.*}}, %{{.*}} axis 2 epsilon 1.000000e-05 : tensor<1x128x768xf32>, tensor<768xf32>
func.func @reduce_softmax_norms(%x: tensor<1x128x768xf32>, %g: tensor<768xf32>,
                                %b: tensor<768xf32>, %i: tensor<4x5xi64>) {
  %0 = ag.reduce mean %x axes [2] keep_dims : tensor<1x128x768xf32> -> tensor<1x128x1xf32>
  %1 = ag.reduce log_sum_exp %x axes [0, 2] : tensor<1x128x768xf32> -> tensor<128xf32>
  %2 = ag.reduce sum %i axes [1] : tensor<4x5xi64> -> tensor<4xi64>
  %3 = ag.softmax %x axis 2 : tensor<1x128x768xf32>
  %4 = ag.softmax %x axis 2 log : tensor<1x128x768xf32>
  %5 = ag.layer_norm %x scale %g bias %b axis 2 epsilon 1.0e-06
      : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
  %6 = ag.layer_norm %x axis 1 epsilon 1.0e-05 : (tensor<1x128x768xf32>) -> tensor<1x128x768xf32>
  %7 = ag.rms_norm %x, %g axis 2 epsilon 1.0e-05 : tensor<1x128x768xf32>, tensor<768xf32>
  return
}

// -----

// CHECK-LABEL: func.func @data_movement
// CHECK: ag.reshape %{{.*}} : tensor<1x128x768xf32> -> tensor<128x12x64xf32>
// CHECK: ag.transpose %{{.*}} [1, 0, 2] : tensor<128x12x64xf32> -> tensor<12x128x64xf32>
// CHECK: ag.concat %{{.*}}, %{{.*}} axis 1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
// CHECK: ag.slice %{{.*}} starts [0, 7] sizes [2, 3] steps [1, -2] : tensor<2x8xf32> -> tensor<2x3xf32>
// CHECK: ag.gather %{{.*}}, %{{.*}} axis 0 : (tensor<512x128xf32>, tensor<1x8xi64>) -> tensor<1x8x128xf32>
// CHECK: ag.pad constant %{{.*}} pads [0, 1, 0, 1] value 1.500000e+00 : tensor<2x3xf32> -> tensor<2x5xf32>
// CHECK: ag.pad reflect %{{.*}} pads [1, 0, 1, 0] : tensor<2x3xf32> -> tensor<4x3xf32>
// CHECK: ag.expand %{{.*}} : tensor<1x3xf32> -> tensor<4x3xf32>
// CHECK: ag.resize nearest %{{.*}} coordinate_mode asymmetric nearest_mode floor : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
// CHECK: ag.resize cubic %{{.*}} {cubic_coeff_a = -5.000000e-01 : f64, exclude_outside} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
func.func @data_movement(%x: tensor<1x128x768xf32>, %a: tensor<2x3xf32>,
                         %b: tensor<2x5xf32>, %t: tensor<512x128xf32>,
                         %ids: tensor<1x8xi64>, %r: tensor<1x3xf32>,
                         %img: tensor<1x3x8x8xf32>) {
  %0 = ag.reshape %x : tensor<1x128x768xf32> -> tensor<128x12x64xf32>
  %1 = ag.transpose %0 [1, 0, 2] : tensor<128x12x64xf32> -> tensor<12x128x64xf32>
  %2 = ag.concat %a, %b axis 1 : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  %3 = ag.slice %2 starts [0, 7] sizes [2, 3] steps [1, -2] : tensor<2x8xf32> -> tensor<2x3xf32>
  %4 = ag.gather %t, %ids axis 0 : (tensor<512x128xf32>, tensor<1x8xi64>) -> tensor<1x8x128xf32>
  %5 = ag.pad constant %a pads [0, 1, 0, 1] value 1.5 : tensor<2x3xf32> -> tensor<2x5xf32>
  %6 = ag.pad reflect %a pads [1, 0, 1, 0] : tensor<2x3xf32> -> tensor<4x3xf32>
  %7 = ag.expand %r : tensor<1x3xf32> -> tensor<4x3xf32>
  %8 = ag.resize nearest %img coordinate_mode asymmetric nearest_mode floor
      : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  %9 = ag.resize cubic %img {cubic_coeff_a = -0.5 : f64, exclude_outside}
      : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

// CHECK-LABEL: func.func @llm
// CHECK: %[[Q:.*]] = ag.rope %{{.*}}, %{{.*}} layout interleaved rotary_dim 32 theta 1.000000e+04 : tensor<1x4x8x64xf32>, tensor<1x8xi64>
// CHECK: %[[K:.*]] = ag.rope %{{.*}}, %{{.*}} layout half rotary_dim 64 theta 5.000000e+05 : tensor<1x2x8x64xf32>, tensor<1x8xi64>
// CHECK: %[[KC:.*]] = ag.kv_cache_write %[[K]] into %{{.*}} at %{{.*}} : tensor<1x2x8x64xf32>, tensor<1x2x2048x64xf32>, tensor<i64>
// CHECK: ag.attention %[[Q]], %[[KC]], %{{.*}} kv_len %{{.*}} causal : (tensor<1x4x8x64xf32>, tensor<1x2x2048x64xf32>, tensor<1x2x2048x64xf32>, tensor<i64>) -> tensor<1x4x8x64xf32>
// CHECK: ag.attention %[[Q]], %[[K]], %{{.*}} mask %{{.*}} scale 1.250000e-01 : (tensor<1x4x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x32xf32>, tensor<1x1x8x8xf32>) -> tensor<1x4x8x32xf32>
func.func @llm(%q: tensor<1x4x8x64xf32>, %k: tensor<1x2x8x64xf32>,
               %v: tensor<1x2x8x32xf32>, %pos: tensor<1x8xi64>,
               %kc: tensor<1x2x2048x64xf32>, %vc: tensor<1x2x2048x64xf32>,
               %at: tensor<i64>, %len: tensor<i64>, %mask: tensor<1x1x8x8xf32>) {
  %0 = ag.rope %q, %pos layout interleaved rotary_dim 32 theta 10000.0 : tensor<1x4x8x64xf32>, tensor<1x8xi64>
  %1 = ag.rope %k, %pos layout half rotary_dim 64 theta 500000.0 : tensor<1x2x8x64xf32>, tensor<1x8xi64>
  %2 = ag.kv_cache_write %1 into %kc at %at : tensor<1x2x8x64xf32>, tensor<1x2x2048x64xf32>, tensor<i64>
  %3 = ag.attention %0, %2, %vc kv_len %len causal
      : (tensor<1x4x8x64xf32>, tensor<1x2x2048x64xf32>, tensor<1x2x2048x64xf32>, tensor<i64>) -> tensor<1x4x8x64xf32>
  %4 = ag.attention %0, %1, %v mask %mask scale 0.125
      : (tensor<1x4x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x32xf32>, tensor<1x1x8x8xf32>) -> tensor<1x4x8x32xf32>
  return
}

// -----

// CHECK-LABEL: func.func @quant
// CHECK: ag.quantize %{{.*}}, %{{.*}} zero_point %{{.*}} : (tensor<4x8xf32>, tensor<f32>, tensor<ui8>) -> tensor<4x8xui8>
// CHECK: ag.dequantize %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<4x8xi8>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK: ag.dequantize %{{.*}}, %{{.*}} zero_point %{{.*}} {axis = 1 : i64, group_size = 128 : i64} : (tensor<64x256xi4>, tensor<64x2xf32>, tensor<64x2xi4>) -> tensor<64x256xf32>
// CHECK: ag.dequant_matmul %{{.*}}, %{{.*}}, %{{.*}} transpose_rhs {axis = 1 : i64, group_size = 128 : i64} : (tensor<1x16x256xf32>, tensor<64x256xi4>, tensor<64x2xf32>) -> tensor<1x16x64xf32>
// CHECK: ag.dequant_matmul %{{.*}}, %{{.*}}, %{{.*}} zero_point %{{.*}} bias %{{.*}} {axis = 1 : i64} : (tensor<1x16x8xf32>, tensor<8x64xui8>, tensor<64xf32>, tensor<64xui8>, tensor<64xf32>) -> tensor<1x16x64xf32>
func.func @quant(%x: tensor<4x8xf32>, %s: tensor<f32>, %zp: tensor<ui8>,
                 %q8: tensor<4x8xi8>, %s8: tensor<8xf32>,
                 %q4: tensor<64x256xi4>, %s4: tensor<64x2xf32>,
                 %z4: tensor<64x2xi4>, %a: tensor<1x16x256xf32>,
                 %a8: tensor<1x16x8xf32>, %w8: tensor<8x64xui8>,
                 %sw: tensor<64xf32>, %zw: tensor<64xui8>,
                 %bias: tensor<64xf32>) {
  %0 = ag.quantize %x, %s zero_point %zp : (tensor<4x8xf32>, tensor<f32>, tensor<ui8>) -> tensor<4x8xui8>
  %1 = ag.dequantize %q8, %s8 {axis = 1 : i64} : (tensor<4x8xi8>, tensor<8xf32>) -> tensor<4x8xf32>
  %2 = ag.dequantize %q4, %s4 zero_point %z4 {axis = 1 : i64, group_size = 128 : i64}
      : (tensor<64x256xi4>, tensor<64x2xf32>, tensor<64x2xi4>) -> tensor<64x256xf32>
  %3 = ag.dequant_matmul %a, %q4, %s4 transpose_rhs {axis = 1 : i64, group_size = 128 : i64}
      : (tensor<1x16x256xf32>, tensor<64x256xi4>, tensor<64x2xf32>) -> tensor<1x16x64xf32>
  %4 = ag.dequant_matmul %a8, %w8, %sw zero_point %zw bias %bias {axis = 1 : i64}
      : (tensor<1x16x8xf32>, tensor<8x64xui8>, tensor<64xf32>, tensor<64xui8>, tensor<64xf32>) -> tensor<1x16x64xf32>
  return
}

// -----

// CHECK-LABEL: func.func @conv_integer_transpose
// CHECK: ag.conv %{{.*}}, %{{.*}} bias %{{.*}} strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] groups 1 : (tensor<1x3x8x8xi32>, tensor<4x3x3x3xi32>, tensor<4xi32>) -> tensor<1x4x6x6xi32>
// CHECK: ag.conv_transpose %{{.*}}, %{{.*}} bias %{{.*}} strides [2, 2] dilations [1, 1] pads [1, 1, 1, 1] output_padding [1, 1] groups 1 : (tensor<1x16x8x8xf32>, tensor<16x8x3x3xf32>, tensor<8xf32>) -> tensor<1x8x16x16xf32>
// CHECK: ag.conv_transpose %{{.*}}, %{{.*}} strides [3] dilations [2] pads [0, 1] output_padding [0] groups 2 : (tensor<2x4x5xf32>, tensor<4x3x2xf32>) -> tensor<2x6x14xf32>
// CHECK: ag.conv_transpose %{{.*}}, %{{.*}} strides [1] dilations [1] pads [0, 0] output_padding [0] groups 1 : (tensor<?x4x?xf32>, tensor<4x3x2xf32>) -> tensor<?x3x?xf32>
func.func @conv_integer_transpose(%xi: tensor<1x3x8x8xi32>, %wi: tensor<4x3x3x3xi32>,
                                  %bi: tensor<4xi32>, %x: tensor<1x16x8x8xf32>,
                                  %w: tensor<16x8x3x3xf32>, %b: tensor<8xf32>,
                                  %s: tensor<2x4x5xf32>, %g: tensor<4x3x2xf32>,
                                  %d: tensor<?x4x?xf32>) {
  %0 = ag.conv %xi, %wi bias %bi strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] groups 1
      : (tensor<1x3x8x8xi32>, tensor<4x3x3x3xi32>, tensor<4xi32>) -> tensor<1x4x6x6xi32>
  %1 = ag.conv_transpose %x, %w bias %b strides [2, 2] dilations [1, 1] pads [1, 1, 1, 1] output_padding [1, 1] groups 1
      : (tensor<1x16x8x8xf32>, tensor<16x8x3x3xf32>, tensor<8xf32>) -> tensor<1x8x16x16xf32>
  %2 = ag.conv_transpose %s, %g strides [3] dilations [2] pads [0, 1] output_padding [0] groups 2
      : (tensor<2x4x5xf32>, tensor<4x3x2xf32>) -> tensor<2x6x14xf32>
  %3 = ag.conv_transpose %d, %g strides [1] dilations [1] pads [0, 0] output_padding [0] groups 1
      : (tensor<?x4x?xf32>, tensor<4x3x2xf32>) -> tensor<?x3x?xf32>
  return
}

// -----

// CHECK-LABEL: func.func @arg_reduce_cumsum_topk
// CHECK: ag.arg_reduce max %{{.*}} axis 1 keep_dims : tensor<2x8xf32> -> tensor<2x1xi64>
// CHECK: ag.arg_reduce min %{{.*}} axis 0 select_last_index : tensor<2x8xf32> -> tensor<8xi64>
// CHECK: ag.arg_reduce max %{{.*}} axis 1 keep_dims select_last_index : tensor<3x?xi32> -> tensor<3x1xi64>
// CHECK: ag.cumsum %{{.*}} axis 1 : tensor<2x8xf32>
// CHECK: ag.cumsum %{{.*}} axis 0 exclusive reverse : tensor<2x8xf32>
// CHECK: ag.cumsum %{{.*}} axis 1 reverse : tensor<3x?xi32>
// CHECK: ag.topk %{{.*}} k 4 axis 1 largest sorted : tensor<2x8xf32> -> tensor<2x4xf32>, tensor<2x4xi64>
// CHECK: ag.topk %{{.*}} k 2 axis 0 : tensor<2x8xf32> -> tensor<2x8xf32>, tensor<2x8xi64>
// CHECK: ag.topk %{{.*}} k 5 axis 1 sorted : tensor<3x?xi32> -> tensor<3x5xi32>, tensor<3x5xi64>
func.func @arg_reduce_cumsum_topk(%x: tensor<2x8xf32>, %i: tensor<3x?xi32>) {
  %0 = ag.arg_reduce max %x axis 1 keep_dims : tensor<2x8xf32> -> tensor<2x1xi64>
  %1 = ag.arg_reduce min %x axis 0 select_last_index : tensor<2x8xf32> -> tensor<8xi64>
  %2 = ag.arg_reduce max %i axis 1 keep_dims select_last_index : tensor<3x?xi32> -> tensor<3x1xi64>
  %3 = ag.cumsum %x axis 1 : tensor<2x8xf32>
  %4 = ag.cumsum %x axis 0 exclusive reverse : tensor<2x8xf32>
  %5 = ag.cumsum %i axis 1 reverse : tensor<3x?xi32>
  %6:2 = ag.topk %x k 4 axis 1 largest sorted : tensor<2x8xf32> -> tensor<2x4xf32>, tensor<2x4xi64>
  %7:2 = ag.topk %x k 2 axis 0 : tensor<2x8xf32> -> tensor<2x8xf32>, tensor<2x8xi64>
  %8:2 = ag.topk %i k 5 axis 1 sorted : tensor<3x?xi32> -> tensor<3x5xi32>, tensor<3x5xi64>
  return
}

// -----

// CHECK-LABEL: func.func @gather_scatter
// CHECK: ag.gather_elements %{{.*}}, %{{.*}} axis 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
// CHECK: ag.gather_elements %{{.*}}, %{{.*}} axis 0 : (tensor<3x4xf32>, tensor<5x4xi32>) -> tensor<5x4xf32>
// CHECK: ag.gather_nd %{{.*}}, %{{.*}} : (tensor<2x3x4xf32>, tensor<5x2xi64>) -> tensor<5x4xf32>
// CHECK: ag.gather_nd %{{.*}}, %{{.*}} batch_dims 1 : (tensor<2x3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
// CHECK: ag.gather_nd %{{.*}}, %{{.*}} batch_dims 1 : (tensor<2x3x4xf32>, tensor<?x6x2xi64>) -> tensor<2x6xf32>
// CHECK: ag.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} axis 0 : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>
// CHECK: ag.scatter_elements %{{.*}}, %{{.*}}, %{{.*}} axis 1 reduction add : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>
// CHECK: ag.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>
// CHECK: ag.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} reduction mul : tensor<4x5xf32>, tensor<3x2xi32>, tensor<3xf32>
// CHECK: ag.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} reduction max : tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>
// CHECK: ag.scatter_nd %{{.*}}, %{{.*}}, %{{.*}} reduction min : tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>
func.func @gather_scatter(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>,
                          %j: tensor<5x4xi32>, %t: tensor<2x3x4xf32>,
                          %n: tensor<5x2xi64>, %b: tensor<2x1xi64>,
                          %dyn: tensor<?x6x2xi64>, %si: tensor<2x4xi64>,
                          %su: tensor<2x4xf32>, %d: tensor<4x5xf32>,
                          %ni: tensor<2x1xi64>, %nu: tensor<2x5xf32>,
                          %pi: tensor<3x2xi32>, %pu: tensor<3xf32>) {
  %0 = ag.gather_elements %x, %i axis 1 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  %1 = ag.gather_elements %x, %j axis 0 : (tensor<3x4xf32>, tensor<5x4xi32>) -> tensor<5x4xf32>
  %2 = ag.gather_nd %t, %n : (tensor<2x3x4xf32>, tensor<5x2xi64>) -> tensor<5x4xf32>
  %3 = ag.gather_nd %t, %b batch_dims 1 : (tensor<2x3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
  %4 = ag.gather_nd %t, %dyn batch_dims 1 : (tensor<2x3x4xf32>, tensor<?x6x2xi64>) -> tensor<2x6xf32>
  %5 = ag.scatter_elements %x, %si, %su axis 0 : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>
  %6 = ag.scatter_elements %x, %si, %su axis 1 reduction add : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>
  %7 = ag.scatter_nd %d, %ni, %nu : tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>
  %8 = ag.scatter_nd %d, %pi, %pu reduction mul : tensor<4x5xf32>, tensor<3x2xi32>, tensor<3xf32>
  %9 = ag.scatter_nd %d, %ni, %nu reduction max : tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>
  %10 = ag.scatter_nd %d, %ni, %nu reduction min : tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>
  return
}

// -----

// CHECK-LABEL: func.func @fusion
// CHECK: %[[G:.*]] = ag.fusion -> tensor<4x8xf32> {
// CHECK-NEXT: %[[M:.*]] = ag.matmul
// CHECK-NEXT: %[[R:.*]] = ag.relu %[[M]]
// CHECK-NEXT: ag.yield %[[R]] : tensor<4x8xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[G]]
func.func @fusion(%x: tensor<4x16xf32>, %w: tensor<16x8xf32>) -> tensor<4x8xf32> {
  %0 = ag.fusion -> tensor<4x8xf32> {
    %1 = ag.matmul %x, %w : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
    %2 = ag.relu %1 : tensor<4x8xf32>
    ag.yield %2 : tensor<4x8xf32>
  }
  return %0 : tensor<4x8xf32>
}
