import Foundation
import QuireBackends
import QuireBatch
import QuireInternalThreads
import QuireLLM
import QuireRouter
import QuireTasks
import QuireTestServer
import QuireTestSupport
import Synchronization
import Testing

/// A clock that jumps instead of sleeping, and remembers every wait.
final class JumpingClock: BatchClock, RetryClock {
    private let state = Locked<(now: Double, sleeps: [Double])>((1_000, []))
    func now() -> Double { state.withLock { $0.now } }
    func sleep(until deadline: Double) async throws {
        state.withLock { s in
            s.sleeps.append(deadline)
            s.now = max(s.now, deadline)
        }
    }
    func sleep(seconds: Double) async throws {
        state.withLock { s in
            s.sleeps.append(s.now + seconds)
            s.now += seconds
        }
    }
    var sleeps: [Double] { state.withLock { $0.sleeps } }
}

/// The batch engine end to end: items planned into a ledger, run against the built-in
/// backend and a local OpenAI-compatible server, results exactly once.
struct RunnerTests {
    static func setUp(_ sources: [BatchSource], per: BatchGranularity? = nil) throws -> (ledger: BatchLedger, results: ResultsFile, path: String) {
        let path = LedgerTests.temporary()
        let ledger = try BatchLedger(path: BatchLedger.path(forResults: path))
        var items: [BatchItem] = []
        let report = try BatchPlanner(per: per).plan(sources) { items.append($0) }
        try ledger.add(items)
        try ledger.saveTallies(report.tallies)
        return (ledger, try ResultsFile(path: path, ledger: ledger), path)
    }

