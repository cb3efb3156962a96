// RUN: autoglm-opt %s --split-input-file --ag-graph-pipeline=opt-level=0 | FileCheck %s --check-prefix=O0
// RUN: autoglm-opt %s --split-input-file --ag-graph-pipeline=opt-level=1 | FileCheck %s --check-prefix=O1
// RUN: autoglm-opt %s --split-input-file --ag-graph-pipeline | FileCheck %s --check-prefix=O2
// RUN: autoglm-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(ag-graph-pipeline{opt-level=1}))' | FileCheck %s --check-prefix=O1

// ag-graph-pipeline: what autoglm-compile -O<N> runs before dispatch
// formation. -O0 changes nothing; -O1 folds constants, prunes what reaches
// no result, canonicalizes and CSEs; -O2 (the default) adds the passes of
// issue 5 (fusion) and is -O1 for now.

// O0-LABEL: func.func @fold_and_prune
// O0: ag.constant dense<1.000000e+00>
// O0: ag.constant dense<2.000000e+00>
// O0: ag.add
// O0: ag.exp
// O0: ag.mul
// O1-LABEL: func.func @fold_and_prune
// O1-SAME: (%[[X:.*]]: tensor<4xf32>)
// O1-NEXT: %[[C:.*]] = ag.constant dense<3.000000e+00> : tensor<4xf32>
// O1-NOT: ag.add
// O1-NOT: ag.exp
// O1-NEXT: %[[Y:.*]] = ag.mul %[[X]], %[[C]]
// O1-NEXT: return %[[Y]]
// O2-LABEL: func.func @fold_and_prune
// O2-NOT: ag.add
// O2-NOT: ag.exp
// O2: ag.mul
func.func @fold_and_prune(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = ag.constant dense<1.0> : tensor<4xf32>
  %b = ag.constant dense<2.0> : tensor<4xf32>
  %c = ag.add %a, %b : tensor<4xf32>, tensor<4xf32>
  %dead = ag.exp %x : tensor<4xf32>
  %y = ag.mul %x, %c : tensor<4xf32>, tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// CSE merges the two identical negations at -O1 and up, not at -O0.
// O0-LABEL: func.func @common_subexpression
// O0: ag.neg
// O0: ag.neg
// O1-LABEL: func.func @common_subexpression
// O1-SAME: (%[[X:.*]]: tensor<4xf32>)
// O1: %[[N:.*]] = ag.neg %[[X]]
// O1-NOT: ag.neg
// O1: ag.add %[[N]], %[[N]]
func.func @common_subexpression(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = ag.neg %x : tensor<4xf32>
  %b = ag.neg %x : tensor<4xf32>
  %y = ag.add %a, %b : tensor<4xf32>, tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Nothing to do: the function is left as it is at every level.
// O1-LABEL: func.func @nothing_to_do
// O1-SAME: (%[[X:.*]]: tensor<4xf32>)
// O1-NEXT: %[[Y:.*]] = ag.exp %[[X]]
// O1-NEXT: return %[[Y]]
func.func @nothing_to_do(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = ag.exp %x : tensor<4xf32>
  return %y : tensor<4xf32>
}
