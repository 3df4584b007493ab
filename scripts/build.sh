#!/usr/bin/env bash
# Configures and builds the CPU preset (and, with --cuda, the CUDA preset too).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${SOFTCOT_BUILD_JOBS:-$(nproc)}
cmake --preset default >/dev/null
cmake --build build -j "$jobs"
if [ "${1:-}" = --cuda ]; then
  if [ -x /usr/local/cuda/bin/nvcc ] || command -v nvcc >/dev/null 2>&1; then
    cmake --preset cuda >/dev/null
    cmake --build build-cuda -j "$jobs"
  else
    echo "build: no nvcc found (looked in /usr/local/cuda/bin and PATH): CUDA build skipped"
  fi
fi
