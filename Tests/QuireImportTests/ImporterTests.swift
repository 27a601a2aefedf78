import QuireImport
import QuireModel
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
        ])
    func detection(name: String, format: DetectedFormat) {
        #expect(Importer().detect(path: Fixtures.path(name)) == format)
    }

    @Test("mail and mbox text is recognised from its first bytes")
    func mailDetection() {
        #expect(Importer().detect(bytes: Array("From: a@example.com\r\nSubject: hi\r\n\r\nbody".utf8)) == .mail)
        #expect(Importer().detect(bytes: Array("From a@example.com Mon Jan  1 00:00:00 2024\nFrom: a\n".utf8)) == .mbox)
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

    @Test("formats not read yet are named in the error")
    func unsupported() {
        let error = #expect(throws: DocumentError.self) {
            _ = try Importer().read(bytes: Array("From: a@example.com\r\n\r\nhi".utf8), name: "note.eml")
        }
        #expect(error?.code == .unsupportedFormat)
        #expect(error?.description.contains("note.eml") == true)
        #expect(error?.message.contains("EML") == true)
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
