#!/usr/bin/env bash
# Builds the libFuzzer targets (the fuzz preset: clang, ASan + UBSan) and runs each on its
# seed corpus in tests/fuzz/corpus/<name> for SECONDS (default 20: the smoke run of CI), one
# after the other. docs/testing.md has the longer runs' figures.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 600 fuzz_dataset
# What a run finds (crash-*, leak-*, timeout-*, oom-*) lands in build-fuzz/findings/<target>/
# and fails the script; inputs the run found interesting grow build-fuzz/corpus/<target>
# (the committed seeds are left alone).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] ||
  targets=(fuzz_safetensors_header fuzz_torch_pickle fuzz_tokenizer_json fuzz_dataset fuzz_checkpoint_record)

# libFuzzer ships with clang's runtime (Debian: clang + libclang-rt-14-dev).
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' > "$probe/p.cpp"
if ! clang++ -fsanitize=fuzzer "$probe/p.cpp" -o "$probe/p" 2> "$probe/err"; then
  echo "fuzz: SKIP: clang++ cannot link libFuzzer here ($(head -n1 "$probe/err")); scripts/bootstrap.sh test installs it"
  exit 0
fi

cmake --preset fuzz > /dev/null
cmake --build build-fuzz -j "${SOFTCOT_BUILD_JOBS:-$(nproc)}" --target fuzz_all

dict_of() {
  case $1 in
    fuzz_safetensors_header) echo tests/fuzz/safetensors.dict ;;
    fuzz_tokenizer_json | fuzz_dataset) echo tests/fuzz/json.dict ;;
  esac
}
failed=()
for target in "${targets[@]}"; do
  name=${target#fuzz_}
  corpus=build-fuzz/corpus/$name findings=build-fuzz/findings/$name
  mkdir -p "$corpus" "$findings"
  dict=$(dict_of "$target")
  echo "== $target: ${seconds} s on tests/fuzz/corpus/$name"
  log=build-fuzz/findings/$name.log
  # -timeout: an input that takes over 30 s is reported as a hang; -rss_limit_mb: as an
  # allocation blow-up. Both are findings.
  if build-fuzz/tests/fuzz/"$target" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$findings/" ${dict:+-dict="$dict"} \
      "$corpus" "tests/fuzz/corpus/$name" > "$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$log" | tr '\n' ' '
    echo
  else
    echo "fuzz: $target FAILED (log: $log, inputs: $findings/)"
    grep -E 'ERROR|SUMMARY|==[0-9]+==' "$log" | head -n 5 || tail -n 20 "$log"
    failed+=("$target")
  fi
done
[ ${#failed[@]} -eq 0 ] || { echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}"; exit 1; }