    static func lines(_ path: String) throws -> [[String: Any]] {
        try LedgerTests.contents(path).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    static func server(
        _ answer: @escaping @Sendable (_ user: String) -> TestHTTPServer.Reply = { _ in .openAIChat("A summary.", promptTokens: 1000, completionTokens: 100) },
        _ body: (TestHTTPServer) async throws -> Void
    ) async throws {
        try await TestHTTPServer.serving(
            { received in
                let json = (try? JSONSerialization.jsonObject(with: Data(received.body))) as? [String: Any]
                let user = ((json?["messages"] as? [[String: Any]])?.last?["content"] as? String) ?? ""
                return answer(user)
            }, body)
    }

    static func backend(_ server: TestHTTPServer) -> HTTPChatBackend {
        HTTPChatBackend(
            config: BackendConfig(
                name: "local", kind: .openaiCompatible, model: "test-model", baseURL: server.baseURL + "/v1",
                capabilities: BackendCapabilities(contextWindow: 32_000, maxOutputTokens: 1_000), readTimeout: 20, totalTimeout: 60))
    }

    @Test("offline: every thread of the exports summarised once, with where it came from; a second run does nothing")
    func builtinThreads() async throws {
        let (ledger, results, path) = try Self.setUp([BatchSource(path: PlannerTests.batch)])
        let route = Route(task: "summarise", backends: [BuiltinBackend(handlers: OfflineTasks.handlers)])
        let runner = BatchRunner(task: .summarise(TaskOptions(stream: false)), route: route, jobs: 3)
        let summary = try await runner.run(ledger: ledger, results: results)
        results.close()
        #expect(summary.stop == .finished)
        let lines = try Self.lines(path)
        #expect(lines.count == summary.progress.done)
        #expect(Set(lines.compactMap { $0["id"] as? String }).count == lines.count)
        let budget = try #require(lines.first { $0["id"] as? String == "thread:gmail:1001" })
        #expect(budget["schema"] as? String == "quire.batch")
        #expect(budget["kind"] as? String == "thread")
        #expect(budget["answered_by"] as? String == "builtin")
        let text = try #require(budget["result"] as? String)
        #expect(text.contains("Please send the budget figures by Friday."))
        #expect(text.contains("120,000 for travel"))
        // The quoted history of the reply is not its new text.
        #expect(text.components(separatedBy: "Please send the budget figures").count == 2)
        let messages = try #require(budget["messages"] as? [[String: Any]])
        #expect(messages.map { $0["message_id"] as? String } == ["t1@example.org", "t2@example.org"])
        #expect(messages.first?["labels"] as? [String] == ["Inbox", "Work"])
        #expect(messages.first?["offset"] as? Int == 0)
        // Again: nothing left to do, nothing written twice.
        let again = try ResultsFile(path: path, ledger: ledger)
        let second = try await runner.run(ledger: ledger, results: again)
        again.close()
        #expect(second.progress.done == 0)
        #expect(try Self.lines(path).count == lines.count)
    }

    @Test("extract: each message as its quire.mail object, no model")
    func extract() async throws {
        let (ledger, results, path) = try Self.setUp([BatchSource(path: PlannerTests.batch + "/mboxrd.mbox")], per: .message)
        _ = try await BatchRunner(task: .extract, route: nil).run(ledger: ledger, results: results)
        results.close()
        let lines = try Self.lines(path)
        #expect(lines.count == 2)
        // Lines are written as items finish, not in the mbox's order: pick the message by id.
        let mails = lines.compactMap { $0["result"] as? [String: Any] }
        #expect(Set(mails.compactMap { $0["message_id"] as? String }) == ["rd1@example.org", "rd2@example.org"])
        let mail = try #require(mails.first { $0["message_id"] as? String == "rd1@example.org" })
        #expect(mail["schema"] as? String == "quire.mail")
        #expect((mail["text_body"] as? String)?.contains("From the archive: escaped once.") == true)
    }

    @Test("against a local server: one request per item, usage and cost per line, nothing sent again on a re-run")
    func server() async throws {
        try await Self.server { server in
            let backend = Self.backend(server)
            let (ledger, results, path) = try Self.setUp([BatchSource(path: PlannerTests.batch)], per: .message)
            let route = Route(task: "summarise", backends: [backend])
            let prices = ["local": Pricing(inputPerMillion: 2, outputPerMillion: 10)]
            let runner = BatchRunner(task: .summarise(TaskOptions(length: .short, stream: false)), route: route, prices: prices, jobs: 4)
            let summary = try await runner.run(ledger: ledger, results: results)
            results.close()
            #expect(summary.progress.done == 18)
            #expect(server.received.count == 18)
            let lines = try Self.lines(path)
            #expect(lines.allSatisfy { $0["answered_by"] as? String == "local" && $0["result"] as? String == "A summary." })
            let usage = try #require(lines.first?["usage"] as? [String: Any])
            #expect(usage["input_tokens"] as? Int == 1000 && usage["output_tokens"] as? Int == 100)
            let cost = try #require(lines.first?["cost"] as? Double)
            #expect(abs(cost - (1000 * 2 + 100 * 10) / 1_000_000) < 1e-12)
            // Requests name files, never absolute paths.
            #expect(server.received.allSatisfy { !$0.bodyText.contains(Fixtures.root) })
            let again = try ResultsFile(path: path, ledger: ledger)
            _ = try await runner.run(ledger: ledger, results: again)
            again.close()
            #expect(server.received.count == 18)
            try await backend.shutdown()
        }
    }

    @Test("--estimate reads and plans, sends nothing, and its figures are those of the requests a run then sends")
    func estimate() async throws {
        try await Self.server { server in
            let backend = Self.backend(server)
            let (ledger, results, _) = try Self.setUp([BatchSource(path: PlannerTests.batch)])
            let route = Route(task: "summarise", backends: [backend])
            let prices = ["local": Pricing(inputPerMillion: 3, outputPerMillion: 15)]
            let runner = BatchRunner(task: .summarise(TaskOptions(length: .medium, stream: false)), route: route, prices: prices, jobs: 2)
            let estimate = try await runner.estimate(ledger: ledger, batchDiscount: 0.5)
            #expect(server.received.isEmpty)
            let pending = try ledger.counts()[.pending] ?? 0
            #expect(estimate.items == pending && estimate.requests == pending)
            _ = try await runner.run(ledger: ledger, results: results)
            results.close()
            // Hand count over what went on the wire: system + messages, with the estimator's rule.
            var tokens = 0
            var maxOut = 0
            for received in server.received {
                let json = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any])
                let messages = try #require(json["messages"] as? [[String: Any]])
                var system = 0
                var rest = 0
                for message in messages {
                    let content = message["content"] as? String ?? ""
                    if message["role"] as? String == "system" { system += TokenEstimate.tokens(content) } else { rest += TokenEstimate.tokens(content) + 4 }
                }
                tokens += system + 8 + rest
                maxOut += json["max_tokens"] as? Int ?? 0
            }
            #expect(estimate.inputTokens == tokens)
            #expect(estimate.maxOutputTokens == maxOut)
            let cost = (Double(tokens) * 3 + Double(maxOut) * 15) / 1_000_000
            #expect(abs((estimate.cost ?? 0) - cost) < 1e-9)
            #expect(abs((estimate.batchCost ?? 0) - cost / 2) < 1e-9)
            try await backend.shutdown()
        }
    }

    @Test("--max-cost stops before the budget would be passed; the rest stays pending and a larger budget finishes it")
    func maxCost() async throws {
        try await Self.server({ _ in .openAIChat("A summary.", promptTokens: 100, completionTokens: 100) }) { server in
            let backend = Self.backend(server)
            let (ledger, results, path) = try Self.setUp([BatchSource(path: PlannerTests.batch)], per: .message)
            let route = Route(task: "summarise", backends: [backend], maxOutputTokens: 200)
            let prices = ["local": Pricing(inputPerMillion: 1_000, outputPerMillion: 1_000)]
            // Each item may cost at most (its estimated input + 200) × $0.001 — over $0.2; the server bills $0.2.
            let runner = BatchRunner(task: .summarise(TaskOptions(stream: false)), route: route, prices: prices, jobs: 1, maxCost: 2)
            let summary = try await runner.run(ledger: ledger, results: results)
            results.close()
            #expect(summary.stop == .budget)
            #expect(summary.progress.done > 0 && summary.progress.done < 18)
            #expect((summary.progress.cost ?? 0) <= 2)
            #expect(try ledger.counts()[.pending] == 18 - summary.progress.done)
            let more = BatchRunner(task: .summarise(TaskOptions(stream: false)), route: route, prices: prices, jobs: 3, maxCost: 1_000)
            let again = try ResultsFile(path: path, ledger: ledger)
            let rest = try await more.run(ledger: ledger, results: again)
            again.close()
            #expect(rest.stop == .finished)
            #expect(try Self.lines(path).count == 18)
            try await backend.shutdown()
        }
    }

    @Test("a failing item gets a line with its error; --retry-failed does it again and it then appears once")
    func failures() async throws {
        let broken = Atomic<Bool>(true)
        try await Self.server({ user in
            if user.contains("Party at eight") && broken.load(ordering: .relaxed) {
                return .body(#"{"error":{"message":"bad input","type":"invalid_request_error"}}"#, status: 400)
            }
            return .openAIChat("Fine.", promptTokens: 10, completionTokens: 2)
        }) { server in
            let backend = Self.backend(server)
            let (ledger, results, path) = try Self.setUp([BatchSource(path: PlannerTests.batch + "/takeout.mbox")], per: .message)
            let runner = BatchRunner(task: .summarise(TaskOptions(stream: false)), route: Route(task: "summarise", backends: [backend]))
            _ = try await runner.run(ledger: ledger, results: results)
            results.close()
            let failed = try #require(try Self.lines(path).first { $0["id"] as? String == "msg:t3@example.org" })
            let error = try #require(failed["error"] as? [String: Any])
            #expect(error["code"] as? String == "bad_request")
            #expect(failed["result"] is NSNull)
            #expect(try ledger.reconciliation().first?.failures == ["bad_request": 1])
            broken.store(false, ordering: .relaxed)
            try ledger.resetFailed()
            let again = try ResultsFile(path: path, ledger: ledger)
            _ = try await runner.run(ledger: ledger, results: again)
            again.close()
            let lines = try Self.lines(path)
            #expect(lines.count == 4)
            #expect(lines.filter { $0["id"] as? String == "msg:t3@example.org" }.count == 1)
            #expect(lines.allSatisfy { $0["error"] is NSNull })
            try await backend.shutdown()
        }
    }

    @Test("requests per minute: the third request in a minute waits for the first to leave the window")
    func requestsPerMinute() async throws {
        let clock = JumpingClock()
        let limiter = RateLimiter(requestsPerMinute: 2, tokensPerMinute: nil, clock: clock)
        try await limiter.acquire(tokens: 10)
        try await limiter.acquire(tokens: 10)
        #expect(clock.sleeps.isEmpty)
        try await limiter.acquire(tokens: 10)
        #expect(clock.sleeps == [1_060])
    }

    @Test("tokens per minute: a request waits until enough of the window's tokens have expired")
    func tokensPerMinute() async throws {
        let clock = JumpingClock()
        let limiter = RateLimiter(requestsPerMinute: nil, tokensPerMinute: 1_000, clock: clock)
        try await limiter.acquire(tokens: 600)
        try await clock.sleep(seconds: 10)
        try await limiter.acquire(tokens: 300)
        try await limiter.acquire(tokens: 500)  // 1,400 > 1,000: waits for the 600 to expire (t = 1,060)
        #expect(clock.sleeps.last == 1_060)
    }

    @Test("a 429 with Retry-After pauses every worker of the backend, not only the one that got it")
    func rateLimitPausesAll() async throws {
        let calls = Atomic<Int>(0)
        try await TestHTTPServer.serving({ _ in
            if calls.add(1, ordering: .relaxed).newValue == 1 {
                return .body(
                    #"{"error":{"message":"slow down","type":"rate_limit_error"}}"#, status: 429,
                    headers: [("Content-Type", "application/json"), ("Retry-After", "30")])
            }
            return .openAIChat("ok", promptTokens: 1, completionTokens: 1)
        }) { server in
            let clock = JumpingClock()
            let http = Self.backend(server)
            let limiter = RateLimiter(requestsPerMinute: nil, tokensPerMinute: nil, clock: clock)
            let first = RateLimitedBackend(http, limiter: limiter)
            let second = RateLimitedBackend(http, limiter: limiter)
            await #expect(throws: LLMError.self) { _ = try await first.complete(ChatRequest(messages: [.user("a")], stream: false)) }
            #expect(await limiter.pauses == 1)
            let answer = try await second.complete(ChatRequest(messages: [.user("b")], stream: false))
            #expect(answer.text == "ok")
            #expect(clock.sleeps == [1_030], "the other worker waited for the pause the 429 set")
            try await http.shutdown()
        }
    }
}
