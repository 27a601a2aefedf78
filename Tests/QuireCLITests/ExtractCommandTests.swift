import Foundation
import QuireInternalThreads
import QuireTestServer
import QuireTestSupport
import QuireZip
import Testing

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built `quire` executable (swift test builds it with the tests). Standard input is
/// written and standard error drained on threads of their own while standard output is read,
/// so a command that writes much to both streams (or reads its input late) cannot deadlock on
/// a full pipe. The waiting happens off the cooperative pool (see `offThePool`).
func quire(_ arguments: [String], stdin: [UInt8]? = nil, environment: [String: String]? = nil, directory: String? = nil) async throws -> CommandResult {
    try await offThePool { try quireBlocking(arguments, stdin: stdin, environment: environment, directory: directory) }
}

private func quireBlocking(_ arguments: [String], stdin: [UInt8]?, environment: [String: String]?, directory: String?) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Fixtures.quireExecutable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    process.currentDirectoryURL = URL(fileURLWithPath: directory ?? Fixtures.root)
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    let writer = Thread { [input] in
        if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let errData = Locked(Data())
    let drained = DispatchSemaphore(value: 0)
    let errReader = Thread { [err] in
        let data = err.fileHandleForReading.readDataToEndOfFile()
        errData.withLock { $0 = data }
        drained.signal()
    }
    errReader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    drained.wait()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData.withLock { $0 }, as: UTF8.self))
}

struct CommandHelperTests {
    @Test("a command writing far more than a pipe holds to standard error, and reading a large standard input, does not stall")
    func bigStreams() async throws {
        let missing = (0..<3_000).map { "/nonexistent/quire-missing-\($0).docx" }
        let result = try await quire(["extract"] + missing + ["TestDocuments/sample-report.docx"])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").filter { $0.contains("quire-missing-") }.count == 3_000)
        #expect(result.stderr.utf8.count > 128 * 1024)
        #expect(result.stdout.contains("Q3 Operations Report"))
        var mbox = ""
        for i in 0..<4_000 { mbox += "From a@example.org Mon Jan  1 10:00:00 2024\nSubject: m\(i)\n\nBody \(i) with some text to fill the pipe.\n\n" }
        let piped = try await quire(["extract", "--format", "jsonl", "-"], stdin: Array(mbox.utf8))
        #expect(piped.status == 0)
        #expect(piped.stdout.split(separator: "\n").count == 4_000)
    }
}

struct ExtractCommandTests {
    @Test("-o to a device or a pipe writes into it: /dev/null stays a device, a FIFO stays a FIFO and gets the text")
    func specialOutputs() async throws {
        let run = try await quire(["extract", "-o", "/dev/null", "TestDocuments/sample-report.docx"])
        #expect(run.status == 0)
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR, "/dev/null is no longer a character device")

