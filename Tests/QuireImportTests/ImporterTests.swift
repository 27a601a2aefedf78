import Foundation
import QuireDOCX
import QuireImport
import QuireInternalThreads
import QuireModel
import QuireRender
import QuireTestSupport
import Testing

struct ImporterTests {
    @Test(
        "formats are detected from bytes, not names",
        arguments: [
            ("sample-report.docx", DetectedFormat.docx),
            ("nonstandard-main-part.docx", .docx),
            ("strict-namespaces.docx", .docx),
            ("encrypted.docx", .oleCompound),
            ("legacy-word97.doc", .oleCompound),
            ("empty.docx", .empty),
            ("not-a-zip.docx", .unknown),
            ("truncated.docx", .zip),
            ("mail/obsolete-header-syntax.eml", .mail),  // `Subject :` — blanks before the colon
            ("mail/thread.mbox", .mbox),
            ("outlook/plain-utf16.msg", .msg),  // an Outlook message: by its root storage's entries
            ("outlook/legacy-word.doc", .oleCompound),
            ("outlook/legacy-excel.xls", .oleCompound),
            ("outlook/encrypted-ooxml.docx", .oleCompound),
        ])
    func detection(name: String, format: DetectedFormat) {
        #expect(Importer().detect(path: Fixtures.path(name)) == format)
    }

    @Test("mail and mbox text is recognised from its first bytes")
    func mailDetection() {
        #expect(Importer().detect(bytes: Array("From: a@example.com\r\nSubject: hi\r\n\r\nbody".utf8)) == .mail)
        #expect(Importer().detect(bytes: Array("From a@example.com Mon Jan  1 00:00:00 2024\nFrom: a\n".utf8)) == .mbox)
    }

    @Test("an Outlook .msg is read as mail, its Office attachments read into it and a broken one named in a warning")
    func readsOutlook() throws {
        guard case .mail(let message) = try Importer().read(path: Fixtures.path("outlook/plain-utf16.msg")) else {
            Issue.record("not mail")
            return
        }
        #expect(message.subject == "Q3 report – draft for review")
        #expect(message.origin?.file == Fixtures.path("outlook/plain-utf16.msg"))
        guard case .document(let report) = message.attachments.first?.content else {
            Issue.record("the attached report was not read")
            return
        }
        #expect(report.blocks.contains { $0.paragraphTexts().contains { $0.contains("Q3 Operations Report") } })
        // The same from bytes in memory, and as an attachment of an attachment: sniffed, not named.
        let bytes = try #require(Fixtures.bytes(Fixtures.path("outlook/plain-utf16.msg")))
        #expect(Importer().detect(bytes: bytes) == .msg)
        guard case .mail(let fromMemory) = try Importer().read(bytes: bytes, name: "x.bin") else {
            Issue.record("not mail")
            return
        }
        #expect(fromMemory.to.count == 2)

        guard case .mail(let damaged) = try Importer().read(path: Fixtures.path("outlook/hostile-attachments.msg")) else {
            Issue.record("not mail")
            return
        }
        #expect(damaged.attachments.map(\.filename) == ["good.txt", "broken.docx", "also-good.txt"])
        #expect(damaged.warnings.contains { $0.hasPrefix("attachment 'broken.docx' could not be read") })
        #expect(damaged.warnings.contains { $0.hasPrefix("attachment 3 could not be read") })
    }

    @Test("an Outlook .msg attached to an .eml is read into the message, with its own attachments")
    func msgAttachedToMail() throws {
        let msg = try #require(Fixtures.bytes(Fixtures.path("outlook/embedded.msg")))
        let base64 = Data(msg).base64EncodedString(options: .lineLength76Characters).replacingOccurrences(of: "\r\n", with: "\n")
        let eml = """
            From: Grace Hopper <grace@example.org>
            To: ada@example.org
            Subject: As promised
            MIME-Version: 1.0
            Content-Type: multipart/mixed; boundary="b"

            --b
            Content-Type: text/plain

            The message you asked for.
            --b
            Content-Type: application/vnd.ms-outlook; name="request.msg"
            Content-Disposition: attachment; filename="request.msg"
            Content-Transfer-Encoding: base64

            \(base64)
            --b--

            """
        guard case .mail(let message) = try Importer().read(bytes: Array(eml.utf8), name: "as-promised.eml") else {
            Issue.record("not mail")
            return
        }
        guard case .message(let attached) = message.attachments.first?.content else {
            Issue.record("the attached .msg was not read")
            return
        }
        #expect(attached.subject == "FW: Original request")
        guard case .message(let inner) = attached.attachments.first?.content else {
            Issue.record("the message embedded in the .msg was not read")
            return
        }
        #expect(inner.subject == "Original request")
    }

