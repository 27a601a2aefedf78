/// A chat request in terms every backend understands; each backend maps it to its
/// provider's wire format.
public struct ChatRequest: Sendable, Equatable {
    /// Who says a message of the conversation.
    public enum Role: String, Sendable, Equatable {
        /// The person (or the task) asking.
        case user
        /// The model, in an earlier turn.
        case assistant
    }

    /// One turn of the conversation.
    public struct Message: Sendable, Equatable {
        /// Who says it.
        public var role: Role
        /// What is said.
        public var content: String
        /// A message from its role and text.
        public init(role: Role, content: String) {
            self.role = role
            self.content = content
        }
        /// A message from the user.
        public static func user(_ text: String) -> Message { Message(role: .user, content: text) }
        /// A message from the model (an earlier answer).
        public static func assistant(_ text: String) -> Message { Message(role: .assistant, content: text) }
    }

    /// What the answer must look like.
    public enum ResponseFormat: Sendable, Equatable {
        /// Free text.
        case text
        /// Any JSON object.
        case json
        /// JSON following this schema (a JSON Schema document, as JSON text).
        case jsonSchema(name: String, schema: String)
    }

    /// The system prompt: instructions that frame every turn.
    public var system: String?
    /// The conversation, oldest first; the last message is the one to answer.
    public var messages: [Message]
    /// The most tokens the answer may take (the backend's own limit when nil).
    public var maxOutputTokens: Int?
    /// Sampling temperature, 0–2 (the provider's default when nil; left out for models that refuse it).
    public var temperature: Double?
    /// Sequences that end the answer when the model writes them.
    public var stop: [String]
    /// Free text, or JSON.
    public var responseFormat: ResponseFormat
    /// Ask the backend to stream (it may not be able to; `ChatBackend.stream` then yields
    /// the whole answer at once).
    public var stream: Bool
    /// Free-form labels (task name, file) for logs; never sent to a provider.
    public var metadata: [String: String]

    /// A request from its parts.
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
    /// Tokens of the prompt, cached ones included.
    public var inputTokens: Int
    /// Tokens of the answer (reasoning tokens included, as providers bill them).
    public var outputTokens: Int
    /// Input tokens served from the provider's prompt cache (included in `inputTokens`).
    public var cachedInputTokens: Int

    /// A usage from its counts.
    public init(inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
    }

    /// Two usages added, for a task of several requests.
    public static func + (a: Usage, b: Usage) -> Usage {
        Usage(
            inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens,
            cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens)
    }
}

/// Why the model stopped.
public enum StopReason: Sendable, Equatable {
    /// The model finished its answer.
    case endTurn
    /// The answer reached the output limit and is cut.
    case maxTokens
    /// A stop sequence ended the answer.
    case stopSequence
    /// The provider's filter stopped the answer.
    case contentFilter
    /// Another reason, in the provider's words.
    case other(String)
}

/// What a streaming call yields, in order: text pieces, then usage and the stop reason.
public enum ChatEvent: Sendable, Equatable {
    /// A piece of the answer's text, in order.
    case text(String)
    /// What the request cost in tokens (once, usually at the end).
    case usage(Usage)
    /// Why the answer ended (last).
    case stop(StopReason)
}

/// A whole answer.
public struct ChatResponse: Sendable, Equatable {
    /// The whole answer's text.
    public var text: String
    /// Tokens used, when the provider said.
    public var usage: Usage?
    /// Why the answer ended, when the provider said.
    public var stopReason: StopReason?

    /// A response from its parts.
    public init(text: String, usage: Usage? = nil, stopReason: StopReason? = nil) {
        self.text = text
        self.usage = usage
        self.stopReason = stopReason
    }
}

