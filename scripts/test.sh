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
  # One test, to print why the GPU tests skip (if they do) before ctest runs them all.
  build-cuda/tests/gpu/test_gpu --gtest_filter='CudaOps.EmbeddingGather*' 2>&1 | grep -m1 "no CUDA device" || true
  (cd build-cuda && ctest --output-on-failure --timeout 900 -L gpu)
fi
echo "== the suite (default preset)"
cd build
ctest --output-on-failure --timeout 900 -j "${SOFTCOT_TEST_JOBS:-2}" "$@"
