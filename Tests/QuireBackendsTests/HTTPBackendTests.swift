import Foundation
import QuireBackends
import QuireLLM
import QuireTestServer
import Testing

/// Each backend against a real HTTP server on 127.0.0.1 that speaks its provider's format.
struct HTTPBackendTests {
    static let request = ChatRequest(system: "Be brief.", messages: [.user("Hello?")], maxOutputTokens: 50)

    static func sse(_ events: [(String?, String)], delay: Double = 0) -> [(delay: Double, bytes: [UInt8])] {
        events.map { event in
            var text = ""
            if let name = event.0 { text += "event: \(name)\n" }
            text += "data: \(event.1)\n\n"
            return (delay, Array(text.utf8))
        }
    }

    static func with<T>(_ reply: @escaping @Sendable (TestHTTPServer.Received) -> TestHTTPServer.Reply, _ body: (TestHTTPServer) async throws -> T) async throws
        -> T
    {
        try await TestHTTPServer.serving(reply, body)
    }

    // Timeouts far above what a passing test needs: the suite runs in parallel on two cores,
    // and a starved event loop must not look like a silent server.
    static func backend(_ kind: BackendConfig.Kind, _ server: TestHTTPServer, key: String? = "sk-test", readTimeout: Double = 20, maxBytes: Int = 1 << 20)
        -> HTTPChatBackend
    {
        HTTPChatBackend(
            config: BackendConfig(
                name: kind.rawValue, kind: kind, model: "m-1", baseURL: kind == .anthropic || kind == .ollama ? server.baseURL : server.baseURL + "/v1",
                apiKey: key, headers: ["X-Extra": "1"], readTimeout: readTimeout, totalTimeout: 30, maxResponseBytes: maxBytes))
    }

    static func events(_ backend: HTTPChatBackend, _ request: ChatRequest = request) async -> (events: [ChatEvent], error: LLMError?) {
        var events: [ChatEvent] = []
        do {
            for try await event in backend.stream(request) { events.append(event) }
            return (events, nil)
        } catch {
            return (events, error as? LLMError)
        }
    }

