#!/usr/bin/env bash
# `softcot eval` on bad input (issue 5): a malformed config.json, a truncated safetensors file,
# a projection of the wrong shape, a broken data line, a fingerprint mismatch on resume, a
# checkpoint locked by a running eval, a checkpoint directory it cannot write. Each must end
# with one error line naming the file ("softcot eval: error: FILE: ..."), exit 65 (bad input)
# or 74 (I/O), and leave the samples committed before intact (the export unchanged).
# Usage: bash eval_bad_input.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
source "$(dirname "$0")/eval_common.bash"
data=$here/../../data/gsm8k/test_socratic.jsonl
pid=
trap '[ -n "$pid" ] && kill -KILL $pid 2> /dev/null' EXIT  # the hung lock holder of case 6

# eval_run NAME [extra flags]: the good configuration; a case changes it through the
# variables below (a flag given twice is a usage error).
base=base assistant=assistant projection=projection.safetensors n=4 k=4 tokens=8
eval_run() {
  local name=$1
  shift
  ${exec:-} "$softcot" eval --base_model_id "$base" --assistant_model_id "$assistant" \
    --params_file_name "$projection" --task_name gsm8k --num_thought_tokens "$n" --test_k "$k" \
    --seed 3 --max_new_tokens "$tokens" --threads 2 --checkpoint_dir checkpoints --run_name "$name" \
    --progress_interval 0 "$@"
}
export_of() { "$softcot" export "checkpoints/$1" --comparable -o "$2" 2> /dev/null; }

# expect_error LABEL LOG RC WANTED_RCS NEEDLE...: one "error:" line naming every NEEDLE.
expect_error() {
  local label=$1 log=$2 rc=$3 wanted=$4
  shift 4
  case " $wanted " in *" $rc "*) ;; *) fail "$label: exit $rc, expected one of $wanted"; return 1 ;; esac
  local lines
  lines=$(grep -c 'error' "$log")
  [ "$lines" = 1 ] || { fail "$label: $lines lines mention an error, expected 1: $(cat "$log")"; return 1; }
  local line
  line=$(grep 'error' "$log")
  for needle in "$@"; do
    case "$line" in *"$needle"*) ;; *) fail "$label: the error does not name '$needle': $line"; return 1 ;; esac
  done
  echo "ok: $label -> exit $rc: $line"
}

# The good run: 4 samples committed, the reference for "unchanged".
eval_run good > /dev/null 2> good.log || { echo "FAIL: the good run fails: $(tail -n 3 good.log)"; exit 1; }
export_of good good.jsonl
[ "$(wc -l < good.jsonl)" = 4 ] || fail "the good run has $(wc -l < good.jsonl) records"

