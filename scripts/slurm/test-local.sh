#!/usr/bin/env bash
# Runs scripts/slurm/nmsweep.sbatch on this machine as if SLURM had started it on a 2-node job:
# SLURM_* variables are set by hand, `scontrol show hostnames` and `srun` are replaced by local
# stand-ins (srun-local.sh runs one worker-step per "node", each with its own TMPDIR), and the
# coordinator binds 127.0.0.1 only. What runs is the real script with the real binaries:
#
# 1. A refusal: CURVE keys whose secret is readable by others stop the job before anything starts.
# 2. Per-node data (no NMSWEEP_DATA_DIR: each node fetches into its own TMPDIR), the embedded
#    database in a state folder, grids/test-tiny.yaml (10 real cells). SIGTERM to the job script
#    once the first results are in: the coordinator drains and the job exits 3 (as at a time limit).
# 3. The same job again: it resumes, runs only what is left, exits 0; 10 results, none twice; the
#    embedded server is stopped at the end. When the binaries have `nmsweep keygen`, this run uses
#    CURVE keys from NMSWEEP_KEYS_DIR (workers admitted, none refused).
#
# Usage: scripts/slurm/test-local.sh (after `swift build -c release`). Prints "N passed, N failed".
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
bin=${NMSWEEP_BIN_DIR:-$repo/.build/release}
[[ -x $bin/nmsweep-coordinator ]] || { echo "test-local: $bin has no binaries: swift build -c release" >&2; exit 2; }

# shellcheck source=scripts/check-lib.sh
source "$repo/scripts/check-lib.sh"

tmp=$(mktemp -d /tmp/nmsweep-slurm-test.XXXXXX)
# The embedded server runs as an unprivileged user when we are root: it must enter this folder.
chmod 0755 "$tmp"
job_pid=
cleanup() {
    if [[ -n $job_pid ]]; then kill -9 "$job_pid" 2>/dev/null || true; fi
    "$bin/nmsweep" db stop --state-dir "$tmp/state" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/bin" "$tmp/nodes"
cat >"$tmp/bin/scontrol" <<'SH'
#!/usr/bin/env bash
# scontrol show hostnames LIST: one name a line (the list is a plain comma list here).
[[ $1 == show && $2 == hostnames ]] || { echo "fake scontrol: only 'show hostnames'" >&2; exit 2; }
tr ',' '\n' <<<"$3"
SH
chmod +x "$tmp/bin/scontrol"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
for name in $(compgen -e); do
    case $name in PG* | DATABASE_URL | NMSWEEP_* | SLURM*) unset "$name" ;; esac
done
job_env=(
    PATH="$tmp/bin:$PATH"
    SLURM_JOB_ID=4242 SLURM_JOB_NODELIST="localhost,fake-node2" SLURM_JOB_NUM_NODES=2 SLURM_CPUS_PER_TASK=2
    SLURM_SUBMIT_DIR="$repo"
    NMSWEEP_SRUN="$repo/scripts/slurm/srun-local.sh" FAKE_SLURM_NODES="localhost fake-node2" FAKE_SLURM_ROOT="$tmp/nodes"
    NMSWEEP_GRID=grids/test-tiny.yaml NMSWEEP_SWEEP_NAME="slurm-local-$RANDOM"
    NMSWEEP_PORT="$port" NMSWEEP_BIND="tcp://127.0.0.1:$port"
    NMSWEEP_STATE_DIR="$tmp/state" NMSWEEP_BIN_DIR="$bin" NMSWEEP_HEARTBEAT_MS=200 NMSWEEP_WORKER_GRACE_S=20
)

# --- 1. a secret key others can read ------------------------------------------------------------
mkdir -p "$tmp/keys/allowed-keys"
touch "$tmp/keys/coordinator.secret" "$tmp/keys/worker.secret" "$tmp/keys/coordinator.pub"
chmod 0600 "$tmp/keys/coordinator.secret"
chmod 0644 "$tmp/keys/worker.secret"
code=0
env "${job_env[@]}" NMSWEEP_KEYS_DIR="$tmp/keys" "$repo/scripts/slurm/nmsweep.sbatch" >"$tmp/keys.out" 2>&1 || code=$?
check "readable secret key: exit 2 (was $code)" test "$code" = 2
check "readable secret key: names the file and its mode" grep -q "worker.secret has mode 644" "$tmp/keys.out"
check "readable secret key: no coordinator started" bash -c "! grep -q 'nmsweep.sbatch: job' $tmp/keys.out"

done_cells() { # the sweep's done count, from `nmsweep sweeps` (starts the embedded server if down)
    "$bin/nmsweep" sweeps --state-dir "$tmp/state" 2>/dev/null | awk -v s="$1" '$1 == s { print $3 }'
}
sweep_name=$(printf '%s\n' "${job_env[@]}" | sed -n 's/^NMSWEEP_SWEEP_NAME=//p')