        let fifo = NSTemporaryDirectory() + "quire-fifo-\(UUID().uuidString)"
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        let received = Locked<[UInt8]>([])
        let reader = Thread {
            guard let handle = FileHandle(forReadingAtPath: fifo) else { return }
            let data = handle.readDataToEndOfFile()
            received.withLock { $0 = Array(data) }
        }
        reader.start()
        let piped = try await quire(["extract", "-o", fifo, "TestDocuments/sample-report.docx"])
        while !reader.isFinished { usleep(10_000) }
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(String(decoding: received.withLock { $0 }, as: UTF8.self).hasPrefix("# Q3 Operations Report"))
        #expect(stat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter {
            $0.contains((fifo as NSString).lastPathComponent + ".quire")
        }
        #expect(leftovers.isEmpty)
    }

    @Test("Markdown is the default output")
    func markdown() async throws {
        let result = try await quire(["extract", "TestDocuments/sample-report.docx"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("# Q3 Operations Report\n\n"))
        #expect(result.stdout.contains("| North | 1,450 | 1,720 |"))
        #expect(result.stderr.isEmpty)
    }

    @Test("one bad file is reported on stderr, the others still come out, and the status is 1")
    func badFileInList() async throws {
        let result = try await quire([
            "extract", "TestDocuments/headings-styles.docx", "TestDocuments/encrypted.docx", "TestDocuments/lists-numbering.docx",
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("# Quarterly Review"))
        #expect(result.stdout.contains("1. Step one"))
        #expect(result.stdout.contains("<!-- quire: TestDocuments/lists-numbering.docx -->"))
        #expect(result.stderr.contains("TestDocuments/encrypted.docx"))
        #expect(result.stderr.contains("password-protected"))
    }

    @Test("'-' reads standard input")
    func standardInput() async throws {
        let bytes = try #require(Fixtures.bytes(Fixtures.path("headings-styles.docx")))
        let result = try await quire(["extract", "-", "--format", "text"], stdin: bytes)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Quarterly Review\n\nOverview\n"))
    }

    @Test("JSON is one pretty document, or one line per file for several")
    func json() async throws {
        let one = try await quire(["extract", "--format", "json", "TestDocuments/core-properties.docx"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(one.stdout.utf8)) as? [String: Any])
        #expect((object["metadata"] as? [String: Any])?["title"] as? String == "Annual Plan 2024")
        let two = try await quire(["extract", "--format", "json", "TestDocuments/core-properties.docx", "TestDocuments/zip64.docx"])
        let lines = two.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        for line in lines { #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil) }
    }

    @Test("-o writes the output to a file")
    func outputFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("quire-\(UUID().uuidString).md").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await quire(["extract", "TestDocuments/tracked-changes.docx", "--changes", "review", "-o", path])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written.hasPrefix("The budget is {--ten--}{++twelve++} million."))
    }

    @Test("an unknown format value is a usage error")
    func usageError() async throws {
        let result = try await quire(["extract", "--format", "pdf", "TestDocuments/sample-report.docx"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("pdf"))
    }
}

struct ExtractSpreadsheetTests {
    @Test("spreadsheets: Markdown by default, CSV of one sheet with --sheet, a clear error for a missing sheet")
    func spreadsheets() async throws {
        let markdown = try await quire(["extract", "TestDocuments/sheets-hidden-merged.xlsx"])
        #expect(markdown.status == 0)
        #expect(markdown.stdout.hasPrefix("## Data\n\n| Region | Q1 | Q2 | Total |"))
        let csv = try await quire(["extract", "--format", "csv", "--sheet", "2", "TestDocuments/sheets-hidden-merged.xlsx"])
        #expect(csv.status == 0)
        #expect(csv.stdout == "hidden value\r\n")
        let missing = try await quire(["extract", "--sheet", "Nope", "TestDocuments/sheets-hidden-merged.xlsx"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no sheet 'Nope'; its sheets are 'Data', 'Secret', 'Empty'"))
        let docxAsCSV = try await quire(["extract", "--format", "csv", "TestDocuments/sample-report.docx"])
        #expect(docxAsCSV.status == 1)
        #expect(docxAsCSV.stderr.contains("CSV output is for spreadsheets"))
    }
}

struct ExtractMailTests {
    @Test("a message: headers, body, and attached Word and Excel files rendered after it")
    func eml() async throws {
        let result = try await quire(["extract", "TestDocuments/mail/report-with-attachments.eml"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("# Quarterly report — figures attached ✓\n\n- **From:** Zoë Müller \\<zoe.mueller@example.com>\n"))
        #expect(result.stdout.contains("Revenue grew by 12 %."))
        // The attachments' own headings sit under the attachment's heading.
        #expect(result.stdout.contains("## Attachment: Q1 report.docx\n\n### Q3 Operations Report"))
        #expect(result.stdout.contains("## Attachment: Umsätze 2024.xlsx\n\n### "))
        #expect(!result.stdout.contains("\n# Q3 Operations Report"))
    }

    @Test("a forwarded message carries its own attachments, read as well")
    func forwarded() async throws {
        let result = try await quire(["extract", "--format", "json", "TestDocuments/mail/forwarded.eml"])
        #expect(result.status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["schema"] as? String == "quire.mail")
        let attachment = try #require((json["attachments"] as? [[String: Any]])?.first)
        #expect(attachment["content_type"] as? String == "message/rfc822")
        let inner = try #require(attachment["content"] as? [String: Any])
        #expect(inner["subject"] as? String == "Quarterly report — figures attached ✓")
        let docx = try #require((inner["attachments"] as? [[String: Any]])?.first?["content"] as? [String: Any])
        #expect(docx["schema"] as? String == "quire.document")
    }

    @Test("an mbox: one JSON line per message with --format jsonl, sections in Markdown, CSV refused")
    func mbox() async throws {
        let lines = try await quire(["extract", "--format", "jsonl", "TestDocuments/mail/thread.mbox"])
        #expect(lines.status == 0)
        let objects = lines.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(objects.count == 3)
        #expect(objects.compactMap { $0?["message_id"] as? String } == ["m1@example.org", "m2@example.org", "m3@example.org"])
        let markdown = try await quire(["extract", "TestDocuments/mail/thread.mbox"])
        #expect(markdown.stdout.components(separatedBy: "\n---\n\n# Re: Launch plan").count == 3)
        let csv = try await quire(["extract", "--format", "csv", "TestDocuments/mail/thread.mbox"])
        #expect(csv.status == 1)
        #expect(csv.stderr.contains("thread.mbox") && csv.stderr.contains("CSV output is for spreadsheets"))
    }

    @Test("a message on standard input")
    func stdin() async throws {
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("mail/legacy-charsets.eml"))))
        let result = try await quire(["extract", "--format", "text", "-"], stdin: bytes)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("Subject: Café au lait  and more\nFrom: 山田太郎 <yamada@example.jp>\n"))
    }
}

