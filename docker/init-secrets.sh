#!/usr/bin/env bash
# docker/init-secrets.sh: make the secrets docker/compose.yaml needs, in docker/secrets/ (never
# committed; docker/secrets/README lists them). Files that exist are kept, so it is safe to re-run.
#
# The CURVE key pairs come from `nmsweep keygen --output PATH` (PATH.secret mode 0600, PATH.pub):
# the command in NMSWEEP_KEYGEN if set, else `nmsweep` on PATH or in .build/release, else the
# image (`docker run … nmsweep:latest keygen`, so build the image first).
#
# Environment: NMSWEEP_SECRETS_DIR (default docker/secrets), NMSWEEP_UID (default 10001, the uid the
# containers run as), NMSWEEP_IMAGE (default nmsweep:latest).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=${NMSWEEP_SECRETS_DIR:-$here/secrets}
uid=${NMSWEEP_UID:-10001}
image=${NMSWEEP_IMAGE:-nmsweep:latest}
umask 077
mkdir -p "$dir/allowed-keys"

# keygen NAME: a key pair NAME.secret / NAME.pub in the secrets folder, unless it exists.
keygen() {
    local name=$1
    if [[ -s $dir/$name.secret && -s $dir/$name.pub ]]; then
        echo "init-secrets: $dir/$name.secret exists, kept"
        return 0
    fi
    if [[ -n ${NMSWEEP_KEYGEN:-} ]]; then
        # NMSWEEP_KEYGEN is a command line: split on blanks on purpose.
        # shellcheck disable=SC2086
        $NMSWEEP_KEYGEN --output "$dir/$name"
    elif command -v nmsweep >/dev/null; then
        nmsweep keygen --output "$dir/$name"
    elif [[ -x $here/../.build/release/nmsweep ]]; then
        "$here/../.build/release/nmsweep" keygen --output "$dir/$name"
    elif command -v docker >/dev/null; then
        docker run --rm --user "$(id -u):$(id -g)" -v "$dir:/out" "$image" keygen --output "/out/$name"
    else
        echo "init-secrets: no nmsweep binary and no docker to run 'nmsweep keygen'; set NMSWEEP_KEYGEN" >&2
        exit 2
    fi
    [[ -s $dir/$name.secret && -s $dir/$name.pub ]] || {
        echo "init-secrets: keygen did not write $dir/$name.secret and $dir/$name.pub" >&2
        exit 1
    }
    echo "init-secrets: wrote $dir/$name.secret and $dir/$name.pub"
}

if [[ -s $dir/db_password ]]; then
    echo "init-secrets: $dir/db_password exists, kept"
else
    # 192 random bits as 48 hex digits: no character that needs quoting anywhere.
    od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$dir/db_password"
    echo >>"$dir/db_password"
    echo "init-secrets: wrote $dir/db_password"
fi
keygen coordinator
keygen worker
cp "$dir/worker.pub" "$dir/allowed-keys/worker.pub"

# Public keys are public; the secrets must be readable by the containers' uid and nobody else.
chmod 0755 "$dir/allowed-keys"
chmod 0644 "$dir"/*.pub "$dir"/allowed-keys/*.pub
chmod 0600 "$dir/db_password" "$dir"/*.secret
if [[ $(id -u) == "$uid" ]]; then
    :
elif [[ $(id -u) == 0 ]]; then
    chown "$uid:$uid" "$dir/db_password" "$dir"/*.secret
    echo "init-secrets: secrets owned by uid $uid (the containers' user)"
else
    echo "init-secrets: the containers run as uid $uid, you are $(id -u): set NMSWEEP_UID=$(id -u) in docker/.env" \
        "and rebuild, or run: sudo chown $uid:$uid $dir/db_password $dir/*.secret" >&2
fi
