#!/usr/bin/env bash
# Stop the cluster that start.sh made in DIR: slurmd, slurmctld and its munged, each
# by the pid file in DIR (never by name: other clusters may run beside it). Safe to
# call twice and after a failed start. Keeps DIR (logs) unless --remove is given.
#   slurm/local-cluster/stop.sh DIR [--remove]
set -uo pipefail
dir=${1:?usage: stop.sh DIR [--remove]}
[[ -d $dir ]] || exit 0

stop_by_pidfile() {
  local pidfile=$1 pid
  [[ -s $pidfile ]] || return 0
  pid=$(<"$pidfile")
  if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$pidfile"
}

# slurmd first, so running steps are torn down while the controller still listens.
stop_by_pidfile "$dir/slurmd.pid"
stop_by_pidfile "$dir/slurmctld.pid"
stop_by_pidfile "$dir/munged.pid"
rm -f "$dir/munge/munged.pid"
if [[ -s $dir/munge_dir ]]; then
  munge_dir=$(<"$dir/munge_dir")
  [[ $munge_dir == /tmp/softcot-munge.* ]] && rm -rf "$munge_dir"
  rm -f "$dir/munge_dir"
fi

[[ ${2:-} == --remove ]] && rm -rf "$dir"
exit 0
