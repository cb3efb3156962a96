//===- DataMovementOps.cpp - ag reshape, transpose, gather, scatter, ... --===//

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;
using namespace mlir::autoglm;

static LogicalResult verifySameElementType(Operation *op, ShapedType input,
                                           ShapedType result) {
  if (input.getElementType() != result.getElementType())
    return op->emitOpError("result element type ")
           << result.getElementType() << " differs from input's "
           << input.getElementType();
  return success();
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto input = getInput().getType();
  auto result = getType();
  if (failed(verifySameElementType(*this, input, result)))
    return failure();
  if (input.hasStaticShape() && result.hasStaticShape() &&
      input.getNumElements() != result.getNumElements())
    return emitOpError("cannot reshape ")
           << formatShape(input.getShape()) << " (" << input.getNumElements()
           << " elements) to " << formatShape(result.getShape()) << " ("
           << result.getNumElements() << " elements)";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // reshape(reshape(x)) -> reshape(x): only the final shape matters.
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  // A reshaped splat is a splat. Larger constants are ag-fold-constants'
  // job, under its size limit.
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    if (dense.isSplat() && getType().hasStaticShape())
      return dense.reshape(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  if (int64_t(perm.size()) != input.getRank())
    return emitOptionalError(location, "permutation has ", perm.size(),
                             " entries but the input has rank ",
                             input.getRank());
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return emitOptionalError(location, "permutation [",
                               llvm::make_range(perm.begin(), perm.end()),
                               "] is not a permutation of 0..",
                               input.getRank() - 1);
    seen[p] = true;
    shape.push_back(input.getDimSize(p));
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  bool identity = llvm::all_of(llvm::enumerate(perm), [](auto entry) {
    return int64_t(entry.index()) == entry.value();
  });
  if (identity)
    return getInput();
  // transpose(transpose(x, inner), outer) -> transpose(x, inner[outer[i]]).
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> innerPerm = inner.getPermutation();
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(innerPerm[p]);
    getInputMutable().assign(inner.getInput());
    setPermutation(composed);
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  if (operands.empty())
    return emitOptionalError(location, "concat needs at least one input");
  auto first = cast<RankedTensorType>(operands.front().getType());
  int64_t rank = first.getRank(), axis = adaptor.getAxis();
  if (failed(verifyAxisInRange([&] { return emitOptionalDiag(location); },
                               axis, first.getShape())))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  for (auto [index, operand] : llvm::enumerate(operands.drop_front())) {
    auto type = cast<RankedTensorType>(operand.getType());
    if (type.getRank() != rank || type.getElementType() != first.getElementType())
      return emitOptionalError(location, "input #", index + 1, " (", type,
                               ") differs in rank or element type from input "
                               "#0 (", first, ")");
    for (int64_t d = 0; d < rank; ++d) {
      int64_t size = type.getDimSize(d);
      if (d == axis) {
        shape[d] = ShapedType::isDynamic(shape[d]) || ShapedType::isDynamic(size)
                       ? ShapedType::kDynamic
                       : shape[d] + size;
      } else if (!dimsCompatible(shape[d], size)) {
        return emitOptionalError(location, "input #", index + 1, " has size ",
                                 size, " in dim ", d, " but input #0 has ",
                                 shape[d]);
      }
    }
  }
  inferred.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return {};
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

LogicalResult SliceOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> starts = adaptor.getStarts(), sizes = adaptor.getSizes(),
                    steps = adaptor.getSteps();
  int64_t rank = input.getRank();
  if (int64_t(starts.size()) != rank || int64_t(sizes.size()) != rank ||
      int64_t(steps.size()) != rank)
    return emitOptionalError(location, "starts, sizes and steps need ", rank,
                             " entries each (the input rank)");
  for (int64_t d = 0; d < rank; ++d) {
    if (steps[d] == 0)
      return emitOptionalError(location, "step of dim ", d, " is zero");
    if (sizes[d] < 0)
      return emitOptionalError(location, "size of dim ", d, " is negative");
    int64_t dim = input.getDimSize(d);
    if (sizes[d] == 0 || ShapedType::isDynamic(dim))
      continue;
    int64_t last = starts[d] + (sizes[d] - 1) * steps[d];
    if (starts[d] < 0 || starts[d] >= dim || last < 0 || last >= dim)
      return emitOptionalError(location, "dim ", d, " reads indices ",
                               starts[d], " to ", last,
                               ", outside [0, ", dim, ")");
  }
  inferred.push_back(RankedTensorType::get(sizes, input.getElementType()));
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor) {
  auto input = getInput().getType();
  for (int64_t d = 0; d < input.getRank(); ++d)
    if (getStarts()[d] != 0 || getSteps()[d] != 1 ||
        getSizes()[d] != input.getDimSize(d))
      return {};
  return getInput();
}

//===----------------------------------------------------------------------===//
// GatherOp
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t axis = adaptor.getAxis();
  if (failed(verifyAxisInRange([&] { return emitOptionalDiag(location); },
                               axis, input.getShape())))
    return failure();
  SmallVector<int64_t> shape(input.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, input.getShape().drop_front(axis + 1));
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// GatherElementsOp, GatherNDOp, ScatterElementsOp, ScatterNDOp
//===----------------------------------------------------------------------===//

/// Checks the `indices` of gather_elements / scatter_elements against the
/// indexed tensor `data` (called `dataName` in messages): the same rank, an
/// axis in range, and no dim other than `axis` larger than `data`'s.
static LogicalResult verifyElementsIndices(EmitErrorFn emitError,
                                           StringRef dataName,
                                           RankedTensorType data,
                                           RankedTensorType indices,
                                           int64_t axis) {
  if (indices.getRank() != data.getRank())
    return emitError() << "indices " << formatShape(indices.getShape())
                       << " must have the rank of " << dataName << " "
                       << formatShape(data.getShape());
  if (failed(verifyAxisInRange(emitError, axis, data.getShape())))
    return failure();
  for (int64_t d = 0; d < data.getRank(); ++d) {
    int64_t index = indices.getDimSize(d), size = data.getDimSize(d);
    if (d != axis && !ShapedType::isDynamic(index) &&
        !ShapedType::isDynamic(size) && index > size)
      return emitError() << "indices " << formatShape(indices.getShape())
                         << " exceed " << dataName << " "
                         << formatShape(data.getShape()) << " in dim " << d
                         << ", which is not the axis";
  }
  return success();
}

/// The index depth of gather_nd / scatter_nd: the static last dim of
/// `indices`.
static FailureOr<int64_t> getIndexDepth(EmitErrorFn emitError,
                                        RankedTensorType indices) {
  if (indices.getRank() < 1 ||
      ShapedType::isDynamic(indices.getShape().back())) {
    (void)(emitError() << "the last dim of indices "
                       << formatShape(indices.getShape())
                       << " (the index depth) must exist and be static");
    return failure();
  }
  return indices.getShape().back();
}

/// Scatters with no index write nothing: the result is `data`.
static bool hasNoIndices(ArrayRef<int64_t> indexShape) {
  return llvm::is_contained(indexShape, 0);
}

LogicalResult GatherElementsOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  if (failed(verifyElementsIndices([&] { return emitOptionalDiag(location); },
                                   "input", input, indices,
                                   adaptor.getAxis())))
    return failure();
  inferred.push_back(
      RankedTensorType::get(indices.getShape(), input.getElementType()));
  return success();
}

