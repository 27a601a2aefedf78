public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
public import QuireLLM

/// A backend reached over HTTP with AsyncHTTPClient, speaking its provider's wire format.
/// Answers stream as they arrive: each SSE event or NDJSON line becomes events at once.
public final class HTTPChatBackend: ChatBackend {
    /// The backend's settings.
    public let config: BackendConfig
    private let client: HTTPClient

    public var name: String { config.name }
    public var capabilities: BackendCapabilities { config.capabilities }

    /// A backend for `config`, on the process's shared client for its timeouts.
    public convenience init(config: BackendConfig) {
        self.init(config: config, client: SharedHTTPClients.client(connect: config.connectTimeout, read: config.readTimeout))
    }

    /// A backend on the caller's own client (which the caller shuts down).
    public init(config: BackendConfig, client: HTTPClient) {
        self.config = config
        self.client = client
    }

    /// Nothing to close: the client is shared, or the caller's. Kept so that callers written
    /// for clients of their own need no change.
    public func shutdown() async throws {}

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.run(request) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    // The one way out for errors: no secret leaves in a message.
                    var classified = self.classify(error)
                    classified.message = self.config.redacting(classified.message)
                    continuation.finish(throwing: classified)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The URL, headers and body of a request, as the provider documents them.
    public func wireRequest(_ request: ChatRequest) -> (url: String, headers: [(String, String)], body: [UInt8]) {
        let base = config.resolvedBaseURL
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        let stream = request.stream && config.capabilities.streaming
        let url: String
        let body: [UInt8]
        switch config.kind {
        case .openai, .openaiCompatible:
            url = base + "/chat/completions"
            if let key = config.apiKey { headers.append(("Authorization", "Bearer " + key)) }
            body = OpenAIWire.body(
                request, model: config.model, stream: stream, maxTokensField: config.kind == .openai ? "max_completion_tokens" : "max_tokens",
                reasoningAllowance: config.reasoningAllowance)
        case .azureOpenAI:
            url = base + "/openai/deployments/\(config.model)/chat/completions?api-version=\(config.apiVersion ?? "2024-10-21")"
            if let key = config.apiKey { headers.append(("api-key", key)) }
            body = OpenAIWire.body(request, model: config.model, stream: stream, maxTokensField: "max_tokens")
        case .anthropic:
            url = base + "/v1/messages"
            if let key = config.apiKey { headers.append(("x-api-key", key)) }
            headers.append(("anthropic-version", AnthropicWire.version))
            body = AnthropicWire.body(
                request, model: config.model, stream: stream, defaultMaxTokens: config.capabilities.maxOutputTokens, thinkingBudget: config.thinkingBudget)
        case .ollama:
            url = base + "/api/chat"
            body = OllamaWire.body(request, model: config.model, stream: stream, contextWindow: config.capabilities.contextWindow)
        }
        for (name, value) in config.headers.sorted(by: { $0.key < $1.key }) { headers.append((name, value)) }
        if stream && config.kind != .ollama { headers.append(("Accept", "text/event-stream")) }
        return (url, headers, body)
    }

