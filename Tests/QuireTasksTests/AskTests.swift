import Foundation
import QuireBackends
import QuireImport
import QuireLLM
import QuireModel
import QuireRouter
import QuireTestServer
import QuireTestSupport
import Testing

@testable import QuireTasks

struct AskTests {
    static func input(_ name: String) throws -> ContentLoader.Input {
        try ContentLoader().read(path: Fixtures.path(name))
    }

    static func index(_ names: String...) throws -> PassageIndex {
        PassageIndex(try names.flatMap { Passages.of(try input($0), file: $0) })
    }

    @Test("words: lower-cased, common words and lone letters out, endings folded, numbers and dates whole")
    func words() {
        #expect(PassageIndex.words("Where did the new Warehouses open?") == ["new", "warehous", "open"])
        #expect(PassageIndex.words("Two new warehouses opened in Lyon") == ["two", "new", "warehous", "open", "lyon"])
        #expect(PassageIndex.words("the CEO's salary") == ["ceo", "salary"])
        #expect(PassageIndex.words("Revenue rose to 4.2 million (1,180 k€) on 2024-01-02.") == ["revenu", "ros", "4.2", "million", "1180", "2024-01-02"])
        #expect(PassageIndex.words("policies, classes, renegotiated, renegotiate") == ["policy", "class", "renegotiat", "renegotiat"])
        #expect(PassageIndex.words("Отчёты за квартал") == ["отчёты", "за", "квартал"])
    }

    @Test("a document's passages: paragraphs under their headings, table rows with their header; every anchor resolves to its text")
    func documentPassages() throws {
        guard case .content(.document(let document)) = try Self.input("sample-report.docx") else {
            Issue.record("not a document")
            return
        }
        let passages = Passages.of(document, file: "r.docx")
        #expect(!passages.isEmpty)
        for passage in passages {
            let anchor = passage.anchor.hasSuffix("c1") ? passage.anchor + ".b1" : passage.anchor
            let block = try #require(document.block(at: anchor), "\(passage.anchor)")
            let text = block.paragraphTexts().joined(separator: " ")
            #expect(!text.isEmpty && passage.text.contains(text.trimmingCharacters(in: .whitespaces)), "\(passage.anchor): \(text)")
        }
        let warehouses = try #require(passages.first { $0.text.contains("Lyon and Porto") })
        #expect(warehouses.location == "Highlights")
        let south = try #require(passages.first { $0.text.hasPrefix("Region: South") })
        #expect(south.text == "Region: South; Q2 (k€): 1,100; Q3 (k€): 1,180")
        #expect(south.anchor.hasSuffix(".r3c1") && south.location == "Revenue by region, table row 3")
        #expect(!passages.contains { $0.text == "Highlights" }, "a heading is context, not a passage")
    }

    @Test("a workbook's rows below the header (a title line above it skipped), anchored at their ranges; a message's paragraphs at its id")
    func sheetAndMailPassages() throws {
        let rows = Passages.of(try Self.input("sales.xlsx"), file: "sales.xlsx")
        #expect(rows.count == 120)
        #expect(rows[0].anchor == "Orders!A4:G4")
        #expect(rows[0].text.hasPrefix("Order: 1001; Date: 2024-01-02; Region: East; Product: Doohickey; Units: 12"))
        let mail = Passages.of(try Self.input("mail/thread.mbox"), file: "thread.mbox")
        let bob = try #require(mail.first { $0.text.contains("test week") })
        #expect(bob.anchor == "<m2@example.org>")
        #expect(bob.location.hasPrefix("message 'Re: Launch plan' from Bob"))
        #expect(!mail.contains { $0.anchor == "<m2@example.org>" && $0.text.contains("Here is") }, "quoted history is not the message's own text")
    }