    @Test("other compound files keep their own errors: legacy Word and Excel, encrypted OOXML, a damaged container")
    func compoundErrors() {
        func failure(_ name: String) -> DocumentError? {
            do {
                _ = try Importer().read(path: Fixtures.path(name))
                return nil
            } catch {
                return error
            }
        }
        func code(_ name: String) -> DocumentError.Code? { failure(name)?.code }
        #expect(code("outlook/legacy-word.doc") == .legacyFormat)
        #expect(failure("outlook/legacy-word.doc")?.message.contains("Word 97–2003 document (.doc)") == true)
        #expect(code("outlook/legacy-excel.xls") == .legacyFormat)
        #expect(failure("outlook/legacy-excel.xls")?.message.contains("Excel 97–2003 workbook (.xls)") == true)
        #expect(code("outlook/encrypted-ooxml.docx") == .encrypted)
        #expect(code("encrypted.docx") == .encrypted)
        #expect(code("legacy-word97.doc") == .legacyFormat)
        #expect(code("outlook/cfb-v3.cfb") == .unsupportedFormat)
        #expect(failure("outlook/cfb-v3.cfb")?.message.contains("its root holds: big, empty, small") == true)
        #expect(code("outlook/hostile-directory-cycle.cfb") == .corrupt)
        #expect(code("outlook/hostile-fat-count.cfb") == .corrupt)
    }

    @Test("a DOCX is read into a document whatever its file name")
    func readsDocx() throws {
        guard case .document(let document) = try Importer().read(path: Fixtures.path("headings-styles.docx")) else {
            Issue.record("not a document")
            return
        }
        #expect(document.metadata.format == .docx)
        #expect(document.paragraphTexts().first == "Quarterly Review")
    }

    @Test("a message in memory is read as mail; bytes of no known format are a clear error")
    func mailAndUnknown() throws {
        guard case .mail(let message) = try Importer().read(bytes: Array("From: a@example.com\r\nSubject: hi\r\n\r\nhello".utf8), name: "note.eml")
        else {
            Issue.record("not read as mail")
            return
        }
        #expect(message.subject == "hi" && message.textBody == "hello")
        let error = #expect(throws: DocumentError.self) { _ = try Importer().read(bytes: [0x00, 0x01, 0x02, 0xFF], name: "blob.bin") }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.description.contains("blob.bin") == true)
        #expect(error?.message.contains(".eml message") == true)
    }

    @Test("a directory and a missing path give clear errors")
    func paths() {
        let directory = #expect(throws: DocumentError.self) { _ = try Importer().read(path: Fixtures.root + "/TestDocuments") }
        #expect(directory?.message.contains("directory") == true)
        let missing = #expect(throws: DocumentError.self) { _ = try Importer().read(path: "/no/such/file.docx") }
        #expect(missing?.code == .io)
        #expect(missing?.file == "/no/such/file.docx")
    }
}

struct ExtractorTests {
    static func docxFiles() -> [String] {
        var files = [
            "sample-report.docx", "headings-styles.docx", "lists-numbering.docx", "tables-merged-nested.docx",
            "hyperlinks-fields.docx", "formatting-breaks.docx", "footnotes-comments.docx", "tracked-changes.docx",
            "headers-footers.docx", "textbox-sdt-smarttag.docx", "images.docx", "strict-namespaces.docx",
        ].map(Fixtures.path)
        if let corpus = Fixtures.corpus {
            for name in [
                "pandoc/test/docx/tables.docx", "pandoc/test/docx/lists_restarting.docx", "pandoc/test/docx/notes.docx",
                "pandoc/test/docx/comments.docx", "pandoc/test/docx/codeblock.docx", "pandoc/test/docx/block_quotes.docx",
            ] {
                files.append(corpus + "/" + name)
            }
        }
        return files
    }

