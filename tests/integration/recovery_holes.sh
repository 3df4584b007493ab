#!/usr/bin/env bash
# Recovery paths that used to lose work or end a run (issue 11), each tried as a user would,
# on the tiny model pair and GSM8K questions:
#  1. a damaged row (flipped byte) or a file cut short is dropped / set aside and re-run,
#     also when it sits in another rank's file;
#  2. a streak of poison samples is quarantined without spending the retry budget;
#  3. --disable_checkpoint never quarantines (nothing to attribute);
#  5. shard files of another configuration are refused, not counted as done;
#  7. a bad SOFTCOT_FAULT is a usage error before any sample is begun.
# Usage: bash recovery_holes.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
command -v python3 > /dev/null || { echo "SKIP: python3 not found"; exit 77; }
source "$(dirname "$0")/eval_common.bash"
source "$here/export_helpers.bash"

common=(--base_model_id base --assistant_model_id assistant --params_file_name projection.safetensors
        --task_name gsm8k --seed 5 --threads 2 --checkpoint_dir checkpoints
        --progress_interval 0 --max_new_tokens 16 --num_return_sequences 1 --checkpoint_sync never)
flags=("${common[@]}" --num_thought_tokens 4)
file_of() { echo "checkpoints/$1/gsm8k_seed5_shard${2:-0}-of-${3:-1}.h5"; }
export_of() { "$softcot" export "checkpoints/$1" --format jsonl > "$1.jsonl" 2> "$1.export.log"; }


"$softcot" eval "${flags[@]}" --test_k 12 --run_name clean > clean.out 2> clean.log || fail "clean run: exit $?"
export_of clean

# 1a. A flipped byte in a committed row: softcot run drops the row, re-runs the sample, completes.
SOFTCOT_FAULT=kill@4 "$softcot" eval "${flags[@]}" --test_k 6 --run_name flip > flip1.out 2> flip1.log
rc=$?; [ $rc = 137 ] || fail "flip: the first run exited $rc, expected 137 (SIGKILL at sample 4)"
export_of flip
damage_row flip 2 "$(file_of flip)" || fail "flip: could not damage sample 2"
"$softcot" status "checkpoints/flip" > flip.status 2>&1
"$softcot" run "${flags[@]}" --test_k 6 --run_name flip --retry_delay 0 > flip2.out 2> flip2.log
rc=$?; [ $rc = 0 ] || fail "flip: softcot run exited $rc after a damaged row (flip2.log)"
grep -q 'sample 2' flip2.log && grep -qi 'checksum' flip2.log || fail "flip: no warning naming sample 2's damaged row"
export_of flip
diff <(normalized clean "" 6) <(normalized flip) > flip.diff || fail "flip: export differs from a clean run (flip.diff)"
[ $failures = 0 ] && echo "ok: a damaged row is dropped with a warning naming it and re-run; the export equals a clean run"

# 1b. A file cut short: set aside (never deleted), the run starts over and completes.
SOFTCOT_FAULT=kill@4 "$softcot" eval "${flags[@]}" --test_k 6 --run_name cut > cut1.out 2> cut1.log
cp "$(file_of cut)" cut-before.h5
truncate -s $(( $(stat -c %s cut-before.h5) / 2 )) "$(file_of cut)"
cp "$(file_of cut)" cut-damaged.h5
"$softcot" run "${flags[@]}" --test_k 6 --run_name cut --retry_delay 0 > cut2.out 2> cut2.log
rc=$?; [ $rc = 0 ] || fail "cut: softcot run exited $rc on a file cut short (cut2.log)"
aside=$(ls checkpoints/cut/ | grep -v '\.h5$' | grep -v '\.lock$' | head -1)
[ -n "$aside" ] && cmp -s "checkpoints/cut/$aside" cut-damaged.h5 || fail "cut: the damaged file was not set aside unchanged"
grep -q "$aside" cut2.log || fail "cut: the log does not name where the file went"
grep -qi 'kept' cut2.log || fail "cut: the message does not say what was kept"
export_of cut
diff <(normalized clean "" 6) <(normalized cut) > cut.diff || fail "cut: export differs from a clean run (cut.diff)"
[ $failures = 0 ] && echo "ok: a file cut short in its data: rows past the cut dropped, the file as it was kept as $aside"

# 1c. A file cut to its first KiB cannot be opened at all: set aside, the run starts over.
SOFTCOT_FAULT=kill@4 "$softcot" eval "${flags[@]}" --test_k 6 --run_name stub > stub1.out 2> stub1.log
truncate -s 1024 "$(file_of stub)"
cp "$(file_of stub)" stub-damaged.h5
"$softcot" run "${flags[@]}" --test_k 6 --run_name stub --retry_delay 0 > stub2.out 2> stub2.log
rc=$?; [ $rc = 0 ] || fail "stub: softcot run exited $rc on an unopenable file (stub2.log)"
aside=$(ls checkpoints/stub/ | grep -v '\.h5$' | grep -v '\.lock$' | head -1)
[ -n "$aside" ] && cmp -s "checkpoints/stub/$aside" stub-damaged.h5 || fail "stub: the file was not set aside unchanged"
grep -q "set aside as .*$aside" stub2.log && grep -q 'Kept: ' stub2.log || fail "stub: the message does not say where it went and what was kept"
export_of stub
diff <(normalized clean "" 6) <(normalized stub) > stub.diff || fail "stub: export differs from a clean run (stub.diff)"
[ $failures = 0 ] && echo "ok: an unopenable file is set aside as $aside and the run completes"

