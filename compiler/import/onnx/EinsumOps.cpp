//===- EinsumOps.cpp - ONNX Einsum decomposed into ag ops -----------------===//
//
// Einsum with one or two operands becomes ag.transpose / ag.reshape /
// ag.matmul / ag.reduce / ag.mul, so it reaches the same GEMM kernels as
// MatMul:
//   1. each operand's repeated labels (`bii`) take a diagonal through a
//      reshape and an ag.gather with constant indices;
//   2. labels found in one operand only and not in the output are summed;
//   3. two operands multiply as one batched matmul [batch, M, K] x
//      [batch, K, N] (or, with nothing to contract, a broadcast ag.mul);
//   4. the result is transposed into the output's label order.
// Labels follow numpy: `...` broadcasts the leading dims (right-aligned
// across operands), size-1 dims broadcast, and without `->` the output is
// the ellipsis dims, then the letters seen once, in ASCII order.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/HandlerUtils.h"

#include "llvm/ADT/StringExtras.h"

#include <map>

namespace mlir::autoglm::onnx_import {
namespace {

/// A letter (its character code), or dim `i` of the ellipsis counted from
/// the right (kEllipsis + i), so that ellipsis dims align across operands.
using Label = int;
constexpr Label kEllipsis = 256;

std::string labelName(Label label) {
  if (label >= kEllipsis)
    return "'...' dim " + std::to_string(label - kEllipsis) + " from the right";
  return std::string("'") + char(label) + "'";
}

/// One term as written: its letters and where its ellipsis sits.
struct RawTerm {
  std::string letters;
  int ellipsisAt = -1;
};

struct Operand {
  Value value;
  SmallVector<Label> labels;
  int64_t size(Label label) const {
    return typeOf(value).getDimSize(llvm::find(labels, label) - labels.begin());
  }
};

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

FailureOr<RawTerm> parseTerm(NodeContext &ctx, StringRef text) {
  RawTerm term;
  for (size_t i = 0; i < text.size();) {
    char c = text[i];
    if (c == '.') {
      if (!text.substr(i).starts_with("...")) {
        (void)ctx.unsupported("term '" + text +
                              "' has a '.' that is not "
                              "part of an ellipsis '...'");
        return failure();
      }
      if (term.ellipsisAt >= 0) {
        (void)ctx.unsupported("term '" + text +
                              "' has more than one "
                              "ellipsis");
        return failure();
      }
      term.ellipsisAt = term.letters.size();
      i += 3;
      continue;
    }
    if (!llvm::isAlpha(c)) {
      (void)ctx.unsupported("equation character '" + Twine(c) +
                            "' is not a letter, ',', '->' or '...'");
      return failure();
    }
    term.letters.push_back(c);
    ++i;
  }
  return term;
}

/// The labels of `term` for an operand of rank `rank`.
FailureOr<SmallVector<Label>> expandTerm(NodeContext &ctx, const RawTerm &term,
                                         int64_t rank, unsigned index) {
  int64_t letters = term.letters.size();
  bool hasEllipsis = term.ellipsisAt >= 0;
  if (hasEllipsis ? letters > rank : letters != rank) {
    (void)ctx.unsupported("term '" + term.letters + "' of input " +
                          Twine(index) + " has " + Twine(letters) +
                          " letters but the input has rank " + Twine(rank));
    return failure();
  }
  SmallVector<Label> labels;
  int64_t broadcast = rank - letters;
  for (int64_t i = 0; i < letters; ++i) {
    if (i == term.ellipsisAt)
      for (int64_t j = 0; j < broadcast; ++j)
        labels.push_back(kEllipsis + broadcast - 1 - j);
    labels.push_back(term.letters[i]);
  }
  if (term.ellipsisAt == letters)
    for (int64_t j = 0; j < broadcast; ++j)
      labels.push_back(kEllipsis + broadcast - 1 - j);
  return labels;
}

/// The output labels: written after `->`, or numpy's implicit order.
FailureOr<SmallVector<Label>>
outputLabels(NodeContext &ctx, std::optional<StringRef> written,
             ArrayRef<SmallVector<Label>> inputs) {
  int64_t broadcast = 0;
  std::map<Label, int> counts;
  for (const SmallVector<Label> &labels : inputs)
    for (Label label : labels) {
      if (label >= kEllipsis)
        broadcast = std::max<int64_t>(broadcast, label - kEllipsis + 1);
      else
        ++counts[label];
    }
  SmallVector<Label> ellipsis;
  for (int64_t j = broadcast - 1; j >= 0; --j)
    ellipsis.push_back(kEllipsis + j);
  SmallVector<Label> output;
  if (!written) {
    output = ellipsis;
    for (auto [label, count] : counts)
      if (count == 1)
        output.push_back(label);
    return output;
  }
  FailureOr<RawTerm> term = parseTerm(ctx, *written);
  if (failed(term))
    return failure();
  if (term->ellipsisAt < 0 && broadcast > 0) {
    (void)ctx.unsupported("the output term has no '...' but the inputs' "
                          "ellipsis covers " +
                          Twine(broadcast) +
                          " dims (numpy requires '...' in the output)");
    return failure();
  }
  for (auto [i, c] : llvm::enumerate(term->letters)) {
    if (int(i) == term->ellipsisAt)
      output.append(ellipsis);
    if (!counts.count(c) || llvm::is_contained(output, Label(c))) {
      (void)ctx.unsupported(
          "output letter '" + Twine(c) + "' " +
          (counts.count(c) ? "appears twice" : "is in no input term"));
      return failure();
    }
    output.push_back(c);
  }
  if (term->ellipsisAt == int(term->letters.size()))
    output.append(ellipsis);
  return output;
}

/// Parses the equation into labelled operands and the output labels.
LogicalResult parseEquation(NodeContext &ctx, SmallVectorImpl<Operand> &ops,
                            SmallVectorImpl<Label> &output) {
  if (!ctx.hasAttr("equation"))
    return ctx.unsupported("the equation attribute is missing");
  std::string equation;
  for (char c : ctx.stringAttr("equation", ""))
    if (c != ' ')
      equation.push_back(c);
  StringRef text(equation);
  std::optional<StringRef> written;
  size_t arrow = text.find("->");
  if (arrow != StringRef::npos) {
    written = text.substr(arrow + 2);
    text = text.substr(0, arrow);
  }
  SmallVector<StringRef> terms;
  text.split(terms, ',');
  if (terms.size() != ctx.numInputs())
    return ctx.unsupported("the equation has " + Twine(terms.size()) +
                           " input terms but the node has " +
                           Twine(ctx.numInputs()) + " inputs");
  SmallVector<SmallVector<Label>> labels;
  for (auto [i, termText] : llvm::enumerate(terms)) {
    FailureOr<RawTerm> term = parseTerm(ctx, termText);
    if (failed(term))
      return failure();
    FailureOr<SmallVector<Label>> expanded =
        expandTerm(ctx, *term, ctx.inputType(i).getRank(), i);
    if (failed(expanded))
      return failure();
    labels.push_back(*expanded);
    ops.push_back({ctx.input(i), *expanded});
  }
  FailureOr<SmallVector<Label>> out = outputLabels(ctx, written, labels);
  if (failed(out))
    return failure();
  output.assign(out->begin(), out->end());
  return success();
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

FailureOr<Value> transpose(NodeContext &ctx, Value value,
                           ArrayRef<int64_t> permutation) {
  if (llvm::equal(permutation, llvm::seq<int64_t>(0, permutation.size())))
    return value;
  return ctx.make<TransposeOp>(value, permutation);
}

FailureOr<Value> reshape(NodeContext &ctx, Value value,
                         ArrayRef<int64_t> shape) {
  if (typeOf(value).getShape() == shape)
    return value;
  return ctx.makeTyped<ReshapeOp>(typeOf(value).clone(shape), value);
}

/// Transposes `op` so its labels come in the order of `order` (which holds
/// each of its labels once).
LogicalResult permuteTo(NodeContext &ctx, Operand &op, ArrayRef<Label> order) {
  SmallVector<int64_t> permutation;
  for (Label label : order)
    permutation.push_back(llvm::find(op.labels, label) - op.labels.begin());
  FailureOr<Value> moved = transpose(ctx, op.value, permutation);
  if (failed(moved))
    return failure();
  op.value = *moved;
  op.labels.assign(order.begin(), order.end());
  return success();
}

/// Replaces the equal labels at p < q by their diagonal: dim q moves next
/// to dim p, the two merge into one dim of n*n, and ag.gather picks the
/// elements i*(n+1).
LogicalResult takeDiagonal(NodeContext &ctx, Operand &op, size_t p, size_t q) {
  ArrayRef<int64_t> shape = typeOf(op.value).getShape();
  int64_t n = shape[p];
  if (shape[q] != n)
    return ctx.unsupported("label " + labelName(op.labels[p]) +
                           " repeats with sizes " + Twine(n) + " and " +
                           Twine(shape[q]));
  SmallVector<int64_t> permutation, merged;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (d == q)
      continue;
    permutation.push_back(d);
    merged.push_back(d == p ? n * n : shape[d]);
    if (d == p)
      permutation.push_back(q);
  }
  FailureOr<Value> moved = transpose(ctx, op.value, permutation);
  if (failed(moved))
    return failure();
  FailureOr<Value> flat = reshape(ctx, *moved, merged);
  if (failed(flat))
    return failure();
  HostTensor indices = HostTensor::generate(
      ctx.builder().getI64Type(), {n}, [&](int64_t i) { return i * (n + 1); });
  FailureOr<Value> diagonal =
      ctx.make<GatherOp>(*flat, ctx.constant(indices), uint64_t(p));
  if (failed(diagonal))
    return failure();
  op.value = *diagonal;
  op.labels.erase(op.labels.begin() + q);
  return success();
}

LogicalResult takeDiagonals(NodeContext &ctx, Operand &op) {
  for (size_t p = 0; p < op.labels.size(); ++p)
    for (size_t q = p + 1; q < op.labels.size(); ++q)
      if (op.labels[p] == op.labels[q]) {
        if (failed(takeDiagonal(ctx, op, p, q)))
          return failure();
        p = size_t(-1); // Labels moved: start over.
        break;
      }
  return success();
}

/// Sums `op` over the dims whose labels `keep` rejects; `keepDims` leaves
/// them as size 1 (and labelled).
LogicalResult sumOver(NodeContext &ctx, Operand &op,
                      function_ref<bool(Label)> keep, bool keepDims = false) {
  SmallVector<int64_t> axes;
  SmallVector<Label> kept;
  for (auto [d, label] : llvm::enumerate(op.labels)) {
    if (keep(label))
      kept.push_back(label);
    else
      axes.push_back(d);
  }
  if (axes.empty())
    return success();
  FailureOr<Value> sum = ctx.make<ReduceOp>(ReduceKind::sum, op.value,
                                            ArrayRef<int64_t>(axes), keepDims);
  if (failed(sum))
    return failure();
  op.value = *sum;
  if (!keepDims)
    op.labels = kept;
  return success();
}

//===----------------------------------------------------------------------===//
// Two operands
//===----------------------------------------------------------------------===//

/// Checks shared label sizes (equal, or 1 to broadcast). A contracted label
/// of size 1 on one side is summed on the other first: sum_k a[0] b[k] =
/// a[0] sum_k b[k].
LogicalResult matchSharedSizes(NodeContext &ctx, Operand &a, Operand &b,
                               ArrayRef<Label> output) {
  for (Label label : SmallVector<Label>(a.labels)) {
    if (!llvm::is_contained(b.labels, label))
      continue;
    int64_t sa = a.size(label), sb = b.size(label);
    if (sa == sb)
      continue;
    if (sa != 1 && sb != 1)
      return ctx.unsupported("label " + labelName(label) + " has size " +
                             Twine(sa) + " in input 0 but " + Twine(sb) +
                             " in input 1");
    if (llvm::is_contained(output, label))
      continue; // A broadcast batch dim: ag.matmul / ag.mul broadcast it.
    Operand &wide = sa == 1 ? b : a;
    if (failed(sumOver(
            ctx, wide, [&](Label l) { return l != label; }, true)))
      return failure();
  }
  return success();
}

/// Product of the sizes of `labels` in `op`.
int64_t sizeOf(const Operand &op, ArrayRef<Label> labels) {
  int64_t size = 1;
  for (Label label : labels)
    size *= op.size(label);
  return size;
}

/// No contracted labels: both operands take the output's rank (size 1 for
/// labels they lack) and multiply with broadcasting.
FailureOr<Value> broadcastProduct(NodeContext &ctx, Operand a, Operand b,
                                  ArrayRef<Label> output) {
  SmallVector<Value, 2> values;
  for (Operand *op : {&a, &b}) {
    SmallVector<Label> order;
    SmallVector<int64_t> shape;
    for (Label label : output) {
      bool has = llvm::is_contained(op->labels, label);
      if (has)
        order.push_back(label);
      shape.push_back(has ? op->size(label) : 1);
    }
    if (failed(permuteTo(ctx, *op, order)))
      return failure();
    FailureOr<Value> full = reshape(ctx, op->value, shape);
    if (failed(full))
      return failure();
    values.push_back(*full);
  }
  return ctx.make<MulOp>(values[0], values[1]);
}

/// Brings `op` into the matmul operand layout [batch..., R, C], where R and
/// C merge the dims of `rows` and `cols`. An operand already laid out as
/// [batch..., cols..., rows...] is reshaped as it is and marked `transposed`
/// (ag.matmul's transpose flags) instead of being transposed.
LogicalResult arrange(NodeContext &ctx, Operand &op, ArrayRef<Label> batch,
                      ArrayRef<Label> rows, ArrayRef<Label> cols,
                      bool &transposed) {
  SmallVector<Label> order(batch), swapped(batch);
  order.append(rows.begin(), rows.end());
  order.append(cols.begin(), cols.end());
  swapped.append(cols.begin(), cols.end());
  swapped.append(rows.begin(), rows.end());
  transposed = op.labels != order && op.labels == swapped;
  if (!transposed && failed(permuteTo(ctx, op, order)))
    return failure();
  SmallVector<int64_t> shape;
  for (Label label : batch)
    shape.push_back(op.size(label));
  int64_t r = sizeOf(op, rows), c = sizeOf(op, cols);
  shape.append({transposed ? c : r, transposed ? r : c});
  FailureOr<Value> flat = reshape(ctx, op.value, shape);
  if (failed(flat))
    return failure();
  op.value = *flat;
  return success();
}

/// [batch, M, K] x [batch, K, N] as one ag.matmul, reshaped back to
/// [batch..., m..., n...]; `result` gets those labels.
FailureOr<Value> contract(NodeContext &ctx, Operand a, Operand b,
                          ArrayRef<Label> output, Operand &result) {
  SmallVector<Label> batch, m, k, n;
  for (Label label : output)
    if (llvm::is_contained(a.labels, label) &&
        llvm::is_contained(b.labels, label))
      batch.push_back(label);
  for (Label label : a.labels) {
    if (llvm::is_contained(batch, label))
      continue;
    (llvm::is_contained(b.labels, label) ? k : m).push_back(label);
  }
  for (Label label : b.labels)
    if (!llvm::is_contained(a.labels, label))
      n.push_back(label);
  // The result's shape, taken before the operands are reshaped.
  SmallVector<int64_t> shapeOut;
  for (Label label : batch)
    shapeOut.push_back(std::max(a.size(label), b.size(label)));
  for (Label label : m)
    shapeOut.push_back(a.size(label));
  for (Label label : n)
    shapeOut.push_back(b.size(label));
  bool transposeA = false, transposeB = false;
  if (failed(arrange(ctx, a, batch, m, k, transposeA)) ||
      failed(arrange(ctx, b, batch, k, n, transposeB)))
    return failure();
  FailureOr<Value> product =
      ctx.make<MatmulOp>(a.value, b.value, Value(), transposeA, transposeB);
  if (failed(product))
    return failure();
  result.labels = batch;
  result.labels.append(m);
  result.labels.append(n);
  return reshape(ctx, *product, shapeOut);
}

FailureOr<Operand> combine(NodeContext &ctx, Operand a, Operand b,
                           ArrayRef<Label> output) {
  if (failed(matchSharedSizes(ctx, a, b, output)))
    return failure();
  bool anyContracted = llvm::any_of(a.labels, [&](Label label) {
    return llvm::is_contained(b.labels, label) &&
           !llvm::is_contained(output, label);
  });
  Operand result;
  if (!anyContracted) {
    FailureOr<Value> product = broadcastProduct(ctx, a, b, output);
    if (failed(product))
      return failure();
    result.value = *product;
    result.labels.assign(output.begin(), output.end());
    return result;
  }
  FailureOr<Value> product = contract(ctx, a, b, output, result);
  if (failed(product))
    return failure();
  result.value = *product;
  return result;
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

LogicalResult importEinsum(NodeContext &ctx) {
  if (ctx.numInputs() == 0 || ctx.numInputs() > 2)
    return ctx.unsupported("Einsum with " + Twine(ctx.numInputs()) +
                           " operands is not supported (1 or 2; split it "
                           "into pairwise Einsums)");
  for (unsigned i = 0; i < ctx.numInputs(); ++i) {
    Type element = ctx.inputType(i).getElementType();
    if (!isa<FloatType, IntegerType>(element) || element.isInteger(1)) {
      std::string name;
      llvm::raw_string_ostream(name) << element;
      return ctx.unsupported("input " + Twine(i) +
                             " must hold floats or integers, got " + name);
    }
    if (!ctx.inputType(i).hasStaticShape())
      return ctx.unsupported("input " + Twine(i) + " has a dynamic shape");
  }
  SmallVector<Operand, 2> ops;
  SmallVector<Label> output;
  if (failed(parseEquation(ctx, ops, output)))
    return failure();
  for (auto [i, op] : llvm::enumerate(ops)) {
    if (failed(takeDiagonals(ctx, op)))
      return failure();
    const Operand *other = ops.size() == 2 ? &ops[1 - i] : nullptr;
    auto keep = [&](Label label) {
      return llvm::is_contained(output, label) ||
             (other && llvm::is_contained(other->labels, label));
    };
    if (failed(sumOver(ctx, op, keep)))
      return failure();
  }
  Operand result = ops[0];
  if (ops.size() == 2) {
    FailureOr<Operand> combined = combine(ctx, ops[0], ops[1], output);
    if (failed(combined))
      return failure();
    result = *combined;
  }
  if (failed(permuteTo(ctx, result, output)))
    return failure();
  ctx.setOutput(0, result.value);
  return success();
}

} // namespace

void registerEinsumHandlers(HandlerTable &table) {
  table["Einsum"] = importEinsum;
}

} // namespace mlir::autoglm::onnx_import
