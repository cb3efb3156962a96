//===- NNOps.cpp - ag NN ops: matmul, conv, pool, reduce, topk, norms -----===//

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

using namespace mlir;
using namespace mlir::autoglm;

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

/// Result shape of `matmul(lhs, rhs)` with optional transposes, or an error.
static FailureOr<SmallVector<int64_t>>
inferMatmulShape(std::optional<Location> loc, RankedTensorType lhs,
                 RankedTensorType rhs, bool transposeLhs, bool transposeRhs) {
  if (lhs.getRank() < 2 || rhs.getRank() < 2) {
    (void)emitOptionalError(loc, "matmul operands need rank >= 2, got ",
                            formatShape(lhs.getShape()), " and ",
                            formatShape(rhs.getShape()));
    return failure();
  }
  ArrayRef<int64_t> l = lhs.getShape(), r = rhs.getShape();
  int64_t m = transposeLhs ? l.back() : l[l.size() - 2];
  int64_t lhsK = transposeLhs ? l[l.size() - 2] : l.back();
  int64_t rhsK = transposeRhs ? r.back() : r[r.size() - 2];
  int64_t n = transposeRhs ? r[r.size() - 2] : r.back();
  if (!dimsCompatible(lhsK, rhsK)) {
    (void)emitOptionalError(loc, "matmul contraction dims differ: lhs ",
                            formatShape(l), " has K=", lhsK, ", rhs ",
                            formatShape(r), " has K=", rhsK);
    return failure();
  }
  std::optional<SmallVector<int64_t>> batch =
      broadcastShapes(l.drop_back(2), r.drop_back(2));
  if (!batch) {
    (void)emitOptionalError(loc, "matmul batch dims of ", formatShape(l),
                            " and ", formatShape(r),
                            " are not broadcast-compatible");
    return failure();
  }
  batch->push_back(m);
  batch->push_back(n);
  return *batch;
}

LogicalResult MatmulOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  FailureOr<SmallVector<int64_t>> shape = inferMatmulShape(
      location, lhs, rhs, adaptor.getTransposeLhs(), adaptor.getTransposeRhs());
  if (failed(shape))
    return failure();
  inferred.push_back(RankedTensorType::get(*shape, lhs.getElementType()));
  return success();
}

/// Checks an optional bias against a matmul-like result.
static LogicalResult verifyBias(Operation *op, Value bias, ShapedType result) {
  if (!bias)
    return success();
  auto biasType = cast<RankedTensorType>(bias.getType());
  if (biasType.getElementType() != result.getElementType())
    return op->emitOpError("bias element type ")
           << biasType.getElementType() << " differs from result's "
           << result.getElementType();
  if (!isBroadcastableTo(biasType.getShape(), result.getShape()))
    return op->emitOpError("bias shape ")
           << formatShape(biasType.getShape())
           << " does not broadcast to the result shape "
           << formatShape(result.getShape());
  return success();
}

LogicalResult MatmulOp::verify() {
  // Mixed precision (ag-mixed-precision): an f32 lhs may read a bf16 / f16
  // weight; the product is computed with f32 accumulation.
  Type lhsElement = getLhs().getType().getElementType();
  Type rhsElement = getRhs().getType().getElementType();
  bool mixedPrecision =
      lhsElement.isF32() && (rhsElement.isBF16() || rhsElement.isF16());
  if (!mixedPrecision &&
      failed(verifySameElementTypes(*this, {getLhs(), getRhs()})))
    return failure();
  return verifyBias(*this, getBias(), getType());
}

//===----------------------------------------------------------------------===//
// ConvOp and PoolOp
//===----------------------------------------------------------------------===//

/// Output size of one spatial dim of a sliding window.
static int64_t windowOutputSize(int64_t size, int64_t kernel, int64_t stride,
                                int64_t dilation, int64_t padBegin,
                                int64_t padEnd, bool ceilMode) {
  if (ShapedType::isDynamic(size) || ShapedType::isDynamic(kernel))
    return ShapedType::kDynamic;
  int64_t span = size + padBegin + padEnd - dilation * (kernel - 1) - 1;
  if (span < 0)
    return 0;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  // As PyTorch and ONNX do: the last window must start inside the input or
  // the begin padding.
  if (ceilMode && (out - 1) * stride >= size + padBegin)
    --out;
  return out;
}

