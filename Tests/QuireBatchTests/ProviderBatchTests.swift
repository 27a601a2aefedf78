import Foundation
import QuireBackends
import QuireBatch
import QuireLLM
import QuireRouter
import QuireTasks
import QuireTestServer
import Testing

/// `--via provider-batch` end to end against a local stand-in for OpenAI's Batch API and
/// Anthropic's Message Batches: requests split to the limits, results in random order,
/// errored, rate-limited and expired requests, resubmission, exactly-once results.
struct ProviderBatchTests {
    /// An mbox of `count` messages "Item 1" … "Item N".
    static func mailbox(_ count: Int) throws -> String {
        let dir = NSTemporaryDirectory() + "quire-pbatch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var text = ""
        for i in 1...count {
            text += "From sender@example.org Mon Jan  1 10:00:00 2024\nFrom: Sender <s\(i)@example.org>\nTo: team@example.org\n"
            text += "Subject: Item \(i)\nDate: Mon, 01 Jan 2024 10:\(String(format: "%02d", i)):00 +0000\nMessage-ID: <item-\(i)@example.org>\n\n"
            text += "The body of Item \(i).\n\n"
        }
        try text.write(toFile: dir + "/export.mbox", atomically: true, encoding: .utf8)
        return dir + "/export.mbox"
    }

