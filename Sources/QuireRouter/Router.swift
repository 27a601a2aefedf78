public import QuireLLM

/// Waits between retries; tests pass a clock that records instead of sleeping.
public protocol RetryClock: Sendable {
    /// Waits `seconds` (tests pass a clock that does not wait).
    func sleep(seconds: Double) async throws
}

/// The real clock.
public struct SystemRetryClock: RetryClock {
    /// The real clock.
    public init() {}
    /// Sleeps for `seconds`; throws when the task is cancelled.
    public func sleep(seconds: Double) async throws {
        try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
    }
}

/// How often and how long to wait before trying the same backend again.
public struct RetryPolicy: Sendable {
    /// Retries after the first attempt, per backend.
    public var maxRetries: Int
    /// The first wait; each retry doubles it, up to `maxDelay`.
    public var baseDelay: Double
    /// The longest wait between two tries, in seconds.
    public var maxDelay: Double
    /// Each wait is scaled by a random factor in 1 ± `jitter`, so clients do not retry in step.
    public var jitter: Double
    /// A `Retry-After` longer than this is not waited for: the route falls back instead.
    public var maxRetryAfter: Double
    /// Random numbers in 0..<1 (replaceable in tests).
    public var random: @Sendable () -> Double

    /// A policy from its values; `random` gives the jitter (injectable for tests).
    public init(
        maxRetries: Int = 2, baseDelay: Double = 1, maxDelay: Double = 30, jitter: Double = 0.2, maxRetryAfter: Double = 60,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.maxRetryAfter = maxRetryAfter
        self.random = random
    }

    /// The wait before retry number `attempt` (0-based) after `error`, or nil to stop retrying.
    public func delay(attempt: Int, after error: LLMError) -> Double? {
        guard attempt < maxRetries, error.isRetryable else { return nil }
        if let retryAfter = error.retryAfter {
            return retryAfter <= maxRetryAfter ? retryAfter : nil
        }
        let exponential = min(maxDelay, baseDelay * Double(1 << min(attempt, 20)))
        return exponential * (1 + jitter * (2 * random() - 1))
    }
}

/// What happened on the way to an answer, for `--verbose` and the cost report.
public enum RouteNote: Sendable, Equatable {
    /// A backend failed and is tried again after a wait.
    case retrying(backend: String, attempt: Int, after: Double, error: LLMError.Code)
    /// A backend failed for good; the next one in the route is tried.
    case fallingBack(from: String, to: String, reason: String)
    /// This backend gave the answer.
    case answeredBy(backend: String)
}

/// A task's backends in order — the primary, then the fallbacks — and the parameters the
/// task sets on its requests.
public struct Route: Sendable {
    /// The task the route serves (`summarise`).
    public var task: String
    /// The backends, primary first.
    public var backends: [any ChatBackend]
    /// The task's temperature from the config, applied to its requests.
    public var temperature: Double?
    /// The task's output limit from the config, applied to its requests.
    public var maxOutputTokens: Int?

    /// A route from its parts.
    public init(task: String, backends: [any ChatBackend], temperature: Double? = nil, maxOutputTokens: Int? = nil) {
        self.task = task
        self.backends = backends
        self.temperature = temperature
        self.maxOutputTokens = maxOutputTokens
    }
}

/// Sends a request along a route: retries a backend on rate limits, overload, server
/// errors and timeouts (exponential backoff with jitter, or the server's `Retry-After`),
/// then falls back to the next backend; on a missing or rejected key it falls back with a
/// note naming the backend; on a context overflow it goes to a backend with a larger
/// window, or gives the overflow to the caller to chunk; it never falls back on a bad
/// request, which would fail everywhere. Once text has reached the caller, a failure is
/// not retried elsewhere (the caller would see the answer twice): it is thrown.
public struct Router: Sendable {
    /// When and how often to retry.
    public var policy: RetryPolicy
    /// The clock retries wait on.
    public var clock: any RetryClock
    /// Told of each retry, fallback and answer (for `--verbose` and the usage report).
    public var onNote: @Sendable (RouteNote) -> Void
    /// Where the usage of every call goes (tokens and cost per backend).
    public var meter: UsageMeter?

