#!/usr/bin/env bash
# The supervisor's end-to-end behaviour with the stand-in worker (softcot supervise-selftest),
# which runs the sample loop as `softcot eval` must: begin_sample, quarantine check, fault
# injection, heartbeats, commit. The same checks with the real eval: docs/supervisor.md.
# Usage: bash supervise_standin.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
set -u
softcot=$1
work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
ulimit -c 0
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
results() { sort -n "$1/results.txt"; }

# run NAME FAULTS [retry flags...]: the stand-in on 12 samples under softcot retry. The hang
# timeout is generous (the hang tests wait for it), so that a busy machine that stalls a
# healthy worker for a few seconds does not make it look hung.
run() {
  local name=$1 faults=$2
  shift 2
  SOFTCOT_FAULT=$faults "$softcot" retry --retry-delay 0 --hang-timeout 5 --kill-grace 1 "$@" -- \
    "$softcot" supervise-selftest --state "$name" --samples 12 2> "$name.log"
}

run clean ""; rc=$?
[ $rc = 0 ] || fail "clean run: exit $rc"
[ "$(grep -c success clean/results.txt)" = 12 ] || fail "clean run: not 12 successes"

expect_same_as_clean() {  # NAME FAULTS: completes and its results equal the clean run's
  run "$1" "$2"; local rc=$?
  if [ $rc != 0 ]; then fail "$2: exit $rc"; return; fi
  if diff <(results clean) <(results "$1") > "$1.diff"; then echo "ok: $2 completes, equal to a clean run"
  else fail "$2: results differ from a clean run ($1.diff)"; fi
}
expect_same_as_clean segv5x2 segv@5x2
expect_same_as_clean abort3x1_kill8x1 abort@3x1,kill@8x1
expect_same_as_clean hang7x1 hang@7x1
expect_same_as_clean oom2x2 oom@2x2

# segv@5 crashes every attempt: quarantined after 3, every other record as clean.
run segv5 segv@5; rc=$?
[ $rc = 0 ] || fail "segv@5: exit $rc"
grep -qx '5 error_generation signal=11 attempts=3' segv5/results.txt || fail "segv@5: sample 5 not quarantined after 3 attempts"
diff <(results clean | grep -v '^5 ') <(results segv5 | grep -v '^5 ') > /dev/null || fail "segv@5: other records differ"
[ "$(grep -c 'injecting fault segv@5' segv5.log)" = 3 ] || fail "segv@5: not exactly 3 crashing attempts"
[ $failures = 0 ] && echo "ok: segv@5 quarantined after 3 attempts, the rest equal"

# hang@7 hangs every attempt: the watchdog fires 3 times, then the sample is quarantined.
run hang7 hang@7; rc=$?
[ $rc = 0 ] || fail "hang@7: exit $rc"
grep -qx '7 error_generation signal=6 attempts=3' hang7/results.txt || fail "hang@7: sample 7 not quarantined"
[ "$(grep -c 'sending SIGABRT' hang7.log)" = 3 ] || fail "hang@7: the watchdog did not fire 3 times"
[ $failures = 0 ] && echo "ok: hang@7 aborted 3 times by the watchdog, then quarantined"

# A poison sample needs max_sample_attempts crashes in a row without progress: a budget
# smaller than that ends the run with the crash's code instead.
run tight segv@5 --max-retries 1; rc=$?
[ $rc = 139 ] || fail "segv@5 with --max-retries 1: exit $rc, expected 139"
[ $failures = 0 ] && echo "ok: a poison sample with a retry budget below max_sample_attempts exits 139"

# SIGTERM mid-run: preempted, everything before it committed; a second run completes identically.
# 1 s per sample: after the 2nd commit the run has 10 s to go when the signal is sent.
"$softcot" retry --retry-delay 0 -- "$softcot" supervise-selftest --state preempt --samples 12 --sample-ms 1000 2> preempt1.log &
pid=$!
for _ in $(seq 1200); do [ "$(wc -l 2>/dev/null < preempt/results.txt || echo 0)" -ge 2 ] && break; sleep 0.1; done
kill -TERM $pid
wait $pid; rc=$?
[ $rc = 75 ] || fail "SIGTERM: exit $rc, expected 75"
partial=$(wc -l < preempt/results.txt)
{ [ "$partial" -ge 2 ] && [ "$partial" -lt 12 ]; } || fail "SIGTERM: $partial samples committed, expected some but not all"
run preempt ""; rc=$?
[ $rc = 0 ] || fail "resume after SIGTERM: exit $rc"
diff <(results clean) <(results preempt) > /dev/null || fail "resume after SIGTERM: results differ from a clean run"
[ $failures = 0 ] && echo "ok: SIGTERM -> 75 with $partial committed; the second run completes identically"

echo "$failures failure(s)"
[ $failures = 0 ]