    @Test("the pipelined Markdown extraction gives exactly the renderer's output")
    func pipelineMatchesRenderer() throws {
        for path in Self.docxFiles() {
            let expected = MarkdownRenderer().render(try DOCXReader().read(path: path))
            let options = RenderOptions(includeHeadersAndFooters: true)
            for parallelism in [1, 2] {
                let extractor = Extractor(format: .markdown, importer: Importer(parallelism: parallelism))
                #expect(try extractor.extract(path: path) == expected, "\(path), \(parallelism) thread(s)")
            }
            #expect(
                try Extractor(format: .markdown, options: options).extract(path: path)
                    == MarkdownRenderer(options: options).render(try DOCXReader().read(path: path)), "\(path)")
        }
    }

    @Test("text extraction renders the whole document; JSON streams block by block to exactly the renderer's output")
    func otherFormats() throws {
        let path = Fixtures.path("headings-styles.docx")
        let document = try DOCXReader().read(path: path)
        #expect(try Extractor(format: .text).extract(path: path) == PlainTextRenderer().render(document))
        for path in Self.docxFiles() {
            let whole = try DOCXReader().read(path: path)
            for pretty in [true, false] {
                for parallelism in [1, 2] {
                    let extractor = Extractor(format: .json(pretty: pretty), importer: Importer(parallelism: parallelism))
                    #expect(try extractor.extract(path: path) == JSONRenderer(pretty: pretty).render(whole), "\(path), \(parallelism) thread(s)")
                }
            }
        }
        // Metadata comes last, so that a title taken from the first heading can be written.
        let json = try Extractor(format: .json(pretty: false)).extract(path: Fixtures.path("sample-report.docx"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect((object["metadata"] as? [String: Any])?["title"] as? String != nil)
        #expect(json.hasPrefix(#"{"schema":"quire.document","version":1,"blocks":["#))
    }

    @Test("a failing file gives an error and no partial output")
    func failure() {
        let error = #expect(throws: DocumentError.self) { _ = try Extractor(format: .markdown).extract(path: Fixtures.path("corrupt-crc.docx")) }
        #expect(error?.code == .corrupt)
    }
}

struct WorkbookExtractionTests {
    static func files() -> [String] {
        var files = [
            "number-formats.xlsx", "sheets-hidden-merged.xlsx", "date1904.xlsx", "rich-text-no-header.xlsx", "links-tables-comments.xlsx",
            "threaded-comments.xlsx", "utf16-parts.xlsx",
        ].map(Fixtures.path)
        if let corpus = Fixtures.corpus {
            for name in [
                "calamine/tests/issues.xlsx", "calamine/tests/merged_range.xlsx", "calamine/tests/empty_sheet.xlsx",
                "calamine/tests/temperature.xlsx", "markitdown/packages/markitdown/tests/test_files/test.xlsx",
                "openpyxl/openpyxl/reader/tests/data/date_1904.xlsx", "calamine/tests/no-header.xlsx",
            ] {
                files.append(corpus + "/" + name)
            }
        }
        return files
    }

    @Test(
        "streamed sheets render exactly as the collected workbook does",
        arguments: [Extractor.Format.markdown, .text, .csv, .json(pretty: true), .json(pretty: false)])
    func streamedEqualsCollected(format: Extractor.Format) throws {
        for path in Self.files() {
            guard format == .csv else {
                let streamed = try Extractor(format: format).extract(path: path)
                let collected = try Extractor(format: format).render(try Importer().read(path: path), file: path)
                #expect(streamed == collected, "\(path)")
                continue
            }
            // CSV holds one table: sheet by sheet (a workbook of several is refused whole, both ways).
            let workbook = try Importer().read(path: path)
            guard case .workbook(let book) = workbook else { continue }
            for index in book.sheets.indices where book.sheets[index].kind == .worksheet {
                let extractor = Extractor(format: .csv, sheet: String(index + 1))
                #expect(try extractor.extract(path: path) == extractor.render(workbook, file: path), "\(path) sheet \(index + 1)")
            }
            let visible = book.sheets.filter { $0.kind == .worksheet && $0.visibility == .visible }.count
            if visible > 1 {
                #expect(throws: DocumentError.self) { try Extractor(format: .csv).extract(path: path) }
                #expect(throws: DocumentError.self) { try Extractor(format: .csv).render(workbook, file: path) }
            }
        }
    }
}

struct DirectCSVTests {
    static func files() -> [String] {
        var files = WorkbookExtractionTests.files()
        guard let corpus = Fixtures.corpus,
            let manifest = try? String(contentsOfFile: corpus + "/MANIFEST.tsv", encoding: .utf8)
        else { return files }
        for line in manifest.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if fields.count > 1, fields[1] == "xlsx", !fields[0].contains("pass_protected") { files.append(corpus + "/" + fields[0]) }
        }
        return files
    }

    @Test("CSV written straight from the XML equals CSV rendered from the cells, on every workbook")
    func sameAsCells() throws {
        var compared = 0
        for path in Self.files() {
            let direct: String
            do {
                direct = try Extractor(format: .csv).extract(path: path)
            } catch {
                // Files that fail must fail the same way on the cell path.
                #expect(throws: DocumentError.self) { _ = try Extractor(format: .csv).render(try Importer().read(path: path), file: path) }
                continue
            }
            let cells = try Extractor(format: .csv).render(try Importer().read(path: path), file: path)
            #expect(direct == cells, "\(path)")
            // The same on two threads (inflating ahead, and the segmented scan on big sheets).
            #expect(try Extractor(format: .csv, importer: Importer(parallelism: 2)).extract(path: path) == cells, "\(path), 2 threads")
            compared += 1
        }
        #expect(compared > 150 || Fixtures.corpus == nil)
    }
}

