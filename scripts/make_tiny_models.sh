#!/usr/bin/env bash
# The demo's and the integration tests' tiny model pair, in one place:
#   scripts/make_tiny_models.sh SOFTCOT_BINARY DIR
# writes DIR/base (hidden 64), DIR/assistant (hidden 32) and DIR/projection.safetensors
# (32 -> 64). Random weights from fixed seeds: same bytes every time, meaningless answers.
set -euo pipefail
softcot=${1:?usage: make_tiny_models.sh SOFTCOT_BINARY DIR}
dir=${2:?usage: make_tiny_models.sh SOFTCOT_BINARY DIR}
tokenizer=$(cd "$(dirname "$0")/.." && pwd)/data/tokenizers/qwen/tokenizer.json
mkdir -p "$dir"
"$softcot" make-tiny-model --out "$dir/base" --tokenizer "$tokenizer" --seed 1 \
  --hidden_size 64 --num_layers 2 --num_heads 4 --num_kv_heads 2 --intermediate_size 128 > /dev/null
"$softcot" make-tiny-model --out "$dir/assistant" --tokenizer "$tokenizer" --seed 2 \
  --hidden_size 32 --num_layers 2 --num_heads 2 --num_kv_heads 1 --intermediate_size 64 > /dev/null
"$softcot" make-tiny-projection --out "$dir/projection.safetensors" \
  --in_features 32 --out_features 64 --seed 3 > /dev/null
