#!/usr/bin/env bash
# Installs what softcot needs, or says what is missing and how to get it.
#   scripts/bootstrap.sh build   -> compiler, CMake and the libraries
#   scripts/bootstrap.sh test    -> the above + Slurm/MUNGE (integration tests) + clang and its libFuzzer runtime (scripts/fuzz.sh)
# As root on Debian/Ubuntu it installs the missing packages with apt-get. Elsewhere
# (a cluster login node without root) it prints the packages, module and Spack names.
set -euo pipefail

profile=${1:-build}
build_packages=(build-essential cmake ninja-build pkg-config git
  libhdf5-dev hdf5-tools libboost-program-options-dev libboost-dev libpmix-dev
  libgtest-dev libgmock-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libicu-dev
  libzip-dev zlib1g-dev libssl-dev)
test_packages=(slurm-wlm munge clang libclang-rt-14-dev procps python3 util-linux)

packages=("${build_packages[@]}")
if [ "$profile" = test ]; then packages+=("${test_packages[@]}"); fi

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
else
  missing=("${packages[@]}")
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "bootstrap: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "bootstrap: done"
  exit 0
fi

cat >&2 <<MSG
bootstrap: missing: ${missing[*]}
  Debian/Ubuntu:  sudo apt-get install ${missing[*]}
  Environment modules (names vary by site):
                  module load cmake gcc hdf5 boost icu openssl pmix
  Spack:          spack install cmake hdf5~mpi boost+program_options nlohmann-json \\
                  spdlog icu4c libzip openssl pmix googletest && spack load ...
  Then re-run with CMAKE_PREFIX_PATH pointing at the installs.
MSG
exit 1