    private func run(_ request: ChatRequest, _ yield: (ChatEvent) -> Void) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(config.totalTimeout * 1000))
        let wire = wireRequest(request)
        var http = HTTPClientRequest(url: wire.url)
        http.method = .POST
        for (name, value) in wire.headers { http.headers.add(name: name, value: value) }
        http.body = .bytes(ByteBuffer(bytes: wire.body))
        let response = try await client.execute(http, timeout: .milliseconds(Int64(config.totalTimeout * 1000)))
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let body = try await collect(response.body, limit: 64 * 1024, allowTruncation: true)
            throw wireError(status: status, body: body, retryAfter: response.headers.first(name: "retry-after"))
        }
        do {
            try await read(response, request, deadline: deadline, yield)
        } catch {
            // Once the answer has begun, a dropped connection means it was cut short.
            let classified = classify(error)
            throw classified.code == .network ? cutOff() : classified
        }
    }

    private func read(_ response: HTTPClientResponse, _ request: ChatRequest, deadline: ContinuousClock.Instant, _ yield: (ChatEvent) -> Void) async throws {
        // A server that drips a byte now and then never trips the silence timeout: the total
        // time is checked as each piece arrives.
        func inTime() throws {
            guard ContinuousClock.now < deadline else {
                throw pastTotalTimeout()
            }
        }
        let streaming = request.stream && config.capabilities.streaming
        guard streaming else {
            let body = try await collect(response.body, limit: config.maxResponseBytes, allowTruncation: false, deadline: deadline)
            let answer: ChatResponse
            switch config.kind {
            case .openai, .openaiCompatible, .azureOpenAI: answer = try OpenAIWire.response(body, backend: name)
            case .anthropic: answer = try AnthropicWire.response(body, backend: name)
            case .ollama:
                let decoded = try OllamaWire.events(body, backend: name, contextWindow: config.capabilities.contextWindow)
                for event in decoded.events { yield(event) }
                return
            }
            if !answer.text.isEmpty { yield(.text(answer.text)) }
            if let usage = answer.usage { yield(.usage(usage)) }
            yield(.stop(answer.stopReason ?? .endTurn))
            return
        }
        switch config.kind {
        case .openai, .openaiCompatible, .azureOpenAI:
            var sse = SSEDecoder()
            var state = OpenAIWire.StreamState(backend: name)
            for try await buffer in response.body {
                try inTime()
                for event in try sse.feed(buffer.readableBytesView) {
                    for out in try state.events(event) { yield(out) }
                }
                if state.done { return }
            }
            // Some compatible servers end without [DONE]: that is fine if nothing was cut.
            guard !sse.hasPartialEvent else { throw cutOff() }
            for out in state.finish() { yield(out) }
        case .anthropic:
            var sse = SSEDecoder()
            var state = AnthropicWire.StreamState(backend: name)
            for try await buffer in response.body {
                try inTime()
                for event in try sse.feed(buffer.readableBytesView) {
                    for out in try state.events(event) { yield(out) }
                }
                if state.done { return }
            }
            throw cutOff()
        case .ollama:
            var lines = NDJSONDecoder()
            for try await buffer in response.body {
                try inTime()
                for line in try lines.feed(buffer.readableBytesView) {
                    let decoded = try OllamaWire.events(line, backend: name, contextWindow: config.capabilities.contextWindow)
                    for out in decoded.events { yield(out) }
                    if decoded.done { return }
                }
            }
            if let last = lines.finish() {
                let decoded = try OllamaWire.events(last, backend: name, contextWindow: config.capabilities.contextWindow)
                for out in decoded.events { yield(out) }
                if decoded.done { return }
            }
            throw cutOff()
        }
    }

    private func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    private func pastTotalTimeout() -> LLMError {
        LLMError(.timeout, backend: name, message: "the answer took longer than the total timeout of \(Int(config.totalTimeout)) s; stopped.")
    }

    private func cutOff() -> LLMError {
        LLMError(.malformedResponse, backend: name, message: "the answer stopped in the middle (the connection closed before the end of the stream).")
    }

    private func collect(_ body: HTTPClientResponse.Body, limit: Int, allowTruncation: Bool, deadline: ContinuousClock.Instant? = nil) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await buffer in body {
            if let deadline, ContinuousClock.now >= deadline {
                throw pastTotalTimeout()
            }
            bytes += buffer.readableBytesView
            if bytes.count > limit {
                if allowTruncation { return Array(bytes.prefix(limit)) }
                throw LLMError(.malformedResponse, backend: name, message: "the answer is larger than \(limit) bytes; refused.")
            }
        }
        return bytes
    }

    private func wireError(status: Int, body: [UInt8], retryAfter: String?) -> LLMError {
        switch config.kind {
        case .openai, .openaiCompatible, .azureOpenAI: return OpenAIWire.error(status: status, body: body, retryAfter: retryAfter, backend: name)
        case .anthropic: return AnthropicWire.error(status: status, body: body, retryAfter: retryAfter, backend: name)
        case .ollama:
            var error = OllamaWire.error(status: status, body: body, backend: name)
            error.retryAfter = retryAfter.flatMap { Double($0) }
            return error
        }
    }

    /// Any failure as an `LLMError`.
    func classify(_ error: any Error) -> LLMError {
        if let error = error as? LLMError { return error }
        if error is CancellationError { return LLMError(.cancelled, backend: name, message: "cancelled.") }
        if error is SSEDecoder.LineTooLong {
            return LLMError(.malformedResponse, backend: name, message: "a line of the answer is too long; refused.")
        }
        if let http = error as? HTTPClientError {
            switch http {
            case .readTimeout:
                return LLMError(.timeout, backend: name, message: "the server sent nothing for \(seconds(config.readTimeout)) (read_timeout); stopped.")
            case .connectTimeout:
                return LLMError(.timeout, backend: name, message: "no connection within \(seconds(config.connectTimeout)) (connect_timeout).")
            case .deadlineExceeded:
                return pastTotalTimeout()
            case .cancelled:
                return LLMError(.cancelled, backend: name, message: "cancelled.")
            case .remoteConnectionClosed:
                return cutOff()
            default:
                return LLMError(.network, backend: name, message: "\(http)")
            }
        }
        if Task.isCancelled { return LLMError(.cancelled, backend: name, message: "cancelled.") }
        let text = String(describing: error)
        if text.contains("NIOConnectionError") || text.contains("connectionRefused") || text.lowercased().contains("connection refused")
            || text.contains("unknownHost") || text.lowercased().contains("name resolution")
        {
            return LLMError(.unreachable, backend: name, message: "\(config.resolvedBaseURL) cannot be reached (\(text.prefix(200))).")
        }
        return LLMError(.network, backend: name, message: "\(error)")
    }
}
