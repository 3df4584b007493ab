#!/usr/bin/env bash
# The model identity cache (issue 12): a restart does not re-hash every weight byte when
# the files are unchanged (path, size, mtime, ctime, inode), and does when they change.
#   1. the first run hashes and records the identities; the resume takes them from the cache
#   2. a weight byte changed in place (same size) -> re-hashed -> the resume is refused
#      (fingerprint mismatch on base_model), exactly as without a cache
#   3. a damaged cache entry is ignored (re-hashed), never trusted or fatal
# Usage: bash eval_identity_cache.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
source "$(dirname "$0")/eval_common.bash"
export SOFTCOT_CACHE_DIR=$work/cache

eval_run() {  # the same run each time: after the first, a resume that only starts up
  "$softcot" eval --base_model_id base --assistant_model_id assistant \
    --params_file_name projection.safetensors --task_name gsm8k --num_thought_tokens 4 --test_k 2 \
    --seed 3 --max_new_tokens 4 --threads 2 --checkpoint_dir checkpoints --run_name cache \
    --progress_interval 0 --log_level debug
}

# 1. First run: hashed; the entries exist. Resume: every identity from the cache.
eval_run > /dev/null 2> first.log || fail "first run: $(tail -n 2 first.log)"
entries=$(find cache -name '*.json' 2> /dev/null | wc -l)
[ "$entries" -ge 3 ] || fail "first run: $entries cache entries, expected 3 (base, assistant, projection)"
grep -q 'identity.*from the cache' first.log && fail "first run: an identity came from an empty cache"
eval_run > /dev/null 2> resume.log || fail "resume: $(tail -n 2 resume.log)"
hits=$(grep -c 'identity.*from the cache' resume.log)
[ "$hits" = 3 ] && echo "ok: the resume took 3 identities from the cache" ||
  fail "resume: $hits identities from the cache, expected 3: $(grep -i identity resume.log)"

# 2. One weight byte changed in place: same size and inode, new mtime/ctime -> re-hashed.
cp -a base base_good
python3 "$here/poison_tensor.py" base/model.safetensors model.norm.weight 3 inf
eval_run > /dev/null 2> changed.log; rc=$?
[ "$rc" = 65 ] && grep -q 'fingerprint mismatch: .*base_model' changed.log &&
  echo "ok: a changed weight file is re-hashed and the resume refused" ||
  fail "changed weights: exit $rc: $(grep error changed.log)"

# 3. Damaged cache entries are ignored: same identities as a fresh hash.
rm -rf base && mv base_good base
for f in $(find cache -name '*.json'); do echo '{"garbage' > "$f"; done
rm -rf checkpoints
eval_run > /dev/null 2> damaged.log || fail "damaged cache: $(tail -n 2 damaged.log)"
grep -q 'identity.*from the cache' damaged.log && fail "damaged cache: an entry was trusted"
eval_run > /dev/null 2> after.log || fail "after damaged cache: $(tail -n 2 after.log)"
[ "$(grep -c 'identity.*from the cache' after.log)" = 3 ] || fail "the damaged entries were not rewritten"

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "eval_identity_cache: all cases passed"