struct ParallelismTests {
    @Test("a mailbox, several files and a workbook give the same output on one thread as on two")
    func sameOutput() throws {
        let mbox = Fixtures.path("mail/thread.mbox")
        let files = ["sample-report.docx", "sales.xlsx", "mail/forwarded.eml", "number-formats.xlsx"].map(Fixtures.path)
        for format in [Extractor.Format.markdown, .json(pretty: false)] {
            let one = Extractor(format: format, importer: Importer(parallelism: 1))
            let two = Extractor(format: format, importer: Importer(parallelism: 2))
            #expect(try one.extract(path: mbox) == two.extract(path: mbox))
            func all(_ extractor: Extractor) -> String {
                let collected = Gathered()
                extractor.extractAll(paths: files, header: { "<\($0)>\n" }, footer: "</>\n", write: { collected.append($0) }, failed: { _, _ in })
                return collected.text
            }
            let sequential = all(one)
            #expect(sequential == all(two))
            #expect(sequential.components(separatedBy: "</>\n").count == files.count + 1)
        }
    }
}

struct ExtractAllTests {
    @Test("many files in batches on two threads, bigger ones streamed between them, failures in their turn: the order of one thread")
    func batchesInOrder() throws {
        let mail = (try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("mail"))).filter { $0.hasSuffix(".eml") }.sorted()
        #expect(mail.count >= 8)
        // Small messages (several per batch; each three times), failures, and files above
        // `streamAbove` that break the batches and are streamed on the calling thread.
        var names = (mail + mail + mail).map { "mail/" + $0 }
        names.insert("not-a-zip.docx", at: 3)
        names.insert("sample-report.docx", at: 9)
        names.insert("missing-\(UUID().uuidString).eml", at: 14)
        names.insert("sales.xlsx", at: 15)
        names.append("truncated.docx")
        let files = names.map(Fixtures.path)
        let streamAbove = 20_000
        #expect(files.contains { Importer.fileSize($0) > streamAbove } && files.filter { Importer.fileSize($0) <= streamAbove }.count > 16)
        func all(_ parallelism: Int) -> (String, [String]) {
            let collected = Gathered()
            var failures: [String] = []
            Extractor(format: .markdown, importer: Importer(parallelism: parallelism)).extractAll(
                paths: files, header: { "@@\($0)\n" }, footer: "</>\n", streamAbove: streamAbove, write: { collected.append($0) },
                failed: { path, _ in
                    failures.append(path)
                    collected.append("<failed \(path)>\n")
                })
            return (collected.text, failures)
        }
        let (one, oneFailures) = all(1)
        let (two, twoFailures) = all(2)
        #expect(one == two)
        #expect(oneFailures == twoFailures && oneFailures.count == 3)
        #expect(one.components(separatedBy: "</>\n").count == files.count + 1)
        // Each file's header comes in the order given.
        let headers = one.split(separator: "\n").filter { $0.hasPrefix("@@") }
        #expect(headers.map { String($0.dropFirst(2)) } == files)
    }
}

