#!/usr/bin/env python3
"""Side-by-side tokenizer benchmark: softcot's C++ tokenizer against HF `tokenizers`, single
thread, on all GSM8K test questions. Prints tokens/s of each and our speed divided by
theirs (goal >= 1.0). Also checks that both produce the same ids for every question.

Timing excludes process start, reading the questions and loading tokenizer.json on both
sides. The first pass of each runs with a cold word cache, the next ones warm (both
tokenizers cache words). HF is timed both per text (encode, as one calls it from Python)
and per batch (encode_batch, which saves the Python call overhead); the ratio is taken
against the faster of the two, so it is the conservative figure.

    python3 tests/bench/tokenizer_bench.py --softcot build/src/softcot
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

# Single thread for HF: no rayon pool. Must be set before tokenizers is imported.
os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

from tokenizers import Tokenizer  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared"))


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--softcot", default=os.path.join(HERE, "..", "..", "build", "src", "softcot"))
    p.add_argument("--tokenizer", default=os.path.join(SHARED, "data", "tokenizers", "qwen3", "tokenizer.json"))
    p.add_argument("--questions", default=os.path.join(SHARED, "data", "gsm8k", "test.jsonl"))
    p.add_argument("--repeats", type=int, default=20, help="warm passes after the cold one")
    return p.parse_args()


def time_hf(path, texts, repeats):
    tok = Tokenizer.from_file(path)
    start = time.perf_counter()
    ids = [tok.encode(t, add_special_tokens=False).ids for t in texts]
    cold = time.perf_counter() - start
    tokens = sum(len(i) for i in ids)
    start = time.perf_counter()
    for _ in range(repeats):
        for t in texts:
            tok.encode(t, add_special_tokens=False)
    warm = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(repeats):
        tok.encode_batch(texts, add_special_tokens=False)
    batch = time.perf_counter() - start
    return ids, {"cold": tokens / cold, "warm": tokens * repeats / warm, "warm_batch": tokens * repeats / batch}


def main():
    args = parse_args()
    with open(args.questions) as f:
        texts = [json.loads(line)["question"] for line in f if line.strip()]
    lines = "".join(json.dumps(t) + "\n" for t in texts)

    with tempfile.TemporaryFile("w+") as stdin:
        stdin.write(lines)
        stdin.seek(0)
        ours_ids = [json.loads(l) for l in subprocess.run(
            [args.softcot, "tokenize", "--tokenizer", args.tokenizer], stdin=stdin,
            capture_output=True, text=True, check=True).stdout.splitlines()]
        stdin.seek(0)
        ours = json.loads(subprocess.run(
            [args.softcot, "tokenize", "--tokenizer", args.tokenizer, "--bench", str(args.repeats)],
            stdin=stdin, capture_output=True, text=True, check=True).stdout)

    hf_ids, hf = time_hf(args.tokenizer, texts, args.repeats)
    same = sum(a == b for a, b in zip(ours_ids, hf_ids))
    print(f"{len(texts)} GSM8K questions, {ours['tokens']} tokens; identical ids for {same}/{len(texts)}")
    print(f"{'':28}{'cold pass':>14}{'warm passes':>14}")
    print(f"{'softcot (C++)':28}{ours['cold_tokens_per_second']:>14,.0f}{ours['warm_tokens_per_second']:>14,.0f}  tokens/s")
    print(f"{'HF tokenizers encode':28}{hf['cold']:>14,.0f}{hf['warm']:>14,.0f}  tokens/s")
    print(f"{'HF tokenizers encode_batch':28}{'':>14}{hf['warm_batch']:>14,.0f}  tokens/s")
    best_hf = max(hf["warm"], hf["warm_batch"])
    print(f"ratio ours/HF, warm (vs the faster HF call): {ours['warm_tokens_per_second'] / best_hf:.2f}")
    print(f"ratio ours/HF, cold (vs encode):             {ours['cold_tokens_per_second'] / hf['cold']:.2f}")
    return 0 if same == len(texts) else 1


if __name__ == "__main__":
    sys.exit(main())
