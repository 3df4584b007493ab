#!/usr/bin/env python3
"""Checks that HF transformers loads what `softcot make-tiny-model` writes.

Usage: check_tiny_model_loads.py SOFTCOT_BINARY TOKENIZER_JSON WORK_DIR
Writes a tied bf16 model and an untied f32 model with a custom head_dim, loads each
with AutoModelForCausalLM / AutoTokenizer / GenerationConfig, checks that every tensor
the safetensors file holds reached the model unchanged, and that a forward pass gives
finite, non-degenerate logits. Exit 0 on success, 77 when torch/transformers are absent.
"""
import json
import os
import subprocess
import sys

try:
    import torch
    import transformers
    from safetensors.torch import load_file
except ImportError as e:  # not a failure of ours: skip
    print(f"skip: {e}")
    sys.exit(77)


def make(binary, tokenizer, out, *extra):
    subprocess.run([binary, "make-tiny-model", "--out", out, "--tokenizer", tokenizer, *extra],
                   check=True, stdout=subprocess.DEVNULL)


def check(out, expect_dtype, tied):
    model = transformers.AutoModelForCausalLM.from_pretrained(out, dtype=expect_dtype)
    assert type(model).__name__ == "Qwen2ForCausalLM", type(model).__name__
    state = model.state_dict()
    stored = load_file(os.path.join(out, "model.safetensors"))
    for name, tensor in stored.items():
        assert name in state, f"{name} not in the HF model"
        assert state[name].dtype == tensor.dtype, (name, state[name].dtype, tensor.dtype)
        assert torch.equal(state[name], tensor), f"{name} differs after loading"
    # Every parameter of the model came from the file (tied head shares the embedding).
    missing = [n for n in state if n not in stored and not (tied and n == "lm_head.weight")]
    assert not missing, f"parameters not in the file: {missing[:5]}"
    if tied:
        assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()

    gen = transformers.GenerationConfig.from_pretrained(out)
    assert gen.do_sample and gen.top_k == 20 and gen.top_p == 0.8 and gen.temperature == 0.7
    assert gen.repetition_penalty == 1.1 and list(gen.eos_token_id) == [151645, 151643]
    tok = transformers.AutoTokenizer.from_pretrained(out)
    ids = tok("Natalia sold clips to 48 of her friends in April.", return_tensors="pt").input_ids
    with torch.no_grad():
        logits = model(ids).logits.float()
    assert torch.isfinite(logits).all()
    # Non-degenerate: positions disagree and each position's distribution is not flat.
    assert logits.std(dim=-1).min() > 1e-3, logits.std(dim=-1)
    assert len(set(logits[0].argmax(-1).tolist())) > 1, "every position predicts the same token"
    return model.config


def main():
    binary, tokenizer, work = sys.argv[1:4]
    tied_dir = os.path.join(work, "tiny_tied_bf16")
    untied_dir = os.path.join(work, "tiny_untied_f32")
    make(binary, tokenizer, tied_dir, "--seed", "3")
    make(binary, tokenizer, untied_dir, "--seed", "4", "--untied", "--dtype", "f32",
         "--hidden_size", "48", "--num_heads", "4", "--num_kv_heads", "1", "--head_dim", "16",
         "--num_layers", "3")
    config = check(tied_dir, torch.bfloat16, tied=True)
    assert config.tie_word_embeddings and config.num_hidden_layers == 2
    config = check(untied_dir, torch.float32, tied=False)
    assert not config.tie_word_embeddings and config.head_dim == 16 and config.num_key_value_heads == 1
    with open(os.path.join(tied_dir, "config.json")) as f:
        assert json.load(f)["vocab_size"] == 151669
    print(f"ok: transformers {transformers.__version__} loads both tiny models")


if __name__ == "__main__":
    main()
