#!/usr/bin/env bash
# The memorisation axis of the glyph study: grids/glyphs.yaml once per pre-training length, each as
# its own sweep `glyphs-eN` (reports group by sweep, so the regimes stay apart and each gets its
# own effects and verdicts). Cells already done are not run again (same keys as any rerun).
#   scripts/glyph-epochs.sh "10 20 30" --local-workers 2 --state-dir .study/glyphs
# Pilot (docs/results.md, "Glyph study: pilot"): at 30 % noise, 10 epochs memorise 0.2 % of the
# relabelled images, 20 epochs 13–28 %, 30 epochs 99 %. Cost per value ≈ 40 × (5.2 · epochs + 36) CPU-s.
set -euo pipefail
EPOCHS=$1
shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/.build/release}
GRIDS=$(mktemp -d)
trap 'rm -rf "$GRIDS"' EXIT
for e in $EPOCHS; do
    [[ $e =~ ^[1-9][0-9]*$ ]] || { echo "glyph-epochs: '$e' is not a positive number of epochs" >&2; exit 2; }
    grid=$GRIDS/glyphs-e$e.yaml
    sed -e "s/^name: glyphs\$/name: glyphs-e$e/" -e "s/^  epochs: 20\$/  epochs: $e/" "$ROOT/grids/glyphs.yaml" > "$grid"
    grep -q "^name: glyphs-e$e\$" "$grid" && grep -q "^  epochs: $e\$" "$grid" \
        || { echo "glyph-epochs: grids/glyphs.yaml no longer has 'name: glyphs' and '  epochs: 20' lines to rewrite" >&2; exit 2; }
    echo "glyph-epochs: sweep glyphs-e$e (pre-training $e epochs)" >&2
    "$BIN/nmsweep-coordinator" --grid "$grid" "$@"
done
