import Foundation
import QuireModel
import QuireRender
import Testing

private func text(_ s: String, _ style: TextStyle = []) -> Inline { .text(s, style) }
private func para(_ inlines: Inline...) -> Block { .paragraph(Paragraph(content: inlines)) }
private func cell(_ s: String, columns: Int = 1, rows: Int = 1) -> TableCell {
    TableCell(blocks: s.isEmpty ? [] : [para(text(s))], columnSpan: columns, rowSpan: rows)
}

struct MarkdownRendererTests {
    let renderer = MarkdownRenderer()

    @Test("headings, numbered headings, paragraphs and emphasis")
    func basics() {
        let document = Document(blocks: [
            .heading(Heading(level: 1, content: [text("Title")], isTitle: true)),
            .heading(Heading(level: 2, content: [text("Scope")], marker: "1.2")),
            para(text("Plain "), text("bold ", .bold), text("italic", .italic), text(" and "), text("gone", .strikethrough)),
        ])
        #expect(renderer.render(document) == "# Title\n\n## 1.2 Scope\n\nPlain **bold** *italic* and ~~gone~~\n")
    }

    @Test("text that looks like Markdown syntax is escaped")
    func escaping() {
        let document = Document(blocks: [
            para(text("# not a heading")), para(text("1. not a list")), para(text("a *b* [c] <d> snake_case _x_")),
        ])
        #expect(renderer.render(document) == "\\# not a heading\n\n1\\. not a list\n\na \\*b\\* \\[c\\] \\<d> snake_case \\_x\\_\n")
    }

    @Test("lists nest by level, keep Word's markers and separate different lists")
    func lists() {
        let document = Document(blocks: [
            .listItem(ListItem(level: 0, isOrdered: false, marker: "•", content: [text("a")], listID: "1")),
            .listItem(ListItem(level: 1, isOrdered: true, marker: "b)", content: [text("b")], listID: "1")),
            .listItem(ListItem(level: 0, isOrdered: true, marker: "3.", content: [text("c")], listID: "1")),
            .listItem(ListItem(level: 0, isOrdered: true, marker: "1.", content: [text("d")], listID: "2")),
        ])
        #expect(renderer.render(document) == "- a\n    - b) b\n3. c\n\n1. d\n")
    }

    @Test("tables become GFM tables with spans left empty and pipes escaped")
    func tables() {
        let table = Table(
            rows: [
                TableRow(cells: [cell("Region"), cell("Q1"), cell("Q2")]),
                TableRow(cells: [cell("North", rows: 2), cell("1|0"), cell("12")]),
                TableRow(cells: [cell("11"), cell("13")]),
                TableRow(cells: [cell("Total", columns: 2), cell("46")]),
            ], headerRowCount: 1)
        #expect(
            renderer.render(Document(blocks: [.table(table)])) == """
                | Region | Q1 | Q2 |
                | --- | --- | --- |
                | North | 1\\|0 | 12 |
                |  | 11 | 13 |
                | Total |  | 46 |

                """)
    }

    @Test("tracked changes follow the chosen view")
    func changes() {
        let document = Document(blocks: [
            para(
                text("The budget is "), .change(Change(kind: .deletion, author: "A", date: nil, content: [text("ten")])),
                .change(Change(kind: .insertion, author: "B", date: nil, content: [text("twelve")])), text("."))
        ])
        #expect(MarkdownRenderer().render(document) == "The budget is twelve.\n")
        #expect(MarkdownRenderer(options: RenderOptions(changes: .original)).render(document) == "The budget is ten.\n")
        #expect(MarkdownRenderer(options: RenderOptions(changes: .review)).render(document) == "The budget is {--ten--}{++twelve++}.\n")
    }

    @Test("notes and comments become footnotes; multi-paragraph ones are indented")
    func notesAndComments() {
        let document = Document(
            blocks: [para(text("Claim"), .noteReference(.footnote, id: "1"), text(" here"), .commentReference(id: "0"))],
            notes: [Note(kind: .footnote, id: "1", blocks: [para(text("Source."))])],
            comments: [Comment(id: "0", author: "Ada", date: "2024-01-01", blocks: [para(text("Check.")), para(text("Twice."))], anchoredText: "here")])
        #expect(
            renderer.render(document) == """
                Claim[^1] here[^c0]

                [^1]: Source.

                [^c0]: **Ada** (2024-01-01) on “here”: Check.

                    Twice.

                """)
        let bare = MarkdownRenderer(options: RenderOptions(includeNotes: false, includeComments: false)).render(document)
        #expect(bare == "Claim here\n")
    }

    @Test("neighbouring code blocks share one fence; quotes are prefixed")
    func codeAndQuotes() {
        let document = Document(blocks: [.code("let a = 1"), .code("print(a)"), .quote([para(text("Said."))])])
        #expect(renderer.render(document) == "```\nlet a = 1\nprint(a)\n```\n\n> Said.\n")
    }

    @Test("links, anchors, images and line breaks")
    func inlines() {
        let document = Document(blocks: [
            para(
                .link(Link(target: .url("https://x.org/a b"), content: [text("site")])), text(" "),
                .link(Link(target: .anchor("sec"), content: [text("there")])), .lineBreak, text("next"),
                .image(Image(altText: "A chart", mediaPath: "word/media/c.png")))
        ])
        #expect(renderer.render(document) == "[site](<https://x.org/a b>) [there](#sec)\\\nnext![A chart](word/media/c.png)\n")
    }

    @Test("headers and footers appear only when asked for")
    func headersFooters() {
        let document = Document(blocks: [para(text("Body"))], headersAndFooters: [HeaderFooter(kind: .header, pages: "default", blocks: [para(text("Top"))])])
        #expect(!renderer.render(document).contains("Top"))
        let with = MarkdownRenderer(options: RenderOptions(includeHeadersAndFooters: true)).render(document)
        #expect(with.contains("**Header (default pages)**\n\nTop"))
    }
}

