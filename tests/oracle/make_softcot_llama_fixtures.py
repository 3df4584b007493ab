#!/usr/bin/env python3
"""HF transformers reference outputs for the SoftCoT pipeline with Llama-3 models.

Like make_softcot_fixtures.py (read its docstring for the steps), for three cases:
  llama_pair        tiny Llama base (Llama-3.1-Instruct tokenizer files, llama3 RoPE) and
                    tiny Llama assistant (Llama-3.2-Instruct tokenizer files)
  llama_qwen        a mixed pair: the tiny Llama base with a tiny Qwen2 assistant
  llama_pair_ckpt   the Llama pair with --assistant_model_ckpt: the assistant's weights
                    replaced, as the reference does, by
                    assistant_model.load_state_dict(torch.load(ckpt)); the ckpt holds the
                    weights of another make-tiny-model seed (its model.safetensors, which the
                    gtest passes as the ckpt; here torch.save writes it as a torch zip too)
Prompt ids come from `softcot prompts` (tests/unit/softcot/prompts_command_test.cpp checks
those against the reference's builders). Writes tests/oracle/fixtures/softcot_pipeline_llama/<case>/
with the same files as the Qwen fixtures.

Usage: python3 tests/oracle/make_softcot_llama_fixtures.py SOFTCOT_BINARY SHARED_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import transformers
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "softcot_pipeline_llama")

LLAMA_ROPE = ["--rope_theta", "500000.0", "--rope_scaling_factor", "8.0", "--original_max_position_embeddings", "64"]
LLAMA_BASE = ["--architecture", "llama", "--seed", "231", "--hidden_size", "64", "--num_layers", "2",
              "--num_heads", "4", "--num_kv_heads", "2", "--intermediate_size", "128", "--dtype", "f32",
              "--untied"] + LLAMA_ROPE
LLAMA_ASSISTANT = ["--architecture", "llama", "--seed", "232", "--hidden_size", "32", "--num_layers", "2",
                   "--num_heads", "2", "--num_kv_heads", "1", "--head_dim", "32", "--intermediate_size", "64",
                   "--dtype", "f32", "--tied"] + LLAMA_ROPE
QWEN_ASSISTANT = ["--seed", "233", "--hidden_size", "32", "--num_layers", "2", "--num_heads", "2",
                  "--num_kv_heads", "1", "--intermediate_size", "64", "--dtype", "f32", "--tied"]
CKPT_SEED = "234"  # the fine-tuned assistant: the same shapes, another seed
PROJECTION = ["--in_features", "32", "--out_features", "64", "--seed", "235", "--dtype", "f32"]
NUM_THOUGHT_TOKENS = 4
TEST_K = 2
LOGIT_COLUMN_STRIDE = 61
TOP = 5


def cases(shared):
    tok = lambda name: os.path.join(shared, "data", "tokenizers", name, "tokenizer.json")
    return [
        dict(name="llama_pair", base_flags=LLAMA_BASE, base_tokenizer=tok("llama3_1_instruct"),
             assistant_flags=LLAMA_ASSISTANT, assistant_tokenizer=tok("llama3_2_instruct"),
             base_family="llama", assistant_family="llama"),
        dict(name="llama_qwen", base_flags=LLAMA_BASE, base_tokenizer=tok("llama3_1_instruct"),
             assistant_flags=QWEN_ASSISTANT, assistant_tokenizer=tok("qwen3"),
             base_family="llama", assistant_family="qwen"),
        dict(name="llama_pair_ckpt", base_flags=LLAMA_BASE, base_tokenizer=tok("llama3_1_instruct"),
             assistant_flags=LLAMA_ASSISTANT, assistant_tokenizer=tok("llama3_2_instruct"),
             base_family="llama", assistant_family="llama",
             ckpt_flags=[f if f != "232" else CKPT_SEED for f in LLAMA_ASSISTANT]),
    ]


def save_f32(path, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def load_model(path):
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, attn_implementation="eager").eval()


def make(binary, out, tokenizer, flags):
    subprocess.run([binary, "make-tiny-model", "--out", out, "--tokenizer", tokenizer] + flags,
                   check=True, stdout=subprocess.DEVNULL)


def make_case(binary, shared, case, work):
    base_dir, assistant_dir = os.path.join(work, "base"), os.path.join(work, "assistant")
    projection_file = os.path.join(work, "projection.safetensors")
    make(binary, base_dir, case["base_tokenizer"], case["base_flags"])
    make(binary, assistant_dir, case["assistant_tokenizer"], case["assistant_flags"])
    subprocess.run([binary, "make-tiny-projection", "--out", projection_file] + PROJECTION,
                   check=True, stdout=subprocess.DEVNULL)
    prompts = subprocess.run(
        [binary, "prompts", "--base_model_id", base_dir, "--assistant_model_id", assistant_dir,
         "--task_name", "gsm8k", "--num_thought_tokens", str(NUM_THOUGHT_TOKENS), "--test_k", str(TEST_K),
         "--base_model_family", case["base_family"], "--assistant_model_family", case["assistant_family"]],
        check=True, capture_output=True, text=True).stdout.splitlines()
    prompts = [json.loads(line) for line in prompts if line.strip()]
    assert len(prompts) == TEST_K, prompts

    base, assistant = load_model(base_dir), load_model(assistant_dir)
    if "ckpt_flags" in case:
        tuned_dir = os.path.join(work, "tuned")
        make(binary, tuned_dir, case["assistant_tokenizer"], case["ckpt_flags"])
        ckpt = os.path.join(work, "assistant_model.bin")
        state = load_file(os.path.join(tuned_dir, "model.safetensors"))
        state["lm_head.weight"] = state["model.embed_tokens.weight"]  # as state_dict() names a tied head
        torch.save(state, ckpt)
        before = assistant.model.embed_tokens.weight.clone()
        assistant.load_state_dict(torch.load(ckpt, weights_only=True))  # strict, as the reference
        assert not torch.equal(before, assistant.model.embed_tokens.weight)
        assert torch.equal(assistant.lm_head.weight, assistant.model.embed_tokens.weight)
    tensors = load_file(projection_file)
    projection = torch.nn.Linear(tensors["weight"].shape[1], tensors["weight"].shape[0], bias=True)
    with torch.no_grad():
        projection.weight.copy_(tensors["weight"].float())
        projection.bias.copy_(tensors["bias"].float())

    out_dir = os.path.join(OUT, case["name"])
    os.makedirs(out_dir, exist_ok=True)
    vocab = base.config.vocab_size
    columns = list(range(0, vocab, LOGIT_COLUMN_STRIDE))
    questions = []
    for p in prompts:
        b0, b1, a0, a1 = p["thought_index"]
        with torch.no_grad():
            a_out = assistant(input_ids=torch.tensor([p["assistant_ids"]]), output_hidden_states=True)
            thoughts = a_out.hidden_states[-1][0, a0:a1]
            projected = projection(thoughts)
            embeds = base.get_input_embeddings()(torch.tensor([p["base_ids"]])).clone()
            embeds[0, b0:b1] = projected
            b_out = base(inputs_embeds=embeds, output_hidden_states=True)
        logits = b_out.logits[0, -1]
        top = torch.topk(logits, TOP)
        idx = p["idx"]
        prefix = os.path.join(out_dir, f"q{idx}")
        save_f32(prefix + "_assistant.f32", thoughts.numpy())
        save_f32(prefix + "_projected.f32", projected.numpy())
        save_f32(prefix + "_base_hidden.f32", b_out.hidden_states[-1][0, -1].numpy())
        save_f32(prefix + "_logits.f32", logits[columns].numpy())
        questions.append(dict(idx=idx, base_ids=p["base_ids"], assistant_ids=p["assistant_ids"],
                              thought_index=p["thought_index"], argmax=int(top.indices[0]),
                              top_ids=top.indices.tolist(), top_values=top.values.tolist(),
                              top_gap=float(top.values[0] - top.values[1])))
        print(f"{case['name']} q{idx}: base {len(p['base_ids'])} ids, assistant {len(p['assistant_ids'])} ids")
    meta = dict(case, projection_flags=PROJECTION, num_thought_tokens=NUM_THOUGHT_TOKENS, task_name="gsm8k",
                test_k=TEST_K, vocab_size=vocab, base_hidden=base.config.hidden_size,
                assistant_hidden=assistant.config.hidden_size, logit_column_stride=LOGIT_COLUMN_STRIDE,
                questions=questions, transformers_version=transformers.__version__, torch_version=torch.__version__)
    for key in ("base_tokenizer", "assistant_tokenizer"):  # relative to SHARED_DIR
        meta[key] = os.path.relpath(meta[key], shared)
    with open(os.path.join(out_dir, "case.json"), "w") as f:
        json.dump(meta, f, indent=1)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, shared = sys.argv[1], sys.argv[2]
    for case in cases(shared):
        with tempfile.TemporaryDirectory() as work:
            make_case(binary, shared, case, work)


if __name__ == "__main__":
    main()
