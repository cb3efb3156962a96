// RUN: autoglm-opt %s --split-input-file --ag-fuse=groups=0 | FileCheck %s

// ag-fuse's pattern recognition: decomposed exporter forms become the fused
// ag ops (positive cases first), and the forms that must stay decomposed
// (an intermediate with an extra consumer, a wrong axis, a non-constant or
// wrong constant, shapes that broadcast differently) stay as they are.

// torch's LayerNorm below opset 17, scale and bias on either side.
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x32xf32>, %[[W:.*]]: tensor<32xf32>, %[[B:.*]]: tensor<32xf32>)
// CHECK: %[[Y:.*]] = ag.layer_norm %[[X]] scale %[[W]] bias %[[B]] axis 2 epsilon 1.000000e-05
// CHECK-NOT: ag.reduce
// CHECK-NOT: ag.sqrt
// CHECK: return %[[Y]]
func.func @layer_norm(%x: tensor<2x5x32xf32>, %w: tensor<32xf32>, %b: tensor<32xf32>) -> tensor<2x5x32xf32> {
  %two = ag.constant dense<2.0> : tensor<f32>
  %eps = ag.constant dense<1.0e-05> : tensor<f32>
  %m = ag.reduce mean %x axes [2] keep_dims : tensor<2x5x32xf32> -> tensor<2x5x1xf32>
  %d = ag.sub %x, %m : tensor<2x5x32xf32>, tensor<2x5x1xf32>
  %p = ag.pow %d, %two : tensor<2x5x32xf32>, tensor<f32>
  %v = ag.reduce mean %p axes [2] keep_dims : tensor<2x5x32xf32> -> tensor<2x5x1xf32>
  %a = ag.add %v, %eps : tensor<2x5x1xf32>, tensor<f32>
  %s = ag.sqrt %a : tensor<2x5x1xf32>
  %n = ag.div %d, %s : tensor<2x5x32xf32>, tensor<2x5x1xf32>
  %g = ag.mul %w, %n : tensor<32xf32>, tensor<2x5x32xf32>
  %y = ag.add %g, %b : tensor<2x5x32xf32>, tensor<32xf32>
  return %y : tensor<2x5x32xf32>
}

// -----

// No affine parameters; the variance as d*d and 1/sqrt as rsqrt; over the
// two trailing dims.
// CHECK-LABEL: func.func @layer_norm_rsqrt_two_axes
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x32xf32>)
// CHECK: %[[Y:.*]] = ag.layer_norm %[[X]] axis 1 epsilon 9.9999999999999995E-7
// CHECK-NOT: ag.rsqrt
// CHECK: return %[[Y]]
func.func @layer_norm_rsqrt_two_axes(%x: tensor<2x5x32xf32>) -> tensor<2x5x32xf32> {
  %eps = ag.constant dense<1.0e-06> : tensor<1xf32>
  %m = ag.reduce mean %x axes [1, 2] keep_dims : tensor<2x5x32xf32> -> tensor<2x1x1xf32>
  %d = ag.sub %x, %m : tensor<2x5x32xf32>, tensor<2x1x1xf32>
  %p = ag.mul %d, %d : tensor<2x5x32xf32>, tensor<2x5x32xf32>
  %v = ag.reduce mean %p axes [1, 2] keep_dims : tensor<2x5x32xf32> -> tensor<2x1x1xf32>
  %a = ag.add %eps, %v : tensor<1xf32>, tensor<2x1x1xf32>
  %r = ag.rsqrt %a : tensor<2x1x1xf32>
  %y = ag.mul %r, %d : tensor<2x1x1xf32>, tensor<2x5x32xf32>
  return %y : tensor<2x5x32xf32>
}

// -----

// HF Llama / GLM RMSNorm in f32: the casts fold away, 1/sqrt is a division.
// CHECK-LABEL: func.func @rms_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x5x32xf32>, %[[W:.*]]: tensor<32xf32>)
// CHECK: %[[Y:.*]] = ag.rms_norm %[[X]], %[[W]] axis 2 epsilon 9.9999999999999995E-7
// CHECK-NOT: ag.reduce
// CHECK: return %[[Y]]
func.func @rms_norm(%x: tensor<2x5x32xf32>, %w: tensor<32xf32>) -> tensor<2x5x32xf32> {
  %two = ag.constant dense<2.0> : tensor<f32>
  %one = ag.constant dense<1.0> : tensor<f32>
  %eps = ag.constant dense<1.0e-06> : tensor<f32>
  %x32 = ag.cast %x : tensor<2x5x32xf32> to tensor<2x5x32xf32>
  %p = ag.pow %x32, %two : tensor<2x5x32xf32>, tensor<f32>
  %v = ag.reduce mean %p axes [2] keep_dims : tensor<2x5x32xf32> -> tensor<2x5x1xf32>
  %a = ag.add %v, %eps : tensor<2x5x1xf32>, tensor<f32>
  %s = ag.sqrt %a : tensor<2x5x1xf32>
  %r = ag.div %one, %s : tensor<f32>, tensor<2x5x1xf32>
  %n = ag.mul %x32, %r : tensor<2x5x32xf32>, tensor<2x5x1xf32>
  %c = ag.cast %n : tensor<2x5x32xf32> to tensor<2x5x32xf32>
  %y = ag.mul %w, %c : tensor<32xf32>, tensor<2x5x32xf32>
  return %y : tensor<2x5x32xf32>
}

