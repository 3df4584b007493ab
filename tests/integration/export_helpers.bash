# Sourced by the integration tests that compare exports (`softcot export --format jsonl`
# written to NAME.jsonl): the records minus what differs between runs anyway, one field
# of one record, the retried samples, and a damaged row.
# normalized NAME [SKIP [LIMIT]]: the export minus what differs between runs anyway, by idx;
# SKIP (idx,idx..) drops those samples, LIMIT keeps the first LIMIT records.
normalized() {
  python3 - "$1.jsonl" "${2:-}" "${3:-0}" <<'PY'
import json, sys
drop = {"timestamp", "assistant_seconds", "generation_seconds", "started_unix_ms",
        "finished_unix_ms", "committed_unix_ms", "host", "pid", "attempts", "crash_signal"}
skip = {int(s) for s in sys.argv[2].split(",") if s}
records = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
records = sorted(records, key=lambda r: r["idx"])
if int(sys.argv[3]):
    records = records[:int(sys.argv[3])]
for r in records:
    if r["idx"] not in skip:
        print(json.dumps({k: v for k, v in r.items() if k not in drop}, sort_keys=True, ensure_ascii=False))
PY
}
# field NAME IDX KEY: one field of one record.
field() {
  python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if l.strip():
        r = json.loads(l)
        if r["idx"] == int(sys.argv[2]): print(json.dumps(r[sys.argv[3]]))' "$1.jsonl" "$2" "$3"
}
# attempts NAME: "idx:attempts" for every record with attempts != 1.
retried() {
  python3 -c 'import json,sys
print(" ".join("%d:%d" % (r["idx"], r["attempts"]) for r in sorted((json.loads(l) for l in open(sys.argv[1]) if l.strip()), key=lambda r: r["idx"]) if r["attempts"] != 1))' "$1.jsonl"
}

# damage_row NAME IDX FILE: flips one byte of sample IDX's first response text inside FILE
# (found by its bytes, from NAME.jsonl), as a disk error would.
damage_row() {
  python3 - "$1.jsonl" "$2" "$3" <<'PY'
import json, sys
text = next(r for r in map(json.loads, open(sys.argv[1])) if r["idx"] == int(sys.argv[2]))["responses"][0]["text"]
data = bytearray(open(sys.argv[3], "rb").read())
needle = text.encode()[:24]
assert len(needle) >= 8 and data.count(needle) == 1, "sample text not unique in the file"
data[data.find(needle) + 4] ^= 0x01
open(sys.argv[3], "r+b").write(data)
PY
}
