#!/bin/bash
# Builds the libFuzzer targets (AddressSanitizer on) and runs each for SECONDS, seeded from
# TestDocuments (and ../shared/corpus when it is beside the checkout). Fails on a crash, a
# leak, a timeout (> 10 s for one input) or an input that takes more than 2 GB; the input
# that did it is kept in Fuzz/crashes/.
#
#   Fuzz/run.sh [SECONDS=60] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH="${1:-60}"
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(fuzz-zip fuzz-xml fuzz-docx fuzz-review fuzz-xlsx fuzz-mail fuzz-mbox fuzz-msg fuzz-pst fuzz-numfmt fuzz-markdown fuzz-config fuzz-stream)
SCRATCH=../.build-fuzz
WORK="${FUZZ_WORK:-/tmp/quire-fuzz-corpus}"
mkdir -p crashes "$WORK"
DOCS=../TestDocuments
CORPUS=../../shared/corpus

seed() {  # target → its seed folder, filled once
    local dir="$WORK/$1"
    [ -d "$dir" ] && { echo "$dir"; return; }
    mkdir -p "$dir"
    case "$1" in
    fuzz-zip) cp $DOCS/*.docx $DOCS/*.xlsx "$dir"/ ;;
    fuzz-docx) cp $DOCS/*.docx "$dir"/; [ -d "$CORPUS" ] && find "$CORPUS" -name '*.docx' -size -200k | head -100 | xargs -r -I{} cp {} "$dir"/ ;;
    fuzz-xlsx) cp $DOCS/*.xlsx "$dir"/; [ -d "$CORPUS" ] && find "$CORPUS" -name '*.xlsx' -size -200k | head -100 | xargs -r -I{} cp {} "$dir"/ ;;
    fuzz-xml) for f in $DOCS/*.docx $DOCS/*.xlsx; do python3 -c "
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for n in z.namelist():
    if n.endswith('.xml'): open(sys.argv[2] + '/' + sys.argv[1].split('/')[-1] + '-' + n.replace('/', '_'), 'wb').write(z.read(n)[:65536])
" "$f" "$dir" 2>/dev/null || true; done ;;
    fuzz-review) for f in $DOCS/*.docx; do python3 -c "
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
open(sys.argv[2] + '/' + sys.argv[1].split('/')[-1] + '.xml', 'wb').write(z.read('word/document.xml')[:65536])
" "$f" "$dir" 2>/dev/null || true; done ;;
    fuzz-msg) cp $DOCS/outlook/*.msg $DOCS/outlook/*.cfb "$dir"/; [ -d "$CORPUS" ] && find "$CORPUS" -name '*.msg' -size -64k | head -50 | xargs -r -I{} cp {} "$dir"/ ;;
    fuzz-pst) for f in $DOCS/outlook/*.pst $DOCS/outlook/*.ost; do [ "$(stat -c %s "$f")" -le 200000 ] && cp "$f" "$dir"/; done ;;
    fuzz-mail | fuzz-mbox) cp $DOCS/mail/* "$dir"/; [ -d "$CORPUS" ] && find "$CORPUS" \( -name '*.eml' -o -name '*.mbox*' \) -size -100k | head -150 | xargs -r -I{} cp {} "$dir"/ ;;
    fuzz-numfmt) i=0; for code in '0.00' '#,##0' '0%' '0.00E+00' '# ?/?' '[h]:mm:ss' 'yyyy-mm-dd' '[Red]-0.0;0.0;"zero";@' '[>=100]"big";0' '#,##0,,"M"' 'mmm d, yyyy h:mm AM/PM' '0.000_);(0.000)'; do
            i=$((i + 1)); { printf '\x00\x00\x00\x00\x00\x4c\xcd\x40'; printf '%s' "$code"; } > "$dir/code$i"; done ;;
    fuzz-config)
        printf 'backends:\n  claude: { kind: anthropic, model: claude-sonnet-4-5, api_key_env: ANTHROPIC_API_KEY }\n  gpt: { kind: openai, model: gpt-5, api_key_env: OPENAI_API_KEY, input_price: 1.25, output_price: 10 }\n  local: { kind: ollama, model: llama3.2, base_url: "http://127.0.0.1:11434", context_window: 8192 }\ntasks:\n  summarise: { use: [claude, gpt, builtin], max_output_tokens: 800 }\n  draft: { use: gpt, temperature: 0.7 }\n  reply: [gpt, local]\naliases:\n  fast: local\n' > "$dir/full.yaml"
        printf 'backends:\n  a: &x { kind: openai-compatible, model: m, base_url: http://h/v1, headers: { X-Key: k }, connect_timeout: 5, read_timeout: 30, total_timeout: 120 }\n  b: *x\ntasks:\n  default: { use: [a, b] }\n  mine: { prompt: "Say {{content}}", system: s, use: a }\n' > "$dir/anchors.yaml" ;;
    fuzz-stream)
        printf '\x80data: {"choices":[{"delta":{"content":"Hel"}}]}\n\ndata: {"choices":[{"delta":{"content":"lo"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\ndata: [DONE]\n\n' > "$dir/openai.sse"
        printf '\x40event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":5}}}\n\nevent: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"Hi"}}\n\nevent: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n' > "$dir/anthropic.sse"
        printf '\x10{"message":{"content":"Hi"},"done":false}\n{"message":{"content":"!"},"done":true,"done_reason":"stop","prompt_eval_count":4,"eval_count":2}\n' > "$dir/ollama.ndjson" ;;
    fuzz-markdown) python3 -c "
import sys
text = open('../README.md', encoding='utf-8').read()
# The README in sections of at most 4 KiB: a whole README per input runs 30 times slower.
parts = ['## ' + p if k else p for k, p in enumerate(text.split('\\n## '))]
for k, part in enumerate(parts):
    open('%s/readme-%02d.md' % (sys.argv[1], k), 'w', encoding='utf-8').write(part.encode('utf-8')[:4096].decode('utf-8', 'ignore'))
" "$dir"; printf '# T\n\n| a | b |\n| --- | --- |\n| 1 | **2** |\n\n- x\n  1. y\n\n> q\n\n```\nc\n```\n' > "$dir/small.md" ;;
    esac
    echo "$dir"
}

failed=0
for target in "${TARGETS[@]}"; do
    # (Not `swift build | grep error && exit`: under pipefail a failed build would pass unseen.)
    if ! swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld --scratch-path "$SCRATCH" --product "$target" \
        >"$WORK/$target.build.log" 2>&1; then
        grep -E "error" "$WORK/$target.build.log" | head -20
        echo "$target: the build failed"
        exit 1
    fi
    corpus=$(seed "$target")
    log="$WORK/$target.log"
    # Inputs that once failed run first: each must now pass.
    if [ -d "regressions/$target" ]; then
        if ! "$SCRATCH/release/$target" regressions/"$target"/* >"$log" 2>&1; then
            failed=$((failed + 1))
            echo "$target: a regression input fails again — $(grep -m1 -E 'ERROR|Fatal error' "$log")"
            continue
        fi
    fi
    if "$SCRATCH/release/$target" "$corpus" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="crashes/$target-" -print_final_stats=1 >"$log" 2>&1; then
        echo "$target: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') runs in ${SECONDS_EACH} s, no failure"
    else
        failed=$((failed + 1))
        echo "$target: FAILED — $(grep -m1 -E 'ERROR|SUMMARY|Fatal error|crash' "$log")"
        grep -E "ERROR|#[0-9]+ .* in " "$log" | head -15
        # A Swift trap (an overflow, a precondition) prints the backtracer's frames instead.
        grep -A 14 -E "^Thread [0-9]+.* crashed:" "$log" | head -15 || true
        ls -1 crashes/"$target"-* 2>/dev/null | head -3 | sed 's/^/  kept: /' || true
    fi
done
[ "$failed" = 0 ]
