#!/usr/bin/env bash
# Tests docker/entrypoint.sh on this machine, without Docker: the entrypoint runs the locally built
# binaries (NMSWEEP_BIN_DIR=.build/release) exactly as it runs them in the image.
#
# 1. A private PostgreSQL 15 (initdb in a temporary folder, TCP on 127.0.0.1, scram-sha-256
#    passwords) stands in for compose's postgres service; its password contains ':' and '\' so
#    the PGPASSFILE escaping is exercised.
# 2. coordinator + 2 workers, each started through the entrypoint and configured only through
#    NMSWEEP_* variables (+ the hidden --noop-cells flags appended after the role), run a no-op
#    sweep; the sweep must finish with every cell done, results from both workers, the password
#    in no command line and no environment, and the workers gone after SHUTDOWN.
# 3. `nmsweep sweeps` through the entrypoint reads the same database (DATABASE_URL + PGPASSFILE).
# 4. Refusals: a wrong password, a missing password file, no grid, a data folder without the
#    pinned data — each must fail with a message that names the cause.
# 5. NMSWEEP_DRY_RUN=1: the CURVE variables map to --curve-key/--allow-keys/--server-key.
# 6. When the binaries have CURVE (nmsweep keygen): docker/init-secrets.sh makes the compose
#    secrets with the local keygen; a CURVE sweep through the entrypoint with 2 allowed workers and
#    one whose key is not allowed: results from the allowed two only, the refusal counted.
#
# Usage: scripts/test-entrypoint.sh  (after `swift build -c release`; as root or as a user that
# can run initdb). Prints "N passed, N failed" and exits 1 if any check failed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
entrypoint=$repo/docker/entrypoint.sh
bin_dir=${NMSWEEP_BIN_DIR:-$repo/.build/release}
cells=${CELLS:-60}
for binary in nmsweep nmsweep-coordinator nmsweep-worker; do
    [[ -x $bin_dir/$binary ]] || { echo "test-entrypoint: $bin_dir/$binary missing: run swift build -c release" >&2; exit 2; }
done
pg_bin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1)
[[ -x $pg_bin/initdb ]] || { echo "test-entrypoint: no PostgreSQL server binaries (apt-get install postgresql)" >&2; exit 2; }

# shellcheck source=scripts/check-lib.sh
source "$(dirname "$0")/check-lib.sh"
contains() { grep -q -- "$2" "$1"; }

tmp=$(mktemp -d /tmp/nmsweep-entrypoint-test.XXXXXX)
chmod 0755 "$tmp"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    if [[ -f $tmp/pg/postmaster.pid ]]; then as_pg "$pg_bin/pg_ctl" -D "$tmp/pg" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# PostgreSQL refuses to run as root: as root, run its programs as the postgres user.
as_pg() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- 1. the database -------------------------------------------------------------------------
pg_port=$(free_port)
password='s3cr:et\pass-'$RANDOM$RANDOM
printf '%s\n' "$password" >"$tmp/db_password"
mkdir "$tmp/pg" "$tmp/sock" "$tmp/run"
printf '%s\n' "$password" >"$tmp/pwfile"
if [[ $(id -u) == 0 ]]; then chown postgres "$tmp/pg" "$tmp/sock" "$tmp/pwfile"; fi
as_pg "$pg_bin/initdb" -D "$tmp/pg" -U nmsweep --pwfile="$tmp/pwfile" --auth-local=trust --auth-host=scram-sha-256 >"$tmp/initdb.log" 2>&1
rm -f "$tmp/pwfile"
as_pg "$pg_bin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg/server.log" -w -o "-p $pg_port -k $tmp/sock -c listen_addresses=127.0.0.1" start >/dev/null
as_pg "$pg_bin/createdb" -h "$tmp/sock" -p "$pg_port" -U nmsweep nmsweep
psql_trust() { as_pg psql -X -q -t -A -h "$tmp/sock" -p "$pg_port" -U nmsweep -d nmsweep -c "$1"; }

