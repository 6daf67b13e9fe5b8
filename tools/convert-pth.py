#!/usr/bin/env python3
"""Convert a PyTorch checkpoint (.pth) into a safetensors file detlab can load.

Usage:
    python3 tools/convert-pth.py INPUT.pth OUTPUT.safetensors [--prefix-strip module.] [--prefix-add backbone.]

INPUT may be a plain state dict (torchvision weights), an MMEngine/MMDetection checkpoint
(``{"meta": ..., "state_dict": ...}``) or a ``{"model": ...}`` checkpoint; ``--key`` picks another entry.
Entries that are not tensors are skipped (and listed). Tensors keep their PyTorch layout (OIHW conv weights,
[out, in] linear weights) and dtype, ``num_batches_tracked`` stays I64; the file's metadata says
``detlab.layout = torch`` and detlab converts to its NHWC layout when it loads the file, by parameter kind.
The checkpoint's ``meta`` is kept, as JSON, under ``detlab.meta``.

Requirements: Python 3.8+ and PyTorch 1.13+ (CPU is enough). On Debian or Ubuntu:
    sudo apt install python3-torch        # or: pip install torch
Only this converter needs PyTorch; detlab itself never runs Python, and its tests skip the converter test
when ``python3 -c "import torch"`` fails.

Safety: the input is read with ``torch.load(weights_only=True)``, which refuses to run pickled code. Training
checkpoints that pickle Python objects (MMEngine's ``message_hub``) need ``--trust-pickle``, which runs whatever
code the file holds: use it only for files you trust.

The safetensors writer below is plain Python (no torch, no ``safetensors`` package) and writes the same bytes
as detlab's own encoder (packages/tensor/src/checkpoint/safetensors.ts): header keys sorted, header padded with
spaces to a multiple of 8, tensor data ordered widest dtype first so that every tensor is aligned.
"""

import argparse
import json
import math
import os
import struct
import sys
import tempfile
from collections.abc import Mapping

LAYOUT_KEY = "detlab.layout"
META_KEY = "detlab.meta"

# Bytes per element of each safetensors dtype this tool writes (detlab reads exactly these).
DTYPE_SIZES = {"F64": 8, "I64": 8, "F32": 4, "I32": 4, "F16": 2, "BF16": 2, "U8": 1, "BOOL": 1}


def main(argv=None):
    args = parse_args(argv)
    if not os.path.isfile(args.input):
        sys.exit(f"convert-pth: {args.input}: no such file")
    checkpoint = load_pth(args.input, args.trust_pickle)
    state, meta = pick_state_dict(checkpoint, args.key, args.input)

    entries, skipped = {}, []
    for key, value in state.items():
        name = rename(key, args.prefix_strip, args.prefix_add, args.only_prefixed)
        if name is None:
            continue
        converted = tensor_entry(value)
        if converted is None:
            skipped.append(f"{key} ({describe(value)})")
            continue
        if name in entries:
            sys.exit(f"convert-pth: two keys become '{name}' after renaming; check --prefix-strip/--prefix-add")
        entries[name] = converted

    metadata = {
        LAYOUT_KEY: "torch",
        META_KEY: json.dumps(
            {"converted_from": os.path.basename(args.input), "source_meta": to_json(meta)},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        ),
    }
    write_safetensors(args.output, entries, metadata)
    for item in skipped:
        print(f"convert-pth: skipped {item}", file=sys.stderr)
    print(f"convert-pth: wrote {len(entries)} tensors to {args.output} ({len(skipped)} entries skipped)")


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Convert a PyTorch .pth checkpoint to safetensors (torch layout).")
    parser.add_argument("input", help="the .pth file")
    parser.add_argument("output", help="the .safetensors file to write")
    parser.add_argument("--prefix-strip", default="", metavar="PREFIX",
                        help="remove PREFIX from the start of keys that have it (e.g. 'module.')")
    parser.add_argument("--prefix-add", default="", metavar="PREFIX",
                        help="put PREFIX before every key, after --prefix-strip (e.g. 'backbone.')")
    parser.add_argument("--only-prefixed", action="store_true",
                        help="drop keys that do not start with --prefix-strip instead of keeping them")
    parser.add_argument("--key", default=None,
                        help="the checkpoint entry that holds the state dict (default: state_dict, then model)")
    parser.add_argument("--trust-pickle", action="store_true",
                        help="allow pickled Python objects in the input; this runs code from the file")
    return parser.parse_args(argv)


