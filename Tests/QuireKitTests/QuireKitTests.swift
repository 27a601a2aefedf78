import Foundation
import QuireInternalThreads
import QuireKit
import QuireTestServer
import QuireTestSupport
import Testing

struct QuireKitTests {
    /// Writes `yaml` as a config file in a fresh folder; returns its path and the folder.
    static func config(_ yaml: String, _ name: String) throws -> (path: String, folder: URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quire-kit-\(name)-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("config.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, dir)
    }

    @Test("open and markdown read any file by its content")
    func openAny() throws {
        guard case .document(let document) = try Quire.open(Fixtures.path("sample-report.docx")) else {
            Issue.record("not a document")
            return
        }
        #expect(document.metadata.format == .docx)
        guard case .workbook(let workbook) = try Quire.open(Fixtures.path("sales.xlsx")) else {
            Issue.record("not a workbook")
            return
        }
        #expect(!workbook.sheets.isEmpty)
        let markdown = try Quire.markdown(of: Fixtures.path("sample-report.docx"))
        #expect(markdown.contains("# Q3 Operations Report"))
        #expect(throws: DocumentError.self) { try Quire.open(Fixtures.path("not-a-zip.docx")) }
    }

    @Test("the async open and markdown give what the sync forms give, and throw the same DocumentError")
    func openAsync() async throws {
        for name in ["sample-report.docx", "sales.xlsx", "mail/report-with-attachments.eml"] {
            let path = Fixtures.path(name)
            let viaAsync: ImportedContent = try await Quire.open(path)
            let viaSync: ImportedContent = try { () throws -> ImportedContent in try Quire.open(path) }()
            let json = Extractor(format: .json(pretty: false))
            #expect(try json.render(viaAsync, file: path) == json.render(viaSync, file: path), "\(name)")
            let markdown: String = try await Quire.markdown(of: path)
            #expect(markdown == (try { () throws -> String in try Quire.markdown(of: path) }()), "\(name)")
            #expect(!markdown.isEmpty)
        }
        do {
            _ = try await Quire.open(Fixtures.path("not-a-zip.docx"))
            Issue.record("a damaged file was read")
        } catch {
            // Typed throws: `error` is a DocumentError here, naming the file.
            #expect(error.description.contains("not-a-zip.docx"))
        }
    }

    @Test("messages(in:) walks every kind of mail source and reports what it could not read")
    func messages() async throws {
        let root = Fixtures.path("batch")
        let direct = MailSourceReader(paths: [root, "/nonexistent/x.mbox"])
        var expected: [String?] = []
        while let found = direct.next() { expected.append(found.message.subject) }
        let warnings = Locked<[String]>([])
        var subjects: [String?] = []
        for await message in Quire.messages(in: root, "/nonexistent/x.mbox", onWarning: { line in warnings.withLock { $0.append(line) } }) {
            subjects.append(message.subject)
        }
        #expect(subjects.count >= 15)
        #expect(subjects == expected)
        #expect(warnings.withLock { $0 }.contains { $0.contains("/nonexistent/x.mbox") })
    }

    @Test("rows(of:) streams a sheet's rows, by name or the first worksheet")
    func rows() async throws {
        let path = Fixtures.path("sales.xlsx")
        let book = try XLSXReader().open(path: path)
        var expected: [SheetRow] = []
        _ = try book.forEachRow(ofSheet: 0) { expected.append($0) }
        var rows: [SheetRow] = []
        for try await row in Quire.rows(of: path) { rows.append(row) }
        #expect(rows == expected)
        var named: [SheetRow] = []
        for try await row in Quire.rows(of: path, sheet: book.workbook.sheets[0].name) { named.append(row) }
        #expect(named == expected)
        await #expect {
            for try await _ in Quire.rows(of: path, sheet: "No Such Sheet") {}
        } throws: { error in
            "\(error)".contains("No Such Sheet") && "\(error)".contains(book.workbook.sheets[0].name)
        }
    }

    @Test("summarise offline: the built-in extractive summary of the document")
    func summariseOffline() async throws {
        let answer = try await Quire.summarise(Fixtures.path("sample-report.docx"), backends: .offline)
        #expect(answer.text.contains("Q3 Operations Report") || answer.text.contains("Revenue"))
        #expect(answer.outcome.parts == 0)
    }

    @Test("summarise on a configured route: the key-less backend is left out with a warning, the local server answers")
    func summariseConfigured() async throws {
        try await TestHTTPServer.serving({ _ in .openAIChat("The report says revenue rose.", promptTokens: 900, completionTokens: 12) }) { server in
            let (config, dir) = try Self.config(
                """
                backends:
                  gone: { kind: openai, model: gpt-5, api_key_env: QUIRE_KIT_TEST_NO_SUCH_KEY }
                  local: { kind: openai-compatible, model: test-model, base_url: \(server.baseURL)/v1 }
                tasks:
                  summarise: { use: [gone, local] }
                """, "route")
            defer { try? FileManager.default.removeItem(at: dir) }
            let answer = try await Quire.summarise(
                Fixtures.path("sample-report.docx"), options: TaskOptions(stream: false),
                backends: .configured(configPath: config, environment: [:]))
            #expect(answer.text == "The report says revenue rose.")
            #expect(answer.warnings.contains { $0.contains("gone is left out") })
            let request = try #require(server.received.first)
            #expect(request.uri.hasSuffix("/chat/completions"))
            #expect(request.bodyText.contains("test-model"))
            #expect(request.bodyText.contains("Operations Report"))
        }
    }

    @Test("a route with no usable backend is a clear failure before anything is sent")
    func noUsableBackend() async throws {
        let (config, dir) = try Self.config(
            """
            backends:
              gone: { kind: openai, model: gpt-5, api_key_env: QUIRE_KIT_TEST_NO_SUCH_KEY }
            tasks:
              summarise: { use: [gone] }
            """, "none")
        defer { try? FileManager.default.removeItem(at: dir) }
        await #expect {
            _ = try await Quire.summarise(Fixtures.path("sample-report.docx"), backends: .configured(configPath: config, environment: [:]))
        } throws: { error in
            "\(error)".contains("QUIRE_KIT_TEST_NO_SUCH_KEY") && "\(error)".contains("no backend of the route of 'summarise'")
        }
    }
}