struct ExtractFolderTests {
    @Test("a Maildir: cur and new in name order, tmp and non-mail files left out (and said so)")
    func maildir() async throws {
        let root = NSTemporaryDirectory() + "quire-maildir-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        for sub in ["cur", "new", "tmp"] { try FileManager.default.createDirectory(atPath: root + "/" + sub, withIntermediateDirectories: true) }
        func copy(_ fixture: String, _ to: String) throws {
            try FileManager.default.copyItem(atPath: Fixtures.path("mail/" + fixture), toPath: root + "/" + to)
        }
        try copy("report-with-attachments.eml", "cur/1700000000.1.host:2,S")
        try copy("legacy-charsets.eml", "new/1700000001.2.host")
        try copy("forwarded.eml", "tmp/1700000002.3.host")
        try Data("not mail at all\u{0}\u{1}".utf8).write(to: URL(fileURLWithPath: root + "/cur/junk"))
        let result = try await quire(["extract", "--format", "jsonl", root])
        #expect(result.status == 0)
        let subjects = result.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["subject"] as? String
        }
        #expect(subjects == ["Quarterly report — figures attached ✓", "Café au lait  and more"])
        #expect(result.stderr.contains("skipped 1 file"))
    }
}

struct ExtractThreadTests {
    @Test("--threads: one thread per conversation, each message's new text in date order, JSON one thread per line")
    func threads() async throws {
        let markdown = try await quire(["extract", "--threads", "TestDocuments/mail/thread.mbox", "TestDocuments/mail/report-with-attachments.eml"])
        #expect(markdown.status == 0)
        #expect(markdown.stdout.hasPrefix("# Quarterly report — figures attached ✓\n"))
        #expect(markdown.stdout.contains("\n---\n\n# Launch plan\n\n_3 messages from Ada, Bob, Carol_\n\n## Ada — Tue, 5 Mar 2024 09:00:00 +0000\n"))
        #expect(!markdown.stdout.contains("> Here is"))  // quoted history is not repeated
        let json = try await quire(["extract", "--threads", "--format", "json", "TestDocuments/mail/thread.mbox"])
        let lines = json.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let thread = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(thread["schema"] as? String == "quire.thread")
        let messages = try #require(thread["messages"] as? [[String: Any]])
        #expect(messages.map { $0["quoted"] as? String } == [nil, "> Here is\n", nil])
    }
}