# The environment of every entrypoint run: nothing from the caller's PG*/DATABASE_URL/NMSWEEP_*.
for name in $(compgen -e); do
    case $name in PG* | DATABASE_URL | NMSWEEP_*) unset "$name" ;; esac
done
export NMSWEEP_BIN_DIR=$bin_dir NMSWEEP_RUNTIME_DIR=$tmp/run
database_url="postgresql://nmsweep@127.0.0.1:$pg_port/nmsweep"
zmq_port=$(free_port)
sweep="entrypoint-$RANDOM"

# --- 2. coordinator + 2 workers through the entrypoint ------------------------------------------
start=$(date +%s.%N)
NMSWEEP_DATABASE_URL=$database_url NMSWEEP_DB_PASSWORD_FILE=$tmp/db_password \
    NMSWEEP_BIND=tcp://127.0.0.1:$zmq_port NMSWEEP_HEARTBEAT_MS=200 NMSWEEP_LIVENESS=5 NMSWEEP_PROGRESS=log \
    "$entrypoint" coordinator --noop-cells "$cells" --noop-sleep-ms 150 --name "$sweep" \
    >"$tmp/coordinator.out" 2>"$tmp/coordinator.err" &
coordinator=$!
pids+=("$coordinator")
for i in 1 2; do
    # Worker 1 verifies the data folder first (the image's default), worker 2 skips it.
    NMSWEEP_CONNECT=tcp://127.0.0.1:$zmq_port NMSWEEP_SLOTS=2 NMSWEEP_CACHE_DIR=$tmp/cache$i \
        NMSWEEP_VERIFY_DATA=$((i == 1 ? 1 : 0)) NMSWEEP_GRACE_MS=2000 \
        "$entrypoint" worker >"$tmp/worker$i.out" 2>"$tmp/worker$i.err" &
    pids+=("$!")
    eval "worker$i=\$!"
done

# The password must not be visible in the coordinator's command line or environment. The exec
# replaced the entrypoint's shell, so this pid becomes the binary; wait for that (the cells take
# ~2 s, so it is still running), and fail rather than pass if it could not be seen.
for _ in $(seq 50); do
    if tr '\0' ' ' <"/proc/$coordinator/cmdline" 2>/dev/null | grep -q nmsweep-coordinator; then break; fi
    sleep 0.1
done
cp "/proc/$coordinator/cmdline" "$tmp/cmdline" 2>/dev/null || true
cp "/proc/$coordinator/environ" "$tmp/environ" 2>/dev/null || true
check "coordinator process seen running the binary" grep -q nmsweep-coordinator "$tmp/cmdline"
check "password in no command line" bash -c "[[ -s $tmp/cmdline ]] && ! grep -qF -- '$password' $tmp/cmdline"
check "password in no environment, PGPASSFILE in it" bash -c "! grep -qF -- '$password' $tmp/environ && grep -q PGPASSFILE= $tmp/environ"
check "PGPASSFILE is private (0600)" bash -c "[[ \$(stat -c %a $tmp/run/nmsweep-pgpass.*) == 600 ]]"

wait_for() { # wait_for PID SECONDS: its exit code, or 124 after SECONDS.
    local deadline=$(($(date +%s) + $2))
    while kill -0 "$1" 2>/dev/null; do
        if (($(date +%s) >= deadline)); then return 124; fi
        sleep 0.1
    done
    local code=0
    wait "$1" || code=$?
    return "$code"
}
code=0
wait_for "$coordinator" 90 || code=$?
elapsed=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
check "coordinator exit 0 (was $code)" test "$code" = 0
check "summary: $cells/$cells done, 0 failed" contains "$tmp/coordinator.out" "sweep $sweep: $cells/$cells done, 0 failed"
for i in 1 2; do
    code=0
    wait_for "$(eval echo "\$worker$i")" 20 || code=$?
    check "worker $i left after SHUTDOWN with 0 (was $code)" test "$code" = 0
