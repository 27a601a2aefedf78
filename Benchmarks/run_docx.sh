#!/bin/bash
# Whole-process time and peak RSS of `quire extract --format markdown` on big.docx against the
# peers of ../shared/bench (python-docx, pandoc, markitdown, docx2txt) and the zlib+libxml2 floor,
# all in one run so the ratios compare like with like on a noisy machine.
#
#   Benchmarks/run_docx.sh [RUNS]
#
# Needs: hyperfine and GNU time (apt-get install hyperfine time pandoc gcc pkg-config),
#        pip install python-docx docx2txt 'markitdown[docx]' xlsxwriter
# Writes Benchmarks/results/docx-<date>.md (and the raw hyperfine JSON beside it).
set -euo pipefail
. "$(dirname "$0")/common.sh"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${1:-10}"
SHARED="$ROOT/../shared/bench"
WORK="$ROOT/Benchmarks/data"
OUT="$ROOT/Benchmarks/results"
mkdir -p "$WORK" "$OUT"

# The shared generator writes beside itself; run a copy so ../shared may stay read-only.
if [ ! -s "$WORK/big.docx" ]; then
    rm -rf "$WORK/bench" && cp -r "$SHARED" "$WORK/bench"
    python3 "$WORK/bench/make_workloads.py" --out "$WORK" --only docx
fi
if [ ! -x "$WORK/zip_sax" ]; then
    gcc -O2 "$SHARED/peers/zip_sax.c" -o "$WORK/zip_sax" $(pkg-config --cflags --libs libxml-2.0 zlib)
fi
(cd "$ROOT" && swift build -c release --product quire >/dev/null)
QUIRE="$ROOT/.build/release/quire"
DOC="$WORK/big.docx"
P="$SHARED/peers"

names=(quire python-docx docx2txt pandoc markitdown floor-zip_sax)
cmds=(
    "$QUIRE extract --format markdown -o /dev/null $DOC"
    "python3 $P/docx_pythondocx.py $DOC"
    "python3 $P/docx_docx2txt.py $DOC"
    "pandoc -f docx -t markdown -o /dev/null $DOC"
    "python3 $P/markitdown_convert.py $DOC"
    "$WORK/zip_sax $DOC"
)
stamp="$(date +%Y-%m-%d)"
report="$OUT/docx-$stamp.md"
# A peer that fails on the document is left out of the timing and named in the report
# (markitdown 0.1.9 with mammoth 1.13 says "Could not find the body element" on big.docx).
failed=()
fast=()
slow=()
for i in "${!names[@]}"; do
    if ! err=$(sh -c "${cmds[$i]} >/dev/null" 2>&1); then
        failed+=("${names[$i]}: $(echo "$err" | tail -1)")
        continue
    fi
    # pandoc and markitdown take ~30 s a run: fewer runs for them.
    case "${names[$i]}" in
        pandoc | markitdown) slow+=(-n "${names[$i]}" "${cmds[$i]}") ;;
        *) fast+=(-n "${names[$i]}" "${cmds[$i]}") ;;
    esac
done
jsons=("$OUT/docx-fast-$stamp.json")
hyperfine -N --warmup 1 --runs "$RUNS" --export-json "${jsons[0]}" "${fast[@]}"
if [ ${#slow[@]} -gt 0 ]; then
    jsons+=("$OUT/docx-slow-$stamp.json")
    hyperfine -N --warmup 0 --runs 2 --export-json "${jsons[1]}" "${slow[@]}"
fi

{
    echo "### big.docx; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    report_table "$OUT" "${jsons[@]}"
    for f in "${failed[@]}"; do echo; echo "Left out, failed on big.docx: $f"; done
    echo
} | tee -a "$report"
echo "written: $report"
