#!/usr/bin/env python3
"""Copies a GLM checkpoint folder and breaks or converts it, for the lit
tests of the GLM importer (test/lit/Import/GLM).

    make_checkpoint.py SRC DST [edits...]

Edits apply in order:
  --config KEY=JSON        set a config.json key (JSON value, e.g. '"gelu"')
  --config-del KEY         delete a config.json key
  --drop NAME              remove a tensor
  --add NAME=2x3           add an F32 tensor of zeros
  --shape NAME=64x128      replace a tensor by F32 zeros of another shape
  --dtype NAME=DT          store a tensor as DT (F32, BF16, F16, I64)
  --all-dtype DT           store every tensor as DT (BF16 or F16)
  --round DT               round every F32 tensor to DT's precision, kept F32
  --unalign                pad the header so the data starts at an odd offset
  --corrupt KIND           break model.safetensors: short, header-length,
                           bad-json, offsets, size, unknown-dtype
  --remove-file NAME       delete a file of the folder (e.g. a shard)
  --copy-tensor NAME=FILE  also store tensor NAME in shard FILE

Safetensors are read and written with struct + json (numpy converts dtypes).
"""

import json
import os
import shutil
import struct
import sys

import numpy as np

BYTES = {"F32": 4, "BF16": 2, "F16": 2, "I64": 8}


def read_st(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", None)
    base = 8 + n
    tensors = {}
    for name, entry in header.items():
        b, e = entry["data_offsets"]
        tensors[name] = (entry["dtype"], entry["shape"], data[base + b:base + e])
    return tensors, meta


def write_st(path, tensors, meta, pad_to_odd=False):
    header = {}
    if meta is not None:
        header["__metadata__"] = meta
    blobs = []
    offset = 0
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    # The format pads the header with spaces to 8 bytes; --unalign makes the
    # data start at an odd file offset instead.
    text += b" " * ((8 - len(text) % 8) % 8)
    if pad_to_odd:
        text += b" "
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def to_f32(dtype, raw):
    if dtype == "F32":
        return np.frombuffer(raw, dtype="<f4").copy()
    if dtype == "F16":
        return np.frombuffer(raw, dtype="<f2").astype(np.float32)
    if dtype == "BF16":
        bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
        return bits.view(np.float32)
    raise SystemExit(f"cannot convert {dtype}")


def from_f32(values, dtype):
    if dtype == "F32":
        return values.astype("<f4").tobytes()
    if dtype == "F16":
        return values.astype("<f2").tobytes()
    if dtype == "BF16":
        bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
        rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16  # nearest even
        return rounded.astype("<u2").tobytes()
    if dtype == "I64":
        return values.astype("<i8").tobytes()
    raise SystemExit(f"unknown dtype {dtype}")


def shape_of(text):
    return [int(d) for d in text.split("x")] if text else []


class Checkpoint:
    def __init__(self, folder):
        self.folder = folder
        index = os.path.join(folder, "model.safetensors.index.json")
        if os.path.exists(os.path.join(folder, "model.safetensors")):
            self.files = ["model.safetensors"]
        else:
            with open(index) as f:
                self.files = sorted(set(json.load(f)["weight_map"].values()))
        self.shards = {name: read_st(os.path.join(folder, name))
                       for name in self.files}
        self.unalign = False

    def find(self, name):
        for file, (tensors, _) in self.shards.items():
            if name in tensors:
                return tensors
        raise SystemExit(f"no tensor {name}")

    def save(self):
        for file, (tensors, meta) in self.shards.items():
            write_st(os.path.join(self.folder, file), tensors, meta,
                     self.unalign)


def corrupt(path, kind):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = bytes(data[8 + n:])
    if kind == "short":
        data = data[:5]
    elif kind == "header-length":
        data[:8] = struct.pack("<Q", len(data) * 2)
    elif kind == "bad-json":
        data[8:10] = b"[{"
    else:
        name = "model.norm.weight"
        if kind == "offsets":
            b, e = header[name]["data_offsets"]
            header[name]["data_offsets"] = [b, len(body) + 100]
        elif kind == "size":
            header[name]["shape"] = [200]
        elif kind == "unknown-dtype":
            header[name]["dtype"] = "Q7"
        else:
            raise SystemExit(f"unknown corruption {kind}")
        # Offsets are relative to the data, so the header may change size.
        text = json.dumps(header, separators=(",", ":")).encode()
        text += b" " * ((8 - len(text) % 8) % 8)
        data = struct.pack("<Q", len(text)) + text + body
    with open(path, "wb") as f:
        f.write(data)


def main(argv):
    src, dst, edits = argv[1], argv[2], argv[3:]
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    ckpt = Checkpoint(dst)
    config_path = os.path.join(dst, "config.json")
    with open(config_path) as f:
        config = json.load(f)
    late = []  # file-level edits, after the tensors are written
    it = iter(edits)
    for flag in it:
        arg = next(it) if flag != "--unalign" else None
        key, _, value = (arg or "").partition("=")
        if flag == "--config":
            config[key] = json.loads(value)
        elif flag == "--config-del":
            config.pop(key, None)
        elif flag == "--drop":
            del ckpt.find(key)[key]
        elif flag == "--add":
            shape = shape_of(value)
            ckpt.shards[ckpt.files[-1]][0][key] = (
                "F32", shape, bytes(4 * int(np.prod(shape))))
        elif flag == "--shape":
            tensors = ckpt.find(key)
            shape = shape_of(value)
            tensors[key] = ("F32", shape, bytes(4 * int(np.prod(shape))))
        elif flag == "--dtype":
            tensors = ckpt.find(key)
            dtype, shape, raw = tensors[key]
            tensors[key] = (value, shape, from_f32(to_f32(dtype, raw), value))
        elif flag in ("--all-dtype", "--round"):
            for tensors, _ in ckpt.shards.values():
                for name, (dtype, shape, raw) in list(tensors.items()):
                    values = to_f32(dtype, raw)
                    converted = from_f32(values, key)
                    if flag == "--round":
                        tensors[name] = ("F32", shape,
                                         from_f32(to_f32(key, converted), "F32"))
                    else:
                        tensors[name] = (key, shape, converted)
        elif flag == "--unalign":
            ckpt.unalign = True
        elif flag == "--copy-tensor":
            tensors = ckpt.find(key)
            ckpt.shards[value][0][key] = tensors[key]
        elif flag in ("--corrupt", "--remove-file"):
            late.append((flag, key))
        else:
            raise SystemExit(f"unknown edit {flag}")
    ckpt.save()
    with open(config_path, "w") as f:
        json.dump(config, f, indent=2)
    for flag, arg in late:
        if flag == "--corrupt":
            corrupt(os.path.join(dst, "model.safetensors"), arg)
        else:
            os.remove(os.path.join(dst, arg))


if __name__ == "__main__":
    main(sys.argv)
