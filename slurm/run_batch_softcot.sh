#!/usr/bin/env bash
# Evaluate seeds --seed_from..--seed_to (inclusive), or any list (--seeds 1 7 42 1500),
# with `softcot run` (the evaluation under the retry supervisor), like the reference's
# run_batch_softcot.sh.
#
#   By default: one seed after another on this machine, a log per seed in --log_dir.
#   --submit:   one Slurm job array over the seeds (slurm/softcot.sbatch; task i runs the
#               i-th seed, so any seed and any list fit under MaxArraySize), prints the job
#               id; `softcot report CHECKPOINT_DIR/RUN_NAME` summarises.
#
# Flags after `--` go to `softcot run` unchanged (e.g. -- --data_file x.jsonl --hang_timeout 600).
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: slurm/run_batch_softcot.sh [flags] [--submit [sbatch flags]] [-- softcot run flags]

The reference's flags (passed to `softcot run`):
  --base_model_id ID  --assistant_model_id ID  --params_file_name FILE
  --num_thought_tokens N  --num_return_sequences N  --task_name TASK  --test_k K
  --seed_from S (42)  --seed_to S (= seed_from)  --seeds S [S ...] (instead of a range)
  --checkpoint_dir DIR  --run_name NAME
  --max_retries N  --retry_delay S  --disable_checkpoint  --log_dir DIR (./logs)
Where softcot is:  --softcot PATH (or $SOFTCOT_BIN; default: softcot on PATH)
Slurm (with --submit):
  --submit              submit one job array over the seeds instead of running here
  --array_throttle N    at most N seeds at once (%N)
  --max_requeues N      requeues of a crashing seed (SOFTCOT_MAX_REQUEUES, default 3)
  --partition P --time T --gres G --account A --qos Q --mem M --cpus-per-task N
  --constraint C --nodes N --ntasks N   passed to sbatch (--ntasks > 1: the seed is
                        sharded over the tasks, one supervised worker each)
  --sbatch_arg ARG      any other sbatch flag (repeatable), e.g. --sbatch_arg=--exclusive
USAGE
}

die() { echo "run_batch_softcot.sh: $*" >&2; exit 2; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
softcot=${SOFTCOT_BIN:-softcot}
seed_from=42
seed_to=
seeds=()
log_dir=./logs
run_name=
task_name=gsm8k
submit=0
throttle=
max_requeues=${SOFTCOT_MAX_REQUEUES:-3}
run_flags=()     # for softcot run, without --seed
sbatch_flags=()

value() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
  flag=$1
  # --name=value is accepted too
  if [[ $flag == --*=* ]]; then
    set -- "${flag%%=*}" "${flag#*=}" "${@:2}"
    flag=$1
  fi
  case $flag in
    -h | --help) usage; exit 0 ;;
    --base_model_id | --assistant_model_id | --params_file_name | --num_thought_tokens | \
      --num_return_sequences | --test_k | --checkpoint_dir | --max_retries | --retry_delay)
      value "$@"; run_flags+=("$1" "$2"); shift 2 ;;
    --task_name) value "$@"; task_name=$2; run_flags+=("$1" "$2"); shift 2 ;;
    --run_name) value "$@"; run_name=$2; run_flags+=("$1" "$2"); shift 2 ;;
    --disable_checkpoint) run_flags+=("$1"); shift ;;
    --seed_from) value "$@"; seed_from=$2; shift 2 ;;
    --seed_to) value "$@"; seed_to=$2; shift 2 ;;
    --seeds)
      shift
      while [[ $# -gt 0 && $1 != --* ]]; do seeds+=("$1"); shift; done
      ((${#seeds[@]} > 0)) || die "--seeds needs at least one seed" ;;
    --log_dir) value "$@"; log_dir=$2; shift 2 ;;
    --softcot) value "$@"; softcot=$2; shift 2 ;;
    --submit) submit=1; shift ;;
    --array_throttle) value "$@"; throttle=$2; shift 2 ;;
    --max_requeues) value "$@"; max_requeues=$2; shift 2 ;;
    --partition | --time | --gres | --account | --qos | --mem | --cpus-per-task | --constraint | \
      --nodes | --ntasks)
      value "$@"; sbatch_flags+=("$1=$2"); shift 2 ;;
    --sbatch_arg) value "$@"; sbatch_flags+=("$2"); shift 2 ;;
    --) shift; run_flags+=("$@"); break ;;
    *) die "unknown flag '$1' (see --help; softcot run flags go after --)" ;;
  esac
