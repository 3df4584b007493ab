#!/usr/bin/env bash
# Edge inputs and exit codes of `softcot eval` (issue 12): each case ends with the documented
# exit code and one error (or warning) line naming what is wrong.
#   - a checkpoint dir that is a file, a run dir on a read-only mount -> 74, naming the path
#   - a data file holding `[]` -> 65, like an empty file
#   - --seed -1 -> 2 (usage), not a wrapped 2^64-1
#   - --num_thought_tokens above its bound -> 2, the bound stated in --help
#   - --threads above the CPUs the process may use -> a warning, the run uses those CPUs
#   - the fingerprint names the backend and the sampler's numerics; each record its backend
# Usage: bash eval_edge_inputs.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
source "$(dirname "$0")/eval_common.bash"
data=$here/../../data/gsm8k/test_socratic.jsonl

eval_run() {  # eval_run CHECKPOINT_DIR [flags]
  local dir=$1
  shift
  "$softcot" eval --base_model_id base --assistant_model_id assistant \
    --params_file_name projection.safetensors --task_name gsm8k --num_thought_tokens "${n:-4}" --test_k 2 \
    --max_new_tokens 4 --checkpoint_dir "$dir" --run_name edge --progress_interval 0 "$@"
}

# expect LABEL LOG RC WANTED NEEDLE...: exit WANTED, one "error:" line naming every NEEDLE.
expect() {
  local label=$1 log=$2 rc=$3 wanted=$4
  shift 4
  [ "$rc" = "$wanted" ] || { fail "$label: exit $rc, expected $wanted: $(tail -n 2 "$log")"; return 1; }
  [ "$(grep -c 'error' "$log")" = 1 ] || { fail "$label: not one error line: $(cat "$log")"; return 1; }
  local line
  line=$(grep 'error' "$log")
  for needle in "$@"; do
    case "$line" in *"$needle"*) ;; *) fail "$label: the error does not name '$needle': $line"; return 1 ;; esac
  done
  echo "ok: $label -> exit $rc: $line"
}

# 1. The checkpoint dir is a file.
echo "not a directory" > afile
eval_run afile --threads 1 > /dev/null 2> file_dir.log; rc=$?
expect "checkpoint dir is a file" file_dir.log $rc 74 "afile"

# 2. A new run dir on a read-only mount (root can write through chmod, so a real ro mount).
mkdir ro
if mount -t tmpfs -o ro,size=1m tmpfs ro 2> /dev/null; then
  eval_run ro/checkpoints --threads 1 > /dev/null 2> ro.log; rc=$?
  umount ro
  expect "run dir on a read-only mount" ro.log $rc 74 "ro/checkpoints"
else
  echo "skip: read-only mount case (cannot mount a tmpfs here: not root or no CAP_SYS_ADMIN)"
fi

# 3. A data file holding an empty JSON list.
echo '[]' > empty_list.json
eval_run ck --threads 1 --data_file empty_list.json > /dev/null 2> empty_list.log; rc=$?
expect "data file []" empty_list.log $rc 65 "empty_list.json"

# 4. A negative seed.
eval_run ck --threads 1 --seed -1 > /dev/null 2> seed.log; rc=$?
expect "--seed -1" seed.log $rc 2 "seed"

# 5. num_thought_tokens above its bound; the bound is in --help.
bound=$("$softcot" eval --help | grep -A1 -- '--num_thought_tokens' | grep -o 'at most [0-9]*' | grep -o '[0-9]*')
if [ -z "$bound" ]; then
  fail "--help does not state the bound of --num_thought_tokens ('at most N')"
  bound=1024
fi
n=$((bound + 1)) eval_run ck --threads 1 > /dev/null 2> big_n.log; rc=$?
expect "--num_thought_tokens $((bound + 1))" big_n.log $rc 2 "num_thought_tokens" "$bound"
n=100000 eval_run ck --threads 1 > /dev/null 2> huge_n.log; rc=$?
expect "--num_thought_tokens 100000" huge_n.log $rc 2 "num_thought_tokens"

# 6. More threads than CPUs: a warning, and the run goes on with the CPUs it has.
SLURM_CPUS_PER_TASK=1 eval_run threads --threads 1000 > /dev/null 2> threads.log; rc=$?
[ "$rc" = 0 ] || fail "--threads 1000: exit $rc: $(tail -n 2 threads.log)"
grep -q 'warn.*--threads 1000.*1 CPU' threads.log && echo "ok: --threads 1000 warns: $(grep -- '--threads 1000' threads.log)" ||
  fail "--threads 1000 with SLURM_CPUS_PER_TASK=1: no warning naming 1 CPU: $(grep -i thread threads.log)"

# 7. The backend and the sampler's numerics are in the fingerprint; each record names its backend.
"$softcot" status threads/edge --json > status.json 2> /dev/null || fail "softcot status fails"
grep -q '"backend": *"cpu"' status.json || fail "the fingerprint has no backend: $(cat status.json)"
grep -q '"sampler_numerics": *"' status.json || fail "the fingerprint has no sampler_numerics"
"$softcot" export threads/edge -o records.jsonl 2> /dev/null || fail "softcot export fails"
[ "$(grep -c '"backend":"cpu"' records.jsonl)" = 2 ] || fail "records without their backend: $(head -n 1 records.jsonl)"

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "eval_edge_inputs: all cases passed"
