#!/usr/bin/env python3
"""HF transformers reference outputs for the SoftCoT pipeline (soft thoughts end to end).

For the first few GSM8K test questions, with two tiny float32 Qwen2 models of different
widths (the assistant and the base) and a float32 projection between them, all made by the
softcot binary from fixed seeds (so tests/unit/softcot/pipeline_parity_test.cpp rebuilds the
very same bytes):

  1. the prompt ids come from `softcot prompts` (the same flags as `softcot eval`);
  2. the assistant (Qwen2ForCausalLM, f32, eager attention) runs on its prompt with
     output_hidden_states; hidden_states[-1] (after the final norm) at the N placeholder
     positions thought_index[2]:thought_index[3] are the soft thoughts;
  3. torch.nn.Linear loaded from the projection's safetensors maps them to the base width;
  4. they overwrite the base model's input embeddings at thought_index[0]:thought_index[1];
  5. the base model's logits at the last prompt position are the first generated token's.

Writes tests/oracle/fixtures/softcot_pipeline/:
  case.json                 flags, per question: idx, base_ids, assistant_ids, thought_index,
                            argmax and top-5 (ids, values) of the first-token logits
  q<idx>_assistant.f32      [N, assistant hidden]  assistant final-norm hidden states
  q<idx>_projected.f32      [N, base hidden]       the projected soft thoughts
  q<idx>_base_hidden.f32    [base hidden]          the base model's final-norm hidden state
                                                   at the last prompt position
  q<idx>_logits.f32         [vocab / stride]       first-token logits, columns 0, s, 2s, ...
All .f32 files are raw little-endian float32, row-major.

Usage: python3 tests/oracle/make_softcot_fixtures.py SOFTCOT_BINARY TOKENIZER_JSON
(the tokenizer is the bundled data/tokenizers/qwen/tokenizer.json).
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from safetensors.torch import load_file
from transformers import Qwen2ForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "softcot_pipeline")

# Different widths, GQA in both, f32 storage; the base has an untied head.
BASE_FLAGS = ["--seed", "211", "--hidden_size", "64", "--num_layers", "2", "--num_heads", "4",
              "--num_kv_heads", "2", "--intermediate_size", "128", "--dtype", "f32", "--untied"]
ASSISTANT_FLAGS = ["--seed", "212", "--hidden_size", "32", "--num_layers", "2", "--num_heads", "2",
                   "--num_kv_heads", "1", "--intermediate_size", "64", "--dtype", "f32", "--tied"]
# make-tiny-projection's default std (0.5) makes soft thoughts far larger than the
# embeddings (std 0.02), so a wrong injection row or order shows in the logits.
PROJECTION_FLAGS = ["--in_features", "32", "--out_features", "64", "--seed", "213", "--dtype", "f32"]
NUM_THOUGHT_TOKENS = 4
TEST_K = 3
LOGIT_COLUMN_STRIDE = 61
TOP = 5


def save_f32(path, array):
    np.ascontiguousarray(array, dtype="<f4").tofile(path)


def load_model(path):
    return Qwen2ForCausalLM.from_pretrained(path, dtype=torch.float32,
                                            attn_implementation="eager").eval()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, tokenizer = sys.argv[1], sys.argv[2]
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        base_dir, assistant_dir = os.path.join(work, "base"), os.path.join(work, "assistant")
        projection_file = os.path.join(work, "projection.safetensors")
        subprocess.run([binary, "make-tiny-model", "--out", base_dir, "--tokenizer", tokenizer]
                       + BASE_FLAGS, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([binary, "make-tiny-model", "--out", assistant_dir, "--tokenizer", tokenizer]
                       + ASSISTANT_FLAGS, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([binary, "make-tiny-projection", "--out", projection_file] + PROJECTION_FLAGS,
                       check=True, stdout=subprocess.DEVNULL)
        prompts = subprocess.run(
            [binary, "prompts", "--base_model_id", base_dir, "--assistant_model_id", assistant_dir,
             "--params_file_name", projection_file, "--task_name", "gsm8k",
             "--num_thought_tokens", str(NUM_THOUGHT_TOKENS), "--test_k", str(TEST_K),
             "--base_model_family", "qwen", "--assistant_model_family", "qwen"],
            check=True, capture_output=True, text=True).stdout.splitlines()
        prompts = [json.loads(line) for line in prompts if line.strip()]
        assert len(prompts) == TEST_K, prompts

        base, assistant = load_model(base_dir), load_model(assistant_dir)
        tensors = load_file(projection_file)
        weight_name = next(k for k in tensors if k.endswith("weight"))
        bias_name = next(k for k in tensors if k.endswith("bias"))
        out_features, in_features = tensors[weight_name].shape
        projection = torch.nn.Linear(in_features, out_features, bias=True)
        with torch.no_grad():
            projection.weight.copy_(tensors[weight_name].float())
            projection.bias.copy_(tensors[bias_name].float())
        assert in_features == assistant.config.hidden_size
        assert out_features == base.config.hidden_size

        vocab = base.config.vocab_size
        columns = list(range(0, vocab, LOGIT_COLUMN_STRIDE))
        questions = []
        for p in prompts:
            b0, b1, a0, a1 = p["thought_index"]
            assert b1 - b0 == NUM_THOUGHT_TOKENS and a1 - a0 == NUM_THOUGHT_TOKENS, p["thought_index"]
            with torch.no_grad():
                a_out = assistant(input_ids=torch.tensor([p["assistant_ids"]]),
                                  output_hidden_states=True)
                thoughts = a_out.hidden_states[-1][0, a0:a1]
                projected = projection(thoughts)
                ids = torch.tensor([p["base_ids"]])
                embeds = base.get_input_embeddings()(ids).clone()
                embeds[0, b0:b1] = projected
                b_out = base(inputs_embeds=embeds, output_hidden_states=True)
            logits = b_out.logits[0, -1]
            top = torch.topk(logits, TOP)
            idx = p["idx"]
            save_f32(os.path.join(OUT, f"q{idx}_assistant.f32"), thoughts.numpy())
            save_f32(os.path.join(OUT, f"q{idx}_projected.f32"), projected.numpy())
            save_f32(os.path.join(OUT, f"q{idx}_base_hidden.f32"), b_out.hidden_states[-1][0, -1].numpy())
            save_f32(os.path.join(OUT, f"q{idx}_logits.f32"), logits[columns].numpy())
            questions.append(dict(idx=idx, base_ids=p["base_ids"], assistant_ids=p["assistant_ids"],
                                  thought_index=p["thought_index"], argmax=int(top.indices[0]),
                                  top_ids=top.indices.tolist(), top_values=top.values.tolist(),
                                  top_gap=float(top.values[0] - top.values[1])))
            print(f"q{idx}: base {len(p['base_ids'])} ids, assistant {len(p['assistant_ids'])} ids, "
                  f"argmax {questions[-1]['argmax']} (gap {questions[-1]['top_gap']:.3g})")

    meta = dict(base_flags=BASE_FLAGS, assistant_flags=ASSISTANT_FLAGS,
                projection_flags=PROJECTION_FLAGS, num_thought_tokens=NUM_THOUGHT_TOKENS,
                task_name="gsm8k", test_k=TEST_K, model_family="qwen", vocab_size=vocab,
                base_hidden=base.config.hidden_size, assistant_hidden=assistant.config.hidden_size,
                logit_column_stride=LOGIT_COLUMN_STRIDE, questions=questions,
                transformers_version=__import__("transformers").__version__,
                torch_version=torch.__version__)
    with open(os.path.join(OUT, "case.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
