#!/usr/bin/env python3
"""Writes NaN (or Inf) into one element of one tensor of a safetensors file, in place:
   poison_tensor.py FILE TENSOR_NAME [ELEMENT] [nan|inf]
Standard library only: the header is JSON after an 8-byte little-endian length."""
import json
import struct
import sys

path, name = sys.argv[1], sys.argv[2]
element = int(sys.argv[3]) if len(sys.argv) > 3 else 0
value = sys.argv[4] if len(sys.argv) > 4 else "nan"
with open(path, "r+b") as f:
    (header_len,) = struct.unpack("<Q", f.read(8))
    header = json.loads(f.read(header_len))
    info = header[name]
    width = {"BF16": 2, "F16": 2, "F32": 4}[info["dtype"]]
    bits = {("BF16", "nan"): b"\xc0\x7f", ("BF16", "inf"): b"\x80\x7f",
            ("F16", "nan"): b"\x00\x7e", ("F16", "inf"): b"\x00\x7c",
            ("F32", "nan"): b"\x00\x00\xc0\x7f", ("F32", "inf"): b"\x00\x00\x80\x7f"}[(info["dtype"], value)]
    f.seek(8 + header_len + info["data_offsets"][0] + element * width)
    f.write(bits)
