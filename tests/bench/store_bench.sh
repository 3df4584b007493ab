#!/usr/bin/env bash
# Builds and runs tests/bench/store_bench.cpp against a CMake build folder's libraries.
#   bash tests/bench/store_bench.sh BUILD_DIR [BENCH_DIR_ON_THE_DISK_TO_MEASURE]
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd); BUILD=$(realpath "$1"); DIR=${2:-$BUILD/store-bench-tmp}
cmake --build "$BUILD" --target softcot_store >/dev/null
HDF5_LIB=$(pkg-config --libs hdf5 2>/dev/null || echo "-L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5")
HDF5_INC=$(pkg-config --cflags hdf5 2>/dev/null || echo "-I/usr/include/hdf5/serial")
g++ -std=c++20 -O2 -DSOFTCOT_VERSION='"bench"' -I"$SRC/src" $HDF5_INC "$SRC/tests/bench/store_bench.cpp" \
  "$BUILD/src/libsoftcot_store.a" "$BUILD/src/libsoftcot_core.a" $HDF5_LIB \
  -lspdlog -lfmt -lcrypto -lz -lpthread -o "$BUILD/store_bench"
"$BUILD/store_bench" "$DIR"
