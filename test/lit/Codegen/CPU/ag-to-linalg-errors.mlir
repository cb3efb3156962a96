// RUN: autoglm-opt %s --split-input-file --ag-to-linalg -verify-diagnostics

// What ag-to-linalg cannot lower yet: each op gets an error naming it and
// the reason, and nothing is converted.

func.func @dynamic_shape(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{cannot lower 'ag.add' to linalg: operand and result shapes must be static}}
  %0 = ag.add %a, %b : tensor<?xf32>, tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @integer_log_sum_exp(%x: tensor<2x3xi32>) -> tensor<2xi32> {
  // expected-error @+1 {{cannot lower 'ag.reduce' to linalg: log_sum_exp is lowered for floats only}}
  %0 = ag.reduce log_sum_exp %x axes [1] : tensor<2x3xi32> -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// Every problem is reported, not only the first.
func.func @several(%a: tensor<?x4xf32>, %x: tensor<2x3xsi64>) -> (tensor<?x4xf32>, tensor<2xsi64>) {
  // expected-error @+1 {{cannot lower 'ag.exp' to linalg}}
  %0 = ag.exp %a : tensor<?x4xf32>
  // expected-error @+1 {{cannot lower 'ag.reduce' to linalg}}
  %1 = ag.reduce log_sum_exp %x axes [1] : tensor<2x3xsi64> -> tensor<2xsi64>
  return %0, %1 : tensor<?x4xf32>, tensor<2xsi64>
}
