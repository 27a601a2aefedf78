import Foundation
import QuireDOCX
import QuireModel
import QuireOOXML
import QuireRender
import QuireTestSupport
import QuireZip
import Testing

func read(_ name: String) throws -> Document {
    try DOCXReader().read(path: Fixtures.path(name))
}

func headings(_ document: Document) -> [(Int, String)] {
    document.blocks.compactMap {
        if case .heading(let h) = $0 { return (h.level, h.content.plainText()) }
        return nil
    }
}

func listItems(_ document: Document) -> [ListItem] {
    document.blocks.compactMap {
        if case .listItem(let item) = $0 { return item }
        return nil
    }
}

func tables(_ blocks: [Block]) -> [Table] {
    blocks.compactMap {
        if case .table(let t) = $0 { return t }
        return nil
    }
}

func cellText(_ cell: TableCell) -> String {
    cell.blocks.flatMap { $0.paragraphTexts() }.joined(separator: "|")
}

struct DOCXReaderTests {
    @Test("headings come from heading styles, custom styles based on them, outline levels and the title")
    func headingsFromStyles() throws {
        let document = try read("headings-styles.docx")
        let found = headings(document)
        #expect(
            found.map(\.1) == [
                "Quarterly Review", "Overview", "Details", "Regional results", "A chapter by custom style",
                "Outline level from a custom style", "Outline level set on the paragraph",
            ])
        #expect(found.map(\.0) == [1, 1, 2, 3, 2, 4, 1])
        if case .heading(let title) = document.blocks[0] { #expect(title.isTitle) } else { Issue.record("no title first") }
        #expect(document.metadata.title == "Quarterly Review")
    }

    @Test("quote and code styles become quote and code blocks")
    func quoteAndCode() throws {
        let document = try read("headings-styles.docx")
        #expect(document.blocks.contains(.quote([.paragraph(Paragraph(content: [.text("A quotation kept apart.", [])]))])))
        let code = document.blocks.compactMap { if case .code(let c) = $0 { c } else { nil } }
        #expect(code == ["let total = 1 + 2", "print(total)"])
    }

    @Test("a style is for code by its name or id, in any ASCII case: code, verbatim, source, HTML Preformatted, Plain Text")
    func codeStyleNames() {
        let code = [
            "Code", "SourceCode", "Source Code", "HTML Code", "VERBATIM", "Verbatim Char", "HTML Preformatted", "html preformatted",
            "Plain Text", "PLAIN TEXT", "Quellcode", "codeblock", "Résumé source",
        ]
        let notCode = [
            "", "Normal", "Heading 1", "Plain Text Char", "HTML Preformatted Char", "Cod", "C o d e", "Sourc", "Verbatin",
            "Title", "Kode", "Plain  Text", "Ｃｏｄｅ",
        ]
        for name in code { #expect(StyleSheet.looksLikeCode(name), "\(name)") }
        for name in notCode { #expect(!StyleSheet.looksLikeCode(name), "\(name)") }
    }

    @Test("list markers are the numbers Word shows, with levels, formats and restarts")
    func listNumbering() throws {
        let items = listItems(try read("lists-numbering.docx"))
        let shown = items.map { "\($0.level)\($0.marker) \($0.content.plainText())" }
        #expect(
            shown == [
                "0• First bullet", "1◦ Nested bullet", "0• Second bullet",
                "01. Step one", "02. Step two", "1a) Sub-step a", "1b) Sub-step b", "2i. Deep i", "2ii. Deep ii",
                "03. Step three", "1a) Sub-step restarts",
                "01. Restarted one", "02. Restarted two",
                "0IV. Fourth", "0V. Fifth",
                "0• Bullet from the paragraph style.",
            ])
        #expect(items.filter(\.isOrdered).count == 12)
        #expect(!items[0].isOrdered)
    }

    @Test("a paragraph whose numbering is switched off is a plain paragraph")
    func numberingOff() throws {
        let document = try read("lists-numbering.docx")
        #expect(document.blocks.last == .paragraph(Paragraph(content: [.text("Numbering switched off.", [])])))
    }

    @Test("tables keep header rows, column spans, vertical merges and nested tables")
    func tablesStructure() throws {
        let document = try read("tables-merged-nested.docx")
        let table = try #require(tables(document.blocks).first)
        #expect(table.headerRowCount == 1)
        #expect(table.columnCount == 3)
        #expect(table.rows.map { $0.cells.count } == [3, 3, 2, 2, 2, 3])
        #expect(cellText(table.rows[1].cells[0]) == "North")
        #expect(table.rows[1].cells[0].rowSpan == 2)
        #expect(table.rows[2].cells.map(cellText) == ["11", "13"])
        #expect(table.rows[3].cells[0].columnSpan == 2)
        let nested = try #require(tables(table.rows[4].cells[1].blocks).first)
        #expect(nested.rows.map { $0.cells.map(cellText) } == [["inner A", "inner B"], ["inner C", "inner D"]])
        #expect(table.rows[5].cells[1].blocks.count == 2)
    }

    @Test("hyperlinks resolve relationship targets, anchors and HYPERLINK fields")
    func hyperlinks() throws {
        let document = try read("hyperlinks-fields.docx")
        var links: [Link] = []
        func collect(_ inlines: [Inline]) {
            for inline in inlines { if case .link(let l) = inline { links.append(l) } }
        }
        for block in document.blocks { if case .paragraph(let p) = block { collect(p.content) } }
        #expect(
            links.map(\.target) == [
                .url("https://example.com/report?q=1&x=2"), .anchor("_Results"), .url("https://example.org/docs"),
                .url("https://example.net/"),
            ])
        #expect(links.map { $0.content.plainText() } == ["the site", "the results", "the docs", "simple field link"])
    }