    @Test("retrieval: the planted fact ranks first; a question whose words are nowhere finds nothing")
    func retrieval() throws {
        let index = try Self.index("sample-report.docx", "sales.xlsx", "mail/thread.mbox")
        func best(_ question: String) -> String? { index.search(question).first.map { index.passages[$0.index].text } }
        #expect(best("Where did the new warehouses open?") == "Two new warehouses opened in Lyon and Porto")
        #expect(best("What is the main risk?")?.hasPrefix("Supplier delays remain the main risk.") == true)
        #expect(best("What was the South's Q3 revenue?") == "Region: South; Q2 (k€): 1,100; Q3 (k€): 1,180")
        #expect(best("How many units of Doohickey did the East order on 2024-01-02?")?.hasPrefix("Order: 1001;") == true)
        #expect(best("What did Bob suggest adding?") == "From here I would add a test week.")
        #expect(index.search("What is the CEO's salary?").isEmpty)
        #expect(index.search("the of and").isEmpty)
    }

    @Test("an index focused on one question keeps only the passages that hold its words, and ranks them as the full index does")
    func focused() throws {
        let full = try Self.index("sample-report.docx", "sales.xlsx", "mail/thread.mbox")
        for question in ["Where did the new warehouses open?", "What did Bob suggest adding?", "What was the South's Q3 revenue?"] {
            var focused = PassageIndex(focusedOn: question)
            for passage in full.passages { focused.add(passage) }
            #expect(focused.passages.count < full.passages.count)
            let expected = full.search(question).map { (full.passages[$0.index], $0.score) }
            let found = focused.search(question).map { (focused.passages[$0.index], $0.score) }
            #expect(found.map(\.0) == expected.map(\.0) && zip(found, expected).allSatisfy { abs($0.1 - $1.1) < 1e-9 }, "\(question)")
        }
    }

    @Test("citations resolve to the passages; a number not given, a quotation not in its passage, no citation: each flagged")
    func citations() throws {
        let task = AskTask(question: "Where did the new warehouses open?", index: try Self.index("sample-report.docx"))
        let first = try #require(task.sources.first)
        #expect(first.text == "Two new warehouses opened in Lyon and Porto")
        let answer = "They opened in \"Lyon and Porto\" [1], on schedule [2][1]. See also [99] and [a link]."
        #expect(task.citations(in: answer).map(\.key) == [1, 2])
        #expect(task.citations(in: answer)[0].passage == first)
        let review = task.review(answer)
        #expect(review.count == 1 && review[0].contains("cites [99]"), "\(review)")
        #expect(task.review("They opened in \"Madrid and Rome\" [1].").contains { $0.contains("\"Madrid and Rome\" is not in the passages") })
        #expect(task.review("They opened in Lyon and Porto.") == ["*Warning: the answer cites no passage; check it against the files.*"])
        #expect(task.review(AskTask.notFound).isEmpty)
        #expect(AskTask.isNotFound("Not in the documents"))
        #expect(AskTask.shortened(String(repeating: "Word after word. ", count: 40)).hasSuffix(". …"))
    }

    @Test("the request: the question, numbered passages best first with file, place and anchor; as many as the window holds")
    func request() throws {
        let task = AskTask(question: "What was the South's Q3 revenue?", index: try Self.index("sample-report.docx"))
        guard case .single(let request) = task.plan(PromptBudget(contextWindow: 128_000, maxOutputTokens: 1000)) else {
            Issue.record("not one request")
            return
        }
        #expect(request.metadata[TaskMetadata.task] == "ask" && request.metadata[AskTask.questionKey] == "What was the South's Q3 revenue?")
        #expect(request.system?.contains("reply with exactly this sentence and nothing else: Not in the documents.") == true)
        let user = request.messages.last?.content ?? ""
        #expect(user.hasPrefix("Question: What was the South's Q3 revenue?"))
        let blocks = ContentFence.blocks(in: user)
        #expect(blocks.count == task.sources.count)
        #expect(blocks.map { $0.attributes["n"] ?? "" } == (1...blocks.count).map(String.init))
        #expect(blocks[0].content == "Region: South; Q2 (k€): 1,100; Q3 (k€): 1,180")
        #expect(blocks[0].attributes["anchor"] == task.sources[0].anchor && blocks[0].attributes["file"] == "sample-report.docx")
        // A small window: fewer passages, the best one always.
        guard case .single(let small) = task.plan(PromptBudget(contextWindow: 1_100, maxOutputTokens: 400)) else { return }
        let few = ContentFence.blocks(in: small.messages.last?.content ?? "")
        #expect(!few.isEmpty && few.count < blocks.count && few[0].content == blocks[0].content)
    }