struct ModelsCommandTests {
    @Test("quire config init writes a starter that quire models reads; missing keys are said, not tried")
    func initAndShow() async throws {
        let home = NSTemporaryDirectory() + "quire-home-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: home) }
        let path = home + "/config.yaml"
        let written = try await quire(["config", "init", path])
        #expect(written.status == 0 && written.stdout.contains("wrote \(path)"))
        #expect(try await quire(["config", "init", path]).status != 0)  // no overwrite without --force
        let shown = try await quire(["models", "--config", path])
        #expect(shown.status == 0)
        #expect(
            shown.stdout.contains(
                "summarise:\n  → claude — anthropic claude-sonnet-4-5  (\(path):33)\n      timeouts: connect 10 s, silence 120 s, total 600 s\n"))
        let test = try await quire(["models", "test", "claude", "--config", path])
        #expect(test.status == 1 && test.stdout.contains("claude: not tested: ANTHROPIC_API_KEY is not set"))
    }

    @Test("a config with a mistake is an error naming the line")
    func badConfig() async throws {
        let path = NSTemporaryDirectory() + "quire-bad-\(getpid()).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("backends:\n  a: { kind: gemini, model: x }\n".utf8).write(to: URL(fileURLWithPath: path))
        let result = try await quire(["models", "--config", path])
        #expect(result.status != 0)
        #expect(result.stderr.contains("\(path):2: unknown kind 'gemini'"))
    }

    @Test("quire models test against an OpenAI-compatible server on 127.0.0.1, and the built-in backend")
    func test() async throws {
        let server = try await TestHTTPServer { _ in
            .body(#"{"choices":[{"message":{"content":"OK"},"finish_reason":"length"}],"usage":{"prompt_tokens":14,"completion_tokens":1}}"#)
        }
        let path = NSTemporaryDirectory() + "quire-lab-\(getpid()).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("backends:\n  lab: { kind: openai-compatible, model: qwen, base_url: \"\(server.baseURL)/v1\" }\ntasks:\n  summarise: [lab]\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        let result = try await quire(["models", "test", "lab", "--config", path])
        try await server.shutdown()
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.hasPrefix("lab: ok in ") && result.stdout.contains("— \"OK\" (14 in, 1 out)"))
        let body = try #require(server.received.first)
        #expect(body.uri == "/v1/chat/completions" && body.bodyText.contains("\"max_tokens\":1"))
        let builtin = try await quire(["models", "test", "builtin", "--config", path])
        #expect(builtin.status == 0 && builtin.stdout.hasPrefix("builtin: ok in "))
        // A name the config does not have is a config error, not a silent test of the offline backend.
        let unknown = try await quire(["models", "test", "lbs", "--config", path])
        #expect(unknown.status == 3 && unknown.stdout.isEmpty)
        #expect(unknown.stderr.contains("lbs is not a backend of the config; test one of: lab, builtin"))
    }
}

struct MailSourceTests {
    @Test("every mail JSON object says where it came from: the file, the mbox index and byte offset, the Maildir name")
    func sources() async throws {
        let mbox = try await quire(["extract", "--format", "jsonl", "TestDocuments/mail/thread.mbox"])
        let sources = mbox.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["source"] as? [String: Any]
        }
        #expect(sources.map { $0["index"] as? Int } == [0, 1, 2])
        #expect(sources.map { $0["offset"] as? Int } == [0, 263, 588])
        #expect(sources.allSatisfy { $0["file"] as? String == "TestDocuments/mail/thread.mbox" })
        let maildir = try await quire(["extract", "--format", "jsonl", "TestDocuments/batch/Maildir/cur"])
        let first = try #require(
            maildir.stdout.split(separator: "\n").first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
        #expect((first["source"] as? [String: Any])?["maildir_name"] as? String == "1704700000.M1P1.host:2,S")
        let threads = try await quire(["extract", "--threads", "--format", "jsonl", "TestDocuments/mail/thread.mbox"])
        let thread = try #require(try JSONSerialization.jsonObject(with: Data(threads.stdout.utf8)) as? [String: Any])
        let messages = try #require(thread["messages"] as? [[String: Any]])
        #expect(messages.compactMap { ($0["source"] as? [String: Any])?["offset"] as? Int } == [0, 263, 588])
    }
}

struct CSVOutputTests {
    @Test("CSV is one table: a workbook of several sheets needs --sheet or -o DIR/ (one file per sheet), never heading lines in the data")
    func oneTablePerFile() async throws {
        let several = try await quire(["extract", "--format", "csv", "TestDocuments/sheets-hidden-merged.xlsx"])
        #expect(several.status == 1)
        #expect(several.stdout.isEmpty)
        #expect(several.stderr.contains("the workbook has 2 sheets ('Data', 'Empty') and CSV holds one table"))
        let one = try await quire(["extract", "--format", "csv", "--sheet", "Data", "TestDocuments/sheets-hidden-merged.xlsx"])
        #expect(one.status == 0 && one.stdout.hasPrefix("Region,Q1,Q2,Total\r\n") && !one.stdout.contains("# sheet"))
        let two = try await quire(["extract", "--format", "csv", "TestDocuments/sales.xlsx", "TestDocuments/date1904.xlsx"])
        #expect(two.status == 2 && two.stdout.isEmpty)
        let dir = NSTemporaryDirectory() + "quire-csv-\(UUID().uuidString)/"
        let split = try await quire(["extract", "--format", "csv", "-o", dir, "TestDocuments/sheets-hidden-merged.xlsx", "TestDocuments/sales.xlsx"])
        #expect(split.status == 0, "\(split.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names == ["sales_Orders.csv", "sheets-hidden-merged_Data.csv", "sheets-hidden-merged_Empty.csv"])
        let data = try String(contentsOfFile: dir + "sheets-hidden-merged_Data.csv", encoding: .utf8)
        #expect(data == one.stdout)
    }
}