done
of_sweep="FROM results r JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id WHERE s.name = '$sweep'"
results=$(psql_trust "SELECT count(*) $of_sweep")
workers=$(psql_trust "SELECT count(DISTINCT r.worker_id) $of_sweep")
check "$cells results in PostgreSQL (were $results)" test "$results" = "$cells"
check "results from both workers (were $workers)" test "$workers" = 2
check "password in no output" bash -c "! cat $tmp/coordinator.out $tmp/coordinator.err | grep -qF -- '$password'"
echo "     sweep of $cells no-op cells (150 ms each, 2 workers × 2 slots) through the entrypoint: ${elapsed} s"

# --- 3. the nmsweep tool through the entrypoint reads the same database ------------------------
NMSWEEP_DATABASE_URL=$database_url NMSWEEP_DB_PASSWORD_FILE=$tmp/db_password \
    "$entrypoint" nmsweep sweeps >"$tmp/sweeps.out" 2>&1 || true
check "nmsweep sweeps lists the sweep" contains "$tmp/sweeps.out" "$sweep"

# --- 4. refusals --------------------------------------------------------------------------------
printf 'wrong\n' >"$tmp/wrong_password"
code=0
NMSWEEP_DATABASE_URL=$database_url NMSWEEP_DB_PASSWORD_FILE=$tmp/wrong_password NMSWEEP_BIND=tcp://127.0.0.1:$(free_port) \
    timeout 30 "$entrypoint" coordinator --noop-cells 1 >"$tmp/wrong.out" 2>&1 || code=$?
check "wrong password: refused (exit $code)" test "$code" != 0
check "wrong password: says authentication failed" contains "$tmp/wrong.out" "password authentication failed"

code=0
NMSWEEP_DATABASE_URL=$database_url NMSWEEP_DB_PASSWORD_FILE=$tmp/absent "$entrypoint" coordinator --noop-cells 1 >"$tmp/absent.out" 2>&1 || code=$?
check "missing password file: exit 2 (was $code)" test "$code" = 2
check "missing password file: names the variable" contains "$tmp/absent.out" "NMSWEEP_DB_PASSWORD_FILE=$tmp/absent"

code=0
"$entrypoint" coordinator >"$tmp/nogrid.out" 2>&1 || code=$?
check "no grid: exit 2 (was $code)" test "$code" = 2
check "no grid: says NMSWEEP_GRID" contains "$tmp/nogrid.out" "NMSWEEP_GRID"

mkdir "$tmp/empty-data"
code=0
NMSWEEP_DATA_DIR=$tmp/empty-data NMSWEEP_CONNECT=tcp://127.0.0.1:1 "$entrypoint" worker >"$tmp/nodata.out" 2>&1 || code=$?
check "worker without the data: exit 2 (was $code)" test "$code" = 2
check "worker without the data: says MISSING and what to run" bash -c "grep -q MISSING $tmp/nodata.out && grep -q 'nmsweep data fetch' $tmp/nodata.out"

code=0
"$entrypoint" >"$tmp/norole.out" 2>&1 || code=$?
check "no role: exit 2 (was $code)" test "$code" = 2

# --- 5. the CURVE variables (dry run: the command line only) ------------------------------------
touch "$tmp/c.secret" "$tmp/c.pub" "$tmp/w.secret"
mkdir "$tmp/allowed"
NMSWEEP_DRY_RUN=1 NMSWEEP_GRID=$repo/grids/test-tiny.yaml NMSWEEP_CURVE_KEY=$tmp/c.secret NMSWEEP_ALLOW_KEYS=$tmp/allowed \
    NMSWEEP_BIND=tcp://0.0.0.0:5555 "$entrypoint" coordinator >"$tmp/dry-coordinator.out"
