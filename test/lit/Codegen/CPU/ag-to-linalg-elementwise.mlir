// RUN: autoglm-opt %s --split-input-file --ag-to-linalg | FileCheck %s

// Elementwise ag ops: one linalg.generic each, numpy broadcasting in the
// indexing maps (a size-1 dim that broadcasts reads index 0), integer
// semantics from the ag element type, float semantics as the ops define.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK-SAME: (%[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<3xf32>)
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[R:.*]] = linalg.generic
// CHECK-SAME: indexing_maps = [#[[$ID]], #[[$ROW]], #[[$ID]]]
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x3xf32>, tensor<3xf32>) outs(%[[INIT]] : tensor<2x3xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[S:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK: linalg.yield %[[S]]
// CHECK: return %[[R]]
// CHECK-NOT: ag.
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = ag.add %a, %b : tensor<2x3xf32>, tensor<3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Size-1 dims that broadcast read index 0.
// CHECK-DAG: #[[$COL0:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[$ROW0:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @mul_size_one
// CHECK: linalg.generic {indexing_maps = [#[[$COL0]], #[[$ROW0]], #[[$ID]]]
// CHECK: arith.mulf
// CHECK-NOT: ag.
func.func @mul_size_one(%a: tensor<2x1xf32>, %b: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %0 = ag.mul %a, %b : tensor<2x1xf32>, tensor<1x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Unsigned types become signless, function signature included; the
// unsigned semantics move into the op.
// CHECK-LABEL: func.func @div_unsigned
// CHECK-SAME: (%{{.*}}: tensor<4xi8>, %{{.*}}: tensor<4xi8>) -> tensor<4xi8>
// CHECK: arith.divui %{{.*}}, %{{.*}} : i8
// CHECK-NOT: ag.
func.func @div_unsigned(%a: tensor<4xui8>, %b: tensor<4xui8>) -> tensor<4xui8> {
  %0 = ag.div %a, %b : tensor<4xui8>, tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @div_signed
// CHECK-SAME: tensor<4xi32>
// CHECK: arith.divsi %{{.*}}, %{{.*}} : i32
func.func @div_signed(%a: tensor<4xsi32>, %b: tensor<4xsi32>) -> tensor<4xsi32> {
  %0 = ag.div %a, %b : tensor<4xsi32>, tensor<4xsi32>
  return %0 : tensor<4xsi32>
}

// -----

// Integer mod without fmod takes the divisor's sign: remsi, plus the divisor
// where the remainder is non-zero and the signs differ.
// CHECK-LABEL: func.func @mod_python
// CHECK: ^bb0(%[[X:.*]]: i32, %[[Y:.*]]: i32, %{{.*}}: i32):
// CHECK: %[[ZERO:.*]] = arith.constant 0 : i32
// CHECK: %[[REM:.*]] = arith.remsi %[[X]], %[[Y]] : i32
// CHECK: %[[NZ:.*]] = arith.cmpi ne, %[[REM]], %[[ZERO]]
// CHECK: %[[RNEG:.*]] = arith.cmpi slt, %[[REM]], %[[ZERO]]
// CHECK: %[[YNEG:.*]] = arith.cmpi slt, %[[Y]], %[[ZERO]]
// CHECK: %[[DIFF:.*]] = arith.xori %[[RNEG]], %[[YNEG]]
// CHECK: %[[FIX:.*]] = arith.andi %[[NZ]], %[[DIFF]]
// CHECK: %[[ADJ:.*]] = arith.addi %[[REM]], %[[Y]]
// CHECK: %[[R:.*]] = arith.select %[[FIX]], %[[ADJ]], %[[REM]]
// CHECK: linalg.yield %[[R]]
func.func @mod_python(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  %0 = ag.mod %a, %b : tensor<4xi32>, tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @mod_fmod
// CHECK: arith.remf
// CHECK: arith.remsi
// CHECK-NOT: arith.select
func.func @mod_fmod(%a: tensor<4xf32>, %b: tensor<4xi32>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = ag.mod %a, %a fmod : tensor<4xf32>, tensor<4xf32>
  %1 = ag.mod %b, %b fmod : tensor<4xi32>, tensor<4xi32>
  return %0, %1 : tensor<4xf32>, tensor<4xi32>
}

// -----

// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @compare_unsigned
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$SCALAR]], #{{.*}}]
// CHECK: arith.cmpi ult, %{{.*}}, %{{.*}} : i16
// CHECK: } -> tensor<4xi1>
func.func @compare_unsigned(%a: tensor<4xui16>, %b: tensor<ui16>) -> tensor<4xi1> {
  %0 = ag.compare lt, %a, %b : tensor<4xui16>, tensor<ui16>
  return %0 : tensor<4xi1>
}

// -----

// Bools compare unsigned (true > false).
// CHECK-LABEL: func.func @compare_bool
// CHECK: arith.cmpi ugt, %{{.*}}, %{{.*}} : i1
func.func @compare_bool(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  %0 = ag.compare gt, %a, %b : tensor<4xi1>, tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// Float compares are ordered except ne.
// CHECK-LABEL: func.func @compare_float
// CHECK: arith.cmpf une
// CHECK: arith.cmpf oge
func.func @compare_float(%a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xi1>, tensor<4xi1>) {
  %0 = ag.compare ne, %a, %b : tensor<4xf32>, tensor<4xf32>
  %1 = ag.compare ge, %a, %b : tensor<4xf32>, tensor<4xf32>
  return %0, %1 : tensor<4xi1>, tensor<4xi1>
}

// -----

// Float max/min propagate NaN; integer ones follow the signedness.
// CHECK-LABEL: func.func @max_min
// CHECK: arith.maximumf
// CHECK: arith.minimumf
// CHECK: arith.minsi %{{.*}}, %{{.*}} : i8
// CHECK: arith.maxui %{{.*}}, %{{.*}} : i8
func.func @max_min(%a: tensor<4xf32>, %c: tensor<4xsi8>, %d: tensor<4xui8>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xsi8>, tensor<4xui8>) {
  %0 = ag.max %a, %a : tensor<4xf32>, tensor<4xf32>
  %1 = ag.min %a, %a : tensor<4xf32>, tensor<4xf32>
  %2 = ag.min %c, %c : tensor<4xsi8>, tensor<4xsi8>
  %3 = ag.max %d, %d : tensor<4xui8>, tensor<4xui8>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xsi8>, tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @pow
// CHECK: math.powf %{{.*}}, %{{.*}} : f32
// CHECK: math.ipowi %{{.*}}, %{{.*}} : i64
func.func @pow(%a: tensor<4xf32>, %b: tensor<4xi64>) -> (tensor<4xf32>, tensor<4xi64>) {
  %0 = ag.pow %a, %a : tensor<4xf32>, tensor<4xf32>
  %1 = ag.pow %b, %b : tensor<4xi64>, tensor<4xi64>
  return %0, %1 : tensor<4xf32>, tensor<4xi64>
}

// -----

// CHECK-DAG: #[[$COL0:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[$ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @select
// CHECK: linalg.generic {indexing_maps = [#[[$COL0]], #[[$ROW]], #[[$SCALAR]], #{{.*}}]
// CHECK: ^bb0(%[[C:.*]]: i1, %[[T:.*]]: f32, %[[F:.*]]: f32, %{{.*}}: f32):
// CHECK: arith.select %[[C]], %[[T]], %[[F]] : f32
func.func @select(%c: tensor<2x1xi1>, %a: tensor<3xf32>, %b: tensor<f32>) -> tensor<2x3xf32> {
  %0 = ag.select %c, %a, %b : tensor<2x1xi1>, tensor<3xf32>, tensor<f32>
  return %0 : tensor<2x3xf32>
}

// -----

// Float to int truncates toward zero and saturates: only in-range values
// reach fptosi; at or beyond the bounds the result is the limit, NaN gives 0.
// CHECK-LABEL: func.func @cast_float_to_int
// CHECK-SAME: -> tensor<4xi32>
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: i32):
// CHECK-DAG: %[[LO:.*]] = arith.constant -2.14748365E+9 : f32
// CHECK-DAG: %[[HI:.*]] = arith.constant 2.14748365E+9 : f32
// CHECK-DAG: %[[BELOW:.*]] = arith.cmpf olt, %[[X]], %[[HI]]
// CHECK-DAG: %[[ABOVE:.*]] = arith.cmpf ogt, %[[X]], %[[LO]]
// CHECK: %[[IN:.*]] = arith.andi %[[ABOVE]], %[[BELOW]]
// CHECK: %[[SAFE:.*]] = arith.select %[[IN]], %[[X]], %{{.*}} : f32
// CHECK: %[[T:.*]] = arith.fptosi %[[SAFE]] : f32 to i32
// CHECK-DAG: %[[MIN:.*]] = arith.constant -2147483648 : i32
// CHECK-DAG: %[[MAX:.*]] = arith.constant 2147483647 : i32
// CHECK: %[[LOW:.*]] = arith.cmpf ole, %[[X]], %[[LO]]
// CHECK: %[[R1:.*]] = arith.select %[[LOW]], %[[MIN]], %[[T]]
// CHECK: %[[HIGH:.*]] = arith.cmpf oge, %[[X]], %[[HI]]
// CHECK: %[[R2:.*]] = arith.select %[[HIGH]], %[[MAX]], %[[R1]]
// CHECK: linalg.yield %[[R2]] : i32
func.func @cast_float_to_int(%a: tensor<4xf32>) -> tensor<4xsi32> {
  %0 = ag.cast %a : tensor<4xf32> to tensor<4xsi32>
  return %0 : tensor<4xsi32>
}

// -----

// CHECK-LABEL: func.func @cast_float_to_unsigned
// CHECK: arith.fptoui %{{.*}} : f32 to i8
func.func @cast_float_to_unsigned(%a: tensor<4xf32>) -> tensor<4xui8> {
  %0 = ag.cast %a : tensor<4xf32> to tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @cast_integers
// CHECK: arith.uitofp %{{.*}} : i8 to f32
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.trunci %{{.*}} : i32 to i8
// CHECK: arith.extf %{{.*}} : f16 to f32
// CHECK: arith.sitofp %{{.*}} : i32 to f32
func.func @cast_integers(%a: tensor<4xui8>, %b: tensor<4xi8>, %c: tensor<4xi32>, %h: tensor<4xf16>)
    -> (tensor<4xf32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<4xf32>, tensor<4xf32>) {
  %0 = ag.cast %a : tensor<4xui8> to tensor<4xf32>
  %1 = ag.cast %a : tensor<4xui8> to tensor<4xi32>
  %2 = ag.cast %b : tensor<4xi8> to tensor<4xi32>
  %3 = ag.cast %c : tensor<4xi32> to tensor<4xi8>
  %4 = ag.cast %h : tensor<4xf16> to tensor<4xf32>
  %5 = ag.cast %c : tensor<4xi32> to tensor<4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<4xf32>, tensor<4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<4xf32>, tensor<4xf32>
}

// -----

// int -> bool tests != 0 (floats: NaN is true); bool -> float is 0 or 1.
// CHECK-LABEL: func.func @cast_bools
// CHECK: %[[Z:.*]] = arith.constant 0 : i32
// CHECK: arith.cmpi ne, %{{.*}}, %[[Z]] : i32
// CHECK: arith.cmpf une
// CHECK: arith.uitofp %{{.*}} : i1 to f32
func.func @cast_bools(%a: tensor<4xi32>, %f: tensor<4xf32>, %b: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xf32>) {
  %0 = ag.cast %a : tensor<4xi32> to tensor<4xi1>
  %1 = ag.cast %f : tensor<4xf32> to tensor<4xi1>
  %2 = ag.cast %b : tensor<4xi1> to tensor<4xf32>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xi1>, tensor<4xf32>
}

// -----

// round is round-half-to-even; gelu (exact) uses erf.
// CHECK-LABEL: func.func @round_gelu
// CHECK: math.roundeven
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[RS2:.*]] = arith.constant 0.707106769 : f32
// CHECK: %[[S:.*]] = arith.mulf %[[X]], %[[RS2]]
// CHECK: math.erf %[[S]]
func.func @round_gelu(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = ag.round %a : tensor<4xf32>
  %1 = ag.gelu %a : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @gelu_tanh
// CHECK: arith.constant 4.471500e-02
// CHECK: math.tanh
func.func @gelu_tanh(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ag.gelu %a approximation tanh : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Stable sigmoid: e = exp(-|x|), 1/(1+e) for x >= 0, e/(1+e) otherwise.
// CHECK-LABEL: func.func @sigmoid
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[ABS:.*]] = math.absf %[[X]]
// CHECK: %[[NEG:.*]] = arith.negf %[[ABS]]
// CHECK: %[[E:.*]] = math.exp %[[NEG]]
// CHECK: %[[D:.*]] = arith.addf %{{.*}}, %[[E]]
// CHECK: %[[R:.*]] = arith.divf %{{.*}}, %[[D]]
// CHECK: %[[POS:.*]] = arith.cmpf oge, %[[X]]
// CHECK: %[[ER:.*]] = arith.mulf %[[E]], %[[R]]
// CHECK: arith.select %[[POS]], %[[R]], %[[ER]]
func.func @sigmoid(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ag.sigmoid %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @softplus_silu
// CHECK: math.log1p
// CHECK: math.exp
// CHECK: arith.mulf
func.func @softplus_silu(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = ag.softplus %a : tensor<4xf32>
  %1 = ag.silu %a : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// -----

// Integer clamp bounds saturate to the type: max 300 on ui8 is 255 (-1 as i8).
// CHECK-LABEL: func.func @clamp_unsigned
// CHECK: %[[LO:.*]] = arith.constant 1 : i8
// CHECK: %[[A:.*]] = arith.maxui %{{.*}}, %[[LO]] : i8
// CHECK: %[[HI:.*]] = arith.constant -1 : i8
// CHECK: arith.minui %[[A]], %[[HI]] : i8
func.func @clamp_unsigned(%a: tensor<4xui8>) -> tensor<4xui8> {
  %0 = ag.clamp %a min 1.0 max 300.0 : tensor<4xui8>
  return %0 : tensor<4xui8>
}

// -----

// CHECK-LABEL: func.func @clamp_float
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @clamp_float(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ag.clamp %a min 0.0 max 6.0 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @abs_relu
// CHECK: math.absi %{{.*}} : i32
// CHECK: ^bb0(%[[U:.*]]: i32, %{{.*}}: i32):
// CHECK-NEXT: linalg.yield %[[U]] : i32
// CHECK: arith.maxsi
func.func @abs_relu(%a: tensor<4xi32>, %b: tensor<4xui32>) -> (tensor<4xi32>, tensor<4xui32>, tensor<4xi32>) {
  %0 = ag.abs %a : tensor<4xi32>
  %1 = ag.abs %b : tensor<4xui32>
  %2 = ag.relu %a : tensor<4xi32>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xui32>, tensor<4xi32>
}

// -----

// CHECK-LABEL: func.func @unary_math
// CHECK: math.exp
// CHECK: math.log
// CHECK: math.sqrt
// CHECK: math.rsqrt
// CHECK: math.tanh
// CHECK: math.atanh
// CHECK: math.floor
// CHECK: math.ceil
// CHECK: arith.negf
// CHECK-NOT: ag.
func.func @unary_math(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = ag.exp %a : tensor<4xf32>
  %1 = ag.log %a : tensor<4xf32>
  %2 = ag.sqrt %a : tensor<4xf32>
  %3 = ag.rsqrt %a : tensor<4xf32>
  %4 = ag.tanh %a : tensor<4xf32>
  %5 = ag.atanh %a : tensor<4xf32>
  %6 = ag.floor %a : tensor<4xf32>
  %7 = ag.ceil %a : tensor<4xf32>
  %8 = ag.neg %a : tensor<4xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @predicates_not
// CHECK: arith.cmpf uno
// CHECK: %[[ABS:.*]] = math.absf
// CHECK: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK: arith.cmpf oeq, %[[ABS]], %[[INF]]
// CHECK: %[[TRUE:.*]] = arith.constant true
// CHECK: arith.xori %{{.*}}, %[[TRUE]] : i1
func.func @predicates_not(%a: tensor<4xf32>, %b: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %0 = ag.is_nan %a : tensor<4xf32>
  %1 = ag.is_inf %a : tensor<4xf32>
  %2 = ag.not %b : tensor<4xi1>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// -----

// CHECK-LABEL: func.func @leaky_relu
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[ALPHA:.*]] = arith.constant 1.000000e-01 : f32
// CHECK: %[[NEG:.*]] = arith.cmpf olt, %[[X]]
// CHECK: %[[SCALED:.*]] = arith.mulf %[[ALPHA]], %[[X]]
// CHECK: arith.select %[[NEG]], %[[SCALED]], %[[X]]
func.func @leaky_relu(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = ag.leaky_relu %a alpha 0.1 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Constants: unsigned values are reinterpreted bit for bit as signless;
// resource blobs keep their handle (float ones as they are).
// CHECK-LABEL: func.func @constants
// CHECK-SAME: -> (tensor<2xi8>, tensor<2xf32>, tensor<3xi16>)
// CHECK-DAG: arith.constant dense<[-1, 7]> : tensor<2xi8>
// CHECK-DAG: arith.constant dense_resource<weights> : tensor<2xf32>
// CHECK-DAG: arith.constant dense_resource<ints> : tensor<3xi16>
// CHECK-NOT: ag.constant
// CHECK: ints: "0x02000000010002000300"
func.func @constants() -> (tensor<2xui8>, tensor<2xf32>, tensor<3xsi16>) {
  %0 = ag.constant dense<[255, 7]> : tensor<2xui8>
  %1 = ag.constant dense_resource<weights> : tensor<2xf32>
  %2 = ag.constant dense_resource<ints> : tensor<3xsi16>
  return %0, %1, %2 : tensor<2xui8>, tensor<2xf32>, tensor<3xsi16>
}
{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F00000040",
      ints: "0x02000000010002000300"
    }
  }
#-}
