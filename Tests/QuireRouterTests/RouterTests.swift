import Foundation
import Synchronization
import Testing

@testable import QuireLLM
@testable import QuireRouter

/// A backend that answers from a script: each call takes the next outcome.
final class ScriptedBackend: ChatBackend, @unchecked Sendable {
    enum Outcome {
        case answer(String)
        case fail(LLMError.Code, retryAfter: Double? = nil)
        case failAfterText(String, LLMError.Code)
    }

    let name: String
    let capabilities: BackendCapabilities
    private let lock = NSLock()
    private var script: [Outcome]
    private(set) var calls = 0

    init(_ name: String, window: Int = 100_000, _ script: [Outcome]) {
        self.name = name
        self.capabilities = BackendCapabilities(contextWindow: window, maxOutputTokens: 1000)
        self.script = script
    }

    func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error> {
        lock.lock()
        calls += 1
        let outcome = script.isEmpty ? .fail(.server) : script.removeFirst()
        lock.unlock()
        return AsyncThrowingStream { continuation in
            switch outcome {
            case .answer(let text):
                continuation.yield(.text(text))
                continuation.yield(.usage(Usage(inputTokens: 10, outputTokens: 2)))
                continuation.yield(.stop(.endTurn))
                continuation.finish()
            case .fail(let code, let retryAfter):
                continuation.finish(throwing: LLMError(code, backend: self.name, message: "scripted \(code)", retryAfter: retryAfter))
            case .failAfterText(let text, let code):
                continuation.yield(.text(text))
                continuation.finish(throwing: LLMError(code, backend: self.name, message: "scripted cut"))
            }
        }
    }
}

/// Records the waits it is asked for instead of sleeping.
final class RecordingClock: RetryClock, @unchecked Sendable {
    private let lock = NSLock()
    private var _waits: [Double] = []
    var waits: [Double] {
        lock.lock()
        defer { lock.unlock() }
        return _waits
    }
    func sleep(seconds: Double) async throws {
        lock.withLock { _waits.append(seconds) }
    }
}

final class Notes: @unchecked Sendable {
    private let lock = NSLock()
    private var _notes: [RouteNote] = []
    var notes: [RouteNote] {
        lock.lock()
        defer { lock.unlock() }
        return _notes
    }
    func add(_ note: RouteNote) {
        lock.lock()
        _notes.append(note)
        lock.unlock()
    }
}

struct RouterTests {
    static let request = ChatRequest(messages: [.user("hi")])

    static func router(_ clock: RecordingClock, _ notes: Notes, jitterRandom: Double = 0.5) -> Router {
        Router(policy: RetryPolicy(maxRetries: 2, baseDelay: 1, maxDelay: 30, jitter: 0.2, random: { jitterRandom }), clock: clock, onNote: { notes.add($0) })
    }

    @Test("retries with exponential backoff, then falls back to the next backend")
    func backoffThenFallback() async throws {
        let primary = ScriptedBackend("primary", [.fail(.overloaded), .fail(.overloaded), .fail(.overloaded)])
        let fallback = ScriptedBackend("fallback", [.answer("ok")])
        let clock = RecordingClock()
        let notes = Notes()
        let answer = try await Self.router(clock, notes).complete(Self.request, on: Route(task: "summarise", backends: [primary, fallback]))
        #expect(answer.text == "ok")
        #expect(primary.calls == 3 && fallback.calls == 1)
        #expect(clock.waits == [1, 2])  // random 0.5 → no jitter
        #expect(notes.notes.last == .answeredBy(backend: "fallback"))
        #expect(notes.notes.contains { if case .fallingBack(from: "primary", to: "fallback", _) = $0 { true } else { false } })
    }

    @Test("Retry-After is honoured; jitter scales the computed waits")
    func retryAfter() async throws {
        let backend = ScriptedBackend("b", [.fail(.rateLimited, retryAfter: 7), .fail(.server), .answer("done")])
        let clock = RecordingClock()
        let notes = Notes()
        let answer = try await Self.router(clock, notes, jitterRandom: 1.0).complete(Self.request, on: Route(task: "t", backends: [backend]))
        #expect(answer.text == "done")
        #expect(clock.waits.count == 2)
        #expect(clock.waits[0] == 7)
        #expect(abs(clock.waits[1] - 2 * 1.2) < 1e-9)  // second retry: 2 s, +20 % jitter
    }

