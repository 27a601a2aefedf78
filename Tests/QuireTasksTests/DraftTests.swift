import Foundation
import QuireBackends
import QuireDOCX
import QuireLLM
import QuireModel
import QuireRender
import QuireRouter
import QuireTestServer
import QuireTestSupport
import Testing

@testable import QuireTasks

struct DraftTests {
    static let markdown = """
        # Project Falcon — board update

        Falcon is **on schedule** and *slightly* under budget; see [the plan](https://example.com/plan) and `cost.xlsx`.

        ## Milestones

        1. Design signed off
        2. Build started
           - backend: 60% done
           - front end: ~~late~~ on track
        3. Launch in [TODO: month]

        ## Budget

        | Item | Planned | Spent |
        | --- | ---: | ---: |
        | Staff | 120,000 | 95,000 |
        | Cloud \\| hosting | 30,000 | 12,500 |

        > Risks stay low while the supplier holds its dates.

        - Next review: June
        - Owner: Ada
        """

    @Test("Markdown from a model becomes the content model: headings, nested lists, table, quote, inline styles, links")
    func parse() {
        let document = MarkdownParser().parse(Self.markdown)
        let kinds = document.blocks.map { block -> String in
            switch block {
            case .heading(let h): "h\(h.level)"
            case .paragraph: "p"
            case .listItem(let i): (i.isOrdered ? "ol" : "ul") + "\(i.level)"
            case .table: "table"
            case .quote: "quote"
            default: "other"
            }
        }
        #expect(kinds == ["h1", "p", "h2", "ol0", "ol0", "ul1", "ul1", "ol0", "h2", "table", "quote", "ul0", "ul0"])
        guard case .paragraph(let p) = document.blocks[1] else {
            Issue.record("unexpected block or content: the checks below could not run")
            return
        }
        #expect(p.content.contains(.text("on schedule", .bold)))
        #expect(p.content.contains(.text("slightly", .italic)))
        #expect(p.content.contains(.text("cost.xlsx", .code)))
        #expect(p.content.contains(.link(Link(target: .url("https://example.com/plan"), content: [.text("the plan", .plain)]))))
        guard case .table(let t) = document.blocks[9] else {
            Issue.record("unexpected block or content: the checks below could not run")
            return
        }
        #expect(t.rows.count == 3 && t.headerRowCount == 1)
        #expect(t.rows[2].cells[0].blocks == [.paragraph(Paragraph(content: [.text("Cloud | hosting", .plain)]))])
        guard case .listItem(let item) = document.blocks[6] else {
            Issue.record("unexpected block or content: the checks below could not run")
            return
        }
        #expect(item.content == [.text("front end: ", .plain), .text("late", .strikethrough), .text(" on track", .plain)])
        // Markers without partners stay text.
        let loose = MarkdownParser().parse("2 * 3 = 6 and snake_case_name stays")
        #expect(loose.blocks == [.paragraph(Paragraph(content: [.text("2 * 3 = 6 and snake_case_name stays", .plain)]))])
    }

    static func roundTrip(_ markdown: String) throws -> (Document, [UInt8]) {
        let bytes = try DOCXWriter().write(MarkdownParser().parse(markdown))
        let path = NSTemporaryDirectory() + "quire-draft-\(UUID().uuidString).docx"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return (try DOCXReader().read(path: path), bytes)
    }

    @Test("links in a model's draft: web and mail links become hyperlinks; javascript:, file:, data: and UNC targets stay text")
    func unsafeLinks() throws {
        let markdown = """
            See [the plan](https://example.com/plan), [mail us](mailto:ops@example.com),
            [click](javascript:alert(1)), [the share](file:///etc/passwd), [img](data:text/html;base64,PHNjcmlwdD4=)
            and [server](\\\\evil\\share).
            """
        let (document, _) = try Self.roundTrip(markdown)
        // The reader reads every hyperlink relationship back: none but the two safe ones exist.
        let links = document.blocks.flatMap { block -> [String] in
            guard case .paragraph(let p) = block else { return [] }
            return p.content.compactMap { if case .link(let l) = $0, case .url(let u) = l.target { u } else { nil } }
        }
        #expect(links == ["https://example.com/plan", "mailto:ops@example.com"])
        let text = document.blocks.flatMap { $0.paragraphTexts() }.joined(separator: " ")
        #expect(text.contains("click (javascript:alert(1))") && text.contains("the share (file:///etc/passwd)"))
        #expect(text.contains("server (") && text.contains("evil"))
    }

