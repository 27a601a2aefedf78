/// A chat request in terms every backend understands; each backend maps it to its
/// provider's wire format.
public struct ChatRequest: Sendable, Equatable {
    public enum Role: String, Sendable, Equatable { case user, assistant }

    public struct Message: Sendable, Equatable {
        public var role: Role
        public var content: String
        public init(role: Role, content: String) {
            self.role = role
            self.content = content
        }
        public static func user(_ text: String) -> Message { Message(role: .user, content: text) }
        public static func assistant(_ text: String) -> Message { Message(role: .assistant, content: text) }
    }

    /// What the answer must look like.
    public enum ResponseFormat: Sendable, Equatable {
        case text
        /// Any JSON object.
        case json
        /// JSON following this schema (a JSON Schema document, as JSON text).
        case jsonSchema(name: String, schema: String)
    }

    public var system: String?
    public var messages: [Message]
    public var maxOutputTokens: Int?
    public var temperature: Double?
    public var stop: [String]
    public var responseFormat: ResponseFormat
    /// Ask the backend to stream (it may not be able to; `ChatBackend.stream` then yields
    /// the whole answer at once).
    public var stream: Bool
    /// Free-form labels (task name, file) for logs; never sent to a provider.
    public var metadata: [String: String]

    public init(
        system: String? = nil, messages: [Message], maxOutputTokens: Int? = nil, temperature: Double? = nil, stop: [String] = [],
        responseFormat: ResponseFormat = .text, stream: Bool = true, metadata: [String: String] = [:]
    ) {
        self.system = system
        self.messages = messages
        self.maxOutputTokens = maxOutputTokens
        self.temperature = temperature
        self.stop = stop
        self.responseFormat = responseFormat
        self.stream = stream
        self.metadata = metadata
    }
}

/// Tokens a call used.
public struct Usage: Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// Input tokens served from the provider's prompt cache (included in `inputTokens`).
    public var cachedInputTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
    }

    public static func + (a: Usage, b: Usage) -> Usage {
        Usage(
            inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens,
            cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens)
    }
}

/// Why the model stopped.
public enum StopReason: Sendable, Equatable {
    case endTurn
    case maxTokens
    case stopSequence
    case contentFilter
    case other(String)
}

/// What a streaming call yields, in order: text pieces, then usage and the stop reason.
public enum ChatEvent: Sendable, Equatable {
    case text(String)
    case usage(Usage)
    case stop(StopReason)
}

/// A whole answer.
public struct ChatResponse: Sendable, Equatable {
    public var text: String
    public var usage: Usage?
    public var stopReason: StopReason?

    public init(text: String, usage: Usage? = nil, stopReason: StopReason? = nil) {
        self.text = text
        self.usage = usage
        self.stopReason = stopReason
    }
}

/// A failed call, classified so the model picker can decide to retry, fall back or stop.
public struct LLMError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The key is missing, wrong or not allowed to use this model.
        case authentication
        /// Too many requests; `retryAfter` says when to try again, when the provider does.
        case rateLimited
        /// The provider is overloaded (Anthropic 529, OpenAI 503 "overloaded").
        case overloaded
        /// The input is longer than the model's context window.
        case contextLengthExceeded
        /// The request is wrong and would fail anywhere (do not fall back).
        case badRequest
        /// A 5xx from the provider.
        case server
        /// No answer in time (connect, first byte, or total).
        case timeout
        case cancelled
        /// The answer could not be understood (malformed JSON, a stream cut mid-event, too big).
        case malformedResponse
        /// The connection failed.
        case network
        /// The server could not be reached at all (connection refused, unknown host): the
        /// next backend is tried at once, without waiting to try this one again.
        case unreachable
        /// This backend does not serve this request (the built-in one and `draft`).
        case unsupported
    }

    public var code: Code
    /// The provider's own message, or ours.
    public var message: String
    /// The backend's name (from the config).
    public var backend: String
    /// The HTTP status, when there was one.
    public var status: Int?
    /// Seconds to wait before retrying, from `Retry-After` or the provider's body.
    public var retryAfter: Double?

    public init(_ code: Code, backend: String, message: String, status: Int? = nil, retryAfter: Double? = nil) {
        self.code = code
        self.backend = backend
        self.message = message
        self.status = status
        self.retryAfter = retryAfter
    }

    public var description: String {
        var text = "\(backend): \(code.rawValue)"
        if let status { text += " (HTTP \(status))" }
        text += ": " + message
        if let retryAfter { text += " (retry after \(retryAfter) s)" }
        return text
    }

    /// Whether another backend may succeed where this one failed.
    public var allowsFallback: Bool {
        switch code {
        case .rateLimited, .overloaded, .server, .timeout, .network, .unreachable, .authentication, .contextLengthExceeded, .malformedResponse, .unsupported:
            true
        case .badRequest, .cancelled: false
        }
    }

    /// Whether trying the same backend again may succeed.
    public var isRetryable: Bool {
        switch code {
        case .rateLimited, .overloaded, .server, .timeout, .network: true
        default: false
        }
    }
}

/// What a backend can do, as data (from the provider's documentation or the config).
public struct BackendCapabilities: Sendable, Equatable {
    public var contextWindow: Int
    public var maxOutputTokens: Int
    public var streaming: Bool
    public var jsonMode: Bool

    public init(contextWindow: Int, maxOutputTokens: Int, streaming: Bool = true, jsonMode: Bool = true) {
        self.contextWindow = contextWindow
        self.maxOutputTokens = maxOutputTokens
        self.streaming = streaming
        self.jsonMode = jsonMode
    }
}

/// A model backend: one streaming call. Events arrive as the provider sends them; the
/// stream ends after `.stop` or throws an `LLMError`.
public protocol ChatBackend: Sendable {
    var name: String { get }
    var capabilities: BackendCapabilities { get }
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error>
}

extension ChatBackend {
    /// The whole answer, collected from the stream.
    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        var response = ChatResponse(text: "")
        for try await event in stream(request) {
            switch event {
            case .text(let piece): response.text += piece
            case .usage(let usage): response.usage = (response.usage ?? Usage()) + usage
            case .stop(let reason): response.stopReason = reason
            }
        }
        return response
    }
}