/// Checks strides, dilations and pads of an n-d window op.
static LogicalResult verifyWindowAttrs(std::optional<Location> loc,
                                       int64_t spatialRank,
                                       ArrayRef<int64_t> strides,
                                       ArrayRef<int64_t> dilations,
                                       ArrayRef<int64_t> pads) {
  if (int64_t(strides.size()) != spatialRank ||
      int64_t(dilations.size()) != spatialRank)
    return emitOptionalError(loc, "strides and dilations need ", spatialRank,
                             " entries (one per spatial dim), got ",
                             strides.size(), " and ", dilations.size());
  if (int64_t(pads.size()) != 2 * spatialRank)
    return emitOptionalError(loc, "pads need ", 2 * spatialRank,
                             " entries (begins then ends), got ", pads.size());
  if (llvm::any_of(strides, [](int64_t s) { return s <= 0; }) ||
      llvm::any_of(dilations, [](int64_t d) { return d <= 0; }))
    return emitOptionalError(loc, "strides and dilations must be positive");
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return emitOptionalError(loc, "pads must be non-negative");
  return success();
}

/// Checks what conv and conv_transpose share: ranks, window attributes and
/// groups.
static LogicalResult verifyConvCommon(std::optional<Location> loc,
                                      StringRef name, RankedTensorType input,
                                      RankedTensorType filter,
                                      ArrayRef<int64_t> strides,
                                      ArrayRef<int64_t> dilations,
                                      ArrayRef<int64_t> pads, int64_t groups) {
  int64_t rank = input.getRank();
  if (rank < 3 || filter.getRank() != rank)
    return emitOptionalError(loc, name, " needs input N x C x spatial... "
                             "and a filter of the same rank, got ",
                             formatShape(input.getShape()), " and ",
                             formatShape(filter.getShape()));
  if (failed(verifyWindowAttrs(loc, rank - 2, strides, dilations, pads)))
    return failure();
  if (groups <= 0)
    return emitOptionalError(loc, "groups must be positive, got ", groups);
  return success();
}

/// Checks the optional bias of a conv producing `channels` channels.
static LogicalResult verifyConvBias(std::optional<Location> loc, Value bias,
                                    int64_t channels) {
  if (!bias)
    return success();
  auto biasType = cast<RankedTensorType>(bias.getType());
  if (biasType.getRank() != 1 ||
      !dimsCompatible(biasType.getDimSize(0), channels))
    return emitOptionalError(loc, "bias must be 1-d of size ", channels,
                             ", got ", formatShape(biasType.getShape()));
  return success();
}

/// Input, filter and bias of a conv share one element type.
static LogicalResult verifyConvElementTypes(Operation *op, Value input,
                                            Value filter, Value bias) {
  SmallVector<Value, 3> values = {input, filter};
  if (bias)
    values.push_back(bias);
  return verifySameElementTypes(op, values);
}

