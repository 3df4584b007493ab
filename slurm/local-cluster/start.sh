#!/usr/bin/env bash
# Start a one-node Slurm cluster on this machine (slurmctld + slurmd + its own munged),
# for tests and for trying the templates. Everything lives in one directory: the
# config, state, logs, pid files and munge socket, so nothing system-wide is touched
# and several clusters can run side by side on different ports.
#
#   slurm/local-cluster/start.sh [DIR]     (default: a new dir in /tmp; needs root)
#   source DIR/env.sh                      (sets SLURM_CONF for sbatch/srun/squeue)
#   slurm/local-cluster/stop.sh DIR        (stops the daemons by their pid files)
#
# Prints DIR on stdout. Exit 77 when it cannot run here (not root, Slurm/MUNGE not
# installed), so test scripts can pass the code through as "skipped".
set -euo pipefail

die() { echo "local-cluster: $*" >&2; exit "${2:-1}"; }

[[ $(id -u) -eq 0 ]] || die "needs root (slurmd runs jobs as their users)" 77
for tool in slurmctld slurmd munged sbatch srun scontrol sinfo; do
  command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] ||
    die "$tool not found (apt-get install slurm-wlm munge libpmix-dev)" 77
done
[[ -r /etc/munge/munge.key ]] || die "/etc/munge/munge.key missing (reinstall munge)" 77
export PATH=$PATH:/usr/sbin

dir=${1:-$(mktemp -d /tmp/softcot-slurm.XXXXXX)}
mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
dir=$(cd "$dir" && pwd)
chmod 0755 "$dir"  # munged (user munge) must reach its socket directory inside
[[ ! -e $dir/slurmctld.pid ]] || die "$dir already holds a cluster (stop.sh $dir first)"

# Two free TCP ports, picked from a range derived from our pid so parallel runs differ.
port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
pick_port() {
  local port=$1
  while port_in_use "$port" || port_in_use $((port + 1)); do port=$((port + 2)); done
  echo "$port"
}
ctld_port=$(pick_port $((20000 + ($$ % 20000) * 2)))
slurmd_port=$((ctld_port + 1))

# A start that fails half-way stops what it already started.
trap '"$(dirname "$0")/stop.sh" "$dir"' ERR

# munged refuses a socket directory others can write to, and runs as user munge. A
# Unix socket path must stay under 108 bytes, and user munge must be able to enter every
# folder above it (not so under a 0700 home): otherwise the socket goes to a fresh /tmp dir.
munge_dir=$dir/munge
if ((${#munge_dir} > 80)) || ! runuser -u munge -- test -x "$dir"; then
  munge_dir=$(mktemp -d /tmp/softcot-munge.XXXXXX)
  echo "$munge_dir" >"$dir/munge_dir"  # stop.sh removes it
fi
chown munge:munge "$munge_dir"
chmod 0755 "$munge_dir"
runuser -u munge -- munged --force --socket="$munge_dir/munge.socket" \
  --pid-file="$munge_dir/munged.pid" --log-file="$munge_dir/munged.log" \
  --seed-file="$munge_dir/munged.seed"
cp "$munge_dir/munged.pid" "$dir/munged.pid"

host=$(hostname)
# At least 4 CPUs so a 3-seed array and 2-task steps fit even on a 2-core machine;
# config_overrides lets slurmd accept more CPUs than it finds.
cpus=$(nproc); ((cpus >= 4)) || cpus=4
cat >"$dir/slurm.conf" <<CONF
ClusterName=softcotlocal
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$munge_dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmdParameters=config_overrides
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobRequeue=1
MaxArraySize=100001
KillWait=10
MinJobAge=3600
NodeName=$host CPUs=$cpus RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
# Client commands find the munge socket through the config's AuthInfo.
echo "export SLURM_CONF=$dir/slurm.conf" >"$dir/env.sh"
export SLURM_CONF=$dir/slurm.conf

slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"

# Ready when the node is idle (or mixed/allocated: a reused dir may still run jobs).
for _ in $(seq 1 60); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n1 || true)
  if [[ $state == idle* || $state == mixed* || $state == allocated* ]]; then
    echo "$dir"
    exit 0
  fi
  sleep 0.5
done
echo "local-cluster: node did not become idle; logs in $dir" >&2
tail -n 20 "$dir/slurmctld.log" "$dir/slurmd.log" >&2 || true
"$(dirname "$0")/stop.sh" "$dir" || true
exit 1
