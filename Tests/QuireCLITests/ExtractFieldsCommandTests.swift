import Foundation
import QuireTestServer
import QuireTestSupport
import Testing

struct ExtractFieldsCommandTests {
    static let invoices = "TestDocuments/mail/invoices.mbox"

    static func objects(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test("offline: one line per message with the labelled values, valid against the fields; a schema file works the same")
    func offline() async throws {
        let env = TaskCommandTests.cleanEnvironment()
        let run = try await quire(["extract-fields", "--fields", "invoice_no, total:number, due:date", Self.invoices], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = Self.objects(run.stdout)
        #expect(lines.count == 3)
        #expect(lines[0]["id"] as? String == "<inv-1042@supplier.example>" && lines[0]["valid"] as? Bool == true)
        let fields = try #require(lines[0]["fields"] as? [String: Any])
        #expect(fields["invoice_no"] as? String == "INV-1042" && fields["total"] as? Double == 4200.5 && fields["due"] as? String == "2024-03-31")
        #expect(
            run.stdout.hasPrefix(
                #"{"file":"TestDocuments/mail/invoices.mbox","id":"<inv-1042@supplier.example>","fields":{"invoice_no":"INV-1042","total":4200.5,"due":"2024-03-31"}"#
            ))
        let path = NSTemporaryDirectory() + "quire-schema-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try #"{"properties": {"invoice_no": {"type": "string"}, "total": {"type": "number"}, "due": {"type": "string", "format": "date"}}}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let schemaRun = try await quire(["extract-fields", "--schema", path, Self.invoices], environment: env)
        #expect(schemaRun.stdout == run.stdout)
    }

    @Test("through a local server: an answer that breaks the schema is asked again once; one still wrong is written with its errors (exit 1)")
    func retried() async throws {
        try await TestHTTPServer.serving({ received in
            let body = received.bodyText
            let retry = body.contains("does not follow the schema")
            if body.contains("INV-1042") {
                return TaskCommandTests.jsonReply(retry ? #"{"invoice_no":"INV-1042","total":4200.5}"# : #"{"invoice_no":"INV-1042","total":"4,200.50"}"#)
            }
            return TaskCommandTests.jsonReply(#"{"invoice_no": 7, "total": null}"#)
        }) { server in
            let config = try TaskCommandTests.config(server, extra: "  extract-fields: { use: [local] }")
            let env = TaskCommandTests.cleanEnvironment(["QUIRE_TEST_KEY": TaskCommandTests.key])
            let run = try await quire(["extract-fields", "--config", config, "--fields", "invoice_no, total:number", Self.invoices], environment: env)
            #expect(run.status == 1)
            let lines = Self.objects(run.stdout)
            #expect(lines.count == 3)
            #expect(lines[0]["valid"] as? Bool == true && lines[0]["retried"] as? Bool == true)
            #expect(lines[1]["valid"] as? Bool == false && lines[1]["retried"] as? Bool == true)
            #expect((lines[1]["errors"] as? [String]) == ["invoice_no: expected a string, got 7"])
            #expect(server.received.count == 6)
            #expect(!run.stdout.contains(TaskCommandTests.key) && !run.stderr.contains(TaskCommandTests.key))
        }
    }

    @Test("usage: one of --schema and --fields; a schema that cannot be used names the problem (exit 2)")
    func usage() async throws {
        let env = TaskCommandTests.cleanEnvironment()
        let neither = try await quire(["extract-fields", Self.invoices], environment: env)
        #expect(neither.status == 2 && neither.stderr.contains("give --schema FILE or --fields"))
        let wrong = try await quire(["extract-fields", "--fields", "total:money", Self.invoices], environment: env)
        #expect(wrong.status == 2 && wrong.stderr.contains("'money' of 'total' is no type"))
    }
}

struct BatchExtractFieldsTests {
    @Test("quire batch --task extract-fields: one record per message as JSON in result, a broken answer asked again once, still broken: in review")
    func batch() async throws {
        let dir = NSTemporaryDirectory() + "quire-batch-fields-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: Fixtures.path("mail/invoices.mbox"), toPath: dir + "/invoices.mbox")
        try await TestHTTPServer.serving({ received in
            let body = received.bodyText
            if body.contains("INV-1042") {
                return TaskCommandTests.jsonReply(
                    body.contains("does not follow the schema") ? #"{"invoice_no":"INV-1042","total":4200.5}"# : #"{"invoice_no":"INV-1042","total":"4200.50"}"#
                )
            }
            return TaskCommandTests.jsonReply(#"{"invoice_no": null, "total": "n/a"}"#)
        }) { server in
            let config = try TaskCommandTests.config(server, extra: "  extract-fields: { use: [local] }")
            let env = TaskCommandTests.cleanEnvironment(["QUIRE_TEST_KEY": TaskCommandTests.key])
            let run = try await quire(
                [
                    "batch", "invoices.mbox", "--task", "extract-fields", "--fields", "invoice_no, total:number", "--per", "message", "--out", "r.jsonl",
                    "--config", config, "--quiet",
                ], environment: env, directory: dir)
            #expect(run.status == 0, "\(run.stderr)")
            let lines = BatchCommandTests.resultLines(dir + "/r.jsonl").compactMap(BatchCommandTests.object)
            #expect(lines.count == 3)
            let invoice = try #require(lines.first { ($0["result"] as? [String: Any])?["invoice_no"] as? String == "INV-1042" })
            #expect((invoice["result"] as? [String: Any])?["total"] as? Double == 4200.5)
            #expect(invoice["review"] == nil && invoice["task"] as? String == "extract-fields")
            let other = try #require(lines.first { ($0["result"] as? [String: Any])?["invoice_no"] is NSNull })
            #expect((other["review"] as? [String]) == ["does not follow the schema: total: expected a number, got \"n/a\""])
            #expect(server.received.count == 6, "three items, each asked again once")
            // The same run again: nothing is asked.
            let again = try await quire(
                [
                    "batch", "invoices.mbox", "--task", "extract-fields", "--fields", "invoice_no, total:number", "--per", "message", "--out", "r.jsonl",
                    "--config", config, "--quiet",
                ], environment: env, directory: dir)
            #expect(again.status == 0 && server.received.count == 6)
        }
    }
}
