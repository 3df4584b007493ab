#!/usr/bin/env bash
# `softcot eval` end to end on two tiny models (issue 4): 20 GSM8K questions, N = 4,
# num_return_sequences 1 and 3, each twice with the same seed -> identical records (the export
# minus timestamps, timings, host and pid); another seed -> different responses; N = 0 (the
# zero-shot baseline) runs without a projection.
# Usage: bash eval_determinism.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
command -v python3 > /dev/null || { echo "SKIP: python3 not found"; exit 77; }
source "$(dirname "$0")/eval_common.bash"

# eval NAME N SEQUENCES SEED [extra flags]: 20 questions into checkpoints/NAME, export to NAME.jsonl.
eval_run() {
  local name=$1 n=$2 sequences=$3 seed=$4
  shift 4
  "$softcot" eval --base_model_id base --assistant_model_id assistant --task_name gsm8k \
    --num_thought_tokens "$n" --num_return_sequences "$sequences" --test_k 20 --seed "$seed" \
    --max_new_tokens 24 --threads 2 --checkpoint_dir checkpoints --run_name "$name" \
    --progress_interval 0 "$@" > "$name.out" 2> "$name.log" || { fail "$name: exit $?"; return 1; }
  "$softcot" export "checkpoints/$name" --format jsonl > "$name.jsonl" || { fail "$name: export failed"; return 1; }
}

# The export without what legitimately differs between runs, one record per line by idx.
normalized() {
  python3 - "$1" <<'PY'
import json, sys
drop = {"timestamp", "assistant_seconds", "generation_seconds", "started_unix_ms",
        "finished_unix_ms", "committed_unix_ms", "host", "pid"}
records = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
for r in sorted(records, key=lambda r: r["idx"]):
    print(json.dumps({k: v for k, v in r.items() if k not in drop}, sort_keys=True, ensure_ascii=False))
PY
}

# check_records NAME SEQUENCES: idx 0..19 once each, all successes, SEQUENCES responses each.
check_records() {
  python3 - "$1.jsonl" "$2" <<'PY' || fail "$1: records not as expected"
import json, sys
records = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
ids = sorted(r["idx"] for r in records)
assert ids == list(range(20)), ids
for r in records:
    assert r["status"] == "success", r
    assert len(r["responses"]) == int(sys.argv[2]), r["idx"]
    assert all(s["generated_tokens"] > 0 and s["text"] for s in r["responses"]), r["idx"]
PY
}

# responses NAME: the texts only, one line per record.
responses() {
  python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if l.strip(): r = json.loads(l); print(r["idx"], json.dumps([s["text"] for s in r["responses"]], ensure_ascii=False))' "$1.jsonl" | sort -n
}

with_projection=(--params_file_name projection.safetensors)
for sequences in 1 3; do
  eval_run "s7_r${sequences}_a" 4 "$sequences" 7 "${with_projection[@]}" || continue
  eval_run "s7_r${sequences}_b" 4 "$sequences" 7 "${with_projection[@]}" || continue
  check_records "s7_r${sequences}_a" "$sequences"
  if diff <(normalized "s7_r${sequences}_a.jsonl") <(normalized "s7_r${sequences}_b.jsonl") > "r${sequences}.diff"; then
    echo "ok: N=4, num_return_sequences $sequences: two runs with seed 7 give identical records"
  else
    fail "N=4, num_return_sequences $sequences: same seed, different records (r${sequences}.diff)"
  fi
done

# Another seed: different responses (20 questions x 3 sequences x 24 sampled tokens: every
# record differs unless the seed is ignored).
if eval_run s8_r3 4 3 8 "${with_projection[@]}"; then
  check_records s8_r3 3
  differing=$(diff <(responses s7_r3_a) <(responses s8_r3) | grep -c '^>')
  if [ "$differing" -ge 18 ]; then echo "ok: seed 8 changes the responses of $differing/20 records"
  else fail "seed 8 vs 7: only $differing/20 records have different responses"; fi
fi

# The soft thoughts reach the base model: same seed, N = 4 vs another projection seed.
"$softcot" make-tiny-projection --out projection2.safetensors --in_features 32 --out_features 64 \
  --seed 4 > /dev/null
if eval_run s7_r3_proj2 4 3 7 --params_file_name projection2.safetensors; then
  differing=$(diff <(responses s7_r3_a) <(responses s7_r3_proj2) | grep -c '^>')
  [ "$differing" -ge 18 ] && echo "ok: another projection changes $differing/20 records" ||
    fail "another projection changed only $differing/20 records: are the soft thoughts injected?"
fi

# N = 0: the zero-shot baseline, no projection given; deterministic too.
if eval_run zs_a 0 1 7 && eval_run zs_b 0 1 7; then
  check_records zs_a 1
  python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if l.strip(): assert json.loads(l)["assistant_prompt_tokens"] == 0, l' zs_a.jsonl ||
    fail "N=0: assistant_prompt_tokens is not 0 (did the assistant run?)"
  diff <(normalized zs_a.jsonl) <(normalized zs_b.jsonl) > zs.diff ||
    fail "N=0: same seed, different records (zs.diff)"
  differing=$(diff <(responses s7_r1_a) <(responses zs_a) | grep -c '^>')
  [ "$differing" -ge 18 ] || fail "N=0 vs N=4: only $differing/20 records differ"
  [ $failures = 0 ] && echo "ok: N=0 runs without a projection, deterministic, differs from N=4"
fi

echo "$failures failure(s)"
[ $failures = 0 ]