    static func token(_ user: String) -> String {
        user.range(of: #"Item [0-9]+"#, options: .regularExpression).map { String(user[$0]) } ?? "?"
    }

    /// Item 3 is refused; Item 5 expires and Item 7 is rate-limited the first time.
    static let provider = { @Sendable (customID: String, user: String, attempt: Int) -> FakeBatchProvider.Outcome in
        let token = token(user)
        if token == "Item 3" { return .errored(status: 400, type: "invalid_request_error", message: "bad input") }
        if token == "Item 5" && attempt == 0 { return .expired }
        if token == "Item 7" && attempt == 0 { return .errored(status: 429, type: "rate_limit_error", message: "slow down") }
        return .succeeded("Summary of " + token)
    }

    func run(kind: BackendConfig.Kind, maxRequests: Int?) async throws {
        let fake = FakeBatchProvider(pollsBeforeEnd: 1, answer: Self.provider)
        try await TestHTTPServer.serving({ fake.handle($0) }) { server in
            fake.setBaseURL(server.baseURL)
            let mbox = try Self.mailbox(12)
            let (ledger, results, path) = try RunnerTests.setUp([BatchSource(path: mbox)], per: .message)
            let config = BackendConfig(
                name: "provider", kind: kind, model: "model-x", baseURL: server.baseURL + (kind == .openai ? "/v1" : ""), apiKey: "sk-test",
                capabilities: BackendCapabilities(contextWindow: 100_000, maxOutputTokens: 1_000), readTimeout: 20, totalTimeout: 60)
            let client = HTTPBatchClient(config: config, maxRequests: maxRequests)
            let chat = HTTPChatBackend(config: config)
            let runner = BatchRunner(
                task: .summarise(TaskOptions(stream: false)), route: Route(task: "summarise", backends: [chat]),
                prices: ["provider": Pricing(inputPerMillion: 2, outputPerMillion: 10)])
            let batch = ProviderBatchRunner(runner: runner, client: client, priceFactor: 0.5)
            let outcome: Result<Void, any Error>
            do {
                try await Self.exercise(batch, fake: fake, kind: kind, maxRequests: maxRequests, ledger: ledger, results: results, path: path)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            try await chat.shutdown()
            try await client.shutdown()
            try outcome.get()
        }
    }

    static func exercise(
        _ batch: ProviderBatchRunner, fake: FakeBatchProvider, kind: BackendConfig.Kind, maxRequests: Int?, ledger: BatchLedger, results: ResultsFile,
        path: String
    ) async throws {
        do {
            let submitted = try await batch.submit(ledger: ledger, results: results)
            #expect(submitted.requests == 12)
            #expect(submitted.batches.count == (maxRequests.map { (12 + $0 - 1) / $0 } ?? 1))
            if kind == .openai {
                #expect(fake.log.filter { $0 == "POST /v1/files" }.count == submitted.batches.count)
                #expect(fake.log.filter { $0 == "POST /v1/batches" }.count == submitted.batches.count)
            } else {
                #expect(fake.log.filter { $0 == "POST /v1/messages/batches" }.count == submitted.batches.count)
            }
            #expect(try ledger.counts()[.submitted] == 12)
            // A second submit finds nothing left to send.
            #expect(try await batch.submit(ledger: ledger, results: results).requests == 0)

            // Still running: nothing is written.
            var collected = try await batch.collect(ledger: ledger, results: results)
            #expect(collected.running.count == submitted.batches.count)
            #expect(LedgerTests.contents(path).isEmpty)
            // Ended: results in random order, each to its item; expired and rate-limited sent again.
            collected = try await batch.collect(ledger: ledger, results: results)
            #expect(collected.ended.count == submitted.batches.count)
            #expect(collected.resubmitted == 2)
            #expect(try RunnerTests.lines(path).count == 10)
            collected = try await batch.collect(ledger: ledger, results: results)
            #expect(collected.running.count == 1)
            collected = try await batch.collect(ledger: ledger, results: results)
            #expect(collected.running.isEmpty && collected.resubmitted == 0)
            results.close()

            let lines = try RunnerTests.lines(path)
            #expect(lines.count == 12)
            #expect(Set(lines.compactMap { $0["id"] as? String }).count == 12)
            for line in lines {
                let subject = try #require(line["subject"] as? String)
                if subject == "Item 3" {
                    let error = try #require(line["error"] as? [String: Any])
                    #expect(error["code"] as? String == "bad_request")
                } else {
                    #expect(line["result"] as? String == "Summary of " + subject)
                    #expect(line["provider_batch"] is String)
                    let cost = try #require(line["cost"] as? Double)
                    #expect(abs(cost - (100.0 * 2 + 10 * 10) / 1_000_000 * 0.5) < 1e-12, "costed at the batch price")
                }
            }
            #expect(fake.submittedRequests == 14, "only the expired and the rate-limited request were sent again")
            #expect(try ledger.reconciliation().first?.failures == ["bad_request": 1])
        }
    }

    @Test("OpenAI Batch API: a JSONL file per batch of at most 5 requests, polled, collected once, errored and expired handled")
    func openAI() async throws { try await run(kind: .openai, maxRequests: 5) }

    @Test("Anthropic Message Batches: requests inline with custom ids, results streamed from results_url, collected once")
    func anthropic() async throws { try await run(kind: .anthropic, maxRequests: nil) }

    @Test("extract-fields through a provider batch: each answer checked against the schema and written as the record; one that breaks it goes to the review")
    func extractFields() async throws {
        let fake = FakeBatchProvider(pollsBeforeEnd: 0) { _, user, _ in
            let token = Self.token(user)
            return .succeeded(token == "Item 2" ? #"{"item": "Item 2", "total": "4,200.50"}"# : #"{"item": "\#(token)", "total": 12.5}"#)
        }
        try await TestHTTPServer.serving({ fake.handle($0) }) { server in
            fake.setBaseURL(server.baseURL)
            let mbox = try Self.mailbox(3)
            let (ledger, results, path) = try RunnerTests.setUp([BatchSource(path: mbox)], per: .message)
            let config = BackendConfig(
                name: "provider", kind: .openai, model: "model-x", baseURL: server.baseURL + "/v1", apiKey: "sk-test",
                capabilities: BackendCapabilities(contextWindow: 100_000, maxOutputTokens: 1_000), readTimeout: 20, totalTimeout: 60)
            let client = HTTPBatchClient(config: config, maxRequests: nil)
            let chat = HTTPChatBackend(config: config)
            let schema = try FieldSchema.parse(fields: "item, total:number")
            let runner = BatchRunner(task: .extractFields(schema), route: Route(task: "extract-fields", backends: [chat]))
            let batch = ProviderBatchRunner(runner: runner, client: client)
            let outcome: Result<[[String: Any]], any Error>
            do {
                _ = try await batch.submit(ledger: ledger, results: results)
                _ = try await batch.collect(ledger: ledger, results: results)
                results.close()
                outcome = .success(try RunnerTests.lines(path))
            } catch {
                outcome = .failure(error)
            }
            try await chat.shutdown()
            try await client.shutdown()
            let lines = try outcome.get()
            #expect(lines.count == 3)
            for line in lines {
                let record = try #require(line["result"] as? [String: Any], "\(line)")
                #expect(record["item"] as? String == line["subject"] as? String)
                if line["subject"] as? String == "Item 2" {
                    #expect(record["total"] is NSNull)
                    #expect((line["review"] as? [String])?.first?.contains("does not follow the schema (not asked again in a provider batch): total") == true)
                } else {
                    #expect(record["total"] as? Double == 12.5 && line["review"] == nil)
                }
            }
        }
    }

    @Test("splitting keeps to both the request and the byte limit")
    func splitting() {
        let requests = (1...10).map {
            ProviderBatchRequest(customID: "q\($0)", request: ChatRequest(messages: [.user(String(repeating: "x", count: $0 * 10))]))
        }
        let groups = BatchSplitter.groups(requests, maxRequests: 4, maxBytes: 150) { $0.request.messages[0].content.count }
        #expect(groups.flatMap { $0 }.map(\.customID) == requests.map(\.customID))
        #expect(groups.allSatisfy { $0.count <= 4 })
        #expect(groups.allSatisfy { $0.count == 1 || $0.reduce(0) { $0 + $1.request.messages[0].content.count } <= 150 })
    }

    @Test("--export-requests writes OpenAI batch lines; --import-results reads such output back, each item once")
    func exportImport() async throws {
        let mbox = try Self.mailbox(4)
        let (ledger, results, path) = try RunnerTests.setUp([BatchSource(path: mbox)], per: .message)
        let runner = BatchRunner(task: .summarise(TaskOptions(stream: false)), route: Route(task: "summarise", backends: [BuiltinBackend()]))
        let file = path + ".requests.jsonl"
        #expect(try await ProviderBatchRunner.exportRequests(runner: runner, ledger: ledger, results: results, model: "llama", to: file) == 4)
        let lines = LedgerTests.contents(file).split(separator: "\n")
        #expect(lines.count == 4)
        var output = ""
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["method"] as? String == "POST" && object["url"] as? String == "/v1/chat/completions")
            let body = try #require(object["body"] as? [String: Any])
            #expect(body["model"] as? String == "llama")
            let user = ((body["messages"] as? [[String: Any]])?.last?["content"] as? String) ?? ""
            let customID = try #require(object["custom_id"] as? String)
            output +=
                #"{"custom_id":"\#(customID)","response":{"status_code":200,"body":{"choices":[{"message":{"role":"assistant","content":"Summary of \#(Self.token(user))"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":3}}},"error":null}"#
                + "\n"
        }
        try output.write(toFile: path + ".out.jsonl", atomically: true, encoding: .utf8)
        var imported = try ProviderBatchRunner.importResults(runner: runner, ledger: ledger, results: results, backend: "vllm", from: path + ".out.jsonl")
        #expect(imported.written == 4 && imported.skipped == 0)
        imported = try ProviderBatchRunner.importResults(runner: runner, ledger: ledger, results: results, backend: "vllm", from: path + ".out.jsonl")
        #expect(imported.written == 0 && imported.skipped == 4, "a second import writes nothing twice")
        results.close()
        let written = try RunnerTests.lines(path)
        #expect(written.count == 4)
        #expect(written.allSatisfy { $0["result"] as? String == "Summary of " + ($0["subject"] as? String ?? "") && $0["answered_by"] as? String == "vllm" })
    }
}
