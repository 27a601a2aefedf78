import QuireDOCX
import QuireTasks
import Testing

struct ReviewTaskTests {
    @Test("a model's answer: fenced JSON, a bare array, paragraph as p12 / \"12\" / 12; an item with an unknown action skipped and named")
    func parsing() throws {
        let fenced = """
            Here are my edits:
            ```json
            {"edits": [{"action": "replace", "paragraph": "p12", "find": "teh", "text": "the", "reason": "Typo."},
                       {"action": "rewrite", "paragraph": "p2", "find": "x", "text": "y", "reason": ""}]}
            ```
            """
        let parsed = try ReviewTask.edits(from: fenced)
        #expect(parsed.edits == [ReviewEdit(.replace, paragraph: 12, find: "teh", text: "the", reason: "Typo.")])
        #expect(parsed.skipped.count == 1 && parsed.skipped[0].contains("rewrite"))
        let bare = try ReviewTask.edits(from: #"[{"action":"insert-paragraph","paragraph":"3","text":"New."},{"action":"delete","paragraph":7,"find":"old"}]"#)
        #expect(bare.edits == [ReviewEdit(.insertParagraph, paragraph: 3, find: "", text: "New."), ReviewEdit(.delete, paragraph: 7, find: "old")])
        #expect(throws: (any Error).self) { try ReviewTask.edits(from: "Looks good to me.") }
    }

    @Test("the listing: one line per non-empty paragraph, headings marked, breaks as spaces; long documents in groups that fit the window")
    func listing() throws {
        let paragraphs = [
            DOCXReview.Paragraph(number: 1, style: "Heading1", isHeading: true, text: "Intro"),
            DOCXReview.Paragraph(number: 2, style: nil, isHeading: false, text: ""),
            DOCXReview.Paragraph(number: 3, style: nil, isHeading: false, text: "Line one\nline two\tend."),
            DOCXReview.Paragraph(number: 4, style: nil, isHeading: false, text: "North", isInTable: true),
        ]
        #expect(ReviewTask.listing(paragraphs) == "[p1 heading] Intro\n[p3] Line one line two end.\n[p4 cell] North")
        let many = (1...400).map { DOCXReview.Paragraph(number: $0, style: nil, isHeading: false, text: String(repeating: "word ", count: 60)) }
        let groups = ReviewTask.groups(many, budget: PromptBudget(contextWindow: 8000, maxOutputTokens: 2000))
        #expect(groups.count > 1 && groups.flatMap { $0 }.map(\.number) == Array(1...400))
    }
}
