#!/usr/bin/env bash
# nmsweep-entrypoint: one image, four roles. The first argument picks the role; NMSWEEP_* variables
# become the binaries' flags; arguments after the role are appended as they are (so they can add
# or repeat any flag, including the hidden test flags).
#
#   coordinator [FLAGS…]   nmsweep-coordinator, configured from NMSWEEP_GRID, NMSWEEP_BIND, …
#   worker [FLAGS…]        nmsweep-worker, configured from NMSWEEP_CONNECT, NMSWEEP_SLOTS, …
#   nmsweep ARGS…          the nmsweep tool (report, status, sweeps, data, cell, …)
#   keygen [ARGS…]         nmsweep keygen (a CURVE key pair: --output PATH → PATH.secret, PATH.pub)
#   anything else          run as a command (e.g. bash, for a look inside the container)
#
# The variable → flag table is in docker/README.md ("Configuration"). Secrets are files, never
# variables: the database password is read from NMSWEEP_DB_PASSWORD_FILE (default
# /run/secrets/db_password when it exists) and handed to libpq as a private PGPASSFILE, so it
# appears in no URL, no command line and no environment.
#
# NMSWEEP_STATE_DIR is not turned into --state-dir: the binaries read it themselves as the embedded
# server's folder, and the flag would also force the embedded server over PG* variables.
#
# NMSWEEP_BIN_DIR: where the binaries are (default: the image's /usr/local/bin; tests point it at
# .build/release). NMSWEEP_DRY_RUN=1: print the command that would run (one argument per line) and
# exit 0 — how scripts/test-entrypoint.sh checks mappings the local binaries may not have yet.
set -euo pipefail

bin_dir=${NMSWEEP_BIN_DIR:-/usr/local/bin}

die() {
    echo "nmsweep-entrypoint: $*" >&2
    exit 2
}

# add_flag FLAG VARIABLE: append FLAG and the variable's value to `args` when the variable is set
# and not empty (an empty variable means "the binary's default").
add_flag() {
    local value=${!2:-}
    if [[ -n $value ]]; then args+=("$1" "$value"); fi
}

# require_readable VARIABLE: a variable that names a file must name a readable one — said here, with
# the variable's name, rather than as a late failure inside the binary.
require_readable() {
    local path=${!1:-}
    if [[ -n $path && ! -r $path ]]; then
        die "$1=$path: no such file, or not readable by uid $(id -u) (see docker/README.md, \"Secrets\")"
    fi
}

