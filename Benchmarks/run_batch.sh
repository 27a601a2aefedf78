#!/bin/bash
# `quire batch` over big.mbox (20k messages) against a local OpenAI-compatible server that
# answers at once (quire-bench-server): items per second at --jobs 16, peak RSS for 2k and
# 20k items, the ledger's share of the time (--verbose), and --estimate's time.
#
#   Benchmarks/run_batch.sh [RUNS]
#
# Needs: GNU time, python3 (the workload generator of ../shared/bench).
# Writes Benchmarks/results/batch-<date>.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RUNS="${1:-3}"
SHARED="$ROOT/../shared/bench"
WORK="$ROOT/Benchmarks/data"
OUT="$ROOT/Benchmarks/results"
mkdir -p "$WORK" "$OUT"
if [ ! -s "$WORK/big.mbox" ]; then
    rm -rf "$WORK/bench" && cp -r "$SHARED" "$WORK/bench"
    python3 "$WORK/bench/make_workloads.py" --out "$WORK" --only mail
fi
(cd "$ROOT" && swift build -c release --product quire >/dev/null && swift build -c release --product quire-bench-server >/dev/null)
QUIRE="$ROOT/.build/release/quire"
RUN="$(mktemp -d)"
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$RUN"' EXIT
mkfifo "$RUN/hold"
"$ROOT/.build/release/quire-bench-server" < "$RUN/hold" > "$RUN/url" &
SERVER_PID=$!
exec 3> "$RUN/hold"
while [ ! -s "$RUN/url" ]; do sleep 0.1; done
cat > "$RUN/config.yaml" <<YAML
backends:
  local: { kind: openai-compatible, model: bench, base_url: $(cat "$RUN/url"), input_price: 0.15, output_price: 0.6 }
tasks:
  summarise: { use: [local] }
YAML
stamp="$(date +%Y-%m-%d)"
report="$OUT/batch-$stamp.md"
{
    echo "# quire batch — $(date -u '+%Y-%m-%d %H:%M UTC'), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    echo "| run | wall (s) | items/s | peak RSS (MB) | ledger share |"
    echo "|---|---|---|---|---|"
} > "$report"
one() {  # one LABEL ITEMS ARGS...
    local label="$1" items="$2"; shift 2
    rm -f "$RUN"/r.jsonl*
    /usr/bin/time -f "%e %M" -o "$RUN/time" "$QUIRE" batch "$WORK/big.mbox" --per message --task summarise --out "$RUN/r.jsonl" \
        --config "$RUN/config.yaml" --quiet --verbose "$@" 2> "$RUN/err"
    local wall rss share
    wall=$(cut -d' ' -f1 "$RUN/time"); rss=$(( $(cut -d' ' -f2 "$RUN/time") / 1024 ))
    share=$(grep -o 'the ledger took [0-9.]*%' "$RUN/err" | grep -o '[0-9.]*%' || echo "-")
    printf '| %s | %s | %s | %s | %s |\n' "$label" "$wall" "$(python3 -c "print(round($items/$wall))")" "$rss" "$share" >> "$report"
}
for i in $(seq "$RUNS"); do
    one "20,000 messages, --jobs 16" 20000 --jobs 16
done
one "2,000 messages (--limit), --jobs 16" 2000 --jobs 16 --limit 2000
rm -f "$RUN"/r.jsonl*
start=$(date +%s.%N)
"$QUIRE" batch "$WORK/big.mbox" --per message --task summarise --out "$RUN/r.jsonl" --config "$RUN/config.yaml" --estimate > /dev/null
echo >> "$report"
echo "--estimate over big.mbox: $(python3 -c "print(round($(date +%s.%N) - $start, 2))") s; load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$report"
cat "$report"
