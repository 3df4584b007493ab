#!/usr/bin/env bash
# `softcot eval` / `softcot run` on a tiny Llama-3 pair (issue 13): the second demo config
# runs end to end; --chat_date is part of the fingerprint and `today` on resume takes the
# date the run started with; --assistant_model_ckpt is loaded (names and shapes checked,
# its digest in the fingerprint); --help says --base_model_ckpt has no effect.
# Usage: bash eval_llama.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR
source "$(dirname "$0")/eval_common.bash"
shared=$2
bash "$here/../../scripts/make_tiny_llama_models.sh" "$softcot" models-llama "$shared/data/tokenizers" ||
  { echo "FAIL: cannot make the tiny Llama models"; exit 1; }

# 1. The second demo config, under the supervisor.
"$softcot" run --config "$here/../../configs/demo-llama.cfg" --retry_delay 0 --threads 2 > demo.log 2>&1 ||
  fail "demo-llama.cfg: exit $? $(tail -3 demo.log)"
"$softcot" status checkpoints/demo-llama > status.log 2>&1 || fail "status: $(cat status.log)"
grep -q "4/4" status.log || fail "demo-llama: not 4/4 samples committed: $(cat status.log)"

llama_eval() {
  "$softcot" eval --base_model_id models-llama/tiny-Llama-3.1-base \
    --assistant_model_id models-llama/tiny-Llama-3.2-assistant \
    --params_file_name models-llama/projection.safetensors --task_name gsm8k --num_thought_tokens 2 \
    --test_k 1 --max_new_tokens 4 --seed 5 --threads 2 --checkpoint_dir checkpoints --progress_interval 0 "$@"
}

# 2. The chat date: stored, reused by `today`, a different one is a fingerprint change.
llama_eval --run_name dated --chat_date "01 Jan 2020" > dated1.log 2>&1 || fail "dated run: $(tail -3 dated1.log)"
llama_eval --run_name dated --chat_date today > dated2.log 2>&1 || fail "resume with today: $(tail -3 dated2.log)"
grep -q -- "--chat_date today: 01 Jan 2020" dated2.log || fail "today did not take the stored date: $(cat dated2.log)"
llama_eval --run_name dated --chat_date "02 Jan 2020" > dated3.log 2>&1 && fail "a different date resumed"
grep -q "fingerprint mismatch.*chat_date 01 Jan 2020 -> 02 Jan 2020" dated3.log ||
  fail "the mismatch does not name chat_date: $(cat dated3.log)"
llama_eval --run_name dated --chat_date "1 Jan 2020" > dated4.log 2>&1 && fail "a malformed date was accepted"
grep -q -- "--chat_date must be" dated4.log || fail "malformed date: $(cat dated4.log)"

# 3. Fine-tuned assistant weights: another seed's tensors load; the base model's do not fit.
"$softcot" make-tiny-model --out tuned --tokenizer "$shared/data/tokenizers/llama3_2_instruct/tokenizer.json" \
  --architecture llama --rope_theta 500000 --original_max_position_embeddings 64 --rope_scaling_factor 32 \
  --seed 99 --hidden_size 32 --num_layers 2 --num_heads 2 --num_kv_heads 1 --intermediate_size 64 --tied > /dev/null
llama_eval --run_name tuned --assistant_model_ckpt tuned/model.safetensors > tuned1.log 2>&1 ||
  fail "ckpt run: $(tail -3 tuned1.log)"
grep -q "Assistant weights: tuned/model.safetensors" tuned1.log || fail "the ckpt was not loaded: $(cat tuned1.log)"
llama_eval --run_name tuned > tuned2.log 2>&1 && fail "resuming without the ckpt was accepted"
grep -q "assistant_model_ckpt_sha256" tuned2.log || fail "the mismatch does not name the ckpt: $(cat tuned2.log)"
llama_eval --run_name wrong --assistant_model_ckpt models-llama/tiny-Llama-3.1-base/model.safetensors > wrong.log 2>&1 &&
  fail "a ckpt of the wrong shapes was accepted"
grep -q "models-llama/tiny-Llama-3.1-base/model.safetensors: tensor 'model.embed_tokens.weight' has shape" wrong.log ||
  fail "wrong ckpt: $(cat wrong.log)"

# 4. --help.
"$softcot" eval --help | grep -A1 -- "--base_model_ckpt" | grep -q "WITHOUT EFFECT" || fail "--help: base_model_ckpt"

echo "$failures failure(s)"
[ $failures = 0 ]
