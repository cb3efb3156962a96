#!/usr/bin/env python3
"""The toy LLM of test/runtime/kernels.c (agm-make-test-artifact --toy-llm),
computed directly on the token sequence, to check autoglm-run --prompt-ids.
Plain Python (no numpy).

  toy_llm.py ids PROMPT N        print "generated: <the N greedy ids>"
  toy_llm.py check DIR PROMPT N  check DIR/{prefill_logits,step_logits,
                                 generated_ids}.npy exactly

PROMPT is comma-separated; position q's logits over seq[0..q] are
-(v - f)^2 with f = (hash(seq[0..q], q) mod (2V - 1)) / 2 (exact in f32).
"""
import ast
import struct
import sys

VOCAB = 64
MASK = (1 << 64) - 1


def target(seq, q):
    h = 1469598103934665603 ^ ((q * 0x9E3779B97F4A7C15) & MASK)
    for i in range(q + 1):
        h = ((h ^ ((seq[i] + 7919 * i) & MASK)) * 1099511628211) & MASK
        h ^= h >> 31
    return (h % (2 * VOCAB - 1)) / 2


def row(seq, q):
    f = target(seq, q)
    return [-((v - f) * (v - f)) for v in range(VOCAB)]


def generate(prompt, n):
    seq = list(prompt)
    ids, rows = [], []
    for _ in range(n):
        r = row(seq, len(seq) - 1)
        rows.append(r)
        ids.append(r.index(max(r)))  # the first maximal index
        seq.append(ids[-1])
    return ids, rows


def load_npy(path):
    """(descr, shape, flat values) of a little-endian C-order .npy file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise ValueError("%s: not a .npy file" % path)
    if data[6] == 1:
        (length,), start = struct.unpack("<H", data[8:10]), 10
    else:
        (length,), start = struct.unpack("<I", data[8:12]), 12
    header = ast.literal_eval(data[start:start + length].decode("latin1"))
    body = data[start + length:]
    count = 1
    for d in header["shape"]:
        count *= d
    code = {"<f4": "f", "<i8": "q"}[header["descr"]]
    values = list(struct.unpack("<%d%s" % (count, code), body[:count * struct.calcsize(code)]))
    if header["fortran_order"] or len(body) != count * struct.calcsize(code):
        raise ValueError("%s: unexpected layout" % path)
    return header["descr"], list(header["shape"]), values


def main(argv):
    if len(argv) == 4 and argv[1] == "ids":
        ids, _ = generate([int(t) for t in argv[2].split(",")], int(argv[3]))
        print("generated:" + "".join(" %d" % t for t in ids))
        return 0
    if len(argv) != 5 or argv[1] != "check":
        print(__doc__, file=sys.stderr)
        return 2
    directory, prompt, n = argv[2], [int(t) for t in argv[3].split(",")], int(argv[4])
    ids, rows = generate(prompt, n)
    expected = {
        "prefill_logits": ("<f4", [1, len(prompt), VOCAB],
                           [x for q in range(len(prompt)) for x in row(prompt, q)]),
        "step_logits": ("<f4", [n, VOCAB], [x for r in rows for x in r]),
        "generated_ids": ("<i8", [n], ids),
    }
    ok = True
    for name, (descr, shape, values) in expected.items():
        got_descr, got_shape, got = load_npy("%s/%s.npy" % (directory, name))
        if (got_descr, got_shape) != (descr, shape):
            print("%s.npy: got %s %s, expected %s %s" % (name, got_descr, got_shape, descr, shape),
                  file=sys.stderr)
            ok = False
        elif got != values:
            wrong = sum(a != b for a, b in zip(got, values))
            print("%s.npy: %d of %d elements differ" % (name, wrong, len(values)), file=sys.stderr)
            ok = False
        else:
            print("%s.npy: ok, %s %s" % (name, descr, shape))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