check "dry run coordinator: --grid --bind --curve-key --allow-keys" diff <(printf '%s\n' "$bin_dir/nmsweep-coordinator" \
    --grid "$repo/grids/test-tiny.yaml" --bind tcp://0.0.0.0:5555 --curve-key "$tmp/c.secret" --allow-keys "$tmp/allowed") \
    "$tmp/dry-coordinator.out"
NMSWEEP_DRY_RUN=1 NMSWEEP_CONNECT=tcp://coordinator:5555 NMSWEEP_SLOTS=4 NMSWEEP_CURVE_KEY=$tmp/w.secret NMSWEEP_SERVER_KEY=$tmp/c.pub \
    "$entrypoint" worker --grace-ms 5 >"$tmp/dry-worker.out"
check "dry run worker: --connect --slots --curve-key --server-key + extra" diff <(printf '%s\n' "$bin_dir/nmsweep-worker" \
    --connect tcp://coordinator:5555 --slots 4 --curve-key "$tmp/w.secret" --server-key "$tmp/c.pub" --grace-ms 5) \
    "$tmp/dry-worker.out"
code=0
NMSWEEP_DRY_RUN=1 NMSWEEP_SERVER_KEY=$tmp/nope.pub "$entrypoint" worker >"$tmp/dry-nokey.out" 2>&1 || code=$?
check "missing server key: exit 2 naming NMSWEEP_SERVER_KEY (was $code)" bash -c "[[ $code == 2 ]] && grep -q NMSWEEP_SERVER_KEY $tmp/dry-nokey.out"
NMSWEEP_DRY_RUN=1 "$entrypoint" keygen --output /tmp/k >"$tmp/dry-keygen.out"
check "keygen role runs nmsweep keygen" diff <(printf '%s\n' "$bin_dir/nmsweep" keygen --output /tmp/k) "$tmp/dry-keygen.out"

# --- 6. CURVE for real, when the binaries have it (nmsweep keygen) --------------------------------
if "$bin_dir/nmsweep" --help 2>/dev/null | grep -q "keygen"; then
    # The compose secrets, made by docker/init-secrets.sh with the local keygen.
    NMSWEEP_SECRETS_DIR=$tmp/secrets NMSWEEP_KEYGEN="$bin_dir/nmsweep keygen" "$repo/docker/init-secrets.sh" >"$tmp/init-secrets.out" 2>&1
    mode_of() { stat -c %a "$1"; }
    check "init-secrets: db_password, coordinator and worker pairs, allowed-keys/worker.pub" \
        test -s "$tmp/secrets/db_password" -a -s "$tmp/secrets/coordinator.secret" -a -s "$tmp/secrets/worker.secret" \
        -a -s "$tmp/secrets/coordinator.pub" -a -s "$tmp/secrets/allowed-keys/worker.pub"
    check "init-secrets: secrets 0600, public keys 0644" bash -c "[[ $(mode_of "$tmp/secrets/db_password") == 600 && \
        $(mode_of "$tmp/secrets/worker.secret") == 600 && $(mode_of "$tmp/secrets/coordinator.pub") == 644 ]]"
    cp "$tmp/secrets/db_password" "$tmp/db_password.before"
    NMSWEEP_SECRETS_DIR=$tmp/secrets NMSWEEP_KEYGEN="$bin_dir/nmsweep keygen" "$repo/docker/init-secrets.sh" >"$tmp/init-secrets2.out" 2>&1
    check "init-secrets again: keeps what exists" bash -c "cmp -s $tmp/db_password.before $tmp/secrets/db_password && grep -q 'worker.secret exists, kept' $tmp/init-secrets2.out"
    # A key pair nobody allowed, made through the entrypoint's keygen role.
    "$entrypoint" keygen --output "$tmp/intruder" >/dev/null
    check "keygen role: intruder.secret 0600" test "$(mode_of "$tmp/intruder.secret")" = 600

    # 120 ms, not 150: no-op cells are keyed by their spec, so the first sweep's would all be done.
    curve_port=$(free_port)
    curve_sweep="entrypoint-curve-$RANDOM"
    NMSWEEP_DATABASE_URL=$database_url NMSWEEP_DB_PASSWORD_FILE=$tmp/db_password \
        NMSWEEP_BIND=tcp://127.0.0.1:$curve_port NMSWEEP_HEARTBEAT_MS=200 NMSWEEP_PROGRESS=log \
        NMSWEEP_CURVE_KEY=$tmp/secrets/coordinator.secret NMSWEEP_ALLOW_KEYS=$tmp/secrets/allowed-keys \
        "$entrypoint" coordinator --noop-cells 40 --noop-sleep-ms 120 --name "$curve_sweep" \
        >"$tmp/curve-coordinator.out" 2>"$tmp/curve-coordinator.err" &
    coordinator=$!
    pids+=("$coordinator")
    curve_workers=()
    for i in 1 2 3; do
        key=$tmp/secrets/worker.secret
        if ((i == 3)); then key=$tmp/intruder.secret; fi
        NMSWEEP_CONNECT=tcp://127.0.0.1:$curve_port NMSWEEP_SLOTS=2 NMSWEEP_CACHE_DIR=$tmp/curve-cache$i NMSWEEP_VERIFY_DATA=0 \
            NMSWEEP_CURVE_KEY=$key NMSWEEP_SERVER_KEY=$tmp/secrets/coordinator.pub \
            "$entrypoint" worker >"$tmp/curve-worker$i.out" 2>"$tmp/curve-worker$i.err" &
        pids+=("$!")
        curve_workers+=("$!")
    done
    code=0
    wait_for "$coordinator" 90 || code=$?
    check "CURVE sweep: coordinator exit 0 (was $code)" test "$code" = 0
    check "CURVE sweep: 40/40 done, 0 failed, connections refused counted" \
        bash -c "grep -q 'sweep $curve_sweep: 40/40 done, 0 failed' $tmp/curve-coordinator.out && grep -q 'connections refused' $tmp/curve-coordinator.out"
    of_curve="FROM results r JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id WHERE s.name = '$curve_sweep'"
    check "CURVE sweep: results from the 2 allowed workers only" test "$(psql_trust "SELECT count(DISTINCT r.worker_id) $of_curve")" = 2
    for i in 1 2; do
        code=0
        wait_for "${curve_workers[i - 1]}" 20 || code=$?
        check "CURVE sweep: allowed worker $i left with 0 (was $code)" test "$code" = 0
    done
    # The intruder is never answered; it says so after its liveness window (3 s before any WELCOME).
    for _ in $(seq 100); do
        if grep -q "coordinator silent" "$tmp/curve-worker3.err"; then break; fi
        sleep 0.1
    done
    check "CURVE sweep: the intruder heard nothing (coordinator silent)" grep -q "coordinator silent" "$tmp/curve-worker3.err"
    check "CURVE sweep: the coordinator named the refused key" grep -q "public key not allowed" "$tmp/curve-coordinator.err"
    kill -TERM "${curve_workers[2]}" 2>/dev/null || true
    secret_line=$(sed -n 's/^secret-key: *//p' "$tmp/secrets/coordinator.secret")
    check "CURVE sweep: no secret key in any output" bash -c "! cat $tmp/curve-*.out $tmp/curve-*.err | grep -qF -- '$secret_line'"
else
    echo "skip CURVE: this build's nmsweep has no keygen (the CURVE flags are not in it yet)"
fi

if ((failed > 0)); then
    for f in coordinator.out coordinator.err worker1.err worker2.err curve-coordinator.out curve-coordinator.err curve-worker1.err curve-worker3.err; do if [[ -f $tmp/$f ]]; then echo "--- $f"; tail -12 "$tmp/$f"; fi; done
fi
check_summary
