import Foundation
import QuireTestServer
import QuireTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `quire batch` as a user runs it: killed at any point and started again, interrupted,
/// out of budget, misconfigured.
struct BatchCommandTests {
    /// An mbox of `count` messages, each with a token ("Item 17") in its subject and body.
    static func mailbox(_ count: Int) throws -> String {
        let dir = NSTemporaryDirectory() + "quire-batch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var text = ""
        for i in 1...count {
            text += "From sender@example.org Mon Jan  1 10:00:00 2024\n"
            text += "From: Sender \(i) <sender\(i)@example.org>\nTo: team@example.org\nSubject: Item \(i)\n"
            text += "Date: Mon, 01 Jan 2024 10:\(String(format: "%02d", i % 60)):00 +0000\nMessage-ID: <item-\(i)@example.org>\n\n"
            text += "This is the body of Item \(i). It says something about item \(i).\n\n"
        }
        try text.write(toFile: dir + "/export.mbox", atomically: true, encoding: .utf8)
        return dir
    }

    /// A server answering each request with "Summary of Item N" after `delay` seconds.
    static func answering(
        delay: Double, tokens: (input: Int, output: Int) = (50, 5), _ onRequest: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> @Sendable (TestHTTPServer.Received) -> TestHTTPServer.Reply {
        let count = Atomic<Int>(0)
        return { received in
            onRequest(count.add(1, ordering: .relaxed).newValue)
            let body = received.bodyText
            var token = "unknown"
            if let range = body.range(of: #"Item [0-9]+"#, options: .regularExpression) { token = String(body[range]) }
            var reply = TestHTTPServer.Reply.openAIChat("Summary of \(token)", promptTokens: tokens.input, completionTokens: tokens.output)
            reply.chunks[0].delay = delay
            return reply
        }
    }

    static func config(_ server: TestHTTPServer, dir: String) throws -> String {
        let path = dir + "/config.yaml"
        try """
        backends:
          local: { kind: openai-compatible, model: m, base_url: \(server.baseURL)/v1, input_price: 1, output_price: 2 }
        tasks:
          summarise: { use: [local] }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts `quire` without waiting for it.
    static func launch(_ arguments: [String], directory: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.quireExecutable)
        process.arguments = arguments
        process.environment = TaskCommandTests.cleanEnvironment()
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func resultLines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    static func object(_ line: String) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
    }

    @Test("SIGKILL at 20 random points, then the same command: every item exactly once, every line whole JSON that matches its item")
    func killAndResume() async throws {
        let dir = try Self.mailbox(40)
        let pid = Atomic<Int32>(0)
        let killAt = Atomic<Int>(0)
        try await TestHTTPServer.serving(
            Self.answering(delay: 0.01) { n in
                let target = killAt.load(ordering: .relaxed)
                if target > 0 && n >= target, pid.load(ordering: .relaxed) > 0 { kill(pid.load(ordering: .relaxed), SIGKILL) }
            }
        ) { server in
            let config = try Self.config(server, dir: dir)
            let arguments = ["batch", "export.mbox", "--per", "message", "--out", "results.jsonl", "--jobs", "4", "--config", config, "--quiet"]
            var generator = SystemRandomNumberGenerator()
            var killedRuns = 0
            for round in 0..<20 {
                // Some kills land before any request (while planning), the others while answers are in flight.
                let received = server.received.count
                let target = round % 5 == 0 ? 0 : received + Int.random(in: 1...4, using: &generator)
                killAt.store(target, ordering: .relaxed)
                let process = try Self.launch(arguments, directory: dir)
                pid.store(process.processIdentifier, ordering: .relaxed)
                if target == 0 { kill(process.processIdentifier, SIGKILL) }
                try await offThePool { [process] in process.waitUntilExit() }
                pid.store(0, ordering: .relaxed)
                if process.terminationReason == .uncaughtSignal { killedRuns += 1 }
                // Between runs: whole lines never name an item twice.
                let whole = Self.resultLines(dir + "/results.jsonl").compactMap(Self.object)
                let ids = whole.compactMap { $0["id"] as? String }
                #expect(Set(ids).count == ids.count, "round \(round): an item was written twice")
            }
            killAt.store(0, ordering: .relaxed)
            let final = try Self.launch(arguments, directory: dir)
            try await offThePool { [final] in final.waitUntilExit() }
            #expect(final.terminationStatus == 0)
            #expect(killedRuns >= 10)
            var lines = Self.resultLines(dir + "/results.jsonl")
            #expect(lines.last == "")
            lines.removeLast()
            #expect(lines.count == 40)
            var seen = Set<String>()
            for line in lines {
                let object = try #require(Self.object(line), "not whole JSON: \(line.prefix(80))")
                let id = try #require(object["id"] as? String)
                #expect(seen.insert(id).inserted)
                let subject = try #require(object["subject"] as? String)
                #expect(object["result"] as? String == "Summary of " + subject, "\(id) got another item's answer")
            }
            #expect(seen == Set((1...40).map { "msg:item-\($0)@example.org" }))
        }
    }

    @Test("Ctrl-C finishes the calls in flight, records them and exits 130; the same command then finishes")
    func interrupt() async throws {
        let dir = try Self.mailbox(30)
        let pid = Atomic<Int32>(0)
        try await TestHTTPServer.serving(
            Self.answering(delay: 0.05) { n in
                if n == 6, pid.load(ordering: .relaxed) > 0 { kill(pid.load(ordering: .relaxed), SIGINT) }
            }
        ) { server in
            let config = try Self.config(server, dir: dir)
            let arguments = ["batch", "export.mbox", "--per", "message", "--out", "results.jsonl", "--jobs", "3", "--config", config, "--quiet"]
            let process = try Self.launch(arguments, directory: dir)
            pid.store(process.processIdentifier, ordering: .relaxed)
            try await offThePool { [process] in process.waitUntilExit() }
            pid.store(0, ordering: .relaxed)
            #expect(process.terminationStatus == 130)
            let sent = server.received.count
            let written = Self.resultLines(dir + "/results.jsonl").compactMap(Self.object)
            #expect(written.count == sent, "every request that was sent has its line")
            #expect(sent < 30)
            let again = try await quire(arguments, environment: TaskCommandTests.cleanEnvironment(), directory: dir)
            #expect(again.status == 0)
            #expect(Self.resultLines(dir + "/results.jsonl").compactMap(Self.object).count == 30)
            #expect(server.received.count == 30, "nothing was asked twice")
        }
    }

    @Test("--estimate sends nothing and prints the figures; --max-cost stops with status 5; report reconciles")
    func estimateBudgetReport() async throws {
        let dir = try Self.mailbox(12)
        // The server bills about what a request may cost at most (~400 in, 900 out: $0.0022).
        try await TestHTTPServer.serving(Self.answering(delay: 0, tokens: (400, 900))) { server in
            let config = try Self.config(server, dir: dir)
            let base = ["batch", "export.mbox", "--per", "message", "--out", "results.jsonl", "--config", config]
            let estimate = try await quire(base + ["--estimate"], environment: TaskCommandTests.cleanEnvironment(), directory: dir)
            #expect(estimate.status == 0, "\(estimate.stderr)")
            #expect(server.received.isEmpty)
            #expect(estimate.stdout.contains("items to do:        12"))
            #expect(estimate.stdout.contains("requests:           12"))
            #expect(estimate.stdout.contains("cost, one by one:   at most $"))
            #expect(estimate.stdout.contains("cost, provider batch: n/a"))
            // A budget of $0.006 lets two items through, not all.
            let budget = try await quire(base + ["--max-cost", "0.006", "--jobs", "1"], environment: TaskCommandTests.cleanEnvironment(), directory: dir)
            #expect(budget.status == 5, "\(budget.stderr)")
            #expect(budget.stderr.contains("--max-cost"))
            let done = server.received.count
            #expect(done > 0 && done < 12)
            let report = try await quire(["batch", "report", "results.jsonl"], environment: TaskCommandTests.cleanEnvironment(), directory: dir)
            #expect(report.status == 1, "items are still pending")
            let row = try #require(report.stdout.split(separator: "\n").first { $0.hasPrefix("export.mbox") })
            let cells = row.split(separator: " ").map(String.init)
            #expect(cells[1] == "12" && cells[5] == "12" && cells[6] == "\(done)" && cells[8] == "\(12 - done)")
            let rest = try await quire(base + ["--max-cost", "10"], environment: TaskCommandTests.cleanEnvironment(), directory: dir)
            #expect(rest.status == 0, "\(rest.stderr)")
            #expect(Self.resultLines(dir + "/results.jsonl").compactMap(Self.object).count == 12)
        }
    }

    @Test("--digest: one more request over every result, the last line and -o; not asked again until the items change, then replaced")
    func digest() async throws {
        let dir = try Self.mailbox(3)
        try await TestHTTPServer.serving(Self.answering(delay: 0)) { server in
            let config = try Self.config(server, dir: dir)
            let command = ["batch", "export.mbox", "--per", "message", "--out", "results.jsonl", "--config", config, "--digest", "-o", "digest.md", "--quiet"]
            let first = try await quire(command, environment: TaskCommandTests.cleanEnvironment(), directory: dir)
            #expect(first.status == 0, "\(first.stderr)")
            #expect(server.received.count == 4)  // three items and the digest
            let digestRequest = try #require(server.received.last).bodyText
            // The digest's request holds every item's answer, oldest conversation first.
            let positions = (1...3).compactMap { digestRequest.range(of: "Summary of Item \($0)")?.lowerBound }
            #expect(positions.count == 3 && positions == positions.sorted(), "\(digestRequest)")
            var lines = Self.resultLines(dir + "/results.jsonl").compactMap(Self.object)
            #expect(lines.count == 4)
            #expect(lines.last?["kind"] as? String == "digest")
            #expect(lines.last?["subject"] as? String == "Digest of 3 items")
            let markdown = try String(contentsOfFile: dir + "/digest.md", encoding: .utf8)
            #expect(
                markdown.trimmingCharacters(in: .whitespacesAndNewlines) == (lines.last?["result"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines))

            let loud = Array(command.dropLast())  // without --quiet: the digest's line on standard error
            let again = try await quire(loud, environment: TaskCommandTests.cleanEnvironment(), directory: dir)
            #expect(again.status == 0, "\(again.stderr)")
            #expect(again.stderr.contains("digest of 3 results (unchanged since the last run)"), "\(again.stderr)")
            #expect(server.received.count == 4, "nothing changed: the stored digest stands")
            #expect(Self.resultLines(dir + "/results.jsonl").compactMap(Self.object).count == 4)

            let more =
                "From sender@example.org Mon Jan  1 11:00:00 2024\nFrom: Sender 4 <s4@example.org>\nSubject: Item 4\n"
                + "Date: Mon, 01 Jan 2024 11:00:00 +0000\nMessage-ID: <item-4@example.org>\n\nThe body of Item 4.\n\n"
            let handle = try #require(FileHandle(forWritingAtPath: dir + "/export.mbox"))
            handle.seekToEndOfFile()
            handle.write(Data(more.utf8))
            handle.closeFile()
            let changed = try await quire(loud, environment: TaskCommandTests.cleanEnvironment(), directory: dir)
            #expect(changed.status == 0, "\(changed.stderr)")
            // The items' table is drawn before the digest, so the digest's line says what it took.
            #expect(changed.stderr.contains("digest of 4 results (50 tokens in, 5 out, $0.0001)"), "\(changed.stderr)")
            #expect(server.received.count == 6)  // the new item and a new digest
            lines = Self.resultLines(dir + "/results.jsonl").compactMap(Self.object)
            #expect(lines.count == 5)
            #expect(lines.filter { $0["kind"] as? String == "digest" }.count == 1, "the old digest line left the results")
            #expect(lines.last?["subject"] as? String == "Digest of 4 items")
        }
    }

    @Test("usage and config errors: an unknown task (2), another run's results file (2), reply with only the offline backend (3)")
    func errors() async throws {
        let dir = try Self.mailbox(2)
        let env = TaskCommandTests.cleanEnvironment()
        let unknown = try await quire(["batch", "export.mbox", "--task", "translate", "--out", "r.jsonl"], environment: env, directory: dir)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("no task 'translate'"))
        let offline = try await quire(["batch", "export.mbox", "--task", "reply", "--out", "r.jsonl"], environment: env, directory: dir)
        #expect(offline.status == 3)
        #expect(offline.stderr.contains("cannot do 'reply'"))
        let first = try await quire(["batch", "export.mbox", "--out", "s.jsonl", "--quiet"], environment: env, directory: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let other = try await quire(["batch", "export.mbox", "--out", "s.jsonl", "--per", "message"], environment: env, directory: dir)
        #expect(other.status == 2)
        #expect(other.stderr.contains("belongs to a run with other settings (per: default — now message)"))
        let missing = try await quire(["batch", "report", "nothing.jsonl"], environment: env, directory: dir)
        #expect(missing.status == 2)
    }

    @Test("a list of paths on standard input, documents among them; extract needs no model")
    func standardInput() async throws {
        let dir = try Self.mailbox(3)
        let list = [Fixtures.path("sample-report.docx"), Fixtures.path("sales.xlsx"), dir + "/export.mbox"].joined(separator: "\n") + "\n"
        let result = try await quire(
            ["batch", "-", "--task", "extract", "--out", "r.jsonl", "--quiet"], stdin: Array(list.utf8), environment: TaskCommandTests.cleanEnvironment(),
            directory: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = Self.resultLines(dir + "/r.jsonl").compactMap(Self.object)
        #expect(lines.count == 5)  // two files and three one-message threads
        let schemas = lines.compactMap { ($0["result"] as? [String: Any])?["schema"] as? String }
        #expect(schemas.sorted() == ["quire.document", "quire.thread", "quire.thread", "quire.thread", "quire.workbook"])
        #expect(lines.allSatisfy { $0["source"] as? String == "standard input" })
    }
}

/// `--via provider-batch` from the command line: submit, status, collect — and a collect
/// killed while it reads the results, then run again.
struct ProviderBatchCommandTests {
    @Test("submit, status (75 while running), collect killed mid-way and run again: every item exactly once")
    func submitStatusCollect() async throws {
        let dir = try BatchCommandTests.mailbox(10)
        let pid = Atomic<Int32>(0)
        let fake = FakeBatchProvider(pollsBeforeEnd: 1) { _, user, _ in
            let token = user.range(of: #"Item [0-9]+"#, options: .regularExpression).map { String(user[$0]) } ?? "?"
            return .succeeded("Summary of " + token)
        }
        let fetches = Atomic<Int>(0)
        try await TestHTTPServer.serving({ received in
            // The collecting process dies when it asks for the second batch's results: the
            // first batch's are written by then, the others not.
            if received.uri.hasSuffix("/content"), pid.load(ordering: .relaxed) > 0, fetches.add(1, ordering: .relaxed).newValue == 3 {
                kill(pid.load(ordering: .relaxed), SIGKILL)
            }
            return fake.handle(received)
        }) { server in
            fake.setBaseURL(server.baseURL)
            let config = dir + "/config.yaml"
            try """
            backends:
              gpt: { kind: openai, model: gpt-test, base_url: \(server.baseURL)/v1, api_key_env: QUIRE_TEST_KEY, input_price: 2, output_price: 8 }
            tasks:
              summarise: { use: [gpt] }
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let env = TaskCommandTests.cleanEnvironment(["QUIRE_TEST_KEY": "sk-test"])
            let submit = try await quire(
                ["batch", "export.mbox", "--per", "message", "--out", "r.jsonl", "--via", "provider-batch", "--batch-max-requests", "4", "--config", config],
                environment: env, directory: dir)
            #expect(submit.status == 0, "\(submit.stderr)")
            #expect(submit.stderr.contains("sent 10 requests to gpt in 3 batches"))
            let status = try await quire(["batch", "status", "r.jsonl"], environment: env, directory: dir)
            #expect(status.status == 75)
            #expect(status.stdout.split(separator: "\n").filter { $0.contains("in_progress") }.count == 3)
            // The batches have ended now; the first collect dies after fetching a results file.
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Fixtures.quireExecutable)
            process.arguments = ["batch", "collect", "r.jsonl", "--quiet"]
            process.environment = env
            process.currentDirectoryURL = URL(fileURLWithPath: dir)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            pid.store(process.processIdentifier, ordering: .relaxed)
            try await offThePool { [process] in process.waitUntilExit() }
            pid.store(0, ordering: .relaxed)
            #expect(process.terminationReason == .uncaughtSignal)
            #expect(BatchCommandTests.resultLines(dir + "/r.jsonl").compactMap(BatchCommandTests.object).count == 4, "the first batch's results")
            let collect = try await quire(["batch", "collect", "r.jsonl"], environment: env, directory: dir)
            #expect(collect.status == 0, "\(collect.stderr)")
            let lines = BatchCommandTests.resultLines(dir + "/r.jsonl").dropLast().map { BatchCommandTests.object($0) }
            #expect(lines.count == 10)
            #expect(Set(lines.compactMap { $0?["id"] as? String }).count == 10)
            #expect(lines.allSatisfy { $0?["result"] as? String == "Summary of " + ($0?["subject"] as? String ?? "") })
            #expect(fake.submittedRequests == 10, "nothing was sent twice")
            let report = try await quire(["batch", "report", "r.jsonl"], environment: env, directory: dir)
            #expect(report.status == 0)
        }
    }
}