// -----

// HF Llama RMSNorm on f16: normalized in f32, cast back, then scaled. The
// fused norm runs in f32 with the weight cast up.
// CHECK-LABEL: func.func @rms_norm_f16_casts
// CHECK-SAME: (%[[X:.*]]: tensor<4x64xf16>, %[[W:.*]]: tensor<64xf16>)
// CHECK: %[[X32:.*]] = ag.cast %[[X]] : tensor<4x64xf16> to tensor<4x64xf32>
// CHECK: %[[W32:.*]] = ag.cast %[[W]] : tensor<64xf16> to tensor<64xf32>
// CHECK: %[[N:.*]] = ag.rms_norm %[[X32]], %[[W32]] axis 1 epsilon 9.9999999999999995E-7 : tensor<4x64xf32>, tensor<64xf32>
// CHECK: %[[Y:.*]] = ag.cast %[[N]] : tensor<4x64xf32> to tensor<4x64xf16>
// CHECK-NOT: ag.rsqrt
// CHECK: return %[[Y]]
func.func @rms_norm_f16_casts(%x: tensor<4x64xf16>, %w: tensor<64xf16>) -> tensor<4x64xf16> {
  %two = ag.constant dense<2.0> : tensor<f32>
  %eps = ag.constant dense<1.0e-06> : tensor<f32>
  %x32 = ag.cast %x : tensor<4x64xf16> to tensor<4x64xf32>
  %p = ag.pow %x32, %two : tensor<4x64xf32>, tensor<f32>
  %v = ag.reduce mean %p axes [1] keep_dims : tensor<4x64xf32> -> tensor<4x1xf32>
  %a = ag.add %v, %eps : tensor<4x1xf32>, tensor<f32>
  %r = ag.rsqrt %a : tensor<4x1xf32>
  %n = ag.mul %x32, %r : tensor<4x64xf32>, tensor<4x1xf32>
  %c = ag.cast %n : tensor<4x64xf32> to tensor<4x64xf16>
  %y = ag.mul %w, %c : tensor<64xf16>, tensor<4x64xf16>
  return %y : tensor<4x64xf16>
}

// -----

// F.gelu below opset 20: (x * (erf(x / sqrt2) + 1)) * 0.5.
// CHECK-LABEL: func.func @gelu_erf
// CHECK-SAME: (%[[X:.*]]: tensor<2x64xf32>)
// CHECK: %[[Y:.*]] = ag.gelu %[[X]] : tensor<2x64xf32>
// CHECK-NOT: ag.erf
// CHECK: return %[[Y]]
func.func @gelu_erf(%x: tensor<2x64xf32>) -> tensor<2x64xf32> {
  %sqrt2 = ag.constant dense<1.41421354> : tensor<f32>
  %one = ag.constant dense<1.0> : tensor<f32>
  %half = ag.constant dense<0.5> : tensor<f32>
  %d = ag.div %x, %sqrt2 : tensor<2x64xf32>, tensor<f32>
  %e = ag.erf %d : tensor<2x64xf32>
  %a = ag.add %e, %one : tensor<2x64xf32>, tensor<f32>
  %m = ag.mul %x, %a : tensor<2x64xf32>, tensor<2x64xf32>
  %y = ag.mul %m, %half : tensor<2x64xf32>, tensor<f32>
  return %y : tensor<2x64xf32>
}

// -----

