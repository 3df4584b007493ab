#!/usr/bin/env bash
# `softcot eval` (no supervisor) on two tiny models, killed with SIGKILL at random instants
# again and again and restarted until it finishes (issue 5). After every kill the checkpoint
# file must be readable by SWMR readers (`softcot status`, `softcot export`, and h5py with
# swmr=True when installed) and hold exactly a prefix of an uninterrupted run's records; at the end the export equals the
# uninterrupted run's (timestamps, timings, hosts, pids and attempts aside): no sample
# missing or repeated. h5dump -H must read the file once its writer has finished: h5dump 1.10
# opens without SWMR, and HDF5 refuses a file whose (killed) writer left it marked open for
# writing, so it cannot be the check after a SIGKILL.
# Usage: bash eval_kill.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
# Knobs (environment): KILLS (25), SEED (random; printed, to replay a failure), SAMPLES (16).
set -u
softcot=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$3
here=$(cd "$(dirname "$0")" && pwd)
KILLS=${KILLS:-25}
SAMPLES=${SAMPLES:-16}
SEED=${SEED:-$(( $(date +%s) % 32768 ))}
RANDOM=$SEED
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
ulimit -c 0
echo "random seed $SEED (replay: SEED=$SEED bash $0 ...)"
fail() { echo "FAIL: $*"; exit 1; }
h5py=0
python3 -c "import h5py" 2> /dev/null && h5py=1

bash "$here/../../scripts/make_tiny_models.sh" "$softcot" . || fail "cannot make the tiny models"

# A sample killed many times would be quarantined after 3 starts: these kills are not the
# sample's fault, so the attempt limit is lifted.
eval_cmd() {
  exec "$softcot" eval --base_model_id base --assistant_model_id assistant \
    --params_file_name projection.safetensors --task_name gsm8k --num_thought_tokens 4 \
    --num_return_sequences 2 --test_k "$SAMPLES" --seed 11 --max_new_tokens 32 --threads 2 \
    --checkpoint_dir checkpoints --run_name "$1" --progress_interval 0 --max_sample_attempts 100000
}
file=checkpoints/killed/gsm8k_seed11_shard0-of-1.h5

start=$(date +%s)
(eval_cmd reference) > /dev/null 2> reference.log || fail "uninterrupted run: $(tail -n 3 reference.log)"
"$softcot" export checkpoints/reference --comparable -o reference.jsonl || fail "export of the uninterrupted run"
[ "$(wc -l < reference.jsonl)" = "$SAMPLES" ] || fail "the uninterrupted run has $(wc -l < reference.jsonl) records"
reference_s=$(( $(date +%s) - start ))
echo "uninterrupted run: $SAMPLES samples in ${reference_s}s"

# Delays: random in [L/2, L + 2T), where L is the uninterrupted run's time to its first
# commit (loading, opening or rebuilding the checkpoint) and T its time per sample, measured
# from its log: kills land while loading, while the file is rebuilt, between and during
# commits. Restarts load faster than the first start (a warm page cache), so the upper end
# adapts: it shrinks by T/2 while the run is ahead of a schedule that spreads the KILLS kills
# over the whole run, and grows by T/2 while behind; the last samples are left to the final,
# unkilled start.
read -r load_ms sample_ms < <(python3 - reference.log <<'PY'
import re, sys, datetime
stamps, samples = [], []
for line in open(sys.argv[1]):
    m = re.match(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\]", line)
    if not m:
        continue
    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S.%f").timestamp()
    stamps.append(t)
    if "Correct Count" in line:
        samples.append(t)
first = stamps[0] - 0.05  # the first log line comes right after the process starts
per = (samples[-1] - samples[0]) / max(1, len(samples) - 1)
print(int((samples[0] - first) * 1000), max(20, int(per * 1000)))
PY
)
[ -n "${sample_ms:-}" ] || fail "cannot read the uninterrupted run's timings from reference.log"
echo "uninterrupted run: first commit after ${load_ms} ms, then ${sample_ms} ms per sample"
min_delay_ms=$((load_ms / 2))
span_ms=$((load_ms - min_delay_ms + 2 * sample_ms))
min_span_ms=$((sample_ms / 2 + 50))
kills=0 starts=0 last=0
while :; do
  (eval_cmd killed) > /dev/null 2>> killed.log &
  pid=$!
  starts=$((starts + 1))
  if [ "$kills" -lt "$KILLS" ]; then
    delay=$(( RANDOM * 32768 + RANDOM ))
    delay=$(( min_delay_ms + delay % span_ms ))
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  fi
  if [ "$kills" -lt "$KILLS" ] && kill -KILL "$pid" 2> /dev/null; then
    wait "$pid" 2> /dev/null
    kills=$((kills + 1))
  else
    wait "$pid"; rc=$?
    [ $rc = 0 ] || fail "eval exited $rc after $kills kills: $(tail -n 3 killed.log)"
    done=1
  fi
  if [ ! -e "$file" ]; then
    [ -z "${done:-}" ] || fail "no checkpoint file after the run"
    continue
  fi
  "$softcot" status "$file" > status.txt 2>&1 || fail "after kill $kills: softcot status fails: $(cat status.txt)"
  if [ "$h5py" = 1 ]; then
    python3 - "$file" <<'PY' 2> h5py.err || fail "after kill $kills: h5py (SWMR read) fails: $(tail -n 2 h5py.err)"
import sys, h5py
with h5py.File(sys.argv[1], "r", libver="latest", swmr=True) as f:
    n = int(f["committed"][0])
    ids = f["samples"][:n]["idx"].tolist()
    assert sorted(ids) == list(range(n)), ids
PY
  fi
  "$softcot" export "$file" --comparable -o snapshot.jsonl 2> export.err ||
    fail "after kill $kills: export fails: $(cat export.err)"
  n=$(wc -l < snapshot.jsonl)
  [ "$n" -ge "$last" ] || fail "after kill $kills: $n committed samples, fewer than the $last before"
  head -n "$n" reference.jsonl | cmp -s - snapshot.jsonl ||
    fail "after kill $kills: the $n committed records are not the uninterrupted run's first $n"
  last=$n
  if [ $((n * (KILLS + 3))) -gt $((SAMPLES * kills)) ]; then
    span_ms=$((span_ms - sample_ms / 2)); [ $span_ms -ge $min_span_ms ] || span_ms=$min_span_ms
  else
    span_ms=$((span_ms + sample_ms / 2))
  fi
  echo "kill $kills after ${delay:-?} ms: $n committed" >> kills.txt
  [ -n "${done:-}" ] && break
  [ $(( $(date +%s) - start )) -lt 600 ] || fail "not finished after 10 minutes ($kills kills, $n committed)"
done

h5dump -H "$file" > /dev/null 2> h5dump.err || fail "h5dump -H fails on the finished file: $(head -n 3 h5dump.err)"
cmp -s reference.jsonl snapshot.jsonl || fail "the final export differs from the uninterrupted run's"
python3 - snapshot.jsonl "$SAMPLES" <<'PY' || fail "samples missing or repeated"
import json, sys
ids = [json.loads(l)["idx"] for l in open(sys.argv[1]) if l.strip()]
assert sorted(ids) == list(range(int(sys.argv[2]))), ids
PY
grep -q "attempts" status.txt || fail "status without attempts line"
echo "ok: $kills SIGKILLs over $starts starts; readable after each; the final export equals the uninterrupted run's"