struct BatchShardCommandTests {
    @Test("three shards of one export, then merge: every item once, the reconciliation across them")
    func shardsAndMerge() async throws {
        let dir = NSTemporaryDirectory() + "quire-shards-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let env = TaskCommandTests.cleanEnvironment()
        var ids: [String] = []
        for k in 1...3 {
            let shard = try await quire(
                ["batch", Fixtures.path("batch"), "--shard", "\(k)/3", "--out", "part-\(k).jsonl", "--quiet"], environment: env, directory: dir)
            #expect(shard.status == 0, "\(shard.stderr)")
            ids += BatchCommandTests.resultLines(dir + "/part-\(k).jsonl").compactMap { BatchCommandTests.object($0)?["id"] as? String }
        }
        #expect(ids.count == 16 && Set(ids).count == 16, "shards are disjoint and cover every thread")
        let report = try await quire(["batch", "report", "part-1.jsonl"], environment: env, directory: dir)
        #expect(report.stdout.contains("other shards"))
        let merged = try await quire(
            ["batch", "merge", "part-1.jsonl", "part-2.jsonl", "part-3.jsonl", "--out", "all.jsonl"], environment: env, directory: dir)
        #expect(merged.status == 0, "\(merged.stderr)")
        let lines = BatchCommandTests.resultLines(dir + "/all.jsonl").compactMap(BatchCommandTests.object)
        #expect(Set(lines.compactMap { $0["id"] as? String }) == Set(ids))
        let row = try #require(merged.stderr.split(separator: "\n").first { $0.hasSuffix("-") && $0.contains("batch") })
        let cells = row.split(separator: " ").map(String.init)
        // source, found 20, duplicates 2, filtered 0, unreadable 0, items 16, done 16, failed 0, pending 0
        #expect(Array(cells[1...8]) == ["20", "2", "0", "0", "16", "16", "0", "0"])
        let again = try await quire(["batch", "merge", "part-1.jsonl", "--out", "all.jsonl"], environment: env, directory: dir)
        #expect(again.status == 2, "merge never overwrites")
    }
}
