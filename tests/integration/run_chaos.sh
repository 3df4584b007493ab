#!/usr/bin/env bash
# Every recovery path at once (issue 11): `softcot run` on 24 samples with three poison
# samples in a row, an abort, a hang, two SIGKILLs, and one committed record damaged between
# two attempts. The run completes; the quarantined samples are exactly 3, 4 and 5, and every
# other record equals an uninterrupted run's. Then the same with 2 ranks (SLURM_PROCID /
# SLURM_STEP_NUM_TASKS, one supervisor each) and the damage in the other rank's file.
# Usage: bash run_chaos.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
command -v python3 > /dev/null || { echo "SKIP: python3 not found"; exit 77; }
source "$(dirname "$0")/eval_common.bash"
source "$here/export_helpers.bash"

flags=(--base_model_id base --assistant_model_id assistant --params_file_name projection.safetensors
       --task_name gsm8k --num_thought_tokens 4 --seed 9 --threads 2 --checkpoint_dir checkpoints
       --progress_interval 0 --max_new_tokens 12 --num_return_sequences 1 --checkpoint_sync never
       --test_k 24)
faults=segv@3,segv@4,segv@5,abort@9x1,hang@11x1,kill@15x2
# The watchdog needs seconds of slack: loading the models does not heartbeat.
supervised=(--retry_delay 0 --hang_timeout 4 --kill_grace 1)
export_of() { "$softcot" export "checkpoints/$1" --format jsonl > "$1.jsonl" 2> "$1.export.log"; }
quarantined() {
  python3 -c 'import json,sys
print(",".join(str(r["idx"]) for r in sorted(map(json.loads, open(sys.argv[1])), key=lambda r: r["idx"]) if r["crash_signal"] and r["status"] == "error_generation"))' "$1.jsonl"
}
# check NAME: 24 records, exactly 3,4,5 quarantined, the rest equal to the clean run.
check() {
  export_of "$1"
  [ "$(wc -l < "$1.jsonl")" = 24 ] || fail "$1: $(wc -l < "$1.jsonl") records, expected 24"
  [ "$(quarantined "$1")" = "3,4,5" ] || fail "$1: quarantined samples '$(quarantined "$1")', expected 3,4,5"
  diff <(normalized clean 3,4,5) <(normalized "$1" 3,4,5) > "$1.diff" || fail "$1: records differ from a clean run ($1.diff)"
}

"$softcot" eval "${flags[@]}" --run_name clean > clean.out 2> clean.log || fail "clean run: exit $?"
export_of clean

# One process. The first run gives up early (--max_retries 1: the second crash on sample 3),
# the record of sample 1 is damaged, and the second run, with the default budget, completes.
SOFTCOT_FAULT=$faults "$softcot" run "${flags[@]}" --run_name one "${supervised[@]}" --max_retries 1 \
  > one1.out 2> one1.log
rc=$?; [ $rc = 139 ] || fail "one: the first run exited $rc, expected 139 (budget spent on sample 3)"
export_of one
damage_row one 1 checkpoints/one/gsm8k_seed9_shard0-of-1.h5 || fail "one: could not damage sample 1"
SOFTCOT_FAULT=$faults "$softcot" run "${flags[@]}" --run_name one "${supervised[@]}" > one2.out 2> one2.log
rc=$?; [ $rc = 0 ] || fail "one: the second run exited $rc (one2.log)"
grep -q 'row .* (sample 1) fails its checksum' one2.log || fail "one: no warning naming sample 1's damaged row"
check one
[ $failures = 0 ] && echo "ok: one process: completes; quarantined 3,4,5; every other record equals a clean run"

# Two ranks, each under its own supervisor. Rank 1 stops early (its budget spent on sample 3),
# its record of sample 1 is damaged; then both run together to the end.
rank() { SLURM_STEP_ID=0 SLURM_PROCID=$1 SLURM_STEP_NUM_TASKS=2 SOFTCOT_FAULT=$faults "${@:2}"; }
rank 1 "$softcot" run "${flags[@]}" --run_name two "${supervised[@]}" --max_retries 1 > r1a.out 2> r1a.log
rc=$?; [ $rc = 139 ] || fail "two: rank 1's first run exited $rc, expected 139"
export_of two
damage_row two 1 checkpoints/two/gsm8k_seed9_shard1-of-2.h5 || fail "two: could not damage sample 1"
# Both ranks at once, as in one step: rank 0 merges once rank 1 is done too.
rank 0 "$softcot" run "${flags[@]}" --run_name two "${supervised[@]}" > r0.out 2> r0.log &
pid0=$!
rank 1 "$softcot" run "${flags[@]}" --run_name two "${supervised[@]}" > r1b.out 2> r1b.log
rc=$?; [ $rc = 0 ] || fail "two: rank 1's second run exited $rc (r1b.log)"
wait $pid0; rc=$?; [ $rc = 0 ] || fail "two: rank 0 exited $rc (r0.log)"
grep -q 'Merged 1 shard files\|Merged 2 shard files' r0.log || fail "two: rank 0 did not merge"
check two
[ $failures = 0 ] && echo "ok: two ranks: both complete; quarantined 3,4,5; every other record equals a clean run"

echo "$failures failure(s)"
[ $failures = 0 ]