LogicalResult GatherNDOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  auto indices = cast<RankedTensorType>(adaptor.getIndices().getType());
  int64_t rank = input.getRank(), batchDims = adaptor.getBatchDims();
  if (batchDims < 0 || batchDims >= std::min(rank, indices.getRank()))
    return emitOptionalError(location, "batch_dims ", batchDims,
                             " must be non-negative and below the ranks of "
                             "input ", formatShape(input.getShape()),
                             " and indices ", formatShape(indices.getShape()));
  FailureOr<int64_t> depth =
      getIndexDepth([&] { return emitOptionalDiag(location); }, indices);
  if (failed(depth))
    return failure();
  if (*depth < 1 || *depth > rank - batchDims)
    return emitOptionalError(location, "index depth ", *depth,
                             " (the last dim of indices ",
                             formatShape(indices.getShape()),
                             ") must be in [1, ", rank - batchDims,
                             "]: the rank of input ",
                             formatShape(input.getShape()),
                             " minus batch_dims ", batchDims);
  SmallVector<int64_t> shape(indices.getShape().drop_back());
  for (int64_t d = 0; d < batchDims; ++d) {
    int64_t size = input.getDimSize(d);
    if (!dimsCompatible(size, shape[d]))
      return emitOptionalError(location, "batch dim ", d, " differs: input ",
                               formatShape(input.getShape()), " has ", size,
                               ", indices ", formatShape(indices.getShape()),
                               " has ", shape[d]);
    if (ShapedType::isDynamic(shape[d]))
      shape[d] = size;
  }
  llvm::append_range(shape, input.getShape().drop_front(batchDims + *depth));
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ScatterElementsOp::verify() {
  if (failed(verifySameElementTypes(*this, {getData(), getUpdates()})))
    return failure();
  auto data = getData().getType();
  auto indices = getIndices().getType();
  auto updates = getUpdates().getType();
  if (failed(verifyElementsIndices([&] { return emitOpError(); }, "data", data,
                                   indices, getAxis())))
    return failure();
  if (!shapesCompatible(updates.getShape(), indices.getShape()))
    return emitOpError("updates ")
           << formatShape(updates.getShape())
           << " must have the shape of indices "
           << formatShape(indices.getShape());
  return success();
}

