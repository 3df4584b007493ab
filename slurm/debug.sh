#!/usr/bin/env bash
# Interactive debugging on a compute node: `softcot eval` (no supervisor, so a crash
# shows up as itself) on a few samples, printing every prompt and response, with debug
# logging, in a pseudo-terminal via srun --pty. Checkpoints go to a separate run name
# ("debug") so they never mix with real runs.
#
#   slurm/debug.sh [--partition P] [--time T] [--gres G] [--test_k K] [--softcot PATH] \
#                  [--shell] -- --task_name gsm8k --base_model_id ... --assistant_model_id ...
#
#   --shell   only open a shell on the node (then run softcot by hand, e.g. under gdb)
set -euo pipefail

softcot=${SOFTCOT_BIN:-softcot}
test_k=3
shell_only=0
srun_flags=(--pty --ntasks=1 --time=00:30:00)
eval_flags=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --partition | --time | --gres | --account | --qos | --mem | --cpus-per-task)
      [[ $# -ge 2 ]] || { echo "debug.sh: $1 needs a value" >&2; exit 2; }
      srun_flags+=("$1=$2"); shift 2 ;;
    --test_k) test_k=${2:?--test_k needs a value}; shift 2 ;;
    --softcot) softcot=${2:?--softcot needs a value}; shift 2 ;;
    --shell) shell_only=1; shift ;;
    --) shift; eval_flags=("$@"); break ;;
    *) echo "debug.sh: unknown flag '$1' (softcot eval flags go after --)" >&2; exit 2 ;;
  esac
done

if ((shell_only)); then
  exec srun "${srun_flags[@]}" "${SHELL:-/bin/bash}" -l
fi
# Boost.Program_options refuses a flag given twice: add our defaults only where the
# flags after -- do not set them.
has_flag() { printf '%s\n' "${eval_flags[@]}" | grep -q -- "^$1\(=\|$\)"; }
defaults=(--print_input --print_response)
has_flag --test_k || defaults+=(--test_k "$test_k")
has_flag --log_level || defaults+=(--log_level debug)
has_flag --run_name || defaults+=(--run_name debug)
exec srun "${srun_flags[@]}" "$softcot" eval "${defaults[@]}" "${eval_flags[@]}"
