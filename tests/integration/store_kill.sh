#!/usr/bin/env bash
# Kill test of the checkpoint store: a writer is killed with SIGKILL at random instants,
# again and again, and restarted until its run is done. Checks, after every kill, that
# the file reads back (SWMR read, every committed row passes its checksum) and holds
# exactly a prefix of an uninterrupted run's export; at the end of each run, that the
# export equals the uninterrupted one's (times aside): no sample missing or repeated.
#
#   bash store_kill.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
# Knobs (environment): KILLS (60), SAMPLES (120), MAX_SLEEP_MS (250), PAUSE_MS (3),
# WORKER: a command run with {FILE} replaced by the checkpoint path (default: softcot
# store-selftest), so the same loop can drive `softcot eval`. H5PY_EVERY: also read the
# file with h5py in SWMR mode every Nth kill (0: never; skipped if h5py is missing).
set -u
BIN=$(realpath "$1"); WORK=$3
KILLS=${KILLS:-60}; SAMPLES=${SAMPLES:-120}; MAX_SLEEP_MS=${MAX_SLEEP_MS:-250}; PAUSE_MS=${PAUSE_MS:-3}
H5PY_EVERY=${H5PY_EVERY:-10}
WORKER=${WORKER:-"$BIN store-selftest --path {FILE} --samples $SAMPLES --pause_ms $PAUSE_MS --responses 2"}
rm -rf "$WORK"; mkdir -p "$WORK"
fail() { echo "FAIL: $*" >&2; exit 1; }
# exec: the background job's pid must be the worker itself, so SIGKILL reaches it.
run_worker() { local file=$1; eval "exec ${WORKER//\{FILE\}/$file}"; }

python3 -c "import h5py" 2>/dev/null || H5PY_EVERY=0
h5py_check() {  # an independent SWMR reader: committed rows exist and idx are distinct
  python3 - "$1" <<'PY' || return 1
import sys, h5py
with h5py.File(sys.argv[1], "r", libver="latest", swmr=True) as f:
    n = int(f["committed"][0])
    rows = f["samples"][:n]
    assert len(set(rows["idx"].tolist())) == n, "repeated sample"
PY
}

# The reference: one uninterrupted run.
(run_worker "$WORK/reference.h5") >/dev/null 2>"$WORK/reference.err" || fail "reference run: $(cat "$WORK/reference.err")"
"$BIN" export "$WORK/reference.h5" --comparable -o "$WORK/reference.jsonl" || fail "reference export"
[ "$(wc -l < "$WORK/reference.jsonl")" -gt 0 ] || fail "empty reference export"

kills=0; runs=0; restarts=0; start=$(date +%s)
file="$WORK/run.h5"
while [ "$kills" -lt "$KILLS" ]; do
  run_worker "$file" >/dev/null 2>>"$WORK/worker.err" &
  pid=$!
  sleep "$(printf '0.%03d' $((RANDOM % MAX_SLEEP_MS)))"
  if kill -9 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null
    kills=$((kills + 1))
  else
    wait "$pid"; rc=$?
    [ "$rc" -eq 0 ] || fail "worker exited with $rc: $(tail -n 3 "$WORK/worker.err")"
  fi
  restarts=$((restarts + 1))
  [ -e "$file" ] || continue  # killed before the first file was in place
  "$BIN" export "$file" --comparable -o "$WORK/snapshot.jsonl" 2>"$WORK/export.err" ||
    fail "after kill $kills the checkpoint does not read back: $(cat "$WORK/export.err")"
  n=$(wc -l < "$WORK/snapshot.jsonl")
  head -n "$n" "$WORK/reference.jsonl" | cmp -s - "$WORK/snapshot.jsonl" ||
    fail "after kill $kills the $n committed samples differ from the uninterrupted run"
  if [ "$H5PY_EVERY" -gt 0 ] && [ $((kills % H5PY_EVERY)) -eq 0 ]; then
    h5py_check "$file" || fail "h5py cannot read the checkpoint after kill $kills"
  fi
  if cmp -s "$WORK/snapshot.jsonl" "$WORK/reference.jsonl"; then
    runs=$((runs + 1))  # this run is complete and equal; start another
    rm -f "$file" "$file.lock"
  fi
done
# Finish the last run without kills and compare it whole.
until (run_worker "$file") >/dev/null 2>>"$WORK/worker.err"; do
  rc=$?; fail "final worker run exited with $rc: $(tail -n 3 "$WORK/worker.err")"
done
"$BIN" export "$file" --comparable -o "$WORK/final.jsonl" || fail "final export"
cmp -s "$WORK/final.jsonl" "$WORK/reference.jsonl" || fail "the killed run's export differs from the uninterrupted run's"
runs=$((runs + 1))
[ -e "$file.rebuild.tmp" ] && fail "a rebuild file was left behind"
echo "store_kill: $kills SIGKILLs, $restarts starts, $runs complete runs of $SAMPLES samples, all equal to the uninterrupted run; $(( $(date +%s) - start )) s"
