// GEMMs with a bf16 / f16 B operand run on tensor cores (TensorCoreMatmul.cpp):
// shared-memory tiles (cp.async where the operand is 16-bit and its rows are
// whole 16-byte chunks), ldmatrix, mma.sync m16n8k16 with f32 accumulators.
// Shapes that are not multiples of the tiles (guards, zero fill), a bias
// broadcast into C before the GEMM (C is the accumulators' initial value),
// B laid out K x N and N x K, a batched f16 contraction with an f16 result.
// REQUIRES: ptxas

// RUN: autoglm-compile %s --target=cuda --gpu-arch=sm_80 --emit=ptx -o %t.80.ptx -v 2>&1 | FileCheck %s --check-prefix=VERBOSE
// RUN: FileCheck %s --input-file=%t.80.ptx
// RUN: %ptxas -arch=sm_80 %t.80.ptx -o %t.80.cubin
// RUN: autoglm-compile %s --target=cuda --gpu-arch=sm_90 --emit=ptx -o %t.90.ptx
// RUN: FileCheck %s --check-prefix=SM90 --input-file=%t.90.ptx
// RUN: %ptxas -arch=sm_90 %t.90.ptx -o %t.90.cubin

// VERBOSE: dispatch dispatch_0_matmul: tensor cores: linalg.matmul 33x72x40 (MxNxK) A f32 rounded to bf16, B bf16 KxN, C f32, f32 accumulators; mma.sync m16n8k16, block tile 64x64x32, 4 warps of 32x32; 2 stages, A by ld.v4.f32, B by cp.async
// VERBOSE: dispatch dispatch_1_matmul: tensor cores: linalg.matmul 100x70x96 (MxNxK) A f32 rounded to f16, B f16 KxN, C f32, {{.*}}; 2 stages, A by ld.v4.f32, B by ld/st
// VERBOSE: dispatch dispatch_2_matmul: tensor cores: linalg.generic 2x20x24x32 (BxMxNxK) A f16, B f16 NxK, C f16, f32 accumulators; mma.sync m16n8k16, block tile 32x64x32, 4 warps of 16x32; 2 stages, A by cp.async, B by cp.async
// VERBOSE: dispatch dispatch_3_matmul: tensor cores: linalg.matmul 4x40x48 (MxNxK) A f32 rounded to bf16, B bf16 NxK, C f32, {{.*}} block tile 16x64x32, 4 warps of 16x16
// The bias is broadcast into C by a loop-nest launch first.
// VERBOSE: dispatch dispatch_0_matmul: launch dispatch_0_matmul_kernel grid 10x1x1 block 256x1x1
// VERBOSE: dispatch dispatch_0_matmul: launch dispatch_0_matmul_kernel_0 grid 2x1x1 block 128x1x1
// VERBOSE: dispatch dispatch_1_matmul: launch dispatch_1_matmul_kernel grid 2x2x1 block 128x1x1
// VERBOSE: dispatch dispatch_2_matmul: launch dispatch_2_matmul_kernel_0 grid 1x1x2 block 128x1x1
// VERBOSE: dispatch dispatch_3_matmul: launch dispatch_3_matmul_kernel grid 1x1x1 block 128x1x1

// CHECK: .target sm_80
// Shared tiles, two stages: A 64 x (32 + 8) and B 32 x (64 + 8) 16-bit
// elements, the rows padded by 16 bytes, 16-byte aligned.
// CHECK-LABEL: .visible .entry dispatch_0_matmul_kernel_0(
// CHECK: .shared .align 16 .b8 dispatch_0_matmul_tc0_smem_a[10240];
// CHECK: .shared .align 16 .b8 dispatch_0_matmul_tc0_smem_b[9216];
// The f32 A: 16-byte loads, rounded to bf16 two at a time, 8-byte stores.
// CHECK: ld.global.v4.b32
// CHECK: cvt.rn.bf16x2.f32
// CHECK: st.shared.v2.b32
// CHECK: cp.async.cg.shared.global [{{.*}}], [{{.*}}], 16, %r{{[0-9]+}};
// CHECK: cp.async.commit_group;
// Tile kt + 1 in flight while tile kt is multiplied.
// CHECK: cp.async.wait_group 1;
// CHECK: bar.sync 0;
// CHECK: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// No copy in flight when the threads leave.
// CHECK: cp.async.wait_group 0;
// CHECK: st.global.b32
// CHECK-LABEL: .visible .entry dispatch_1_matmul_kernel(
// CHECK: ld.global.b16
// CHECK: st.shared.b16
// CHECK: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK-LABEL: .visible .entry dispatch_2_matmul_kernel_0(
// CHECK: .shared .align 16 .b8 dispatch_2_matmul_tc0_smem_a[5120];
// CHECK: .shared .align 16 .b8 dispatch_2_matmul_tc0_smem_b[10240];
// CHECK: cp.async.cg.shared.global
// CHECK-NOT: ldmatrix.sync.aligned.m8n8.x4.trans
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32
// CHECK: st.global.b16
// CHECK-LABEL: .visible .entry dispatch_3_matmul_kernel(
// CHECK-NOT: ldmatrix.sync.aligned.m8n8.x4.trans
// CHECK: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32

// SM90: .target sm_90
// SM90: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32

func.func @main(%x: tensor<33x40xf32>, %w: tensor<40x72xbf16>, %b: tensor<72xf32>,
                %x2: tensor<100x96xf32>, %w2: tensor<96x70xf16>,
                %q: tensor<2x20x32xf16>, %k: tensor<2x24x32xf16>,
                %x3: tensor<4x48xf32>, %w3: tensor<40x48xbf16>)
    -> (tensor<33x72xf32>, tensor<100x70xf32>, tensor<2x20x24xf16>, tensor<4x40xf32>) {
  %y = ag.matmul %x, %w bias %b : (tensor<33x40xf32>, tensor<40x72xbf16>, tensor<72xf32>) -> tensor<33x72xf32>
  %y2 = ag.matmul %x2, %w2 : (tensor<100x96xf32>, tensor<96x70xf16>) -> tensor<100x70xf32>
  %s = ag.matmul %q, %k transpose_rhs : (tensor<2x20x32xf16>, tensor<2x24x32xf16>) -> tensor<2x20x24xf16>
  %y3 = ag.matmul %x3, %w3 transpose_rhs : (tensor<4x48xf32>, tensor<40x48xbf16>) -> tensor<4x40xf32>
  return %y, %y2, %s, %y3 : tensor<33x72xf32>, tensor<100x70xf32>, tensor<2x20x24xf16>, tensor<4x40xf32>
}
