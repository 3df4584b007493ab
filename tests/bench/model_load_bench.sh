#!/bin/bash
# Model loading benchmark: GB/s from the page cache for a ~1 GB generated bf16 model.
# Usage: tests/bench/model_load_bench.sh BUILD_DIR [WORK_DIR]
#   BUILD_DIR: a configured and built tree (needs src/softcot, src/libsoftcot_io.a, src/libsoftcot_core.a)
# Prints: our open_model_dir + touch-every-page rate, plain read() and `cat` of the same
# bytes side by side, and the ratio. Goal: >= 1 GB/s.
set -euo pipefail
build=$(cd "$1" && pwd)
work=${2:-$build/bench-model-load}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
tokenizer=${SOFTCOT_TOKENIZER:-$source_dir/../shared/data/tokenizers/qwen3/tokenizer.json}
mkdir -p "$work"

# ~1.02 GB: embedding 151669 x 2048 bf16 (621 MB) + 3 layers of 134 MB.
model=$work/model
if [ ! -f "$model/model.safetensors" ]; then
  "$build/src/softcot" make-tiny-model --out "$model" --tokenizer "$tokenizer" --seed 1 \
    --hidden_size 2048 --num_layers 3 --intermediate_size 8192 --num_heads 16 --num_kv_heads 16 \
    --dtype bf16 > /dev/null
fi

bench=$work/model_load_bench
${CXX:-c++} -O2 -std=c++20 -I"$source_dir/src" "$source_dir/tests/bench/model_load_bench.cpp" \
  "$build/src/libsoftcot_io.a" "$build/src/libsoftcot_core.a" \
  $(pkg-config --libs libzip) -lspdlog -lfmt -lcrypto -lz -pthread -o "$bench"

"$bench" "$model" 5
# The shell baseline: cat of the same file, page cache warm (best of 3).
bytes=$(stat -c %s "$model/model.safetensors")
best=999
for _ in 1 2 3; do
  start=$(date +%s.%N); cat "$model/model.safetensors" > /dev/null; end=$(date +%s.%N)
  best=$(echo "$end - $start" | bc -l | awk -v b="$best" '{print ($1 < b) ? $1 : b}')
done
awk -v s="$best" -v n="$bytes" 'BEGIN {printf "baseline cat > /dev/null:   %.3f s  %.2f GB/s\n", s, n / s / 1e9}'
