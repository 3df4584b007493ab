#!/usr/bin/env bash
# Requeue budgets and seed lists on the real local Slurm (issue 15):
#   a. a job requeued 5 times near its time limit (USR2, the template's early warning) with
#      SOFTCOT_MAX_REQUEUES=3, then crashing once beyond its supervisor's budget: the crash
#      is still requeued (preemptions do not count) and the job completes;
#   b. a job that crashes every run stops after 3 crash requeues, naming log and checkpoint;
#   c. run_batch_softcot.sh --submit --seeds 1 7 42 1500: one array, each task its seed,
#      a log per seed, and `softcot report` lists the four.
# Usage: bash slurm_budgets.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
set -euo pipefail
source "$(dirname "$0")/slurm_common.bash"
begin_cluster_test "$@" run eval export status report
ulimit -c 0  # deliberate crashes: no core files
flags=("${TINY_FLAGS[@]}" --data_dir "$SHARED_DIR/data/gsm8k" --threads 1 --checkpoint_dir "$WORK_DIR/ckpt"
  --checkpoint_sync never --progress_interval 0 --retry_delay 0)

note "a. 5 time-limit requeues, then a crash: requeued anyway, completes"
job=$(SOFTCOT_BIN=$SOFTCOT SOFTCOT_MAX_REQUEUES=3 SOFTCOT_FAULT=segv@57x2 sbatch --parsable \
  --output="$WORK_DIR/a.log" "$SOURCE_DIR/slurm/softcot.sbatch" "${flags[@]}" --run_name a --test_k 60 \
  --max_new_tokens 256 --max_retries 1)
file=ckpt/a/gsm8k_seed42_shard0-of-1.h5
before=0
for k in 1 2 3 4 5; do
  # This run has committed something of its own: it is past its start, traps set.
  progressed() { (($(committed_in "$file") > before)) && [[ $(job_states "$job") == RUNNING ]]; }
  wait_until 300 "a commit in run $k" progressed
  scancel --signal=USR2 --batch "$job"
  requeued() { [[ $(job_field "$job" Restarts) == "$k" ]]; }
  wait_until 120 "requeue $k" requeued
  before=$(committed_in "$file")
done
((before < 57)) || fail "a: sample 57 was reached before the 5th requeue; the test needs slower samples"
wait_for_job "$job" 600
cat a.log >&2
[[ $(job_states "$job") == COMPLETED ]] || fail "a: state $(job_states "$job")"
[[ $(grep -c 'reason=time_limit' ckpt/a/slurm-requeues.log) == 5 ]] || fail "a: not 5 time-limit requeues logged"
[[ $(grep -c 'reason=crash' ckpt/a/slurm-requeues.log) == 1 ]] || fail "a: not 1 crash requeue logged"
grep -q "gave up with exit code 139; requeue 1 of 3" a.log || fail "a: the crash after 5 preemptions was not requeued as the first of 3"
"$SOFTCOT" export "$file" >a.jsonl
[[ $(grep -c '"status":"success"' a.jsonl) == 60 ]] || fail "a: not 60 successful samples"

note "b. a crash every run: stops after 3 crash requeues"
job=$(SOFTCOT_BIN=$SOFTCOT SOFTCOT_MAX_REQUEUES=3 SOFTCOT_FAULT=segv@2 sbatch --parsable \
  --output="$WORK_DIR/b.log" "$SOURCE_DIR/slurm/softcot.sbatch" "${flags[@]}" --run_name b --test_k 4 \
  --max_new_tokens 8 --max_retries 0 --max_sample_attempts 100)
wait_for_job "$job" 600
cat b.log >&2
[[ $(job_states "$job") == FAILED ]] || fail "b: state $(job_states "$job")"
[[ $(job_field "$job" Restarts) == 3 ]] || fail "b: restarts $(job_field "$job" Restarts), expected 3"
grep -q "already requeued 3 times after crashes" b.log || fail "b: the final message does not count the crash requeues"
grep -q "Log: $WORK_DIR/b.log. Checkpoint: $WORK_DIR/ckpt/b " b.log || fail "b: the final message does not say where things are"

note "c. an array over seeds 1 7 42 1500"
job=$("$SOURCE_DIR/slurm/run_batch_softcot.sh" --softcot "$SOFTCOT" --submit --seeds 1 7 42 1500 \
  --run_name c --log_dir "$WORK_DIR/logs" --checkpoint_dir "$WORK_DIR/ckpt" -- "${TINY_FLAGS[@]}" \
  --data_dir "$SHARED_DIR/data/gsm8k" --threads 1 --test_k 2 --max_new_tokens 8 --checkpoint_sync never)
wait_for_job "$job" 600
[[ $(job_states "$job") == "COMPLETED COMPLETED COMPLETED COMPLETED" ]] || fail "c: states $(job_states "$job")"
for seed in 1 7 42 1500; do
  [[ -f logs/c_gsm8k_seed$seed.log ]] || fail "c: no log for seed $seed"
  [[ -f ckpt/c/gsm8k_seed${seed}_shard0-of-1.h5 ]] || fail "c: no checkpoint for seed $seed"
done
"$SOFTCOT" report ckpt/c --format csv >c.csv
for seed in 1 7 42 1500; do grep -q "^c,gsm8k,$seed,2,2,yes," c.csv || fail "c: the report lacks seed $seed"; done
grep -q "^c,gsm8k,mean,,,4 seeds" c.csv || fail "c: the report does not average 4 seeds"
echo "slurm_budgets: passed"