    @Test("fields show their result, never their instructions, also when nested")
    func fieldResults() throws {
        let texts = try read("hyperlinks-fields.docx").paragraphTexts()
        #expect(texts.contains("Page 7 of 9."))
        #expect(texts.contains("Nested: shown result"))
        #expect(!texts.joined().contains("HIDDEN-INNER"))
        #expect(!texts.joined().contains("PAGE"))
    }

    @Test("bold, italic, strike, scripts and character styles are kept; w:val=0 turns them off")
    func formatting() throws {
        let document = try read("formatting-breaks.docx")
        guard case .paragraph(let first) = document.blocks[0] else {
            Issue.record("no paragraph")
            return
        }
        #expect(
            first.content == [
                .text("Bold", .bold), .text(" and ", []), .text("italic", .italic), .text(" and ", []),
                .text("struck", .strikethrough), .text(" and not bold and ", []), .text("strong style", .bold),
            ])
        guard case .paragraph(let second) = document.blocks[1] else {
            Issue.record("no paragraph")
            return
        }
        #expect(second.content.contains(.text("2", .superscript)))
        #expect(second.content.contains(.text("2", .subscript)))
    }

    @Test("tabs, line breaks, page breaks, symbols and hyphens")
    func breaksAndSymbols() throws {
        let document = try read("formatting-breaks.docx")
        let texts = document.paragraphTexts()
        #expect(texts.contains("Name\tValue\nSecond line\nThird line"))
        #expect(texts.contains("Symbols: α✓ non-breaking, softhyphen"))
        let breakIndex = try #require(document.blocks.firstIndex(of: .pageBreak))
        #expect(document.blocks[breakIndex - 1].paragraphTexts() == ["Before the page break."])
        #expect(document.blocks[breakIndex + 1].paragraphTexts() == ["After the page break."])
    }

    @Test("footnotes and endnotes are numbered in order of first reference")
    func notes() throws {
        let document = try read("footnotes-comments.docx")
        #expect(
            document.notes.map { "\($0.kind.rawValue) \($0.id): \($0.blocks.flatMap { $0.paragraphTexts() }.joined())" } == [
                "footnote 1:  Source: annual filing.", "endnote 1:  An endnote.", "footnote 2:  Second note, first referenced later.",
            ])
        guard case .paragraph(let p) = document.blocks[0] else {
            Issue.record("no paragraph")
            return
        }
        #expect(p.content.contains(.noteReference(.footnote, id: "1")))
        #expect(p.content.contains(.noteReference(.endnote, id: "1")))
    }

    @Test("comments keep author, date, initials, text and the text they are anchored to")
    func comments() throws {
        let document = try read("footnotes-comments.docx")
        #expect(document.comments.count == 2)
        let first = document.comments[0]
        #expect(first.author == "Ada Reviewer")
        #expect(first.initials == "AR")
        #expect(first.date == "2024-03-02T10:00:00Z")
        #expect(first.anchoredText == "8.5 percent")
        #expect(first.blocks.flatMap { $0.paragraphTexts() } == ["Check this figure."])
        let second = document.comments[1]
        #expect(second.anchoredText == "First anchored paragraph.\nSecond anchored")
        #expect(second.blocks.count == 2)
    }

    @Test("tracked changes: accepted view by default, the original and both kept in the model")
    func trackedChanges() throws {
        let document = try read("tracked-changes.docx")
        #expect(
            document.paragraphTexts() == [
                "The budget is twelve million.", "Kept text with an insertion.", "Remaining sentence.", "", "Middle paragraph.",
                "Moved paragraph text.", "Formatting change only",
            ])
        #expect(
            document.paragraphTexts(.original).prefix(4) == [
                "The budget is ten million.", "Kept text.", "Deleted sentence. Remaining sentence.", "Moved paragraph text.",
            ])
        guard case .paragraph(let p) = document.blocks[0] else {
            Issue.record("no paragraph")
            return
        }
        #expect(p.content.contains(.change(Change(kind: .deletion, author: "Ben Editor", date: "2024-03-03T11:30:00Z", content: [.text("ten", [])]))))
        #expect(p.content.contains(.change(Change(kind: .insertion, author: "Ada Reviewer", date: "2024-03-02T10:00:00Z", content: [.text("twelve", [])]))))
        // A formatting-only change keeps the new formatting, not the old one.
        #expect(document.blocks.last == .paragraph(Paragraph(content: [.text("Formatting change only", .bold)])))
    }

    @Test("moved text is a moveFrom/moveTo pair")
    func moves() throws {
        let document = try read("tracked-changes.docx")
        var kinds: [Change.Kind] = []
        for block in document.blocks {
            if case .paragraph(let p) = block {
                for inline in p.content { if case .change(let c) = inline { kinds.append(c.kind) } }
            }
        }
        #expect(kinds == [.deletion, .insertion, .insertion, .deletion, .moveFrom, .moveTo])
    }

    @Test("headers and footers are read per section reference, apart from the body")
    func headersFooters() throws {
        let document = try read("headers-footers.docx")
        #expect(
            document.headersAndFooters.map { "\($0.kind.rawValue)/\($0.pages): \($0.blocks.flatMap { $0.paragraphTexts() }.joined())" } == [
                "header/default: ACME Confidential", "header/first: Cover page header", "footer/default: Page 1",
            ])
        #expect(!document.paragraphTexts().contains("ACME Confidential"))
        #expect(document.blocks.contains(.sectionBreak))
    }

    @Test("text boxes, content controls, smart tags, custom XML and math are read once each")
    func containers() throws {
        let texts = try read("textbox-sdt-smarttag.docx").paragraphTexts()
        #expect(
            texts == [
                "Paragraph holding a text box.", "Text inside the box.", "Block content control text.", "Inline control value here.",
                "Meet Jane Doe in Paris.", "Block custom XML paragraph.", "Math: x=2",
            ])
    }

    @Test("images carry alt text, title and their media part")
    func images() throws {
        let document = try read("images.docx")
        var found: [Image] = []
        for block in document.blocks {
            if case .paragraph(let p) = block {
                for inline in p.content { if case .image(let i) = inline { found.append(i) } }
            }
        }
        #expect(
            found == [
                Image(altText: "Bar chart of revenue by region", title: "Revenue chart", mediaPath: "word/media/chart.png"),
                Image(altText: "Company logo", title: "logo", mediaPath: "word/media/logo.png"),
            ])
    }

    @Test("core properties fill the metadata")
    func coreProperties() throws {
        let metadata = try read("core-properties.docx").metadata
        #expect(metadata.title == "Annual Plan 2024")
        #expect(metadata.authors == ["Grace Hopper"])
        #expect(metadata.lastModifiedBy == "Second Editor")
        #expect(metadata.created == "2024-03-01T09:30:00Z")
        #expect(metadata.modified == "2024-03-05T17:45:00Z")
        #expect(metadata.keywords == "quire, test")
        #expect(metadata.producer == "Quire fixture script 1.0")
        #expect(metadata.format == .docx)
    }

    @Test("Strict OOXML namespaces read like Transitional ones")
    func strict() throws {
        let document = try read("strict-namespaces.docx")
        #expect(headings(document).map(\.1) == ["Strict Heading"])
        #expect(listItems(document).map(\.marker) == ["1."])
        guard case .paragraph(let p) = document.blocks[1] else {
            Issue.record("no paragraph")
            return
        }
        #expect(p.content.contains(.text("bold", .bold)))
    }

    @Test("the main part is found through _rels/.rels wherever it is")
    func nonstandardMainPart() throws {
        #expect(try read("nonstandard-main-part.docx").paragraphTexts() == ["Main part found through _rels/.rels.", "Second paragraph."])
    }

    @Test(
        "UTF-16 parts, data descriptors and ZIP64 archives read normally",
        arguments: [
            ("utf16-document.docx", "UTF-16 encoded part: ünïcödé ✓"),
            ("data-descriptor.docx", "Written with data descriptors."),
            ("zip64.docx", "Read through ZIP64 records."),
        ])
    func containersAndEncodings(name: String, text: String) throws {
        #expect(try read(name).paragraphTexts() == [text])
    }

    @Test("in-memory bytes read the same as the file")
    func fromBytes() throws {
        let bytes = try #require(Fixtures.bytes(Fixtures.path("sample-report.docx")))
        let fromMemory = try DOCXReader().read(bytes: bytes, name: "<stdin>")
        let fromFile = try read("sample-report.docx")
        #expect(fromMemory.blocks == fromFile.blocks)
        #expect(fromMemory.metadata.sourcePath == "<stdin>")
    }

    @Test(
        "hostile and broken documents give distinct errors that name the file and place",
        arguments: [
            ("zip-bomb.docx", DocumentError.Code.limitExceeded, "word/document.xml"),
            ("zip-bomb-lying-size.docx", .limitExceeded, "word/document.xml"),
            ("xxe.docx", .unsafeXML, "word/document.xml:2:"),
            ("billion-laughs.docx", .unsafeXML, "word/document.xml:2:"),
            ("malformed-xml.docx", .malformedXML, "word/document.xml:4:"),
            ("corrupt-crc.docx", .corrupt, "word/document.xml"),
            ("truncated.docx", .truncated, ""),
            ("encrypted.docx", .encrypted, ""),
            ("legacy-word97.doc", .legacyFormat, ""),
            ("empty.docx", .empty, ""),
            ("not-a-zip.docx", .unsupportedFormat, ""),
        ])
    func hostile(name: String, code: DocumentError.Code, location: String) throws {
        let error = #expect(throws: DocumentError.self) { _ = try read(name) }
        #expect(error?.code == code)
        #expect(error?.file == Fixtures.path(name))
        if !location.isEmpty { #expect(error?.location?.hasPrefix(location) == true, "\(String(describing: error))") }
        #expect(error?.description.contains("/etc/passwd") != true || name == "xxe.docx")
    }

    @Test("the XXE payload never reaches the output")
    func xxeLeaksNothing() throws {
        let error = #expect(throws: DocumentError.self) { _ = try read("xxe.docx") }
        #expect(error?.description.contains("root:x:0:0") == false)
    }

    @Test("python-docx output reads with its list styles and table")
    func pythonDocxSample() throws {
        let document = try read("sample-report.docx")
        #expect(document.metadata.title == "Q3 Operations Report")
        #expect(listItems(document).map(\.marker) == ["•", "•", "•", "1.", "2.", "3."])
        let table = try #require(tables(document.blocks).first)
        #expect(table.rows.count == 4)
        #expect(table.rows[2].cells.map(cellText) == ["South", "1,100", "1,180"])
    }
}

