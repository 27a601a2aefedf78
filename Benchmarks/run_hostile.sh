#!/usr/bin/env bash
# Runs `quire extract` (Markdown and JSON) over every case of the hostile-input suite and
# prints, per case and format: exit status, wall seconds, peak RSS and the first stderr line.
# A case passes when it ends within the time limit, below the RSS ceiling, and either prints
# output with exit 0 or a one-line `quire: error:` naming the file (exit 3/4), never a signal.
#
#   swift build -c release --product quire
#   python3 scripts/make_hostile.py /tmp/quire-hostile
#   Benchmarks/run_hostile.sh [/tmp/quire-hostile] [seconds=10] [rss-ceiling-MB=256]
set -u
DIR=${1:-/tmp/quire-hostile}
LIMIT=${2:-10}
CEILING=${3:-256}
HERE=$(cd "$(dirname "$0")/.." && pwd)
QUIRE=${QUIRE:-$HERE/.build/release/quire}
fail=0
printf '%-34s %-8s %5s %8s %8s  %s\n' case format exit seconds RSS_MB "first stderr line"
for file in "$DIR"/*; do
  case "$file" in *.yaml) continue ;; esac
  for format in markdown json; do
    err=$(mktemp)
    # A 6 GB address-space cap keeps a runaway case from taking the machine.
    /usr/bin/time -f '%e %M' -o "$err.time" bash -c "ulimit -v 6291456; exec timeout -s KILL $LIMIT '$QUIRE' extract --format $format '$file'" >/dev/null 2>"$err"
    status=$?
    read -r secs rss_kb < <(tail -1 "$err.time")
    rss=$((rss_kb / 1024))
    line=$(grep -v '^Command' "$err" | head -1 | cut -c1-110)
    verdict=ok
    if [ "$status" -ge 128 ] || [ "$status" = 124 ] || [ "$rss" -gt "$CEILING" ]; then verdict=FAIL; fail=$((fail + 1)); fi
    if [ "$status" != 0 ] && ! grep -q '^quire: error:' "$err"; then verdict=FAIL; fail=$((fail + 1)); fi
    printf '%-34s %-8s %5s %8s %8s  %s %s\n' "$(basename "$file")" "$format" "$status" "$secs" "$rss" "$verdict" "$line"
    rm -f "$err" "$err.time"
  done
done
echo "failures: $fail"
[ "$fail" = 0 ]
