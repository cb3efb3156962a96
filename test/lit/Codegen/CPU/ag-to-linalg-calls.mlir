// RUN: autoglm-opt %s --ag-to-linalg | FileCheck %s

// Calls and declarations convert with the same type converter.
// CHECK-LABEL: func.func private @external(tensor<3xi16>) -> tensor<3xi32>
// CHECK-LABEL: func.func @caller
// CHECK-SAME: (%[[A:.*]]: tensor<3xi16>) -> tensor<3xi32>
// CHECK: %[[R:.*]] = call @external(%[[A]]) : (tensor<3xi16>) -> tensor<3xi32>
// CHECK: linalg.generic {{.*}} ins(%[[R]], %[[R]] :
// CHECK: arith.addi
func.func private @external(tensor<3xui16>) -> tensor<3xsi32>
func.func @caller(%a: tensor<3xui16>) -> tensor<3xsi32> {
  %0 = call @external(%a) : (tensor<3xui16>) -> tensor<3xsi32>
  %1 = ag.add %0, %0 : tensor<3xsi32>, tensor<3xsi32>
  return %1 : tensor<3xsi32>
}
