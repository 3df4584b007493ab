#!/usr/bin/env bash
# slurm/softcot.sbatch against a real local Slurm, with a stand-in for `softcot run`
# (a script with the same contract: exit 0 done, 75 after a stop signal, 139 on a crash),
# so the template's own logic is tested apart from the evaluation:
#   1. USR2 (the early time-limit warning) to an array task's batch shell: the worker is
#      told, "commits", and the template requeues this task; the rerun completes.
#   2. `scontrol requeue` from outside: the worker gets SIGTERM, exits 75, the template
#      does not requeue again; Slurm reruns it and it completes.
#   3. A worker that always crashes: the template requeues itself SOFTCOT_MAX_REQUEUES
#      times, then fails with exit 139 and says where the log and checkpoint are.
# Usage: bash slurm_template.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
set -euo pipefail
source "$(dirname "$0")/slurm_common.bash"
WORK_DIR=${3:?usage: slurm_template.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR}
require_slurm_test_env
rm -rf "$WORK_DIR" && mkdir -p "$WORK_DIR"
WORK_DIR=$(cd "$WORK_DIR" && pwd)
start_cluster "$WORK_DIR/cluster"

fake=$WORK_DIR/fake-softcot
cat >"$fake" <<'FAKE'
#!/usr/bin/env bash
# Stand-in for `softcot run`: records what happens in $FAKE_TRACE.
trace=${FAKE_TRACE:?}
tag="task=${SLURM_ARRAY_TASK_ID:-none} restart=${SLURM_RESTART_COUNT:-0}"
echo "$tag start args=$*" >>"$trace"
if [[ $FAKE_MODE == crash ]]; then
  echo "$tag crash" >>"$trace"
  exit 139
fi
if ((${SLURM_RESTART_COUNT:-0} > 0)); then
  echo "$tag complete" >>"$trace"
  exit 0
fi
# Slurm signals every process of the job and the template forwards too: a second stop
# signal must not change the outcome (softcot's stop flag is idempotent the same way).
stop() { trap '' USR2 TERM; echo "$tag stopped-by-$1" >>"$trace"; exit 75; }
trap 'stop USR2' USR2
trap 'stop TERM' TERM
echo "$tag waiting" >>"$trace"
# `wait` on a background sleep returns at once when a signal arrives, so the trap runs.
while :; do sleep 0.2 & wait $!; done
FAKE
chmod +x "$fake"
export SOFTCOT_BIN=$fake
template=$SOURCE_DIR/slurm/softcot.sbatch
cd "$WORK_DIR"

note "1. USR2 to an array task: it requeues itself and completes"
export FAKE_MODE=wait FAKE_TRACE=$WORK_DIR/trace-signal
job=$(sbatch --parsable --array=5-6 --output="$WORK_DIR/signal-%a.log" "$template" \
  --task_name gsm8k --checkpoint_dir "$WORK_DIR/ckpt")
wait_until 60 "array task 5 waiting" grep -qs "task=5 restart=0 waiting" "$FAKE_TRACE"
scancel --batch --signal=USR2 "${job}_5"
wait_until 60 "task 6 waiting" grep -qs "task=6 restart=0 waiting" "$FAKE_TRACE"
scancel --batch --signal=USR2 "${job}_6"
wait_for_job "$job" 120
cat "$FAKE_TRACE" >&2
[[ $(job_states "$job") == "COMPLETED COMPLETED" ]] || fail "states: $(job_states "$job")"
for task in 5 6; do
  grep -q "task=$task restart=0 start args=run --task_name gsm8k --checkpoint_dir $WORK_DIR/ckpt --seed $task" \
    "$FAKE_TRACE" || fail "task $task did not get --seed $task"
  grep -q "task=$task restart=0 stopped-by-USR2" "$FAKE_TRACE" || fail "USR2 not forwarded to task $task"
  grep -q "task=$task restart=1 complete" "$FAKE_TRACE" || fail "task $task did not rerun after its requeue"
  [[ $(job_field "${job}_$task" Restarts) == 1 ]] || fail "task $task restarts: $(job_field "${job}_$task" Restarts)"
  grep -q "requeued; it resumes from $WORK_DIR/ckpt$" "$WORK_DIR/signal-$task.log" ||
    fail "no requeue message in signal-$task.log (open-mode=append keeps both runs)"
  grep -q "run 2\]: completed" "$WORK_DIR/signal-$task.log" || fail "second run missing from the log"
done

note "2. scontrol requeue from outside: SIGTERM, exit 75, Slurm reruns it"
export FAKE_TRACE=$WORK_DIR/trace-requeue
job=$(sbatch --parsable --output="$WORK_DIR/requeue.log" "$template" --task_name gsm8k)
wait_until 60 "job waiting" grep -qs "restart=0 waiting" "$FAKE_TRACE"
scontrol requeue "$job"
wait_for_job "$job" 120
cat "$FAKE_TRACE" >&2
[[ $(job_states "$job") == COMPLETED ]] || fail "state: $(job_states "$job")"
grep -q "restart=0 stopped-by-TERM" "$FAKE_TRACE" || fail "the worker did not see SIGTERM"
grep -q "restart=1 complete" "$FAKE_TRACE" || fail "no rerun after scontrol requeue"
[[ $(job_field "$job" Restarts) == 1 ]] || fail "restarts: $(job_field "$job" Restarts) (the template requeued too?)"
grep -q "stopped by SIGTERM after committing" "$WORK_DIR/requeue.log" ||
  fail "no stop message in the log: $(cat "$WORK_DIR/requeue.log")"

note "3. always crashing: requeued SOFTCOT_MAX_REQUEUES=2 times, then fails with 139"
export FAKE_MODE=crash FAKE_TRACE=$WORK_DIR/trace-crash
job=$(SOFTCOT_MAX_REQUEUES=2 sbatch --parsable --output="$WORK_DIR/crash.log" "$template" \
  --task_name gsm8k --checkpoint_dir ckpt-crash --run_name boom)
wait_for_job "$job" 120
cat "$FAKE_TRACE" >&2
[[ $(job_states "$job") == FAILED ]] || fail "state: $(job_states "$job")"
[[ $(job_field "$job" ExitCode) == 139:0 ]] || fail "exit code: $(job_field "$job" ExitCode)"
[[ $(job_field "$job" Restarts) == 2 ]] || fail "restarts: $(job_field "$job" Restarts)"
[[ $(grep -c " crash$" "$FAKE_TRACE") == 3 ]] || fail "expected 3 runs: $(cat "$FAKE_TRACE")"
grep -q "Log: $WORK_DIR/crash.log. Checkpoint: $WORK_DIR/ckpt-crash/boom " "$WORK_DIR/crash.log" ||
  fail "the final message does not name the log and checkpoint: $(tail -n 3 "$WORK_DIR/crash.log")"

echo "slurm_template: all passed"