    @Test("a missing key falls back at once, with a note naming the backend; a bad request never falls back")
    func keysAndBadRequests() async throws {
        let clock = RecordingClock()
        let notes = Notes()
        let noKey = ScriptedBackend("claude", [.fail(.authentication)])
        let other = ScriptedBackend("gpt", [.answer("from gpt")])
        let answer = try await Self.router(clock, notes).complete(Self.request, on: Route(task: "t", backends: [noKey, other]))
        #expect(answer.text == "from gpt" && clock.waits.isEmpty)
        #expect(notes.notes.contains { if case .fallingBack(from: "claude", to: "gpt", let reason) = $0 { reason.contains("key of 'claude'") } else { false } })

        let bad = ScriptedBackend("a", [.fail(.badRequest)])
        let never = ScriptedBackend("b", [.answer("x")])
        let error = await #expect(throws: LLMError.self) {
            try await Self.router(clock, notes).complete(Self.request, on: Route(task: "t", backends: [bad, never]))
        }
        #expect(error?.code == .badRequest && never.calls == 0)
    }

    @Test("a context overflow skips backends whose window is no larger, or reaches the caller")
    func contextOverflow() async throws {
        let clock = RecordingClock()
        let notes = Notes()
        let small = ScriptedBackend("small", window: 8_000, [.fail(.contextLengthExceeded)])
        let same = ScriptedBackend("same", window: 8_000, [.answer("never")])
        let large = ScriptedBackend("large", window: 200_000, [.answer("fits")])
        let answer = try await Self.router(clock, notes).complete(Self.request, on: Route(task: "t", backends: [small, same, large]))
        #expect(answer.text == "fits" && same.calls == 0)
        let only = ScriptedBackend("only", window: 8_000, [.fail(.contextLengthExceeded)])
        let error = await #expect(throws: LLMError.self) { try await Self.router(clock, notes).complete(Self.request, on: Route(task: "t", backends: [only])) }
        #expect(error?.code == .contextLengthExceeded)
    }

    @Test("a failure after text has been streamed is not retried elsewhere")
    func noDuplicateText() async throws {
        let clock = RecordingClock()
        let notes = Notes()
        let cut = ScriptedBackend("cut", [.failAfterText("partial ", .server)])
        let other = ScriptedBackend("other", [.answer("x")])
        var seen = ""
        do {
            for try await event in Self.router(clock, notes).stream(Self.request, on: Route(task: "t", backends: [cut, other])) {
                if case .text(let text) = event { seen += text }
            }
            Issue.record("no error")
        } catch let error as LLMError {
            #expect(error.code == .server)
        }
        #expect(seen == "partial " && other.calls == 0)
    }

    @Test("route parameters fill what the request leaves open")
    func parameters() async throws {
        final class Capture: ChatBackend, @unchecked Sendable {
            let name = "c"
            let capabilities = BackendCapabilities(contextWindow: 1000, maxOutputTokens: 100)
            var seen: ChatRequest?
            func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error> {
                seen = request
                return AsyncThrowingStream {
                    $0.yield(.stop(.endTurn))
                    $0.finish()
                }
            }
        }
        let capture = Capture()
        _ = try await Router().complete(
            ChatRequest(messages: [.user("x")], temperature: 0.9), on: Route(task: "t", backends: [capture], temperature: 0.1, maxOutputTokens: 77))
        #expect(capture.seen?.temperature == 0.9 && capture.seen?.maxOutputTokens == 77)
    }
}

struct BuiltinBackendTests {
    @Test("the built-in backend answers the test, runs registered handlers, and refuses other tasks naming the config")
    func builtin() async throws {
        let backend = BuiltinBackend(handlers: ["summarise": { "summary of \($0.messages.count) message(s)" }], configHint: "/tmp/q.yaml")
        #expect(try await backend.complete(ChatRequest(messages: [.user("ping")], metadata: ["task": "test"])).text == "OK")
        #expect(try await backend.complete(ChatRequest(messages: [.user("a")], metadata: ["task": "summarise"])).text == "summary of 1 message(s)")
        let error = await #expect(throws: LLMError.self) { try await backend.complete(ChatRequest(messages: [.user("a")], metadata: ["task": "draft"])) }
        #expect(error?.code == .unsupported && error?.allowsFallback == true)
        #expect(error?.message.contains("/tmp/q.yaml") == true && error?.message.contains("draft: { use: [gpt] }") == true)
        let later = await #expect(throws: LLMError.self) {
            try await BuiltinBackend().complete(ChatRequest(messages: [.user("a")], metadata: ["task": "analyse-table"]))
        }
        #expect(later?.message.contains("not part of this build yet") == true)
    }
}

struct UsageMeterTests {
    @Test("costs from prices per million tokens, cached input at its own price, totals per command")
    func costs() async throws {
        let pricing = Pricing(inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3)
        #expect(abs(pricing.cost(Usage(inputTokens: 1_000_000, outputTokens: 100_000, cachedInputTokens: 500_000)) - (1.5 + 0.15 + 1.5)) < 1e-9)
        let meter = UsageMeter(prices: ["claude": pricing])
        meter.record(backend: "claude", usage: Usage(inputTokens: 2000, outputTokens: 500))
        meter.record(backend: "claude", usage: Usage(inputTokens: 1000, outputTokens: 100))
        meter.record(backend: "local", usage: Usage(inputTokens: 10, outputTokens: 5))
        #expect(meter.report.map(\.calls) == [2, 1])
        #expect(meter.report[0].usage == Usage(inputTokens: 3000, outputTokens: 600))
        #expect(abs((meter.report[0].cost ?? 0) - (3000 * 3 + 600 * 15) / 1e6) < 1e-12)
        #expect(meter.report[1].cost == nil)
        #expect(meter.summary.contains("claude: 2 calls, 3000 in (0 cached), 600 out, $0.0180\n"))
        #expect(meter.summary.contains("local: 1 call, 10 in (0 cached), 5 out, no prices\n"))
        // The router records the usage of the backend that answered.
        let routed = UsageMeter()
        _ = try await Router(meter: routed).complete(
            ChatRequest(messages: [.user("x")]), on: Route(task: "t", backends: [ScriptedBackend("s", [.answer("ok")])]))
        #expect(routed.report == [UsageMeter.Line(backend: "s", calls: 1, usage: Usage(inputTokens: 10, outputTokens: 2), cost: nil)])
    }
}
