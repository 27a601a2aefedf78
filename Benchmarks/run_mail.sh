#!/bin/bash
# Whole-process time and peak RSS of extracting every message's headers and text from
# big.mbox (20k messages, 131 MB) and the eml/ folder (2,000 files) of ../shared/bench:
# `quire extract --format text` against GMime 3 (C, ../shared/bench/peers/gmime_extract.c)
# and Python's email + mailbox (peers/mail_python.py), in one run.
#
#   Benchmarks/run_mail.sh [RUNS]
#
# Needs: hyperfine, GNU time, gcc, pkg-config, libgmime-3.0-dev (apt-get install ...)
# Writes Benchmarks/results/mail-<date>.md and the raw hyperfine JSON beside it.
set -euo pipefail
. "$(dirname "$0")/common.sh"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${1:-5}"
SHARED="$ROOT/../shared/bench"
WORK="$ROOT/Benchmarks/data"
OUT="$ROOT/Benchmarks/results"
mkdir -p "$WORK" "$OUT"
if [ ! -s "$WORK/big.mbox" ] || [ ! -d "$WORK/eml" ]; then
    rm -rf "$WORK/bench" && cp -r "$SHARED" "$WORK/bench"
    python3 "$WORK/bench/make_workloads.py" --out "$WORK" --only mail
fi
if [ ! -x "$WORK/gmime_extract" ]; then
    gcc -O2 "$SHARED/peers/gmime_extract.c" -o "$WORK/gmime_extract" $(pkg-config --cflags --libs gmime-3.0)
fi
(cd "$ROOT" && swift build -c release --product quire >/dev/null)
QUIRE="$ROOT/.build/release/quire"
P="$SHARED/peers"
stamp="$(date +%Y-%m-%d)"
report="$OUT/mail-$stamp.md"
: > "$report"
for load in mbox eml; do
    if [ "$load" = mbox ]; then INPUT="$WORK/big.mbox"; else INPUT="$WORK/eml"; fi
    names=(quire gmime python-email)
    cmds=(
        "$QUIRE extract --format text -o /dev/null $INPUT"
        "$WORK/gmime_extract $load $INPUT"
        "python3 $P/mail_python.py $load $INPUT"
    )
    hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$OUT/mail-$load-$stamp.json" \
        -n quire "${cmds[0]}" -n gmime "${cmds[1]}"
    hyperfine -N --runs 1 --export-json "$OUT/mail-$load-python-$stamp.json" -n python-email "${cmds[2]}"
    {
        echo "### $load"
        echo
        report_table "$OUT" "$OUT"/mail-$load-*$stamp.json
        echo
    } | tee -a "$report"
done
echo "written: $report"
