#!/usr/bin/env bash
# Sharded runs under slurm/softcot.sbatch on the real local Slurm (issue 15). One node, so
# "ranks" are tasks of one step (sbatch -n 3), each running its own `softcot run`:
#   a. rank 1's worker is SIGKILLed twice (kill@4x2): its supervisor restarts it, the step
#      completes, rank 0 merges, and the merge equals a single-process run;
#   b. `scontrol requeue` mid-run, the requeued job then given 2 tasks instead of 3:
#      completes equal to a single-process run, no sample repeated or lost;
#   c. a rank that gives up for good: rank 0 fails within --fence_timeout naming it.
# Usage: bash slurm_sharded.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
set -euo pipefail
source "$(dirname "$0")/slurm_common.bash"
begin_cluster_test "$@" run eval export status merge
ulimit -c 0  # deliberate crashes: no core files
flags=("${TINY_FLAGS[@]}" --test_k 12 --data_dir "$SHARED_DIR/data/gsm8k" --threads 1
  --checkpoint_dir "$WORK_DIR/ckpt" --checkpoint_sync never --progress_interval 0)
comparable() { "$SOFTCOT" export "$1" --comparable --format jsonl; }
submit() {  # NAME [sbatch flags...] -- [softcot flags...]
  local name=$1 sb=()
  shift
  while [[ $1 != -- ]]; do sb+=("$1"); shift; done
  shift
  SOFTCOT_BIN=$SOFTCOT sbatch --parsable --output="$WORK_DIR/$name.log" "${sb[@]}" \
    "$SOURCE_DIR/slurm/softcot.sbatch" "${flags[@]}" --retry_delay 0 --run_name "$name" "$@"
}

"$SOFTCOT" eval "${flags[@]}" --max_new_tokens 8 --run_name single >single.out 2>single.err || fail "single-process run: exit $?"
comparable ckpt/single >single.jsonl
[[ $(wc -l <single.jsonl) == 12 ]] || fail "single-process run: not 12 samples"

note "a. 3 tasks, rank 1 SIGKILLed twice: completes, merged by rank 0, equal to one process"
job=$(SOFTCOT_FAULT=kill@4x2 submit a -n 3 -- --max_new_tokens 8)
wait_for_job "$job" 600
cat a.log >&2
[[ $(job_states "$job") == COMPLETED ]] || fail "a: state $(job_states "$job")"
[[ $(grep -c 'injecting fault kill@4' a.log) == 2 ]] || fail "a: rank 1 was not killed exactly twice"
grep -q 'Merged 3 shard files' a.log || fail "a: rank 0 did not merge the 3 shard files"
comparable ckpt/a/merged/gsm8k_seed42.h5 >a.jsonl
cmp -s single.jsonl a.jsonl || fail "a: the merge differs from the single-process run"
comparable ckpt/a >a-dir.jsonl
cmp -s single.jsonl a-dir.jsonl || fail "a: the shard files differ from the single-process run"

note "b. requeued mid-run, resumed with 2 tasks: equal to one process"
# Rank 1 hangs at sample 10 on its first start (ignoring SIGTERM too, like a stuck kernel),
# so the job is surely mid-run when it is requeued, on a fast machine as well; Slurm kills
# it after KillWait. The rerun's rank that takes sample 10 (in its own new file, so a first
# start again) hangs once more until the watchdog (20 s) restarts it.
job=$(SOFTCOT_FAULT=hang@10x1 submit b -n 3 -- --max_new_tokens 48 --hang_timeout 20)
committed_b() {
  local n=0 f
  for f in ckpt/b/gsm8k_seed42_shard*-of-3.h5; do [[ -f $f ]] && n=$((n + $(committed_in "$f"))); done
  echo "$n"
}
three_committed() { (($(committed_b) >= 3)); }
wait_until 300 "3 samples committed in b" three_committed
pending() { squeue -h -j "$job" -t PD -o %i | grep -q .; }
scontrol requeue "$job"
wait_until 120 "b requeued (pending)" pending
scontrol update jobid="$job" NumTasks=2 >/dev/null
before=$(committed_b)
((before >= 3 && before < 12)) || fail "b: $before samples committed before the requeue, expected some but not all"
wait_for_job "$job" 600
cat b.log >&2
[[ $(job_states "$job") == COMPLETED ]] || fail "b: state $(job_states "$job")"
grep -q 'rank 1 of 2' b.log || fail "b: the requeued job did not run with 2 tasks"
grep -q 'Merged .* shard files' b.log || fail "b: no merge after the requeue"
SOFTCOT_FAULT= "$SOFTCOT" eval "${flags[@]}" --max_new_tokens 48 --run_name single48 >/dev/null 2>&1 || fail "single48: exit $?"
comparable ckpt/single48 >single48.jsonl
comparable ckpt/b/merged/gsm8k_seed42.h5 >b.jsonl
cmp -s single48.jsonl b.jsonl || fail "b: resumed with 2 tasks, the merge differs from the single-process run"
comparable ckpt/b >b-dir.jsonl  # every shard file of both layouts: refuses a sample committed twice
cmp -s single48.jsonl b-dir.jsonl || fail "b: the shard files of both layouts differ from the single-process run"

note "c. a rank that gives up for good: rank 0 names it within the fence timeout"
job=$(SOFTCOT_FAULT=segv@4 SOFTCOT_MAX_REQUEUES=0 submit c -n 3 -- --max_new_tokens 8 --max_retries 1 --fence_timeout 5)
wait_for_job "$job" 600
cat c.log >&2
[[ $(job_states "$job") == FAILED ]] || fail "c: state $(job_states "$job")"
grep -q 'rank 1 of 3 did not finish' c.log || fail "c: rank 0 does not name the missing rank 1"
echo "slurm_sharded: passed"
