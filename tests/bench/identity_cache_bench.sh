#!/bin/bash
# Start-up time of a resume on a ~1 GB model, without and with the model identity cache
# (issue 12), side by side in one script.
# Usage: tests/bench/identity_cache_bench.sh BUILD_DIR [WORK_DIR]
# The run is made once (1 sample, committed); then the same command is run again, which
# only starts up (load, identity, open the checkpoint) and finds nothing left to do:
#   before: an empty cache directory at each start = every weight byte hashed, as before
#           the cache existed;
#   after:  the cache as the previous start left it.
# Prints the median of 3 starts each and the ratio. The model is deleted at the end.
# The page cache is warm in both columns: on a parallel file system, where reading the
# bytes dominates, "before" is slower still.
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

before=() after=()
for _ in 1 2 3; do
  rm -rf "$SOFTCOT_CACHE_DIR"
  before+=("$(seconds run)")
  after+=("$(seconds run)")  # the start before left the cache warm
done
b=$(median "${before[@]}")
a=$(median "${after[@]}")
grep -c 'identity: from the cache' starts.log > /dev/null || { echo "no start used the cache"; exit 1; }
printf 'resume start-up, ~1 GB model, median of 3:\n'
printf '  before (hash every weight byte): %.3f s   (%s)\n' "$b" "${before[*]}"
printf '  after  (identity cache):         %.3f s   (%s)\n' "$a" "${after[*]}"
awk -v b="$b" -v a="$a" 'BEGIN {printf "  ratio before/after: %.1f x\n", b / a}'