# 1. A malformed config.json.
mkdir bad_config && cp base/* bad_config/ && printf '{ "hidden_size": 64,\n' > bad_config/config.json
base=bad_config eval_run bad_config > /dev/null 2> bad_config.log; rc=$?
expect_error "malformed config.json" bad_config.log $rc "65" "bad_config/config.json"

# 2. A truncated safetensors file (the assistant's).
mkdir truncated && cp assistant/* truncated/
size=$(stat -c %s truncated/model.safetensors)
truncate -s $((size / 2)) truncated/model.safetensors
assistant=truncated eval_run truncated > /dev/null 2> truncated.log; rc=$?
expect_error "truncated safetensors" truncated.log $rc "65 74" "truncated/model.safetensors"

# 3. A projection of the wrong shape: [48, 32] where the models need [64, 32].
"$softcot" make-tiny-projection --out wrong.safetensors --in_features 32 --out_features 48 --seed 3 > /dev/null
projection=wrong.safetensors eval_run wrong_shape > /dev/null 2> wrong_shape.log; rc=$?
expect_error "wrong projection shape" wrong_shape.log $rc "65" "wrong.safetensors" 48 64 32

# 4. A broken JSON line in --data_file (line 3).
{ sed -n 1,2p "$data"; echo '{"question": "broken", "answer": '; sed -n 3,5p "$data"; } > broken.jsonl
eval_run bad_data --data_file broken.jsonl > /dev/null 2> bad_data.log; rc=$?
expect_error "broken data line" bad_data.log $rc "65" "broken.jsonl:3"
[ -e checkpoints/bad_data ] && [ -n "$(ls checkpoints/bad_data)" ] && fail "broken data line: a checkpoint was created"

# 5. Resume with another --num_thought_tokens: the fingerprint differs, refused, nothing changes.
n=2 eval_run good > /dev/null 2> fingerprint.log; rc=$?
expect_error "fingerprint mismatch" fingerprint.log $rc "65" "gsm8k_seed3_shard0-of-1.h5" "num_thought_tokens"
export_of good after.jsonl && cmp -s good.jsonl after.jsonl || fail "fingerprint mismatch: the export changed"

# 6. A second eval on a checkpoint that a running eval holds: refused (74), naming the holder.
# The holder hangs at sample 2 (SOFTCOT_FAULT=hang@2: 0 and 1 committed, the lock held for
# as long as the test needs); once it is killed, a third eval resumes and ends with the
# records of the undisturbed good run.
(export SOFTCOT_FAULT=hang@2 exec=exec; eval_run locked) > /dev/null 2> locked1.log &  # $! is eval's pid
pid=$!
for _ in $(seq 600); do
  "$softcot" status checkpoints/locked 2> /dev/null | grep -q 'progress *2/' && break
  kill -0 $pid 2> /dev/null || break
  sleep 0.1
done
if kill -0 $pid 2> /dev/null; then
  eval_run locked > /dev/null 2> locked2.log; rc=$?
  expect_error "locked checkpoint" locked2.log $rc "74" "gsm8k_seed3_shard0-of-1.h5" "pid $pid"
  export_of locked locked_during.jsonl && head -n 2 good.jsonl | cmp -s - locked_during.jsonl ||
    fail "locked: the holder's 2 committed records are not intact"
  kill -KILL $pid; wait $pid 2> /dev/null
  eval_run locked > /dev/null 2> locked3.log || fail "locked: resume after the holder died: exit $?"
  export_of locked locked.jsonl && cmp -s good.jsonl locked.jsonl ||
    fail "locked: the resumed run's records differ from the good run's"
else
  wait $pid; fail "locked: the holder ended (exit $?) before it committed 2 samples: $(tail -n 2 locked1.log)"
fi

# 7. A checkpoint directory the process cannot write (2 of 4 samples committed, then a crash).
# As root every directory is writable: run the second eval as nobody, when setpriv exists.
# nobody may not reach the build tree (a checkout under a 0700 home), so that eval runs a
# copy of the binary and of the data file in this work dir, by relative paths (no parent
# folder is entered); where nobody cannot run even that, the case is skipped, saying so.
cp "$softcot" softcot-copy && cp "$data" data-copy.jsonl
SOFTCOT_FAULT=segv@2 eval_run readonly --data_file data-copy.jsonl > /dev/null 2> readonly1.log
export_of readonly readonly_before.jsonl
[ "$(wc -l < readonly_before.jsonl)" = 2 ] || fail "read-only: setup committed $(wc -l < readonly_before.jsonl) samples, expected 2"
as_other=()
if [ "$(id -u)" = 0 ]; then
  nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  if ! command -v setpriv > /dev/null; then
    echo "SKIP: read-only checkpoint dir (root, and no setpriv to run as nobody)"
  # env: the exec happens as nobody (setpriv itself may still hold root's capabilities).
  elif ! "${nobody[@]}" env ./softcot-copy --version > /dev/null 2> nobody.log ||
       ! "${nobody[@]}" test -r base/config.json -a -r data-copy.jsonl; then
    echo "SKIP: read-only checkpoint dir (user nobody cannot run ./softcot-copy in $PWD: $(head -c 200 nobody.log))"
  else
    as_other=("${nobody[@]}" env)
  fi
fi
if [ "$(id -u)" != 0 ] || [ ${#as_other[@]} -gt 0 ]; then
  chmod -R a-w checkpoints/readonly
  "${as_other[@]}" ./softcot-copy eval --base_model_id base --assistant_model_id assistant \
    --params_file_name projection.safetensors --task_name gsm8k --data_file data-copy.jsonl \
    --num_thought_tokens 4 --test_k 4 --seed 3 --max_new_tokens 8 --threads 2 \
    --checkpoint_dir checkpoints --run_name readonly --progress_interval 0 > /dev/null 2> readonly.log; rc=$?
  chmod -R u+w checkpoints/readonly
  expect_error "read-only checkpoint dir" readonly.log $rc "74" "checkpoints/readonly/"
  export_of readonly readonly_after.jsonl && cmp -s readonly_before.jsonl readonly_after.jsonl ||
    fail "read-only: the export changed"
fi

# Nothing above touched the good run.
export_of good final.jsonl && cmp -s good.jsonl final.jsonl || fail "the good run's export changed"

echo "$failures failure(s)"
[ $failures = 0 ]
