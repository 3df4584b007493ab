#!/usr/bin/env bash
# How long a stop takes: SIGTERM -> exit, for a writer mid-sample (store-selftest), for
# `softcot eval` mid-generation on the tiny models, and for `softcot run` (supervisor +
# eval), each next to a baseline measured the same way in this script: `sleep`, which exits
# at once on SIGTERM (what is left is fork, signal delivery and wait). docs/benchmarks.md.
# The signal is sent once the process shows it is at work (a sample in flight / committed).
#   bash tests/bench/sigterm_latency.sh SOFTCOT_BINARY [ROUNDS]
set -u
softcot=$(realpath "${1:?usage: sigterm_latency.sh SOFTCOT_BINARY [ROUNDS]}")
rounds=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/softcot-sigterm-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1
bash "$here/../../scripts/make_tiny_models.sh" "$softcot" models >/dev/null
data=$here/../../data/gsm8k/test_socratic.jsonl

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# wait_until COMMAND...: polls (120 s at most) until COMMAND succeeds.
wait_until() {
  local deadline=$((SECONDS + 120))
  until "$@"; do [ $SECONDS -lt $deadline ] || { echo "timed out: $*" >&2; exit 1; }; sleep 0.02; done
}
committed_in() {  # committed_in DIR: at least one sample committed in a checkpoint under DIR
  "$softcot" status "$1" --json 2>/dev/null | grep -q '"committed": *[1-9]'
}
in_flight() {  # in_flight FILE PID
  "$softcot" status "$1" --json 2>/dev/null | grep -q "\"pid\": *$2"
}
# measure NAME PID: appends the ms from SIGTERM to the process's exit, and its exit code, to
# figures[NAME] and codes[NAME]. (Runs in this shell: only the parent can wait for PID.)
measure() {
  local name=$1 pid=$2 t0 rc
  t0=$(now_ms)
  kill -TERM "$pid"
  wait "$pid"; rc=$?
  figures[$name]+="$(($(now_ms) - t0)) "
  codes[$name]+="$rc "
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A figures codes
model_flags=(--base_model_id models/base --assistant_model_id models/assistant
  --params_file_name models/projection.safetensors --task_name gsm8k --data_file "$data"
  --num_thought_tokens 4 --test_k 200 --max_new_tokens 256 --threads 2 --progress_interval 0)
for ((r = 0; r < rounds; r++)); do
  sleep 600 &
  measure baseline $!

  rm -rf store
  "$softcot" store-selftest --path store/run.h5 --samples 40 --pause_ms 60000 2>/dev/null &
  pid=$!
  wait_until in_flight store/run.h5 $pid
  measure store $pid

  rm -rf ck
  "$softcot" eval "${model_flags[@]}" --checkpoint_dir ck --run_name eval >/dev/null 2>&1 &
  pid=$!
  wait_until committed_in ck/eval
  measure eval $pid

  rm -rf ck
  "$softcot" run "${model_flags[@]}" --checkpoint_dir ck --run_name run >/dev/null 2>&1 &
  pid=$!
  wait_until committed_in ck/run
  measure run $pid
done

base=$(tr ' ' '\n' <<<"${figures[baseline]}" | grep . | median)
printf '%-40s %10s %10s %s\n' "SIGTERM -> exit ($rounds rounds)" "median ms" "- baseline" "exit codes"
for name in baseline store eval run; do
  m=$(tr ' ' '\n' <<<"${figures[$name]}" | grep . | median)
  case $name in
    baseline) label="sleep (baseline)" ;;
    store) label="store-selftest, mid-sample" ;;
    eval) label="softcot eval, tiny models, mid-run" ;;
    run) label="softcot run, tiny models, mid-run" ;;
  esac
  printf '%-40s %10s %10s %s\n' "$label" "$m" "$((m - base))" "${codes[$name]}"
done
