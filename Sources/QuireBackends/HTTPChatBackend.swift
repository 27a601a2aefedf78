public import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
public import QuireLLM

/// Where and how to reach one model: a named backend of the config.
public struct BackendConfig: Sendable, Equatable {
    /// The provider's protocol.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// OpenAI's Chat Completions.
        case openai
        /// Anthropic's Messages.
        case anthropic
        /// Ollama's chat API (NDJSON streams).
        case ollama
        /// Any server speaking the OpenAI Chat Completions format (llama.cpp, vLLM, LM Studio…).
        case openaiCompatible = "openai-compatible"
        /// Azure OpenAI: `api-key` header, `api-version` query, deployment in the path.
        case azureOpenAI = "azure-openai"
    }

    /// The backend's name in the config.
    public var name: String
    /// Which protocol it speaks.
    public var kind: Kind
    /// The model (for Azure OpenAI, the deployment).
    public var model: String
    /// The server's base URL; the provider's own when nil.
    public var baseURL: String?
    /// The key, already resolved; never printed.
    public var apiKey: String?
    /// Extra headers sent with every request.
    public var headers: [String: String]
    /// Azure's `api-version`.
    public var apiVersion: String?
    /// Its window and output limit.
    public var capabilities: BackendCapabilities
    /// Seconds to connect; between two reads of the answer (so also to its first byte); in all.
    public var connectTimeout: Double
    /// Seconds of silence allowed while an answer arrives.
    public var readTimeout: Double
    /// Seconds the whole request may take, checked as each piece arrives.
    public var totalTimeout: Double
    /// A non-streamed answer or an error body larger than this is refused.
    public var maxResponseBytes: Int
    /// Anthropic: extended thinking with this many tokens (`thinking_budget` in the config).
    public var thinkingBudget: Int?
    /// OpenAI reasoning models: output tokens added for their reasoning (`reasoning_budget`).
    public var reasoningAllowance: Int = 8_000

    /// A backend's settings; timeouts in seconds.
    public init(
        name: String, kind: Kind, model: String, baseURL: String? = nil, apiKey: String? = nil, headers: [String: String] = [:],
        apiVersion: String? = nil, capabilities: BackendCapabilities = BackendCapabilities(contextWindow: 128_000, maxOutputTokens: 8_192),
        connectTimeout: Double = 10, readTimeout: Double = 120, totalTimeout: Double = 600, maxResponseBytes: Int = 16 << 20
    ) {
        self.name = name
        self.kind = kind
        self.model = model
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.headers = headers
        self.apiVersion = apiVersion
        self.capabilities = capabilities
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.totalTimeout = totalTimeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// The default base URL of each provider.
    public var resolvedBaseURL: String {
        if let baseURL { return baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL }
        switch kind {
        case .openai: return "https://api.openai.com/v1"
        case .anthropic: return "https://api.anthropic.com"
        case .ollama: return "http://127.0.0.1:11434"
        case .openaiCompatible, .azureOpenAI: return "http://127.0.0.1:8080/v1"
        }
    }
}

extension BackendConfig {
    /// Headers whose values are secrets: the provider keys, and any header of the config's
    /// `headers:` named like a key, token, secret, password, cookie or authorization.
    public static func isSecretHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["authorization", "x-api-key", "api-key"].contains(lower)
            || ["key", "token", "secret", "password", "passwd", "cookie", "auth", "session", "signature"].contains { lower.contains($0) }
    }

    /// A URL without the credentials it may carry (`https://user:pass@host` → `https://[redacted]@host`).
    public static func redactingCredentials(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let authority = url[scheme.upperBound..<at]
        guard !authority.contains("/") else { return url }
        return String(url[..<scheme.upperBound]) + "[redacted]" + String(url[at...])
    }

    /// The live secrets of this backend: its key, secret header values, URL credentials.
    public var secrets: [String] {
        var out: [String] = []
        if let apiKey, apiKey.count >= 4 { out.append(apiKey) }
        for (name, value) in headers where Self.isSecretHeader(name) && value.count >= 4 { out.append(value) }
        if let baseURL, let scheme = baseURL.range(of: "://"), let at = baseURL[scheme.upperBound...].firstIndex(of: "@") {
            let credentials = String(baseURL[scheme.upperBound..<at])
            if !credentials.contains("/") { out.append(credentials) }
        }
        return out
    }

    /// `text` with every live secret of this backend replaced by `[redacted]` (a provider error
    /// body that echoes the key, a library error that quotes a header).
    public func redacting(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret) { text = text.replacingOccurrences(of: secret, with: "[redacted]") }
        return text
    }
}

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
            case .readTimeout, .connectTimeout, .deadlineExceeded:
                return LLMError(.timeout, backend: name, message: "no answer in time (\(http)).")
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