struct ExitStatusTests {
    @Test("the same exit statuses for every command: 1 failed input, 2 usage, 3 config, 4 backend; errors without usage text")
    func statuses() async throws {
        let env = TaskCommandTests.cleanEnvironment()
        #expect(try await quire(["extract", "--no-such-option", "TestDocuments/sample-report.docx"], environment: env).status == 2)
        #expect(try await quire(["summarise"], environment: env).status == 2)
        let failed = try await quire(["extract", "TestDocuments/encrypted.docx"], environment: env)
        #expect(failed.status == 1 && failed.stderr.hasPrefix("quire: error: "))
        let offline = try await quire(["draft", "A note"], environment: env)
        #expect(offline.status == 3 && !offline.stderr.contains("Usage:"))
        let bad = NSTemporaryDirectory() + "quire-bad-\(UUID().uuidString).yaml"
        try "backends: [\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let config = try await quire(["summarise", "--config", bad, "TestDocuments/sample-report.docx"], environment: env)
        #expect(config.status == 3 && config.stderr.contains(bad) && !config.stderr.contains("Usage:"))
        // A server that is gone: the connection is refused at once.
        let server = try await TestHTTPServer { _ in .body("{}") }
        let url = server.baseURL
        try await server.shutdown()
        let gone = NSTemporaryDirectory() + "quire-gone-\(UUID().uuidString).yaml"
        try "backends:\n  local: { kind: openai-compatible, model: m, base_url: \(url)/v1 }\ntasks:\n  summarise: { use: [local] }\n".write(
            toFile: gone, atomically: true, encoding: .utf8)
        let backend = try await quire(["summarise", "--config", gone, "TestDocuments/sample-report.docx"], environment: env)
        #expect(backend.status == 4, "\(backend.stderr)")
    }
}

struct OutputSafetyTests {
    static func scratch() throws -> String {
        let dir = NSTemporaryDirectory() + "quire-out-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test("-o naming an input is refused and the input is untouched; a run whose every input fails leaves the old output as it was")
    func neverDestroys() async throws {
        let dir = try Self.scratch()
        let mail = dir + "/copy.eml"
        try FileManager.default.copyItem(atPath: Fixtures.path("mail/forwarded.eml"), toPath: mail)
        let before = try Data(contentsOf: URL(fileURLWithPath: mail))
        let same = try await quire(["extract", mail, "-o", mail])
        #expect(same.status == 2 && same.stderr.contains("is the input"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: mail)) == before)
        let summary = try await quire(["summarise", mail, "-o", mail], environment: TaskCommandTests.cleanEnvironment())
        #expect(summary.status == 2)
        #expect(try Data(contentsOf: URL(fileURLWithPath: mail)) == before)
        let old = dir + "/old.md"
        try "old content\n".write(toFile: old, atomically: true, encoding: .utf8)
        let failed = try await quire(["extract", Fixtures.path("encrypted.docx"), "-o", old])
        #expect(failed.status == 1)
        #expect(try String(contentsOfFile: old, encoding: .utf8) == "old content\n")
        let good = try await quire(["extract", Fixtures.path("sample-report.docx"), "-o", old])
        #expect(good.status == 0)
        #expect(try String(contentsOfFile: old, encoding: .utf8).hasPrefix("# Q3 Operations Report"))
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["copy.eml", "old.md"])
    }
}

struct FolderLoopTests {
    @Test("a folder whose symbolic link loops back up the tree is walked once, and the loop is said")
    func symlinkLoop() async throws {
        let dir = NSTemporaryDirectory() + "quire-loop-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/a", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.path("mail/forwarded.eml"), toPath: dir + "/a/m.eml")
        try FileManager.default.createSymbolicLink(atPath: dir + "/a/back", withDestinationPath: dir)
        let result = try await quire(["extract", "--format", "jsonl", dir])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: "\n").count == 1, "the message once")
        #expect(result.stderr.contains("a symbolic link loops back to it"))
    }
}

