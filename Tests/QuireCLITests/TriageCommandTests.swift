import Foundation
import QuireTestServer
import QuireTestSupport
import Testing

struct TriageCommandTests {
    static let inbox = "TestDocuments/mail/triage.mbox"

    @Test("offline: the Markdown overview and one JSON object per thread; --me from $QUIRE_FROM")
    func offline() async throws {
        let env = TaskCommandTests.cleanEnvironment(["QUIRE_FROM": "Grace Hopper <grace@example.org>"])
        let overview = try await quire(["triage", Self.inbox], environment: env)
        #expect(overview.status == 0, "\(overview.stderr)")
        #expect(overview.stdout.hasPrefix("# Triage\n\n8 items: 3 waiting for a reply, 2 of high priority.\n"))
        #expect(overview.stdout.contains("| high | yes | direct | EU server down | Ops | 2024-03-14 | Ops: Can you approve the failover now? |"))
        let jsonl = try await quire(["triage", "--format", "jsonl", "--per", "message", Self.inbox], environment: env)
        #expect(jsonl.status == 0, "\(jsonl.stderr)")
        let objects = jsonl.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == 9)
        let review = try #require(objects.first { $0["id"] as? String == "<t6@example.org>" })
        #expect(review["needs_reply"] as? Bool == true && review["priority"] as? String == "high")
        let mine = try #require(objects.first { $0["id"] as? String == "<t5@example.org>" })
        #expect(mine["category"] as? String == "sent" && mine["needs_reply"] as? Bool == false)
    }

    @Test("through a local server: one request per thread, the model's JSON taken; an answer without JSON keeps the rules' verdict, with a warning")
    func model() async throws {
        try await TestHTTPServer.serving({ received in
            let user = TaskCommandTests.userMessage(received)
            if user.contains("# EU server down") {
                return TaskCommandTests.jsonReply(
                    #"{"category":"ops","priority":"high","needs_reply":true,"actions":[],"summary":"The EU server is down; approve the failover."}"#)
            }
            return TaskCommandTests.jsonReply("no JSON here")
        }) { server in
            let config = try TaskCommandTests.config(server, extra: "  triage: { use: [local] }")
            let env = TaskCommandTests.cleanEnvironment(["QUIRE_TEST_KEY": TaskCommandTests.key])
            let result = try await quire(
                ["triage", "--config", config, "--me", "grace@example.org", "--labels", "ops, legal", "--format", "jsonl", Self.inbox], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(server.received.count == 8)
            let objects = result.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let outage = try #require(objects.first { $0["subject"] as? String == "EU server down" })
            #expect(outage["summary"] as? String == "The EU server is down; approve the failover.")
            #expect((outage["reasons"] as? [String])?.last == "checked by a model")
            let contract = try #require(objects.first { $0["subject"] as? String == "Supplier contract" })
            #expect(contract["summary"] as? String == "Ada: Could you sign the supplier contract by Friday?")
            #expect((contract["reasons"] as? [String])?.last == "the model's answer was not a JSON object")
            #expect(result.stderr.contains("'Supplier contract': the model's answer is not a JSON object; the rules' verdict stands"))
            #expect(!result.stdout.contains(TaskCommandTests.key) && !result.stderr.contains(TaskCommandTests.key))
        }
    }

    @Test("labels from the config (tasks: triage: labels:, a string or a list) when --labels is not given; --labels wins; an empty one is a config error")
    func configLabels() async throws {
        let path = NSTemporaryDirectory() + "quire-triage-labels-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let env = TaskCommandTests.cleanEnvironment(["QUIRE_FROM": "grace@example.org"])
        func labels(_ yaml: String, _ extra: [String] = []) async throws -> (Int32, [String], String) {
            try "tasks:\n  triage:\n    use: [builtin]\n    labels: \(yaml)\n".write(toFile: path, atomically: true, encoding: .utf8)
            let run = try await quire(["triage", "--config", path, "--format", "jsonl", Self.inbox] + extra, environment: env)
            let objects = run.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            return (run.status, objects.compactMap { $0["category"] as? String }, run.stderr)
        }
        let (status, categories, stderr) = try await labels(#""ops: server failover down, legal: contract sign""#)
        #expect(status == 0, "\(stderr)")
        #expect(categories.filter { $0 == "ops" }.count == 1 && categories.filter { $0 == "legal" }.count == 1, "\(categories)")
        let (_, listed, _) = try await labels(#"["ops: server failover down", "legal: contract sign"]"#)
        #expect(listed == categories)
        let (_, given, _) = try await labels(#""ops: server""#, ["--labels", "finance: numbers"])
        #expect(given.contains("finance") && !given.contains("ops"))
        let (emptyStatus, _, emptyError) = try await labels(#"" , ""#)
        #expect(emptyStatus == 3 && emptyError.contains("'labels' of task 'triage' names no label"), "\(emptyError)")
    }

    @Test("an Outlook archive (PST) is a mailbox to triage, ask and extract fields from, like an mbox")
    func outlookArchive() async throws {
        let env = TaskCommandTests.cleanEnvironment()
        let archive = "TestDocuments/outlook/archive.pst"
        let triage = try await quire(["triage", "--format", "jsonl", "--per", "message", archive], environment: env)
        #expect(triage.status == 0, "\(triage.stderr)")
        let subjects = triage.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["subject"] as? String
        }
        #expect(subjects.contains("Budget approved") && subjects.contains("Offsite booked"))
        let ask = try await quire(["ask", archive, "What is the café budget?"], environment: env)
        #expect(ask.status == 0 && ask.stdout.contains("- \"The café budget is 1,200 euros.\" [1]"), "\(ask.stdout)\(ask.stderr)")
        let fields = try await quire(["extract-fields", "--fields", "subject", archive], environment: env)
        #expect(fields.status == 0 && fields.stdout.split(separator: "\n").count == subjects.count)
    }

    @Test("a document is not mail (exit 1, the others still triaged); --labels with no label is a usage error")
    func arguments() async throws {
        let env = TaskCommandTests.cleanEnvironment()
        let mixed = try await quire(["triage", "TestDocuments/sample-report.docx", Self.inbox], environment: env)
        #expect(mixed.status == 1 && mixed.stderr.contains("is a document, not mail"))
        #expect(mixed.stdout.hasPrefix("# Triage\n\n8 items"))
        let labels = try await quire(["triage", "--labels", " , ", Self.inbox], environment: env)
        #expect(labels.status == 2 && labels.stderr.contains("--labels names no label"))
    }
}
