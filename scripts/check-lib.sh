# Shared by the script tests (scripts/test-entrypoint.sh, scripts/slurm/test-local.sh,
# docker/test-build-steps.sh): source it, call `check NAME COMMAND…` per condition, end with
# `check_summary` (prints "N passed, N failed"; its status is 0 only when nothing failed).
# shellcheck shell=bash
passed=0
failed=0
check() { # check NAME COMMAND…: run a condition, count it, say which failed.
    local name=$1
    shift
    if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}
check_summary() {
    echo "$passed passed, $failed failed"
    ((failed == 0))
}