// The erf form as BERT-era code writes it: x * 0.5 * (1 + erf(x * 0.7071)).
// CHECK-LABEL: func.func @gelu_erf_mul
// CHECK-SAME: (%[[X:.*]]: tensor<8xf32>)
// CHECK: %[[Y:.*]] = ag.gelu %[[X]] : tensor<8xf32>
// CHECK: return %[[Y]]
func.func @gelu_erf_mul(%x: tensor<8xf32>) -> tensor<8xf32> {
  %c = ag.constant dense<0.707106769> : tensor<f32>
  %one = ag.constant dense<1.0> : tensor<f32>
  %half = ag.constant dense<0.5> : tensor<f32>
  %h = ag.mul %x, %half : tensor<8xf32>, tensor<f32>
  %d = ag.mul %c, %x : tensor<f32>, tensor<8xf32>
  %e = ag.erf %d : tensor<8xf32>
  %a = ag.add %one, %e : tensor<f32>, tensor<8xf32>
  %y = ag.mul %h, %a : tensor<8xf32>, tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// F.gelu(approximate="tanh") as torch exports it: x^3 as x * (x * x).
// CHECK-LABEL: func.func @gelu_tanh
// CHECK-SAME: (%[[X:.*]]: tensor<2x64xf32>)
// CHECK: %[[Y:.*]] = ag.gelu %[[X]] approximation tanh : tensor<2x64xf32>
// CHECK-NOT: ag.tanh
// CHECK: return %[[Y]]
func.func @gelu_tanh(%x: tensor<2x64xf32>) -> tensor<2x64xf32> {
  %kappa = ag.constant dense<0.044715> : tensor<f32>
  %beta = ag.constant dense<0.797884583> : tensor<f32>
  %one = ag.constant dense<1.0> : tensor<f32>
  %half = ag.constant dense<0.5> : tensor<f32>
  %x2 = ag.mul %x, %x : tensor<2x64xf32>, tensor<2x64xf32>
  %x3 = ag.mul %x, %x2 : tensor<2x64xf32>, tensor<2x64xf32>
  %k = ag.mul %kappa, %x3 : tensor<f32>, tensor<2x64xf32>
  %s = ag.add %x, %k : tensor<2x64xf32>, tensor<2x64xf32>
  %i = ag.mul %beta, %s : tensor<f32>, tensor<2x64xf32>
  %t = ag.tanh %i : tensor<2x64xf32>
  %a = ag.add %one, %t : tensor<f32>, tensor<2x64xf32>
  %m = ag.mul %x, %a : tensor<2x64xf32>, tensor<2x64xf32>
  %y = ag.mul %half, %m : tensor<f32>, tensor<2x64xf32>
  return %y : tensor<2x64xf32>
}

// -----

// HF NewGELU: pow(x, 3) and a 0-d-free splat constant shape.
// CHECK-LABEL: func.func @gelu_tanh_pow
// CHECK-SAME: (%[[X:.*]]: tensor<2x64xf32>)
// CHECK: %[[Y:.*]] = ag.gelu %[[X]] approximation tanh
// CHECK: return %[[Y]]
func.func @gelu_tanh_pow(%x: tensor<2x64xf32>) -> tensor<2x64xf32> {
  %three = ag.constant dense<3.0> : tensor<1xf32>
  %kappa = ag.constant dense<0.044715> : tensor<1xf32>
  %beta = ag.constant dense<0.797884583> : tensor<1xf32>
  %one = ag.constant dense<1.0> : tensor<1xf32>
  %half = ag.constant dense<0.5> : tensor<1xf32>
  %h = ag.mul %x, %half : tensor<2x64xf32>, tensor<1xf32>
  %x3 = ag.pow %x, %three : tensor<2x64xf32>, tensor<1xf32>
  %k = ag.mul %x3, %kappa : tensor<2x64xf32>, tensor<1xf32>
  %s = ag.add %x, %k : tensor<2x64xf32>, tensor<2x64xf32>
  %i = ag.mul %s, %beta : tensor<2x64xf32>, tensor<1xf32>
  %t = ag.tanh %i : tensor<2x64xf32>
  %a = ag.add %t, %one : tensor<2x64xf32>, tensor<1xf32>
  %y = ag.mul %h, %a : tensor<2x64xf32>, tensor<2x64xf32>
  return %y : tensor<2x64xf32>
}

// -----

// CHECK-LABEL: func.func @silu
// CHECK-SAME: (%[[X:.*]]: tensor<2x64xf32>)
// CHECK: %[[Y:.*]] = ag.silu %[[X]] : tensor<2x64xf32>
// CHECK-NOT: ag.sigmoid
// CHECK: return %[[Y]]
func.func @silu(%x: tensor<2x64xf32>) -> tensor<2x64xf32> {
  %s = ag.sigmoid %x : tensor<2x64xf32>
  %y = ag.mul %s, %x : tensor<2x64xf32>, tensor<2x64xf32>
  return %y : tensor<2x64xf32>
}

// -----

// A hand-written softmax: exp(x - max) / sum.
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<3x4x10xf32>)
// CHECK: %[[Y:.*]] = ag.softmax %[[X]] axis 2 : tensor<3x4x10xf32>
// CHECK-NOT: ag.exp
// CHECK: return %[[Y]]
func.func @softmax(%x: tensor<3x4x10xf32>) -> tensor<3x4x10xf32> {
  %m = ag.reduce max %x axes [2] keep_dims : tensor<3x4x10xf32> -> tensor<3x4x1xf32>
  %d = ag.sub %x, %m : tensor<3x4x10xf32>, tensor<3x4x1xf32>
  %e = ag.exp %d : tensor<3x4x10xf32>
  %s = ag.reduce sum %e axes [2] keep_dims : tensor<3x4x10xf32> -> tensor<3x4x1xf32>
  %y = ag.div %e, %s : tensor<3x4x10xf32>, tensor<3x4x1xf32>
  return %y : tensor<3x4x10xf32>
}

