// RUN: autoglm-opt %s --split-input-file --ag-fuse=patterns=0 | FileCheck %s

// ag-fuse's grouping stage: which ops share a dispatch (an ag.fusion region).

// A matmul with its epilogue (bias, activation, residual add): one group
// whose only result is the last op's.
// CHECK-LABEL: func.func @matmul_epilogue
// CHECK-SAME: (%[[X:.*]]: tensor<8x16xf32>, %[[W:.*]]: tensor<16x32xf32>, %[[B:.*]]: tensor<32xf32>, %[[R:.*]]: tensor<8x32xf32>)
// CHECK: %[[G:.*]] = ag.fusion -> tensor<8x32xf32> {
// CHECK-NEXT: %[[M:.*]] = ag.matmul %[[X]], %[[W]]
// CHECK-NEXT: %[[A:.*]] = ag.add %[[M]], %[[B]]
// CHECK-NEXT: %[[Y:.*]] = ag.relu %[[A]]
// CHECK-NEXT: %[[S:.*]] = ag.add %[[Y]], %[[R]]
// CHECK-NEXT: ag.yield %[[S]] : tensor<8x32xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[G]]
func.func @matmul_epilogue(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>, %b: tensor<32xf32>, %r: tensor<8x32xf32>) -> tensor<8x32xf32> {
  %0 = ag.matmul %x, %w : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %1 = ag.add %0, %b : tensor<8x32xf32>, tensor<32xf32>
  %2 = ag.relu %1 : tensor<8x32xf32>
  %3 = ag.add %2, %r : tensor<8x32xf32>, tensor<8x32xf32>
  return %3 : tensor<8x32xf32>
}

// -----

// An elementwise chain, broadcasting outside operands included.
// CHECK-LABEL: func.func @elementwise_chain
// CHECK: ag.fusion -> tensor<4x8xf32> {
// CHECK: ag.exp
// CHECK: ag.mul
// CHECK: ag.tanh
// CHECK: ag.yield
// CHECK-NOT: ag.fusion
func.func @elementwise_chain(%x: tensor<4x8xf32>, %s: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = ag.exp %x : tensor<4x8xf32>
  %1 = ag.mul %0, %s : tensor<4x8xf32>, tensor<8xf32>
  %2 = ag.tanh %1 : tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

// Must not fire: the matmul's result has a second consumer (the function
// result), so it stays its own dispatch; the two-op chain after it groups.
// CHECK-LABEL: func.func @extra_consumer
// CHECK: %[[M:.*]] = ag.matmul
// CHECK-NEXT: %[[G:.*]] = ag.fusion
// CHECK-NEXT: ag.relu %[[M]]
// CHECK-NEXT: ag.neg
// CHECK: return %[[M]], %[[G]]
func.func @extra_consumer(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>) -> (tensor<8x32xf32>, tensor<8x32xf32>) {
  %0 = ag.matmul %x, %w : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %1 = ag.relu %0 : tensor<8x32xf32>
  %2 = ag.neg %1 : tensor<8x32xf32>
  return %0, %2 : tensor<8x32xf32>, tensor<8x32xf32>
}

// -----

// Must not fire: the producer's result would be broadcast by its consumer
// (a [8] value read for every row of [4x8]), so it is not one loop nest.
// CHECK-LABEL: func.func @broadcast_intermediate
// CHECK-NOT: ag.fusion
// CHECK: return
func.func @broadcast_intermediate(%v: tensor<8xf32>, %x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = ag.exp %v : tensor<8xf32>
  %1 = ag.add %x, %0 : tensor<4x8xf32>, tensor<8xf32>
  return %1 : tensor<4x8xf32>
}

// -----

// Must not fire: an epilogue op whose result is larger than the matmul's
// (it broadcasts the GEMM result) stays out of the GEMM's group.
// CHECK-LABEL: func.func @epilogue_broadcasts
// CHECK-NOT: ag.fusion
// CHECK: return
func.func @epilogue_broadcasts(%x: tensor<1x16xf32>, %w: tensor<16x32xf32>, %r: tensor<4x32xf32>) -> tensor<4x32xf32> {
  %0 = ag.matmul %x, %w : (tensor<1x16xf32>, tensor<16x32xf32>) -> tensor<1x32xf32>
  %1 = ag.add %0, %r : tensor<1x32xf32>, tensor<4x32xf32>
  return %1 : tensor<4x32xf32>
}

// -----

// Two GEMMs never share a kernel: the add joins the first one's group only.
// CHECK-LABEL: func.func @two_matmuls
// CHECK: %[[M1:.*]] = ag.matmul
// CHECK: ag.fusion
// CHECK-NEXT: ag.matmul
// CHECK-NEXT: ag.add %{{.*}}, %[[M1]]
// CHECK-NEXT: ag.yield
func.func @two_matmuls(%x: tensor<8x16xf32>, %w1: tensor<16x32xf32>, %w2: tensor<16x32xf32>) -> tensor<8x32xf32> {
  %0 = ag.matmul %x, %w1 : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %1 = ag.matmul %x, %w2 : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32>
  %2 = ag.add %1, %0 : tensor<8x32xf32>, tensor<8x32xf32>
  return %2 : tensor<8x32xf32>
}

// -----

// Must not fire: a matmul with a batched weight is no GEMM anchor (its
// epilogue would not split with it), and the lone add stays a plain op.
// CHECK-LABEL: func.func @batched_weight
// CHECK-NOT: ag.fusion
// CHECK: return
func.func @batched_weight(%x: tensor<2x8x16xf32>, %w: tensor<2x16x32xf32>, %b: tensor<32xf32>) -> tensor<2x8x32xf32> {
  %0 = ag.matmul %x, %w : (tensor<2x8x16xf32>, tensor<2x16x32xf32>) -> tensor<2x8x32xf32>
  %1 = ag.add %0, %b : tensor<2x8x32xf32>, tensor<32xf32>
  return %1 : tensor<2x8x32xf32>
}

// -----

// Views of outside values that feed an elementwise op come along (they are
// views or indexing maps in the kernel, not copy dispatches).
// CHECK-LABEL: func.func @views
// CHECK: ag.fusion -> tensor<4x8xf32> {
// CHECK-NEXT: ag.reshape
// CHECK-NEXT: ag.transpose
// CHECK-NEXT: ag.add
// CHECK-NEXT: ag.yield
func.func @views(%x: tensor<32xf32>, %y: tensor<8x4xf32>) -> tensor<4x8xf32> {
  %0 = ag.reshape %x : tensor<32xf32> -> tensor<4x8xf32>
  %1 = ag.transpose %y [1, 0] : tensor<8x4xf32> -> tensor<4x8xf32>
  %2 = ag.add %0, %1 : tensor<4x8xf32>, tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

// A conv with a per-channel bias and an activation.
// CHECK-LABEL: func.func @conv_epilogue
// CHECK: ag.fusion -> tensor<1x4x6x6xf32> {
// CHECK-NEXT: ag.conv
// CHECK-NEXT: ag.add
// CHECK-NEXT: ag.relu
// CHECK-NEXT: ag.yield
func.func @conv_epilogue(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4x1x1xf32>) -> tensor<1x4x6x6xf32> {
  %0 = ag.conv %x, %w strides [1, 1] dilations [1, 1] pads [0, 0, 0, 0] groups 1 : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  %1 = ag.add %0, %b : tensor<1x4x6x6xf32>, tensor<4x1x1xf32>
  %2 = ag.relu %1 : tensor<1x4x6x6xf32>
  return %2 : tensor<1x4x6x6xf32>
}