struct PlainTextRendererTests {
    @Test("plain text keeps markers, tab-separates table cells and lists notes after the body")
    func plainText() {
        let document = Document(
            blocks: [
                .heading(Heading(level: 1, content: [text("Title")])),
                .listItem(ListItem(level: 0, isOrdered: true, marker: "1.", content: [text("one")])),
                .listItem(ListItem(level: 1, isOrdered: false, marker: "•", content: [text("sub")])),
                .table(Table(rows: [TableRow(cells: [cell("a"), cell("b")]), TableRow(cells: [cell("c", columns: 2)])])),
                para(text("See"), .noteReference(.footnote, id: "1")),
            ],
            notes: [Note(kind: .footnote, id: "1", blocks: [para(text("Note text."))])])
        #expect(PlainTextRenderer().render(document) == "Title\n\n1. one\n  • sub\n\na\tb\nc\t\n\nSee[1]\n\n[1] Note text.\n")
    }
}

struct JSONRendererTests {
    @Test("JSON output is valid, versioned and carries every part of the model")
    func json() throws {
        let document = Document(
            metadata: DocumentMetadata(title: "T \"quoted\"", authors: ["A"], format: .docx),
            blocks: [
                .heading(Heading(level: 2, content: [text("H", .bold)])),
                para(text("tab\there\nnewline"), .change(Change(kind: .insertion, author: "X", date: "2024", content: [text("new")]))),
                .table(Table(rows: [TableRow(cells: [cell("c", columns: 2)])], headerRowCount: 1)),
            ],
            comments: [Comment(id: "0", author: nil, date: nil, blocks: [], anchoredText: "a")])
        let output = JSONRenderer().render(document)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(object["schema"] as? String == "quire.document")
        #expect(object["version"] as? Int == 1)
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["title"] as? String == "T \"quoted\"")
        let blocks = try #require(object["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["type"] as? String } == ["heading", "paragraph", "table"])
        let inlines = try #require(blocks[1]["content"] as? [[String: Any]])
        #expect(inlines[0]["text"] as? String == "tab\there\nnewline")
        #expect(inlines[1]["kind"] as? String == "insertion")
        #expect(inlines[1]["author"] as? String == "X")
        let rows = try #require(blocks[2]["rows"] as? [[[String: Any]]])
        #expect(rows[0][0]["col_span"] as? Int == 2)
        #expect((object["comments"] as? [[String: Any]])?.first?["anchored_text"] as? String == "a")
        #expect(JSONRenderer(pretty: false).render(document).split(separator: "\n").count == 1)
    }
}

