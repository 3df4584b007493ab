#!/usr/bin/env bash
# Sharding with PMIx on the real local Slurm:
#   1. `srun --mpi=pmix -n 2 softcot eval` writes two shard files; rank 0 merges them after
#      the fence, and both that merge and `softcot merge` export exactly what a
#      single-process run exports.
#   2. a 2-task run cut short (rank 1 segfaults at sample 3 and the step is killed), then
#      resumed with -n 1: it completes the run, and the merge again equals the single run.
# Usage: bash slurm_pmix_shards.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
set -euo pipefail
source "$(dirname "$0")/slurm_common.bash"
begin_cluster_test "$@" eval export merge make-tiny-model
srun --mpi=list 2>&1 | grep -q pmix || skip "Slurm's PMIx plugin is not installed"
ulimit -c 0
flags=("${TINY_FLAGS[@]}" --test_k 7 --data_dir "$SHARED_DIR/data/gsm8k" --max_new_tokens 12 --threads 1
  --checkpoint_dir "$WORK_DIR/ckpt" --seed 5)

note "single process"
"$SOFTCOT" eval "${flags[@]}" --run_name single 2>single.log || { cat single.log >&2; fail "single run failed"; }
"$SOFTCOT" export ckpt/single/gsm8k_seed5_shard0-of-1.h5 --comparable >single.jsonl

note "1. srun --mpi=pmix -n 2"
job=$(sbatch --parsable -n 2 --output="$WORK_DIR/two.log" \
  --wrap "srun --mpi=pmix -n 2 $(printf '%q ' "$SOFTCOT" eval "${flags[@]}" --run_name two)")
wait_for_job "$job" 300
cat two.log >&2
[[ $(job_states "$job") == COMPLETED ]] || fail "state: $(job_states "$job")"
for k in 0 1; do
  [[ -f ckpt/two/gsm8k_seed5_shard$k-of-2.h5 ]] || fail "no shard file $k of 2"
done
grep -q "rank 1 of 2 (pmix)" two.log || fail "the ranks did not come from PMIx"
"$SOFTCOT" merge ckpt/two -o two-merged.h5
"$SOFTCOT" export two-merged.h5 --comparable >two.jsonl
cmp single.jsonl two.jsonl || fail "the merged 2-task run differs from the single-process run"
auto=$(find ckpt/two/merged -name '*.h5' | head -n1)
[[ -n $auto ]] || fail "rank 0 did not merge after the fence"
"$SOFTCOT" export "$auto" --comparable | cmp - single.jsonl || fail "rank 0's merge differs from the single run"
# The run directory as a whole (shards + merged/) exports each sample once.
"$SOFTCOT" export ckpt/two --comparable | cmp - single.jsonl || fail "exporting the run directory differs"

note "2. a 2-task run cut short, resumed with -n 1"
job=$(sbatch --parsable -n 2 --output="$WORK_DIR/cut.log" \
  --wrap "srun --mpi=pmix -n 2 --kill-on-bad-exit=1 $(printf '%q ' env SOFTCOT_FAULT=segv@3 "$SOFTCOT" eval "${flags[@]}" --run_name cut)")
wait_for_job "$job" 300
[[ $(job_states "$job") != COMPLETED ]] || fail "the cut run was not cut"
partial=$(( $(committed_in ckpt/cut/gsm8k_seed5_shard0-of-2.h5) + $(committed_in ckpt/cut/gsm8k_seed5_shard1-of-2.h5) ))
((partial < 7)) || fail "the cut run committed all 7 samples"
job=$(sbatch --parsable -n 1 --output="$WORK_DIR/resume.log" \
  --wrap "srun --mpi=pmix -n 1 $(printf '%q ' "$SOFTCOT" eval "${flags[@]}" --run_name cut)")
wait_for_job "$job" 300
cat resume.log >&2
[[ $(job_states "$job") == COMPLETED ]] || fail "resume state: $(job_states "$job")"
[[ $(committed_in ckpt/cut/gsm8k_seed5_shard0-of-1.h5) == $((7 - partial)) ]] ||
  fail "the -n 1 resume did not do exactly the $((7 - partial)) remaining samples"
"$SOFTCOT" merge ckpt/cut -o cut-merged.h5
"$SOFTCOT" export cut-merged.h5 --comparable | cmp - single.jsonl || fail "the resumed run differs from the single run"
echo "slurm_pmix_shards: passed ($partial of 7 before the cut)"
