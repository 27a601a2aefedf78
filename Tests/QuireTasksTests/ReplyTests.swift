import Foundation
import QuireBackends
import QuireImport
import QuireLLM
import QuireMail
import QuireModel
import QuireRouter
import QuireTestServer
import QuireTestSupport
import Testing

@testable import QuireTasks

struct ReplyTests {
    static func message(_ name: String) throws -> MailMessage {
        try Importer().readMail(bytes: Fixtures.bytes(Fixtures.path("mail/" + name)) ?? [], name: name)
    }

    static let ada = MailAddress(name: "Ada Lovelace", address: "ada@example.org")
    static let fixedDate = Date(timeIntervalSince1970: 1_709_300_000)

    @Test("Re: once, whatever prefixes the subject carries")
    func subject() {
        #expect(ReplyComposer.replySubject("Quarterly report") == "Re: Quarterly report")
        #expect(ReplyComposer.replySubject("Re: RE: Aw: AW[2]: Quarterly report") == "Re: Quarterly report")
        #expect(ReplyComposer.replySubject("SV: Re: Fwd: plan") == "Re: Fwd: plan")
        #expect(ReplyComposer.replySubject("Réponse: notes") == "Re: Réponse: notes")
        #expect(ReplyComposer.replySubject(nil) == "Re:")
    }