done
if ((${#seeds[@]} == 0)); then
  seed_to=${seed_to:-$seed_from}
  [[ $seed_from =~ ^[0-9]+$ && $seed_to =~ ^[0-9]+$ ]] || die "--seed_from/--seed_to must be non-negative integers"
  ((seed_from <= seed_to)) || die "--seed_from $seed_from is after --seed_to $seed_to"
  for ((s = seed_from; s <= seed_to; s++)); do seeds+=("$s"); done
else
  for s in "${seeds[@]}"; do [[ $s =~ ^[0-9]+$ ]] || die "--seeds: '$s' is not a non-negative integer"; done
  [[ $(printf '%s\n' "${seeds[@]}" | sort | uniq -d) == "" ]] || die "--seeds lists a seed twice"
fi
[[ -z $throttle || $throttle =~ ^[1-9][0-9]*$ ]] || die "--array_throttle must be a positive integer"
[[ $max_requeues =~ ^[0-9]+$ ]] || die "--max_requeues must be a non-negative integer"

# Jobs and log names need an absolute binary path.
if [[ $softcot != */* ]]; then
  resolved=$(command -v "$softcot" || true)
  [[ -n $resolved ]] || die "'$softcot' not found: pass --softcot PATH or set SOFTCOT_BIN"
  softcot=$resolved
fi
[[ -x $softcot ]] || die "$softcot is not executable"
softcot=$(cd "$(dirname "$softcot")" && pwd)/$(basename "$softcot")
mkdir -p "$log_dir"
log_dir=$(cd "$log_dir" && pwd)
log_prefix=${run_name:-softcot}_${task_name}

if ((submit)); then
  # Task i runs seeds[i] (SOFTCOT_SEEDS travels in the job's environment, requeues too).
  array="0-$((${#seeds[@]} - 1))${throttle:+%$throttle}"
  job=$(SOFTCOT_BIN=$softcot SOFTCOT_MAX_REQUEUES=$max_requeues SOFTCOT_SEEDS="${seeds[*]}" \
    SOFTCOT_LOG_PREFIX="$log_dir/$log_prefix" \
    sbatch --parsable --array="$array" --job-name="${log_prefix}" \
    --output="$log_dir/${log_prefix}_slurm-%A_%a.out" "${sbatch_flags[@]}" \
    "$here/softcot.sbatch" "${run_flags[@]}")
  job=${job%%;*}  # --parsable prints "id[;cluster]"
  echo "$job"
  echo "submitted job array $job: seeds ${seeds[*]} (task i runs the i-th), logs $log_dir/${log_prefix}_seed<seed>.log" >&2
  exit 0
fi

((${#sbatch_flags[@]} == 0)) || die "sbatch flags need --submit"
failed=()
for seed in "${seeds[@]}"; do
  log=$log_dir/${log_prefix}_seed$seed.log
  echo "seed $seed: $softcot run ... --seed $seed (log: $log)" >&2
  status=0
  "$softcot" run "${run_flags[@]}" --seed "$seed" >>"$log" 2>&1 || status=$?
  if ((status == 75)); then
    echo "seed $seed: stopped by a signal after committing; rerun the same command to resume" >&2
    exit 75
  fi
  if ((status != 0)); then
    echo "seed $seed: failed with exit code $status (see $log)" >&2
    failed+=("$seed")
  fi
done
if ((${#failed[@]} > 0)); then
  echo "failed seeds: ${failed[*]}" >&2
  exit 1
fi
echo "all seeds ${seeds[*]} completed" >&2
