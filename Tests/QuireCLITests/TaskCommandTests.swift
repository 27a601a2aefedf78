import Foundation
import QuireTestServer
import QuireTestSupport
import Testing

/// The task commands end to end: the built `quire` against the built-in backend, and
/// against a local OpenAI-compatible server named in a config file.
struct TaskCommandTests {
    /// An environment with no provider keys and no config of the user's.
    static func cleanEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory() + "quire-home-none", "XDG_CONFIG_HOME": NSTemporaryDirectory() + "quire-xdg-none"]
        for (k, v) in extra { env[k] = v }
        return env
    }

    static let key = "sk-secret-test-4711"

    /// A config whose every task (and a user task) goes to the local server.
    static func config(_ server: TestHTTPServer, extra: String = "") throws -> String {
        let path = NSTemporaryDirectory() + "quire-config-\(UUID().uuidString).yaml"
        let yaml = """
            backends:
              local:
                kind: openai-compatible
                model: test-model
                base_url: \(server.baseURL)/v1
                api_key_env: QUIRE_TEST_KEY
                input_price: 1
                output_price: 2
            tasks:
              summarise: { use: [local] }
              draft: { use: [local] }
              reply: { use: [local] }
              analyse-table: { use: [local] }
              translate:
                use: [local]
                system: You translate business documents faithfully.
                prompt: "Translate into {{language}}:\\n\\n{{content}}"
            \(extra)
            """
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func jsonReply(_ text: String) -> TestHTTPServer.Reply {
        .openAIChat(text, promptTokens: 1000, completionTokens: 500)
    }

    static func userMessage(_ received: TestHTTPServer.Received) -> String {
        let json = (try? JSONSerialization.jsonObject(with: Data(received.body))) as? [String: Any]
        return ((json?["messages"] as? [[String: Any]])?.last?["content"] as? String) ?? ""
    }

    @Test("the README's main command: an offline extractive summary of the sample report")
    func summariseOffline() async throws {
        let result = try await quire(["summarise", "TestDocuments/sample-report.docx"], environment: Self.cleanEnvironment())
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("*Extractive summary (Quire's built-in offline backend)"))
        #expect(result.stdout.contains("**Revenue by region**"))
        #expect(result.stdout.contains("- Revenue rose to 4.2 million, twelve percent above the second quarter, while costs held flat."))
        #expect(result.stderr.isEmpty)
        let alias = try await quire(["summarize", "--length", "short", "TestDocuments/sample-report.docx"], environment: Self.cleanEnvironment())
        #expect(alias.status == 0 && alias.stdout.split(separator: "\n").count < result.stdout.split(separator: "\n").count)
    }

    @Test("--json gives the result, the route, who answered and the usage")
    func json() async throws {
        let result = try await quire(["summarise", "--json", "TestDocuments/sample-report.docx"], environment: Self.cleanEnvironment())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["task"] as? String == "summarise")
        #expect(object["answered_by"] as? String == "builtin")
        #expect(object["route"] as? [String] == ["builtin"])
        #expect(object["parts"] as? Int == 0)
        #expect((object["result"] as? String)?.contains("Supplier delays remain the main risk.") == true)
        // Several files: one compact object per line.
        let several = try await quire(
            ["summarise", "--json", "TestDocuments/sample-report.docx", "TestDocuments/sales.xlsx"], environment: Self.cleanEnvironment())
        let lines = several.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let files = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }.map { $0?["file"] as? String }
        #expect(files == ["TestDocuments/sample-report.docx", "TestDocuments/sales.xlsx"])
    }

    @Test("analyse offline: the profile as prose and tables; reply offline: a clear refusal naming the config")
    func offlineAnalyseAndReply() async throws {
        let analysis = try await quire(["analyse", "TestDocuments/sales.xlsx", "--question", "units by product"], environment: Self.cleanEnvironment())
        #expect(analysis.status == 0)
        #expect(analysis.stdout.contains("**Units by Product** (named in the question)"))
        let reply = try await quire(["reply", "TestDocuments/mail/forwarded.eml"], environment: Self.cleanEnvironment())
        #expect(reply.status != 0)
        #expect(reply.stderr.contains("cannot do 'reply'") && reply.stderr.contains("quire config init"))
        let notBook = try await quire(["analyse", "TestDocuments/sample-report.docx"], environment: Self.cleanEnvironment())
        #expect(notBook.status != 0 && notBook.stderr.contains("not a workbook"))
    }

    @Test("--dry-run prints the exact wire request with the key redacted and sends nothing")
    func dryRun() async throws {
        let server = try await TestHTTPServer { _ in Self.jsonReply("unused") }
        let config = try Self.config(server)
        let result = try await quire(
            ["summarise", "--config", config, "--dry-run", "TestDocuments/sample-report.docx"], environment: Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key])
        )
        try await server.shutdown()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(server.received.isEmpty)
        #expect(!result.stdout.contains(Self.key))
        let requests = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(requests.count == 1)
        #expect(requests[0]["url"] as? String == server.baseURL + "/v1/chat/completions")
        #expect((requests[0]["headers"] as? [String: String])?["Authorization"] == "[redacted]")
        let body = try #require(requests[0]["body"] as? [String: Any])
        #expect(body["model"] as? String == "test-model")
        let messages = try #require(body["messages"] as? [[String: Any]])
        #expect((messages.last?["content"] as? String)?.contains("| North | 1,450 | 1,720 |") == true)
    }

    @Test("--dry-run redacts secret headers of the config and credentials in the base URL")
    func dryRunSecrets() async throws {
        let path = NSTemporaryDirectory() + "quire-config-\(UUID().uuidString).yaml"
        try """
        backends:
          proxy:
            kind: openai-compatible
            model: m
            base_url: https://alice:hunter2@gateway.example/v1
            headers: { X-Gateway-Token: tok-12345, X-Team: finance }
        tasks:
          summarise: { use: [proxy] }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await quire(["summarise", "--config", path, "--dry-run", "TestDocuments/sample-report.docx"], environment: Self.cleanEnvironment())
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("tok-12345") && !result.stdout.contains("hunter2"))
        let requests = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(requests[0]["url"] as? String == "https://[redacted]@gateway.example/v1/chat/completions")
        let headers = try #require(requests[0]["headers"] as? [String: String])
        #expect(headers["X-Gateway-Token"] == "[redacted]" && headers["X-Team"] == "finance")
    }

    @Test("reviewers' comments reach the model only with --include-comments; a brief's own length words win")
    func commentsAndBriefLength() async throws {
        let server = try await TestHTTPServer { _ in Self.jsonReply("A summary.") }
        let config = try Self.config(server)
        let env = Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key])
        _ = try await quire(["summarise", "--config", config, "TestDocuments/footnotes-comments.docx"], environment: env)
        _ = try await quire(["summarise", "--config", config, "--include-comments", "TestDocuments/footnotes-comments.docx"], environment: env)
        _ = try await quire(["draft", "A one-page note on the budget", "--config", config], environment: env)
        try await server.shutdown()
        #expect(server.received.count == 3)
        #expect(!Self.userMessage(server.received[0]).contains("Check this figure"))
        #expect(Self.userMessage(server.received[1]).contains("Check this figure"))
        let system = ((jsonObjectOf(server.received[2])["messages"] as? [[String: Any]])?.first?["content"] as? String) ?? ""
        #expect(system.contains("Length: about one page (300 words)"))
    }

    @Test("streaming: the first piece reaches stdout before the server has sent the second (3 s later)")
    func streaming() async throws {
        let server = try await TestHTTPServer { _ in
            TestHTTPServer.Reply(
                headers: [("Content-Type", "text/event-stream")],
                chunks: [
                    (0, Array("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"FIRST-PIECE \"}}]}\n\n".utf8)),
                    (3, Array("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"second-piece\"},\"finish_reason\":\"stop\"}]}\n\n".utf8)),
                    (0, Array("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":2}}\n\ndata: [DONE]\n\n".utf8)),
                ])
        }
        let config = try Self.config(server)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixtures.quireExecutable)
        process.arguments = ["summarise", "--config", config, "--stream", "TestDocuments/sample-report.docx"]
        process.currentDirectoryURL = URL(fileURLWithPath: Fixtures.root)
        process.environment = Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key])
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let (first, rest, stderr) = try await offThePool { [process, out, err] in
            let first = out.fileHandleForReading.availableData  // blocks until the first write
            let rest = out.fileHandleForReading.readDataToEndOfFile()
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (first, rest, stderr)
        }
        try await server.shutdown()
        let firstText = String(decoding: first, as: UTF8.self)
        #expect(firstText.hasPrefix("FIRST-PIECE"))
        #expect(!firstText.contains("second-piece"))
        #expect(String(decoding: rest, as: UTF8.self).contains("second-piece"))
        #expect(process.terminationStatus == 0)
        // The command's usage and cost on stderr (10 in at $1/M, 2 out at $2/M).
        #expect(stderr.contains("quire: usage: local: 1 call, 10 in (0 cached), 2 out, $0.0000"))
        let body = String(decoding: server.received.first?.body ?? [], as: UTF8.self)
        #expect(body.contains("\"stream\":true"))
    }

    @Test("--verbose logs the route and each request, never the key; usage and cost at the end")
    func verbose() async throws {
        let server = try await TestHTTPServer { _ in Self.jsonReply("A short summary.") }
        let config = try Self.config(server)
        let result = try await quire(
            ["summarise", "--config", config, "--verbose", "TestDocuments/sample-report.docx"], environment: Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key])
        )
        try await server.shutdown()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "A short summary.\n")
        #expect(result.stderr.contains("quire: route summarise: local"))
        #expect(result.stderr.contains("quire: request summarise: ~"))
        #expect(result.stderr.contains("quire: answered by local"))
        #expect(result.stderr.contains("quire: usage: local: 1 call, 1000 in (0 cached), 500 out, $0.0020"))
        #expect(!result.stderr.contains(Self.key) && !result.stdout.contains(Self.key))
        #expect(server.received.first?.header("Authorization") == "Bearer " + Self.key)
    }

    @Test("--model builtin overrides the config's route")
    func modelOverride() async throws {
        let server = try await TestHTTPServer { _ in Self.jsonReply("from the server") }
        let config = try Self.config(server)
        let result = try await quire(
            ["summarise", "--config", config, "--model", "builtin", "TestDocuments/sample-report.docx"],
            environment: Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key]))
        try await server.shutdown()
        #expect(result.status == 0)
        #expect(server.received.isEmpty)
        #expect(result.stdout.hasPrefix("*Extractive summary"))
    }

    @Test("a route whose key is missing is left out before anything is sent; the next backend answers at once")
    func missingKey() async throws {
        let server = try await TestHTTPServer { _ in Self.jsonReply("from the server") }
        let config = try Self.config(server, extra: "  default: { use: [local, builtin] }")
        // QUIRE_TEST_KEY is not set: 'local' would go out without its key.
        let result = try await quire(
            ["run", "translate", "--config", config, "--var", "language=French", "TestDocuments/sample-report.docx"], environment: Self.cleanEnvironment())
        let summary = try await quire(
            ["summarise", "--config", config, "--model", "local", "TestDocuments/sample-report.docx"], environment: Self.cleanEnvironment())
        try await server.shutdown()
        #expect(server.received.isEmpty, "nothing was sent without its key")
        #expect(result.status != 0)
        #expect(result.stderr.contains("local is left out of the route of 'translate': QUIRE_TEST_KEY is not set"))
        #expect(summary.status != 0 && summary.stderr.contains("QUIRE_TEST_KEY is not set"))
    }

    @Test("--model with a name the config does not have is an error listing the names; --model keeps the task's parameters")
    func modelNames() async throws {
        let typo = try await quire(["summarise", "--model", "gtp", "TestDocuments/sample-report.docx"], environment: Self.cleanEnvironment())
        #expect(typo.status != 0)
        #expect(typo.stdout.isEmpty)
        #expect(typo.stderr.contains("--model gtp is not configured; use one of: builtin"))
        let server = try await TestHTTPServer { _ in Self.jsonReply("from the server") }
        let path = NSTemporaryDirectory() + "quire-config-\(UUID().uuidString).yaml"
        try """
        backends:
          local: { kind: openai-compatible, model: m, base_url: \(server.baseURL)/v1 }
          other: { kind: openai-compatible, model: o, base_url: \(server.baseURL)/v1 }
        tasks:
          summarise: { use: [local], max_output_tokens: 123, temperature: 0.3 }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await quire(
            ["summarise", "--config", path, "--model", "other", "TestDocuments/sample-report.docx"], environment: Self.cleanEnvironment())
        try await server.shutdown()
        #expect(result.status == 0, "\(result.stderr)")
        let body = try #require(server.received.first.map(jsonObjectOf))
        #expect(body["model"] as? String == "o")
        #expect(body["max_tokens"] as? Int == 123)
        #expect(body["temperature"] as? Double == 0.3)
    }

    @Test("quire models lists the config's own tasks; hints name the config path actually read ($XDG_CONFIG_HOME)")
    func modelsAndHints() async throws {
        let server = try await TestHTTPServer { _ in Self.jsonReply("x") }
        let config = try Self.config(server)
        try await server.shutdown()
        let models = try await quire(["models", "--config", config], environment: Self.cleanEnvironment())
        #expect(models.status == 0)
        #expect(models.stdout.contains("\ntranslate: (your task: quire run translate)\n  → local — openai-compatible test-model"))
        let draft = try await quire(["draft", "A note"], environment: Self.cleanEnvironment(["XDG_CONFIG_HOME": "/tmp/quire-xdg-hint"]))
        #expect(draft.status != 0)
        #expect(draft.stderr.contains("Configure a model for it in /tmp/quire-xdg-hint/quire/config.yaml"))
    }

    @Test("draft -o and reply -o never write an empty document or a body-less mail")
    func emptyAnswerWritesNothing() async throws {
        let server = try await TestHTTPServer { _ in Self.jsonReply("") }
        let config = try Self.config(server)
        let dir = NSTemporaryDirectory() + "quire-empty-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let env = Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key])
        let draft = try await quire(["draft", "A note", "--config", config, "-o", dir + "/out.docx"], environment: env)
        let reply = try await quire(
            ["reply", "TestDocuments/mail/report-with-attachments.eml", "--config", config, "--from", "me@example.org", "-o", dir + "/r.eml"], environment: env)
        try await server.shutdown()
        #expect(draft.status != 0 && draft.stderr.contains("empty answer"))
        #expect(reply.status != 0 && reply.stderr.contains("empty answer"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out.docx"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/r.eml"))
    }

    @Test("reply -o refuses a --from or $EMAIL with a line break before the model is asked (no injected Bcc)")
    func fromInjection() async throws {
        let server = try await TestHTTPServer { _ in Self.jsonReply("Fine.") }
        let config = try Self.config(server)
        let out = NSTemporaryDirectory() + "quire-inject-\(UUID().uuidString).eml"
        let env = Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key])
        let given = try await quire(
            ["reply", "TestDocuments/mail/forwarded.eml", "--config", config, "--from", "me@example.org\r\nBcc: victim@example.com", "-o", out],
            environment: env)
        let fromEnv = try await quire(
            ["reply", "TestDocuments/mail/forwarded.eml", "--config", config, "-o", out],
            environment: Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key, "EMAIL": "a@example.org\nBcc: x@example.com"]))
        try await server.shutdown()
        #expect(given.status == 2 && given.stderr.contains("--from holds a line break"), "\(given.stderr)")
        #expect(fromEnv.status == 2 && fromEnv.stderr.contains("$EMAIL holds a line break"), "\(fromEnv.stderr)")
        #expect(server.received.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test("a list thread offline: each reply's new text, wherever it stood; no footer, no attribution line")
    func listThreadSummary() async throws {
        let result = try await quire(["summarise", "TestDocuments/mail/list-thread.mbox"], environment: Self.cleanEnvironment())
        #expect(result.status == 0)
        #expect(result.stdout.contains("- Pinning it to 13 fixes the build."))
        #expect(result.stdout.contains("- Agreed, pin it until the fix lands in May."))
        #expect(!result.stdout.contains("unsubscribe") && !result.stdout.contains("List archive"))
        #expect(!result.stdout.contains("wrote:"))
    }

    @Test("reply to a bottom-posted, interleaved list message: the model gets its new text, with the questions it answers")
    func replyToInterleaved() async throws {
        let server = try await TestHTTPServer { _ in Self.jsonReply("Thanks, Cy.") }
        let config = try Self.config(server)
        let result = try await quire(
            ["reply", "TestDocuments/mail/list-thread.mbox", "--config", config], environment: Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key]))
        try await server.shutdown()
        #expect(result.status == 0, "\(result.stderr)")
        let user = Self.userMessage(server.received[0])
        let latest = try #require(user.components(separatedBy: "kind=\"latest-message\"").last)
        #expect(latest.contains("Agreed, pin it until the fix lands in May."))
        #expect(latest.contains("> Pinning it to 13 fixes the build."))
        #expect(!user.contains("devel-leave@lists.example.org"), "the list footer is not sent")
    }

    @Test("reply -o reply.eml writes a message that threads under the original")
    func replyMessage() async throws {
        let server = try await TestHTTPServer { _ in Self.jsonReply("Hi Zoë,\n\nthanks, the figures look right.\n\nBest regards") }
        let config = try Self.config(server)
        let output = NSTemporaryDirectory() + "quire-reply-\(UUID().uuidString).eml"
        let result = try await quire(
            [
                "reply", "--config", config, "TestDocuments/mail/report-with-attachments.eml", "--all", "--from", "Ada Lovelace <ada@example.org>",
                "--instructions", "Confirm the figures", "-o", output,
            ],
            environment: Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key]))
        try await server.shutdown()
        #expect(result.status == 0, "\(result.stderr)")
        let eml = try String(contentsOfFile: output, encoding: .utf8)
        #expect(eml.contains("In-Reply-To: <report-2024-q1@example.com>\r\n"))
        #expect(eml.contains("From: Ada Lovelace <ada@example.org>\r\n"))
        #expect(eml.contains("Subject: =?UTF-8?B?"))
        let extracted = try await quire(["extract", "--format", "json", output], environment: Self.cleanEnvironment())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(extracted.stdout.utf8)) as? [String: Any])
        #expect((object["subject"] as? String)?.hasPrefix("Re: Quarterly report — figures attached ✓") == true)
        #expect((object["text_body"] as? String)?.hasPrefix("Hi Zoë,\n\nthanks, the figures look right.") == true)
        #expect(Self.userMessage(server.received[0]).contains("Confirm the figures"))
    }

    @Test("an Outlook archive: JSON Lines with folder paths, the counts on standard error, --folder; summarise reads it as a mailbox")
    func outlookArchive() async throws {
        let run = try await quire(["extract", "TestDocuments/outlook/archive.pst", "--format", "jsonl"], environment: Self.cleanEnvironment())
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let folders = objects.map { ($0["source"] as? [String: Any])?["folder"] as? String ?? "" }
        #expect(folders == ["Inbox", "Inbox", "Inbox", "Inbox/Projects", "Inbox/Projects", "Sent Items"].map { "Top of Personal Folders/" + $0 })
        #expect(objects.map { $0["subject"] as? String ?? "" }.last == "Re: Q3 report")
        #expect(run.stderr.contains("6 messages listed in 6 folders: 6 read, 0 failed"), "\(run.stderr)")
        #expect(run.stderr.contains("Top of Personal Folders/Inbox: 3 listed, 3 read, 0 failed"))

        let projects = try await quire(["extract", "TestDocuments/outlook/archive.pst", "--folder", "projects"], environment: Self.cleanEnvironment())
        #expect(projects.status == 0)
        #expect(projects.stdout.hasPrefix("# FW: Original request\n\n- **Folder:** Top of Personal Folders/Inbox/Projects\n"))
        #expect(projects.stdout.contains("# Minutes (long)"))
        #expect(!projects.stdout.contains("Offsite"))

        let missing = try await quire(["extract", "TestDocuments/outlook/archive.pst", "--folder", "Archive"], environment: Self.cleanEnvironment())
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no folder 'Archive' in the archive; its folders are: Top of Personal Folders, "))

        let lost = try await quire(["extract", "TestDocuments/outlook/hostile-lost-message.pst", "--format", "jsonl"], environment: Self.cleanEnvironment())
        #expect(lost.status == 0)
        #expect(lost.stdout.split(separator: "\n").filter { $0.hasPrefix("{\"error\":") }.count == 1)
        #expect(lost.stderr.contains("Top of Personal Folders/Inbox: 5 listed, 4 read, 1 failed"))

        // The tasks take an archive as a mailbox: every message, grouped by thread.
        let summary = try await quire(["summarise", "TestDocuments/outlook/archive.pst"], environment: Self.cleanEnvironment())
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains("**Budget approved** — Bob") && summary.stdout.contains("**Offsite booked** — Carol"), "\(summary.stdout)")
        // The folder and category lines are facts about a message, never summary sentences.
        #expect(summary.stdout.contains("- The offsite is booked for 14 November.") && !summary.stdout.contains("Folder:"))
    }

    @Test("an Outlook .msg: extract and summarise offline; reply through a backend threads under it and answers its sender")
    func outlookMessage() async throws {
        let extract = try await quire(["extract", "TestDocuments/outlook/plain-utf16.msg"], environment: Self.cleanEnvironment())
        #expect(extract.status == 0, "\(extract.stderr)")
        #expect(extract.stdout.hasPrefix("# Q3 report – draft for review\n"))
        #expect(extract.stdout.contains("Ada Lovelace \\<ada@example.org>"))
        #expect(extract.stdout.contains("## Attachment: Q3 report.docx"))
        let summary = try await quire(["summarise", "TestDocuments/outlook/rtf-only.msg"], environment: Self.cleanEnvironment())
        #expect(summary.status == 0, "\(summary.stderr)")
        #expect(summary.stdout.contains("The café budget is 1,200 euros — approved."))

        let server = try await TestHTTPServer { _ in Self.jsonReply("Hi Ada,\n\nthanks, I will read it today.\n\nGrace") }
        let config = try Self.config(server)
        let output = NSTemporaryDirectory() + "quire-reply-msg-\(UUID().uuidString).eml"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let reply = try await quire(
            ["reply", "--config", config, "TestDocuments/outlook/plain-utf16.msg", "--from", "Grace Hopper <grace@example.org>", "-o", output],
            environment: Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key]))
        try await server.shutdown()
        #expect(reply.status == 0, "\(reply.stderr)")
        let eml = try String(contentsOfFile: output, encoding: .utf8)
        #expect(eml.contains("In-Reply-To: <q3-report@example.org>\r\n"))
        #expect(eml.contains("To: Ada Lovelace <ada@example.org>\r\n"))
        #expect(Self.userMessage(server.received[0]).contains("The Q3 report is attached. Revenue rose to 4.2 million"))
        let extracted = try await quire(["extract", "--format", "json", output], environment: Self.cleanEnvironment())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(extracted.stdout.utf8)) as? [String: Any])
        #expect((object["subject"] as? String)?.hasPrefix("Re: Q3 report – draft for review") == true)
        #expect((object["text_body"] as? String)?.hasPrefix("Hi Ada,\n\nthanks, I will read it today.") == true)
    }

    @Test("draft -o out.docx writes a Word document that Quire reads back")
    func draftDocx() async throws {
        let server = try await TestHTTPServer { _ in
            Self.jsonReply("# Board update\n\n## Results\n\n- Revenue **up 12%**\n- Two sites opened\n\n| Region | Q3 |\n| --- | --- |\n| North | 1,720 |\n")
        }
        let config = try Self.config(server)
        let output = NSTemporaryDirectory() + "quire-draft-\(UUID().uuidString).docx"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let result = try await quire(
            ["draft", "--config", config, "A board update", "--ref", "TestDocuments/sample-report.docx", "-o", output],
            environment: Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key]))
        try await server.shutdown()
        #expect(result.status == 0, "\(result.stderr)")
        let back = try await quire(["extract", output], environment: Self.cleanEnvironment())
        #expect(
            back.stdout
                == "# Board update\n\n## Results\n\n- Revenue **up 12%**\n- Two sites opened\n\n| **Region** | **Q3** |\n| --- | --- |\n| North | 1,720 |\n")
        let user = Self.userMessage(server.received[0])
        #expect(user.hasPrefix("The brief: A board update"))
        // The file's name, never the local path that leads to it (issue 12, item 16).
        #expect(user.contains("name=\"sample-report.docx\""))
        #expect(!user.contains("TestDocuments/"))
    }

    @Test("quire run: a user task from the config, with its variables; a missing variable names the line")
    func userTask() async throws {
        let server = try await TestHTTPServer { _ in Self.jsonReply("Rapport du T3") }
        let config = try Self.config(server)
        let result = try await quire(
            ["run", "--config", config, "translate", "TestDocuments/sample-report.docx", "--var", "language=French"],
            environment: Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key]))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "Rapport du T3\n")
        let json = (try JSONSerialization.jsonObject(with: Data(server.received[0].body))) as? [String: Any]
        let messages = json?["messages"] as? [[String: Any]] ?? []
        #expect((messages.first?["content"] as? String)?.hasPrefix("You translate business documents faithfully.") == true)
        let user = (messages.last?["content"] as? String) ?? ""
        #expect(user.hasPrefix("Translate into French:\n\n<quire-content-"))
        #expect(user.contains("# Q3 Operations Report"))
        let missing = try await quire(
            ["run", "--config", config, "translate", "TestDocuments/sample-report.docx"], environment: Self.cleanEnvironment(["QUIRE_TEST_KEY": Self.key]))
        try await server.shutdown()
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("task 'translate' (\(config):14) uses {{language}}: give --var language=…"))
    }
}

func jsonObjectOf(_ received: TestHTTPServer.Received) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(received.body))) as? [String: Any] ?? [:]
}
