# Shared by tests/integration/slurm_*.sh (sourced; not a test itself: it does not end in .sh).
# Starts a private one-node Slurm cluster (slurm/local-cluster/start.sh) in a fresh /tmp
# directory and stops and removes it on exit, whatever happened. Skips (77) where Slurm
# cannot run.

SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LOCAL_CLUSTER=$SOURCE_DIR/slurm/local-cluster

skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "--- $*" >&2; }

# start_cluster LOG_DIR: starts the cluster and exports SLURM_CONF; stop is trapped on EXIT.
# The cluster's runtime files (config, state, munge socket, logs) live in a mktemp directory
# under /tmp, not in the build tree: munged runs as user munge, which cannot enter a checkout
# under a 0700 home. Its logs are copied to LOG_DIR when the test ends.
start_cluster() {
  CLUSTER_LOG_DIR=$1
  local dir rc=0
  rm -rf "$CLUSTER_LOG_DIR" && mkdir -p "$CLUSTER_LOG_DIR"
  dir=$(mktemp -d /tmp/softcot-slurm.XXXXXX) || fail "mktemp -d /tmp/softcot-slurm.XXXXXX failed"
  CLUSTER_DIR=$dir  # on_exit stops and removes it, even after a failed start
  trap 'on_exit' EXIT
  "$LOCAL_CLUSTER/start.sh" "$dir" >/dev/null || rc=$?
  ((rc == 77)) && skip "local Slurm cluster unavailable (see message above)"
  ((rc == 0)) || fail "could not start the local Slurm cluster (logs in $CLUSTER_LOG_DIR)"
  # shellcheck disable=SC1091
  source "$CLUSTER_DIR/env.sh"
  export PATH=$PATH:/usr/sbin
}

