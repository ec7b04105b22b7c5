#!/bin/bash
# Scripted check of `make run` (issue 13, observation 3), run by `make test`: the build stays quiet,
# PORT= and STATE_DIR= reach the coordinator, a second run of a finished sweep says so plainly
# ("nothing to run: sweep … finished at …") instead of passing old results off as new, and the
# coordinator says where the results are and how to stop the embedded server.
# Uses grids/test-tiny.yaml (seconds) and a state folder of its own, removed at the end.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/check-lib.sh
source scripts/check-lib.sh

state=$(mktemp -d /tmp/nmsweep-make-run.XXXXXX)
chmod 755 "$state"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() { .build/release/nmsweep db stop --state-dir "$state" >/dev/null 2>&1; rm -rf "$state"; }
trap cleanup EXIT

first=$(make --no-print-directory run GRID=grids/test-tiny.yaml WORKERS=1 PORT="$port" STATE_DIR="$state" 2>&1)
first_rc=$?
second=$(make --no-print-directory run GRID=grids/test-tiny.yaml WORKERS=1 PORT="$port" STATE_DIR="$state" 2>&1)
second_rc=$?

check "first run exits 0" test "$first_rc" = 0
# shellcheck disable=SC2016  # $1 is expanded by the inner bash, on purpose
check "no compiler lines in make run's output" bash -c '! grep -Eq "Compiling|warning:|\[[0-9]+/[0-9]+\]" <<<"$1"' _ "$first"
check "PORT= reaches the coordinator" grep -q "listening on tcp://127.0.0.1:$port" <<<"$first"
check "STATE_DIR= holds the results" test -f "$state/postgres/data/PG_VERSION"
check "the coordinator names the report command" grep -qF "nmsweep report --sweep test-tiny --state-dir $state" <<<"$first"
check "the coordinator says how to stop the server" grep -qF "nmsweep db stop --state-dir $state" <<<"$first"
check "second run exits 0" test "$second_rc" = 0
check "second run says nothing to run" grep -q "nothing to run: sweep test-tiny finished at " <<<"$second"
check "second run suggests --name" grep -q -- "--name" <<<"$second"
if ((failed > 0)); then printf '%s\n--- second run ---\n%s\n' "$first" "$second" | tail -n 60; fi
check_summary
