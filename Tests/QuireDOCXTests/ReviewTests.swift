import Foundation
import QuireDOCX
import QuireModel
import QuireRender
import QuireTestSupport
import QuireZip
import Testing

struct ReviewTests {
    static let date = "2026-12-02T10:00:00Z"

    /// The document as Markdown, with tracked changes as `view` shows them (comments left out).
    static func markdown(_ bytes: [UInt8], _ view: ChangeView) throws -> String {
        let document = try DOCXReader().read(bytes: bytes, name: "reviewed.docx")
        return MarkdownRenderer(options: RenderOptions(changes: view, includeComments: false)).render(document)
    }

    /// Entry path → bytes as stored, for every entry of a package.
    static func stored(_ bytes: [UInt8]) throws -> [String: [UInt8]] {
        let archive = try ZipArchive(bytes: bytes, name: "package")
        var out: [String: [UInt8]] = [:]
        for entry in archive.entries { out[entry.path] = try archive.storedData(of: entry) }
        return out
    }

    static let edits: [ReviewEdit] = [
        ReviewEdit(.replace, paragraph: 3, find: "budget is 4,500 dollars", text: "budget is 4,800 dollars", reason: "The figure was revised."),
        ReviewEdit(.delete, paragraph: 4, find: " before Friday", reason: "No deadline was agreed."),
        ReviewEdit(.insert, paragraph: 7, find: "in March.", text: " (a record)", reason: ""),
        ReviewEdit(.insertParagraph, paragraph: 11, find: "", text: "Shipping resumed in April.", reason: "Say what happened next."),
        ReviewEdit(.comment, paragraph: 14, find: "with a bookmark", reason: "Which bookmark?"),
        ReviewEdit(.delete, paragraph: 10, find: "", reason: "Too long; say it in the summary."),
    ]

    @Test("paragraphs: numbered in document order (table cells included), tracked text accepted, field codes left out, headings marked")
    func paragraphs() throws {
        let review = try DOCXReview(path: Fixtures.path("review-source.docx"))
        #expect(review.paragraphs.count == 16)
        #expect(review.paragraphs[0].isHeading && review.paragraphs[0].style == "Title")
        #expect(review.paragraphs[2].text == "The the budget is 4,500 dollars for the the next quarter.")
        #expect(review.paragraphs[3].text == "Read the full plan before Friday.")
        #expect(review.paragraphs[4].text == "Page 7 of the plan.")
        #expect(review.paragraphs[11].text == "Region" && review.paragraphs[12].text == "North")
        let tracked = try DOCXReview(path: Fixtures.path("tracked-changes.docx"))
        #expect(tracked.paragraphs[0].text == "The budget is twelve million.")
    }

    @Test("edits become tracked changes and comments: accepting gives the edited text, rejecting the original, formatting kept")
    func applied() throws {
        let source = try #require(Fixtures.bytes(Fixtures.path("review-source.docx")))
        let review = try DOCXReview(bytes: source, name: "review-source.docx")
        let (package, outcomes) = try review.apply(Self.edits, author: "Quire", date: Self.date)
        #expect(outcomes.filter { !$0.isApplied }.isEmpty, "\(outcomes.compactMap(\.problem))")
        let original = try Self.markdown(source, .accepted)
        #expect(try Self.markdown(package, .original) == original)
        let accepted = try Self.markdown(package, .accepted)
        #expect(accepted.contains("The the budget is **4,800** dollars for the the next quarter."))
        #expect(accepted.contains("Read [the full plan](https://example.com/plan).\n"))
        #expect(accepted.contains("Sales grew 15% in March. (a record) *Costs stayed flat"))
        #expect(accepted.contains("We shipped 12000 units.\n\nShipping resumed in April.\n"))
        #expect(!accepted.contains("The committee") && accepted.contains("2. Costs stayed flat in every region we serve.\n\nWe shipped 12000 units."))
        let document = try DOCXReader().read(bytes: package, name: "reviewed.docx")
        let reasons = document.comments.map { $0.blocks.map { MarkdownRenderer().render(Document(blocks: [$0])) }.joined() }
        #expect(document.comments.count == 6)
        #expect(reasons.contains { $0.contains("The figure was revised.") } && reasons.contains { $0.contains("Which bookmark?") })
        #expect(document.comments.first { $0.id == "0" }?.author == "Ada Reviewer")
        #expect(document.comments.filter { $0.author == "Quire" }.allSatisfy { $0.date == Self.date })
    }

