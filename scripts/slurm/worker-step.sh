#!/usr/bin/env bash
# One node's worker, started by nmsweep.sbatch through srun (one task per node). Configuration
# comes from the environment srun passes on (NMSWEEP_CONNECT, NMSWEEP_SLOTS, NMSWEEP_CURVE_KEY,
# NMSWEEP_SERVER_KEY, NMSWEEP_BIN_DIR, NMSWEEP_DATA_DIR or NMSWEEP_DATA_PER_NODE=1).
#
# Per node: fetch the data into node-local storage when there is no shared data folder (a no-op
# after the first job on that node: files present and verified are left alone), and keep the
# artifact cache node-local (many nodes writing one NFS folder gain nothing). Then the worker,
# through the same entrypoint as in the docker image.
set -euo pipefail

home=$(cd "$(dirname "$0")/../.." && pwd)
node=${SLURMD_NODENAME:-$(hostname)}
local_root=${TMPDIR:-/tmp}

if [[ ${NMSWEEP_DATA_PER_NODE:-0} == 1 ]]; then
    export NMSWEEP_DATA_DIR=${NMSWEEP_NODE_DATA_DIR:-$local_root/nmsweep-data-${USER:-$(id -un)}}
    "$NMSWEEP_BIN_DIR/nmsweep" data fetch --data-dir "$NMSWEEP_DATA_DIR" 2>&1 | sed "s/^/$node: /"
fi
export NMSWEEP_CACHE_DIR=${NMSWEEP_CACHE_DIR:-$local_root/nmsweep-cache-${SLURM_JOB_ID:-0}-${SLURM_PROCID:-0}}
exec "$home/docker/entrypoint.sh" worker
