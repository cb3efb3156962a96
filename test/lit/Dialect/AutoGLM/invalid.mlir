// RUN: autoglm-opt %s --split-input-file --verify-diagnostics

// One case per verifier message of the ag dialect.

func.func @broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operand shapes 2x3 and 4 are not broadcast-compatible}}
  %0 = ag.add %a, %b : tensor<2x3xf32>, tensor<4xf32>
  return
}

// -----

func.func @binary_element_types(%a: tensor<3xf32>, %b: tensor<3xf16>) {
  // expected-error @+1 {{operands must share one element type, got 'f32' and 'f16'}}
  %0 = ag.mul %a, %b : tensor<3xf32>, tensor<3xf16>
  return
}

// -----

func.func @compare_element_types(%a: tensor<3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{operands must share one element type}}
  %0 = ag.compare lt, %a, %b : tensor<3xf32>, tensor<3xi32>
  return
}

// -----

func.func @select_element_types(%c: tensor<3xi1>, %a: tensor<3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{operands must share one element type}}
  %0 = ag.select %c, %a, %b : tensor<3xi1>, tensor<3xf32>, tensor<3xi32>
  return
}

// -----

func.func @select_broadcast(%c: tensor<2xi1>, %a: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{operand shapes 2 and 3 are not broadcast-compatible}}
  %0 = ag.select %c, %a, %b : tensor<2xi1>, tensor<3xf32>, tensor<3xf32>
  return
}

// -----

func.func @clamp_bounds(%a: tensor<3xf32>) {
  // expected-error @+1 {{min 2.000000e+00 is greater than max 1.000000e+00}}
  %0 = ag.clamp %a min 2.0 max 1.0 : tensor<3xf32>
  return
}

// -----

