#!/bin/bash
# Start-up time of a resume on a ~1 GB model, without and with the model identity cache
# (issue 12), side by side in one script.
# Usage: tests/bench/identity_cache_bench.sh BUILD_DIR [WORK_DIR]
# The run is made once (1 sample, committed); then the same command is run again, which
# only starts up (load, identity, open the checkpoint) and finds nothing left to do:
#   before: an empty cache directory at each start = every weight byte hashed, as before
#           the cache existed;
#   after:  the cache as the previous start left it.
# Prints the median of 3 starts each and the ratio, once with the page cache warm and once
# with the model's pages evicted before each start (closer to a requeue on another node or
# a parallel file system, where reading the bytes dominates). The model is deleted at the end.
set -euo pipefail
build=$(cd "$1" && pwd)
work=${2:-$build/bench-identity-cache}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
tokenizer=${SOFTCOT_TOKENIZER:-$source_dir/data/tokenizers/qwen/tokenizer.json}
softcot=$build/src/softcot
rm -rf "$work" && mkdir -p "$work" && cd "$work"
trap 'rm -rf "$work/model"' EXIT

# ~1.02 GB: the shape of model_load_bench.sh (embedding 2048 wide + 3 layers of 134 MB).
"$softcot" make-tiny-model --out model --tokenizer "$tokenizer" --seed 1 \
  --hidden_size 2048 --num_layers 3 --intermediate_size 8192 --num_heads 16 --num_kv_heads 16 \
  --dtype bf16 > /dev/null
echo "model: $(du -sh model | cut -f1) in $work/model"

run() {
  "$softcot" eval --base_model_id model --assistant_model_id model --task_name gsm8k \
    --num_thought_tokens 0 --test_k 1 --max_new_tokens 1 --checkpoint_dir checkpoints --run_name bench \
    --progress_interval 0 "$@"
}
export SOFTCOT_CACHE_DIR=$work/cache
run > /dev/null 2> first.log || { tail -n 3 first.log; exit 1; }

# seconds COMMAND...: wall time of one command, in seconds.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null 2>> starts.log
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

# evict: drop the model's pages from the page cache (this file only: dd's nocache flag,
# posix_fadvise DONTNEED), as on a node that has not read the model yet.
evict() { dd if=model/model.safetensors iflag=nocache count=0 status=none; }

# One row per page-cache state; 3 starts each way, alternating, medians.
row() {
  local label=$1 prepare=$2 before=() after=()
  for _ in 1 2 3; do
    rm -rf "$SOFTCOT_CACHE_DIR"
    $prepare
    before+=("$(seconds run)")
    $prepare
    after+=("$(seconds run)")  # the start before left the cache warm
  done
  local b a
  b=$(median "${before[@]}")
  a=$(median "${after[@]}")
  printf '%-28s %9.3f s %9.3f s %7.1f x   (before: %s; after: %s)\n' "$label" "$b" "$a" \
    "$(echo "$b / $a" | bc -l)" "${before[*]}" "${after[*]}"
}
printf 'resume start-up, ~1 GB bf16 model, median of 3 starts (whole process, wall clock):\n'
printf '%-28s %11s %11s %8s\n' "" "before" "after" "ratio"
row "page cache warm" :
row "model evicted before start" evict
grep -q 'identity: from the cache' starts.log || { echo "no start used the cache"; exit 1; }
echo "identity step alone (from the log): $(grep -o 'identity: hashed in [0-9.]* s' starts.log | sort | uniq -c | tr '\n' ';') vs 'from the cache' $(grep -c 'identity: from the cache' starts.log) times"
