#!/bin/bash
# Whole-process time and peak RSS of `quire extract --format csv` (all sheets) on big.xlsx and
# medium.xlsx against python-calamine, fastexcel and openpyxl from ../shared/bench, plus the
# floors (unzip -p; zlib + libxml2 SAX in C), in one run.
#
#   Benchmarks/run_xlsx.sh [RUNS]
#
# Needs: hyperfine, GNU time, gcc, pkg-config; pip install python-calamine fastexcel pyarrow openpyxl xlsxwriter
# Writes Benchmarks/results/xlsx-<date>.md and the raw hyperfine JSON beside it.
set -euo pipefail
. "$(dirname "$0")/common.sh"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${1:-5}"
SHARED="$ROOT/../shared/bench"
WORK="$ROOT/Benchmarks/data"
OUT="$ROOT/Benchmarks/results"
mkdir -p "$WORK" "$OUT"
if [ ! -s "$WORK/big.xlsx" ] || [ ! -s "$WORK/medium.xlsx" ]; then
    rm -rf "$WORK/bench" && cp -r "$SHARED" "$WORK/bench"
    python3 "$WORK/bench/make_workloads.py" --out "$WORK" --only xlsx
fi
if [ ! -x "$WORK/zip_sax" ]; then
    gcc -O2 "$SHARED/peers/zip_sax.c" -o "$WORK/zip_sax" $(pkg-config --cflags --libs libxml-2.0 zlib)
fi
(cd "$ROOT" && swift build -c release --product quire >/dev/null)
QUIRE="$ROOT/.build/release/quire"
P="$SHARED/peers"
stamp="$(date +%Y-%m-%d)"
report="$OUT/xlsx-$stamp.md"
: > "$report"
for size in big medium; do
    BOOK="$WORK/$size.xlsx"
    names=(quire fastexcel python-calamine openpyxl floor-unzip floor-zip_sax)
    cmds=(
        "$QUIRE extract --format csv -o /dev/null $BOOK"
        "python3 $P/xlsx_fastexcel.py $BOOK"
        "python3 $P/xlsx_calamine.py $BOOK"
        "python3 $P/xlsx_openpyxl.py $BOOK"
        "sh -c 'exec unzip -p $BOOK > /dev/null'"
        "$WORK/zip_sax $BOOK"
    )
    args=()
    for i in "${!names[@]}"; do
        [ "${names[$i]}" = openpyxl ] && [ "$size" = big ] && continue
        args+=(-n "${names[$i]}" "${cmds[$i]}")
    done
    hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$OUT/xlsx-$size-$stamp.json" "${args[@]}"
    if [ "$size" = big ]; then
        hyperfine -N --runs 1 --export-json "$OUT/xlsx-$size-openpyxl-$stamp.json" -n openpyxl "${cmds[3]}"
    fi
    {
        echo "### $size.xlsx"
        echo
        report_table "$OUT" "$OUT"/xlsx-$size-*$stamp.json
        echo
    } | tee -a "$report"
done
echo "written: $report"