    @Test("no header value can start a header of its own: line breaks from the user or the original become spaces")
    func headerInjection() throws {
        var original = MailMessage()
        original.subject = "Plan\r\nBcc: victim@example.com"
        original.from = [MailAddress(name: "Eve\nBcc: eve@example.com", address: "eve@example.org")]
        original.messageID = "m1@example.org"
        let sender = MailAddress(name: "Me\r\nX-Evil: 1", address: "me@example.org")
        let eml = ReplyComposer(from: sender, date: Self.fixedDate, messageIDSeed: "abc").compose(reply: "Fine.", to: original)
        let head = eml.components(separatedBy: "\r\n\r\n")[0]
        let names = head.components(separatedBy: "\r\n").filter { !$0.hasPrefix(" ") }.map { $0.prefix { $0 != ":" } }
        #expect(
            names == [
                "From", "To", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
                "User-Agent",
            ])
        #expect(head.contains("Subject: Re: Plan  Bcc: victim@example.com"))
        let parsed = try MailReader().read(bytes: Array(eml.utf8), name: "r.eml")
        #expect(parsed.bcc.isEmpty && parsed.header("X-Evil") == nil)
    }

    @Test("the reply message parses back: encoded subject, threading headers, recipients, quoted original, UTF-8 body")
    func roundTrip() throws {
        let original = try Self.message("report-with-attachments.eml")
        let text = "Hi Zoë,\n\nthanks — the figures look right. Straße, café and 日本 come through.\n\nBest regards"
        let eml = ReplyComposer(from: Self.ada, replyAll: true, date: Self.fixedDate, messageIDSeed: "abc").compose(reply: text, to: original)
        // Every header line is ASCII and short; the body is quoted-printable.
        let head = eml.components(separatedBy: "\r\n\r\n")[0]
        for line in head.components(separatedBy: "\r\n") {
            #expect(line.allSatisfy(\.isASCII) && line.count <= 78, "header line: \(line)")
        }
        let reply = try MailReader().read(bytes: Array(eml.utf8), name: "reply.eml")
        #expect(reply.subject == "Re: " + (original.subject ?? ""))
        #expect(reply.subject?.contains("✓") == true)
        #expect(reply.inReplyTo == [original.messageID!])
        #expect(reply.references.last == original.messageID)
        #expect(reply.messageID == "quire.1709300000.abc@example.org")
        #expect(reply.from == [Self.ada])
        #expect(reply.to.map(\.address) == ["zoe.mueller@example.com"])
        #expect(reply.to.first?.name == "Zoë Müller")
        #expect(reply.cc.map(\.address) == ["team@example.org", "bob@example.org", "carol@example.org"])
        #expect(reply.date?.timestamp == 1_709_300_000)
        let body = try #require(reply.textBody)
        #expect(body.hasPrefix(text + "\n\nOn Fri, 01 Mar 2024 09:30:00 +0100, Zoë Müller <zoe.mueller@example.com> wrote:\n> "))
        for line in (original.bestText ?? "").split(separator: "\n") where !line.isEmpty {
            #expect(body.contains("> " + line) || body.contains(">" + line), "original line not quoted: \(line)")
        }
        // Reply, not reply-all: only the sender.
        let single = try MailReader().read(bytes: Array(ReplyComposer(from: Self.ada).compose(reply: "ok", to: original).utf8), name: "r.eml")
        #expect(single.to.map(\.address) == ["zoe.mueller@example.com"] && single.cc.isEmpty)
    }

    @Test("References keep the original's chain and end with its Message-ID")
    func references() throws {
        let original = try Self.message("legacy-charsets.eml")
        let eml = ReplyComposer(from: Self.ada, date: Self.fixedDate).compose(reply: "Merci.", to: original)
        let reply = try MailReader().read(bytes: Array(eml.utf8), name: "r.eml")
        #expect(reply.references == ["root@example.jp", "parent@example.jp", "legacy@example.jp"])
        #expect(reply.subject == "Re: " + (original.subject ?? "") && original.subject?.hasPrefix("Café au lait") == true)
    }

    @Test("quoted-printable keeps long lines and non-ASCII exact")
    func quotedPrintable() throws {
        let long = String(repeating: "Zoë says = fine; ", count: 20) + "end "
        let encoded = ReplyComposer.quotedPrintable(long + "\nnext")
        for line in encoded.components(separatedBy: "\r\n") { #expect(line.count <= 76) }
        let eml = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" + encoded
        let decoded = try MailReader().read(bytes: Array(eml.utf8), name: "qp.eml")
        #expect(decoded.textBody?.trimmingCharacters(in: .newlines) == long + "\nnext")
    }

    @Test("the request: new text, quoted history and signature in separate fenced blocks; instructions outside them (Anthropic wire)")
    func request() async throws {
        let original = try Self.message("report-with-attachments.eml")
        let server = try await TestHTTPServer { _ in
            .body(
                #"{"id":"m1","type":"message","role":"assistant","content":[{"type":"text","text":"Thanks, Zoë."}],"stop_reason":"end_turn","usage":{"input_tokens":50,"output_tokens":5}}"#
            )
        }
        let backend = HTTPChatBackend(
            config: BackendConfig(
                name: "claude", kind: .anthropic, model: "claude-test", baseURL: server.baseURL, apiKey: "sk-ant", readTimeout: 20, totalTimeout: 60))
        let runner = TaskRunner(router: Router(), route: Route(task: "reply", backends: [backend]))
        let options = TaskOptions(length: .short, tone: "warm", instructions: "Confirm we meet on Tuesday.", stream: false)
        let outcome = try await runner.run(ReplyTask(file: "r.eml", message: original, options: options)) { _ in }
        try await backend.shutdown()
        try await server.shutdown()
        #expect(outcome.text == "Thanks, Zoë.")
        let received = try #require(server.received.first)
        #expect(received.uri == "/v1/messages" && received.header("x-api-key") == "sk-ant")
        let body = jsonObject(received)
        let system = body["system"] as? String ?? ""
        #expect(system.contains("Tone: warm") && system.contains("never invent dates"))
        let user = ((body["messages"] as? [[String: Any]])?.first?["content"] as? String) ?? ""
        #expect(user.hasPrefix("Write a reply to the latest message. The user's instructions for the reply: Confirm we meet on Tuesday."))
        let blocks = ContentFence.blocks(in: user)
        #expect(blocks.first?.attributes["kind"] == "latest-message")
        #expect(blocks.first?.attributes["from"] == "Zoë Müller <zoe.mueller@example.com>")
        #expect(blocks.first.map { $0.content + "\n" } == original.textParts?.newText)
        // The message's text is only inside the block.
        #expect(!user[..<user.firstRange(of: "<quire-content-")!.lowerBound].contains("Revenue grew"))
    }

    @Test("the built-in backend refuses to write a reply and names the config to write")
    func offlineRefuses() async throws {
        let runner = TaskRunner(
            router: Router(), route: Route(task: "reply", backends: [BuiltinBackend(handlers: OfflineTasks.handlers, configHint: "/x/config.yaml")]))
        await #expect(throws: LLMError.self) {
            _ = try await runner.run(ReplyTask(file: "r.eml", message: try Self.message("forwarded.eml"))) { _ in }
        }
        do {
            _ = try await runner.run(ReplyTask(file: "r.eml", message: try Self.message("forwarded.eml"))) { _ in }
        } catch let error as LLMError {
            #expect(error.code == .unsupported)
            #expect(error.message.contains("/x/config.yaml") && error.message.contains("reply: { use: [gpt] }"))
        }
    }
}

struct ReplyAttachmentTests {
    @Test("the reply request tells the model which files came attached")
    func attachmentsNamed() throws {
        let original = try ReplyTests.message("report-with-attachments.eml")
        guard case .single(let request) = ReplyTask(file: "report.eml", message: original).plan(PromptBudget(contextWindow: 100_000, maxOutputTokens: 1000))
        else {
            Issue.record("one request expected")
            return
        }
        let user = try #require(request.messages.last?.content)
        #expect(user.contains("attachments=\"Q1 report.docx; Umsätze 2024.xlsx\""))
    }
}
