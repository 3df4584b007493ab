#!/usr/bin/env bash
# The test command of the README: installs what is missing, builds the CPU and CUDA
# presets, runs the GPU tests from the CUDA build (each skips with its reason where there
# is no GPU), then the whole suite from the CPU build (unit, integration, local Slurm),
# then the sanitizer runs (docs/testing.md):
#   asan preset (ASan + UBSan): the unit tests and the short integration tests (label short)
#   tsan preset: the threaded tests (thread pool, heartbeat, signal relay, supervisor,
#                tokenizer from many threads)
#   fuzz preset: a 20 s smoke run of each libFuzzer target (scripts/fuzz.sh)
# SOFTCOT_SANITIZERS=0 skips the three sanitizer runs. Extra arguments go to the suite's ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
scripts/build.sh --cuda
jobs=${SOFTCOT_TEST_JOBS:-2}
if [ -x build-cuda/tests/gpu/test_gpu ]; then
  echo "== GPU tests (cuda preset)"
  # One test, to print why the GPU tests skip (if they do) before ctest runs them all.
  build-cuda/tests/gpu/test_gpu --gtest_filter='CudaOps.EmbeddingGather*' 2>&1 | grep -m1 "no CUDA device" || true
  (cd build-cuda && ctest --output-on-failure --timeout 900 -L gpu)
fi
echo "== the suite (default preset)"
(cd build && ctest --output-on-failure --timeout 900 -j "$jobs" "$@")

[ "${SOFTCOT_SANITIZERS:-1}" = 0 ] && { echo "== sanitizer runs skipped (SOFTCOT_SANITIZERS=0)"; exit 0; }
build_jobs=${SOFTCOT_BUILD_JOBS:-$(nproc)}
# Workers crash on purpose in the fault tests: let them die of their signal, as in production.
export ASAN_OPTIONS=handle_segv=0:handle_sigbus=0:handle_abort=0:detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:handle_segv=0:handle_sigbus=0:handle_abort=0

echo "== unit and short integration tests under ASan + UBSan (asan preset)"
SECONDS=0
cmake --preset asan > /dev/null
cmake --build build-asan -j "$build_jobs"
(cd build-asan && ctest --output-on-failure --timeout 900 -j "$jobs" -L 'unit|short')
echo "asan: ${SECONDS} s"

echo "== threaded tests under TSan (tsan preset)"
SECONDS=0
cmake --preset tsan > /dev/null
cmake --build build-tsan -j "$build_jobs" --target test_core test_supervise test_tokenizer
(cd build-tsan && ctest --output-on-failure --timeout 900 -j "$jobs" -L unit \
  -R '^core[.]ThreadPool|^supervise[.](Heartbeat|SignalRelay|SupervisorTest)[.]|^tokenizer[.]Tokenizer[.](CopiesShare|DifferentTexts)')
echo "tsan: ${SECONDS} s"

echo "== libFuzzer smoke runs (fuzz preset)"
SECONDS=0
scripts/fuzz.sh "${SOFTCOT_FUZZ_SECONDS:-20}"
echo "fuzz: ${SECONDS} s"
