#!/usr/bin/env bash
# A private single-node Slurm cluster on this machine (Debian slurm-wlm + munge), to try a job's
# slurm.sbatch end to end; the harness tests use it. Everything lives in DIR: its own munge key and
# socket, slurm.conf on free ports, state, logs; nothing in /etc is touched, no system service is used.
#   harness/slurm_local.sh start DIR   start munged, slurmctld, slurmd; exit 0 once the node takes jobs,
#                                      else 1 with the reason (and what was started is stopped again)
#   harness/slurm_local.sh stop DIR    cancel its jobs and stop the three daemons
# Then: SLURM_CONF=DIR/slurm.conf sbatch ...   Needs root (slurmd starts the jobs).
set -uo pipefail

usage() { echo "usage: harness/slurm_local.sh start|stop DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$(realpath -m -- "$2")
conf=$dir/slurm.conf
NODE=hakmem-node

fail() { echo "slurm_local: $*" >&2; stop; exit 1; }

# stop_pid FILE: end the daemon whose pid is in FILE (one we started), waiting up to 10 s.
stop_pid() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || { rm -f "$1"; return 0; }
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  rm -f "$1"
}

stop() {
  [ -f "$conf" ] && [ -f "$dir/slurmctld.pid" ] && SLURM_CONF=$conf scancel --partition=hakmem 2>/dev/null
  stop_pid "$dir/slurmd.pid"
  stop_pid "$dir/slurmctld.pid"
  stop_pid "$dir/munged.pid"
}

free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {
  [ "$(id -u)" = 0 ] || { echo "slurm_local: needs root (slurmd starts the jobs)" >&2; exit 1; }
  for tool in munged slurmctld slurmd sbatch; do
    command -v "$tool" >/dev/null || { echo "slurm_local: $tool is missing (Debian packages slurm-wlm, munge)" >&2; exit 1; }
  done
  [ ! -f "$dir/slurmctld.pid" ] || { echo "slurm_local: $dir already has a running cluster (stop it first)" >&2; exit 1; }
  mkdir -p "$dir/state" "$dir/spool" || exit 1
  local host cpus
  host=$(hostname -s)
  cpus=$(nproc --all)
  head -c 1024 /dev/urandom >"$dir/munge.key" && chmod 600 "$dir/munge.key" || fail "cannot write $dir/munge.key"
  # --force: munged otherwise refuses a socket under a directory others cannot enter, e.g. from mktemp -d
  munged --force --num-threads=10 --socket="$dir/munge.socket" --key-file="$dir/munge.key" --log-file="$dir/munged.log" \
    --pid-file="$dir/munged.pid" --seed-file="$dir/munged.seed" ||
    fail "munged did not start: $(tail -n 3 "$dir/munged.log" 2>/dev/null)"

  cat >"$conf" <<EOF
# written by harness/slurm_local.sh: one node, this machine
ClusterName=hakmem
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
# no cgroups: plain process tracking, works in containers
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$NODE NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=hakmem Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
  slurmctld -f "$conf" || fail "slurmctld did not start: $(tail -n 3 "$dir/slurmctld.log" 2>/dev/null)"
  slurmd -f "$conf" -N "$NODE" || fail "slurmd did not start: $(tail -n 3 "$dir/slurmd.log" 2>/dev/null)"
  local state=
  for _ in $(seq 60); do   # the node registers within a few seconds
    state=$(SLURM_CONF=$conf sinfo --noheader --nodes="$NODE" --format=%t 2>/dev/null)
    [ "$state" = idle ] && { echo "slurm_local: node $NODE is up; SLURM_CONF=$conf"; exit 0; }
    sleep 0.5
  done
  fail "node $NODE did not come up (state: ${state:-none}): $(tail -n 3 "$dir/slurmd.log" 2>/dev/null)"
}

case $action in
  start) start ;;
  stop) stop ;;
  *) usage ;;
esac
