import Foundation
import QuireImport
import QuireModel
import QuireTestSupport
import Testing

/// A reader for `QNOTE` files: a magic line, then one paragraph per line.
struct NoteReader: FormatPlugin {
    let format = DetectedFormat(name: "qnote")
    func accepts(head: [UInt8], detected: DetectedFormat, name: String) -> Bool {
        head.starts(with: Array("QNOTE\n".utf8))
    }
    func read(bytes: [UInt8], name: String, importer: Importer) throws(DocumentError) -> ImportedContent {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst()
        if lines.contains(where: { $0.hasPrefix("!") }) {
            throw DocumentError(.corrupt, file: name, message: "a line starts with '!'.")
        }
        let blocks = lines.map { Block.paragraph(Paragraph(content: [.text(String($0), [])])) }
        return .document(Document(metadata: DocumentMetadata(sourcePath: name, format: DocumentFormat("qnote")), blocks: blocks))
    }
}

/// Takes every OLE compound file (legacy .doc/.xls, Outlook .msg) and says what it is.
struct OLENamer: FormatPlugin {
    let format = DetectedFormat(name: "ole-named")
    func accepts(head: [UInt8], detected: DetectedFormat, name: String) -> Bool { detected == .oleCompound }
    func read(bytes: [UInt8], name: String, importer: Importer) throws(DocumentError) -> ImportedContent {
        .document(Document(blocks: [.paragraph(Paragraph(content: [.text("OLE file of \(bytes.count) bytes", [])]))]))
    }
}

struct FormatPluginTests {
    static func temporaryFile(_ name: String, _ contents: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quire-plugin-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a registered reader takes its format: detect names it, read and extract use it")
    func registered() throws {
        let path = try Self.temporaryFile("minutes.qn", "QNOTE\nBudget approved.\nNext meeting in May.\n")
        #expect(Importer().detect(path: path) == .unknown)
        #expect(throws: DocumentError.self) { try Importer().read(path: path) }
        let importer = Importer(plugins: [NoteReader()])
        #expect(importer.detect(path: path) == DetectedFormat(name: "qnote"))
        guard case .document(let document) = try importer.read(path: path) else {
            Issue.record("not a document")
            return
        }
        #expect(document.blocks.count == 2)
        #expect(document.metadata.sourcePath == path)
        let markdown = try Extractor(format: .markdown, importer: importer).extract(path: path)
        #expect(markdown.contains("Budget approved.") && markdown.contains("Next meeting in May."))
        let bytes = Array("QNOTE\nFrom memory.\n".utf8)
        #expect(try Extractor(format: .text, importer: importer).extract(bytes: bytes, name: "<stdin>").contains("From memory."))
    }

    @Test("a plugin's error reaches the caller with the file named")
    func pluginError() throws {
        let path = try Self.temporaryFile("bad.qn", "QNOTE\n!broken\n")
        #expect {
            try Importer(plugins: [NoteReader()]).read(path: path)
        } throws: { error in
            (error as? DocumentError)?.file == path && (error as? DocumentError)?.code == .corrupt
        }
    }

    @Test("a plugin can take OLE files that Quire itself refuses as legacy")
    func ole() throws {
        let path = Fixtures.path("legacy-word97.doc")
        #expect(throws: DocumentError.self) { try Importer().read(path: path) }
        let importer = Importer(plugins: [OLENamer()])
        #expect(importer.detect(path: path) == DetectedFormat(name: "ole-named"))
        guard case .document(let document) = try importer.read(path: path) else {
            Issue.record("not a document")
            return
        }
        #expect(document.blocks.first?.paragraphTexts().first?.hasPrefix("OLE file of ") == true)
    }

    @Test("a plugin that declines leaves Word, Excel and mail to the built-in readers")
    func builtInsStay() throws {
        let importer = Importer(plugins: [NoteReader(), OLENamer()])
        #expect(importer.detect(path: Fixtures.path("sample-report.docx")) == .docx)
        guard case .document(let document) = try importer.read(path: Fixtures.path("sample-report.docx")) else {
            Issue.record("not a document")
            return
        }
        #expect(document.metadata.format == .docx)
        guard case .workbook = try importer.read(path: Fixtures.path("sales.xlsx")) else {
            Issue.record("not a workbook")
            return
        }
    }

    @Test("an attachment in the plugin's format is read into the message")
    func attachment() throws {
        let note = Data("QNOTE\nAttached minutes.\n".utf8).base64EncodedString()
        let raw = """
            From: a@example.org\r
            To: b@example.org\r
            Subject: minutes\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b1"\r
            \r
            --b1\r
            Content-Type: text/plain\r
            \r
            See attached.\r
            --b1\r
            Content-Type: application/octet-stream; name="minutes.qn"\r
            Content-Disposition: attachment; filename="minutes.qn"\r
            Content-Transfer-Encoding: base64\r
            \r
            \(note)\r
            --b1--\r

            """
        let plain = try Importer().readMail(bytes: Array(raw.utf8), name: "m.eml")
        #expect(plain.attachments.count == 1)
        if case .document = plain.attachments.first?.content { Issue.record("read without the plugin") }
        let message = try Importer(plugins: [NoteReader()]).readMail(bytes: Array(raw.utf8), name: "m.eml")
        guard case .document(let document) = message.attachments.first?.content else {
            Issue.record("the attachment was not read by the plugin")
            return
        }
        #expect(document.blocks.first?.paragraphTexts() == ["Attached minutes."])
        #expect(message.warnings.isEmpty)
    }
}
