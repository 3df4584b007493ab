#!/usr/bin/env bash
# `softcot run` (eval under the retry supervisor) with injected faults, on two tiny models and
# 12 GSM8K questions (issue 6): every faulty run completes, and its export equals a clean run's
# (timestamps, timings, host, pid and the attempt counts aside, which are checked on their own);
# a sample that crashes every time is quarantined; SIGTERM mid-run exits 75 with the file
# committed, and a second run completes identically.
# Usage: bash run_faults.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
command -v python3 > /dev/null || { echo "SKIP: python3 not found"; exit 77; }
source "$(dirname "$0")/eval_common.bash"

eval_flags=(--base_model_id base --assistant_model_id assistant --params_file_name projection.safetensors
            --task_name gsm8k --num_thought_tokens 4 --test_k 12 --seed 5 --threads 2
            --checkpoint_dir checkpoints --progress_interval 0)
fast=(--max_new_tokens 16 --num_return_sequences 1)

# run NAME FAULTS [flags...]: softcot run into checkpoints/NAME; its export in NAME.jsonl.
run() {
  local name=$1 faults=$2
  shift 2
  SOFTCOT_FAULT=$faults "$softcot" run "${eval_flags[@]}" --run_name "$name" --retry_delay 0 "$@" \
    > "$name.out" 2> "$name.log"
}
export_of() { "$softcot" export "checkpoints/$1" --format jsonl > "$1.jsonl"; }

source "$here/export_helpers.bash"

run clean "" "${fast[@]}"; rc=$?
[ $rc = 0 ] || fail "clean run: exit $rc"
export_of clean
[ "$(normalized clean | grep -c '"status": "success"')" = 12 ] || fail "clean run: not 12 successes"
[ -z "$(retried clean)" ] || fail "clean run: retried samples $(retried clean)"

# expect_same_as_clean NAME FAULTS RETRIED [flags]: completes, equal to clean; RETRIED is the
# expected "idx:attempts" list of retried samples.
expect_same_as_clean() {
  local name=$1 faults=$2 expect_retried=$3
  shift 3
  run "$name" "$faults" "${fast[@]}" "$@"; local rc=$?
  if [ $rc != 0 ]; then fail "$faults: exit $rc (see $name.log)"; return; fi
  export_of "$name"
  if ! diff <(normalized clean) <(normalized "$name") > "$name.diff"; then
    fail "$faults: export differs from a clean run ($name.diff)"; return
  fi
  [ "$(retried "$name")" = "$expect_retried" ] ||
    fail "$faults: retried samples '$(retried "$name")', expected '$expect_retried'"
  echo "ok: $faults completes, export equal to a clean run's (retried: $expect_retried)"
}
expect_same_as_clean segv5x2 segv@5x2 "5:3"
[ "$(grep -c 'injecting fault segv@5' segv5x2.log)" = 2 ] || fail "segv@5x2: not exactly 2 crashes"
expect_same_as_clean abort3x1_kill8x1 abort@3x1,kill@8x1 "3:2 8:2"
# The watchdog: no heartbeat for 20 s -> SIGABRT, SIGKILL 1 s later if needed. Generous (the
# test waits that long once): a busy CI machine that stalls a healthy worker for seconds
# must not make it look hung, which would retry a sample that did not hang.
expect_same_as_clean hang7x1 hang@7x1 "7:2" --hang_timeout 20 --kill_grace 1
grep -q 'sending SIGABRT' hang7x1.log || fail "hang@7x1: the watchdog did not fire"

# segv@5 crashes every attempt: quarantined after 3, every other record as clean.
run segv5 segv@5 "${fast[@]}"; rc=$?
[ $rc = 0 ] || fail "segv@5: exit $rc"
export_of segv5
[ "$(field segv5 5 status)" = '"error_generation"' ] || fail "segv@5: sample 5 status $(field segv5 5 status)"
[ "$(field segv5 5 attempts)" = 3 ] || fail "segv@5: sample 5 attempts $(field segv5 5 attempts)"
[ "$(field segv5 5 crash_signal)" = 11 ] || fail "segv@5: sample 5 crash_signal $(field segv5 5 crash_signal)"
[ "$(field segv5 5 ground_truth)" = "$(field clean 5 ground_truth)" ] || fail "segv@5: quarantined record lost its ground truth"
[ "$(field segv5 5 responses)" = "[]" ] || fail "segv@5: quarantined record has responses"
[ "$(normalized segv5 | wc -l)" = 12 ] || fail "segv@5: not 12 records"
diff <(normalized clean 5) <(normalized segv5 5) > segv5.diff || fail "segv@5: other records differ (segv5.diff)"
[ "$(retried segv5)" = "5:3" ] || fail "segv@5: retried samples '$(retried segv5)'"
[ "$(grep -c 'injecting fault segv@5' segv5.log)" = 3 ] || fail "segv@5: not exactly 3 crashing attempts"
"$softcot" status checkpoints/segv5 | grep -q '1 quarantined' || fail "segv@5: status does not show 1 quarantined"
[ $failures = 0 ] && echo "ok: segv@5 quarantined (error_generation, attempts 3, signal 11), the rest equal"

# SIGTERM mid-run: exit 75, what was committed is readable, a second run completes identically.
# Longer responses here (and a clean run with the same flags) so that the run is still going
# when the signal comes: it is sent once 2 samples are committed (an event), and the other
# 10 take about 10 s even on an idle machine (~1 s each on 2 cores), a generous window.
slow=(--max_new_tokens 160 --num_return_sequences 2)
run slow_clean "" "${slow[@]}" || fail "slow clean run: exit $?"
export_of slow_clean
SOFTCOT_FAULT="" "$softcot" run "${eval_flags[@]}" --run_name preempt --retry_delay 0 "${slow[@]}" \
  > preempt1.out 2> preempt1.log &
pid=$!
committed() { "$softcot" status checkpoints/preempt 2> /dev/null | sed -n 's/.*progress *\([0-9]*\)\/.*/\1/p'; }
for _ in $(seq 1200); do  # 120 s at most
  [ "$(committed)" -ge 2 ] 2> /dev/null && break
  kill -0 $pid 2> /dev/null || break
  sleep 0.1
done
kill -TERM $pid
wait $pid; rc=$?
[ $rc = 75 ] || fail "SIGTERM: exit $rc, expected 75"
"$softcot" status checkpoints/preempt > preempt.status || fail "SIGTERM: softcot status fails on the file"
partial=$(committed)
{ [ "${partial:-0}" -ge 2 ] && [ "$partial" -lt 12 ]; } || fail "SIGTERM: ${partial:-?} samples committed, expected some but not all"
export_of preempt || fail "SIGTERM: export of the partial file fails"
[ "$(wc -l < preempt.jsonl)" = "$partial" ] || fail "SIGTERM: export has $(wc -l < preempt.jsonl) records, status says $partial"
diff <(normalized preempt) <(normalized slow_clean "" "$partial") > /dev/null ||
  fail "SIGTERM: the committed records are not the clean run's first $partial"
run preempt "" "${slow[@]}"; rc=$?
[ $rc = 0 ] || fail "resume after SIGTERM: exit $rc"
export_of preempt
diff <(normalized slow_clean) <(normalized preempt) > preempt.diff || fail "resume after SIGTERM: differs from a clean run (preempt.diff)"
[ -z "$(retried preempt)" ] || fail "resume after SIGTERM: retried samples $(retried preempt)"
[ $failures = 0 ] && echo "ok: SIGTERM -> 75 with $partial committed and readable; the second run completes identically"

echo "$failures failure(s)"
[ $failures = 0 ]