# --- 2. the job, stopped by SIGTERM once results arrive -------------------------------------------
start=$(date +%s)
env "${job_env[@]}" "$repo/scripts/slurm/nmsweep.sbatch" >"$tmp/run1.out" 2>&1 &
job_pid=$!
# Wait for the first result: ask the embedded server (once the coordinator has started it, so
# that two processes never race to create it) for the sweep's done count.
for _ in $(seq 600); do
    kill -0 "$job_pid" 2>/dev/null || break
    if [[ -f $tmp/state/postgres/data/postmaster.pid ]]; then
        done_count=$(done_cells "$sweep_name")
        if [[ $done_count =~ ^[0-9]+$ ]] && ((done_count >= 1)); then break; fi
    fi
    sleep 0.2
done
echo "     run 1: SIGTERM after $(( $(date +%s) - start )) s with ${done_count:-0} cells done"
kill -TERM "$job_pid" 2>/dev/null || true
code=0
wait "$job_pid" || code=$?
job_pid=
echo "     run 1: $(( $(date +%s) - start )) s"
check "run 1: SIGTERM → the job exits 3 or 0 if already finished (was $code)" bash -c "[[ $code == 3 || $code == 0 ]]"
run1_code=$code
check "run 1: coordinator on $port, 2 nodes × 2 slots" grep -q "2 node(s) × 2 slots, coordinator tcp://localhost:$port" "$tmp/run1.out"
for i in 0 1; do
    check "run 1: node $i fetched its own data" test -s "$tmp/nodes/task$i/tmp/nmsweep-data-${USER:-$(id -un)}/MANIFEST.sha256"
done
# ([n] keeps the pattern from matching the command line of the shell that runs pgrep.)
check "run 1: both workers gone when the job ended" bash -c "! pgrep -f '[n]msweep-worker --connect tcp://localhost:$port' >/dev/null"
if grep -q "workers still running after" "$tmp/run1.out"; then
    echo "     run 1: a worker was still connecting after the coordinator left; the job ended the step"
fi

# --- 3. the same job again: resumes (with CURVE keys when the binaries have keygen) ---------------
run2_env=()
if "$bin/nmsweep" --help 2>/dev/null | grep -q keygen; then
    mkdir -m 700 "$tmp/good-keys"
    mkdir "$tmp/good-keys/allowed-keys"
    "$bin/nmsweep" keygen --output "$tmp/good-keys/coordinator" >/dev/null
    "$bin/nmsweep" keygen --output "$tmp/good-keys/worker" >/dev/null
    cp "$tmp/good-keys/worker.pub" "$tmp/good-keys/allowed-keys/"
    run2_env=(NMSWEEP_KEYS_DIR="$tmp/good-keys")
else
    echo "     run 2 without CURVE: this build's nmsweep has no keygen"
fi
start=$(date +%s)
code=0
env "${job_env[@]}" "${run2_env[@]}" "$repo/scripts/slurm/nmsweep.sbatch" >"$tmp/run2.out" 2>&1 || code=$?
echo "     run 2: $(( $(date +%s) - start )) s"
check "run 2: exit 0 (was $code)" test "$code" = 0
check "run 2: 10/10 done, 0 failed" grep -q "sweep $sweep_name: 10/10 done, 0 failed" "$tmp/run2.out"
assigned=$(sed -n "s/.*sweep $sweep_name: 10\/10 done, 0 failed, \([0-9]*\) assigned.*/\1/p" "$tmp/run2.out")
echo "     run 1 exit $run1_code; run 2 assigned ${assigned:-?} cells"
if [[ $run1_code == 3 ]]; then
    check "run 2: assigned only what run 1 left (${assigned:-?} < 10)" bash -c "[[ -n '$assigned' ]] && (( $assigned < 10 ))"
fi
if ((${#run2_env[@]} > 0)) && [[ ${assigned:-0} -gt 0 ]]; then
    # At least one worker admitted (with few cells left the sweep can end before the second
    # worker's handshake), and no handshake refused.
    check "run 2: CURVE on, workers admitted, none refused" bash -c "grep -q 'CURVE on' $tmp/run2.out && \
        [[ \$(grep -c 'welcomed by coordinator' $tmp/run2.out) -ge 1 ]] && ! grep -q 'connections refused' $tmp/run2.out"
elif ((${#run2_env[@]} > 0)); then
    # Run 1's graceful stop finished every cell, so run 2's coordinator had nothing to hand out and
    # left before the workers' handshakes: admission cannot be observed, only that CURVE was on.
    echo "     run 2: nothing left to run (run 1 finished all cells while draining); admission not observable"
    check "run 2: CURVE on" grep -q 'CURVE on' "$tmp/run2.out"
fi
check "run 2: data already on the nodes (nothing fetched)" grep -q "(0 fetched, 6 already present)" "$tmp/run2.out"
# Before anything opens the store again (which would start the server):
check "embedded server stopped at the end" bash -c "'$bin/nmsweep' db status --state-dir '$tmp/state' 2>&1 | grep -q '^not running'"
check "10 cells done in the database" test "$(done_cells "$sweep_name")" = 10

if ((failed > 0)); then
    for f in run1.out run2.out; do echo "--- $f"; tail -15 "$tmp/$f"; done
fi
check_summary