OpFoldResult ScatterElementsOp::fold(FoldAdaptor) {
  if (hasNoIndices(getIndices().getType().getShape()))
    return getData();
  return {};
}

LogicalResult ScatterNDOp::verify() {
  if (failed(verifySameElementTypes(*this, {getData(), getUpdates()})))
    return failure();
  auto data = getData().getType();
  auto indices = getIndices().getType();
  auto updates = getUpdates().getType();
  FailureOr<int64_t> depth =
      getIndexDepth([&] { return emitOpError(); }, indices);
  if (failed(depth))
    return failure();
  if (*depth > data.getRank())
    return emitOpError("index depth ")
           << *depth << " (the last dim of indices "
           << formatShape(indices.getShape()) << ") exceeds the rank of data "
           << formatShape(data.getShape());
  // ONNX: updates.shape == indices.shape[:-1] + data.shape[depth:].
  SmallVector<int64_t> expected(indices.getShape().drop_back());
  llvm::append_range(expected, data.getShape().drop_front(*depth));
  if (!shapesCompatible(updates.getShape(), expected))
    return emitOpError("updates shape ")
           << formatShape(updates.getShape()) << " should be "
           << formatShape(expected) << ": indices "
           << formatShape(indices.getShape()) << " without its last dim, then "
           << "data " << formatShape(data.getShape()) << " from dim " << *depth;
  return success();
}

OpFoldResult ScatterNDOp::fold(FoldAdaptor) {
  if (hasNoIndices(getIndices().getType().getShape().drop_back()))
    return getData();
  return {};
}

//===----------------------------------------------------------------------===//
// PadOp
//===----------------------------------------------------------------------===//

LogicalResult PadOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, ValueRange operands,
    DictionaryAttr attributes, OpaqueProperties properties, RegionRange regions,
    SmallVectorImpl<Type> &inferred) {
  Adaptor adaptor(operands, attributes, properties, regions);
  auto input = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> pads = adaptor.getPads();
  int64_t rank = input.getRank();
  if (int64_t(pads.size()) != 2 * rank)
    return emitOptionalError(location, "pads need ", 2 * rank,
                             " entries (begins then ends), got ", pads.size());
  bool mirrored = adaptor.getMode() == PadMode::reflect;
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t dim = input.getDimSize(d), begin = pads[d], end = pads[d + rank];
    if (ShapedType::isDynamic(dim)) {
      shape.push_back(dim);
      continue;
    }
    if (mirrored && (begin >= dim || end >= dim))
      return emitOptionalError(location, "reflect pads of dim ", d,
                               " must be smaller than its size ", dim);
    if (dim + begin + end < 0)
      return emitOptionalError(location, "pads crop dim ", d, " of size ", dim,
                               " below zero");
    shape.push_back(dim + begin + end);
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; }))
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// ExpandOp, ResizeOp
//===----------------------------------------------------------------------===//

LogicalResult ExpandOp::verify() {
  auto input = getInput().getType();
  auto result = getType();
  if (failed(verifySameElementType(*this, input, result)))
    return failure();
  if (!isBroadcastableTo(input.getShape(), result.getShape()))
    return emitOpError("cannot broadcast ")
           << formatShape(input.getShape()) << " to "
           << formatShape(result.getShape());
  return success();
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // A broadcast splat is a splat of the larger shape.
  if (auto dense = dyn_cast_if_present<DenseElementsAttr>(adaptor.getInput()))
    if (dense.isSplat() && getType().hasStaticShape())
      return SplatElementsAttr::get(getType(), dense.getSplatValue<Attribute>());
  return {};
}

LogicalResult ResizeOp::verify() {
  auto input = getInput().getType();
  auto result = getType();
  if (failed(verifySameElementType(*this, input, result)))
    return failure();
  if (input.getRank() != result.getRank())
    return emitOpError("result rank ")
           << result.getRank() << " differs from input rank "
           << input.getRank();
  if (std::optional<ArrayRef<double>> scales = getScales()) {
    if (int64_t(scales->size()) != input.getRank())
      return emitOpError("scales need ")
             << input.getRank() << " entries (one per dim), got "
             << scales->size();
    if (llvm::any_of(*scales, [](double s) { return !(s > 0); }))
      return emitOpError("scales must be positive");
  }
  if (getCubicCoeffA().convertToDouble() >= 0 && getMode() == ResizeMode::cubic)
    return emitOpError("cubic_coeff_a must be negative, got ")
           << getCubicCoeffA().convertToDouble();
  return success();
}

OpFoldResult ResizeOp::fold(FoldAdaptor) {
  // Every supported coordinate mode maps x to x at scale 1.
  std::optional<ArrayRef<double>> scales = getScales();
  bool unitScales =
      !scales || llvm::all_of(*scales, [](double s) { return s == 1.0; });
  if (getInput().getType() == getType() && unitScales)
    return getInput();
  return {};
}
