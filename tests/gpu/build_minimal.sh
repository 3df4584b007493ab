#!/usr/bin/env bash
# Fallback build for a GPU machine without the project's -dev packages: only the CUDA
# backend, the CPU backend it is tested against (src/core, src/io, src/model), the GPU
# tests and the benchmark, through a throw-away CMake project. Needs nvcc, cmake and the
# header-only nlohmann/json and spdlog: from /usr/include, or from ./build-headers/
# (copy /usr/include/nlohmann and /usr/include/spdlog there on a machine that has them
# and carry the folder). GoogleTest sources: $GTEST_SRC (default /usr/src/googletest,
# else ./build-headers/googletest).
#   bash tests/gpu/build_minimal.sh BUILD_DIR JOBS
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-build-device-min}; JOBS=${2:-$(nproc)}
mkdir -p "$BUILD/proj"
GTEST_SRC=${GTEST_SRC:-/usr/src/googletest}
[ -d "$GTEST_SRC" ] || GTEST_SRC="$ROOT/build-headers/googletest"
cat > "$BUILD/proj/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.24)
project(softcot_gpu_min LANGUAGES C CXX CUDA)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CUDA_ARCHITECTURES 90)
find_package(CUDAToolkit REQUIRED)
find_package(Threads REQUIRED)
set(ROOT "$ROOT")
file(GLOB core_src \${ROOT}/src/core/*.cpp)
list(FILTER core_src EXCLUDE REGEX "digest.cpp")
file(GLOB io_src \${ROOT}/src/io/*.cpp)
list(FILTER io_src EXCLUDE REGEX "torch_checkpoint.cpp|tiny_model.cpp")
file(GLOB model_src \${ROOT}/src/model/*.cpp)
add_library(softcot_model STATIC \${core_src} \${io_src} \${model_src})
target_include_directories(softcot_model PUBLIC \${ROOT}/src \${ROOT}/build-headers)
target_compile_definitions(softcot_model PUBLIC SPDLOG_HEADER_ONLY SOFTCOT_VERSION="gpu-min")
target_link_libraries(softcot_model PUBLIC Threads::Threads)
set(SOFTCOT_CUDA ON)
add_subdirectory(\${ROOT}/kernels kernels)
set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
add_subdirectory(${GTEST_SRC} googletest EXCLUDE_FROM_ALL)
if(NOT TARGET GTest::gtest)
  add_library(GTest::gtest ALIAS gtest)
  add_library(GTest::gtest_main ALIAS gtest_main)
endif()
include(GoogleTest)
enable_testing()
add_subdirectory(\${ROOT}/tests/gpu gpu)
CMAKE
GEN=""; command -v ninja >/dev/null && GEN="-G Ninja"
cmake -S "$BUILD/proj" -B "$BUILD" $GEN -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CUDA_COMPILER="$(command -v nvcc)"
cmake --build "$BUILD" -j"$JOBS" --target test_gpu softcot-gpu-bench
