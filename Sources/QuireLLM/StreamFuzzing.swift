/// The streaming decoders as the fuzz targets (`Fuzz/`, a package of its own) reach them:
/// the decoders and wire formats are package API, and this one entry is public only under
/// the `Fuzzing` SPI, outside the documented interface.
@_spi(Fuzzing) public enum StreamFuzzing {
    /// Runs `bytes` through what a streamed answer goes through, as a server might send
    /// them in two pieces cut at `split`: the server-sent-events decoder into the OpenAI and
    /// Anthropic stream states, and the NDJSON decoder into Ollama's events. Errors are
    /// expected (a hostile stream is refused); a trap, a hang or unbounded growth is a bug.
    /// Returns how many events came out, so the work cannot be optimised away.
    public static func run(_ bytes: [UInt8], split: Int) -> Int {
        let cut = min(max(0, split), bytes.count)
        let pieces = [bytes[..<cut], bytes[cut...]]
        var count = 0
        var sse = SSEDecoder(maxLineBytes: 1 << 16)
        var openAI = OpenAIWire.StreamState(backend: "fuzz")
        var anthropic = AnthropicWire.StreamState(backend: "fuzz")
        do {
            for piece in pieces {
                for event in try sse.feed(piece) {
                    count += ((try? openAI.events(event)) ?? []).count
                    count += ((try? anthropic.events(event)) ?? []).count
                }
            }
            count += openAI.finish().count
        } catch {
            count += 1  // a line past the limit: refused
        }
        var lines = NDJSONDecoder(maxLineBytes: 1 << 16)
        do {
            for piece in pieces {
                for line in try lines.feed(piece) {
                    count += ((try? OllamaWire.events(line, backend: "fuzz", contextWindow: 8192))?.events ?? []).count
                }
            }
            if let last = lines.finish() {
                count += ((try? OllamaWire.events(last, backend: "fuzz"))?.events ?? []).count
            }
        } catch {
            count += 1
        }
        return count
    }
}