# The database password, from a secret file, into a private libpq password file (mode 0600, in
# NMSWEEP_RUNTIME_DIR, default TMPDIR or /tmp). libpq reads PGPASSFILE for any server, so the URL
# carries no password. In a .pgpass line `:` and `\` are escaped with `\`.
setup_database_password() {
    local file=${NMSWEEP_DB_PASSWORD_FILE:-}
    if [[ -z $file && -f /run/secrets/db_password ]]; then file=/run/secrets/db_password; fi
    [[ -n $file ]] || return 0
    [[ -r $file ]] || die "NMSWEEP_DB_PASSWORD_FILE=$file: no such file, or not readable by uid $(id -u)"
    local password
    password=$(<"$file")
    # A trailing newline (echo pw > file) is not part of the password; $(<…) already dropped it.
    [[ -n $password ]] || die "NMSWEEP_DB_PASSWORD_FILE=$file is empty"
    local escaped=${password//\\/\\\\}
    escaped=${escaped//:/\\:}
    local dir=${NMSWEEP_RUNTIME_DIR:-${TMPDIR:-/tmp}}
    local passfile
    passfile=$(umask 077 && mktemp "$dir/nmsweep-pgpass.XXXXXX")
    printf '*:*:*:*:%s\n' "$escaped" >"$passfile"
    export PGPASSFILE=$passfile
}

# run PROGRAM ARGS…: exec the binary from bin_dir (or, with NMSWEEP_DRY_RUN=1, print the command).
run() {
    local program=$bin_dir/$1
    shift
    if [[ ${NMSWEEP_DRY_RUN:-0} == 1 ]]; then
        printf '%s\n' "$program" "$@"
        exit 0
    fi
    [[ -x $program ]] || die "$program: not found or not executable (NMSWEEP_BIN_DIR=$bin_dir)"
    exec "$program" "$@"
}

role=${1:-}
[[ -n $role ]] || die "give a role: coordinator, worker, nmsweep, keygen (or a command to run)"
shift

args=()
case $role in
coordinator)
    if [[ -z ${NMSWEEP_GRID:-} && $# -eq 0 ]]; then
        die "coordinator: set NMSWEEP_GRID=/grids/FILE.yaml (or pass --grid FILE)"
    fi
    require_readable NMSWEEP_GRID
    require_readable NMSWEEP_CURVE_KEY
    if [[ -n ${NMSWEEP_ALLOW_KEYS:-} && ! -e $NMSWEEP_ALLOW_KEYS ]]; then
        die "NMSWEEP_ALLOW_KEYS=$NMSWEEP_ALLOW_KEYS: no such file or directory"
    fi
    setup_database_password
    add_flag --grid NMSWEEP_GRID
    add_flag --name NMSWEEP_SWEEP_NAME
    add_flag --database NMSWEEP_DATABASE_URL
    add_flag --bind NMSWEEP_BIND
    add_flag --local-workers NMSWEEP_LOCAL_WORKERS
    add_flag --worker-slots NMSWEEP_WORKER_SLOTS
    add_flag --heartbeat-ms NMSWEEP_HEARTBEAT_MS
    add_flag --liveness NMSWEEP_LIVENESS
    add_flag --max-attempts NMSWEEP_MAX_ATTEMPTS
    add_flag --progress NMSWEEP_PROGRESS
    add_flag --curve-key NMSWEEP_CURVE_KEY
    add_flag --allow-keys NMSWEEP_ALLOW_KEYS
    run nmsweep-coordinator "${args[@]}" "$@"
    ;;
worker)
    require_readable NMSWEEP_CURVE_KEY
    require_readable NMSWEEP_SERVER_KEY
    # A worker on a data folder that is not the pinned one would compute wrong numbers; say so
    # before it joins (0.3 s of hashing for the 32 MB). NMSWEEP_VERIFY_DATA=0 skips it.
    if [[ ${NMSWEEP_VERIFY_DATA:-1} == 1 && ${NMSWEEP_DRY_RUN:-0} != 1 ]]; then
        verify_args=(data verify)
        if [[ -n ${NMSWEEP_DATA_DIR:-} ]]; then verify_args+=(--data-dir "$NMSWEEP_DATA_DIR"); fi
        if ! report=$("$bin_dir/nmsweep" "${verify_args[@]}" 2>&1); then
            printf '%s\n' "$report" >&2
            die "worker: the data folder ${NMSWEEP_DATA_DIR:-(default)} does not hold the pinned data sets; run 'nmsweep data fetch' into it, or set NMSWEEP_VERIFY_DATA=0"
        fi
    fi
    add_flag --connect NMSWEEP_CONNECT
    add_flag --slots NMSWEEP_SLOTS
    add_flag --cache-dir NMSWEEP_CACHE_DIR
    add_flag --data-dir NMSWEEP_DATA_DIR
    add_flag --grace-ms NMSWEEP_GRACE_MS
    add_flag --curve-key NMSWEEP_CURVE_KEY
    add_flag --server-key NMSWEEP_SERVER_KEY
    run nmsweep-worker "${args[@]}" "$@"
    ;;
nmsweep)
    setup_database_password
    # Every nmsweep subcommand that reads the store honours DATABASE_URL; data/cell ignore it.
    if [[ -n ${NMSWEEP_DATABASE_URL:-} && -z ${DATABASE_URL:-} ]]; then export DATABASE_URL=$NMSWEEP_DATABASE_URL; fi
    run nmsweep "$@"
    ;;
keygen)
    run nmsweep keygen "$@"
    ;;
*)
    exec "$role" "$@"
    ;;
esac