struct LimitOptionTests {
    @Test("a file past a ZIP limit fails naming the option that raises it; raised, the same file is read")
    func zipLimitsFromTheCommandLine() async throws {
        let bomb = "TestDocuments/zip-bomb.docx"  // one part, 50 MB of blanks at 1000:1
        let refused = try await quire(["extract", bomb])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("zip bomb") && refused.stderr.contains("raise the limit with --max-compression-ratio"))
        let read = try await quire(["extract", "--max-compression-ratio", "2000", bomb])
        #expect(read.status == 0 && read.stdout.contains("bomb"))
        let part = try await quire(["extract", "--max-compression-ratio", "2000", "--max-part-size", "10", bomb])
        #expect(part.status == 1 && part.stderr.contains("--max-part-size"))
        let total = try await quire(["extract", "--max-compression-ratio", "2000", "--max-document-size", "20", bomb])
        #expect(total.status == 1 && total.stderr.contains("--max-document-size"))
        let parts = try await quire(["extract", "--max-parts", "2", "TestDocuments/sample-report.docx"])
        #expect(parts.status == 1 && parts.stderr.contains("--max-parts"))
        for bad in [["--max-part-size", "0"], ["--max-compression-ratio", "1"], ["--max-parts", "-5"], ["--max-document-size", "99999999999"]] {
            let usage = try await quire(["extract"] + bad + ["TestDocuments/sample-report.docx"])
            #expect(usage.status == 2 && usage.stderr.contains(bad[0]), "\(bad)")
        }
    }
}

struct TaskLimitOptionTests {
    @Test("the task commands and batch take the same limits: past one, the file fails naming the option; raised, it is read")
    func limitsOnTasksAndBatch() async throws {
        let bomb = "TestDocuments/zip-bomb.docx"  // one part, 50 MB of blanks at 1000:1
        let env = TaskCommandTests.cleanEnvironment()
        let refused = try await quire(["summarise", bomb], environment: env)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains(bomb) && refused.stderr.contains("raise the limit with --max-compression-ratio"))
        let read = try await quire(["summarise", "--max-compression-ratio", "2000", bomb], environment: env)
        #expect(read.status == 0 && read.stdout.contains("bomb"), "\(read.stderr)")
        let analyse = try await quire(["analyse", "--max-parts", "2", "TestDocuments/sales.xlsx"], environment: env)
        #expect(analyse.status == 1 && analyse.stderr.contains("sales.xlsx") && analyse.stderr.contains("--max-parts"))
        let usage = try await quire(["reply", "--max-message-size", "0", "TestDocuments/mail/forwarded.eml"], environment: env)
        #expect(usage.status == 2 && usage.stderr.contains("--max-message-size"))

        // batch: a document past a limit is an item that fails with the reason, never skipped as "not a document".
        let dir = NSTemporaryDirectory() + "quire-batch-limits-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = FileManager.default.currentDirectoryPath + "/TestDocuments/sample-report.docx"
        let limited = try await quire(
            ["batch", source, "--task", "extract", "--out", "limited.jsonl", "--max-parts", "2", "--quiet"], environment: env, directory: dir)
        #expect(limited.status == 1)
        let line = try String(contentsOfFile: dir + "/limited.jsonl", encoding: .utf8)
        #expect(line.contains("\"code\":\"unreadable\"") && line.contains("more than the limit of 2"))
        let raised = try await quire(["batch", source, "--task", "extract", "--out", "raised.jsonl", "--quiet"], environment: env, directory: dir)
        #expect(raised.status == 0)
        #expect(try String(contentsOfFile: dir + "/raised.jsonl", encoding: .utf8).contains("\"error\":null"))
    }
}

struct LibXMLMessageTests {
    @Test("a part whose bytes do not match the encoding it declares: one line of Quire's, nothing printed by libxml2")
    func mismatchedEncoding() async throws {
        let document =
            #"<?xml version="1.0" encoding="EUC-JP"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>工作表 é</w:t></w:r></w:p></w:body></w:document>"#
        var zip = ZipWriter()
        try zip.add(
            "[Content_Types].xml",
            text: HostileInputTests.declaration
                + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#
        )
        try zip.add("_rels/.rels", text: HostileInputTests.declaration + HostileInputTests.relationships([("officeDocument", "word/document.xml")]))
        try zip.add("word/document.xml", text: document)
        let path = NSTemporaryDirectory() + "quire-euc-\(UUID().uuidString).docx"
        try Data(zip.finish()).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await quire(["extract", path])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(lines.first?.hasPrefix("quire: error: \(path): word/document.xml") == true)
        #expect(result.stderr.contains("do not match the character encoding it declares"))
        #expect(!result.stderr.contains("encoding error") && !result.stderr.contains("xmlParseChunk"))
    }
}
