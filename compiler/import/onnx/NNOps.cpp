//===- NNOps.cpp - ONNX NN ops into ag ------------------------------------===//
//
// MatMul, Gemm, convolutions, pools, normalizations, the softmax family,
// Dropout and Flatten (opsets 7-21). Window attributes (auto_pad, output
// shapes) are resolved into explicit pads from the static shapes here, so
// ag ops carry only explicit geometry. Parameters known at import time are
// folded on the host (BatchNormalization becomes one multiplier and one
// offset). Everything AutoGLM cannot import (training modes, index outputs,
// unsupported types) is reported with the attribute or output that causes it.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/HandlerUtils.h"
#include "compiler/import/onnx/TensorConversion.h"

#include "dialects/AutoGLM/IR/ShapeUtils.h"

#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <sstream>

namespace mlir::autoglm::onnx_import {
namespace {

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

/// `[1, 2, 3]`, for messages about attribute values.
std::string listText(ArrayRef<int64_t> values) {
  std::string text = "[";
  for (auto [i, v] : llvm::enumerate(values))
    text += (i ? ", " : "") + std::to_string(v);
  return text + "]";
}

/// A double as C++ streams print it (`0.5`, `1e-05`).
std::string numberText(double value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

/// Checks that inputs [0, MinInputs) are given and that every input has a
/// static shape (pads and reshapes are computed from it), then runs `Fn`.
template <LogicalResult (*Fn)(NodeContext &), unsigned MinInputs>
LogicalResult checked(NodeContext &ctx) {
  for (unsigned i = 0; i < MinInputs; ++i)
    if (!ctx.hasInput(i))
      return ctx.unsupported("expects at least " + Twine(MinInputs) +
                             " inputs, input " + Twine(i) + " is missing");
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    if (ctx.hasInput(i) && !ctx.inputType(i).hasStaticShape())
      return ctx.unsupported("input " + Twine(i) + " has the dynamic shape " +
                             formatShape(ctx.inputType(i).getShape()) +
                             "; static shapes are required");
  return Fn(ctx);
}

/// Fails unless `value` holds f16, bf16, f32 or f64 (or, with `ints`, 32 or
/// 64-bit integers, as ONNX allows for MatMul and Gemm).
LogicalResult checkElementType(NodeContext &ctx, Value value, StringRef what,
                               bool ints = false) {
  Type type = elementTypeOf(value);
  if (isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(type) ||
      (ints && (type.isInteger(32) || type.isInteger(64))))
    return success();
  return ctx.unsupported(what + " element type " + typeName(type) +
                         " is not supported (expected f16, bf16, f32, f64" +
                         (ints ? " or a 32/64-bit integer)" : ")"));
}

/// `x` reshaped to `shape` (no op when it already has it).
FailureOr<Value> reshape(NodeContext &ctx, Value x, ArrayRef<int64_t> shape) {
  RankedTensorType type = typeOf(x);
  if (type.getShape() == shape)
    return x;
  return ctx.makeTyped<ReshapeOp>(type.clone(shape), x);
}

/// The shape that makes a per-channel vector broadcast over dim 1 of an
/// N x C x D1..Dn tensor of `rank`: C x 1 x ... x 1.
SmallVector<int64_t> channelShape(int64_t channels, int64_t rank) {
  SmallVector<int64_t> shape(std::max<int64_t>(rank - 1, 1), 1);
  shape[0] = channels;
  return shape;
}

/// Input `i`, a per-channel parameter, arranged to broadcast against an
/// N x C x ... tensor of `rank` and converted to `elementType`. 1-D
/// parameters become C x 1 x ...; others (per-activation, C x D1 x ...) keep
/// their shape. Known values become constants of the final shape and type.
FailureOr<Value> channelParam(NodeContext &ctx, unsigned i, int64_t rank,
                              Type elementType) {
  Value param = ctx.input(i);
  ArrayRef<int64_t> shape = typeOf(param).getShape();
  SmallVector<int64_t> target(shape);
  if (shape.size() == 1)
    target = channelShape(shape[0], rank);
  const HostTensor *known = ctx.knownInput(i);
  if (known && known->isFloat() && isa<FloatType>(elementType)) {
    HostTensor value = *known;
    value.shape = target;
    value.elementType = elementType;
    return ctx.constant(value);
  }
  FailureOr<Value> reshaped = reshape(ctx, param, target);
  if (failed(reshaped))
    return failure();
  return castTo(ctx, *reshaped, elementType);
}

//===----------------------------------------------------------------------===//
// MatMul and Gemm
//===----------------------------------------------------------------------===//

LogicalResult importMatMul(NodeContext &ctx) {
  Value lhs = ctx.input(0), rhs = ctx.input(1);
  if (failed(checkElementType(ctx, lhs, "A", /*ints=*/true)))
    return failure();
  int64_t lhsRank = typeOf(lhs).getRank(), rhsRank = typeOf(rhs).getRank();
  if (lhsRank == 0 || rhsRank == 0)
    return ctx.unsupported("MatMul operands must have rank >= 1, got shapes " +
                           formatShape(typeOf(lhs).getShape()) + " and " +
                           formatShape(typeOf(rhs).getShape()));
  int64_t lhsK = typeOf(lhs).getShape().back();
  int64_t rhsK = typeOf(rhs).getDimSize(rhsRank == 1 ? 0 : rhsRank - 2);
  if (lhsK != rhsK)
    return ctx.unsupported(
        "MatMul contraction dims differ: A " +
        formatShape(typeOf(lhs).getShape()) + " has K=" + Twine(lhsK) + ", B " +
        formatShape(typeOf(rhs).getShape()) + " has K=" + Twine(rhsK));
  // numpy: a 1-D lhs is a row [1, K], a 1-D rhs a column [K, 1]; the dims
  // added for them are dropped from the result.
  FailureOr<Value> a = lhsRank == 1
                           ? reshape(ctx, lhs, {1, typeOf(lhs).getDimSize(0)})
                           : FailureOr<Value>(lhs);
  FailureOr<Value> b = rhsRank == 1
                           ? reshape(ctx, rhs, {typeOf(rhs).getDimSize(0), 1})
                           : FailureOr<Value>(rhs);
  if (failed(a) || failed(b))
    return failure();
  FailureOr<Value> product = ctx.make<MatmulOp>(*a, *b, Value(), false, false);
  if (failed(product) || (lhsRank > 1 && rhsRank > 1))
    return bind(ctx, product);
  SmallVector<int64_t> shape(typeOf(*product).getShape());
  if (rhsRank == 1)
    shape.pop_back();
  if (lhsRank == 1)
    shape.erase(shape.end() - (rhsRank == 1 ? 1 : 2));
  return bind(ctx, reshape(ctx, *product, shape));
}

/// `factor * input(i)`: folded on the host when the input is known.
FailureOr<Value> scaledInput(NodeContext &ctx, unsigned i, double factor) {
  Value value = ctx.input(i);
  if (factor == 1.0)
    return value;
  if (const HostTensor *known = ctx.knownInput(i))
    return ctx.constant(
        HostTensor::generate(known->elementType, known->shape, [&](int64_t k) {
          return factor * known->asDouble(k);
        }));
  return ctx.make<MulOp>(value, ctx.scalar(elementTypeOf(value), factor));
}

LogicalResult importGemm(NodeContext &ctx) {
  Value a = ctx.input(0), b = ctx.input(1);
  if (failed(checkElementType(ctx, a, "A", /*ints=*/true)))
    return failure();
  if (typeOf(a).getRank() != 2 || typeOf(b).getRank() != 2)
    return ctx.unsupported("Gemm needs 2-D A and B, got shapes " +
                           formatShape(typeOf(a).getShape()) + " and " +
                           formatShape(typeOf(b).getShape()));
  double alpha = ctx.floatAttr("alpha", 1.0), beta = ctx.floatAttr("beta", 1.0);
  Type elementType = elementTypeOf(a);
  if (isa<IntegerType>(elementType) &&
      (alpha != std::trunc(alpha) || beta != std::trunc(beta)))
    return ctx.unsupported("alpha " + numberText(alpha) + " and beta " +
                           numberText(beta) + " must be whole numbers for a " +
                           typeName(elementType) + " Gemm");
  bool transA = ctx.intAttr("transA", 0) != 0;
  bool transB = ctx.intAttr("transB", 0) != 0;
  // C is skipped when beta is 0, as ONNX Runtime does.
  Value c;
  if (ctx.hasInput(2) && beta != 0.0) {
    FailureOr<Value> scaled = scaledInput(ctx, 2, beta);
    if (failed(scaled))
      return failure();
    c = *scaled;
  }
  if (alpha == 1.0)
    return bind(ctx, ctx.make<MatmulOp>(a, b, c, transA, transB));
  FailureOr<Value> product = ctx.make<MatmulOp>(a, b, Value(), transA, transB);
  if (failed(product))
    return failure();
  FailureOr<Value> scaled =
      ctx.make<MulOp>(*product, ctx.scalar(elementType, alpha));
  if (failed(scaled) || !c)
    return bind(ctx, scaled);
  return bind(ctx, ctx.make<AddOp>(*scaled, c));
}

//===----------------------------------------------------------------------===//
// Window attributes: kernel, strides, dilations, pads, auto_pad
//===----------------------------------------------------------------------===//

enum class AutoPad { NotSet, SameUpper, SameLower, Valid };

struct Window {
  SmallVector<int64_t> kernel, strides, dilations;
  /// Begins of every spatial dim, then ends.
  SmallVector<int64_t> pads;
  AutoPad autoPad = AutoPad::NotSet;
};

/// An ints attribute with `count` entries, each >= `minValue`, or `count`
/// copies of `fill` when it is absent.
FailureOr<SmallVector<int64_t>> readInts(NodeContext &ctx, StringRef name,
                                         size_t count, int64_t fill,
                                         int64_t minValue) {
  std::optional<SmallVector<int64_t>> values = ctx.intsAttr(name);
  if (!values)
    return SmallVector<int64_t>(count, fill);
  if (values->size() != count) {
    (void)ctx.unsupported(name + " " + listText(*values) + " has " +
                          Twine(values->size()) + " entries, expected " +
                          Twine(count));
    return failure();
  }
  if (llvm::any_of(*values, [&](int64_t v) { return v < minValue; })) {
    (void)ctx.unsupported(name + " " + listText(*values) + " must be " +
                          (minValue > 0 ? "positive" : "non-negative"));
    return failure();
  }
  return *values;
}

FailureOr<AutoPad> readAutoPad(NodeContext &ctx) {
  std::string mode = ctx.stringAttr("auto_pad", "NOTSET");
  if (mode == "NOTSET")
    return AutoPad::NotSet;
  if (mode == "SAME_UPPER")
    return AutoPad::SameUpper;
  if (mode == "SAME_LOWER")
    return AutoPad::SameLower;
  if (mode == "VALID")
    return AutoPad::Valid;
  (void)ctx.unsupported("auto_pad '" + mode +
                        "' is not one of NOTSET, "
                        "SAME_UPPER, SAME_LOWER or VALID");
  return failure();
}

/// Reads strides, dilations and auto_pad of a window op with `kernel`
/// (pads are resolved separately).
FailureOr<Window> readWindow(NodeContext &ctx, ArrayRef<int64_t> kernel) {
  Window window;
  window.kernel.assign(kernel.begin(), kernel.end());
  size_t n = kernel.size();
  FailureOr<SmallVector<int64_t>> strides = readInts(ctx, "strides", n, 1, 1);
  if (failed(strides))
    return failure();
  FailureOr<SmallVector<int64_t>> dilations =
      readInts(ctx, "dilations", n, 1, 1);
  if (failed(dilations))
    return failure();
  FailureOr<AutoPad> autoPad = readAutoPad(ctx);
  if (failed(autoPad))
    return failure();
  window.strides = *strides;
  window.dilations = *dilations;
  window.autoPad = *autoPad;
  return window;
}

/// Explicit pads of a conv or pool over `spatial` input dims: the pads
/// attribute (NOTSET), zeros (VALID), or for SAME_* the total that makes the
/// output ceil(size / stride), split evenly with the odd element at the end
/// (SAME_UPPER) or the beginning (SAME_LOWER). As ONNX Runtime does, pads
/// given together with auto_pad are ignored.
LogicalResult resolvePads(NodeContext &ctx, ArrayRef<int64_t> spatial,
                          Window &window) {
  size_t n = spatial.size();
  if (window.autoPad == AutoPad::NotSet) {
    FailureOr<SmallVector<int64_t>> pads = readInts(ctx, "pads", 2 * n, 0, 0);
    if (failed(pads))
      return failure();
    window.pads = *pads;
    return success();
  }
  window.pads.assign(2 * n, 0);
  if (window.autoPad == AutoPad::Valid)
    return success();
  for (size_t d = 0; d < n; ++d) {
    int64_t stride = window.strides[d];
    int64_t out = (spatial[d] + stride - 1) / stride;
    int64_t span = (window.kernel[d] - 1) * window.dilations[d] + 1;
    int64_t total =
        std::max<int64_t>(0, (out - 1) * stride + span - spatial[d]);
    int64_t small = total / 2, large = total - small;
    bool upper = window.autoPad == AutoPad::SameUpper;
    window.pads[d] = upper ? small : large;
    window.pads[d + n] = upper ? large : small;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Conv and ConvTranspose
//===----------------------------------------------------------------------===//

/// Checks X (N x C x spatial...) and W (of the same rank) of a convolution
/// and returns the kernel: W's spatial dims, which `kernel_shape` must match.
FailureOr<SmallVector<int64_t>> convKernel(NodeContext &ctx) {
  Value x = ctx.input(0), w = ctx.input(1);
  if (failed(checkElementType(ctx, x, "X")))
    return failure();
  RankedTensorType xType = typeOf(x), wType = typeOf(w);
  if (xType.getRank() < 3 || wType.getRank() != xType.getRank()) {
    (void)ctx.unsupported(ctx.opType() +
                          " needs X of rank >= 3 (N x C x "
                          "spatial...) and W of the same rank, got shapes " +
                          formatShape(xType.getShape()) + " and " +
                          formatShape(wType.getShape()));
    return failure();
  }
  SmallVector<int64_t> kernel(wType.getShape().drop_front(2));
  std::optional<SmallVector<int64_t>> attr = ctx.intsAttr("kernel_shape");
  if (attr && *attr != kernel) {
    (void)ctx.unsupported("kernel_shape " + listText(*attr) +
                          " differs from the spatial dims " + listText(kernel) +
                          " of W");
    return failure();
  }
  if (ctx.intAttr("group", 1) <= 0) {
    (void)ctx.unsupported("group " + Twine(ctx.intAttr("group", 1)) +
                          " must be positive");
    return failure();
  }
  return kernel;
}

Value optionalInput(NodeContext &ctx, unsigned i) {
  return ctx.hasInput(i) ? ctx.input(i) : Value();
}

LogicalResult importConv(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> kernel = convKernel(ctx);
  if (failed(kernel))
    return failure();
  FailureOr<Window> window = readWindow(ctx, *kernel);
  ArrayRef<int64_t> spatial = ctx.inputType(0).getShape().drop_front(2);
  if (failed(window) || failed(resolvePads(ctx, spatial, *window)))
    return failure();
  return bind(ctx, ctx.make<ConvOp>(ctx.input(0), ctx.input(1),
                                    optionalInput(ctx, 2), window->strides,
                                    window->dilations, window->pads,
                                    uint64_t(ctx.intAttr("group", 1))));
}

/// Pads of a ConvTranspose whose output size is given (output_shape) or
/// implied (SAME_*: size * stride). The full output size minus the wanted
/// one is split as ONNX defines: SAME_UPPER puts the odd element at the end,
/// otherwise at the beginning. A negative end (the wanted output is larger)
/// becomes output_padding; a negative beginning cannot be expressed.
LogicalResult resolveTransposePads(NodeContext &ctx, ArrayRef<int64_t> spatial,
                                   Window &window,
                                   SmallVector<int64_t> &outputPadding) {
  size_t n = spatial.size();
  std::optional<SmallVector<int64_t>> wanted = ctx.intsAttr("output_shape");
  if (!wanted && window.autoPad != AutoPad::SameUpper &&
      window.autoPad != AutoPad::SameLower)
    return resolvePads(ctx, spatial, window);
  if (wanted && wanted->size() == n + 2)
    wanted->erase(wanted->begin(), wanted->begin() + 2);
  if (wanted && wanted->size() != n)
    return ctx.unsupported("output_shape " + listText(*wanted) + " needs " +
                           Twine(n) + " entries (one per spatial dim)");
  window.pads.assign(2 * n, 0);
  for (size_t d = 0; d < n; ++d) {
    int64_t out = wanted ? (*wanted)[d] : spatial[d] * window.strides[d];
    int64_t full = window.strides[d] * (spatial[d] - 1) + outputPadding[d] +
                   (window.kernel[d] - 1) * window.dilations[d] + 1;
    int64_t total = full - out;
    int64_t half = llvm::divideFloorSigned(total, int64_t(2));
    int64_t begin = window.autoPad == AutoPad::SameUpper ? half : total - half;
    int64_t end = total - begin;
    if (begin < 0)
      return ctx.unsupported("output size " + Twine(out) + " of spatial dim " +
                             Twine(d) + " exceeds the full size " +
                             Twine(full) +
                             " by more than the end padding "
                             "can absorb (it needs padding before the data)");
    if (end < 0)
      outputPadding[d] -= end;
    window.pads[d] = begin;
    window.pads[d + n] = std::max<int64_t>(end, 0);
  }
  return success();
}

LogicalResult importConvTranspose(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> kernel = convKernel(ctx);
  if (failed(kernel))
    return failure();
  FailureOr<Window> window = readWindow(ctx, *kernel);
  if (failed(window))
    return failure();
  FailureOr<SmallVector<int64_t>> outputPadding =
      readInts(ctx, "output_padding", kernel->size(), 0, 0);
  ArrayRef<int64_t> spatial = ctx.inputType(0).getShape().drop_front(2);
  if (failed(outputPadding) ||
      failed(resolveTransposePads(ctx, spatial, *window, *outputPadding)))
    return failure();
  return bind(ctx, ctx.make<ConvTransposeOp>(
                       ctx.input(0), ctx.input(1), optionalInput(ctx, 2),
                       window->strides, window->dilations, window->pads,
                       *outputPadding, uint64_t(ctx.intAttr("group", 1))));
}

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

/// Fails unless every present input from `first` on holds floats.
LogicalResult checkFloatInputs(NodeContext &ctx, unsigned first) {
  for (unsigned i = first; i < ctx.numInputs(); ++i)
    if (ctx.hasInput(i) &&
        failed(checkElementType(ctx, ctx.input(i), "input " + Twine(i).str())))
      return failure();
  return success();
}

/// Fails if any output from 1 on is used: those exist in training only.
LogicalResult checkOnlyFirstOutput(NodeContext &ctx, StringRef why) {
  for (unsigned i = 1; i < ctx.numOutputs(); ++i)
    if (ctx.hasOutput(i))
      return ctx.unsupported("output " + Twine(i) + " ('" +
                             ctx.node().output(i) + "') is requested; " + why);
  return success();
}

/// BatchNormalization as y = x * multiplier + offset with
/// multiplier = scale / sqrt(var + epsilon), offset = B - mean * multiplier,
/// both arranged as C x 1 x ... to broadcast over X.
struct AffineParams {
  Value multiplier, offset;
};

/// The parameters evaluated on the host, when all four are known.
std::optional<AffineParams> foldBatchNormParams(NodeContext &ctx,
                                                double epsilon, int64_t rank) {
  const HostTensor *scale = ctx.knownInput(1), *bias = ctx.knownInput(2),
                   *mean = ctx.knownInput(3), *var = ctx.knownInput(4);
  if (!scale || !bias || !mean || !var)
    return std::nullopt;
  Type elementType = elementTypeOf(ctx.input(0));
  auto noInts = [](ArrayRef<int64_t>) -> int64_t { return 0; };
  std::optional<HostTensor> multiplier = hostElementwise(
      {scale, var}, elementType,
      [&](ArrayRef<double> v) { return v[0] / std::sqrt(v[1] + epsilon); },
      noInts);
  if (!multiplier)
    return std::nullopt;
  std::optional<HostTensor> offset = hostElementwise(
      {bias, mean, &*multiplier}, elementType,
      [](ArrayRef<double> v) { return v[0] - v[1] * v[2]; }, noInts);
  if (!offset)
    return std::nullopt;
  for (HostTensor *t : {&*multiplier, &*offset})
    if (t->shape.size() == 1)
      t->shape = channelShape(t->shape[0], rank);
  return AffineParams{ctx.constant(*multiplier), ctx.constant(*offset)};
}

/// The same parameters computed by ops.
FailureOr<AffineParams> buildBatchNormParams(NodeContext &ctx, double epsilon,
                                             int64_t rank) {
  Type elementType = elementTypeOf(ctx.input(0));
  SmallVector<Value, 4> params;
  for (unsigned i = 1; i <= 4; ++i) {
    FailureOr<Value> param = channelParam(ctx, i, rank, elementType);
    if (failed(param))
      return failure();
    params.push_back(*param);
  }
  Value scale = params[0], bias = params[1], mean = params[2], var = params[3];
  FailureOr<Value> shifted =
      ctx.make<AddOp>(var, ctx.scalar(elementType, epsilon));
  if (failed(shifted))
    return failure();
  FailureOr<Value> inv = ctx.make<RsqrtOp>(*shifted);
  if (failed(inv))
    return failure();
  FailureOr<Value> multiplier = ctx.make<MulOp>(scale, *inv);
  if (failed(multiplier))
    return failure();
  FailureOr<Value> centered = ctx.make<MulOp>(mean, *multiplier);
  if (failed(centered))
    return failure();
  FailureOr<Value> offset = ctx.make<SubOp>(bias, *centered);
  if (failed(offset))
    return failure();
  return AffineParams{*multiplier, *offset};
}

LogicalResult importBatchNorm(NodeContext &ctx) {
  if (ctx.intAttr("training_mode", 0) != 0)
    return ctx.unsupported("training_mode=1 is not supported: "
                           "BatchNormalization imports for inference only");
  if (failed(checkOnlyFirstOutput(
          ctx, "BatchNormalization imports for inference only, where only "
               "Y is produced")) ||
      failed(checkElementType(ctx, ctx.input(0), "X")) ||
      failed(checkFloatInputs(ctx, 1)))
    return failure();
  int64_t rank = ctx.inputType(0).getRank();
  if (rank < 2)
    return ctx.unsupported("BatchNormalization needs X of rank >= 2 (N x C "
                           "x ...), got shape " +
                           formatShape(ctx.inputType(0).getShape()));
  double epsilon = ctx.floatAttr("epsilon", 1e-5);
  FailureOr<AffineParams> params;
  if (std::optional<AffineParams> folded =
          foldBatchNormParams(ctx, epsilon, rank))
    params = *folded;
  else
    params = buildBatchNormParams(ctx, epsilon, rank);
  if (failed(params))
    return failure();
  FailureOr<Value> scaled = ctx.make<MulOp>(ctx.input(0), params->multiplier);
  if (failed(scaled))
    return failure();
  return bind(ctx, ctx.make<AddOp>(*scaled, params->offset));
}

LogicalResult importInstanceNorm(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (failed(checkElementType(ctx, x, "input")) ||
      failed(checkFloatInputs(ctx, 1)))
    return failure();
  int64_t rank = typeOf(x).getRank();
  if (rank < 3)
    return ctx.unsupported("InstanceNormalization needs input of rank >= 3 "
                           "(N x C x spatial...), got shape " +
                           formatShape(typeOf(x).getShape()));
  // Normalize each (n, c) over the spatial dims, then scale and shift per
  // channel.
  FailureOr<Value> normalized =
      ctx.make<LayerNormOp>(x, Value(), Value(), uint64_t(2),
                            llvm::APFloat(ctx.floatAttr("epsilon", 1e-5)));
  if (failed(normalized))
    return failure();
  FailureOr<Value> scale = channelParam(ctx, 1, rank, elementTypeOf(x));
  FailureOr<Value> bias = channelParam(ctx, 2, rank, elementTypeOf(x));
  if (failed(scale) || failed(bias))
    return failure();
  FailureOr<Value> scaled = ctx.make<MulOp>(*normalized, *scale);
  if (failed(scaled))
    return failure();
  return bind(ctx, ctx.make<AddOp>(*scaled, *bias));
}

/// Applies LayerNormalization's Scale and B with broadcasting ops, after
/// checking that they do not grow the input's shape.
FailureOr<Value> applyScaleBias(NodeContext &ctx, Value y) {
  ArrayRef<int64_t> shape = typeOf(ctx.input(0)).getShape();
  for (unsigned i : {1u, 2u}) {
    if (!ctx.hasInput(i))
      continue;
    ArrayRef<int64_t> paramShape = ctx.inputType(i).getShape();
    if (!isBroadcastableTo(paramShape, shape)) {
      (void)ctx.unsupported(StringRef(i == 1 ? "Scale" : "B") + " shape " +
                            formatShape(paramShape) +
                            " does not broadcast to the input shape " +
                            formatShape(shape));
      return failure();
    }
    FailureOr<Value> next = i == 1 ? ctx.make<MulOp>(y, ctx.input(i))
                                   : ctx.make<AddOp>(y, ctx.input(i));
    if (failed(next))
      return failure();
    y = *next;
  }
  return y;
}

/// LayerNormalization's optional outputs, in stash_type over the normalized
/// dims with keepdims: Mean and InvStdDev = 1 / sqrt(Var + epsilon).
LogicalResult bindLayerNormStatistics(NodeContext &ctx, Value x,
                                      Type stashType, int64_t axis,
                                      double epsilon) {
  if (!ctx.hasOutput(1) && !ctx.hasOutput(2))
    return success();
  RankedTensorType type = typeOf(x);
  FailureOr<Value> input = castTo(ctx, x, stashType);
  if (failed(input))
    return failure();
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < type.getRank(); ++d)
    axes.push_back(d);
  auto axesAttr = ctx.builder().getDenseI64ArrayAttr(axes);
  FailureOr<Value> mean =
      ctx.make<ReduceOp>(ReduceKind::mean, *input, axesAttr, true);
  if (failed(mean))
    return failure();
  ctx.setOutput(1, *mean);
  if (!ctx.hasOutput(2))
    return success();
  FailureOr<Value> centered = ctx.make<SubOp>(*input, *mean);
  if (failed(centered))
    return failure();
  FailureOr<Value> squared = ctx.make<MulOp>(*centered, *centered);
  if (failed(squared))
    return failure();
  FailureOr<Value> variance =
      ctx.make<ReduceOp>(ReduceKind::mean, *squared, axesAttr, true);
  if (failed(variance))
    return failure();
  FailureOr<Value> shifted =
      ctx.make<AddOp>(*variance, ctx.scalar(stashType, epsilon));
  if (failed(shifted))
    return failure();
  FailureOr<Value> invStdDev = ctx.make<RsqrtOp>(*shifted);
  if (failed(invStdDev))
    return failure();
  ctx.setOutput(2, *invStdDev);
  return success();
}

LogicalResult importLayerNorm(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (failed(checkElementType(ctx, x, "X")) || failed(checkFloatInputs(ctx, 1)))
    return failure();
  RankedTensorType type = typeOf(x);
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  int64_t stash = ctx.intAttr("stash_type", 1);
  Type stashType = convertDataType(stash, ctx.context());
  if (!stashType || !isa<FloatType>(stashType))
    return ctx.unsupported("stash_type " + Twine(stash) + " (" +
                           dataTypeName(stash) + ") is not a float type");
  llvm::APFloat epsilon(ctx.floatAttr("epsilon", 1e-5));
  if (failed(bindLayerNormStatistics(ctx, x, stashType, *axis,
                                     epsilon.convertToDouble())))
    return failure();
  ArrayRef<int64_t> normalizedShape = type.getShape().drop_front(*axis);
  auto exact = [&](unsigned i) {
    return !ctx.hasInput(i) || ctx.inputType(i).getShape() == normalizedShape;
  };
  Value bias = optionalInput(ctx, 2);
  if (stashType == type.getElementType() && exact(1) && exact(2))
    return bind(ctx, ctx.make<LayerNormOp>(x, ctx.input(1), bias,
                                           uint64_t(*axis), epsilon));
  // As ONNX's function body: normalize in stash_type, convert back, then
  // apply Scale and B in X's type with broadcasting.
  FailureOr<Value> input = castTo(ctx, x, stashType);
  if (failed(input))
    return failure();
  FailureOr<Value> normalized =
      ctx.make<LayerNormOp>(*input, Value(), Value(), uint64_t(*axis), epsilon);
  if (failed(normalized))
    return failure();
  FailureOr<Value> back = castTo(ctx, *normalized, type.getElementType());
  if (failed(back))
    return failure();
  return bind(ctx, applyScaleBias(ctx, *back));
}

//===----------------------------------------------------------------------===//
// Pools
//===----------------------------------------------------------------------===//

LogicalResult importPool(NodeContext &ctx, PoolKind kind) {
  Value x = ctx.input(0);
  // 8-bit MaxPool runs in f32 and converts back: exact, since the maximum
  // is one of the inputs.
  Type integerType;
  if (auto intType = dyn_cast<IntegerType>(typeOf(x).getElementType());
      intType && kind == PoolKind::max && intType.getWidth() == 8) {
    integerType = intType;
    FailureOr<Value> widened =
        castTo(ctx, x, Float32Type::get(ctx.context()));
    if (failed(widened))
      return failure();
    x = *widened;
  }
  if (failed(checkElementType(ctx, x, "X")))
    return failure();
  RankedTensorType type = typeOf(x);
  if (type.getRank() < 3)
    return ctx.unsupported(ctx.opType() +
                           " needs X of rank >= 3 (N x C x "
                           "spatial...), got shape " +
                           formatShape(type.getShape()));
  size_t n = type.getRank() - 2;
  if (!ctx.hasAttr("kernel_shape"))
    return ctx.unsupported("kernel_shape is required");
  FailureOr<SmallVector<int64_t>> kernel =
      readInts(ctx, "kernel_shape", n, 1, 1);
  if (failed(kernel))
    return failure();
  FailureOr<Window> window = readWindow(ctx, *kernel);
  ArrayRef<int64_t> spatial = type.getShape().drop_front(2);
  if (failed(window) || failed(resolvePads(ctx, spatial, *window)))
    return failure();
  // With auto_pad the output size is fixed by the mode (ONNX's formulas for
  // VALID and SAME_* do not depend on ceil_mode).
  bool ceilMode =
      ctx.intAttr("ceil_mode", 0) != 0 && window->autoPad == AutoPad::NotSet;
  bool countIncludePad =
      kind == PoolKind::avg && ctx.intAttr("count_include_pad", 0) != 0;
  FailureOr<Value> pooled =
      ctx.make<PoolOp>(kind, x, window->kernel, window->strides,
                       window->dilations, window->pads, ceilMode,
                       countIncludePad);
  if (failed(pooled) || !integerType)
    return bind(ctx, pooled);
  return bind(ctx, castTo(ctx, *pooled, integerType));
}

LogicalResult importMaxPool(NodeContext &ctx) {
  if (ctx.hasOutput(1))
    return ctx.unsupported("output 1 (Indices) is requested; MaxPool imports "
                           "only Y");
  int64_t storageOrder = ctx.intAttr("storage_order", 0);
  if (storageOrder != 0 && storageOrder != 1)
    return ctx.unsupported("storage_order " + Twine(storageOrder) +
                           " is not 0 (row major) or 1 (column major)");
  return importPool(ctx, PoolKind::max);
}

LogicalResult importAveragePool(NodeContext &ctx) {
  return importPool(ctx, PoolKind::avg);
}

/// GlobalAveragePool and GlobalMaxPool: a reduction over the spatial dims
/// that keeps them as size 1.
template <ReduceKind Kind> LogicalResult importGlobalPool(NodeContext &ctx) {
  Value x = ctx.input(0);
  if (failed(checkElementType(ctx, x, "X")))
    return failure();
  int64_t rank = typeOf(x).getRank();
  if (rank < 2)
    return ctx.unsupported(ctx.opType() +
                           " needs X of rank >= 2 (N x C x "
                           "spatial...), got shape " +
                           formatShape(typeOf(x).getShape()));
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  return bind(ctx, ctx.make<ReduceOp>(Kind, x, axes, /*keep_dims=*/true));
}

//===----------------------------------------------------------------------===//
// Softmax, LogSoftmax, Hardmax
//===----------------------------------------------------------------------===//

using AxisFn = llvm::function_ref<FailureOr<Value>(Value, int64_t)>;

/// Applies `fn(value, axis)` along the softmax family's `axis`. From opset 13
/// that is one axis (default -1). Before, the input is coerced to 2-D
/// [prod(shape[:axis]), prod(shape[axis:])] (default axis 1), `fn` runs on
/// dim 1 and the result is reshaped back; for the last axis that is the
/// same as running on it directly.
LogicalResult alongAxis(NodeContext &ctx, AxisFn fn) {
  Value x = ctx.input(0);
  if (failed(checkElementType(ctx, x, "input")))
    return failure();
  ArrayRef<int64_t> shape = typeOf(x).getShape();
  int64_t rank = shape.size();
  bool coerce = ctx.opset() < 13;
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", coerce ? 1 : -1), rank);
  if (failed(axis))
    return failure();
  if (!coerce || *axis == rank - 1)
    return bind(ctx, fn(x, *axis));
  SmallVector<int64_t> flat = {numElementsOf(shape.take_front(*axis)),
                               numElementsOf(shape.drop_front(*axis))};
  FailureOr<Value> matrix = reshape(ctx, x, flat);
  if (failed(matrix))
    return failure();
  FailureOr<Value> result = fn(*matrix, 1);
  if (failed(result))
    return failure();
  return bind(ctx, reshape(ctx, *result, shape));
}

template <bool Log> LogicalResult importSoftmax(NodeContext &ctx) {
  return alongAxis(ctx, [&](Value x, int64_t axis) {
    return ctx.make<SoftmaxOp>(x, uint64_t(axis), Log);
  });
}

/// One-hot of the first maximum along `axis`: the arg max compared with a
/// constant iota along that axis, converted to the input's type.
FailureOr<Value> hardmax(NodeContext &ctx, Value x, int64_t axis) {
  RankedTensorType type = typeOf(x);
  FailureOr<Value> index =
      ctx.make<ArgReduceOp>(ArgReduceKind::max, x, uint64_t(axis),
                            /*keep_dims=*/true, /*select_last_index=*/false);
  if (failed(index))
    return failure();
  SmallVector<int64_t> iotaShape(type.getRank(), 1);
  iotaShape[axis] = type.getDimSize(axis);
  Value iota =
      ctx.constant(HostTensor::generate(ctx.builder().getI64Type(), iotaShape,
                                        [](int64_t i) { return double(i); }));
  FailureOr<Value> hot = ctx.make<CompareOp>(CompareKind::eq, *index, iota);
  if (failed(hot))
    return failure();
  return ctx.makeTyped<CastOp>(type, *hot);
}

LogicalResult importHardmax(NodeContext &ctx) {
  return alongAxis(
      ctx, [&](Value x, int64_t axis) { return hardmax(ctx, x, axis); });
}

//===----------------------------------------------------------------------===//
// Dropout and Flatten
//===----------------------------------------------------------------------===//

/// Inference Dropout is the identity; its mask keeps everything.
LogicalResult importDropout(NodeContext &ctx) {
  if (ctx.hasInput(2)) {
    const HostTensor *training = ctx.knownInput(2);
    if (!training)
      return ctx.unsupported("training_mode is not known at import time; "
                             "Dropout imports for inference only");
    if (llvm::any_of(training->toInts(), [](int64_t v) { return v != 0; }))
      return ctx.unsupported("training_mode is true: Dropout imports for "
                             "inference only");
  }
  if (ctx.hasOutput(1)) {
    // The mask is bool from opset 10, the input's type before.
    RankedTensorType type = ctx.inputType(0);
    Type maskElement = ctx.opset() >= 10 ? Type(ctx.builder().getI1Type())
                                         : type.getElementType();
    RankedTensorType maskType = type.clone(maskElement);
    Attribute one = isa<FloatType>(maskElement)
                        ? Attribute(FloatAttr::get(maskElement, 1.0))
                        : Attribute(IntegerAttr::get(maskElement, 1));
    ctx.setOutput(1, ConstantOp::create(ctx.builder(), ctx.loc(), maskType,
                                        DenseElementsAttr::get(maskType, one)));
  }
  if (const HostTensor *known = ctx.knownInput(0))
    ctx.setOutputConstant(0, *known);
  else
    ctx.setOutput(0, ctx.input(0));
  return success();
}

LogicalResult importFlatten(NodeContext &ctx) {
  Value x = ctx.input(0);
  ArrayRef<int64_t> shape = typeOf(x).getShape();
  int64_t rank = shape.size(), axis = ctx.intAttr("axis", 1);
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized > rank)
    return ctx.unsupported("axis " + Twine(axis) + " is out of range [" +
                           Twine(-rank) + ", " + Twine(rank) + "] for rank " +
                           Twine(rank));
  SmallVector<int64_t> flat = {numElementsOf(shape.take_front(normalized)),
                               numElementsOf(shape.drop_front(normalized))};
  if (const HostTensor *known = ctx.knownInput(0)) {
    HostTensor value = *known;
    value.shape = flat;
    ctx.setOutputConstant(0, std::move(value));
    return success();
  }
  return bind(ctx, reshape(ctx, x, flat));
}

} // namespace

void registerNNHandlers(HandlerTable &table) {
  table["MatMul"] = checked<importMatMul, 2>;
  table["Gemm"] = checked<importGemm, 2>;
  table["Conv"] = checked<importConv, 2>;
  table["ConvTranspose"] = checked<importConvTranspose, 2>;
  table["BatchNormalization"] = checked<importBatchNorm, 5>;
  table["InstanceNormalization"] = checked<importInstanceNorm, 3>;
  table["LayerNormalization"] = checked<importLayerNorm, 2>;
  table["MaxPool"] = checked<importMaxPool, 1>;
  table["AveragePool"] = checked<importAveragePool, 1>;
  table["GlobalAveragePool"] = checked<importGlobalPool<ReduceKind::mean>, 1>;
  table["GlobalMaxPool"] = checked<importGlobalPool<ReduceKind::max>, 1>;
  table["Softmax"] = checked<importSoftmax<false>, 1>;
  table["LogSoftmax"] = checked<importSoftmax<true>, 1>;
  table["Hardmax"] = checked<importHardmax, 1>;
  table["Dropout"] = checked<importDropout, 1>;
  table["Flatten"] = checked<importFlatten, 1>;
}

} // namespace mlir::autoglm::onnx_import
