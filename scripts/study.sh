#!/usr/bin/env bash
# Reproduces docs/results/ from scratch: the full default study (grids/paper.yaml) with the real
# binaries (coordinator, local workers, the embedded PostgreSQL), its reports and plots, and the
# same study rerun in black-box mode on exported features, compared cell by cell.
#
#   make study                      # or: scripts/study.sh
#   STUDY_WORKERS=2 STUDY_STATE_DIR=.study/state STUDY_OUT=docs/results scripts/study.sh
#
# A state folder that already holds the study resumes it (finished cells are not rerun); delete
# it to start from nothing. Expect ~30-40 min on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.build/release}
GRID=${STUDY_GRID:-grids/paper.yaml}
STATE=${STUDY_STATE_DIR:-$PWD/.study/state}
FEATURES=${STUDY_FEATURES_DIR:-$PWD/.study/features}
OUT=${STUDY_OUT:-docs/results}
WORKERS=${STUDY_WORKERS:-2}
PORT=${STUDY_PORT:-5591}
NAME=$(sed -n 's/^name: *//p' "$GRID" | head -1)
mkdir -p "$OUT" "$(dirname "$STATE")"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
timed() {  # timed LABEL CMD...: runs CMD, appends "LABEL: wall W s, CPU U s user + S s system" to the record
    local label=$1; shift
    local t; t=$(mktemp)
    /usr/bin/time -f '%e %U %S' -o "$t" "$@"
    read -r wall user sys < "$t"; rm -f "$t"
    printf -- '- %s: wall %s s, CPU %s s user + %s s system (coordinator and its workers)\n' "$label" "$wall" "$user" "$sys" >> "$OUT/run.md.tmp"
}

: > "$OUT/run.md.tmp"
REVISION=$(git rev-parse --short HEAD 2>/dev/null || echo '?')   # at the start: commits made during the run are not its
log "study: $GRID with $WORKERS local workers, state in $STATE"
timed "integrated study ($GRID, $WORKERS workers)" \
    "$BIN/nmsweep-coordinator" --grid "$GRID" --local-workers "$WORKERS" --state-dir "$STATE" \
    --bind "tcp://127.0.0.1:$PORT" --progress log > "$OUT/study-output.txt"

log "reports"
"$BIN/nmsweep" report --state-dir "$STATE" --sweep "$NAME" --format markdown --out "$OUT/report.md"
for view in id_ood_summary group_summary task_results effects spectrum_summary noise_effect grid_cells; do
    "$BIN/nmsweep" report --state-dir "$STATE" --sweep "$NAME" --format csv --view "$view" --out "$OUT/$view.csv"
done
"$BIN/nmsweep" report --state-dir "$STATE" --sweep "$NAME" --format svg --out "$OUT/$NAME.svg"
scripts/study-tables.sh "$("$BIN/nmsweep" db url --state-dir "$STATE")" "$NAME" > "$OUT/tables.md"
scripts/study-csv.sh "$("$BIN/nmsweep" db url --state-dir "$STATE")" "$NAME" "$OUT"

log "black-box: export features, rerun on them"
rm -rf "$FEATURES"
timed "feature export (nmsweep features export)" \
    "$BIN/nmsweep" features export --grid "$GRID" --out "$FEATURES" --state-dir "$STATE" > /dev/null
timed "black-box rerun ($FEATURES/grid.yaml, $WORKERS workers)" \
    "$BIN/nmsweep-coordinator" --grid "$FEATURES/grid.yaml" --local-workers "$WORKERS" --state-dir "$STATE" \
    --bind "tcp://127.0.0.1:$PORT" --progress log > "$OUT/blackbox-output.txt"

log "comparison"
URL=$("$BIN/nmsweep" db url --state-dir "$STATE")
psql "$URL" -X -q -A -F ' | ' -c "
    WITH r AS (SELECT s.name AS sweep, r.* FROM results r
               JOIN sweep_cells sc ON sc.cell_key = r.cell_key JOIN sweeps s ON s.id = sc.sweep_id)
    SELECT count(*) AS cells_compared,
           count(*) FILTER (WHERE a.accuracy = b.accuracy) AS same_accuracy,
           count(*) FILTER (WHERE a.sve = b.sve AND a.lsvr = b.lsvr) AS same_sve_lsvr,
           count(*) FILTER (WHERE a.tuned_sve IS NOT DISTINCT FROM b.tuned_sve
                              AND a.tuned_lsvr IS NOT DISTINCT FROM b.tuned_lsvr) AS same_tuned_spectrum,
           max(abs(a.accuracy - b.accuracy)) AS max_accuracy_difference
    FROM r a JOIN r b ON a.sweep = '$NAME' AND b.sweep = '$NAME-blackbox' AND a.task = b.task
         AND a.method = b.method AND a.noise_ratio = b.noise_ratio AND a.seed = b.seed
         AND coalesce(a.probe_seed, a.seed) = coalesce(b.probe_seed, b.seed)" > "$OUT/blackbox-comparison.txt"
cat "$OUT/blackbox-comparison.txt" >&2

{
    echo "# Run record"
    echo
    echo "Made by \`scripts/study.sh\` on $(date -u +%Y-%m-%d) at commit $REVISION,"
    echo "$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(free -g | awk '/Mem:/{print $2}') GiB."
    echo
    cat "$OUT/run.md.tmp"
} > "$OUT/run.md"
rm -f "$OUT/run.md.tmp"
log "done: $OUT"