/// A failed call, classified so the model picker can decide to retry, fall back or stop.
public struct LLMError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure, which decides retry, fallback or stop. New codes may be added:
    /// switch with a `default`.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code's name, as JSON output and `--verbose` show it (`rateLimited`).
        public let rawValue: String
        /// A code by its name.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The key is missing, wrong or not allowed to use this model.
        public static let authentication = Code(rawValue: "authentication")
        /// Too many requests; `retryAfter` says when to try again, when the provider does.
        public static let rateLimited = Code(rawValue: "rateLimited")
        /// The provider is overloaded (Anthropic 529, OpenAI 503 "overloaded").
        public static let overloaded = Code(rawValue: "overloaded")
        /// The input is longer than the model's context window.
        public static let contextLengthExceeded = Code(rawValue: "contextLengthExceeded")
        /// The request is wrong and would fail anywhere (do not fall back).
        public static let badRequest = Code(rawValue: "badRequest")
        /// A 5xx from the provider.
        public static let server = Code(rawValue: "server")
        /// No answer in time (connect, first byte, or total).
        public static let timeout = Code(rawValue: "timeout")
        /// The caller cancelled the request.
        public static let cancelled = Code(rawValue: "cancelled")
        /// The answer could not be understood (malformed JSON, a stream cut mid-event, too big).
        public static let malformedResponse = Code(rawValue: "malformedResponse")
        /// The connection failed.
        public static let network = Code(rawValue: "network")
        /// The server could not be reached at all (connection refused, unknown host): the
        /// next backend is tried at once, without waiting to try this one again.
        public static let unreachable = Code(rawValue: "unreachable")
        /// This backend does not serve this request (the built-in one and `draft`).
        public static let unsupported = Code(rawValue: "unsupported")
        public var description: String { rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The provider's own message, or ours.
    public var message: String
    /// The backend's name (from the config).
    public var backend: String
    /// The HTTP status, when there was one.
    public var status: Int?
    /// Seconds to wait before retrying, from `Retry-After` or the provider's body.
    public var retryAfter: Double?

    /// An error from its code, the backend's name and a message (with the HTTP status and
    /// Retry-After, when there were).
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
        code != .badRequest && code != .cancelled
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
    /// Tokens the model reads at most, prompt and answer together.
    public var contextWindow: Int
    /// Tokens the model writes at most in one answer.
    public var maxOutputTokens: Int
    /// Whether answers arrive piece by piece.
    public var streaming: Bool
    /// Whether the backend can be asked for JSON output.
    public var jsonMode: Bool

    /// Capabilities from their values.
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
    /// The backend's name in the config (`claude`, `builtin`).
    var name: String { get }
    /// What the backend can do.
    var capabilities: BackendCapabilities { get }
    /// Sends `request` and yields the answer as it arrives: text pieces, then usage and the stop
    /// reason. Failures end the stream with an `LLMError`.
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

extension LLMError.Code {
    /// Matches an error of this type with this code, so that a `catch` can name the code:
    /// `catch LLMError.authentication { … }`.
    public static func ~= (code: LLMError.Code, error: any Error) -> Bool {
        (error as? LLMError)?.code == code
    }
}

extension LLMError {
    /// ``Code/authentication``, for `catch LLMError.authentication`.
    public static var authentication: Code { .authentication }
    /// ``Code/rateLimited``, for `catch LLMError.rateLimited`.
    public static var rateLimited: Code { .rateLimited }
    /// ``Code/overloaded``, for `catch LLMError.overloaded`.
    public static var overloaded: Code { .overloaded }
    /// ``Code/contextLengthExceeded``, for `catch LLMError.contextLengthExceeded`.
    public static var contextLengthExceeded: Code { .contextLengthExceeded }
    /// ``Code/badRequest``, for `catch LLMError.badRequest`.
    public static var badRequest: Code { .badRequest }
    /// ``Code/server``, for `catch LLMError.server`.
    public static var server: Code { .server }
    /// ``Code/timeout``, for `catch LLMError.timeout`.
    public static var timeout: Code { .timeout }
    /// ``Code/cancelled``, for `catch LLMError.cancelled`.
    public static var cancelled: Code { .cancelled }
    /// ``Code/malformedResponse``, for `catch LLMError.malformedResponse`.
    public static var malformedResponse: Code { .malformedResponse }
    /// ``Code/network``, for `catch LLMError.network`.
    public static var network: Code { .network }
    /// ``Code/unreachable``, for `catch LLMError.unreachable`.
    public static var unreachable: Code { .unreachable }
    /// ``Code/unsupported``, for `catch LLMError.unsupported`.
    public static var unsupported: Code { .unsupported }
}
