#!/usr/bin/env bash
# softcot retry with stand-in commands: what is retried, how often, hangs and signals.
# Usage: bash supervise_retry.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
set -u
softcot=$1
work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
ulimit -c 0  # the crashes below are deliberate: no core files
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect_rc() {  # expect_rc WANT GOT WHAT
  if [ "$1" = "$2" ]; then echo "ok: $3 (exit $2)"; else fail "$3: exit $2, expected $1"; fi
}
starts() { cat "$1" 2>/dev/null || echo 0; }
# A shell snippet counting its starts in the file $1.
count='n=$(cat "$1" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$1";'

"$softcot" retry --help > help.txt; expect_rc 0 $? "--help"
for code in 139 134 135 137 70 75 65; do
  grep -q "$code" help.txt || fail "--help does not mention exit $code"
done

"$softcot" retry --retry-delay 0 -- sh -c "$count exit 3" sh exit3.count 2> exit3.log
expect_rc 3 $? "exit 3 is passed on"
[ "$(starts exit3.count)" = 1 ] || fail "exit 3 was retried ($(starts exit3.count) starts)"

"$softcot" retry --retry-delay 0 -- false 2> false.log
expect_rc 1 $? "false is passed on"
[ "$(grep -c 'starting false' false.log)" = 1 ] || fail "false was retried"

"$softcot" retry --max-retries 3 --retry-delay 0 -- sh -c "$count"' kill -SEGV $$' sh segv.count 2> segv.log
expect_rc 139 $? "a segfaulting command ends with 128+SIGSEGV"
[ "$(starts segv.count)" = 4 ] || fail "--max-retries 3: $(starts segv.count) starts, expected 1 + 3 retries"
grep -q 'SIGSEGV (signal 11)' segv.log || fail "the log does not name the signal"
grep -q '0 retries left' segv.log || fail "the log does not count retries left"

# The reference's spellings, and run_with_retry's style without `--`.
"$softcot" retry --max_retries 2 --retry_delay 0 sh -c "$count exit 134" sh abort.count 2> abort.log
expect_rc 134 $? "exit 134 (abort through a shell) is a crash"
[ "$(starts abort.count)" = 3 ] || fail "--max_retries 2: $(starts abort.count) starts, expected 3"

"$softcot" retry --retry-delay 0 -- sh -c "$count"' [ $n -ge 3 ] || kill -SEGV $$' sh twice.count 2> twice.log
expect_rc 0 $? "crashes twice, then completes"
[ "$(starts twice.count)" = 3 ] || fail "crash-twice: $(starts twice.count) starts, expected 3"

# A worker that heartbeats, then hangs at sample 4 on its first attempt (the stand-in).
# (--hang-timeout 5, not less: a busy machine must not make the healthy attempt look hung.)
SOFTCOT_FAULT=hang@4x1 "$softcot" retry --retry-delay 0 --hang-timeout 5 --kill-grace 2 -- \
  "$softcot" supervise-selftest --state hang.state --samples 8 2> hang.log
expect_rc 0 $? "a hung worker is aborted and the run completes"
grep -q 'no heartbeat for .* at sample 4' hang.log || fail "the hang was not detected at sample 4"
[ "$(wc -l < hang.state/results.txt)" = 8 ] || fail "the hang run did not commit 8 samples"

# A worker that ignores SIGABRT is killed after the grace period.
# (--hang-timeout 3: the shell must have set its trap before the SIGABRT comes.)
"$softcot" retry --max-retries 0 --hang-timeout 3 --kill-grace 1 -- sh -c "trap '' ABRT; sleep 60" 2> grace.log
expect_rc 137 $? "a hung worker ignoring SIGABRT is killed"

# A bad SOFTCOT_FAULT is a usage error of the worker: not retried.
SOFTCOT_FAULT=segv@five "$softcot" retry --retry-delay 0 -- \
  "$softcot" supervise-selftest --state bad.state --samples 2 2> badfault.log
expect_rc 2 $? "a malformed SOFTCOT_FAULT"
grep -q "SOFTCOT_FAULT: bad fault 'segv@five'" badfault.log || fail "the fault parse error is not one line naming it"

# Stop signals are forwarded, and the supervisor exits with the worker's code.
wait_for_file() { for _ in $(seq 1200); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }  # <= 120 s
"$softcot" retry -- sh -c 'echo started > term.ready; trap "exit 42" TERM; while :; do sleep 0.1; done' 2> term.log &
pid=$!
wait_for_file term.ready || fail "the worker did not start"
kill -TERM $pid
wait $pid; expect_rc 42 $? "SIGTERM is forwarded; the worker's code is kept"
grep -q 'forwarding it to the worker' term.log || fail "the forwarding is not logged"
[ "$(grep -c 'attempt [0-9]*: starting' term.log)" = 1 ] || fail "something was restarted after SIGTERM"

"$softcot" retry --retry-delay 0 -- "$softcot" supervise-selftest --state usr1.state --samples 50 --sample-ms 100 2> usr1.log &
pid=$!
wait_for_file usr1.state/results.txt || fail "the stand-in did not commit"
kill -USR1 $pid
wait $pid; expect_rc 75 $? "SIGUSR1: the stand-in commits and exits preempted"

echo "$failures failure(s)"
[ $failures = 0 ]
