# Shared by the run_*.sh benchmark scripts (sourced, not run).

# Peak RSS in KB of a command line.
rss() { /usr/bin/time -f "%M" sh -c "$1 >/dev/null 2>&1" 2>&1 | tail -1; }

# report_table OUT_DIR JSON_FILE... — with the arrays `names` and `cmds` set, prints a
# Markdown table of every tool: mean and min wall time (from the hyperfine JSON files),
# peak RSS (one more run under GNU time) and how much faster Quire is.
report_table() {
    local out="$1"; shift
    echo "| tool | mean wall (s) | min (s) | peak RSS (MB) | quire is … faster |"
    echo "|---|---|---|---|---|"
    python3 - "$@" <<'PY' > "$out/.times"
import json, sys
for path in sys.argv[1:]:
    for r in json.load(open(path))["results"]:
        print(f'{r["command"]}\t{r["mean"]}\t{r["min"]}')
PY
    local quire_mean line mean low mb ratio
    quire_mean=$(awk -F'\t' '$1=="quire"{print $2}' "$out/.times")
    for i in "${!names[@]}"; do
        line=$(awk -F'\t' -v n="${names[$i]}" '$1==n' "$out/.times")
        [ -z "$line" ] && continue
        mean=$(echo "$line" | cut -f2); low=$(echo "$line" | cut -f3)
        mb=$(( $(rss "${cmds[$i]}") / 1024 ))
        ratio=$(python3 -c "print(f'{$mean/$quire_mean:.2f}×')")
        printf '| %s | %.3f | %.3f | %s | %s |\n' "${names[$i]}" "$mean" "$low" "$mb" "$ratio"
    done
}
