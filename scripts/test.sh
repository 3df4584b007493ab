#!/usr/bin/env bash
# The test command of the README: installs what is missing, builds the CPU and CUDA
# presets, runs the GPU tests from the CUDA build (each skips with its reason where there
# is no GPU), then the whole suite from the CPU build (unit, integration, local Slurm).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
scripts/build.sh --cuda
if [ -x build-cuda/tests/gpu/test_gpu ]; then
  echo "== GPU tests (cuda preset)"
  build-cuda/tests/gpu/test_gpu 2>&1 | grep -E "no CUDA device|PASSED|FAILED|SKIPPED \] [0-9]" | sort -u || true
  (cd build-cuda && ctest --output-on-failure --timeout 900 -L gpu)
fi
echo "== the suite (default preset)"
cd build
ctest --output-on-failure --timeout 900 -j "${SOFTCOT_TEST_JOBS:-2}" "$@"
