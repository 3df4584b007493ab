#!/usr/bin/env bash
# A tiny Llama-3 pair for the second demo config and the Llama integration test:
#   scripts/make_tiny_llama_models.sh SOFTCOT_BINARY DIR [TOKENIZERS_DIR]
# writes DIR/tiny-Llama-3.1-base (hidden 64, Meta's Llama-3.1-Instruct tokenizer files and
# chat template), DIR/tiny-Llama-3.2-assistant (hidden 32, Llama-3.2-Instruct's) and
# DIR/projection.safetensors (32 -> 64). Both use llama3 RoPE scaling (theta 500000, factor
# 32 / 8, original context 64, so the scaling acts on short prompts). TOKENIZERS_DIR holds
# llama3_1_instruct/ and llama3_2_instruct/ (tokenizer.json + tokenizer_config.json; Meta
# Llama 3.1/3.2 licences, not bundled here); default: ../shared/data/tokenizers beside the
# source tree. Random weights from fixed seeds: same bytes every time, meaningless answers.
set -euo pipefail
softcot=${1:?usage: make_tiny_llama_models.sh SOFTCOT_BINARY DIR [TOKENIZERS_DIR]}
dir=${2:?usage: make_tiny_llama_models.sh SOFTCOT_BINARY DIR [TOKENIZERS_DIR]}
root=$(cd "$(dirname "$0")/.." && pwd)
tokenizers=${3:-$root/../shared/data/tokenizers}
for t in llama3_1_instruct llama3_2_instruct; do
  [ -f "$tokenizers/$t/tokenizer.json" ] || { echo "make_tiny_llama_models.sh: $tokenizers/$t/tokenizer.json: missing (give TOKENIZERS_DIR)" >&2; exit 2; }
done
mkdir -p "$dir"
rope="--architecture llama --rope_theta 500000 --original_max_position_embeddings 64"
"$softcot" make-tiny-model --out "$dir/tiny-Llama-3.1-base" --tokenizer "$tokenizers/llama3_1_instruct/tokenizer.json" \
  $rope --rope_scaling_factor 8 --seed 11 --hidden_size 64 --num_layers 2 --num_heads 4 --num_kv_heads 2 \
  --intermediate_size 128 --untied > /dev/null
"$softcot" make-tiny-model --out "$dir/tiny-Llama-3.2-assistant" --tokenizer "$tokenizers/llama3_2_instruct/tokenizer.json" \
  $rope --rope_scaling_factor 32 --seed 12 --hidden_size 32 --num_layers 2 --num_heads 2 --num_kv_heads 1 \
  --intermediate_size 64 --tied > /dev/null
"$softcot" make-tiny-projection --out "$dir/projection.safetensors" \
  --in_features 32 --out_features 64 --seed 13 > /dev/null
