#!/usr/bin/env bash
# The Debian packages HAKMEM's build, tests and benchmarks use, in one list.
# Installs the missing ones with apt-get when run as root on Debian; otherwise
# names them and exits 1. Used by run_all.sh, `make deps` (and so `make test`) and .ci/run.
#   harness/deps.sh           install what is missing (or say what is)
#   harness/deps.sh --check   only say what is missing; exit 1 if anything is
set -u

packages=(
  build-essential make git time                            # build; /usr/bin/time
  strace linux-perf valgrind                               # syscall counts, perf stat, cachegrind/callgrind
  libjemalloc2 libmimalloc2.0 libtcmalloc-minimal4         # the peers, preloaded by soname
  python3 python3-matplotlib python3-numpy python3-scipy   # Debian's /usr/bin/python3: harness, plots, stats
  z3 ghostscript redis-server redis-tools lua5.4 ruby sqlite3 xz-utils  # the program suite (gcc, python3 above)
  parallel rsync slurm-wlm munge                           # shards on a cluster: GNU parallel (rsync: its transfers), Slurm
)

case "${1:-}" in
  "") install=1 ;;
  --check) install=0 ;;
  *) echo "usage: harness/deps.sh [--check]" >&2; exit 2 ;;
esac

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if ! command -v dpkg-query >/dev/null; then
  echo "deps: not a Debian system; install the equivalents of: ${packages[*]}" >&2
  exit 1
fi
missing=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$install" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "deps: installing with apt-get: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # The package lists of a fresh machine may be empty or stale: update once if the first try fails.
  if apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 ||
     { apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
    exit 0
  fi
  echo "deps: apt-get could not install: ${missing[*]}" >&2
  exit 1
fi
echo "deps: missing Debian packages: ${missing[*]} (as root: harness/deps.sh installs them)" >&2
exit 1
