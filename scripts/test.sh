#!/usr/bin/env bash
# The test command of the README: installs what is missing, builds the CPU and CUDA
# presets, and runs the whole suite (unit, integration, local Slurm). GPU tests skip
# with a message where there is no GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test
scripts/build.sh --cuda
cd build
ctest --output-on-failure --timeout 900 -j "${SOFTCOT_TEST_JOBS:-2}" "$@"
