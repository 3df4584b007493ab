#!/usr/bin/env python3
"""torch.save state dicts for --assistant_model_ckpt's loader (tests/unit/io/fine_tuned_weights_test.cpp).

Writes tests/oracle/fixtures/assistant_ckpt/:
  model/             a tiny tied bf16 LlamaForCausalLM directory (save_pretrained)
  ok_f32.bin         torch.save of an f32 state dict with every parameter (lm_head.weight too,
                     as state_dict() names a tied head)
  q_proj_after_load.bf16  model.layers.0.self_attn.q_proj.weight of the bf16 model after
                     model.load_state_dict(torch.load("ok_f32.bin")): torch's own rounding
  missing.bin, extra.bin, wrong_shape.bin, untied_head.bin   what strict loading refuses

Usage: python3 tests/oracle/make_assistant_ckpt_fixtures.py
"""
import os

import numpy as np
import torch
from transformers import LlamaConfig, LlamaForCausalLM

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "assistant_ckpt")


def main():
    torch.manual_seed(5)
    config = LlamaConfig(vocab_size=32, hidden_size=8, intermediate_size=16, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, tie_word_embeddings=True,
                         rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                       "high_freq_factor": 4.0, "original_max_position_embeddings": 64},
                         rope_theta=500000.0)
    model = LlamaForCausalLM(config).to(torch.bfloat16)
    os.makedirs(OUT, exist_ok=True)
    model.save_pretrained(os.path.join(OUT, "model"))
    tuned = {k: torch.randn(v.shape, dtype=torch.float32) for k, v in model.state_dict().items()}
    tuned["lm_head.weight"] = tuned["model.embed_tokens.weight"]
    torch.save(tuned, os.path.join(OUT, "ok_f32.bin"))
    model.load_state_dict(torch.load(os.path.join(OUT, "ok_f32.bin"), weights_only=True))
    q = model.model.layers[0].self_attn.q_proj.weight.detach()
    np.ascontiguousarray(q.view(torch.int16).numpy()).astype("<i2").tofile(os.path.join(OUT, "q_proj_after_load.bf16"))

    missing = dict(tuned)
    del missing["model.norm.weight"]
    torch.save(missing, os.path.join(OUT, "missing.bin"))
    extra = dict(tuned)
    extra["model.layers.0.self_attn.rotary_emb.inv_freq"] = torch.ones(2)
    torch.save(extra, os.path.join(OUT, "extra.bin"))
    wrong = dict(tuned)
    wrong["model.layers.0.mlp.up_proj.weight"] = tuned["model.layers.0.mlp.up_proj.weight"].t().contiguous()
    torch.save(wrong, os.path.join(OUT, "wrong_shape.bin"))
    untied = dict(tuned)
    untied["lm_head.weight"] = torch.randn(tuned["lm_head.weight"].shape)
    torch.save(untied, os.path.join(OUT, "untied_head.bin"))
    print(f"wrote {OUT} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