struct StreamingReadTests {
    @Test(
        "streaming the body hands over the same blocks, in order, and keeps the rest",
        arguments: [
            "sample-report.docx", "headings-styles.docx", "footnotes-comments.docx", "tables-merged-nested.docx",
            "textbox-sdt-smarttag.docx", "headers-footers.docx",
        ])
    func streamingMatches(name: String) throws {
        let whole = try read(name)
        var streamed: [Block] = []
        let rest = try DOCXReader().read(path: Fixtures.path(name)) { streamed.append($0) }
        #expect(streamed == whole.blocks)
        #expect(rest.blocks.isEmpty)
        #expect(rest.notes == whole.notes)
        #expect(rest.comments == whole.comments)
        #expect(rest.headersAndFooters == whole.headersAndFooters)
        #expect(rest.metadata == whole.metadata)
    }

    @Test("streamed Markdown equals Markdown of the whole document")
    func streamedMarkdown() throws {
        var markdown = MarkdownStream()
        let rest = try DOCXReader().read(path: Fixtures.path("footnotes-comments.docx")) { block in markdown.append(block) }
        markdown.finish(rest)
        #expect(markdown.takeOutput() == MarkdownRenderer().render(try read("footnotes-comments.docx")))
    }
}

struct ParallelReadTests {
    static let fixtures = [
        "sample-report.docx", "headings-styles.docx", "lists-numbering.docx", "tables-merged-nested.docx",
        "hyperlinks-fields.docx", "formatting-breaks.docx", "footnotes-comments.docx", "tracked-changes.docx",
        "headers-footers.docx", "textbox-sdt-smarttag.docx", "images.docx", "strict-namespaces.docx", "utf16-document.docx",
    ]

