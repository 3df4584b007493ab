#!/usr/bin/env python3
"""Our CPU decode speed divided by HF transformers' (torch, CPU), side by side.

Makes one random model at Qwen2.5-0.5B shapes with `softcot make-tiny-model` (bf16, tied;
vocab = the tokenizer's 151669 ids instead of 151936), runs `softcot bench --model DIR`
on it, then HF Qwen2ForCausalLM on the same directory with the same thread count, greedy,
the same prompt length and number of decoded tokens. HF is timed in bfloat16 (the stored
weights, what we read) and in float32 (torch's usual CPU path); the ratio is printed for
both. Goal: ours / theirs >= 2.

Usage: python3 tests/bench/hf_decode_compare.py SOFTCOT_BINARY TOKENIZER_JSON
           [--threads T] [--prompt_tokens P] [--decode_tokens N]
"""
import argparse
import os
import re
import subprocess
import tempfile
import time

import torch
from transformers import GenerationConfig, Qwen2ForCausalLM

SHAPE_0_5B = ["--hidden_size", "896", "--num_layers", "24", "--num_heads", "14",
              "--num_kv_heads", "2", "--intermediate_size", "4864", "--dtype", "bf16", "--tied"]


def ours(binary, model_dir, args):
    out = subprocess.run([binary, "bench", "--model", model_dir, "--threads", str(args.threads),
                          "--prompt_tokens", str(args.prompt_tokens),
                          "--decode_tokens", str(args.decode_tokens)],
                         check=True, capture_output=True, text=True).stdout
    print(out, end="")
    return float(re.search(r"decode\s+\d+ tokens\s+([\d.]+) tokens/s", out).group(1))


def hf_decode_tps(model_dir, dtype, args):
    model = Qwen2ForCausalLM.from_pretrained(model_dir, dtype=dtype).eval()
    ids = torch.tensor([[(i * 7919 + 13) % 150000 for i in range(args.prompt_tokens)]])

    def timed(new_tokens):
        config = GenerationConfig(max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                                  do_sample=False, eos_token_id=None, pad_token_id=0)
        start = time.perf_counter()
        with torch.no_grad():
            model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=config)
        return time.perf_counter() - start

    timed(2)  # warm-up
    prefill = timed(1)
    total = timed(args.decode_tokens + 1)
    return args.decode_tokens / (total - prefill)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("tokenizer")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--prompt_tokens", type=int, default=32)
    parser.add_argument("--decode_tokens", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as work:
        model_dir = os.path.join(work, "qwen2.5-0.5b-shapes")
        subprocess.run([args.binary, "make-tiny-model", "--out", model_dir, "--tokenizer",
                        args.tokenizer, "--seed", "1"] + SHAPE_0_5B, check=True,
                       stdout=subprocess.DEVNULL)
        our_tps = ours(args.binary, model_dir, args)
        for name, dtype in [("bfloat16", torch.bfloat16), ("float32", torch.float32)]:
            theirs = hf_decode_tps(model_dir, dtype, args)
            print(f"HF transformers {name}: {theirs:.2f} tokens/s; "
                  f"ours / theirs = {our_tps / theirs:.2f} (goal >= 2)")


if __name__ == "__main__":
    main()