    @Test("the .docx Quire writes reads back through Quire's own reader with the same structure")
    func docxRoundTrip() throws {
        let (document, _) = try Self.roundTrip(Self.markdown)
        let original = MarkdownParser().parse(Self.markdown)
        #expect(document.blocks.count == original.blocks.count)
        guard case .heading(let h) = document.blocks[0], case .heading(let h2) = document.blocks[2] else {
            Issue.record("headings lost: \(document.blocks.prefix(3))")
            return
        }
        #expect(h.level == 1 && h.content.plainText() == "Project Falcon — board update")
        #expect(h2.level == 2 && h2.content.plainText() == "Milestones")
        #expect(document.metadata.title == "Project Falcon — board update")
        let items = document.blocks.compactMap { if case .listItem(let i) = $0 { i } else { nil } }
        #expect(items.map(\.level) == [0, 0, 1, 1, 0, 0, 0])
        #expect(items.map(\.isOrdered) == [true, true, false, false, true, false, false])
        #expect(items.prefix(3).map(\.marker) == ["1.", "2.", "◦"])
        #expect(items[4].marker == "3.")
        guard case .paragraph(let p) = document.blocks[1] else {
            Issue.record("unexpected block or content: the checks below could not run")
            return
        }
        #expect(p.content.contains(.text("on schedule", .bold)))
        #expect(p.content.contains(.text("slightly", .italic)))
        #expect(p.content.contains { if case .link(let l) = $0 { l.target == .url("https://example.com/plan") } else { false } })
        let table = document.blocks.compactMap { if case .table(let t) = $0 { t } else { nil } }.first
        #expect(table?.rows.count == 3)
        #expect(table?.rows[1].cells.map { $0.blocks.flatMap { $0.paragraphTexts() } } == [["Staff"], ["120,000"], ["95,000"]])
        #expect(table?.rows[2].cells.first?.blocks.flatMap { $0.paragraphTexts() } == ["Cloud | hosting"])
        // Markdown of the read-back document matches the Markdown of the parsed draft (whose
        // table header the writer sets in bold).
        var expected = original
        for (index, block) in expected.blocks.enumerated() {
            guard case .table(var t) = block else { continue }
            for c in t.rows[0].cells.indices {
                t.rows[0].cells[c].blocks = t.rows[0].cells[c].blocks.map { b in
                    guard case .paragraph(var p) = b else { return b }
                    p.content = p.content.map { if case .text(let s, let style) = $0 { .text(s, style.union(.bold)) } else { $0 } }
                    return .paragraph(p)
                }
            }
            expected.blocks[index] = .table(t)
        }
        #expect(MarkdownRenderer().render(document) == MarkdownRenderer().render(expected))
    }