    @Test("OpenAI: the request on the wire, a streamed answer with usage, then [DONE]")
    func openai() async throws {
        try await Self.with({ _ in
            TestHTTPServer.Reply(
                headers: [("Content-Type", "text/event-stream")],
                chunks: Self.sse(
                    [
                        (nil, #"{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}"#),
                        (nil, #"{"choices":[{"index":0,"delta":{"content":" there"},"finish_reason":"stop"}]}"#),
                        (nil, #"{"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2}}"#),
                        (nil, "[DONE]"),
                    ], delay: 0.01))
        }) { server in
            let backend = Self.backend(.openai, server)
            let (events, error) = await Self.events(backend)
            try await backend.shutdown()
            #expect(error == nil)
            #expect(events == [.text("Hi"), .text(" there"), .usage(Usage(inputTokens: 9, outputTokens: 2)), .stop(.endTurn)])
            let received = try #require(server.received.first)
            #expect(received.method == "POST" && received.uri == "/v1/chat/completions")
            #expect(received.header("Authorization") == "Bearer sk-test")
            #expect(received.header("Content-Type") == "application/json")
            #expect(received.header("X-Extra") == "1")
            let body = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any])
            #expect(body["model"] as? String == "m-1" && body["stream"] as? Bool == true && body["max_completion_tokens"] as? Int == 50)
            #expect((body["stream_options"] as? [String: Bool]) == ["include_usage": true])
        }
    }

    @Test("Anthropic: x-api-key and anthropic-version, the streamed events, non-streamed too")
    func anthropic() async throws {
        try await Self.with({ received in
            if received.bodyText.contains("\"stream\":true") {
                return TestHTTPServer.Reply(
                    headers: [("Content-Type", "text/event-stream")],
                    chunks: Self.sse([
                        ("message_start", #"{"type":"message_start","message":{"usage":{"input_tokens":12,"output_tokens":1}}}"#),
                        ("ping", #"{"type":"ping"}"#),
                        ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Yes."}}"#),
                        ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":4}}"#),
                        ("message_stop", #"{"type":"message_stop"}"#),
                    ]))
            }
            return .body(#"{"content":[{"type":"text","text":"Whole."}],"stop_reason":"max_tokens","usage":{"input_tokens":3,"output_tokens":50}}"#)
        }) { server in
            let backend = Self.backend(.anthropic, server)
            let (events, error) = await Self.events(backend)
            #expect(error == nil)
            #expect(events == [.text("Yes."), .usage(Usage(inputTokens: 12, outputTokens: 4)), .stop(.endTurn)])
            var whole = Self.request
            whole.stream = false
            let answer = try await backend.complete(whole)
            try await backend.shutdown()
            #expect(answer == ChatResponse(text: "Whole.", usage: Usage(inputTokens: 3, outputTokens: 50), stopReason: .maxTokens))
            let received = try #require(server.received.first)
            #expect(received.uri == "/v1/messages")
            #expect(received.header("x-api-key") == "sk-test" && received.header("anthropic-version") == "2023-06-01")
            #expect(received.header("Authorization") == nil)
            let body = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any])
            #expect(body["system"] as? String == "Be brief." && body["max_tokens"] as? Int == 50)
        }
    }

    @Test("Ollama: /api/chat with NDJSON lines")
    func ollama() async throws {
        try await Self.with({ _ in
            TestHTTPServer.Reply(
                headers: [("Content-Type", "application/x-ndjson")],
                chunks: [
                    (0, Array(#"{"message":{"role":"assistant","content":"O"},"done":false}"#.utf8 + [0x0A])),
                    (
                        0.01,
                        Array(
                            #"{"message":{"role":"assistant","content":"k"},"done":false}"#.utf8 + [0x0A]
                                + #"{"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":2}"#.utf8
                                + [0x0A])
                    ),
                ])
        }) { server in
            let backend = Self.backend(.ollama, server, key: nil)
            let (events, error) = await Self.events(backend)
            try await backend.shutdown()
            #expect(error == nil)
            #expect(events == [.text("O"), .text("k"), .usage(Usage(inputTokens: 5, outputTokens: 2)), .stop(.endTurn)])
            #expect(server.received.first?.uri == "/api/chat")
        }
    }

    @Test("Azure OpenAI: the deployment in the path, api-version, the api-key header")
    func azure() async throws {
        try await Self.with({ _ in .body(#"{"choices":[{"message":{"content":"A"},"finish_reason":"stop"}]}"#) }) { server in
            let backend = HTTPChatBackend(
                config: BackendConfig(name: "az", kind: .azureOpenAI, model: "gpt-dep", baseURL: server.baseURL, apiKey: "az-key", apiVersion: "2024-10-21"))
            var request = Self.request
            request.stream = false
            let answer = try await backend.complete(request)
            try await backend.shutdown()
            #expect(answer.text == "A")
            let received = try #require(server.received.first)
            #expect(received.uri == "/openai/deployments/gpt-dep/chat/completions?api-version=2024-10-21")
            #expect(received.header("api-key") == "az-key" && received.header("Authorization") == nil)
        }
    }

    @Test(
        "error statuses become classified errors",
        arguments: [
            (401, #"{"error":{"message":"Incorrect API key provided"}}"#, [(String, String)](), LLMError.Code.authentication),
            (429, #"{"error":{"message":"Rate limit"}}"#, [("Retry-After", "3")], .rateLimited),
            (529, #"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#, [], .overloaded),
            (500, "oops", [], .server),
            (400, #"{"error":{"message":"maximum context length is 8192 tokens"}}"#, [], .contextLengthExceeded),
        ])
    func statuses(_ status: Int, _ body: String, _ headers: [(String, String)], _ code: LLMError.Code) async throws {
        try await Self.with({ _ in
            TestHTTPServer.Reply(status: status, headers: headers + [("Content-Type", "application/json")], chunks: [(0, Array(body.utf8))])
        }) { server in
            let backend = Self.backend(.openai, server)
            let (events, error) = await Self.events(backend)
            try await backend.shutdown()
            #expect(events.isEmpty)
            #expect(error?.code == code)
            #expect(error?.status == status)
            if status == 429 { #expect(error?.retryAfter == 3) }
        }
    }

    @Test("a provider error body that echoes the key, a secret header or URL credentials: the message says [redacted]")
    func redactsSecrets() async throws {
        let key = "sk-live-0123456789abcdef"
        let body = #"{"error":{"message":"Incorrect API key provided: sk-live-0123456789abcdef; token tok-9876543210 from alice:pw-31337"}}"#
        try await Self.with({ _ in TestHTTPServer.Reply(status: 401, headers: [("Content-Type", "application/json")], chunks: [(0, Array(body.utf8))]) }) {
            server in
            let config = BackendConfig(
                name: "openai", kind: .openai, model: "m-1", baseURL: server.baseURL.replacingOccurrences(of: "://", with: "://alice:pw-31337@") + "/v1",
                apiKey: key, headers: ["X-Session-Token": "tok-9876543210"], readTimeout: 5, totalTimeout: 10)
            let backend = HTTPChatBackend(config: config)
            let (_, error) = await Self.events(backend)
            let message = try #require(error?.message)
            #expect(error?.code == .authentication)
            #expect(!message.contains(key) && !message.contains("tok-9876543210") && !message.contains("pw-31337"), "\(message)")
            #expect(message.contains("Incorrect API key provided: [redacted]"), "\(message)")
        }
    }

    @Test("a server that drips an event now and then never trips the silence timeout, but the total timeout stops it")
    func drippingServer() async throws {
        let drip = Array("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n".utf8)
        try await Self.with({ _ in
            TestHTTPServer.Reply(headers: [("Content-Type", "text/event-stream")], chunks: (0..<120).map { _ in (0.3, drip) })
        }) { server in
            // A drip every 0.3 s against a 6 s silence limit: only the 12 s total can stop it.
            let config = BackendConfig(
                name: "openai", kind: .openai, model: "m-1", baseURL: server.baseURL + "/v1", apiKey: "sk-test", readTimeout: 6, totalTimeout: 12)
            let (events, error) = await Self.events(HTTPChatBackend(config: config))
            #expect(error?.code == .timeout)
            #expect(error?.message.contains("total timeout of 12 s") == true, "\(error?.message ?? "")")
            // Some text arrived before the stop, and far from all of it (margins wide enough
            // for a loaded two-core machine, where the whole suite runs at once, or a
            // sanitised build).
            let text = events.compactMap { if case .text(let t) = $0 { t } else { nil } }.joined()
            #expect(!text.isEmpty && text.count < 120)
        }
    }

    @Test("a stream cut mid-event, malformed JSON, a slow first byte, an oversized body")
    func broken() async throws {
        // Cut: the connection closes inside an event.
        try await Self.with({ _ in
            TestHTTPServer.Reply(
                headers: [("Content-Type", "text/event-stream")],
                chunks: [
                    (
                        0,
                        Array(
                            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":1}}}\n\ndata: {\"type\":\"content_bl"
                                .utf8)
                    )
                ], cutOff: true)
        }) { server in
            let backend = Self.backend(.anthropic, server)
            let (_, error) = await Self.events(backend)
            try await backend.shutdown()
            #expect(error?.code == .malformedResponse)
        }
        // Malformed JSON in a stream.
        try await Self.with({ _ in TestHTTPServer.Reply(chunks: Self.sse([(nil, "{nope")])) }) { server in
            let backend = Self.backend(.openai, server)
            let (_, error) = await Self.events(backend)
            try await backend.shutdown()
            #expect(error?.code == .malformedResponse)
        }
        // Slow first byte: the read timeout.
        try await Self.with({ _ in TestHTTPServer.Reply(chunks: [(1.5, Array("data: [DONE]\n\n".utf8))]) }) { server in
            let backend = Self.backend(.openai, server, readTimeout: 0.3)
            let (_, error) = await Self.events(backend)
            try await backend.shutdown()
            #expect(error?.code == .timeout)
            #expect(error?.message == "the server sent nothing for 0.3 s (read_timeout); stopped.", "\(error?.message ?? "")")
        }
        // An answer bigger than allowed.
        try await Self.with({ _ in .body(String(repeating: "x", count: 5000)) }) { server in
            let backend = Self.backend(.openai, server, maxBytes: 1000)
            var request = Self.request
            request.stream = false
            let (_, error) = await Self.events(backend, request)
            try await backend.shutdown()
            #expect(error?.code == .malformedResponse)
            #expect(error?.message.contains("larger than 1000 bytes") == true)
        }
    }
}