    /// A router with its policy, clock, usage meter and note handler.
    public init(
        policy: RetryPolicy = RetryPolicy(), clock: any RetryClock = SystemRetryClock(), meter: UsageMeter? = nil,
        onNote: @escaping @Sendable (RouteNote) -> Void = { _ in }
    ) {
        self.policy = policy
        self.clock = clock
        self.meter = meter
        self.onNote = onNote
    }

    /// Streams the answer of the first backend of `route` that gives one, retrying and falling
    /// back by the error's code. Text already streamed is never repeated: once a backend has
    /// started answering, its failure ends the stream.
    public func stream(_ request: ChatRequest, on route: Route) -> AsyncThrowingStream<ChatEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.run(request, route) { continuation.yield($0) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// The whole answer of the first backend that gives one, as `stream` does.
    public func complete(_ request: ChatRequest, on route: Route) async throws -> ChatResponse {
        var response = ChatResponse(text: "")
        for try await event in stream(request, on: route) {
            switch event {
            case .text(let piece): response.text += piece
            case .usage(let usage): response.usage = (response.usage ?? Usage()) + usage
            case .stop(let reason): response.stopReason = reason
            }
        }
        return response
    }

    private func run(_ original: ChatRequest, _ route: Route, _ yield: (ChatEvent) -> Void) async throws {
        var request = original
        if request.temperature == nil { request.temperature = route.temperature }
        if request.maxOutputTokens == nil { request.maxOutputTokens = route.maxOutputTokens }
        guard !route.backends.isEmpty else {
            throw LLMError(.unsupported, backend: route.task, message: "no backend is configured for the task '\(route.task)'.")
        }
        var lastError: LLMError?
        var overflowWindow: Int?
        for (index, backend) in route.backends.enumerated() {
            if let window = overflowWindow, backend.capabilities.contextWindow <= window { continue }
            var attempt = 0
            while true {
                try Task.checkCancellation()
                var yieldedText = false
                do {
                    for try await event in backend.stream(request) {
                        if case .text = event { yieldedText = true }
                        if case .usage(let usage) = event { meter?.record(backend: backend.name, usage: usage) }
                        yield(event)
                    }
                    onNote(.answeredBy(backend: backend.name))
                    return
                } catch {
                    let failure = (error as? LLMError) ?? LLMError(.network, backend: backend.name, message: "\(error)")
                    if yieldedText || failure.code == .cancelled || failure.code == .badRequest { throw failure }
                    lastError = failure
                    if let wait = policy.delay(attempt: attempt, after: failure) {
                        onNote(.retrying(backend: backend.name, attempt: attempt + 1, after: wait, error: failure.code))
                        try await clock.sleep(seconds: wait)
                        attempt += 1
                        continue
                    }
                    guard failure.allowsFallback else { throw failure }
                    if failure.code == .contextLengthExceeded { overflowWindow = max(overflowWindow ?? 0, backend.capabilities.contextWindow) }
                    let next = route.backends[(index + 1)...].first { overflowWindow == nil || $0.capabilities.contextWindow > overflowWindow! }
                    if let next {
                        let reason: String
                        switch failure.code {
                        case .authentication: reason = "the key of '\(backend.name)' is missing or was refused: \(failure.message)"
                        case .contextLengthExceeded: reason = "the input does not fit the context window of '\(backend.name)'"
                        default: reason = failure.description
                        }
                        onNote(.fallingBack(from: backend.name, to: next.name, reason: reason))
                    }
                    break
                }
            }
        }
        throw lastError ?? LLMError(.unsupported, backend: route.task, message: "no backend could answer.")
    }
}
