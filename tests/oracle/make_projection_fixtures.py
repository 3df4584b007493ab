#!/usr/bin/env python3
"""Writes projection fixtures with the installed torch (2.x zip layout, with byteorder and
.data/serialization_id entries) for dtypes the shared fixtures lack: f16, plus a bf16 one.

Usage: make_projection_fixtures.py OUT_DIR
For each fixture NAME: NAME.bin (torch.save of an nn.Linear state dict) and
NAME.expected.json with in/out features, dtype, and weight/bias as f32 lists.
"""
import json
import os
import sys

import torch


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(1234)
    for name, dtype, (fan_in, fan_out) in [("torch2_f16_5x7", torch.float16, (5, 7)),
                                           ("torch2_bf16_6x4", torch.bfloat16, (6, 4))]:
        linear = torch.nn.Linear(fan_in, fan_out).to(dtype)
        torch.save(linear.state_dict(), os.path.join(out, name + ".bin"))
        expected = {
            "torch_version": torch.__version__,
            "in_features": fan_in,
            "out_features": fan_out,
            "dtype": str(dtype).replace("torch.", ""),
            "weight_f32": linear.weight.detach().float().flatten().tolist(),
            "bias_f32": linear.bias.detach().float().tolist(),
        }
        with open(os.path.join(out, name + ".expected.json"), "w") as f:
            json.dump(expected, f)
    print("wrote", out)


if __name__ == "__main__":
    main()
