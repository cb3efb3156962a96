// Two entry points sharing persistent state (an LLM's KV cache): each entry
// gets its own dispatches, named after it; the state is one buffer of the
// plan for both; a cache write into the state is a kernel of its own that
// writes the new positions in place (a memref argument, nothing returned).

// RUN: autoglm-compile %s -o %t.agm -v 2>&1 | FileCheck %s --check-prefix=PLAN
// PLAN: dispatch prefill_dispatch_0_add:
// PLAN-NEXT: dispatch prefill_dispatch_1_kv_cache_write: {{[0-9]+}} workgroups, 3 bindings
// PLAN-NEXT: dispatch prefill_dispatch_2_attention:
// PLAN-NEXT: entry prefill: 3 dispatches
// PLAN-NEXT: dispatch decode_dispatch_3_add:
// PLAN-NEXT: dispatch decode_dispatch_4_kv_cache_write: {{[0-9]+}} workgroups, 3 bindings
// PLAN-NEXT: dispatch decode_dispatch_5_attention:
// PLAN-NEXT: entry decode: 3 dispatches
// PLAN-NEXT: arena: {{[0-9]+}} bytes; state: 128 bytes;

// RUN: autoglm-compile %s --emit=linalg | FileCheck %s --check-prefix=KERNEL
// KERNEL-LABEL: func.func @decode_dispatch_4_kv_cache_write
// KERNEL-SAME: (%[[U:.*]]: tensor<1x1x1x4xf32>, %[[P:.*]]: tensor<i64>, %[[C:.*]]: memref<1x1x8x4xf32>)
// KERNEL-NOT: -> tensor
// KERNEL: %[[E:.*]] = tensor.extract %[[P]][]
// KERNEL: %[[I:.*]] = arith.index_cast %[[E]]
// KERNEL: %[[LO:.*]] = arith.minsi %[[I]], %c7
// KERNEL: %[[AT:.*]] = arith.maxsi %[[LO]], %c0
// KERNEL: %[[W:.*]] = memref.subview %[[C]][0, 0, %[[AT]], 0] [1, 1, 1, 4]
// KERNEL: bufferization.materialize_in_destination %[[U]] in restrict writable %[[W]]
// KERNEL-NEXT: return

// Kernel temporaries (the attention's transposed keys and scores) are freed
// at the end of the kernel, and malloc / free go through the hooks the
// runtime points at its block-reusing allocator.
// RUN: autoglm-compile %s --emit=llvm | FileCheck %s --check-prefix=ALLOC
// ALLOC-LABEL: llvm.func internal @decode_dispatch_5_attention_impl
// ALLOC: %[[T:.*]] = llvm.call @agm_routed_malloc
// ALLOC: llvm.call @agm_routed_free
// ALLOC: llvm.return
// ALLOC: llvm.mlir.global external @agm_kernel_malloc() {{.*}} : !llvm.ptr
// ALLOC: llvm.func internal @agm_routed_malloc(%[[SIZE:.*]]: i64) -> !llvm.ptr
// ALLOC: %[[HOOK:.*]] = llvm.load %{{.*}} : !llvm.ptr -> !llvm.ptr
// ALLOC: llvm.call @malloc(%[[SIZE]])
// ALLOC: llvm.call %[[HOOK]](%[[SIZE]])
// ALLOC: llvm.mlir.global external @agm_kernel_free() {{.*}} : !llvm.ptr

// The entries load and run (the state starts zeroed); a position outside
// the cache (max_context 8) is refused before anything runs.
// RUN: autoglm-run %t.agm --entry decode --input position=%S/Inputs/position-2.npy | FileCheck %s --check-prefix=RUN-DECODE
// RUN-DECODE: entry point 'decode'
// RUN-DECODE: output 0 'y': f32[1, 1, 1, 4]
// RUN: not autoglm-run %t.agm --entry decode --input position=%S/Inputs/position-8.npy 2>&1 | FileCheck %s --check-prefix=OUTSIDE
// OUTSIDE: error: agm_model_run: position 8 of entry point 'decode' (tokens at 8..8) lies outside the KV cache's 8 positions (max_context of artifact

