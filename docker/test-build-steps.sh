#!/usr/bin/env bash
# The Dockerfile's build and data stages, run outside Docker (no engine here): in a clean clone of
# HEAD (the sources a build context holds), the same commands as the RUN lines —
#   make build NMSWEEP_MARCH=x86-64-v3 CONFIG=release; the ldd staging of the Swift libraries;
#   make data into a fresh NMSWEEP_DATA_DIR; sha256sum -c MANIFEST.sha256
# — then checks that the portable binaries hold no AVX-512 instruction, and that a grids/test-tiny
# sweep through docker/entrypoint.sh gives bitwise the same results with the x86-64-v3 binaries as
# with the native build in .build/release (numbers must not depend on the image's CPU target).
#
# Usage: docker/test-build-steps.sh (after `make build`; a full release build: 4–15 minutes).
# Prints "N passed, N failed".
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
native=${NMSWEEP_NATIVE_BIN_DIR:-$repo/.build/release}
[[ -x $native/nmsweep-coordinator ]] || { echo "test-build-steps: no native build in $native: make build" >&2; exit 2; }

# shellcheck source=scripts/check-lib.sh
source "$repo/scripts/check-lib.sh"
tmp=$(mktemp -d /tmp/nmsweep-build-steps.XXXXXX)
chmod 0755 "$tmp"
cleanup() {
    for state in "$tmp"/run-*/state; do
        if [[ -d $state ]]; then "$native/nmsweep" db stop --state-dir "$state" >/dev/null 2>&1 || true; fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

# The build stage.
git clone -q "$repo" "$tmp/src"
(cd "$tmp/src" && git checkout -q "$(git -C "$repo" rev-parse HEAD)")
start=$(date +%s)
(cd "$tmp/src" && make build NMSWEEP_MARCH=x86-64-v3 CONFIG=release) >"$tmp/build.log" 2>&1 ||
    { tail -20 "$tmp/build.log"; echo "FAIL make build NMSWEEP_MARCH=x86-64-v3"; echo "$passed passed, 1 failed"; exit 1; }
echo "     make build NMSWEEP_MARCH=x86-64-v3: $(($(date +%s) - start)) s"
staging=$tmp/staging
mkdir -p "$staging/bin" "$staging/lib"
cp "$tmp/src/.build/release/nmsweep" "$tmp/src/.build/release/nmsweep-coordinator" "$tmp/src/.build/release/nmsweep-worker" "$staging/bin/"
ldd "$staging"/bin/* | awk '$3 ~ /\/swift\// { print $3 }' | sort -u | xargs -r cp -L -t "$staging/lib/"
libraries=$(find "$staging/lib" -name '*.so*' | wc -l)
check "staging: Swift runtime libraries found by ldd ($libraries)" test "$libraries" -ge 5
check "staging: no library of any binary missing" bash -c "! ldd $staging/bin/* | grep -q 'not found'"
zmm=$(objdump -d "$staging/bin/nmsweep-worker" | grep -c '%zmm' || true)
ymm_fma=$(objdump -d "$staging/bin/nmsweep-worker" | grep -c 'vfmadd.*%ymm' || true)
check "x86-64-v3: no AVX-512 instruction ($zmm zmm), AVX2 FMA used ($ymm_fma)" bash -c "(( $zmm == 0 && $ymm_fma > 0 ))"

# The data stage.
start=$(date +%s)
(cd "$tmp/src" && NMSWEEP_DATA_DIR=$tmp/data make data NMSWEEP_MARCH=x86-64-v3 CONFIG=release) >"$tmp/data.log" 2>&1 || true
echo "     make data: $(($(date +%s) - start)) s ($(tail -1 "$tmp/data.log"))"
check "data: sha256sum -c MANIFEST.sha256" bash -c "cd $tmp/data && sha256sum -c --quiet MANIFEST.sha256"

# The same sweep with both builds, through the entrypoint (embedded database, 2 local workers).
for build in v3 native; do
    bin=$staging/bin
    [[ $build == native ]] && bin=$native
    mkdir -p "$tmp/run-$build"
    code=0
    env -u PGHOST -u PGDATABASE -u DATABASE_URL NMSWEEP_BIN_DIR="$bin" NMSWEEP_STATE_DIR="$tmp/run-$build/state" \
        NMSWEEP_GRID="$repo/grids/test-tiny.yaml" NMSWEEP_LOCAL_WORKERS=2 NMSWEEP_WORKER_SLOTS=1 NMSWEEP_PROGRESS=quiet \
        NMSWEEP_BIND=tcp://127.0.0.1:0 NMSWEEP_DATA_DIR="$tmp/data" \
        "$repo/docker/entrypoint.sh" coordinator >"$tmp/run-$build/out.txt" 2>"$tmp/run-$build/err.txt" || code=$?
    check "$build: test-tiny 10/10 done (exit $code)" grep -q "sweep test-tiny: 10/10 done, 0 failed" "$tmp/run-$build/out.txt"
    for view in task_results spectrum_summary; do
        "$bin/nmsweep" report --state-dir "$tmp/run-$build/state" --format csv --view "$view" >"$tmp/run-$build/$view.csv"
    done
done
for view in task_results spectrum_summary; do
    check "x86-64-v3 and native: $view bitwise identical" cmp -s "$tmp/run-v3/$view.csv" "$tmp/run-native/$view.csv"
done
check_summary
