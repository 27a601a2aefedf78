#!/bin/bash
# One run, same machine state: `quire extract` on big.docx and big.mbox with --parallelism 1
# (a library caller's default) and the command line's default (all cores), against an
# earlier build (BEFORE=path/to/quire) and the zlib+libxml2 floor for DOCX. Wall time and
# CPU time from `perf stat -r N`, peak RSS from GNU time, instructions from callgrind (which
# counts every thread's instructions and does not drift with the machine's load).
#
#   BEFORE=/tmp/before/.build/release/quire Benchmarks/run_parallelism.sh [RUNS]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${1:-10}"
DATA="$ROOT/Benchmarks/data"
QUIRE="$ROOT/.build/release/quire"
BEFORE="${BEFORE:-}"
echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)"
row() {  # name, command...
    local name="$1"; shift
    local stat wall cpu rss
    stat=$(perf stat -r "$RUNS" -x, -e task-clock "$@" 2>&1 >/dev/null | grep task-clock || true)
    wall=$( { /usr/bin/time -f '%e %M' "$@" >/dev/null; } 2>&1 | tail -1)
    local secs=0
    for _ in $(seq "$RUNS"); do
        local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
        secs=$(echo "$secs + $t1 - $t0" | bc -l)
    done
    cpu=$(echo "$stat" | cut -d, -f1)
    rss=$(echo "$wall" | cut -d' ' -f2)
    printf '| %-34s | %8.3f | %8.3f | %6d |\n' "$name" "$(echo "$secs / $RUNS" | bc -l)" "$(echo "${cpu:-0} / 1000" | bc -l)" "$((rss / 1024))"
}
instructions() {  # binary, arguments... → total instructions over all threads
    # valgrind 3.19 cannot read the toolchain's DWARF 5: count on a stripped copy.
    local binary="$1"; shift
    local stripped; stripped=$(mktemp)
    strip -o "$stripped" "$binary"
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$stripped" "$@" 2>&1 >/dev/null | grep -E 'Collected' | awk '{print $4}'
    rm -f "$stripped"
}
for doc in big.docx big.mbox; do
    file="$DATA/$doc"
    [ -s "$file" ] || { echo "missing $file (see Benchmarks/run_docx.sh / run_mail.sh)"; continue; }
    echo
    echo "### $doc ($(du -h "$file" | cut -f1)) → Markdown"
    echo
    echo "| command | wall (s) | CPU (s) | RSS (MB) |"
    echo "|---|---|---|---|"
    [ -n "$BEFORE" ] && row "before (earlier build)" "$BEFORE" extract --format markdown -o /dev/null "$file"
    row "quire --parallelism 1" "$QUIRE" extract --parallelism 1 --format markdown -o /dev/null "$file"
    row "quire (all cores)" "$QUIRE" extract --format markdown -o /dev/null "$file"
    row "quire --format json (all cores)" "$QUIRE" extract --format json -o /dev/null "$file"
    [ -n "$BEFORE" ] && row "before --format json" "$BEFORE" extract --format json -o /dev/null "$file"
    if [ "$doc" = big.docx ] && [ -x "$DATA/zip_sax" ]; then row "floor: zlib+libxml2 SAX (C)" "$DATA/zip_sax" "$file"; fi
    echo
    echo "Instructions (callgrind, all threads):"
    [ -n "$BEFORE" ] && echo "- before: $(instructions "$BEFORE" extract --format markdown -o /dev/null "$file")"
    echo "- --parallelism 1: $(instructions "$QUIRE" extract --parallelism 1 --format markdown -o /dev/null "$file")"
    echo "- all cores: $(instructions "$QUIRE" extract --format markdown -o /dev/null "$file")"
done