on_exit() {
  local rc=$?
  if ((rc != 0 && rc != 77)) && [[ -n ${CLUSTER_DIR:-} ]]; then
    echo "=== job states" >&2
    squeue -a -t all -o '%.18i %.10T %.20r' >&2 2>/dev/null || true
    echo "=== slurmctld.log (tail)" >&2
    tail -n 30 "$CLUSTER_DIR/slurmctld.log" >&2 2>/dev/null || true
  fi
  if [[ -n ${CLUSTER_DIR:-} ]]; then
    "$LOCAL_CLUSTER/stop.sh" "$CLUSTER_DIR"
    cp "$CLUSTER_DIR"/*.log "$CLUSTER_DIR"/munge/*.log "$CLUSTER_LOG_DIR"/ 2>/dev/null || true
    "$LOCAL_CLUSTER/stop.sh" "$CLUSTER_DIR" --remove
  fi
  exit "$rc"
}

# job_field JOB FIELD: a field of `scontrol show job` (first task of an array).
job_field() {
  scontrol show job -o "$1" 2>/dev/null | head -n1 | tr ' ' '\n' | grep "^$2=" | head -n1 | cut -d= -f2-
}

# job_states JOB: one state per task ("COMPLETED COMPLETED FAILED").
job_states() {
  scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | xargs
}

# A requeued job waits ~120 s before it may run again; in tests it runs about 2 s later.
# Not at once: slurmd revokes the old job credential with 1-second resolution, and a
# restart within that second fails with "Job credential revoked".
declare -gA requeued_since=()
kick_requeued_jobs() {
  local id
  local -A pending=()
  for id in $(squeue -h -t PD -o '%i %r' 2>/dev/null | awk '$2 == "BeginTime" {print $1}'); do
    pending[$id]=1
    [[ -n ${requeued_since[$id]:-} ]] || requeued_since[$id]=$SECONDS
    if ((SECONDS - requeued_since[$id] >= 2)); then
      scontrol update jobid="$id" StartTime=now >/dev/null 2>&1 || true
    fi
  done
  for id in "${!requeued_since[@]}"; do  # forget jobs that started: a later requeue counts anew
    [[ -n ${pending[$id]:-} ]] || unset "requeued_since[$id]"
  done
}

# wait_for_job JOB SECONDS: until every task is in a final state; kicks requeued tasks.
wait_for_job() {
  local job=$1 deadline=$((SECONDS + $2)) states
  while ((SECONDS < deadline)); do
    kick_requeued_jobs
    states=$(job_states "$job")
    if [[ -n $states ]] && ! grep -qE 'PENDING|RUNNING|REQUEUE|COMPLETING|CONFIGURING|SUSPENDED' <<<"$states"; then
      return 0
    fi
    sleep 0.5
  done
  fail "job $job not finished after $2 s (states: $(job_states "$job"))"
}

# wait_until SECONDS WHAT COMMAND...: polls COMMAND until it succeeds.
wait_until() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  while ((SECONDS < deadline)); do
    "$@" && return 0
    kick_requeued_jobs
    sleep 0.3
  done
  fail "timed out waiting for: $what"
}

require_slurm_test_env() {
  [[ $(id -u) -eq 0 ]] || skip "the local Slurm cluster needs root"
  command -v sbatch >/dev/null || skip "sbatch not installed (apt-get install slurm-wlm munge)"
}

# require_softcot_commands BINARY CMD...: skip until the binary has these subcommands.
require_softcot_commands() {
  local binary=$1 cmd
  shift
  [[ -x $binary ]] || skip "softcot binary $binary not built"
  for cmd in "$@"; do
    "$binary" --help 2>/dev/null | grep -qE "^  $cmd( |$)" ||
      skip "'softcot $cmd' does not exist yet in $binary"
  done
}

# make_tiny_models SOFTCOT DIR: two tiny random Qwen2 models and a projection (as
# scripts/demo.sh), and TINY_FLAGS: the model flags for softcot eval/run.
make_tiny_models() {
  local softcot=$1 dir=$2
  bash "$SOURCE_DIR/scripts/make_tiny_models.sh" "$softcot" "$dir"
  TINY_FLAGS=(--base_model_id "$dir/base" --assistant_model_id "$dir/assistant"
    --params_file_name "$dir/projection.safetensors" --task_name gsm8k
    --num_thought_tokens 2 --num_return_sequences 1)
}

# committed_in FILE: committed samples of one checkpoint (0 when it does not exist yet).
committed_in() {
  [[ -f $1 ]] || { echo 0; return; }
  "$SOFTCOT" status --json "$1" 2>/dev/null | grep -o '"committed": *[0-9]*' | head -n1 | grep -o '[0-9]*$' || echo 0
}

# begin_cluster_test SOFTCOT_BINARY SHARED_DIR WORK_DIR COMMAND...: the common start of the
# tests that run softcot on the cluster. Sets SOFTCOT, SHARED_DIR and WORK_DIR (emptied,
# absolute); skips without Slurm or one of the softcot COMMANDs; starts the cluster, makes
# the tiny models (TINY_FLAGS) and changes into WORK_DIR.
begin_cluster_test() {
  SOFTCOT=${1:?usage: $(basename "$0") SOFTCOT_BINARY SHARED_DIR WORK_DIR}
  SHARED_DIR=${2:?usage: $(basename "$0") SOFTCOT_BINARY SHARED_DIR WORK_DIR}
  WORK_DIR=${3:?usage: $(basename "$0") SOFTCOT_BINARY SHARED_DIR WORK_DIR}
  shift 3
  require_slurm_test_env
  require_softcot_commands "$SOFTCOT" "$@"
  rm -rf "$WORK_DIR" && mkdir -p "$WORK_DIR"
  WORK_DIR=$(cd "$WORK_DIR" && pwd)
  start_cluster "$WORK_DIR/cluster"
  make_tiny_models "$SOFTCOT" "$WORK_DIR/models"
  cd "$WORK_DIR"
}
