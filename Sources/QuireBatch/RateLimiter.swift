public import QuireLLM

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Time for the rate limiter; tests pass a clock that jumps instead of sleeping.
public protocol BatchClock: Sendable {
    /// Seconds on a monotonic scale.
    func now() -> Double
    /// Waits until `deadline` on the `now()` scale.
    func sleep(until deadline: Double) async throws
}

/// The real clock.
public struct SystemBatchClock: BatchClock {
    /// The system's monotonic clock.
    public init() {}
    public func now() -> Double { BatchRunner.now() }
    /// Sleeps until `deadline`; throws when the task is cancelled.
    public func sleep(until deadline: Double) async throws {
        let wait = deadline - now()
        if wait > 0 { try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000)) }
    }
}

/// A backend's limits, shared by every worker of a run: requests and tokens per minute
/// (a sliding window of the last 60 s, as providers count them), and a pause that a 429
/// sets for everyone — one worker told to wait makes all of them wait, instead of each
/// finding out with a 429 of its own.
public actor RateLimiter {
    /// Requests allowed in any 60 s (nil: no limit).
    public let requestsPerMinute: Int?
    /// Tokens allowed in any 60 s (nil: no limit).
    public let tokensPerMinute: Int?
    let clock: any BatchClock
    /// Sent requests in the window: when, and how many tokens.
    private var window: [(time: Double, tokens: Int)] = []
    private var pausedUntil = 0.0
    /// How many times a 429 paused the backend.
    public private(set) var pauses = 0

    /// A limiter; a limit of 0 or less counts as none.
    public init(requestsPerMinute: Int?, tokensPerMinute: Int?, clock: any BatchClock = SystemBatchClock()) {
        self.requestsPerMinute = requestsPerMinute.flatMap { $0 > 0 ? $0 : nil }
        self.tokensPerMinute = tokensPerMinute.flatMap { $0 > 0 ? $0 : nil }
        self.clock = clock
    }

    /// Waits until a request of `tokens` input tokens may be sent, and counts it.
    public func acquire(tokens: Int) async throws {
        while true {
            let now = clock.now()
            window.removeAll { $0.time <= now - 60 }
            var wait = max(0, pausedUntil - now)
            if let limit = requestsPerMinute, window.count >= limit {
                wait = max(wait, window[window.count - limit].time + 60 - now)
            }
            if let limit = tokensPerMinute, !window.isEmpty {
                // A request larger than the whole budget goes alone in an empty window.
                let needed = min(tokens, limit)
                var used = window.reduce(0) { $0 + $1.tokens }
                var index = 0
                var until = now
                while used + needed > limit && index < window.count {
                    used -= window[index].tokens
                    until = window[index].time + 60
                    index += 1
                }
                wait = max(wait, until - now)
            }
            if wait <= 0 {
                window.append((now, tokens))
                return
            }
            try await clock.sleep(until: now + wait)
        }
    }

    /// A 429 (or overload) from the provider: nobody sends for `seconds`.
    public func pause(for seconds: Double) {
        pauses += 1
        pausedUntil = max(pausedUntil, clock.now() + seconds)
    }
}

/// A backend behind a rate limiter: every request waits for its turn, and a rate-limit
/// answer pauses all requests to this backend for the time the provider asked.
public struct RateLimitedBackend: ChatBackend {
    /// The backend the requests go to.
    public let inner: any ChatBackend
    /// The limits it is held to.
    public let limiter: RateLimiter
    /// The pause after a 429 that gives no Retry-After.
    public var defaultPause: Double

    /// `inner` behind `limiter`; `defaultPause` seconds after a 429 without Retry-After.
    public init(_ inner: any ChatBackend, limiter: RateLimiter, defaultPause: Double = 5) {
        self.inner = inner
        self.limiter = limiter
        self.defaultPause = defaultPause
    }

    public var name: String { inner.name }
    public var capabilities: BackendCapabilities { inner.capabilities }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    let tokens = limiter.tokensPerMinute == nil ? 0 : RequestSize.inputTokens(request) + (request.maxOutputTokens ?? 0)
                    try await limiter.acquire(tokens: tokens)
                    for try await event in inner.stream(request) { continuation.yield(event) }
                    continuation.finish()
                } catch let error as LLMError where error.code == .rateLimited || error.code == .overloaded {
                    await limiter.pause(for: error.retryAfter ?? defaultPause)
                    continuation.finish(throwing: error)
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