struct DocumentTests {
    @Test("sections split the body before headings up to the given level")
    func sections() {
        let document = Document(blocks: [
            para(text("intro")), .heading(Heading(level: 1, content: [text("A")])), para(text("a")),
            .heading(Heading(level: 3, content: [text("A.1")])), para(text("a1")), .heading(Heading(level: 2, content: [text("B")])),
        ])
        #expect(document.sections(splittingAt: 2).map { $0.count } == [1, 4, 1])
    }
}

struct MarkdownStreamTests {
    @Test("rendering block by block, taking output as it goes, equals rendering the whole document")
    func streamingMatchesWhole() {
        let document = Document(
            blocks: [
                .heading(Heading(level: 1, content: [text("T")])),
                .listItem(ListItem(level: 0, isOrdered: true, marker: "1.", content: [text("a")], listID: "1")),
                .listItem(ListItem(level: 0, isOrdered: true, marker: "2.", content: [text("b")], listID: "1")),
                .code("x"), .code("y"), para(text("after"), .noteReference(.footnote, id: "1")),
            ],
            notes: [Note(kind: .footnote, id: "1", blocks: [para(text("n"))])],
            headersAndFooters: [HeaderFooter(kind: .footer, pages: "default", blocks: [para(text("f"))])])
        let options = RenderOptions(includeHeadersAndFooters: true)
        var stream = MarkdownStream(options: options)
        var output = ""
        for block in document.blocks {
            stream.append(block)
            output += stream.takeOutput()
        }
        stream.finish(Document(notes: document.notes, headersAndFooters: document.headersAndFooters))
        output += stream.takeOutput()
        #expect(output == MarkdownRenderer(options: options).render(document))
        #expect(output.contains("```\nx\ny\n```\n\nafter[^1]\n\n[^1]: n\n"))
    }
}

struct SheetTrimmingTests {
    static func row(_ index: Int, _ cells: [(Int, String)]) -> SheetRow {
        SheetRow(index: index, cells: cells.map { Cell(column: $0.0, value: .string($0.1), formatted: $0.1) })
    }

    /// A sheet stated as A1:F9 (styled empty cells around the data) with values in B3:C5.
    static let padded = Sheet(
        name: "Padded", dimension: "A1:F9",
        rows: [
            row(1, [(0, ""), (5, "")]),
            row(3, [(1, "Name"), (2, "City")]),
            row(4, [(1, "Ada"), (2, "London")]),
            row(5, [(1, "Linus"), (2, "")]),
            row(9, [(5, "")]),
        ])

    @Test("Markdown and text leave out empty border rows and columns; CSV keeps the stated columns")
    func trimmed() {
        let book = Workbook(sheets: [Self.padded])
        #expect(WorkbookRenderer().markdown(book) == "## Padded\n\n| Name | City |\n| --- | --- |\n| Ada | London |\n| Linus |  |\n")
        #expect(WorkbookRenderer().text(book) == "Padded\nName\tCity\nAda\tLondon\nLinus\t\n")
        #expect(WorkbookRenderer().csv(book) == ",Name,City,,,\r\n,Ada,London,,,\r\n,Linus,,,,\r\n")
    }

    @Test("a sheet longer than the rows held keeps its stated columns, and never drops a value")
    func longSheet() {
        var rows = [Self.row(1, [(1, "head"), (2, "er")])]
        for r in 2...(SheetStreamWriter.holdLimit + 10) { rows.append(Self.row(r, [(1, "v\(r)")])) }
        rows.append(Self.row(SheetStreamWriter.holdLimit + 20, [(7, "far right")]))
        let sheet = Sheet(name: "Long", dimension: "A1:D\(SheetStreamWriter.holdLimit + 20)", rows: rows)
        let text = WorkbookRenderer().text(Workbook(sheets: [sheet]))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "\thead\ter\t")  // columns A…D as stated
        #expect(text.contains("\tv2001\t\t\n"))
        #expect(lines.contains { $0.hasSuffix("\tfar right") })
        // Without a stated range: from column A to what is used.
        let unsized = Sheet(name: "Long", rows: rows)
        let unsizedText = WorkbookRenderer().text(Workbook(sheets: [unsized]))
        #expect(unsizedText.split(separator: "\n")[1] == "\thead\ter")
        #expect(unsizedText.contains("far right"))
    }
}
