#!/usr/bin/env bash
# A sample that always segfaults (SOFTCOT_FAULT=segv@2) under slurm/softcot.sbatch with
# `softcot run --max_retries 1`:
#   a. SOFTCOT_MAX_REQUEUES=1: the supervisor gives up, the template requeues the job,
#      the rerun quarantines sample 2 (its 4th start > --max_sample_attempts 3) and the
#      evaluation completes.
#   b. with a quarantine limit out of reach, SLURM_RESTART_COUNT caps the loop: one
#      requeue, then the job fails with 139 and names the log and the checkpoint.
# Usage: bash slurm_crash_requeue.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
set -euo pipefail
source "$(dirname "$0")/slurm_common.bash"
begin_cluster_test "$@" run eval export status make-tiny-model
ulimit -c 0  # deliberate crashes: no core files
flags=("${TINY_FLAGS[@]}" --test_k 5 --data_dir "$SHARED_DIR/data/gsm8k" --max_new_tokens 8 --threads 1
  --checkpoint_dir "$WORK_DIR/ckpt" --max_retries 1 --retry_delay 0)

note "a. requeued once, sample 2 quarantined, completes"
job=$(SOFTCOT_BIN=$SOFTCOT SOFTCOT_FAULT=segv@2 SOFTCOT_MAX_REQUEUES=1 sbatch --parsable \
  --output="$WORK_DIR/a.log" "$SOURCE_DIR/slurm/softcot.sbatch" "${flags[@]}" --run_name a)
wait_for_job "$job" 300
cat a.log >&2
[[ $(job_states "$job") == COMPLETED ]] || fail "state: $(job_states "$job")"
[[ $(job_field "$job" Restarts) == 1 ]] || fail "restarts: $(job_field "$job" Restarts), expected 1"
grep -q "gave up with exit code 139; requeue 1 of 1" a.log || fail "the template did not requeue after the crashes"
"$SOFTCOT" export ckpt/a/gsm8k_seed42_shard0-of-1.h5 >a.jsonl
[[ $(wc -l <a.jsonl) == 5 ]] || fail "expected 5 samples, got $(wc -l <a.jsonl)"
grep '"idx": *2,' a.jsonl | grep -q '"status": *"error_generation"' || fail "sample 2 is not quarantined"
[[ $(grep -c '"status": *"success"' a.jsonl) == 4 ]] || fail "the other samples did not all succeed"

note "b. the requeue budget runs out: FAILED with 139 after 1 requeue"
job=$(SOFTCOT_BIN=$SOFTCOT SOFTCOT_FAULT=segv@2 SOFTCOT_MAX_REQUEUES=1 sbatch --parsable \
  --output="$WORK_DIR/b.log" "$SOURCE_DIR/slurm/softcot.sbatch" "${flags[@]}" --run_name b \
  --max_sample_attempts 100)
wait_for_job "$job" 300
cat b.log >&2
[[ $(job_states "$job") == FAILED ]] || fail "state: $(job_states "$job")"
[[ $(job_field "$job" ExitCode) == 139:0 ]] || fail "exit code: $(job_field "$job" ExitCode)"
[[ $(job_field "$job" Restarts) == 1 ]] || fail "restarts: $(job_field "$job" Restarts), expected 1"
grep -q "Log: $WORK_DIR/b.log. Checkpoint: $WORK_DIR/ckpt/b " b.log || fail "the final message does not say where things are"
echo "slurm_crash_requeue: passed"