    @Test("reading with the model built on a second thread gives the same document", arguments: fixtures)
    func sameDocument(name: String) throws {
        let parallel = DOCXReader(options: .init(parallelThreshold: 0))
        let serial = DOCXReader(options: .init(parallelThreshold: .max))
        let a = try parallel.read(path: Fixtures.path(name))
        let b = try serial.read(path: Fixtures.path(name))
        #expect(a == b)
        var streamed: [Block] = []
        _ = try parallel.read(path: Fixtures.path(name)) { streamed.append($0) }
        #expect(streamed == b.blocks)
    }

    /// Every .docx of TestDocuments.
    static let allDOCX: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.root + "/TestDocuments")) ?? []
        return names.filter { $0.hasSuffix(".docx") }.sorted()
    }()

    @Test("libxml2 and the byte scanner give the same document (or the same kind of error), on one thread and on two")
    func sameDocumentBothParsers() throws {
        #expect(Self.allDOCX.count >= 30)
        var read = 0
        for name in Self.allDOCX {
            for threshold: Int64 in [0, .max] {
                let reader = DOCXReader(options: .init(parallelThreshold: threshold, parallelism: 2))
                func outcome(_ generalParserOnly: Bool) -> Result<Document, DocumentError> {
                    Result { () throws(DocumentError) -> Document in
                        var package = try OPCPackage(path: Fixtures.path(name), limits: .default)
                        package.generalParserOnly = generalParserOnly
                        return try reader.read(package: package)
                    }
                }
                switch (outcome(false), outcome(true)) {
                case (.success(var scanned), .success(var general)):
                    // A damaged part's warning is in each parser's words; the part it names is the same.
                    scanned.warnings = scanned.warnings.map(Self.part)
                    general.warnings = general.warnings.map(Self.part)
                    #expect(scanned == general, "\(name), threshold \(threshold)")
                    read += 1
                case (.failure(let scanned), .failure(let general)):
                    #expect(scanned.code == general.code, "\(name): \(scanned) / \(general)")
                    #expect(scanned.location.map(Self.part) == general.location.map(Self.part), "\(name)")
                case (let scanned, let general):
                    Issue.record("\(name): \(scanned) against libxml2's \(general)")
                }
            }
        }
        #expect(read >= 40)
    }

    /// What a warning or location says before its first colon: the part.
    static func part(_ text: String) -> String { String(text.prefix { $0 != ":" }) }

    @Test("a streamed body is handed over on the calling thread when the scanner reads it, and in order either way")
    func streamingThread() throws {
        let reader = DOCXReader(options: .init(parallelThreshold: 0, parallelism: 2))
        let caller = pthread_self()
        var onCaller: [Bool] = []
        var blocks: [Block] = []
        _ = try reader.read(path: Fixtures.path("sample-report.docx")) { block in
            onCaller.append(pthread_equal(pthread_self(), caller) != 0)
            blocks.append(block)
        }
        #expect(!onCaller.isEmpty && onCaller.allSatisfy { $0 })
        #expect(blocks == (try DOCXReader().read(path: Fixtures.path("sample-report.docx"))).blocks)
        // A UTF-16 body goes to libxml2, whose big parts have the model built on another thread.
        var utf16: [Block] = []
        _ = try reader.read(path: Fixtures.path("utf16-document.docx")) { utf16.append($0) }
        #expect(utf16 == (try DOCXReader().read(path: Fixtures.path("utf16-document.docx"))).blocks)
    }

    @Test("errors are the same on the parallel path", arguments: ["xxe.docx", "malformed-xml.docx", "corrupt-crc.docx", "zip-bomb-lying-size.docx"])
    func sameErrors(name: String) throws {
        let parallel = #expect(throws: DocumentError.self) { _ = try DOCXReader(options: .init(parallelThreshold: 0)).read(path: Fixtures.path(name)) }
        let serial = #expect(throws: DocumentError.self) { _ = try DOCXReader(options: .init(parallelThreshold: .max)).read(path: Fixtures.path(name)) }
        #expect(parallel?.code == serial?.code)
        #expect(parallel?.location == serial?.location)
    }
}

