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
rss() { /usr/bin/time -f "%M" sh -c "$1 >/dev/null 2>&1" 2>&1 | tail -1; }
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
        echo "| tool | mean wall (s) | min (s) | peak RSS (MB) | quire is … faster |"
        echo "|---|---|---|---|---|"
        python3 - "$OUT"/mail-$load-*$stamp.json <<'PY' > "$OUT/.times"
import json, sys
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        print(f'{r["command"]}\t{r["mean"]}\t{r["min"]}')
PY
        quire_mean=$(awk -F'\t' '$1=="quire"{print $2}' "$OUT/.times")
        for i in "${!names[@]}"; do
            line=$(awk -F'\t' -v n="${names[$i]}" '$1==n' "$OUT/.times")
            [ -z "$line" ] && continue
            mean=$(echo "$line" | cut -f2); low=$(echo "$line" | cut -f3)
            mb=$(( $(rss "${cmds[$i]}") / 1024 ))
            ratio=$(python3 -c "print(f'{$mean/$quire_mean:.2f}×')")
            printf '| %s | %.3f | %.3f | %s | %s |\n' "${names[$i]}" "$mean" "$low" "$mb" "$ratio"
        done
        echo
    } | tee -a "$report"
done
echo "written: $report"
