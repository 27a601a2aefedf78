import Foundation
import QuireTestServer
import QuireTestSupport
import Testing

struct TemplateCommandTests {
    @Test("quire run rewrite: Quire's template on the config's route, the style filled in; numbers added or lost flagged under the answer")
    func rewrite() async throws {
        try await TestHTTPServer.serving({ _ in
            TaskCommandTests.jsonReply("Q3: revenue up to 4.2 million (+12%), costs flat, two sites opened. South: 1,190 k€.")
        }) { server in
            let config = try TaskCommandTests.config(server, extra: "  rewrite: { use: [local] }")
            let env = TaskCommandTests.cleanEnvironment(["QUIRE_TEST_KEY": TaskCommandTests.key])
            let result = try await quire(
                ["run", "rewrite", "--config", config, "--no-stream", "--var", "style=shorter", "TestDocuments/sample-report.docx"], environment: env)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.hasPrefix("Q3: revenue up to 4.2 million (+12%)"))
            #expect(result.stdout.contains("**Warning: these numbers are not in the original: 1,190"), "\(result.stdout)")
            #expect(result.stdout.contains("**Warning: these numbers of the original are missing from the answer:"))
            let request = try #require(server.received.first)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            let messages = try #require(json["messages"] as? [[String: Any]])
            #expect((messages.first?["content"] as? String)?.hasPrefix("You are an editor of office documents and email.") == true)
            #expect((messages.last?["content"] as? String)?.hasPrefix("Rewrite the text below so that it is shorter.") == true)
            // Without the style: the variable is named, nothing is sent.
            let missing = try await quire(["run", "rewrite", "--config", config, "TestDocuments/sample-report.docx"], environment: env)
            #expect(missing.status == 2 && missing.stderr.contains("uses {{style}}: give --var style=…"))
            #expect(server.received.count == 1)
        }
    }

    @Test("quire config template prints the templates; with its backends defined, the printed YAML is a config quire models reads")
    func template() async throws {
        let env = TaskCommandTests.cleanEnvironment()
        let printed = try await quire(["config", "template", "coach"], environment: env)
        #expect(printed.status == 0 && printed.stdout.hasPrefix("tasks:\n  # quire run coach"))
        #expect(!printed.stdout.contains("rewrite:"))
        let both = try await quire(["config", "template"], environment: env)
        let path = NSTemporaryDirectory() + "quire-template-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try ("backends:\n  claude: { kind: anthropic, model: claude-sonnet-4-5 }\n  gpt: { kind: openai, model: gpt-5 }\n" + both.stdout)
            .write(toFile: path, atomically: true, encoding: .utf8)
        let models = try await quire(["models", "--config", path], environment: env)
        #expect(models.status == 0, "\(models.stderr)")
        #expect(models.stdout.contains("rewrite") && models.stdout.contains("coach"))
        let unknown = try await quire(["config", "template", "translate"], environment: env)
        #expect(unknown.status == 2 && unknown.stderr.contains("Quire ships: rewrite, coach"))
    }
}
