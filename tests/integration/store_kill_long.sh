#!/usr/bin/env bash
# The long kill test, run by hand (skipped in the suite unless SOFTCOT_LONG_TESTS=1):
# at least 500 SIGKILLs of the store's writer, same checks as store_kill.sh.
#   SOFTCOT_LONG_TESTS=1 bash tests/integration/store_kill_long.sh BUILD/src/softcot SHARED WORK
[ "${SOFTCOT_LONG_TESTS:-0}" = 1 ] || { echo "skipped: set SOFTCOT_LONG_TESTS=1"; exit 77; }
export KILLS=${KILLS:-500} SAMPLES=${SAMPLES:-200} H5PY_EVERY=${H5PY_EVERY:-25}
exec bash "$(dirname "$0")/store_kill.sh" "$@"
