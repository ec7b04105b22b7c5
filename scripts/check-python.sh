#!/usr/bin/env bash
# The Python access recipe (README, "Query the results") checked for real: a tiny sweep
# (grids/test-tiny.yaml, 2 local workers, an embedded PostgreSQL in a temporary state folder),
# then pandas.read_sql over `nmsweep db url` against `nmsweep report --format csv` of the same views.
#
# pandas, SQLAlchemy and "psycopg[binary]" come from PyPI into a venv made on demand and kept under
# ~/.cache/nmsweep/python-venv (NMSWEEP_PYTHON_VENV), so repeated runs skip the install.
# Usage: scripts/check-python.sh (after `swift build -c release` and `nmsweep data fetch`).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${NMSWEEP_BIN_DIR:-$repo/.build/release}
venv=${NMSWEEP_PYTHON_VENV:-$HOME/.cache/nmsweep/python-venv}
for binary in nmsweep nmsweep-coordinator nmsweep-worker; do
    [[ -x $bin/$binary ]] || { echo "check-python: $bin/$binary missing: run swift build -c release" >&2; exit 2; }
done

if ! "$venv/bin/python" -c 'import pandas, sqlalchemy, psycopg' 2>/dev/null; then
    echo "check-python: creating $venv (pandas, SQLAlchemy, "psycopg[binary]" from PyPI)"
    python3 -m venv "$venv" || { echo "check-python: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 2; }
    "$venv/bin/pip" install -q pandas SQLAlchemy "psycopg[binary]"
fi

state=$(mktemp -d /tmp/nmsweep-python-check.XXXXXX)
chmod 0755 "$state"
cleanup() {
    "$bin/nmsweep" db stop --state-dir "$state" >/dev/null 2>&1 || true
    rm -rf "$state"
}
trap cleanup EXIT

# A free TCP port for the coordinator (the default 5555 may be taken by another sweep).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin/nmsweep-coordinator" --grid "$repo/grids/test-tiny.yaml" --name pycheck --local-workers 2 \
    --bind "tcp://127.0.0.1:$port" --state-dir "$state" --progress quiet >"$state/coordinator.log" 2>&1 \
    || { tail -20 "$state/coordinator.log" >&2; echo "check-python: the sweep failed" >&2; exit 1; }

mkdir -p "$state/csv"
for view in id_ood_summary group_summary task_results effects grid_cells; do
    "$bin/nmsweep" report --state-dir "$state" --sweep pycheck --format csv --view "$view" --out "$state/csv/$view.csv" 2>/dev/null
done
"$venv/bin/python" "$repo/scripts/python_access_check.py" "$("$bin/nmsweep" db url --state-dir "$state")" pycheck "$state/csv"