func.func @mod_float(%a: tensor<3xf32>) {
  // expected-error @+1 {{float operands need `fmod`}}
  %0 = ag.mod %a, %a : tensor<3xf32>, tensor<3xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<3xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+2 {{matmul operands need rank >= 2, got 3 and 3x4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.matmul %a, %b : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_contraction(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+2 {{matmul contraction dims differ: lhs 2x3 has K=3, rhs 4x5 has K=4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x2x3xf32>, %b: tensor<3x3x5xf32>) {
  // expected-error @+2 {{matmul batch dims of 2x2x3 and 3x3x5 are not broadcast-compatible}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x5xf32>) -> tensor<2x2x5xf32>
  return
}

// -----

// f32 x bf16 / f16 is the one mixed form (ag-mixed-precision); not this.
func.func @matmul_element_types(%a: tensor<2x3xf16>, %b: tensor<3x5xf32>) {
  // expected-error @+1 {{operands must share one element type}}
  %0 = ag.matmul %a, %b : (tensor<2x3xf16>, tensor<3x5xf32>) -> tensor<2x5xf16>
  return
}

// -----

func.func @matmul_bias_type(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %c: tensor<5xf16>) {
  // expected-error @+1 {{bias element type 'f16' differs from result's 'f32'}}
  %0 = ag.matmul %a, %b bias %c : (tensor<2x3xf32>, tensor<3x5xf32>, tensor<5xf16>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_bias_shape(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{bias shape 4 does not broadcast to the result shape 2x5}}
  %0 = ag.matmul %a, %b bias %c : (tensor<2x3xf32>, tensor<3x5xf32>, tensor<4xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_result(%a: tensor<2x3xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<2x5xf32>' are incompatible with return type(s) of operation 'tensor<2x6xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.matmul %a, %b : (tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @conv_rank(%x: tensor<3x8xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+2 {{conv needs input N x C x spatial... and a filter of the same rank, got 3x8 and 4x3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv %x, %w strides [] dilations [] pads [] groups 1 : (tensor<3x8xf32>, tensor<4x3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{strides and dilations need 2 entries (one per spatial dim), got 1 and 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv %x, %w strides [1] dilations [1, 1] pads [0, 0, 0, 0] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{pads need 4 entries (begins then ends), got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv %x, %w strides [1, 1] dilations [1, 1] pads [0, 0] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_zero_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{strides and dilations must be positive}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv %x, %w strides [0, 1] dilations [1, 1] pads [0, 0, 0, 0] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_negative_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{pads must be non-negative}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv %x, %w strides [1, 1] dilations [1, 1] pads [0, -1, 0, 0] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_groups(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{groups must be positive, got 0}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv %x, %w strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] groups 0 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_channels(%x: tensor<1x4x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{input has 4 channels but the filter expects 3 x 1 groups}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv %x, %w strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] groups 1 : (tensor<1x4x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_filter_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+2 {{filter count 3 is not divisible by groups 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv %x, %w strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] groups 2 : (tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{bias must be 1-d of size 4, got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv %x, %w bias %b strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @conv_small_input(%x: tensor<1x3x2x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{spatial dim 0 of size 2 is smaller than the dilated kernel}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv %x, %w strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] groups 1 : (tensor<1x3x2x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x0x6xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<3x8xf32>) {
  // expected-error @+2 {{pool needs input N x C x spatial..., got 3x8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.pool max %x kernel [] strides [] dilations [] pads [] : tensor<3x8xf32> -> tensor<3x8xf32>
  return
}

// -----

func.func @pool_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{kernel needs 2 entries, got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.pool max %x kernel [2] strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] : tensor<1x3x8x8xf32> -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @pool_kernel_size(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{kernel sizes must be positive}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.pool max %x kernel [0, 2] strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] : tensor<1x3x8x8xf32> -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @pool_pads(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{pads of spatial dim 0 must be smaller than its kernel size 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.pool avg %x kernel [2, 2] strides [1, 1] dilations [1, 1] pads [2, 0, 0, 0] : tensor<1x3x8x8xf32> -> tensor<1x3x9x7xf32>
  return
}

// -----

func.func @pool_small_input(%x: tensor<1x3x2x8xf32>) {
  // expected-error @+2 {{spatial dim 0 of size 2 is smaller than the dilated kernel}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.pool max %x kernel [3, 3] strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] : tensor<1x3x2x8xf32> -> tensor<1x3x0x6xf32>
  return
}

// -----

func.func @reduce_axis(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{reduction axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.reduce sum %x axes [2] : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @reduce_axes_order(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{reduction axes must be sorted and unique}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.reduce sum %x axes [1, 0] : tensor<2x3xf32> -> tensor<f32>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = ag.softmax %x axis 2 : tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis -1 is out of range for rank 2}}
  %0 = ag.layer_norm %x axis -1 epsilon 1.0e-05 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_epsilon(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{epsilon must be non-negative}}
  %0 = ag.layer_norm %x axis 1 epsilon -1.0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_scale(%x: tensor<2x3xf32>, %s: tensor<2x3xf32>) {
  // expected-error @+1 {{scale shape 2x3 must match the normalized dims 3}}
  %0 = ag.layer_norm %x scale %s axis 1 epsilon 1.0e-05 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @layer_norm_bias_type(%x: tensor<2x3xf32>, %b: tensor<3xf16>) {
  // expected-error @+1 {{bias element type 'f16' differs from input's 'f32'}}
  %0 = ag.layer_norm %x bias %b axis 1 epsilon 1.0e-05 : (tensor<2x3xf32>, tensor<3xf16>) -> tensor<2x3xf32>
  return
}

// -----

func.func @rms_norm_weight(%x: tensor<2x3xf32>, %w: tensor<2xf32>) {
  // expected-error @+1 {{weight shape 2 must match the normalized dims 3}}
  %0 = ag.rms_norm %x, %w axis 1 epsilon 1.0e-05 : tensor<2x3xf32>, tensor<2xf32>
  return
}

// -----

func.func @rms_norm_epsilon(%x: tensor<2x3xf32>, %w: tensor<3xf32>) {
  // expected-error @+1 {{epsilon must be non-negative}}
  %0 = ag.rms_norm %x, %w axis 1 epsilon -1.0 : tensor<2x3xf32>, tensor<3xf32>
  return
}

// -----

func.func @rms_norm_axis(%x: tensor<2x3xf32>, %w: tensor<3xf32>) {
  // expected-error @+1 {{axis 3 is out of range for rank 2}}
  %0 = ag.rms_norm %x, %w axis 3 epsilon 1.0e-05 : tensor<2x3xf32>, tensor<3xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{cannot reshape 2x3 (6 elements) to 7 (7 elements)}}
  %0 = ag.reshape %x : tensor<2x3xf32> -> tensor<7xf32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result element type 'f16' differs from input's 'f32'}}
  %0 = ag.reshape %x : tensor<2x3xf32> -> tensor<6xf16>
  return
}

// -----

func.func @transpose_size(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{permutation has 1 entries but the input has rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.transpose %x [0] : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{permutation [1, 1] is not a permutation of 0..1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.transpose %x [1, 1] : tensor<2x3xf32> -> tensor<3x3xf32>
  return
}

// -----

func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.concat %a, %a axis 2 : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{input #1 ('tensor<3xf32>') differs in rank or element type from input #0 ('tensor<2x3xf32>')}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.concat %a, %b axis 0 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  return
}

// -----

func.func @concat_dims(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{input #1 has size 4 in dim 1 but input #0 has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.concat %a, %b axis 0 : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+2 {{concat needs at least one input}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.concat axis 0 : () -> tensor<2xf32>
  return
}

// -----

func.func @slice_entries(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{starts, sizes and steps need 2 entries each (the input rank)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.slice %x starts [0] sizes [4] steps [1] : tensor<4x8xf32> -> tensor<4xf32>
  return
}

// -----

func.func @slice_step(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{step of dim 1 is zero}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.slice %x starts [0, 0] sizes [4, 8] steps [1, 0] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_size(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{size of dim 0 is negative}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.slice %x starts [0, 0] sizes [-1, 8] steps [1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @slice_bounds(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{dim 1 reads indices 4 to 8, outside [0, 8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.slice %x starts [0, 4] sizes [4, 3] steps [1, 2] : tensor<4x8xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @gather_axis(%x: tensor<4x8xf32>, %i: tensor<2xi64>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.gather %x, %i axis 2 : (tensor<4x8xf32>, tensor<2xi64>) -> tensor<4x8xf32>
  return
}

// -----

func.func @pad_entries(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{pads need 4 entries (begins then ends), got 2}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.pad constant %x pads [1, 1] : tensor<4x8xf32> -> tensor<6x8xf32>
  return
}

// -----

func.func @pad_reflect(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{reflect pads of dim 0 must be smaller than its size 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.pad reflect %x pads [4, 0, 0, 0] : tensor<4x8xf32> -> tensor<8x8xf32>
  return
}

// -----

func.func @pad_crop(%x: tensor<4x8xf32>) {
  // expected-error @+2 {{pads crop dim 0 of size 4 below zero}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.pad constant %x pads [-3, 0, -2, 0] : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @expand_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{cannot broadcast 2x3 to 4x3}}
  %0 = ag.expand %x : tensor<2x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @expand_element_type(%x: tensor<1x3xf32>) {
  // expected-error @+1 {{result element type 'i32' differs from input's 'f32'}}
  %0 = ag.expand %x : tensor<1x3xf32> -> tensor<4x3xi32>
  return
}

// -----

func.func @resize_rank(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{result rank 3 differs from input rank 4}}
  %0 = ag.resize linear %x : tensor<1x3x8x8xf32> -> tensor<3x16x16xf32>
  return
}

// -----

func.func @resize_cubic(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{cubic_coeff_a must be negative, got 5.000000e-01}}
  %0 = ag.resize cubic %x {cubic_coeff_a = 0.5 : f64} : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  return
}

// -----

func.func @resize_element_type(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{result element type 'f16' differs from input's 'f32'}}
  %0 = ag.resize linear %x : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf16>
  return
}

// -----

func.func @rope_rank(%x: tensor<4x8x64xf32>, %p: tensor<1x8xi64>) {
  // expected-error @+1 {{input must be batch x heads x seq x head_dim, got 4x8x64}}
  %0 = ag.rope %x, %p layout half rotary_dim 64 theta 10000.0 : tensor<4x8x64xf32>, tensor<1x8xi64>
  return
}

// -----

func.func @rope_positions(%x: tensor<1x4x8x64xf32>, %p: tensor<1x7xi64>) {
  // expected-error @+1 {{positions must be batch x seq (1x8), got 1x7}}
  %0 = ag.rope %x, %p layout half rotary_dim 64 theta 10000.0 : tensor<1x4x8x64xf32>, tensor<1x7xi64>
  return
}

// -----

func.func @rope_rotary_dim(%x: tensor<1x4x8x64xf32>, %p: tensor<1x8xi64>) {
  // expected-error @+1 {{rotary_dim must be positive and even, got 33}}
  %0 = ag.rope %x, %p layout half rotary_dim 33 theta 10000.0 : tensor<1x4x8x64xf32>, tensor<1x8xi64>
  return
}

// -----

func.func @rope_rotary_dim_size(%x: tensor<1x4x8x64xf32>, %p: tensor<1x8xi64>) {
  // expected-error @+1 {{rotary_dim 128 exceeds head_dim 64}}
  %0 = ag.rope %x, %p layout half rotary_dim 128 theta 10000.0 : tensor<1x4x8x64xf32>, tensor<1x8xi64>
  return
}

// -----

func.func @rope_theta(%x: tensor<1x4x8x64xf32>, %p: tensor<1x8xi64>) {
  // expected-error @+1 {{theta must be positive}}
  %0 = ag.rope %x, %p layout half rotary_dim 64 theta 0.0 : tensor<1x4x8x64xf32>, tensor<1x8xi64>
  return
}

// -----

func.func @attention_rank(%q: tensor<4x8x64xf32>, %k: tensor<1x4x8x64xf32>) {
  // expected-error @+2 {{query must be batch x heads x seq x head_dim, got 4x8x64}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.attention %q, %k, %k : (tensor<4x8x64xf32>, tensor<1x4x8x64xf32>, tensor<1x4x8x64xf32>) -> tensor<1x4x8x64xf32>
  return
}

// -----

func.func @attention_batch(%q: tensor<2x4x8x64xf32>, %k: tensor<1x4x8x64xf32>) {
  // expected-error @+2 {{batch sizes differ: query 2, key 1, value 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.attention %q, %k, %k : (tensor<2x4x8x64xf32>, tensor<1x4x8x64xf32>, tensor<1x4x8x64xf32>) -> tensor<2x4x8x64xf32>
  return
}

// -----

func.func @attention_kv(%q: tensor<1x4x8x64xf32>, %k: tensor<1x2x8x64xf32>, %v: tensor<1x2x9x64xf32>) {
  // expected-error @+2 {{key 1x2x8x64 and value 1x2x9x64 differ in heads or sequence length}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.attention %q, %k, %v : (tensor<1x4x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x9x64xf32>) -> tensor<1x4x8x64xf32>
  return
}

// -----

func.func @attention_gqa(%q: tensor<1x4x8x64xf32>, %k: tensor<1x3x8x64xf32>) {
  // expected-error @+2 {{query heads 4 are not a multiple of key/value heads 3 (grouped-query attention)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.attention %q, %k, %k : (tensor<1x4x8x64xf32>, tensor<1x3x8x64xf32>, tensor<1x3x8x64xf32>) -> tensor<1x4x8x64xf32>
  return
}

// -----

func.func @attention_head_dim(%q: tensor<1x4x8x32xf32>, %k: tensor<1x2x8x64xf32>) {
  // expected-error @+2 {{query head_dim 32 differs from key head_dim 64}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.attention %q, %k, %k : (tensor<1x4x8x32xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>) -> tensor<1x4x8x64xf32>
  return
}

// -----

func.func @attention_types(%q: tensor<1x4x8x64xf16>, %k: tensor<1x2x8x64xf32>) {
  // expected-error @+1 {{operands must share one element type}}
  %0 = ag.attention %q, %k, %k : (tensor<1x4x8x64xf16>, tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>) -> tensor<1x4x8x64xf16>
  return
}

// -----

func.func @attention_scale(%q: tensor<1x4x8x64xf32>, %k: tensor<1x2x8x64xf32>) {
  // expected-error @+1 {{scale must be positive}}
  %0 = ag.attention %q, %k, %k scale -1.0 : (tensor<1x4x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>) -> tensor<1x4x8x64xf32>
  return
}

// -----

func.func @attention_mask_type(%q: tensor<1x4x8x64xf32>, %k: tensor<1x2x8x64xf32>, %m: tensor<8x8xi32>) {
  // expected-error @+1 {{mask must be i1 or the query's element type, got 'i32'}}
  %0 = ag.attention %q, %k, %k mask %m : (tensor<1x4x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>, tensor<8x8xi32>) -> tensor<1x4x8x64xf32>
  return
}

// -----

func.func @attention_mask_shape(%q: tensor<1x4x8x64xf32>, %k: tensor<1x2x8x64xf32>, %m: tensor<8x7xi1>) {
  // expected-error @+1 {{mask shape 8x7 does not broadcast to the scores' shape 1x4x8x8}}
  %0 = ag.attention %q, %k, %k mask %m : (tensor<1x4x8x64xf32>, tensor<1x2x8x64xf32>, tensor<1x2x8x64xf32>, tensor<8x7xi1>) -> tensor<1x4x8x64xf32>
  return
}

// -----

func.func @kv_cache_rank(%u: tensor<2x1x64xf32>, %c: tensor<1x2x16x64xf32>, %p: tensor<i64>) {
  // expected-error @+1 {{update must be batch x heads x seq x head_dim, got 2x1x64}}
  %0 = ag.kv_cache_write %u into %c at %p : tensor<2x1x64xf32>, tensor<1x2x16x64xf32>, tensor<i64>
  return
}

// -----

func.func @kv_cache_type(%u: tensor<1x2x1x64xf16>, %c: tensor<1x2x16x64xf32>, %p: tensor<i64>) {
  // expected-error @+1 {{update element type 'f16' differs from the cache's 'f32'}}
  %0 = ag.kv_cache_write %u into %c at %p : tensor<1x2x1x64xf16>, tensor<1x2x16x64xf32>, tensor<i64>
  return
}

// -----

func.func @kv_cache_heads(%u: tensor<1x4x1x64xf32>, %c: tensor<1x2x16x64xf32>, %p: tensor<i64>) {
  // expected-error @+1 {{update 1x4x1x64 and cache 1x2x16x64 differ in batch, heads or head_dim}}
  %0 = ag.kv_cache_write %u into %c at %p : tensor<1x4x1x64xf32>, tensor<1x2x16x64xf32>, tensor<i64>
  return
}

// -----

func.func @kv_cache_fit(%u: tensor<1x2x32x64xf32>, %c: tensor<1x2x16x64xf32>, %p: tensor<i64>) {
  // expected-error @+1 {{update of 32 positions does not fit a cache of 16}}
  %0 = ag.kv_cache_write %u into %c at %p : tensor<1x2x32x64xf32>, tensor<1x2x16x64xf32>, tensor<i64>
  return
}

// -----

func.func @quantize_shape(%x: tensor<4x8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result shape 8x4 differs from input shape 4x8}}
  %0 = ag.quantize %x, %s : (tensor<4x8xf32>, tensor<f32>) -> tensor<8x4xi8>
  return
}

// -----

func.func @quantize_scale_type(%x: tensor<4x8xf32>, %s: tensor<f16>) {
  // expected-error @+1 {{scale element type 'f16' differs from the input's 'f32'}}
  %0 = ag.quantize %x, %s : (tensor<4x8xf32>, tensor<f16>) -> tensor<4x8xi8>
  return
}

// -----

func.func @quantize_zero_point_type(%x: tensor<4x8xf32>, %s: tensor<f32>, %z: tensor<i8>) {
  // expected-error @+1 {{zero_point element type 'i8' differs from the storage type 'ui8'}}
  %0 = ag.quantize %x, %s zero_point %z : (tensor<4x8xf32>, tensor<f32>, tensor<i8>) -> tensor<4x8xui8>
  return
}

// -----

func.func @quant_zero_point_shape(%q: tensor<4x8xi8>, %s: tensor<8xf32>, %z: tensor<i8>) {
  // expected-error @+1 {{zero_point shape scalar differs from scale shape 8}}
  %0 = ag.dequantize %q, %s zero_point %z {axis = 1 : i64} : (tensor<4x8xi8>, tensor<8xf32>, tensor<i8>) -> tensor<4x8xf32>
  return
}

// -----

func.func @quant_group_size(%q: tensor<4x8xi8>, %s: tensor<4x2xf32>) {
  // expected-error @+1 {{group_size must be >= 0, got -4}}
  %0 = ag.dequantize %q, %s {axis = 1 : i64, group_size = -4 : i64} : (tensor<4x8xi8>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @quant_axis(%q: tensor<4x8xi8>, %s: tensor<8xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = ag.dequantize %q, %s {axis = 2 : i64} : (tensor<4x8xi8>, tensor<8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @quant_scale_rank(%q: tensor<4x8xi8>, %s: tensor<4x8xf32>) {
  // expected-error @+1 {{scale must be 0-d (per tensor) or 1-d (per axis) without group_size, got shape 4x8}}
  %0 = ag.dequantize %q, %s {axis = 1 : i64} : (tensor<4x8xi8>, tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @quant_per_axis(%q: tensor<4x8xi8>, %s: tensor<4xf32>) {
  // expected-error @+1 {{per-axis scale has 4 elements but dim 1 has 8}}
  %0 = ag.dequantize %q, %s {axis = 1 : i64} : (tensor<4x8xi8>, tensor<4xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @quant_group_rank(%q: tensor<4x8xi4>, %s: tensor<2xf32>) {
  // expected-error @+1 {{group-wise scale must have the quantized rank 2, got shape 2}}
  %0 = ag.dequantize %q, %s {axis = 1 : i64, group_size = 4 : i64} : (tensor<4x8xi4>, tensor<2xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @quant_group_shape(%q: tensor<4x8xi4>, %s: tensor<4x3xf32>) {
  // expected-error @+1 {{group-wise scale shape 4x3 should be 4x8 with dim 1 in groups of 4 (dim 1 should be 2)}}
  %0 = ag.dequantize %q, %s {axis = 1 : i64, group_size = 4 : i64} : (tensor<4x8xi4>, tensor<4x3xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @dequantize_zero_point_type(%q: tensor<4x8xi8>, %s: tensor<f32>, %z: tensor<ui8>) {
  // expected-error @+1 {{zero_point element type 'ui8' differs from the storage type 'i8'}}
  %0 = ag.dequantize %q, %s zero_point %z : (tensor<4x8xi8>, tensor<f32>, tensor<ui8>) -> tensor<4x8xf32>
  return
}

// -----

func.func @dequant_matmul_rank(%a: tensor<8xf32>, %w: tensor<8x4xi8>, %s: tensor<4xf32>) {
  // expected-error @+2 {{dequant_matmul needs lhs of rank >= 2 and a rank-2 weight, got 8 and 8x4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.dequant_matmul %a, %w, %s {axis = 1 : i64} : (tensor<8xf32>, tensor<8x4xi8>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @dequant_matmul_contraction(%a: tensor<2x8xf32>, %w: tensor<8x4xi8>, %s: tensor<8xf32>) {
  // expected-error @+2 {{dequant_matmul contraction dims differ: lhs has K=8, weight has K=4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.dequant_matmul %a, %w, %s transpose_rhs {axis = 0 : i64} : (tensor<2x8xf32>, tensor<8x4xi8>, tensor<8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @dequant_matmul_scale_type(%a: tensor<2x8xf32>, %w: tensor<8x4xi8>, %s: tensor<4xf16>) {
  // expected-error @+1 {{scale element type 'f16' differs from lhs element type 'f32'}}
  %0 = ag.dequant_matmul %a, %w, %s {axis = 1 : i64} : (tensor<2x8xf32>, tensor<8x4xi8>, tensor<4xf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dequant_matmul_zero_point_type(%a: tensor<2x8xf32>, %w: tensor<8x4xi8>, %s: tensor<4xf32>, %z: tensor<4xi4>) {
  // expected-error @+1 {{zero_point element type 'i4' differs from the storage type 'i8'}}
  %0 = ag.dequant_matmul %a, %w, %s zero_point %z {axis = 1 : i64} : (tensor<2x8xf32>, tensor<8x4xi8>, tensor<4xf32>, tensor<4xi4>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dequant_matmul_params(%a: tensor<2x8xf32>, %w: tensor<8x4xi8>, %s: tensor<8xf32>) {
  // expected-error @+1 {{per-axis scale has 8 elements but dim 1 has 4}}
  %0 = ag.dequant_matmul %a, %w, %s {axis = 1 : i64} : (tensor<2x8xf32>, tensor<8x4xi8>, tensor<8xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dequant_matmul_bias(%a: tensor<2x8xf32>, %w: tensor<8x4xi8>, %s: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{bias 'tensor<3xf32>' does not broadcast to the result 'tensor<2x4xf32>'}}
  %0 = ag.dequant_matmul %a, %w, %s bias %b {axis = 1 : i64} : (tensor<2x8xf32>, tensor<8x4xi8>, tensor<4xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @conv_element_types(%x: tensor<1x3x8x8xi8>, %w: tensor<4x3x3x3xi32>) {
  // expected-error @+1 {{operands must share one element type, got 'i8' and 'i32'}}
  %0 = ag.conv %x, %w strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] groups 1 : (tensor<1x3x8x8xi8>, tensor<4x3x3x3xi32>) -> tensor<1x4x6x6xi8>
  return
}

// -----

func.func @conv_transpose_rank(%x: tensor<3x8xf32>, %w: tensor<3x4xf32>) {
  // expected-error @+2 {{conv_transpose needs input N x C x spatial... and a filter of the same rank, got 3x8 and 3x4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv_transpose %x, %w strides [] dilations [] pads [] output_padding [] groups 1 : (tensor<3x8xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @conv_transpose_strides(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{strides and dilations need 2 entries (one per spatial dim), got 2 and 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv_transpose %x, %w strides [1, 1] dilations [1] pads [0, 0, 0, 0] output_padding [0, 0] groups 1 : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @conv_transpose_pads(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{pads need 4 entries (begins then ends), got 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv_transpose %x, %w strides [1, 1] dilations [1, 1] pads [0, 0, 0] output_padding [0, 0] groups 1 : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @conv_transpose_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{groups must be positive, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv_transpose %x, %w strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] output_padding [0, 0] groups -1 : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @conv_transpose_output_padding(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{output_padding needs 2 entries (one per spatial dim), got 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv_transpose %x, %w strides [2, 2] dilations [1, 1] pads [0, 0, 0, 0] output_padding [1] groups 1 : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x18x18xf32>
  return
}

// -----

func.func @conv_transpose_negative_output_padding(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{output_padding must be non-negative}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv_transpose %x, %w strides [2, 2] dilations [1, 1] pads [0, 0, 0, 0] output_padding [0, -1] groups 1 : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x17x16xf32>
  return
}

// -----

func.func @conv_transpose_channels(%x: tensor<1x8x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{input has 8 channels but the filter 4x2x3x3 (C x F/groups x K...) expects 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv_transpose %x, %w strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] output_padding [0, 0] groups 1 : (tensor<1x8x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @conv_transpose_channel_groups(%x: tensor<1x6x8x8xf32>, %w: tensor<6x2x3x3xf32>) {
  // expected-error @+2 {{input channels 6 are not divisible by groups 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv_transpose %x, %w strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] output_padding [0, 0] groups 4 : (tensor<1x6x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x8x10x10xf32>
  return
}

// -----

func.func @conv_transpose_bias(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{bias must be 1-d of size 2, got 4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv_transpose %x, %w bias %b strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] output_padding [0, 0] groups 1 : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @conv_transpose_output_size(%x: tensor<1x4x1x8xf32>, %w: tensor<4x2x1x1xf32>) {
  // expected-error @+2 {{spatial dim 0 of size 1 with kernel 1 gives output size -1 (stride 1, dilation 1, output_padding 0, pads 1 and 1); it must be positive}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.conv_transpose %x, %w strides [1, 1] dilations [1, 1] pads [1, 0, 1, 0] output_padding [0, 0] groups 1 : (tensor<1x4x1x8xf32>, tensor<4x2x1x1xf32>) -> tensor<1x2x1x8xf32>
  return
}

// -----

func.func @conv_transpose_element_types(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf16>) {
  // expected-error @+1 {{operands must share one element type, got 'f32' and 'f16'}}
  %0 = ag.conv_transpose %x, %w strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] output_padding [0, 0] groups 1 : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf16>) -> tensor<1x2x10x10xf32>
  return
}

// -----

func.func @arg_reduce_axis(%x: tensor<2x8xf32>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2 (shape 2x8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.arg_reduce max %x axis 2 : tensor<2x8xf32> -> tensor<2xi64>
  return
}

// -----

func.func @arg_reduce_result(%x: tensor<2x8xf32>) {
  // expected-error @+2 {{inferred type(s) 'tensor<2x1xi64>' are incompatible with return type(s) of operation 'tensor<2xi64>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.arg_reduce min %x axis 1 keep_dims : tensor<2x8xf32> -> tensor<2xi64>
  return
}

// -----

func.func @cumsum_axis(%x: tensor<2x8xf32>) {
  // expected-error @+1 {{axis -1 is out of range for rank 2 (shape 2x8)}}
  %0 = ag.cumsum %x axis -1 : tensor<2x8xf32>
  return
}

// -----

func.func @topk_axis(%x: tensor<2x8xf32>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2 (shape 2x8)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = ag.topk %x k 1 axis 2 : tensor<2x8xf32> -> tensor<2x1xf32>, tensor<2x1xi64>
  return
}

// -----

func.func @topk_negative_k(%x: tensor<2x8xf32>) {
  // expected-error @+2 {{k must be non-negative, got -1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = ag.topk %x k -1 axis 1 : tensor<2x8xf32> -> tensor<2x1xf32>, tensor<2x1xi64>
  return
}

// -----

func.func @topk_large_k(%x: tensor<2x8xf32>) {
  // expected-error @+2 {{k 9 exceeds size 8 of dim 1 of input 2x8}}
  // expected-error @+1 {{failed to infer returned types}}
  %0:2 = ag.topk %x k 9 axis 1 largest : tensor<2x8xf32> -> tensor<2x9xf32>, tensor<2x9xi64>
  return
}

// -----

func.func @gather_elements_rank(%x: tensor<3x4xf32>, %i: tensor<3x2x1xi64>) {
  // expected-error @+2 {{indices 3x2x1 must have the rank of input 3x4}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.gather_elements %x, %i axis 1 : (tensor<3x4xf32>, tensor<3x2x1xi64>) -> tensor<3x2x1xf32>
  return
}

// -----

func.func @gather_elements_axis(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2 (shape 3x4)}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.gather_elements %x, %i axis 2 : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return
}

// -----

func.func @gather_elements_bounds(%x: tensor<3x4xf32>, %i: tensor<4x2xi64>) {
  // expected-error @+2 {{indices 4x2 exceed input 3x4 in dim 0, which is not the axis}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.gather_elements %x, %i axis 1 : (tensor<3x4xf32>, tensor<4x2xi64>) -> tensor<4x2xf32>
  return
}

// -----

func.func @gather_nd_batch_dims(%x: tensor<2x3xf32>, %i: tensor<2x1xi64>) {
  // expected-error @+2 {{batch_dims 2 must be non-negative and below the ranks of input 2x3 and indices 2x1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.gather_nd %x, %i batch_dims 2 : (tensor<2x3xf32>, tensor<2x1xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_nd_dynamic_depth(%x: tensor<2x3xf32>, %i: tensor<5x?xi64>) {
  // expected-error @+2 {{the last dim of indices 5x? (the index depth) must exist and be static}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.gather_nd %x, %i : (tensor<2x3xf32>, tensor<5x?xi64>) -> tensor<5xf32>
  return
}

// -----

func.func @gather_nd_depth(%x: tensor<2x3x4xf32>, %i: tensor<5x3xi64>) {
  // expected-error @+2 {{index depth 3 (the last dim of indices 5x3) must be in [1, 2]: the rank of input 2x3x4 minus batch_dims 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.gather_nd %x, %i batch_dims 1 : (tensor<2x3x4xf32>, tensor<5x3xi64>) -> tensor<5xf32>
  return
}

// -----

func.func @gather_nd_batch(%x: tensor<2x3x4xf32>, %i: tensor<3x1xi64>) {
  // expected-error @+2 {{batch dim 0 differs: input 2x3x4 has 2, indices 3x1 has 3}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = ag.gather_nd %x, %i batch_dims 1 : (tensor<2x3x4xf32>, tensor<3x1xi64>) -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_elements_types(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf16>) {
  // expected-error @+1 {{operands must share one element type, got 'f32' and 'f16'}}
  %0 = ag.scatter_elements %x, %i, %u axis 0 : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf16>
  return
}

// -----

func.func @scatter_elements_rank(%x: tensor<3x4xf32>, %i: tensor<8xi64>, %u: tensor<8xf32>) {
  // expected-error @+1 {{indices 8 must have the rank of data 3x4}}
  %0 = ag.scatter_elements %x, %i, %u axis 0 : tensor<3x4xf32>, tensor<8xi64>, tensor<8xf32>
  return
}

// -----

func.func @scatter_elements_axis(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x4xf32>) {
  // expected-error @+1 {{axis 3 is out of range for rank 2 (shape 3x4)}}
  %0 = ag.scatter_elements %x, %i, %u axis 3 : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>
  return
}

// -----

func.func @scatter_elements_bounds(%x: tensor<3x4xf32>, %i: tensor<2x5xi64>, %u: tensor<2x5xf32>) {
  // expected-error @+1 {{indices 2x5 exceed data 3x4 in dim 1, which is not the axis}}
  %0 = ag.scatter_elements %x, %i, %u axis 0 : tensor<3x4xf32>, tensor<2x5xi64>, tensor<2x5xf32>
  return
}

// -----

func.func @scatter_elements_updates(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+1 {{updates 2x3 must have the shape of indices 2x4}}
  %0 = ag.scatter_elements %x, %i, %u axis 0 reduction max : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x3xf32>
  return
}

// -----

func.func @scatter_nd_types(%x: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2x5xi32>) {
  // expected-error @+1 {{operands must share one element type, got 'f32' and 'i32'}}
  %0 = ag.scatter_nd %x, %i, %u : tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xi32>
  return
}

// -----

func.func @scatter_nd_scalar_indices(%x: tensor<4x5xf32>, %i: tensor<i64>, %u: tensor<4x5xf32>) {
  // expected-error @+1 {{the last dim of indices scalar (the index depth) must exist and be static}}
  %0 = ag.scatter_nd %x, %i, %u : tensor<4x5xf32>, tensor<i64>, tensor<4x5xf32>
  return
}

// -----

func.func @scatter_nd_depth(%x: tensor<4x5xf32>, %i: tensor<2x3xi64>, %u: tensor<2xf32>) {
  // expected-error @+1 {{index depth 3 (the last dim of indices 2x3) exceeds the rank of data 4x5}}
  %0 = ag.scatter_nd %x, %i, %u : tensor<4x5xf32>, tensor<2x3xi64>, tensor<2xf32>
  return
}

// -----

func.func @scatter_nd_updates(%x: tensor<4x5xf32>, %i: tensor<2x1xi64>, %u: tensor<2x4xf32>) {
  // expected-error @+1 {{updates shape 2x4 should be 2x5: indices 2x1 without its last dim, then data 4x5 from dim 1}}
  %0 = ag.scatter_nd %x, %i, %u reduction add : tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x4xf32>
  return
}

// -----

func.func @unknown_enum_keyword(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{unknown reduction kind 'average'}}
  %0 = ag.reduce average %x axes [1] : tensor<2x3xf32> -> tensor<2xf32>
  return
}

// -----

func.func @resize_scales_count(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{scales need 4 entries (one per dim), got 2}}
  %0 = ag.resize linear %x {scales = array<f64: 2.0, 2.0>} : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  return
}

// -----

func.func @resize_scales_positive(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{scales must be positive}}
  %0 = ag.resize linear %x {scales = array<f64: 1.0, 1.0, 0.0, 2.0>} : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  return
}

// -----

func.func @fusion_yield_types(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{yields 'tensor<4xi32>' but the group's results are 'tensor<4xf32>'}}
  %0 = ag.fusion -> tensor<4xf32> {
    %1 = ag.cast %x : tensor<4xf32> to tensor<4xi32>
    ag.yield %1 : tensor<4xi32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @fusion_foreign_op(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ag.fusion -> tensor<4xf32> {
    // expected-error @+1 {{cannot be part of an ag.fusion group (only ag ops compile into a dispatch)}}
    %1 = arith.addf %x, %x : tensor<4xf32>
    ag.yield %1 : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}