/// Text written from any thread, in the order written.
final class Gathered: @unchecked Sendable {
    private let lock = NSLock()
    private var pieces: [String] = []
    func append(_ text: String) { lock.withLock { pieces.append(text) } }
    var text: String { lock.withLock { pieces.joined() } }
}

struct MessageSizeLimitTests {
    @Test("an .eml past the message size limit is read up to it, with a warning that says how to raise it")
    func emlLimit() throws {
        let path = NSTemporaryDirectory() + "quire-limit-\(getpid()).eml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let head = "From: ada@example.org\nSubject: big\n\nfirst words "
        try (head + String(repeating: "y", count: 300_000) + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let small = try Importer(maxMessageBytes: 100_000).readMailFile(path: path)
        #expect(small.subject == "big")
        #expect(small.textBody?.hasPrefix("first words yyy") == true)
        #expect((small.textBody?.utf8.count ?? 0) <= 100_000)
        #expect(
            small.warnings.contains {
                $0.hasPrefix("the message is 293 KB (300049 bytes): only its first 98 KB were read") && $0.contains("--max-message-size")
            }, "\(small.warnings)")
        let whole = try Importer().readMailFile(path: path)
        #expect(whole.warnings.allSatisfy { !$0.contains("--max-message-size") })
        #expect(whole.textBody?.utf8.count == 300_000 + "first words \n".utf8.count)
    }
}

struct ThreadSpillTests {
    /// `extract --threads` output of `paths`, holding messages up to `hold` bytes.
    static func threads(_ paths: [String], format: Extractor.Format, hold: Int) throws -> (String, [String]) {
        var extractor = Extractor(format: format)
        extractor.threadHoldLimit = hold
        let out = Locked("")
        var failures: [String] = []
        try extractor.extractThreads(paths: paths, write: { text in out.withLock { $0 += text } }) { path, error in failures.append("\(path): \(error.message)")
        }
        return (out.withLock { $0 }, failures)
    }

    @Test(
        "past the hold limit, threads are made from headers and each thread read again: the same output as holding every message",
        arguments: [Extractor.Format.markdown, .json(pretty: false), .text])
    func spillSameOutput(format: Extractor.Format) throws {
        let paths = [
            Fixtures.path("mail/thread.mbox"), Fixtures.path("mail/list-thread.mbox"), Fixtures.path("batch/takeout.mbox"),
            Fixtures.path("mail/forwarded.eml"), Fixtures.path("mail/report-with-attachments.eml"),
        ]
        let (held, heldFailures) = try Self.threads(paths, format: format, hold: 32 << 20)
        let (spilled, spilledFailures) = try Self.threads(paths, format: format, hold: 0)
        #expect(!held.isEmpty)
        #expect(spilled == held)
        #expect(spilledFailures == heldFailures)
        // Half held, half spilled (the limit passed part-way through the first mailbox).
        let (mixed, _) = try Self.threads(paths, format: format, hold: 600)
        #expect(mixed == held)
    }
}