struct ParagraphMarkTests {
    static func render(_ name: String, _ view: ChangeView) throws -> String {
        let document = try DOCXReader().read(path: Fixtures.path(name))
        return MarkdownRenderer(options: RenderOptions(changes: view)).render(document)
    }

    @Test("tracked paragraph marks: a deleted mark joins paragraphs once accepted, an inserted one splits them; review shows both")
    func marks() throws {
        #expect(try Self.render("tracked-paragraph-marks.docx", .accepted) == "First half\n\nof a sentence.\n\nSecond part joined again.\n\nUntouched.\n")
        #expect(try Self.render("tracked-paragraph-marks.docx", .original) == "First half of a sentence.\n\nSecond part\n\njoined again.\n\nUntouched.\n")
        #expect(
            try Self.render("tracked-paragraph-marks.docx", .review)
                == "First half {++¶++}\n\nof a sentence.\n\nSecond part{--¶--}\n\njoined again.\n\nUntouched.\n")
        let document = try DOCXReader().read(path: Fixtures.path("tracked-paragraph-marks.docx"))
        #expect(PlainTextRenderer(options: RenderOptions(changes: .accepted)).render(document).contains("Second part joined again."))
        let json = JSONRenderer(pretty: false).render(document)
        #expect(json.contains(#""mark":{"change":"insertion","author":"Ada Reviewer","date":"2024-03-05T09:00:00Z"}"#))
    }

    @Test(
        "pandoc's paragraph_insertion_deletion.docx reads as Word shows it in each view",
        .enabled(if: Fixtures.corpus != nil, "the shared corpus is not beside the checkout: skipped"))
    func pandocCorpus() throws {
        let path = try #require(Fixtures.corpus.map { $0 + "/pandoc/test/docx/paragraph_insertion_deletion.docx" })
        let document = try DOCXReader().read(path: path)
        let accepted = MarkdownRenderer(options: RenderOptions(changes: .accepted)).render(document)
        let original = MarkdownRenderer(options: RenderOptions(changes: .original)).render(document)
        #expect(accepted == "This is a\n\nsplitParagraph.\n")
        #expect(original == "This is a split\n\nParagraph.\n")
    }
}

struct AltChunkTests {
    @Test("w:altChunk: an imported Word document, HTML and text are read where they stand; what cannot be read is named")
    func altChunks() throws {
        let document = try DOCXReader().read(path: Fixtures.path("alt-chunks.docx"))
        let text = MarkdownRenderer().render(document)
        #expect(
            text.hasPrefix(
                "Before the chunks.\n\n# Imported from a Word document.\n\nIts body text.\n\nImported HTML & more.\n\nSecond HTML paragraph.\n\nImported plain text, over two lines.\n\nA second text paragraph.\n"
            ))
        #expect(!text.contains("alert") && !text.contains("color:red"))
        #expect(text.contains("Not shown: the imported part word/chunk4.rtf (application/rtf), which Quire does not read."))
        #expect(text.contains("Not shown: an imported part (rId999) that the package does not hold."))
        #expect(text.hasSuffix("After the chunks.\n"))
        // Streamed the same way.
        var stream = MarkdownStream()
        let rest = try DOCXReader().read(path: Fixtures.path("alt-chunks.docx")) { stream.append($0) }
        stream.finish(rest)
        #expect(stream.takeOutput() == text)
    }
}
