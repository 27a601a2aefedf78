import Foundation
import Testing

@testable import QuireLLM

func object(_ bytes: [UInt8]) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:]
}

struct SSEDecoderTests {
    static let stream = Array(
        "\u{FEFF}: keep-alive comment\r\nevent: message_start\r\ndata: {\"a\":1}\r\n\r\ndata: line one\ndata: line two\n\nid: 7\rdata: cr only\r\r".utf8)

    @Test("events are the same however the bytes are cut; CR LF, LF and CR all end lines")
    func chunking() throws {
        let expected = [
            SSEEvent(event: "message_start", data: "{\"a\":1}"), SSEEvent(data: "line one\nline two"), SSEEvent(data: "cr only", id: "7"),
        ]
        for size in [1, 2, 3, 7, Self.stream.count] {
            var decoder = SSEDecoder()
            var events: [SSEEvent] = []
            var offset = 0
            while offset < Self.stream.count {
                events += try decoder.feed(Self.stream[offset..<min(offset + size, Self.stream.count)])
                offset += size
            }
            #expect(events == expected, "chunk \(size)")
            #expect(!decoder.hasPartialEvent)
        }
    }

    @Test("an event is handed out at its blank line, a cut event is seen as partial, long lines are refused")
    func partial() throws {
        var decoder = SSEDecoder(maxLineBytes: 64)
        #expect(try decoder.feed(Array("data: {\"x\":".utf8)).isEmpty)
        #expect(decoder.hasPartialEvent)
        #expect(try decoder.feed(Array("1}\n".utf8)).isEmpty)
        #expect(try decoder.feed(Array("\n".utf8)) == [SSEEvent(data: "{\"x\":1}")])
        #expect(throws: SSEDecoder.LineTooLong.self) { _ = try decoder.feed(Array(repeating: UInt8(ascii: "a"), count: 100)) }
    }

    @Test("NDJSON lines across chunks, CRLF, blank lines skipped, the last line without newline")
    func ndjson() throws {
        var decoder = NDJSONDecoder()
        var lines = try decoder.feed(Array("{\"a\":1}\r\n\n{\"b\"".utf8))
        lines += try decoder.feed(Array(":2}\n{\"c\":3}".utf8))
        #expect(lines.map { String(decoding: $0, as: UTF8.self) } == ["{\"a\":1}", "{\"b\":2}"])
        #expect(decoder.finish().map { String(decoding: $0, as: UTF8.self) } == "{\"c\":3}")
    }
}

struct OpenAIWireTests {
    static let request = ChatRequest(
        system: "You summarise.", messages: [.user("Text")], maxOutputTokens: 300, temperature: 0.2, stop: ["END"], responseFormat: .json)

    @Test("the request body: system first, max_completion_tokens (max_tokens for compatible servers), stream options")
    func body() {
        let body = object(OpenAIWire.body(Self.request, model: "gpt-x", stream: true))
        #expect(body["model"] as? String == "gpt-x")
        #expect((body["messages"] as? [[String: String]]) == [["role": "system", "content": "You summarise."], ["role": "user", "content": "Text"]])
        #expect(body["max_completion_tokens"] as? Int == 300 && body["max_tokens"] == nil)
        #expect(body["temperature"] as? Double == 0.2)
        #expect(body["stop"] as? [String] == ["END"])
        #expect((body["response_format"] as? [String: String]) == ["type": "json_object"])
        #expect(body["stream"] as? Bool == true)
        #expect((body["stream_options"] as? [String: Bool]) == ["include_usage": true])
        let compatible = object(OpenAIWire.body(Self.request, model: "llama", stream: false, maxTokensField: "max_tokens"))
        #expect(compatible["max_tokens"] as? Int == 300 && compatible["stream"] == nil)
    }

    @Test("a streamed answer: deltas, the finish reason, the usage chunk, [DONE]")
    func stream() throws {
        let chunks = [
            #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}"#,
            #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}],"usage":null}"#,
            #"{"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"length"}],"usage":null}"#,
            #"{"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":8}}}"#,
            "[DONE]",
        ]
        var state = OpenAIWire.StreamState(backend: "gpt")
        var events: [ChatEvent] = []
        for chunk in chunks { events += try state.events(SSEEvent(data: chunk)) }
        #expect(events == [.text("Hello"), .usage(Usage(inputTokens: 12, outputTokens: 3, cachedInputTokens: 8)), .stop(.maxTokens)])
        #expect(state.done)
        #expect(throws: LLMError.self) { _ = try state.events(SSEEvent(data: "{not json")) }
    }

