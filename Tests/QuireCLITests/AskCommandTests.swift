import Foundation
import QuireTestServer
import QuireTestSupport
import Testing

struct AskCommandTests {
    static let report = "TestDocuments/sample-report.docx"

    @Test("offline: the best passages quoted with their numbers, then the sources with file, anchor and place; --json carries them")
    func offline() async throws {
        let env = TaskCommandTests.cleanEnvironment()
        let result = try await quire(["ask", Self.report, "Where did the new warehouses open?"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("- \"Two new warehouses opened in Lyon and Porto\" [1]"))
        #expect(result.stdout.contains("\nSources:\n[1] TestDocuments/sample-report.docx b6 (Highlights)\n    > Two new warehouses opened in Lyon and Porto\n"))
        let json = try await quire(["ask", "--json", Self.report, "TestDocuments/sales.xlsx", "What was the South's Q3 revenue?"], environment: env)
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["task"] as? String == "ask" && object["found"] as? Bool == true)
        let citations = try #require(object["citations"] as? [[String: Any]])
        #expect(citations.first?["anchor"] as? String == "b9.r3c1")
        #expect(citations.first?["text"] as? String == "Region: South; Q2 (k€): 1,100; Q3 (k€): 1,180")
        #expect(object["answered_by"] as? String == "builtin")
    }

    @Test("no passage holds the question's words: 'Not in the documents.', nothing sent, the words named on standard error")
    func notFound() async throws {
        try await TestHTTPServer.serving({ _ in TaskCommandTests.jsonReply("should not be asked") }) { server in
            let config = try TaskCommandTests.config(server, extra: "  ask: { use: [local] }")
            let env = TaskCommandTests.cleanEnvironment(["QUIRE_TEST_KEY": TaskCommandTests.key])
            let result = try await quire(["ask", "--config", config, Self.report, "What is the CEO's salary?"], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "Not in the documents.\n")
            #expect(result.stderr.contains("holds any of the words 'ceo', 'salary'"), "\(result.stderr)")
            #expect(server.received.isEmpty)
            let json = try await quire(["ask", "--json", "--config", config, Self.report, "What is the CEO's salary?"], environment: env)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            #expect(object["found"] as? Bool == false && (object["citations"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("through a local server: passages sent numbered, the answer's citations resolved, a number not given flagged, the key never shown")
    func localServer() async throws {
        try await TestHTTPServer.serving({ received in
            let user = TaskCommandTests.userMessage(received)
            let blocks = user.components(separatedBy: "n=\"")
            // Cite the passage about the main risk by its number, and one that was not given.
            let risk = blocks.first { $0.contains("Supplier delays") }.map { String($0.prefix { $0 != "\"" }) } ?? "0"
            return TaskCommandTests.jsonReply("The main risk is \"supplier delays\" [\(risk)]; see also [42].")
        }) { server in
            let config = try TaskCommandTests.config(server, extra: "  ask: { use: [local] }")
            let env = TaskCommandTests.cleanEnvironment(["QUIRE_TEST_KEY": TaskCommandTests.key])
            let result = try await quire(["ask", "--config", config, "--no-stream", Self.report, "What is the main risk?"], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(server.received.count == 1)
            #expect(result.stdout.hasPrefix("The main risk is \"supplier delays\" [1]; see also [42]."))
            #expect(result.stdout.contains("[1] TestDocuments/sample-report.docx b11 (Risks)\n    > Supplier delays remain the main risk."))
            #expect(result.stdout.contains("*Warning: the answer cites [42], which is not one of the"))
            #expect(!result.stdout.contains(TaskCommandTests.key) && !result.stderr.contains(TaskCommandTests.key))
            let user = TaskCommandTests.userMessage(server.received[0])
            #expect(user.hasPrefix("Question: What is the main risk?") && user.contains("anchor=\"b11\""))
        }
    }

    @Test("the question comes last: usage errors (exit 2); a file that cannot be read fails (exit 1), the others are still asked")
    func arguments() async throws {
        let env = TaskCommandTests.cleanEnvironment()
        let alone = try await quire(["ask", "What is the main risk?"], environment: env)
        #expect(alone.status == 2 && alone.stderr.contains("give one file or more, then the question"))
        let swapped = try await quire(["ask", "What is the main risk?", Self.report], environment: env)
        #expect(swapped.status == 2 && swapped.stderr.contains("the question comes last"))
        let missing = try await quire(["ask", "/nonexistent/q.docx", Self.report, "What is the main risk?"], environment: env)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("/nonexistent/q.docx"))
        #expect(missing.stdout.contains("Supplier delays remain the main risk."))
    }
}