// A constant written into the cache is a weight the write kernel reads: at
// position 2 of a zeroed 4-slot cache, (5, 6) is the only nonzero key, so
// query (1, 1) attends to it with weight e^(11/sqrt 2) / (3 + e^(11/sqrt 2)).
// RUN: autoglm-compile %S/Inputs/constant-cache-update.mlir -o %t.const.agm
// RUN: autoglm-run %t.const.agm --input x=%S/Inputs/ones-1x1x1x2.npy --input position=%S/Inputs/position-2.npy | FileCheck %s --check-prefix=CONST
// CONST: output 0 'y': f32[1, 1, 1, 2]: {{.*}} first [4.99373, 5.99247]

// An ag module is compiled, not imported; the LLM flags are for GLM
// checkpoints.
// RUN: not autoglm-compile %s 2>&1 | FileCheck %s --check-prefix=EMITAG
// EMITAG: error: '{{.*}}llm-entry-points.mlir' is already an ag module: --emit=ag and --check import models; use --emit=ag-opt, linalg, llvm, asm or agm
// RUN: not autoglm-compile %s --max-context 16 -o %t.flags.agm 2>&1 | FileCheck %s --check-prefix=FLAGS
// FLAGS: error: --max-context and --prefill-length apply to GLM checkpoints (a folder with config.json), not to

// State must be updated in place: a state whose old value is still read
// after the write cannot be.
// RUN: not autoglm-compile %S/Inputs/state-not-in-place.mlir -o %t.bad.agm 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: state 'cache' must be returned as updated in place by ag.kv_cache_write (its only reader)

module attributes {ag.llm = {max_context = 8 : i64}} {
  func.func @prefill(%x: tensor<1x1x2x4xf32> {ag.name = "x"}, %pos: tensor<i64> {ag.name = "position"}, %kc: tensor<1x1x8x4xf32> {ag.state = "cache"}) -> (tensor<1x1x2x4xf32> {ag.name = "y"}, tensor<1x1x8x4xf32> {ag.state = "cache"}) {
    %n = ag.constant dense<2> : tensor<i64>
    %len = ag.add %pos, %n : tensor<i64>, tensor<i64>
    %w = ag.kv_cache_write %x into %kc at %pos : tensor<1x1x2x4xf32>, tensor<1x1x8x4xf32>, tensor<i64>
    %o = ag.attention %x, %w, %w kv_len %len causal : (tensor<1x1x2x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<i64>) -> tensor<1x1x2x4xf32>
    return %o, %w : tensor<1x1x2x4xf32>, tensor<1x1x8x4xf32>
  }
  func.func @decode(%x: tensor<1x1x1x4xf32> {ag.name = "x"}, %pos: tensor<i64> {ag.name = "position"}, %kc: tensor<1x1x8x4xf32> {ag.state = "cache"}) -> (tensor<1x1x1x4xf32> {ag.name = "y"}, tensor<1x1x8x4xf32> {ag.state = "cache"}) {
    %n = ag.constant dense<1> : tensor<i64>
    %len = ag.add %pos, %n : tensor<i64>, tensor<i64>
    %w = ag.kv_cache_write %x into %kc at %pos : tensor<1x1x1x4xf32>, tensor<1x1x8x4xf32>, tensor<i64>
    %o = ag.attention %x, %w, %w kv_len %len causal : (tensor<1x1x1x4xf32>, tensor<1x1x8x4xf32>, tensor<1x1x8x4xf32>, tensor<i64>) -> tensor<1x1x1x4xf32>
    return %o, %w : tensor<1x1x1x4xf32>, tensor<1x1x8x4xf32>
  }
}
