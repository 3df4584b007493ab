#!/usr/bin/env bash
# run_batch_softcot.sh --submit over 3 seeds on tiny models, against the real local
# Slurm: one job array, every seed completes, and `softcot report` shows the 3 seeds and
# their mean, which must equal the mean of the accuracies in the seeds' own exports.
# Usage: bash slurm_array_report.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
set -euo pipefail
source "$(dirname "$0")/slurm_common.bash"
begin_cluster_test "$@" run eval report export make-tiny-model

job=$("$SOURCE_DIR/slurm/run_batch_softcot.sh" --submit --softcot "$SOFTCOT" \
  "${TINY_FLAGS[@]}" --test_k 4 --seed_from 41 --seed_to 43 --array_throttle 3 \
  --checkpoint_dir "$WORK_DIR/ckpt" --run_name arr --log_dir "$WORK_DIR/logs" \
  --max_retries 1 --retry_delay 0 -- --data_dir "$SHARED_DIR/data/gsm8k" --max_new_tokens 12 --threads 1)
[[ $job =~ ^[0-9]+$ ]] || fail "run_batch_softcot.sh --submit printed '$job', not a job id"
# Task i runs the i-th seed (any seed fits under MaxArraySize): tasks 0..2.
[[ $(job_field "${job}_2" ArrayTaskId) == 2 ]] || fail "the array's task ids are not 0..2"
wait_for_job "$job" 400
for seed in 41 42 43; do
  [[ -f logs/arr_gsm8k_seed$seed.log ]] || fail "no log for seed $seed"
done
states=$(job_states "$job")
[[ $states == "COMPLETED COMPLETED COMPLETED" ]] || { tail -n 20 logs/*.log >&2; fail "states: $states"; }

"$SOFTCOT" report "ckpt/arr" | tee report.md
for seed in 41 42 43; do
  grep -q "^| $seed | 4/4 |" report.md || fail "seed $seed is not shown complete (4/4)"
done
grep -q "Across 3 complete seeds: mean accuracy" report.md || fail "no mean across the 3 seeds"

# The mean, recomputed from each seed's export (is_correct per sample).
expected=$(for seed in 41 42 43; do
  "$SOFTCOT" export "ckpt/arr/gsm8k_seed${seed}_shard0-of-1.h5" --format jsonl |
    awk '/"is_correct": *true/ {c++} END {print c / NR}'
done | awk '{s += $1} END {printf "%.9f", s / NR}')
"$SOFTCOT" report "ckpt/arr" --format json >report.json
mean=$(grep -o '"mean_accuracy": *[0-9.e-]*' report.json | grep -o '[0-9.e-]*$')
awk -v a="$mean" -v b="$expected" 'BEGIN {exit !((a - b) ^ 2 < 1e-14)}' ||
  fail "report mean $mean, expected $expected from the exports"
grep -q '"complete_seeds": 3' report.json || fail "report.json does not count 3 complete seeds"
echo "slurm_array_report: passed (job $job, mean accuracy $mean)"
