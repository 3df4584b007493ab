#!/usr/bin/env bash
# `scontrol requeue` of a running evaluation (slurm/softcot.sbatch on tiny models): the
# job restarts, resumes from its checkpoint (a second writer start, nothing redone), and
# its export equals a clean uninterrupted run's.
# Usage: bash slurm_requeue_resume.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
set -euo pipefail
source "$(dirname "$0")/slurm_common.bash"
begin_cluster_test "$@" run eval export status make-tiny-model
# Long enough generations that the requeue lands mid-run.
flags=("${TINY_FLAGS[@]}" --test_k 10 --data_dir "$SHARED_DIR/data/gsm8k" --max_new_tokens 160 --threads 1
  --checkpoint_dir "$WORK_DIR/ckpt" --seed 7)

note "clean run"
"$SOFTCOT" eval "${flags[@]}" --run_name clean 2>clean.log || { cat clean.log >&2; fail "clean run failed"; }
"$SOFTCOT" export ckpt/clean/gsm8k_seed7_shard0-of-1.h5 --comparable >clean.jsonl

note "requeued run"
checkpoint=ckpt/requeued/gsm8k_seed7_shard0-of-1.h5
job=$(SOFTCOT_BIN=$SOFTCOT sbatch --parsable --output="$WORK_DIR/requeued.log" \
  "$SOURCE_DIR/slurm/softcot.sbatch" "${flags[@]}" --run_name requeued --retry_delay 0)
some_committed() { (($(committed_in "$checkpoint") >= 2)); }
wait_until 120 "2 samples committed" some_committed
before=$(committed_in "$checkpoint")
((before < 10)) || fail "the run finished before it could be requeued; make it longer"
scontrol requeue "$job"
wait_for_job "$job" 300
cat requeued.log >&2
[[ $(job_states "$job") == COMPLETED ]] || fail "state: $(job_states "$job")"
[[ $(job_field "$job" Restarts) == 1 ]] || fail "restarts: $(job_field "$job" Restarts)"
grep -q "stopped by SIGTERM after committing" requeued.log || fail "the first run did not stop cleanly"
starts=$("$SOFTCOT" status --json "$checkpoint" | grep -o '"writer_starts": *[0-9]*' | grep -o '[0-9]*$')
((starts >= 2)) || fail "writer started $starts time(s): the rerun did not resume the checkpoint"
"$SOFTCOT" export "$checkpoint" --comparable >requeued.jsonl
cmp clean.jsonl requeued.jsonl || fail "the requeued run's export differs from the clean run's"
echo "slurm_requeue_resume: passed (requeued after $before of 10 samples)"