    @Test("offline: the passages holding most of the question's words, quoted with their numbers; 'Not in the documents.' otherwise")
    func offline() async throws {
        let index = try Self.index("sample-report.docx", "mail/thread.mbox")
        let runner = TaskRunner(router: Router(), route: Route(task: "ask", backends: [BuiltinBackend(handlers: OfflineTasks.handlers)]))
        let task = AskTask(question: "Where did the new warehouses open?", index: index, options: TaskOptions(stream: false))
        let outcome = try await runner.run(task) { _ in }
        #expect(outcome.text.contains("- \"Two new warehouses opened in Lyon and Porto\" [1]"))
        #expect(task.citations(in: outcome.text).first?.passage.text == "Two new warehouses opened in Lyon and Porto")
        #expect(outcome.review.isEmpty, "\(outcome.review)")
        // Every quotation of the offline answer is in the passage it cites.
        for quote in AskTask.quotations(outcome.text) {
            let cited = task.citations(in: outcome.text).map(\.passage.text)
            #expect(cited.contains { $0.contains(quote) }, "\(quote)")
        }
        // Words of the question are in the files, but no passage holds enough of them.
        let unanswerable = AskTask(
            question: "What did the board decide about the launch budget for Porto in July?", index: index, options: TaskOptions(stream: false))
        #expect(!unanswerable.sources.isEmpty)
        #expect(try await runner.run(unanswerable) { _ in }.text == AskTask.notFound)
    }

    @Test("through a local OpenAI server: the answer's citations resolve to the passage holding the quoted words; 'not in the documents' passes through")
    func localServer() async throws {
        let index = try Self.index("sample-report.docx", "sales.xlsx")
        try await withOpenAIServer(answer: { user, _ in
            // A model that finds the passage holding "Lyon" and cites it by its number.
            let blocks = ContentFence.blocks(in: user)
            guard let hit = blocks.first(where: { $0.content.contains("Lyon") }), let n = hit.attributes["n"] else { return (200, AskTask.notFound) }
            return (200, "The new warehouses opened in \"Lyon and Porto\" [\(n)].")
        }) { server in
            let backend = openAIBackend(server)
            let runner = TaskRunner(router: Router(), route: Route(task: "ask", backends: [backend]))
            let task = AskTask(question: "Where did the new warehouses open?", index: index, options: TaskOptions(stream: false))
            let outcome = try await runner.run(task) { _ in }
            let citations = task.citations(in: outcome.text)
            #expect(citations.count == 1)
            #expect(citations.first?.passage.text.contains("Lyon and Porto") == true)
            #expect(citations.first?.passage.anchor == "b6")
            #expect(outcome.review.isEmpty, "\(outcome.review)")
            let other = AskTask(question: "Which products sold in the North?", index: index, options: TaskOptions(stream: false))
            let notFound = try await runner.run(other) { _ in }
            #expect(AskTask.isNotFound(notFound.text) && notFound.review.isEmpty)
            try await backend.shutdown()
            let user = (jsonObject(server.received[0])["messages"] as? [[String: Any]])?.last?["content"] as? String ?? ""
            #expect(user.contains("anchor=\"b6\"") && user.contains("file=\"sample-report.docx\""))
        }
    }
}