    static let soffice = ["/usr/bin/soffice", "/usr/local/bin/soffice", "/usr/bin/libreoffice"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("LibreOffice opens the .docx and sees its text", .enabled(if: soffice != nil, "LibreOffice (soffice) is not installed"))
    func libreOffice() async throws {
        let soffice = try #require(Self.soffice)
        let (_, bytes) = try Self.roundTrip(Self.markdown)
        let dir = NSTemporaryDirectory() + "quire-lo-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/draft.docx"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: soffice)
        process.arguments = [
            "--headless", "-env:UserInstallation=file://\(dir)/profile", "--convert-to", "txt:Text (encoded):UTF8", "--outdir", dir, dir + "/draft.docx",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try await offThePool { [process] in process.waitUntilExit() }
        let text = try String(contentsOfFile: dir + "/draft.txt", encoding: .utf8)
        #expect(text.contains("Project Falcon — board update"))
        #expect(text.contains("Design signed off"))
        #expect(text.contains("Cloud | hosting"))
        #expect(text.contains("Risks stay low"))
    }

    @Test("the draft request: brief outside the fences, each reference in its own block; long references condensed first")
    func request() async throws {
        let report = TaskContent(name: "report.docx", kind: .document, sections: [.init(title: "Q3", markdown: "# Q3\n\nRevenue rose to 4.2 million.\n")])
        let task = DraftTask(brief: "A one-page board update", references: [report], options: TaskOptions(length: .short, tone: "formal", stream: false))
        guard case .single(let request) = task.plan(PromptBudget(contextWindow: 100_000, maxOutputTokens: 4000)) else {
            Issue.record("expected one request")
            return
        }
        let user = request.messages[0].content
        #expect(user.hasPrefix("The brief: A one-page board update\n\nReference material:"))
        #expect(ContentFence.blocks(in: user).map { $0.attributes["name"] } == ["report.docx"])
        #expect(request.system?.contains("Tone: formal") == true && request.system?.contains("[TODO: what is needed]") == true)
        #expect(request.maxOutputTokens == 1200)

        var sections: [TaskContent.Section] = []
        for i in 1...10 {
            sections.append(.init(title: "S\(i)", markdown: "# S\(i)\n\n" + String(repeating: "Fact \(i) is stated here in full. ", count: 120) + "\n"))
        }
        let big = DraftTask(
            brief: "Summary memo", references: [TaskContent(name: "big.docx", kind: .document, sections: sections)], options: TaskOptions(stream: false))
        try await withOpenAIServer(answer: { user, _ in
            user.contains("reference-notes") ? (200, "```markdown\n# Memo\n\n- point\n```") : (200, "- note")
        }) { server in
            let backend = openAIBackend(server, window: 6_000, maxOutput: 2000)
            let runner = TaskRunner(router: Router(), route: Route(task: "draft", backends: [backend]))
            let result = await capture { try await runner.run(big) { _ in } }
            try await backend.shutdown()
            let outcome = try result.get()
            #expect(outcome.parts >= 2)
            #expect(server.received.count == outcome.parts + 1)
            #expect(DraftTask.cleaned(outcome.text) == "# Memo\n\n- point\n")
        }
    }
}

extension DraftTests {
    @Test("list items without a list id: each run between other blocks is its own list, numbered from 1")
    func anonymousLists() throws {
        let item = { (n: Int) in Block.listItem(ListItem(level: 0, isOrdered: true, marker: "\(n).", content: [.text("item \(n)", .plain)])) }
        let document = Document(blocks: [item(1), item(2), .paragraph(Paragraph(content: [.text("between", .plain)])), item(1), item(2)])
        let path = NSTemporaryDirectory() + "quire-lists-\(UUID().uuidString).docx"
        try Data(try DOCXWriter().write(document)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let back = try DOCXReader().read(path: path)
        let markers = back.blocks.compactMap { if case .listItem(let i) = $0 { i.marker } else { nil } }
        #expect(markers == ["1.", "2.", "1.", "2."])
    }
}

struct BriefLengthTests {
    @Test("a brief's own length words: pages, paragraphs, word counts; none → nil")
    func lengths() {
        #expect(DraftTask.length(inBrief: "A one-page board update") == .short)
        #expect(DraftTask.length(inBrief: "Write two pages on the launch") == .medium)
        #expect(DraftTask.length(inBrief: "About 200 words for the newsletter") == .short)
        #expect(DraftTask.length(inBrief: "An essay of 1500 words") == .long)
        #expect(DraftTask.length(inBrief: "A detailed report on Q3") == .long)
        #expect(DraftTask.length(inBrief: "A note to the team") == nil)
    }
}

struct NumberKeepingTests {
    @Test("check: numbers flags numbers a rewrite adds and numbers it loses; a faithful one passes")
    func numbers() {
        let content = TaskContent(
            name: "r.docx", kind: .document,
            sections: [.init(title: "R", markdown: "Revenue rose to 4.2 million, 12% above Q2. Costs: 1,180 k€ on 5 March 2024.\n")])
        var task = CustomTask(name: "rewrite", system: nil, prompt: "{{content}}", contents: [content], stream: false)
        #expect(task.review("Revenue rose to 9 million.").isEmpty, "no check unless asked")
        task.checksNumbers = true
        #expect(task.review("On 5 March 2024 costs were 1,180 k€; revenue rose 12% to 4.2 million.").isEmpty)
        let review = task.review("Revenue rose to 4.5 million, 12% above Q2, on 5 March 2024.")
        #expect(review.count == 2, "\(review)")
        #expect(review.first?.contains("not in the original: 4.5 million") == true)
        #expect(review.last?.contains("missing from the answer: 4.2 million, 1,180") == true, "\(review)")
    }
}
