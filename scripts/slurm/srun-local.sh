#!/usr/bin/env bash
# A stand-in for srun on one machine, for scripts/slurm/test-local.sh: runs the command once per
# "node" (--ntasks=N, else --nodes=N) as local processes, each with the variables SLURM gives a task
# (SLURM_PROCID, SLURM_NODEID, SLURMD_NODENAME from FAKE_SLURM_NODES) and its own TMPDIR
# (FAKE_SLURM_ROOT/NODE/tmp), so node-local folders really are per node. Other options are
# accepted and ignored. SIGTERM is passed to every task; the exit status is the largest of theirs.
set -euo pipefail

ntasks=
nodes=1
while [[ $# -gt 0 && $1 == -* ]]; do
    case $1 in
    --ntasks=*) ntasks=${1#--ntasks=} ;;
    --nodes=*) nodes=${1#--nodes=} ;;
    esac
    shift
done
tasks=${ntasks:-$nodes}
[[ $# -gt 0 ]] || { echo "srun-local: no command" >&2; exit 2; }
read -r -a names <<<"${FAKE_SLURM_NODES:-node0}"

pids=()
for ((i = 0; i < tasks; i++)); do
    node=${names[i % ${#names[@]}]}
    dir=${FAKE_SLURM_ROOT:?set FAKE_SLURM_ROOT}/task$i/tmp
    mkdir -p "$dir"
    SLURM_PROCID=$i SLURM_NODEID=$i SLURM_LOCALID=0 SLURMD_NODENAME=$node TMPDIR=$dir "$@" &
    pids+=("$!")
done
# shellcheck disable=SC2317  # called by the trap
forward() { kill -TERM "${pids[@]}" 2>/dev/null || true; }
trap forward TERM INT
status=0
for pid in "${pids[@]}"; do
    code=0
    while true; do
        code=0
        wait "$pid" || code=$?
        kill -0 "$pid" 2>/dev/null || break
    done
    ((code > status)) && status=$code
done
exit "$status"
