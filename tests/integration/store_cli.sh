#!/usr/bin/env bash
# The checkpoint from outside: h5dump and h5py read it, `softcot status` and `export`
# work while the writer runs, SIGTERM stops a writer mid-sample with the preempted code
# and a resume completes identically (how fast: tests/bench/sigterm_latency.sh), and a second writer, another run's settings and
# damaged files each give one clear error line and the documented exit code.
#   bash store_cli.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
set -u
BIN=$(realpath "$1"); WORK=$3
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK" || exit 1
fail() { echo "FAIL: $*" >&2; exit 1; }
# wait_for SECONDS WHAT COMMAND...: polls COMMAND until it succeeds (an event, not a time;
# the deadline is generous and only guards against a stuck test).
wait_for() {
  local deadline=$((SECONDS + $1)) what=$2; shift 2
  until "$@"; do
    [ $SECONDS -lt $deadline ] || fail "timed out after $1 s waiting for $what"
    sleep 0.05
  done
}
# status_has FILE PYTHON_CONDITION: `softcot status --json` of FILE satisfies the condition on s.
status_has() {
  "$BIN" status "$1" --json 2>/dev/null |
    python3 -c "import json,sys; s=json.load(sys.stdin)[0]; sys.exit(0 if ($2) else 1)" 2>/dev/null
}
expect_exit() {  # expect_exit CODE PATTERN CMD...: exit code and one stderr line matching PATTERN
  local code=$1 pattern=$2; shift 2
  "$@" >out.txt 2>err.txt; local rc=$?
  [ "$rc" -eq "$code" ] || fail "'$*' exited $rc, not $code: $(cat err.txt)"
  grep -q -- "$pattern" err.txt || fail "'$*' did not say '$pattern': $(cat err.txt)"
}

# A reference run, uninterrupted.
"$BIN" store-selftest --path ref/run.h5 --samples 40 --pause_ms 0 || fail "reference run"
"$BIN" export ref/run.h5 --comparable -o ref.jsonl || fail "reference export"

# h5dump reads the schema; h5py reads every committed row and its texts.
h5dump -H ref/run.h5 > h5dump.txt || fail "h5dump -H cannot read the checkpoint"
for name in samples responses text committed in_flight fingerprint_json run_config_json; do
  grep -q "\"$name\"" h5dump.txt || fail "h5dump -H does not show $name"
done
if python3 -c "import h5py" 2>/dev/null; then
  python3 - ref/run.h5 <<'PY' || fail "h5py disagrees with softcot export"
import json, sys, h5py
path = sys.argv[1]
with h5py.File(path, "r", libver="latest", swmr=True) as f:
    n = int(f["committed"][0]); rows = f["samples"][:n]; resp = f["responses"][:]; text = f["text"][:].tobytes()
    assert n == 40 and sorted(rows["idx"].tolist()) == list(range(40))
    out = {}
    for r in rows:
        o = int(r["text_offset"]); g = int(r["ground_truth_length"]); a = int(r["model_answer_length"])
        out[int(r["idx"])] = (text[o:o + g].decode(), text[o + g:o + g + a].decode(),
            [text[int(x["text_offset"]):int(x["text_offset"]) + int(x["text_length"])].decode()
             for x in resp[int(r["response_first"]):int(r["response_first"]) + int(r["response_count"])]])
        inline = r["model_answer"].decode()
        assert inline in ("", out[int(r["idx"])][1]), "inline answer column disagrees"
with open("ref.jsonl") as lines:
    for line in lines:
        j = json.loads(line)
        gt, ans, texts = out[j["idx"]]
        assert json.loads(gt) == j["ground_truth"] and json.loads(ans) == j["model_answer"]
        assert texts == [x["text"] for x in j["responses"]]
PY
else
  echo "note: h5py missing, its check skipped"
fi

# status and export while a writer is running (SWMR read).
# 4000 samples of 20 ms: the writer is still running when the checks below are done.
"$BIN" store-selftest --path live/run.h5 --samples 4000 --pause_ms 20 --checkpoint_sync never 2>live.err &
writer=$!
wait_for 300 "the live writer's first commit" status_has live/run.h5 "s['committed'] > 0"
"$BIN" status live --json > status.json || fail "status during a run: $(cat status.json)"
python3 -c "import json,sys; s=json.load(open('status.json'))[0]; assert 0 < s['committed'] < 4000 and s['planned'] == 4000, s" ||
  fail "status during a run: $(cat status.json)"
"$BIN" export live/run.h5 -o live.jsonl || fail "export during a run"
[ "$(wc -l < live.jsonl)" -gt 0 ] || fail "export during a run is empty"

# A second writer is refused at once, naming the holder.
expect_exit 74 "locked by pid $writer on host" "$BIN" store-selftest --path live/run.h5 --samples 4000

# SIGTERM mid-sample (sample 10 in flight, 60 s of simulated work): exit 75, file committed
# and closed. The signal is sent once status shows that sample in flight.
"$BIN" store-selftest --path term/run.h5 --samples 40 --pause_ms 0 --stop_after 10 || fail "first 10 samples"
"$BIN" store-selftest --path term/run.h5 --samples 40 --pause_ms 60000 2>term.err &
slow=$!
wait_for 300 "sample 10 in flight" status_has term/run.h5 "s['in_flight']['idx'] == 10 and s['in_flight']['pid'] == $slow"
kill -TERM $slow; wait $slow; rc=$?
[ "$rc" -eq 75 ] || fail "SIGTERM: exit $rc, not 75 (preempted)"
"$BIN" status term/run.h5 >/dev/null || fail "status after SIGTERM"
"$BIN" store-selftest --path term/run.h5 --samples 40 --pause_ms 0 || fail "resume after SIGTERM"
"$BIN" export term/run.h5 --comparable -o term.jsonl && cmp -s term.jsonl ref.jsonl ||
  fail "resume after SIGTERM differs from the uninterrupted run"
kill -TERM $writer; wait $writer; [ $? -eq 75 ] || fail "live writer did not stop with 75"

# Another run's settings: refused, listing what changed; the file is kept.
cp ref/run.h5 ref-before.h5
expect_exit 65 "fingerprint mismatch: seed 42 -> 41" "$BIN" store-selftest --path ref/run.h5 --samples 40 --seed 41
cmp -s ref/run.h5 ref-before.h5 || fail "a refused resume changed the file"

# Damaged files: one line, exit 65, file untouched.
cp ref/run.h5 bad/ 2>/dev/null || { mkdir -p bad && cp ref/run.h5 bad/run.h5; }
truncate -s 20000 bad/run.h5; cp bad/run.h5 bad-before.h5
expect_exit 65 "bad/run.h5: " "$BIN" status bad/run.h5
expect_exit 65 "bad/run.h5: " "$BIN" export bad/run.h5
expect_exit 65 "move it aside or use a new --run_name" "$BIN" store-selftest --path bad/run.h5 --samples 40
cmp -s bad/run.h5 bad-before.h5 || fail "a damaged file was changed"
head -c 50000 /dev/urandom > random.h5
expect_exit 65 "random.h5: is not an HDF5 file" "$BIN" export random.h5
[ "$(wc -l < err.txt)" -eq 1 ] || fail "the error is not one line: $(cat err.txt)"
expect_exit 65 "no such file or directory" "$BIN" status missing/
echo "store_cli: h5dump, h5py, live status/export, lock, SIGTERM mid-sample, mismatch and damaged files: ok"