    @Test(
        "only the intended parts change: every other entry is copied as stored; a document without comments gets a comments part, relationship and content type"
    )
    func untouchedParts() throws {
        for name in ["review-source.docx", "review-plain.docx"] {
            let source = try #require(Fixtures.bytes(Fixtures.path(name)))
            let (package, _) = try DOCXReview(bytes: source, name: name).apply(Self.edits, date: Self.date)
            let before = try Self.stored(source)
            let after = try Self.stored(package)
            let expectedChanges: Set<String> =
                name == "review-plain.docx"
                ? ["word/document.xml", "word/_rels/document.xml.rels", "[Content_Types].xml"] : ["word/document.xml", "word/comments.xml"]
            let changed = Set(before.keys.filter { before[$0] != after[$0] })
            #expect(changed == expectedChanges, "\(name)")
            #expect(Set(after.keys).subtracting(before.keys) == (name == "review-plain.docx" ? ["word/comments.xml"] : []))
            let archive = try ZipArchive(bytes: package, name: name)
            let types = String(decoding: try #require(try archive.contents(ofPath: "[Content_Types].xml")), as: UTF8.self)
            let rels = String(decoding: try #require(try archive.contents(ofPath: "word/_rels/document.xml.rels")), as: UTF8.self)
            #expect(types.contains("/word/comments.xml") && rels.contains("relationships/comments"))
        }
    }

    @Test("XML-level: removing Quire's ins/comment markup and unwrapping its del gives back the original runs' text, and nothing else was touched")
    func xmlDiff() throws {
        let source = try #require(Fixtures.bytes(Fixtures.path("review-source.docx")))
        // A paragraph inserted between two paragraphs (its own mark inserted); the one after
        // paragraph 11 (before a table, where the paragraph's mark is the inserted one) is
        // left to the tests that accept and reject through readers.
        var edits = Self.edits
        edits[3] = ReviewEdit(.insertParagraph, paragraph: 2, find: "", text: "An inserted paragraph.", reason: "Say more.")
        let (package, _) = try DOCXReview(bytes: source, name: "r").apply(edits, date: Self.date)
        let before = String(decoding: try #require(try ZipArchive(bytes: source, name: "a").contents(ofPath: "word/document.xml")), as: UTF8.self)
        var after = String(decoding: try #require(try ZipArchive(bytes: package, name: "b").contents(ofPath: "word/document.xml")), as: UTF8.self)
        #expect(after.contains(#"<w:del w:id="#) && after.contains(#"w:author="Quire" w:date="2026-12-02T10:00:00Z""#))
        // Reject by hand: drop inserted runs and paragraphs, unwrap deletions, drop Quire's comment markup.
        for pattern in [
            #"<w:p><w:pPr>(?:(?!</w:pPr>).)*<w:ins w:id="\d+" w:author="Quire"[^>]*/></w:rPr></w:pPr>(?:(?!</w:p>).)*</w:p>"#,
            #"<w:ins w:id="\d+" w:author="Quire"[^>]*>.*?</w:ins>"#, #"<w:del w:id="\d+" w:author="Quire"[^>]*/>"#,
            #"<w:del w:id="\d+" w:author="Quire"[^>]*>"#, #"<w:rPr></w:rPr>"#,
            #"<w:comment(RangeStart|RangeEnd) w:id="([2-9]|\d\d)"/>"#, #"<w:r><w:commentReference w:id="([2-9]|\d\d)"/></w:r>"#,
        ] {
            after = after.replacingOccurrences(of: pattern, with: "", options: .regularExpression)
        }
        after = after.replacingOccurrences(of: "</w:del>", with: "").replacingOccurrences(of: "w:delText", with: "w:t")
        let text = { (xml: String) in
            xml.replacingOccurrences(of: "<w:pPr></w:pPr>", with: "").replacingOccurrences(
                of: #"</w:t></w:r><w:r>(<w:rPr>(<w:[bi]/>)</w:rPr>)?<w:t xml:space="preserve">"#, with: "", options: .regularExpression
            ).replacingOccurrences(of: #"<w:t( xml:space="preserve")?>"#, with: "<w:t>", options: .regularExpression)
        }
        #expect(text(after) == text(before))
    }

    @Test("edits that cannot be placed are reported and applied nowhere: not found, ambiguous, in a field, across a hyperlink, overlapping, no text")
    func refused() throws {
        let review = try DOCXReview(path: Fixtures.path("review-source.docx"))
        let edits: [ReviewEdit] = [
            ReviewEdit(.replace, paragraph: 3, find: "no such words", text: "x"),
            ReviewEdit(.replace, find: "Costs stayed flat", text: "Costs held"),
            ReviewEdit(.replace, paragraph: 5, find: "Page 7 of", text: "Page 8 of"),
            ReviewEdit(.delete, paragraph: 4, find: "Read the full"),
            ReviewEdit(.replace, paragraph: 3, find: "budget is", text: "sum is"),
            ReviewEdit(.delete, paragraph: 3, find: "budget is 4,500"),
            ReviewEdit(.replace, paragraph: 3, find: "next quarter", text: ""),
            ReviewEdit(.replace, paragraph: 99, find: "x", text: "y"),
            ReviewEdit(.delete, paragraph: 15, find: "Chart: "),
            ReviewEdit(.delete, paragraph: 3, find: "Read the full plan"),
        ]
        let (package, outcomes) = try review.apply(edits, date: Self.date)
        let problems = outcomes.map { $0.problem ?? "applied" }
        #expect(problems[0] == "“no such words” is not in paragraph 3 (nor anywhere else in the document)")
        #expect(problems[1].contains("occurs 2 times"))
        #expect(problems[2].contains("part of a field"))
        #expect(problems[3].contains("crosses a hyperlink"))
        #expect(problems[4] == "applied")
        #expect(problems[5] == "it overlaps edit 5, applied before it")
        #expect(problems[6] == "it has no new text")
        #expect(problems[7] == "there is no paragraph 99 (the document has 16)")
        #expect(problems[8] == "applied")
        #expect(problems[9] == "“Read the full plan” is not in paragraph 3 (it is in paragraph 4)")
        let accepted = try Self.markdown(package, .accepted)
        #expect(accepted.contains("The the sum is **4,500**") && accepted.contains("\n![Revenue chart]"))
        #expect(accepted.contains("Page 7 of the plan.") && accepted.contains("Read [the full plan]"))
    }

    @Test("a comment on text that crosses a hyperlink or a field goes around the paragraph's items that hold it; a change there is refused")
    func commentAround() throws {
        let review = try DOCXReview(path: Fixtures.path("review-source.docx"))
        let (package, outcomes) = try review.apply(
            [
                ReviewEdit(.comment, paragraph: 4, find: "Read the full plan", reason: "Link the final plan."),
                ReviewEdit(.comment, paragraph: 5, find: "7 of the plan", reason: "Page numbers move."),
                ReviewEdit(.delete, paragraph: 4, find: "Read"),
            ], date: Self.date)
        #expect(outcomes.map(\.problem) == [nil, nil, "it overlaps edit 1, applied before it"])
        let document = try DOCXReader().read(bytes: package, name: "r")
        let anchors = document.comments.filter { $0.author == "Quire" }.map(\.anchoredText)
        #expect(anchors == ["Read the full plan", "7 of the plan."])
        #expect(try Self.markdown(package, .accepted) == Self.markdown(try #require(Fixtures.bytes(Fixtures.path("review-source.docx"))), .accepted))
    }

    @Test("a replacement is written word by word: only the changed words are deleted and inserted, each keeping its formatting, under one comment")
    func wordByWord() throws {
        let review = try DOCXReview(path: Fixtures.path("review-source.docx"))
        let (package, outcomes) = try review.apply(
            [ReviewEdit(.replace, paragraph: 3, find: "The the budget is 4,500", text: "The budget is 4,800", reason: "Doubled word; revised figure.")],
            date: Self.date)
        #expect(outcomes[0].isApplied)
        #expect(try Self.markdown(package, .accepted).contains("The budget is **4,800** dollars for the the next quarter."))
        #expect(try Self.markdown(package, .review).contains("The {--the --}budget is {--**4,500**--}{++**4,800**++} dollars"))
        let document = try DOCXReader().read(bytes: package, name: "r")
        #expect(document.comments.filter { $0.author == "Quire" }.map(\.anchoredText) == ["budget is 4,800"])
    }

    @Test("loose matching: a model's straight quotes, hyphen and doubled space find the document's curly quotes and dash")
    func loose() throws {
        let review = try DOCXReview(path: Fixtures.path("review-source.docx"))
        #expect(review.paragraphs[13].text == "Closing paragraph with a bookmark \u{2014} it\u{2019}s \u{201C}final\u{201D}.")
        let (package, outcomes) = try review.apply(
            [ReviewEdit(.replace, paragraph: 14, find: "bookmark -  it's \"final\"", text: "bookmark; it is final", reason: "Plainer.")], date: Self.date)
        #expect(outcomes[0].isApplied, "\(outcomes)")
        #expect(try Self.markdown(package, .accepted).contains("Closing paragraph with a bookmark; it is final.\n"))
    }

    @Test("refused inputs: a DOCTYPE, UTF-16, malformed XML each give one error naming the file and part")
    func hostile() throws {
        for (name, expected) in [
            ("xxe.docx", "document type declaration"), ("utf16-document.docx", "UTF-16"), ("malformed-xml.docx", "does not match"),
        ] {
            do {
                _ = try DOCXReview(path: Fixtures.path(name))
                Issue.record("\(name) was read")
            } catch {
                #expect(error.file.hasSuffix(name) && "\(error)".contains(expected), "\(error)")
            }
        }
    }
}