# 1d. A damaged row in rank 1's file does not stop rank 0.
rank() { SLURM_STEP_ID=0 SLURM_PROCID=$1 SLURM_STEP_NUM_TASKS=2 "${@:2}"; }
rank 1 env SOFTCOT_FAULT=kill@7 "$softcot" eval "${flags[@]}" --test_k 12 --run_name ranks > r1a.out 2> r1a.log
export_of ranks
damage_row ranks 3 "$(file_of ranks 1 2)" || fail "ranks: could not damage sample 3"
# Both ranks at once, as in one step (rank 0 waits for rank 1 before it merges).
rank 0 "$softcot" run "${flags[@]}" --test_k 12 --run_name ranks --retry_delay 0 > r0.out 2> r0.log &
pid0=$!
rank 1 "$softcot" run "${flags[@]}" --test_k 12 --run_name ranks --retry_delay 0 > r1b.out 2> r1b.log
rc=$?; [ $rc = 0 ] || fail "ranks: rank 1 exited $rc (r1b.log)"
wait $pid0; rc=$?; [ $rc = 0 ] || fail "ranks: rank 0 exited $rc with rank 1's damaged row (r0.log)"
export_of ranks
diff <(normalized clean) <(normalized ranks) > ranks.diff || fail "ranks: export differs from a clean run (ranks.diff)"
[ $failures = 0 ] && echo "ok: rank 0 goes on past rank 1's damaged row; rank 1 re-runs it; export equals a clean run"

# 2. Four poison samples in a row: each quarantined, the run completes within its budget.
SOFTCOT_FAULT=segv@3,segv@4,segv@5,segv@6 "$softcot" run "${flags[@]}" --test_k 12 --run_name streak \
  --retry_delay 0 > streak.out 2> streak.log
rc=$?; [ $rc = 0 ] || fail "streak: exit $rc (streak.log)"
export_of streak
[ "$(python3 -c 'import json,sys
print(",".join(str(r["idx"]) for r in map(json.loads, open(sys.argv[1])) if r["crash_signal"]))' streak.jsonl)" = "3,4,5,6" ] ||
  fail "streak: quarantined samples are not exactly 3,4,5,6"
diff <(normalized clean 3,4,5,6) <(normalized streak 3,4,5,6) > streak.diff || fail "streak: other records differ"
[ $failures = 0 ] && echo "ok: a streak of 4 poison samples is quarantined and the run completes"

# 3. --disable_checkpoint: a crash restarts at sample 0 and nothing is quarantined.
SOFTCOT_FAULT=segv@2x3 "$softcot" run "${flags[@]}" --test_k 6 --run_name nockpt --disable_checkpoint \
  --retry_delay 0 > nockpt.out 2> nockpt.log
rc=$?; [ $rc = 0 ] || fail "disable_checkpoint: exit $rc (nockpt.log)"
grep -q 'Sample [0-9]* quarantined' nockpt.log && fail "disable_checkpoint: something was quarantined"
grep -q 'begins at sample 0' nockpt.log || fail "disable_checkpoint: no warning that a restart begins at sample 0"
[ "$(grep -c 'Correct Count: [0-9]*/6$' nockpt.log)" -ge 1 ] || fail "disable_checkpoint: the last attempt did not evaluate 6 samples"
[ $failures = 0 ] && echo "ok: --disable_checkpoint retries from sample 0 without quarantining"

# 5. A 2-rank run with N = 4, then a plain eval with N = 2 in the same run dir: refused.
rank 0 "$softcot" eval "${flags[@]}" --test_k 6 --run_name mixed > m0.out 2> m0.log &
pid0=$!
rank 1 "$softcot" eval "${flags[@]}" --test_k 6 --run_name mixed > m1.out 2> m1.log || fail "mixed: rank 1: exit $?"
wait $pid0 || fail "mixed: rank 0: exit $?"
cp -r checkpoints/mixed mixed-before
"$softcot" eval "${common[@]}" --num_thought_tokens 2 --test_k 6 --run_name mixed > m2.out 2> m2.log
rc=$?; [ $rc = 65 ] || fail "mixed: eval with another N over the run's shard files exited $rc, expected 65"
grep -q 'fingerprint mismatch' m2.log && grep -q 'shard' m2.log || fail "mixed: the error does not name the shard file and the mismatch"
diff -r mixed-before checkpoints/mixed > /dev/null || fail "mixed: the run dir changed"
[ $failures = 0 ] && echo "ok: shard files of another configuration are refused (65), nothing changed"

# 7. A bad SOFTCOT_FAULT three times: usage errors, and sample 0 is never counted as crashed.
for i in 1 2 3; do
  SOFTCOT_FAULT=segv@x "$softcot" eval "${flags[@]}" --test_k 2 --run_name badfault > bad$i.out 2> bad$i.log
  rc=$?; [ $rc = 2 ] || fail "bad SOFTCOT_FAULT: exit $rc, expected 2"
done
"$softcot" eval "${flags[@]}" --test_k 2 --run_name badfault > bad4.out 2> bad4.log || fail "after bad faults: exit $?"
export_of badfault
[ "$(field badfault 0 status)" = '"success"' ] && [ "$(field badfault 0 attempts)" = 1 ] ||
  fail "bad SOFTCOT_FAULT: sample 0 is $(field badfault 0 status) after $(field badfault 0 attempts) attempts"
[ $failures = 0 ] && echo "ok: a bad SOFTCOT_FAULT is a usage error that never counts as a crash"

echo "$failures failure(s)"
[ $failures = 0 ]
