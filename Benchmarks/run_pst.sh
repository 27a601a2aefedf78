#!/bin/bash
# Outlook archives: whole-process time and peak RSS of reading every message of a PST built
# from big.mbox's 20k messages COPIES times over (make_pst_fixtures.py --big; 6 copies make
# about 1 GB), against libpff (Benchmarks/pst_libpff.py) on the same file, and against
# Quire's own mbox path on an mbox of the same messages as many times over (big-COPIES.mbox,
# big.mbox repeated), for the time per message at the same scale, in one run.
#
#   Benchmarks/run_pst.sh [COPIES=8] [RUNS=3]
#
# Needs: hyperfine, GNU time, pip install libpff-python.
# Writes Benchmarks/results/pst-<date>.md and the raw hyperfine JSON beside it.
set -euo pipefail
. "$(dirname "$0")/common.sh"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
COPIES="${1:-8}"
RUNS="${2:-3}"
SHARED="$ROOT/../shared/bench"
WORK="$ROOT/Benchmarks/data"
OUT="$ROOT/Benchmarks/results"
mkdir -p "$WORK" "$OUT"
if [ ! -s "$WORK/big.mbox" ]; then
    rm -rf "$WORK/bench" && cp -r "$SHARED" "$WORK/bench"
    python3 "$WORK/bench/make_workloads.py" --out "$WORK" --only mail
fi
PST="$WORK/big-$COPIES.pst"
[ -s "$PST" ] || python3 "$ROOT/TestDocuments/make_pst_fixtures.py" --big "$COPIES" "$PST" "$WORK/big.mbox"
(cd "$ROOT" && swift build -c release --product quire >/dev/null)
QUIRE="$ROOT/.build/release/quire"
stamp="$(date +%Y-%m-%d)"
report="$OUT/pst-$stamp.md"
messages=$((20000 * COPIES))
names=(quire libpff)
cmds=("$QUIRE extract --format text -o /dev/null $PST" "python3 $ROOT/Benchmarks/pst_libpff.py $PST")
hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$OUT/pst-$stamp.json" -n quire "${cmds[0]}" -n libpff "${cmds[1]}"
MBOX="$WORK/big-$COPIES.mbox"
[ -s "$MBOX" ] || for _ in $(seq "$COPIES"); do cat "$WORK/big.mbox"; done >"$MBOX"
hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$OUT/pst-mbox-$stamp.json" -n quire-mbox "$QUIRE extract --format text -o /dev/null $MBOX"
{
    echo "### $(basename "$PST"): $messages messages, $(( $(stat -c %s "$PST") >> 20 )) MB; load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    report_table "$OUT" "$OUT/pst-$stamp.json"
    echo
    python3 - "$OUT/pst-$stamp.json" "$OUT/pst-mbox-$stamp.json" "$messages" <<'PY'
import json, sys
pst = next(r for r in json.load(open(sys.argv[1]))["results"] if r["command"] == "quire")
mbox = json.load(open(sys.argv[2]))["results"][0]
n = int(sys.argv[3])
print(f"Per message: PST {pst['mean'] / n * 1e6:.1f} µs, mbox {mbox['mean'] / n * 1e6:.1f} µs (the same {n:,} messages as an mbox, {mbox['mean']:.2f} s): {pst['mean'] / mbox['mean']:.2f}x.")
PY
} | tee -a "$report"
echo "written: $report"
