# Sourced by the eval_*.sh and run_faults.sh integration tests, called as
# `bash <test>.sh SOFTCOT_BINARY SHARED_DIR WORK_DIR`: resolves the binary, starts in a
# fresh WORK_DIR holding the tiny model pair (scripts/make_tiny_models.sh), turns core
# dumps off (the tests crash workers on purpose), and counts failures with `fail`.
set -u
softcot=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
work=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
ulimit -c 0
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
bash "$here/../../scripts/make_tiny_models.sh" "$softcot" . || { echo "FAIL: cannot make the tiny models"; exit 1; }
