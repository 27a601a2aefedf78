#!/bin/bash
# Runs the whole test suite under AddressSanitizer (with LeakSanitizer) and under
# ThreadSanitizer, each in a scratch folder of its own, and fails on any report. The few
# suppressions (scripts/sanitizers/*.supp) are for the toolchain's own libraries and say why.
#
#   scripts/sanitize.sh [address|thread]...      (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
kinds=("$@")
[ ${#kinds[@]} -gt 0 ] || kinds=(address thread)
here=$(pwd)
status=0
for kind in "${kinds[@]}"; do
    scratch=".build-$([ "$kind" = address ] && echo asan || echo tsan)"
    log=$(mktemp)
    # (Not `swift build | grep error && exit`: under pipefail a failed build would pass unseen.)
    if ! swift build --build-tests --sanitize="$kind" --scratch-path "$scratch" >"$log" 2>&1; then
        grep -E "error" "$log" | head -20
        echo "$kind: the sanitised build failed"
        exit 1
    fi
    export ASAN_OPTIONS="detect_leaks=1"
    export LSAN_OPTIONS="suppressions=$here/scripts/sanitizers/lsan.supp:print_suppressions=0"
    export TSAN_OPTIONS="suppressions=$here/scripts/sanitizers/tsan.supp:halt_on_error=0"
    set +e
    swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" >"$log" 2>&1
    code=$?
    set -e
    reports=$(grep -cE "^(==[0-9]+==)?(ERROR|WARNING): (AddressSanitizer|LeakSanitizer|ThreadSanitizer)" "$log" || true)
    echo "$kind: $(grep -E 'Test run with' "$log" | tail -1) — exit $code, $reports sanitizer report(s)"
    if [ "$code" != 0 ] || [ "$reports" != 0 ]; then
        # (`|| true`: under set -e a grep that finds nothing would end the script here, before
        # the report is shown and the other sanitizer runs.)
        grep -E "^✘ Test|Expectation failed|Caught error" "$log" | head -40 || true
        grep -E -A25 "(ERROR|WARNING): (AddressSanitizer|LeakSanitizer|ThreadSanitizer)" "$log" | head -80 || true
        status=1
    fi
    rm -f "$log"
done
exit $status
