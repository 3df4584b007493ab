#!/usr/bin/env bash
# The main-job command of the README: installs what is missing, builds, and runs the
# embedded default (configs/demo.cfg) under the retry supervisor, with a deliberate
# segfault at sample 2 so you can watch the crash, the retry and the resume.
#
# The models are tiny and random: their answers are meaningless. To run real models,
# see the end of this script's output (or README.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/bootstrap.sh build
scripts/build.sh
softcot=$root/build/src/softcot

mkdir -p demo-run/models
cd demo-run
if [ ! -f models/base/model.safetensors ]; then
  echo "== making two tiny random Qwen2 models and a projection between them"
  "$root/scripts/make_tiny_models.sh" "$softcot" models
fi
rm -rf checkpoints

echo
echo "== softcot run on 6 GSM8K questions; SOFTCOT_FAULT=segv@2x1 crashes the worker once at sample 2"
SOFTCOT_FAULT=segv@2x1 "$softcot" run --config "$root/configs/demo.cfg" --retry_delay 1

echo
echo "== softcot status (readable while a run is live, too)"
"$softcot" status checkpoints
echo
echo "== softcot export -> demo-run/results.jsonl (first record, cut at 600 characters)"
"$softcot" export checkpoints/demo --format jsonl -o results.jsonl
head -n 1 results.jsonl | cut -c 1-600
echo
cat <<'MSG'
== done. The tiny models are random, so the answers are noise; the crash at sample 2
   was retried and the run resumed from its checkpoint without redoing samples 0-1.
   Real models (fetched beforehand, e.g. huggingface-cli download Qwen/Qwen2.5-1.5B-Instruct):
     build/src/softcot run --config configs/qwen2.5-1.5b-softcot.cfg \
         --params_file_name /path/to/projection.bin --seed 41
MSG
