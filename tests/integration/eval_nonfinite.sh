#!/usr/bin/env bash
# NaN weights (issue 12): a NaN in the projection's bias, in the base model's final norm,
# or in one down_proj entry must not give "success". Each sample becomes an error record
# (status error_generation, the message naming the stage), and a few such samples in a row
# stop the run with exit 65 and one error line naming the model or projection file.
# Usage: bash eval_nonfinite.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
source "$(dirname "$0")/eval_common.bash"

eval_run() {  # eval_run NAME BASE PROJECTION
  "$softcot" eval --base_model_id "$2" --assistant_model_id assistant --params_file_name "$3" \
    --task_name gsm8k --num_thought_tokens 4 --test_k 6 --seed 3 --max_new_tokens 8 --threads 2 \
    --checkpoint_dir checkpoints --run_name "$1" --progress_interval 0
}

# check NAME BASE PROJECTION NEEDLE STAGE: exit 65, one error line naming NEEDLE, and the
# committed records are errors whose messages name STAGE.
check() {
  local name=$1 base=$2 projection=$3 needle=$4 stage=$5
  eval_run "$name" "$base" "$projection" > "$name.out" 2> "$name.log"
  local rc=$?
  [ "$rc" = 65 ] || { fail "$name: exit $rc, expected 65: $(tail -n 3 "$name.log")"; return; }
  local line
  line=$(grep 'error:' "$name.log")
  [ "$(grep -c 'error:' "$name.log")" = 1 ] || fail "$name: not one error line: $(grep 'error:' "$name.log")"
  case "$line" in *"$needle"*) ;; *) fail "$name: the error does not name $needle: $line" ;; esac
  "$softcot" export "checkpoints/$name" -o "$name.jsonl" 2> /dev/null || { fail "$name: no export"; return; }
  local records errors
  records=$(wc -l < "$name.jsonl")
  errors=$(grep -c '"status":"error_generation"' "$name.jsonl")
  [ "$records" -ge 1 ] && [ "$records" = "$errors" ] ||
    fail "$name: $errors of $records records are error_generation"
  grep -q '"status":"success"' "$name.jsonl" && fail "$name: a success record"
  grep -q "\"error_message\":\"[^\"]*$stage" "$name.jsonl" || fail "$name: no message names '$stage': $(head -n 1 "$name.jsonl")"
  [ "$records" -lt 6 ] || fail "$name: the run did not stop early ($records records)"
  echo "ok: $name -> exit 65, $records error records: $line"
}

# The good pair runs: the poisoned copies below are the only difference.
eval_run good base projection.safetensors > /dev/null 2> good.log || fail "the good run fails: $(tail -n 3 good.log)"

cp projection.safetensors nan_projection.safetensors
python3 "$here/poison_tensor.py" nan_projection.safetensors bias 5
check projection_bias base nan_projection.safetensors nan_projection.safetensors "projection"

cp -r base nan_norm
python3 "$here/poison_tensor.py" nan_norm/model.safetensors model.norm.weight 7
check final_norm nan_norm projection.safetensors nan_norm "logits"

cp -r base inf_down
python3 "$here/poison_tensor.py" inf_down/model.safetensors model.layers.1.mlp.down_proj.weight 100 inf
check down_proj inf_down projection.safetensors inf_down "logits"

[ "$failures" = 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "eval_nonfinite: all cases passed"
