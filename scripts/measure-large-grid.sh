#!/bin/bash
# Expansion and submission of a large grid: wall time to "state rebuilt" and the coordinator's
# peak RSS (VmHWM), with the progress lines it printed. Stops the coordinator (SIGTERM) there, so
# nothing runs. Usage (from the package root, after `swift build -c release`):
#   scripts/measure-large-grid.sh SEEDS [STATE_DIR]
# builds grids/quick.yaml with `seeds: SEEDS` (39 cells a seed: 975,000 cells for 25000) and
# submits it to a fresh embedded server in STATE_DIR (default /tmp/nmsweep-large-grid).
set -euo pipefail
seeds=${1:?give the number of seeds, e.g. 25000}
state=${2:-/tmp/nmsweep-large-grid}
B=.build/release
grid=$(mktemp /tmp/large-grid-XXXXXX.yaml)
sed "s/^seeds: 1\$/seeds: $seeds/; s/^name: quick\$/name: large-$seeds/" grids/quick.yaml > "$grid"
$B/nmsweep db stop --state-dir "$state" >/dev/null 2>&1 || true
rm -rf "$state"; mkdir -p "$state"; chmod 755 "$state"
err=$(mktemp)
start=$(date +%s.%N)
$B/nmsweep-coordinator --grid "$grid" --state-dir "$state" --progress log --bind tcp://127.0.0.1:0 2> "$err" > /dev/null &
pid=$!
while kill -0 $pid 2>/dev/null; do
  if grep -q "state rebuilt" "$err"; then
    now=$(date +%s.%N)
    hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
    kill -TERM $pid; wait $pid || true
    grep -E "expanding|recording cells" "$err" || true
    echo "cells: $((seeds * 39)); to state rebuilt: $(echo "$now - $start" | bc) s; VmHWM: $hwm kB"
    break
  fi
  sleep 0.2
done
$B/nmsweep db stop --state-dir "$state" >/dev/null 2>&1 || true
rm -rf "$state" "$grid" "$err"
