#!/usr/bin/env python3
"""HF transformers reference outputs for tiny Llama-3 models (LlamaForCausalLM, f32, eager).

Builds tiny Llama directories with `softcot make-tiny-model --architecture llama` (fixed
seeds, so the gtests rebuild the very same bytes) and writes under
tests/oracle/fixtures/llama/<case>/:
  case.json          make-tiny-model flags, prompt ids (PROMPT_LEN, long enough that llama3
                     RoPE scaling changes the angles), the positions and logit columns kept,
                     the 64-token greedy continuation, versions
  inv_freq.f32       [head_dim / 2]   HF's rotary inv_freq buffer
  logits.f32         [positions, columns] logits at the kept positions and vocab columns
  last_logits.f32    [vocab]          every logit of the last prompt position (one case)
  hidden.f32         [positions, hidden] final-norm hidden states at the kept positions
  config_v5.json     the same config.json as transformers 5 re-saves it (rope_parameters,
                     dtype); the script checks that HF gives identical logits from both
and tests/oracle/fixtures/model_configs_v5/<name>/config.json: the four published configs of
../shared/data/model_configs/ re-saved by transformers 5. All .f32 files are raw
little-endian float32, row-major.

Usage: python3 tests/oracle/make_llama_fixtures.py SOFTCOT_BINARY SHARED_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch
import transformers
from transformers import AutoConfig, GenerationConfig, LlamaForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")

# llama3 scaling with factor 8 and 32; tied and untied; GQA; head_dim 64 and 128; q/k/v/o and
# MLP biases once. original_max_position_embeddings is chosen per case so the smoothed band
# and the divided band hold frequencies whose angles over PROMPT_LEN positions are large.
CASES = [
    dict(name="hd64_tied_gqa_f8_bf16", seed=201, hidden_size=128, num_layers=2, num_heads=4,
         num_kv_heads=2, head_dim=64, intermediate_size=256, dtype="bf16", tied=True,
         rope_theta=500000.0, factor=8.0, low=1.0, high=4.0, original=256),
    dict(name="hd128_untied_f32_f32", seed=202, hidden_size=256, num_layers=2, num_heads=2,
         num_kv_heads=1, intermediate_size=384, dtype="f32", tied=False,
         rope_theta=500000.0, factor=32.0, low=1.0, high=4.0, original=8192, full_last_row=True),
    dict(name="hd64_untied_bias_f32_bf16", seed=203, hidden_size=128, num_layers=2, num_heads=4,
         num_kv_heads=1, head_dim=64, intermediate_size=192, dtype="bf16", tied=False,
         rope_theta=500000.0, factor=32.0, low=2.0, high=8.0, original=512,
         attention_bias=True, mlp_bias=True),
    dict(name="hd128_tied_gqa_f8_bf16", seed=204, hidden_size=256, num_layers=2, num_heads=4,
         num_kv_heads=2, head_dim=128, intermediate_size=512, dtype="bf16", tied=True,
         rope_theta=500000.0, factor=8.0, low=1.0, high=4.0, original=1024),
]
PROMPT_LEN = 448
POSITION_STRIDE = 7        # kept positions: 0, 7, 14, ... and the last
LOGIT_COLUMN_STRIDE = 509  # kept vocab columns: 0, 509, ...
GREEDY_TOKENS = 64


def tiny_model_flags(case):
    flags = ["--architecture", "llama", "--seed", str(case["seed"]),
             "--hidden_size", str(case["hidden_size"]), "--num_layers", str(case["num_layers"]),
             "--num_heads", str(case["num_heads"]), "--num_kv_heads", str(case["num_kv_heads"]),
             "--intermediate_size", str(case["intermediate_size"]), "--dtype", case["dtype"],
             "--tied" if case["tied"] else "--untied", "--rope_theta", repr(case["rope_theta"]),
             "--max_position_embeddings", "131072",
             "--rope_scaling_factor", repr(case["factor"]), "--low_freq_factor", repr(case["low"]),
             "--high_freq_factor", repr(case["high"]),
             "--original_max_position_embeddings", str(case["original"])]
    if "head_dim" in case:
        flags += ["--head_dim", str(case["head_dim"])]
    if case.get("attention_bias"):
        flags.append("--attention_bias")
    if case.get("mlp_bias"):
        flags.append("--mlp_bias")
    return flags


def save_f32(path, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def load(model_dir):
    model, info = LlamaForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager",
                                                   output_loading_info=True)
    assert not any(info.values()), info  # every tensor used, none missing
    return model.eval()


def greedy(model, ids):
    config = GenerationConfig(max_new_tokens=GREEDY_TOKENS, min_new_tokens=GREEDY_TOKENS,
                              do_sample=False, eos_token_id=None, pad_token_id=0)
    with torch.no_grad():
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), generation_config=config)
    tokens = out[0, ids.shape[1]:].tolist()
    assert len(tokens) == GREEDY_TOKENS, len(tokens)
    return tokens


def greedy_margin(model, ids, tokens):
    """Smallest top-1 vs top-2 logit gap along the greedy path (ties would make it fragile)."""
    with torch.no_grad():
        full = torch.cat([ids, torch.tensor([tokens[:-1]])], 1)
        logits = model(input_ids=full).logits[0, ids.shape[1] - 1:]
    top2 = torch.topk(logits, 2, dim=-1).values
    return float((top2[:, 0] - top2[:, 1]).min())


def make_case(binary, tokenizer, case, work):
    model_dir = os.path.join(work, case["name"])
    subprocess.run([binary, "make-tiny-model", "--out", model_dir, "--tokenizer", tokenizer]
                   + tiny_model_flags(case), check=True, stdout=subprocess.DEVNULL)
    model = load(model_dir)
    assert model.config.rope_parameters["rope_type"] == "llama3", model.config.rope_parameters
    vocab = model.config.vocab_size
    rng = np.random.RandomState(case["seed"])
    prompt = rng.randint(0, 128000, size=PROMPT_LEN).tolist()  # regular (non-special) ids
    ids = torch.tensor([prompt])
    positions = list(range(0, PROMPT_LEN, POSITION_STRIDE))
    if positions[-1] != PROMPT_LEN - 1:
        positions.append(PROMPT_LEN - 1)
    columns = list(range(0, vocab, LOGIT_COLUMN_STRIDE))
    with torch.no_grad():
        out = model(input_ids=ids, output_hidden_states=True)

    # transformers 5 re-saves the published form as rope_parameters + dtype: the same model.
    v5_dir = os.path.join(work, case["name"] + "_v5")
    shutil.copytree(model_dir, v5_dir)
    model.config.save_pretrained(v5_dir)
    with open(os.path.join(v5_dir, "config.json")) as f:
        v5_config = json.load(f)
    assert "rope_parameters" in v5_config and "rope_scaling" not in v5_config, v5_config
    with torch.no_grad():
        v5_logits = load(v5_dir)(input_ids=ids).logits
    assert torch.equal(v5_logits, out.logits), "transformers reads the two forms differently"

    out_dir = os.path.join(OUT, "llama", case["name"])
    os.makedirs(out_dir, exist_ok=True)
    shutil.copyfile(os.path.join(v5_dir, "config.json"), os.path.join(out_dir, "config_v5.json"))
    save_f32(os.path.join(out_dir, "inv_freq.f32"), model.model.rotary_emb.inv_freq.numpy())
    save_f32(os.path.join(out_dir, "logits.f32"), out.logits[0][positions][:, columns].numpy())
    if case.get("full_last_row"):
        save_f32(os.path.join(out_dir, "last_logits.f32"), out.logits[0, -1].numpy())
    save_f32(os.path.join(out_dir, "hidden.f32"), out.hidden_states[-1][0][positions].numpy())
    tokens = greedy(model, ids)
    meta = dict(case, make_tiny_model_flags=tiny_model_flags(case), vocab_size=vocab,
                hidden_size=model.config.hidden_size, prompt=prompt, positions=positions,
                logit_column_stride=LOGIT_COLUMN_STRIDE, greedy=tokens,
                min_greedy_margin=greedy_margin(model, ids, tokens),
                transformers_version=transformers.__version__, torch_version=torch.__version__)
    with open(os.path.join(out_dir, "case.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(f"{case['name']}: vocab {vocab}, min greedy margin {meta['min_greedy_margin']:.4g}")


def resave_published_configs(shared):
    for name in sorted(os.listdir(os.path.join(shared, "data", "model_configs"))):
        config = AutoConfig.from_pretrained(os.path.join(shared, "data", "model_configs", name))
        out_dir = os.path.join(OUT, "model_configs_v5", name)
        os.makedirs(out_dir, exist_ok=True)
        config.save_pretrained(out_dir)
        print(f"{name}: re-saved with transformers {transformers.__version__}")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, shared = sys.argv[1], sys.argv[2]
    tokenizer = os.path.join(shared, "data", "tokenizers", "llama3_1_instruct", "tokenizer.json")
    torch.manual_seed(0)
    resave_published_configs(shared)
    with tempfile.TemporaryDirectory() as work:
        for case in CASES:
            make_case(binary, tokenizer, case, work)


if __name__ == "__main__":
    main()