// -----

// Eager attention: q @ k^T * scale + mask -> softmax -> @ v.
// CHECK-LABEL: func.func @attention_eager
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x8x16xf32>, %[[K:.*]]: tensor<1x4x8x16xf32>, %[[V:.*]]: tensor<1x4x8x16xf32>, %[[M:.*]]: tensor<1x1x8x8xf32>)
// CHECK: %[[Y:.*]] = ag.attention %[[Q]], %[[K]], %[[V]] mask %[[M]] scale 2.500000e-01
// CHECK-NOT: ag.softmax
// CHECK-NOT: ag.matmul
// CHECK: return %[[Y]]
func.func @attention_eager(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>, %mask: tensor<1x1x8x8xf32>) -> tensor<1x4x8x16xf32> {
  %c = ag.constant dense<0.25> : tensor<f32>
  %kt = ag.transpose %k [0, 1, 3, 2] : tensor<1x4x8x16xf32> -> tensor<1x4x16x8xf32>
  %s = ag.matmul %q, %kt : (tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32>
  %t = ag.mul %s, %c : tensor<1x4x8x8xf32>, tensor<f32>
  %a = ag.add %t, %mask : tensor<1x4x8x8xf32>, tensor<1x1x8x8xf32>
  %p = ag.softmax %a axis 3 : tensor<1x4x8x8xf32>
  %y = ag.matmul %p, %v : (tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %y : tensor<1x4x8x16xf32>
}

// -----

// torch's export of scaled_dot_product_attention(is_causal=True): sqrt of the
// scale on q and on k^T, a constant -inf causal mask; scores divided by
// sqrt(d) would read the same.
// CHECK-LABEL: func.func @attention_sdpa_causal
// CHECK-SAME: (%[[Q:.*]]: tensor<1x2x4x16xf32>, %[[K:.*]]: tensor<1x2x4x16xf32>, %[[V:.*]]: tensor<1x2x4x8xf32>)
// CHECK: %[[Y:.*]] = ag.attention %[[Q]], %[[K]], %[[V]] causal scale 2.500000e-01
// CHECK-NOT: ag.softmax
// CHECK: return %[[Y]]
func.func @attention_sdpa_causal(%q: tensor<1x2x4x16xf32>, %k: tensor<1x2x4x16xf32>, %v: tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32> {
  %c = ag.constant dense<0.5> : tensor<f32>
  %mask = ag.constant dense<[[0.0, 0xFF800000, 0xFF800000, 0xFF800000], [0.0, 0.0, 0xFF800000, 0xFF800000], [0.0, 0.0, 0.0, 0xFF800000], [0.0, 0.0, 0.0, 0.0]]> : tensor<4x4xf32>
  %kt = ag.transpose %k [0, 1, 3, 2] : tensor<1x2x4x16xf32> -> tensor<1x2x16x4xf32>
  %qs = ag.mul %q, %c : tensor<1x2x4x16xf32>, tensor<f32>
  %ks = ag.mul %kt, %c : tensor<1x2x16x4xf32>, tensor<f32>
  %s = ag.matmul %qs, %ks : (tensor<1x2x4x16xf32>, tensor<1x2x16x4xf32>) -> tensor<1x2x4x4xf32>
  %a = ag.add %s, %mask : tensor<1x2x4x4xf32>, tensor<4x4xf32>
  %p = ag.softmax %a axis 3 : tensor<1x2x4x4xf32>
  %y = ag.matmul %p, %v : (tensor<1x2x4x4xf32>, tensor<1x2x4x8xf32>) -> tensor<1x2x4x8xf32>
  return %y : tensor<1x2x4x8xf32>
}

// -----

// GQA through HF's repeat_kv (unsqueeze, expand, reshape) on k and v, the
// scores divided by sqrt(d), a decomposed softmax recognized first.
// CHECK-LABEL: func.func @attention_gqa
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x8x16xf32>, %[[K:.*]]: tensor<1x2x8x16xf32>, %[[V:.*]]: tensor<1x2x8x16xf32>)
// CHECK: %[[Y:.*]] = ag.attention %[[Q]], %[[K]], %[[V]] scale 2.500000e-01 : (tensor<1x4x8x16xf32>, tensor<1x2x8x16xf32>, tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32>
// CHECK-NOT: ag.expand
// CHECK-NOT: ag.exp
// CHECK: return %[[Y]]
func.func @attention_gqa(%q: tensor<1x4x8x16xf32>, %k: tensor<1x2x8x16xf32>, %v: tensor<1x2x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %c = ag.constant dense<4.0> : tensor<f32>
  %k5 = ag.reshape %k : tensor<1x2x8x16xf32> -> tensor<1x2x1x8x16xf32>
  %ke = ag.expand %k5 : tensor<1x2x1x8x16xf32> -> tensor<1x2x2x8x16xf32>
  %kr = ag.reshape %ke : tensor<1x2x2x8x16xf32> -> tensor<1x4x8x16xf32>
  %v5 = ag.reshape %v : tensor<1x2x8x16xf32> -> tensor<1x2x1x8x16xf32>
  %ve = ag.expand %v5 : tensor<1x2x1x8x16xf32> -> tensor<1x2x2x8x16xf32>
  %vr = ag.reshape %ve : tensor<1x2x2x8x16xf32> -> tensor<1x4x8x16xf32>
  %kt = ag.transpose %kr [0, 1, 3, 2] : tensor<1x4x8x16xf32> -> tensor<1x4x16x8xf32>
  %s = ag.matmul %q, %kt : (tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32>
  %t = ag.div %s, %c : tensor<1x4x8x8xf32>, tensor<f32>
  %mx = ag.reduce max %t axes [3] keep_dims : tensor<1x4x8x8xf32> -> tensor<1x4x8x1xf32>
  %d = ag.sub %t, %mx : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>
  %e = ag.exp %d : tensor<1x4x8x8xf32>
  %sm = ag.reduce sum %e axes [3] keep_dims : tensor<1x4x8x8xf32> -> tensor<1x4x8x1xf32>
  %p = ag.div %e, %sm : tensor<1x4x8x8xf32>, tensor<1x4x8x1xf32>
  %y = ag.matmul %p, %vr : (tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %y : tensor<1x4x8x16xf32>
}

// -----

// The head split and k^T merged into one Transpose [0, 2, 3, 1] of
// B x S x H x D (torch's export of k.transpose(1, 2).transpose(-2, -1)):
// k is that tensor under [0, 2, 1, 3].
// CHECK-LABEL: func.func @attention_merged_transpose
// CHECK-SAME: (%[[Q:.*]]: tensor<1x4x16x8xf32>, %[[KS:.*]]: tensor<1x16x4x8xf32>, %[[V:.*]]: tensor<1x4x16x8xf32>)
// CHECK: %[[K:.*]] = ag.transpose %[[KS]] [0, 2, 1, 3] : tensor<1x16x4x8xf32> -> tensor<1x4x16x8xf32>
// CHECK: %[[Y:.*]] = ag.attention %[[Q]], %[[K]], %[[V]] scale 0.3535533{{[0-9]*}}
// CHECK-NOT: ag.softmax
// CHECK: return %[[Y]]
func.func @attention_merged_transpose(%q: tensor<1x4x16x8xf32>, %ks: tensor<1x16x4x8xf32>, %v: tensor<1x4x16x8xf32>) -> tensor<1x4x16x8xf32> {
  %c = ag.constant dense<2.82842708> : tensor<f32>
  %kt = ag.transpose %ks [0, 2, 3, 1] : tensor<1x16x4x8xf32> -> tensor<1x4x8x16xf32>
  %s = ag.matmul %q, %kt : (tensor<1x4x16x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x16x16xf32>
  %t = ag.div %s, %c : tensor<1x4x16x16xf32>, tensor<f32>
  %p = ag.softmax %t axis 3 : tensor<1x4x16x16xf32>
  %y = ag.matmul %p, %v : (tensor<1x4x16x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x16x8xf32>
  return %y : tensor<1x4x16x8xf32>
}

// -----

// Must not fire: the centered value is also returned.
// CHECK-LABEL: func.func @no_layer_norm_extra_consumer
// CHECK-NOT: ag.layer_norm
// CHECK: ag.div
func.func @no_layer_norm_extra_consumer(%x: tensor<2x32xf32>) -> (tensor<2x32xf32>, tensor<2x32xf32>) {
  %two = ag.constant dense<2.0> : tensor<f32>
  %eps = ag.constant dense<1.0e-05> : tensor<f32>
  %m = ag.reduce mean %x axes [1] keep_dims : tensor<2x32xf32> -> tensor<2x1xf32>
  %d = ag.sub %x, %m : tensor<2x32xf32>, tensor<2x1xf32>
  %p = ag.pow %d, %two : tensor<2x32xf32>, tensor<f32>
  %v = ag.reduce mean %p axes [1] keep_dims : tensor<2x32xf32> -> tensor<2x1xf32>
  %a = ag.add %v, %eps : tensor<2x1xf32>, tensor<f32>
  %s = ag.sqrt %a : tensor<2x1xf32>
  %y = ag.div %d, %s : tensor<2x32xf32>, tensor<2x1xf32>
  return %y, %d : tensor<2x32xf32>, tensor<2x32xf32>
}

// -----

// Must not fire: normalized over a non-trailing axis, which ag.layer_norm
// cannot express.
// CHECK-LABEL: func.func @no_layer_norm_wrong_axis
// CHECK-NOT: ag.layer_norm
// CHECK: ag.div
func.func @no_layer_norm_wrong_axis(%x: tensor<2x5x32xf32>) -> tensor<2x5x32xf32> {
  %two = ag.constant dense<2.0> : tensor<f32>
  %eps = ag.constant dense<1.0e-05> : tensor<f32>
  %m = ag.reduce mean %x axes [1] keep_dims : tensor<2x5x32xf32> -> tensor<2x1x32xf32>
  %d = ag.sub %x, %m : tensor<2x5x32xf32>, tensor<2x1x32xf32>
  %p = ag.pow %d, %two : tensor<2x5x32xf32>, tensor<f32>
  %v = ag.reduce mean %p axes [1] keep_dims : tensor<2x5x32xf32> -> tensor<2x1x32xf32>
  %a = ag.add %v, %eps : tensor<2x1x32xf32>, tensor<f32>
  %s = ag.sqrt %a : tensor<2x1x32xf32>
  %y = ag.div %d, %s : tensor<2x5x32xf32>, tensor<2x1x32xf32>
  return %y : tensor<2x5x32xf32>
}

// -----

// Must not fire: epsilon is not a constant.
// CHECK-LABEL: func.func @no_layer_norm_variable_epsilon
// CHECK-NOT: ag.layer_norm
// CHECK: ag.div
func.func @no_layer_norm_variable_epsilon(%x: tensor<2x32xf32>, %eps: tensor<f32>) -> tensor<2x32xf32> {
  %two = ag.constant dense<2.0> : tensor<f32>
  %m = ag.reduce mean %x axes [1] keep_dims : tensor<2x32xf32> -> tensor<2x1xf32>
  %d = ag.sub %x, %m : tensor<2x32xf32>, tensor<2x1xf32>
  %p = ag.pow %d, %two : tensor<2x32xf32>, tensor<f32>
  %v = ag.reduce mean %p axes [1] keep_dims : tensor<2x32xf32> -> tensor<2x1xf32>
  %a = ag.add %v, %eps : tensor<2x1xf32>, tensor<f32>
  %s = ag.sqrt %a : tensor<2x1xf32>
  %y = ag.div %d, %s : tensor<2x32xf32>, tensor<2x1xf32>
  return %y : tensor<2x32xf32>
}

// -----

// Must not fire: the weight is not per-channel over the normalized dim (it
// spans a batch dim too), so ag.rms_norm cannot take it.
// CHECK-LABEL: func.func @no_rms_norm_mismatched_weight
// CHECK-NOT: ag.rms_norm
// CHECK: ag.rsqrt
func.func @no_rms_norm_mismatched_weight(%x: tensor<5x32xf32>, %w: tensor<5x32xf32>) -> tensor<5x32xf32> {
  %two = ag.constant dense<2.0> : tensor<f32>
  %eps = ag.constant dense<1.0e-06> : tensor<f32>
  %p = ag.pow %x, %two : tensor<5x32xf32>, tensor<f32>
  %v = ag.reduce mean %p axes [1] keep_dims : tensor<5x32xf32> -> tensor<5x1xf32>
  %a = ag.add %v, %eps : tensor<5x1xf32>, tensor<f32>
  %r = ag.rsqrt %a : tensor<5x1xf32>
  %n = ag.mul %x, %r : tensor<5x32xf32>, tensor<5x1xf32>
  %y = ag.mul %w, %n : tensor<5x32xf32>, tensor<5x32xf32>
  return %y : tensor<5x32xf32>
}

// -----

// Must not fire: the mean of x^3 is no RMS.
// CHECK-LABEL: func.func @no_rms_norm_wrong_power
// CHECK-NOT: ag.rms_norm
// CHECK: ag.rsqrt
func.func @no_rms_norm_wrong_power(%x: tensor<5x32xf32>, %w: tensor<32xf32>) -> tensor<5x32xf32> {
  %three = ag.constant dense<3.0> : tensor<f32>
  %eps = ag.constant dense<1.0e-06> : tensor<f32>
  %p = ag.pow %x, %three : tensor<5x32xf32>, tensor<f32>
  %v = ag.reduce mean %p axes [1] keep_dims : tensor<5x32xf32> -> tensor<5x1xf32>
  %a = ag.add %v, %eps : tensor<5x1xf32>, tensor<f32>
  %r = ag.rsqrt %a : tensor<5x1xf32>
  %n = ag.mul %x, %r : tensor<5x32xf32>, tensor<5x1xf32>
  %y = ag.mul %w, %n : tensor<32xf32>, tensor<5x32xf32>
  return %y : tensor<5x32xf32>
}

// -----

// Must not fire: erf's result has another consumer.
// CHECK-LABEL: func.func @no_gelu_extra_consumer
// CHECK-NOT: ag.gelu
// CHECK: ag.erf
func.func @no_gelu_extra_consumer(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %sqrt2 = ag.constant dense<1.41421354> : tensor<f32>
  %one = ag.constant dense<1.0> : tensor<f32>
  %half = ag.constant dense<0.5> : tensor<f32>
  %d = ag.div %x, %sqrt2 : tensor<8xf32>, tensor<f32>
  %e = ag.erf %d : tensor<8xf32>
  %a = ag.add %e, %one : tensor<8xf32>, tensor<f32>
  %m = ag.mul %x, %a : tensor<8xf32>, tensor<8xf32>
  %y = ag.mul %m, %half : tensor<8xf32>, tensor<f32>
  return %y, %e : tensor<8xf32>, tensor<8xf32>
}

// -----

// Must not fire: erf(x / 2) is not GELU's sqrt(2).
// CHECK-LABEL: func.func @no_gelu_wrong_constant
// CHECK-NOT: ag.gelu
// CHECK: ag.erf
func.func @no_gelu_wrong_constant(%x: tensor<8xf32>) -> tensor<8xf32> {
  %two = ag.constant dense<2.0> : tensor<f32>
  %one = ag.constant dense<1.0> : tensor<f32>
  %half = ag.constant dense<0.5> : tensor<f32>
  %d = ag.div %x, %two : tensor<8xf32>, tensor<f32>
  %e = ag.erf %d : tensor<8xf32>
  %a = ag.add %e, %one : tensor<8xf32>, tensor<f32>
  %m = ag.mul %x, %a : tensor<8xf32>, tensor<8xf32>
  %y = ag.mul %m, %half : tensor<8xf32>, tensor<f32>
  return %y : tensor<8xf32>
}

// -----

// Must not fire: the tanh form's 0.5 is a function argument.
// CHECK-LABEL: func.func @no_gelu_variable_constant
// CHECK-NOT: ag.gelu
// CHECK: ag.tanh
func.func @no_gelu_variable_constant(%x: tensor<8xf32>, %half: tensor<f32>) -> tensor<8xf32> {
  %three = ag.constant dense<3.0> : tensor<f32>
  %kappa = ag.constant dense<0.044715> : tensor<f32>
  %beta = ag.constant dense<0.797884583> : tensor<f32>
  %one = ag.constant dense<1.0> : tensor<f32>
  %x3 = ag.pow %x, %three : tensor<8xf32>, tensor<f32>
  %k = ag.mul %x3, %kappa : tensor<8xf32>, tensor<f32>
  %s = ag.add %x, %k : tensor<8xf32>, tensor<8xf32>
  %i = ag.mul %s, %beta : tensor<8xf32>, tensor<f32>
  %t = ag.tanh %i : tensor<8xf32>
  %a = ag.add %t, %one : tensor<8xf32>, tensor<f32>
  %m = ag.mul %x, %a : tensor<8xf32>, tensor<8xf32>
  %y = ag.mul %m, %half : tensor<8xf32>, tensor<f32>
  return %y : tensor<8xf32>
}

// -----

// Must not fire: the sigmoid reads another value, or is used elsewhere.
// CHECK-LABEL: func.func @no_silu
// CHECK-NOT: ag.silu
// CHECK: ag.sigmoid
func.func @no_silu(%x: tensor<8xf32>, %z: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %s = ag.sigmoid %z : tensor<8xf32>
  %y = ag.mul %x, %s : tensor<8xf32>, tensor<8xf32>
  %t = ag.sigmoid %x : tensor<8xf32>
  %w = ag.mul %x, %t : tensor<8xf32>, tensor<8xf32>
  return %y, %w, %t : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// -----

// Must not fire: summed over two axes (ag.softmax has one), and over an
// axis other than the max's with exp's result used elsewhere.
// CHECK-LABEL: func.func @no_softmax
// CHECK-NOT: ag.softmax
// CHECK: ag.exp
func.func @no_softmax(%x: tensor<3x10xf32>) -> (tensor<3x10xf32>, tensor<3x10xf32>) {
  %m = ag.reduce max %x axes [1] keep_dims : tensor<3x10xf32> -> tensor<3x1xf32>
  %d = ag.sub %x, %m : tensor<3x10xf32>, tensor<3x1xf32>
  %e = ag.exp %d : tensor<3x10xf32>
  %s = ag.reduce sum %e axes [0, 1] keep_dims : tensor<3x10xf32> -> tensor<1x1xf32>
  %y = ag.div %e, %s : tensor<3x10xf32>, tensor<1x1xf32>
  %s2 = ag.reduce sum %e axes [1] keep_dims : tensor<3x10xf32> -> tensor<3x1xf32>
  %y2 = ag.div %e, %s2 : tensor<3x10xf32>, tensor<3x1xf32>
  return %y, %y2 : tensor<3x10xf32>, tensor<3x10xf32>
}

// -----

// Must not fire: the scores are also returned.
// CHECK-LABEL: func.func @no_attention_extra_consumer
// CHECK-NOT: ag.attention
// CHECK: ag.softmax
func.func @no_attention_extra_consumer(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> (tensor<1x4x8x16xf32>, tensor<1x4x8x8xf32>) {
  %c = ag.constant dense<0.25> : tensor<f32>
  %kt = ag.transpose %k [0, 1, 3, 2] : tensor<1x4x8x16xf32> -> tensor<1x4x16x8xf32>
  %s = ag.matmul %q, %kt : (tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32>
  %t = ag.mul %s, %c : tensor<1x4x8x8xf32>, tensor<f32>
  %p = ag.softmax %t axis 3 : tensor<1x4x8x8xf32>
  %y = ag.matmul %p, %v : (tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %y, %t : tensor<1x4x8x16xf32>, tensor<1x4x8x8xf32>
}

// -----

// Must not fire: softmax over the query axis, not the keys.
// CHECK-LABEL: func.func @no_attention_wrong_axis
// CHECK-NOT: ag.attention
// CHECK: ag.softmax %{{.*}} axis 2
func.func @no_attention_wrong_axis(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %kt = ag.transpose %k [0, 1, 3, 2] : tensor<1x4x8x16xf32> -> tensor<1x4x16x8xf32>
  %s = ag.matmul %q, %kt : (tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32>
  %p = ag.softmax %s axis 2 : tensor<1x4x8x8xf32>
  %y = ag.matmul %p, %v : (tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %y : tensor<1x4x8x16xf32>
}

// -----

// Must not fire: the scale is not a constant.
// CHECK-LABEL: func.func @no_attention_variable_scale
// CHECK-NOT: ag.attention
// CHECK: ag.softmax
func.func @no_attention_variable_scale(%q: tensor<1x4x8x16xf32>, %k: tensor<1x4x8x16xf32>, %v: tensor<1x4x8x16xf32>, %c: tensor<f32>) -> tensor<1x4x8x16xf32> {
  %kt = ag.transpose %k [0, 1, 3, 2] : tensor<1x4x8x16xf32> -> tensor<1x4x16x8xf32>
  %s = ag.matmul %q, %kt : (tensor<1x4x8x16xf32>, tensor<1x4x16x8xf32>) -> tensor<1x4x8x8xf32>
  %t = ag.mul %s, %c : tensor<1x4x8x8xf32>, tensor<f32>
  %p = ag.softmax %t axis 3 : tensor<1x4x8x8xf32>
  %y = ag.matmul %p, %v : (tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %y : tensor<1x4x8x16xf32>
}

// -----

// Must not fire: k has one head broadcast by the matmul (not repeat_kv), so
// the shapes are not attention's.
// CHECK-LABEL: func.func @no_attention_mismatched_shapes
// CHECK-NOT: ag.attention
// CHECK: ag.softmax
func.func @no_attention_mismatched_shapes(%q: tensor<1x4x8x16xf32>, %k: tensor<1x1x8x16xf32>, %v: tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32> {
  %kt = ag.transpose %k [0, 1, 3, 2] : tensor<1x1x8x16xf32> -> tensor<1x1x16x8xf32>
  %s = ag.matmul %q, %kt : (tensor<1x4x8x16xf32>, tensor<1x1x16x8xf32>) -> tensor<1x4x8x8xf32>
  %p = ag.softmax %s axis 3 : tensor<1x4x8x8xf32>
  %y = ag.matmul %p, %v : (tensor<1x4x8x8xf32>, tensor<1x4x8x16xf32>) -> tensor<1x4x8x16xf32>
  return %y : tensor<1x4x8x16xf32>
}