def load_pth(path, trust_pickle):
    """Loads the checkpoint on the CPU, refusing pickled code unless the user trusts the file."""
    import torch  # imported here so the writer below can be used (and tested) without PyTorch

    if trust_pickle:
        return torch.load(path, map_location="cpu")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:
        sys.exit("convert-pth: this PyTorch has no weights_only loading; use PyTorch 1.13+ or --trust-pickle")
    except Exception as error:  # torch raises UnpicklingError (or RuntimeError) for objects beyond tensors
        sys.exit(f"convert-pth: {path} holds Python objects besides tensors ({error}).\n"
                 "  Re-run with --trust-pickle if you trust where the file came from: that runs its code.\n"
                 f"  (PyTorch before 2.0, here {torch.__version__}, also refuses plain floats in weights-only mode.)")


def pick_state_dict(checkpoint, key, path):
    """Returns (state dict, meta) from a plain state dict or a wrapping checkpoint."""
    if not isinstance(checkpoint, Mapping):
        if hasattr(checkpoint, "state_dict"):  # a whole pickled nn.Module (needs --trust-pickle)
            return checkpoint.state_dict(), None
        sys.exit(f"convert-pth: {path} holds a {type(checkpoint).__name__}, not a state dict")
    if key is not None:
        if not isinstance(checkpoint.get(key), Mapping):
            sys.exit(f"convert-pth: {path} has no dict under '{key}'; its keys: {', '.join(map(str, checkpoint))}")
        return checkpoint[key], checkpoint.get("meta")
    for candidate in ("state_dict", "model"):  # MMEngine; detectron2 and the torchvision references
        if isinstance(checkpoint.get(candidate), Mapping):
            return checkpoint[candidate], checkpoint.get("meta")
    return checkpoint, None


def rename(key, strip, add, only_prefixed):
    """The detlab name of a checkpoint key, or None to drop it."""
    if strip and key.startswith(strip):
        key = key[len(strip):]
    elif strip and only_prefixed:
        return None
    return add + key


def tensor_entry(value):
    """(dtype, shape, little-endian bytes) of a tensor, or None for what is not a tensor or has no detlab dtype."""
    import torch

    if not isinstance(value, torch.Tensor):
        return None
    dtypes = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
              torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8", torch.bool: "BOOL"}
    if value.dtype not in dtypes or value.is_sparse or value.is_quantized:
        return None
    tensor = value.detach().cpu().contiguous()
    if tensor.dtype == torch.bfloat16:
        tensor = tensor.view(torch.int16)  # numpy has no bfloat16; the bits are what we write
    array = tensor.numpy()
    data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
    return dtypes[value.dtype], list(value.shape), data


def write_safetensors(path, entries, metadata):
    """Writes {name: (dtype, shape, bytes)} and string metadata as safetensors, atomically."""
    names = sorted(entries)
    offsets, length = {}, 0
    # Widest dtype first, then by name: with the 8-byte-aligned header every tensor lands on its element size.
    for name in sorted(names, key=lambda n: (-DTYPE_SIZES[entries[n][0]], n)):
        dtype, shape, data = entries[name]
        expected = math.prod(shape) * DTYPE_SIZES[dtype]
        if len(data) != expected:
            raise ValueError(f"{name}: {dtype} {shape} needs {expected} bytes, got {len(data)}")
        offsets[name] = (length, length + len(data))
        length += len(data)

    header = {}
    if metadata:
        header["__metadata__"] = {key: metadata[key] for key in sorted(metadata)}
    for name in names:
        dtype, shape, _ = entries[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": list(offsets[name])}
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)

    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(struct.pack("<Q", len(text)))
            out.write(text)
            for name, _ in sorted(offsets.items(), key=lambda item: item[1]):
                out.write(entries[name][2])
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)  # readers see the old file or the new one, never half of one
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def to_json(value):
    """A JSON-safe copy of checkpoint meta: containers kept, small tensors as lists, anything else as text."""
    if isinstance(value, Mapping):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [to_json(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or Infinity
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if callable(getattr(value, "tolist", None)):  # tensors and numpy values: small ones as numbers
        size = value.numel() if hasattr(value, "numel") else getattr(value, "size", None)
        if isinstance(size, int) and size <= 64:
            return to_json(value.tolist())
        return f"<{describe(value)}>"
    return str(value)


def describe(value):
    """`float16 tensor (2, 3)`, `int`: what a skipped entry is, for the message."""
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is None:
        return type(value).__name__
    return f"{str(dtype).replace('torch.', '')} {type(value).__name__.lower()} {tuple(shape)}"


if __name__ == "__main__":
    main()
