// f32 GEMMs (the default precision) run in shared-memory tiles
// (SimtMatmul.cpp): 256 threads per block, each accumulating a 4 x 4 (2 x 4,
// 1 x 4 for small M) micro-tile in registers over K tiles of 16 staged in
// shared memory. Shapes that are not multiples of the tiles, a bias
// broadcast into C first, B laid out K x N and N x K (a batched generic
// contraction: attention's scores), a B whose rows are not whole 16-byte
// chunks (loaded one element at a time).
// REQUIRES: ptxas

// RUN: autoglm-compile %s --target=cuda --gpu-arch=sm_80 --emit=ptx -o %t.80.ptx -v 2>&1 | FileCheck %s --check-prefix=VERBOSE
// RUN: FileCheck %s --input-file=%t.80.ptx
// RUN: %ptxas -arch=sm_80 %t.80.ptx -o %t.80.cubin
// RUN: autoglm-compile %s --target=cuda --gpu-arch=sm_90 --emit=ptx -o %t.90.ptx
// RUN: %ptxas -arch=sm_90 %t.90.ptx -o %t.90.cubin

// VERBOSE: dispatch dispatch_0_matmul: shared-memory tiles: linalg.matmul 33x72x40 (MxNxK) f32, B KxN, block tile 64x64x16, 256 threads of 4x4
// VERBOSE: dispatch dispatch_1_matmul: shared-memory tiles: linalg.matmul 100x70x96 (MxNxK) f32, B KxN, block tile 64x64x16, 256 threads of 4x4
// VERBOSE: dispatch dispatch_2_matmul: shared-memory tiles: linalg.generic 2x20x24x32 (BxMxNxK) f32, B NxK, block tile 32x64x16, 256 threads of 2x4
// VERBOSE: dispatch dispatch_3_matmul: shared-memory tiles: linalg.matmul 3x40x42 (MxNxK) f32, B NxK, block tile 16x64x16, 256 threads of 1x4
// VERBOSE: dispatch dispatch_0_matmul: launch dispatch_0_matmul_kernel grid 10x1x1 block 256x1x1
// VERBOSE: dispatch dispatch_0_matmul: launch dispatch_0_matmul_kernel_0 grid 2x1x1 block 256x1x1
// VERBOSE: dispatch dispatch_1_matmul: launch dispatch_1_matmul_kernel grid 2x2x1 block 256x1x1
// VERBOSE: dispatch dispatch_2_matmul: launch dispatch_2_matmul_kernel_0 grid 1x1x2 block 256x1x1
// VERBOSE: dispatch dispatch_3_matmul: launch dispatch_3_matmul_kernel grid 1x1x1 block 256x1x1

// CHECK-LABEL: .visible .entry dispatch_0_matmul_kernel_0(
// CHECK: .shared .align 16 .b8 dispatch_0_matmul_simt0_smem_a[4096];
// CHECK: .shared .align 16 .b8 dispatch_0_matmul_simt0_smem_b[4096];
// CHECK: ld.global.v4.b32
// CHECK: st.shared.v4.b32
// CHECK: bar.sync 0;
// CHECK: ld.shared.b32
// CHECK: bar.sync 0;
// CHECK: st.global.b32
// CHECK-NOT: mma
// A transposed B: rows padded to 17 floats.
// CHECK-LABEL: .visible .entry dispatch_2_matmul_kernel_0(
// CHECK: .shared .align 16 .b8 dispatch_2_matmul_simt0_smem_b[4352];
// CHECK-LABEL: .visible .entry dispatch_3_matmul_kernel(
// CHECK: .shared .align 16 .b8 dispatch_3_matmul_simt0_smem_a[1024];

func.func @main(%x: tensor<33x40xf32>, %w: tensor<40x72xf32>, %b: tensor<72xf32>,
                %x2: tensor<100x96xf32>, %w2: tensor<96x70xf32>,
                %q: tensor<2x20x32xf32>, %k: tensor<2x24x32xf32>,
                %x4: tensor<3x42xf32>, %w3: tensor<40x42xf32>)
    -> (tensor<33x72xf32>, tensor<100x70xf32>, tensor<2x20x24xf32>, tensor<3x40xf32>) {
  %y = ag.matmul %x, %w bias %b : (tensor<33x40xf32>, tensor<40x72xf32>, tensor<72xf32>) -> tensor<33x72xf32>
  %y2 = ag.matmul %x2, %w2 : (tensor<100x96xf32>, tensor<96x70xf32>) -> tensor<100x70xf32>
  %s = ag.matmul %q, %k transpose_rhs : (tensor<2x20x32xf32>, tensor<2x24x32xf32>) -> tensor<2x20x24xf32>
  %y3 = ag.matmul %x4, %w3 transpose_rhs : (tensor<3x42xf32>, tensor<40x42xf32>) -> tensor<3x40xf32>
  return %y, %y2, %s, %y3 : tensor<33x72xf32>, tensor<100x70xf32>, tensor<2x20x24xf32>, tensor<3x40xf32>
}
