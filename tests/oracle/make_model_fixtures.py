#!/usr/bin/env python3
"""HF transformers reference outputs for the C++ Qwen2 forward pass and generation.

Builds tiny Qwen2 model directories with `softcot make-tiny-model` (fixed seeds, so the
gtests can rebuild the very same bytes), loads each into transformers' Qwen2ForCausalLM
in float32, and writes under tests/oracle/fixtures/model/<case>/:
  case.json            make-tiny-model flags, prompt ids, injected rows, greedy tokens
  logits.f32           [prompt, columns] logits at every prompt position, for the vocab
                                         columns 0, 127, 254, ... (the full vocab is 151k)
  last_logits.f32      [vocab]           every logit of the last position (some cases)
  hidden.f32           [prompt, hidden]  final-norm hidden states (hidden_states[-1])
  injected_vectors.f32 [rows, hidden]    the vectors written over some prompt embeddings
  injected_logits.f32  [prompt, columns] the same outputs for the injected input
  injected_hidden.f32  [prompt, hidden]
and tests/oracle/fixtures/processors/: HF's logits processors on fixed random logits.
All .f32 files are raw little-endian float32, row-major.

Usage: python3 tests/oracle/make_model_fixtures.py SOFTCOT_BINARY TOKENIZER_JSON
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from transformers import (GenerationConfig, Qwen2ForCausalLM, RepetitionPenaltyLogitsProcessor,
                          TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")

# Two head sizes (64 as Qwen2.5-0.5B, 128 as 1.5B), tied and untied heads, bf16 and f32
# storage, GQA. make-tiny-model keeps the tokenizer's whole vocabulary (151669 ids), so
# the fixtures keep a strided subset of logit columns, and one full row for two cases.
CASES = [
    dict(name="hd64_tied_bf16", seed=101, hidden_size=128, num_layers=2, num_heads=2,
         num_kv_heads=1, intermediate_size=256, dtype="bf16", tied=True, full_last_row=True),
    dict(name="hd64_untied_gqa_bf16", seed=102, hidden_size=96, num_layers=3, num_heads=4,
         num_kv_heads=2, head_dim=64, intermediate_size=192, dtype="bf16", tied=False),
    dict(name="hd128_untied_f32", seed=103, hidden_size=256, num_layers=2, num_heads=2,
         num_kv_heads=1, intermediate_size=384, dtype="f32", tied=False, full_last_row=True),
    dict(name="hd128_tied_gqa_bf16", seed=104, hidden_size=256, num_layers=2, num_heads=4,
         num_kv_heads=2, head_dim=128, intermediate_size=512, dtype="bf16", tied=True),
]
LOGIT_COLUMN_STRIDE = 127
PROMPT_LEN = 12
GREEDY_TOKENS = 64
REPETITION_PENALTY = 1.3  # a second greedy run, to pin which tokens the penalty sees


def tiny_model_flags(case):
    flags = ["--seed", str(case["seed"]), "--hidden_size", str(case["hidden_size"]),
             "--num_layers", str(case["num_layers"]), "--num_heads", str(case["num_heads"]),
             "--num_kv_heads", str(case["num_kv_heads"]),
             "--intermediate_size", str(case["intermediate_size"]),
             "--dtype", case["dtype"],
             "--tied" if case["tied"] else "--untied"]
    if "head_dim" in case:
        flags += ["--head_dim", str(case["head_dim"])]
    return flags


def save_f32(path, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def greedy(model, penalty, input_ids=None, inputs_embeds=None):
    config = GenerationConfig(max_new_tokens=GREEDY_TOKENS, min_new_tokens=GREEDY_TOKENS,
                              do_sample=False, repetition_penalty=penalty, eos_token_id=None,
                              pad_token_id=0)
    with torch.no_grad():
        out = model.generate(input_ids=input_ids, inputs_embeds=inputs_embeds,
                             attention_mask=torch.ones(1, PROMPT_LEN, dtype=torch.long),
                             generation_config=config)
    tokens = out[0].tolist()
    if input_ids is not None:  # generate() returns the prompt too when it started from ids
        tokens = tokens[PROMPT_LEN:]
    assert len(tokens) == GREEDY_TOKENS, len(tokens)
    return tokens


def greedy_margins(model, prompt_embeds, tokens):
    """Smallest top-1 vs top-2 logit gap along a greedy path, to show ties are not an issue."""
    with torch.no_grad():
        embeds = torch.cat([prompt_embeds, model.get_input_embeddings()(torch.tensor([tokens[:-1]]))], 1)
        logits = model(inputs_embeds=embeds).logits[0, PROMPT_LEN - 1:]
    top2 = torch.topk(logits, 2, dim=-1).values
    return float((top2[:, 0] - top2[:, 1]).min())


def make_case(binary, tokenizer, case, work):
    model_dir = os.path.join(work, case["name"])
    subprocess.run([binary, "make-tiny-model", "--out", model_dir, "--tokenizer", tokenizer]
                   + tiny_model_flags(case), check=True)
    model = Qwen2ForCausalLM.from_pretrained(model_dir, dtype=torch.float32,
                                             attn_implementation="eager").eval()
    vocab = model.config.vocab_size
    rng = np.random.RandomState(case["seed"])
    prompt = rng.randint(0, 151643, size=PROMPT_LEN).tolist()  # regular (non-special) ids
    ids = torch.tensor([prompt])
    injected_rows = [3, 4, 5, 6]
    vectors = rng.standard_normal((len(injected_rows), model.config.hidden_size)).astype(np.float32)
    vectors *= 0.05

    out_dir = os.path.join(OUT, "model", case["name"])
    os.makedirs(out_dir, exist_ok=True)
    columns = list(range(0, vocab, LOGIT_COLUMN_STRIDE))
    with torch.no_grad():
        plain = model(input_ids=ids, output_hidden_states=True)
        embeds = model.get_input_embeddings()(ids).clone()
        embeds[0, injected_rows] = torch.from_numpy(vectors)
        injected = model(inputs_embeds=embeds, output_hidden_states=True)
    save_f32(os.path.join(out_dir, "logits.f32"), plain.logits[0][:, columns].numpy())
    if case.get("full_last_row"):
        save_f32(os.path.join(out_dir, "last_logits.f32"), plain.logits[0, -1].numpy())
    save_f32(os.path.join(out_dir, "hidden.f32"), plain.hidden_states[-1][0].numpy())
    save_f32(os.path.join(out_dir, "injected_vectors.f32"), vectors)
    save_f32(os.path.join(out_dir, "injected_logits.f32"), injected.logits[0][:, columns].numpy())
    save_f32(os.path.join(out_dir, "injected_hidden.f32"), injected.hidden_states[-1][0].numpy())

    greedy_ids = greedy(model, 1.0, input_ids=ids)
    greedy_injected = greedy(model, 1.0, inputs_embeds=embeds)
    meta = dict(case, make_tiny_model_flags=tiny_model_flags(case), vocab_size=vocab,
                hidden_size=model.config.hidden_size, prompt=prompt,
                logit_column_stride=LOGIT_COLUMN_STRIDE,
                injected_rows=injected_rows, greedy=greedy_ids, greedy_injected=greedy_injected,
                repetition_penalty=REPETITION_PENALTY,
                greedy_penalized=greedy(model, REPETITION_PENALTY, input_ids=ids),
                greedy_injected_penalized=greedy(model, REPETITION_PENALTY, inputs_embeds=embeds),
                min_greedy_margin=min(greedy_margins(model, model.get_input_embeddings()(ids), greedy_ids),
                                      greedy_margins(model, embeds, greedy_injected)),
                transformers_version=__import__("transformers").__version__,
                torch_version=torch.__version__)
    with open(os.path.join(out_dir, "case.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{case['name']}: vocab {vocab}, min greedy margin {meta['min_greedy_margin']:.4g}")


# (repetition_penalty, temperature, top_k, top_p, history length)
PROCESSOR_CASES = [
    (1.3, 0.7, 50, 0.9, 20),
    (1.0, 1.0, 0, 0.95, 0),
    (1.1, 1.5, 5, 1.0, 7),
    (1.0, 1.0, 20, 1.0, 0),
    (1.2, 1.0, 0, 0.5, 30),
    (1.0, 0.5, 1000, 0.3, 3),
    (2.0, 1.0, 1, 1.0, 12),
]


def make_processor_fixtures():
    out_dir = os.path.join(OUT, "processors")
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.RandomState(7)
    vocab = 1000
    cases = []
    for index, (penalty, temperature, top_k, top_p, history) in enumerate(PROCESSOR_CASES):
        logits = (rng.standard_normal(vocab) * 3).astype(np.float32)
        if index == 3:  # ties at the k-th value: HF keeps every tied token
            logits[rng.choice(vocab, 40, replace=False)] = np.sort(logits)[-20]
        ids = rng.randint(0, vocab, size=history).tolist()
        if history:
            ids += ids[:3]  # repeated tokens are penalised once
        scores = torch.from_numpy(logits.copy())[None]
        input_ids = torch.tensor([ids], dtype=torch.long).reshape(1, len(ids))
        # The order of GenerationMixin._get_logits_processor for sampling.
        processors = []
        if penalty != 1.0:
            processors.append(RepetitionPenaltyLogitsProcessor(penalty))
        if temperature != 1.0:
            processors.append(TemperatureLogitsWarper(temperature))
        if top_k != 0:
            processors.append(TopKLogitsWarper(top_k))
        if top_p < 1.0:
            processors.append(TopPLogitsWarper(top_p))
        for p in processors:
            scores = p(input_ids, scores)
        probs = torch.softmax(scores, dim=-1)
        save_f32(os.path.join(out_dir, f"case{index}_logits.f32"), logits)
        save_f32(os.path.join(out_dir, f"case{index}_processed.f32"), scores[0].numpy())
        save_f32(os.path.join(out_dir, f"case{index}_probs.f32"), probs[0].numpy())
        cases.append(dict(index=index, repetition_penalty=penalty, temperature=temperature,
                          top_k=top_k, top_p=top_p, history=ids, vocab=vocab,
                          kept=int(torch.isfinite(scores).sum())))
    with open(os.path.join(out_dir, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)
    print(f"processors: {len(cases)} cases")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, tokenizer = sys.argv[1], sys.argv[2]
    torch.manual_seed(0)
    make_processor_fixtures()
    with tempfile.TemporaryDirectory() as work:
        for case in CASES:
            make_case(binary, tokenizer, case, work)


if __name__ == "__main__":
    main()