LogicalResult ConvOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto filter = cast<RankedTensorType>(adaptor.getFilter().getType());
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    dilations = adaptor.getDilations(),
                    pads = adaptor.getPads();
  int64_t groups = adaptor.getGroups();
  if (failed(verifyConvCommon(location, "conv", input, filter, strides,
                              dilations, pads, groups)))
    return failure();
  int64_t spatialRank = input.getRank() - 2;
  int64_t channels = input.getDimSize(1), filters = filter.getDimSize(0);
  if (!ShapedType::isDynamic(channels) &&
      !dimsCompatible(filter.getDimSize(1) * groups, channels))
    return emitOptionalError(location, "input has ", channels,
                             " channels but the filter expects ",
                             filter.getDimSize(1), " x ", groups, " groups");
  if (!ShapedType::isDynamic(filters) && filters % groups != 0)
    return emitOptionalError(location, "filter count ", filters,
                             " is not divisible by groups ", groups);
  if (failed(verifyConvBias(location, adaptor.getBias(), filters)))
    return failure();
  SmallVector<int64_t> shape = {input.getDimSize(0), filters};
  for (int64_t d = 0; d < spatialRank; ++d) {
    int64_t out = windowOutputSize(input.getDimSize(d + 2),
                                   filter.getDimSize(d + 2), strides[d],
                                   dilations[d], pads[d],
                                   pads[d + spatialRank], /*ceilMode=*/false);
    if (out == 0)
      return emitOptionalError(location, "spatial dim ", d, " of size ",
                               input.getDimSize(d + 2),
                               " is smaller than the dilated kernel");
    shape.push_back(out);
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConvOp::verify() {
  return verifyConvElementTypes(*this, getInput(), getFilter(), getBias());
}

LogicalResult ConvTransposeOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto filter = cast<RankedTensorType>(adaptor.getFilter().getType());
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    dilations = adaptor.getDilations(),
                    pads = adaptor.getPads(),
                    outputPadding = adaptor.getOutputPadding();
  int64_t groups = adaptor.getGroups();
  if (failed(verifyConvCommon(location, "conv_transpose", input, filter,
                              strides, dilations, pads, groups)))
    return failure();
  int64_t spatialRank = input.getRank() - 2;
  if (int64_t(outputPadding.size()) != spatialRank)
    return emitOptionalError(location, "output_padding needs ", spatialRank,
                             " entries (one per spatial dim), got ",
                             outputPadding.size());
  if (llvm::any_of(outputPadding, [](int64_t p) { return p < 0; }))
    return emitOptionalError(location, "output_padding must be non-negative");
  // The filter is C x F/groups x K...: dim 0 matches the input channels.
  int64_t channels = input.getDimSize(1);
  if (!dimsCompatible(filter.getDimSize(0), channels))
    return emitOptionalError(location, "input has ", channels,
                             " channels but the filter ",
                             formatShape(filter.getShape()), " (C x F/groups "
                             "x K...) expects ", filter.getDimSize(0));
  if (ShapedType::isDynamic(channels))
    channels = filter.getDimSize(0);
  if (!ShapedType::isDynamic(channels) && channels % groups != 0)
    return emitOptionalError(location, "input channels ", channels,
                             " are not divisible by groups ", groups);
  int64_t filters = ShapedType::isDynamic(filter.getDimSize(1))
                        ? ShapedType::kDynamic
                        : filter.getDimSize(1) * groups;
  if (failed(verifyConvBias(location, adaptor.getBias(), filters)))
    return failure();
  SmallVector<int64_t> shape = {input.getDimSize(0), filters};
  for (int64_t d = 0; d < spatialRank; ++d) {
    int64_t size = input.getDimSize(d + 2), kernel = filter.getDimSize(d + 2);
    if (ShapedType::isDynamic(size) || ShapedType::isDynamic(kernel)) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t out = strides[d] * (size - 1) + outputPadding[d] +
                  (kernel - 1) * dilations[d] + 1 - pads[d] -
                  pads[d + spatialRank];
    if (out <= 0)
      return emitOptionalError(
          location, "spatial dim ", d, " of size ", size, " with kernel ",
          kernel, " gives output size ", out, " (stride ", strides[d],
          ", dilation ", dilations[d], ", output_padding ", outputPadding[d],
          ", pads ", pads[d], " and ", pads[d + spatialRank],
          "); it must be positive");
    shape.push_back(out);
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConvTransposeOp::verify() {
  return verifyConvElementTypes(*this, getInput(), getFilter(), getBias());
}

LogicalResult PoolOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t spatialRank = input.getRank() - 2;
  if (spatialRank < 1)
    return emitOptionalError(location, "pool needs input N x C x spatial..., "
                             "got ", formatShape(input.getShape()));
  ArrayRef<int64_t> kernel = adaptor.getKernel();
  if (int64_t(kernel.size()) != spatialRank)
    return emitOptionalError(location, "kernel needs ", spatialRank,
                             " entries, got ", kernel.size());
  if (llvm::any_of(kernel, [](int64_t k) { return k <= 0; }))
    return emitOptionalError(location, "kernel sizes must be positive");
  ArrayRef<int64_t> strides = adaptor.getStrides(),
                    dilations = adaptor.getDilations(),
                    pads = adaptor.getPads();
  if (failed(verifyWindowAttrs(location, spatialRank, strides, dilations,
                               pads)))
    return failure();
  SmallVector<int64_t> shape(input.getShape().take_front(2));
  for (int64_t d = 0; d < spatialRank; ++d) {
    if (pads[d] >= kernel[d] || pads[d + spatialRank] >= kernel[d])
      return emitOptionalError(location, "pads of spatial dim ", d,
                               " must be smaller than its kernel size ",
                               kernel[d]);
    int64_t out = windowOutputSize(input.getDimSize(d + 2), kernel[d],
                                   strides[d], dilations[d], pads[d],
                                   pads[d + spatialRank],
                                   adaptor.getCeilMode());
    if (out == 0)
      return emitOptionalError(location, "spatial dim ", d, " of size ",
                               input.getDimSize(d + 2),
                               " is smaller than the dilated kernel");
    shape.push_back(out);
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ReduceOp
//===----------------------------------------------------------------------===//

LogicalResult ReduceOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> axes = adaptor.getAxes();
  for (auto [i, axis] : llvm::enumerate(axes)) {
    if (axis < 0 || axis >= input.getRank())
      return emitOptionalError(location, "reduction axis ", axis,
                               " is out of range for rank ", input.getRank());
    if (i > 0 && axes[i - 1] >= axis)
      return emitOptionalError(location,
                               "reduction axes must be sorted and unique");
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < input.getRank(); ++d) {
    if (!llvm::is_contained(axes, d))
      shape.push_back(input.getDimSize(d));
    else if (adaptor.getKeepDims())
      shape.push_back(1);
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

OpFoldResult ReduceOp::fold(FoldAdaptor) {
  // Over no axes only the kinds without an elementwise part are identities
  // (sum_square, l1, l2 and log_sum still square, abs or log each element).
  ReduceKind kind = getKind();
  bool identity = kind == ReduceKind::sum || kind == ReduceKind::mean ||
                  kind == ReduceKind::max || kind == ReduceKind::min ||
                  kind == ReduceKind::prod || kind == ReduceKind::log_sum_exp;
  if (identity && getAxes().empty() && getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// ArgReduceOp, CumSumOp, TopKOp
//===----------------------------------------------------------------------===//

LogicalResult ArgReduceOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    ValueRange operands, DictionaryAttr attributes, OpaqueProperties properties,
    RegionRange regions, SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis();
  if (failed(verifyAxisInRange([&] { return emitOptionalDiag(location); },
                               axis, input.getShape())))
    return failure();
  SmallVector<int64_t> shape(input.getShape());
  if (adaptor.getKeepDims())
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
  inferred.push_back(
      RankedTensorType::get(shape, IntegerType::get(context, 64)));
  return success();
}

OpFoldResult ArgReduceOp::fold(FoldAdaptor) {
  // Over a single element every position is 0.
  auto type = getType();
  if (getInput().getType().getDimSize(getAxis()) == 1 && type.hasStaticShape())
    return SplatElementsAttr::get(type,
                                  IntegerAttr::get(type.getElementType(), 0));
  return {};
}

LogicalResult CumSumOp::verify() {
  return verifyAxisInRange([&] { return emitOpError(); }, getAxis(),
                           getInput().getType().getShape());
}

OpFoldResult CumSumOp::fold(FoldAdaptor) {
  // An inclusive sum over a single element is that element.
  if (!getExclusive() && getInput().getType().getDimSize(getAxis()) == 1)
    return getInput();
  return {};
}

LogicalResult TopKOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location,
    ValueRange operands, DictionaryAttr attributes, OpaqueProperties properties,
    RegionRange regions, SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  int64_t axis = adaptor.getAxis(), k = adaptor.getK();
  if (failed(verifyAxisInRange([&] { return emitOptionalDiag(location); },
                               axis, input.getShape())))
    return failure();
  if (k < 0)
    return emitOptionalError(location, "k must be non-negative, got ", k);
  int64_t size = input.getDimSize(axis);
  if (!ShapedType::isDynamic(size) && k > size)
    return emitOptionalError(location, "k ", k, " exceeds size ", size,
                             " of dim ", axis, " of input ",
                             formatShape(input.getShape()));
  SmallVector<int64_t> shape(input.getShape());
  shape[axis] = k;
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  inferred.push_back(
      RankedTensorType::get(shape, IntegerType::get(context, 64)));
  return success();
}

//===----------------------------------------------------------------------===//
// SoftmaxOp and norms
//===----------------------------------------------------------------------===//

static LogicalResult verifyAxis(Operation *op, int64_t axis,
                                RankedTensorType type) {
  return verifyAxisInRange([&] { return op->emitOpError(); }, axis,
                           type.getShape());
}

LogicalResult SoftmaxOp::verify() {
  return verifyAxis(*this, getAxis(), getType());
}

/// Checks that a per-channel parameter has the shape of dims [axis, rank).
static LogicalResult verifyNormParam(Operation *op, StringRef name,
                                     Value param, RankedTensorType input,
                                     int64_t axis) {
  if (!param)
    return success();
  auto type = cast<RankedTensorType>(param.getType());
  ArrayRef<int64_t> expected = input.getShape().drop_front(axis);
  bool ok = type.getRank() == int64_t(expected.size()) &&
            llvm::all_of(llvm::zip(type.getShape(), expected), [](auto dims) {
              return dimsCompatible(std::get<0>(dims), std::get<1>(dims));
            });
  if (!ok)
    return op->emitOpError() << name << " shape " << formatShape(type.getShape())
                             << " must match the normalized dims "
                             << formatShape(expected);
  if (type.getElementType() != input.getElementType())
    return op->emitOpError() << name << " element type " << type.getElementType()
                             << " differs from input's "
                             << input.getElementType();
  return success();
}

LogicalResult LayerNormOp::verify() {
  auto input = getInput().getType();
  if (failed(verifyAxis(*this, getAxis(), input)))
    return failure();
  if (getEpsilon().convertToDouble() < 0)
    return emitOpError("epsilon must be non-negative");
  if (failed(verifyNormParam(*this, "scale", getScale(), input, getAxis())))
    return failure();
  return verifyNormParam(*this, "bias", getBias(), input, getAxis());
}

LogicalResult RmsNormOp::verify() {
  auto input = getInput().getType();
  if (failed(verifyAxis(*this, getAxis(), input)))
    return failure();
  if (getEpsilon().convertToDouble() < 0)
    return emitOpError("epsilon must be non-negative");
  return verifyNormParam(*this, "weight", getWeight(), input, getAxis());
}