    @Test("errors are classified from the status and the body")
    func errors() {
        let body = Array(#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#.utf8)
        let limited = OpenAIWire.error(status: 429, body: body, retryAfter: "7", backend: "gpt")
        #expect(limited.code == .rateLimited && limited.retryAfter == 7 && limited.isRetryable && limited.message == "Rate limit reached")
        let quota = OpenAIWire.error(
            status: 429, body: Array(#"{"error":{"message":"You exceeded your current quota","code":"insufficient_quota"}}"#.utf8), retryAfter: nil,
            backend: "gpt")
        #expect(quota.code == .authentication && !quota.isRetryable && quota.allowsFallback)
        let context = OpenAIWire.error(
            status: 400, body: Array(#"{"error":{"message":"This model's maximum context length is 8192 tokens","code":"context_length_exceeded"}}"#.utf8),
            retryAfter: nil, backend: "gpt")
        #expect(context.code == .contextLengthExceeded)
        let bad = OpenAIWire.error(status: 400, body: Array(#"{"error":{"message":"Invalid value for 'temperature'"}}"#.utf8), retryAfter: nil, backend: "gpt")
        #expect(bad.code == .badRequest && !bad.allowsFallback)
        #expect(OpenAIWire.error(status: 401, body: [], retryAfter: nil, backend: "gpt").code == .authentication)
        #expect(OpenAIWire.error(status: 503, body: Array("<html>".utf8), retryAfter: nil, backend: "gpt").code == .overloaded)
        #expect(OpenAIWire.error(status: 502, body: [], retryAfter: nil, backend: "gpt").code == .server)
    }

    @Test("a non-streamed response")
    func response() throws {
        let body = Array(
            #"{"choices":[{"index":0,"message":{"role":"assistant","content":"Hi."},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":2}}"#
                .utf8)
        #expect(try OpenAIWire.response(body, backend: "gpt") == ChatResponse(text: "Hi.", usage: Usage(inputTokens: 5, outputTokens: 2), stopReason: .endTurn))
        #expect(throws: LLMError.self) { _ = try OpenAIWire.response(Array("[]".utf8), backend: "gpt") }
    }
}

struct AnthropicWireTests {
    @Test("the request body: required max_tokens, top-level system, stop_sequences")
    func body() {
        let request = ChatRequest(system: "Be brief.", messages: [.user("Q"), .assistant("A"), .user("Q2")], stop: ["###"])
        let body = object(AnthropicWire.body(request, model: "claude-x", stream: true))
        #expect(body["model"] as? String == "claude-x")
        #expect(body["max_tokens"] as? Int == 4096)
        #expect(body["system"] as? String == "Be brief.")
        #expect((body["messages"] as? [[String: String]])?.map { $0["role"]! } == ["user", "assistant", "user"])
        #expect(body["stop_sequences"] as? [String] == ["###"])
        #expect(body["stream"] as? Bool == true)
    }

    @Test("a streamed answer: input usage at the start, output usage and stop reason at the end")
    func stream() throws {
        let events: [(String, String)] = [
            (
                "message_start",
                #"{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"claude-x","stop_reason":null,"usage":{"input_tokens":25,"cache_read_input_tokens":10,"output_tokens":1}}}"#
            ),
            ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            ("ping", #"{"type":"ping"}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}"#),
            ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}"#),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}"#),
            ("message_stop", #"{"type":"message_stop"}"#),
        ]
        var state = AnthropicWire.StreamState(backend: "claude")
        var out: [ChatEvent] = []
        for (name, data) in events { out += try state.events(SSEEvent(event: name, data: data)) }
        #expect(out == [.text("Hello"), .text(" there"), .usage(Usage(inputTokens: 35, outputTokens: 15, cachedInputTokens: 10)), .stop(.endTurn)])
        #expect(state.done)
        let error = #expect(throws: LLMError.self) {
            _ = try state.events(SSEEvent(event: "error", data: #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#))
        }
        #expect(error?.code == .overloaded)
    }

    @Test("errors: 529 overloaded, 401, a prompt that is too long, 400 invalid request")
    func errors() {
        #expect(
            AnthropicWire.error(
                status: 529, body: Array(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#.utf8), retryAfter: nil, backend: "c"
            ).code == .overloaded)
        #expect(
            AnthropicWire.error(
                status: 401, body: Array(#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#.utf8), retryAfter: nil,
                backend: "c"
            ).code == .authentication)
        #expect(
            AnthropicWire.error(
                status: 400,
                body: Array(#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}"#.utf8),
                retryAfter: nil, backend: "c"
            ).code == .contextLengthExceeded)
        let bad = AnthropicWire.error(
            status: 400, body: Array(#"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}"#.utf8),
            retryAfter: nil, backend: "c")
        #expect(bad.code == .badRequest && bad.message == "max_tokens: Field required")
        #expect(AnthropicWire.error(status: 429, body: [], retryAfter: "12", backend: "c").retryAfter == 12)
    }
}

struct OllamaWireTests {
    @Test("the request body and a streamed answer")
    func ollama() throws {
        let request = ChatRequest(system: "S", messages: [.user("U")], maxOutputTokens: 50, temperature: 0, responseFormat: .json)
        let body = object(OllamaWire.body(request, model: "llama3.2", stream: true))
        #expect((body["messages"] as? [[String: String]])?.first == ["role": "system", "content": "S"])
        #expect((body["options"] as? [String: Any])?["num_predict"] as? Int == 50)
        #expect(body["format"] as? String == "json")
        #expect(body["stream"] as? Bool == true)
        let first = try OllamaWire.events(
            Array(#"{"model":"llama3.2","created_at":"2024-01-01T00:00:00Z","message":{"role":"assistant","content":"Hi"},"done":false}"#.utf8), backend: "o")
        #expect(first.events == [.text("Hi")] && !first.done)
        let last = try OllamaWire.events(
            Array(
                #"{"model":"llama3.2","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":26,"eval_count":290}"#
                    .utf8), backend: "o")
        #expect(last.events == [.usage(Usage(inputTokens: 26, outputTokens: 290)), .stop(.endTurn)] && last.done)
        let missing = OllamaWire.error(status: 404, body: Array(#"{"error":"model 'nope' not found, try pulling it first"}"#.utf8), backend: "o")
        #expect(missing.code == .unsupported && missing.allowsFallback)
    }
}

struct ChatBackendTests {
    struct Scripted: ChatBackend {
        let name = "scripted"
        let capabilities = BackendCapabilities(contextWindow: 1000, maxOutputTokens: 100)
        let events: [ChatEvent]
        func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error> {
            AsyncThrowingStream { continuation in
                for event in events { continuation.yield(event) }
                continuation.finish()
            }
        }
    }

    @Test("complete() gathers text, usage and the stop reason")
    func collect() async throws {
        let backend = Scripted(events: [.text("a"), .text("b"), .usage(Usage(inputTokens: 3, outputTokens: 2)), .stop(.endTurn)])
        #expect(
            try await backend.complete(ChatRequest(messages: [.user("x")]))
                == ChatResponse(text: "ab", usage: Usage(inputTokens: 3, outputTokens: 2), stopReason: .endTurn))
    }
}

struct RetryAfterTests {
    @Test("Retry-After as seconds or as an HTTP date")
    func parse() {
        #expect(retryAfterSeconds("12") == 12)
        #expect(retryAfterSeconds("-3") == nil && retryAfterSeconds("soon") == nil && retryAfterSeconds(nil) == nil)
        let now = Date(timeIntervalSince1970: 1_445_412_450)  // Wed, 21 Oct 2015 07:27:30 GMT
        #expect(retryAfterSeconds("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == 30)
        #expect(retryAfterSeconds("Wed, 21 Oct 2015 07:00:00 GMT", now: now) == 0)
    }
}

struct JSONBodyTests {
    @Test("request bodies: every string escaped as JSON wants, keys sorted, slashes and non-ASCII as they are, numbers and booleans exact")
    func encoding() throws {
        let tricky = "quote \" backslash \\ newline \n tab \t cr \r bell \u{07} nul \u{0} del \u{7F} slash / é 漢字 🙂 </quire-content-x>"
        let body = JSON.encode([
            "z": tricky, "a": 1, "m": ["x", 2.5, true, false, NSNull()] as [Any], "temperature": 0.7, "whole": 2.0,
            "nested": ["k": "v"] as [String: Any], "schema": JSON.Raw(text: #"{"type":"object","required":["a"]}"#),
        ])
        let text = String(decoding: body, as: UTF8.self)
        #expect(
            text.hasPrefix(
                #"{"a":1,"m":["x",2.5,true,false,null],"nested":{"k":"v"},"schema":{"type":"object","required":["a"]},"temperature":0.7,"whole":2,"z":"#))
        #expect(text.contains(#"slash / é 漢字 🙂"#))
        #expect(text.contains(#"bell \u0007 nul \u0000 del \#u{7F}"#))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(parsed["z"] as? String == tricky)
        #expect(parsed["temperature"] as? Double == 0.7)
    }
}

struct ModelParameterTests {
    static let request = ChatRequest(system: "S", messages: [.user("U")], maxOutputTokens: 500, temperature: 0.3, stream: false)

    static func object(_ bytes: [UInt8]) -> [String: Any] { (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:] }

    @Test("OpenAI reasoning models get no temperature and room for their reasoning; other models are sent as asked")
    func openAIReasoning() {
        let gpt5 = Self.object(OpenAIWire.body(Self.request, model: "gpt-5-mini", stream: false))
        #expect(gpt5["temperature"] == nil)
        #expect(gpt5["max_completion_tokens"] as? Int == 8_500)
        let o3 = Self.object(OpenAIWire.body(Self.request, model: "o3", stream: false, reasoningAllowance: 2_000))
        #expect(o3["temperature"] == nil && o3["max_completion_tokens"] as? Int == 2_500)
        for model in ["gpt-4o", "gpt-5-chat-latest"] {
            let plain = Self.object(OpenAIWire.body(Self.request, model: model, stream: false))
            #expect(plain["temperature"] as? Double == 0.3 && plain["max_completion_tokens"] as? Int == 500, "\(model)")
        }
        // A compatible server's field: no reasoning allowance guessed from a name.
        let compatible = Self.object(OpenAIWire.body(Self.request, model: "gpt-5", stream: false, maxTokensField: "max_tokens"))
        #expect(compatible["max_tokens"] as? Int == 500)
    }

    @Test("Anthropic extended thinking: the budget, max_tokens above it, no temperature")
    func anthropicThinking() {
        let body = Self.object(AnthropicWire.body(Self.request, model: "claude-x", stream: false, thinkingBudget: 4_096))
        #expect((body["thinking"] as? [String: Any])?["budget_tokens"] as? Int == 4_096)
        #expect((body["thinking"] as? [String: Any])?["type"] as? String == "enabled")
        #expect(body["max_tokens"] as? Int == 4_596)
        #expect(body["temperature"] == nil)
        let plain = Self.object(AnthropicWire.body(Self.request, model: "claude-x", stream: false))
        #expect(plain["thinking"] == nil && plain["max_tokens"] as? Int == 500 && plain["temperature"] as? Double == 0.3)
    }

    @Test("Ollama: num_ctx is the window the request was sized for; a prompt that filled it is an error, not an answer")
    func ollamaWindow() throws {
        let body = Self.object(OllamaWire.body(Self.request, model: "llama3.2", stream: false, contextWindow: 8_192))
        #expect((body["options"] as? [String: Any])?["num_ctx"] as? Int == 8_192)
        let cut = Array(#"{"message":{"role":"assistant","content":"Partial"},"done":true,"done_reason":"stop","prompt_eval_count":8150,"eval_count":20}"#.utf8)
        #expect(throws: LLMError.self) { _ = try OllamaWire.events(cut, backend: "local", contextWindow: 8_192) }
        let whole = Array(#"{"message":{"role":"assistant","content":"Fine"},"done":true,"done_reason":"stop","prompt_eval_count":3000,"eval_count":20}"#.utf8)
        let decoded = try OllamaWire.events(whole, backend: "local", contextWindow: 8_192)
        #expect(decoded.events.first == .text("Fine"))
    }
}
