import Foundation
import QuireTestSupport
import QuireZip
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// GNU time, which reports the peak RSS of the one process it runs.
let gnuTime = "/usr/bin/time"

/// Runs `quire` under GNU time with its output to /dev/null and standard error to a file;
/// the peak RSS is the kernel's figure for quire alone. (Measuring a child spawned from the
/// test process directly would not do: a spawned child's peak starts from its parent's,
/// because glibc spawns with the parent's memory until exec.)
func quireMeasured(_ arguments: [String]) async throws -> (status: Int32, signal: Int32, rssMB: Int, stderr: String) {
    try await offThePool { try quireMeasuredBlocking(arguments) }
}

private func quireMeasuredBlocking(_ arguments: [String]) throws -> (status: Int32, signal: Int32, rssMB: Int, stderr: String) {
    let base = NSTemporaryDirectory() + "quire-hostile-\(UUID().uuidString)"
    defer {
        unlink(base + ".err")
        unlink(base + ".rss")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let command = [gnuTime, "-f", "%M", "-o", base + ".rss", Fixtures.quireExecutable] + arguments
    let argv = command.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, gnuTime, &actions, nil, argv, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EIO) }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // GNU time exits with the command's status, or 128 + the signal that killed it.
    let exit = (status >> 8) & 0xFF
    let signal: Int32 = exit > 128 ? exit - 128 : 0
    let stderr = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
    let report = (try? String(contentsOfFile: base + ".rss", encoding: .utf8)) ?? ""
    let kilobytes = report.split(separator: "\n").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? Int.max / 2
    return (signal == 0 ? exit : -1, signal, kilobytes / 1024, stderr)
}

/// Inputs built the way an attacker or a broken exporter would, made here (a few are
/// gigabytes, sparse) rather than committed. Each must end with a result or a clear error
/// and a peak RSS under 256 MB, measured by the harness; time is not asserted.
@Suite("hostile inputs", .serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: gnuTime), "needs GNU time (apt-get install time)"))
struct HostileInputTests {
    static let ceilingMB = 256

    static let declaration = #"<?xml version="1.0" encoding="UTF-8"?>"#

    /// A package of `parts` (name, XML after the declaration): the content types say which
    /// part is `main` (of `mainType`) and the package relationship points at it.
    static func package(main: String, mainType: String, _ parts: [(String, String)], overrides: [(String, String)] = []) throws -> [UInt8] {
        let types = ([(main, mainType)] + overrides).map { #"<Override PartName="/\#($0.0)" ContentType="\#($0.1)"/>"# }.joined()
        var zip = ZipWriter()
        try zip.add(
            "[Content_Types].xml",
            text: declaration
                + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>"#
                + types + "</Types>")
        try zip.add("_rels/.rels", text: declaration + relationships([("officeDocument", main)]))
        for (name, xml) in parts { try zip.add(name, text: declaration + xml) }
        return zip.finish()
    }

    /// A relationships part: `rId1`, `rId2`… of the given types and targets.
    static func relationships(_ targets: [(type: String, target: String)]) -> String {
        let items = targets.enumerated().map { index, item in
            #"<Relationship Id="rId\#(index + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/\#(item.type)" Target="\#(item.target)"/>"#
        }
        return #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"# + items.joined() + "</Relationships>"
    }

    /// A minimal workbook whose one sheet holds `sheetData` (after `head`).
    static func workbook(_ sheetData: String, head: String = "") throws -> [UInt8] {
        let ml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        return try package(
            main: "xl/workbook.xml", mainType: ml + ".sheet.main+xml",
            [
                (
                    "xl/workbook.xml",
                    #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#
                ),
                ("xl/_rels/workbook.xml.rels", relationships([("worksheet", "worksheets/sheet1.xml")])),
                (
                    "xl/worksheets/sheet1.xml",
                    #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"# + head + "<sheetData>" + sheetData
                        + "</sheetData></worksheet>"
                ),
            ], overrides: [("xl/worksheets/sheet1.xml", ml + ".worksheet+xml")])
    }

    /// A minimal document whose body is `body`.
    static func document(_ body: String) throws -> [UInt8] {
        try package(
            main: "word/document.xml", mainType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            [
                (
                    "word/document.xml",
                    #"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"# + body + "</w:body></w:document>"
                )
            ])
    }

    /// Writes the cases into a fresh folder; returns their paths.
    static func makeCases() throws -> [String] {
        let dir = NSTemporaryDirectory() + "quire-hostile-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var paths: [String] = []
        func write(_ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: URL(fileURLWithPath: dir + name))
            paths.append(dir + name)
        }
        try write("far-corner-cell.xlsx", workbook(#"<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>corner</t></is></c></row>"#))
        try write(
            "far-corner-two-cells.xlsx",
            workbook(
                #"<row r="1"><c r="A1" t="inlineStr"><is><t>top</t></is></c></row><row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>corner</t></is></c></row>"#
            ))
        try write(
            "all-columns.xlsx",
            workbook(
                #"<row r="1" spans="1:16384"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>"#, head: #"<cols><col min="1" max="16384" width="9"/></cols>"#
            ))
        try write("dimension-lies.xlsx", workbook(#"<row r="1"><c r="A1"><v>1</v></c></row>"#, head: #"<dimension ref="A1:XFD1048576"/>"#))
        let attributes = (0..<60_000).map { "w:a\($0)=\"\($0)\"" }.joined(separator: " ")
        try write("many-attributes.docx", document("<w:p \(attributes)><w:r><w:t>after the attributes</w:t></w:r></w:p>"))
        try write(
            "deep-nesting.docx",
            document(
                String(repeating: "<w:sdt><w:sdtContent>", count: 10_000) + "<w:p><w:r><w:t>deep</w:t></w:r></w:p>"
                    + String(repeating: "</w:sdtContent></w:sdt>", count: 10_000)))
        /// A file of `head`, `count` MB of `byte` and `tail`, written a megabyte at a time.
        func repeated(_ name: String, _ head: String, _ byte: UInt8, megabytes count: Int, _ tail: String) throws {
            guard FileManager.default.createFile(atPath: dir + name, contents: Data(head.utf8)) else { throw POSIXError(.EIO) }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dir + name))
            defer { try? handle.close() }
            try handle.seekToEnd()
            let block = Data(repeating: byte, count: 1 << 20)
            for _ in 0..<count { try handle.write(contentsOf: block) }
            try handle.write(contentsOf: Data(tail.utf8))
            paths.append(dir + name)
        }
        try repeated("long-line.mbox", "From a@example.com Mon Jan  1 00:00:00 2024\nFrom: a@example.com\nSubject: long\n\n", 0x78, megabytes: 64, "")
        try repeated("huge-header.eml", "From: a@example.com\nSubject: ", 0x68, megabytes: 100, "\n\nbody\n")
        var deep = "From: a@example.com\nSubject: deep\nMIME-Version: 1.0\n"
        for i in 0..<5_000 { deep += "Content-Type: multipart/mixed; boundary=\"b\(i)\"\n\n--b\(i)\n" }
        deep += "Content-Type: text/plain\n\ninnermost\n" + (0..<5_000).reversed().map { "--b\($0)--\n" }.joined()
        try write("deep-mime.eml", Array(deep.utf8))
        let parts =
            "From: a@example.com\nSubject: parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"p\"\n\n"
            + String(repeating: "--p\nContent-Type: text/plain\n\nx\n", count: 100_000) + "--p--\n"
        try write("many-parts.eml", Array(parts.utf8))
        // Sparse: gigabytes of zeros that take no disk.
        for (name, head, size) in [
            ("sparse-4g.mbox", "From a@example.com Mon Jan  1 00:00:00 2024\nSubject: sparse\n\n", Int64(4) << 30),
            ("sparse-1g.eml", "From: a@example.com\nSubject: sparse\n\n", Int64(1) << 30),
        ] {
            try write(name, Array(head.utf8))
            guard truncate(dir + name, off_t(size)) == 0 else { throw POSIXError(.EIO) }
        }
        return paths
    }

    @Test("every hostile case ends with a result or a one-line error naming the file, never a signal, under 256 MB")
    func boundedResults() async throws {
        let cases = try Self.makeCases()
        defer { try? FileManager.default.removeItem(atPath: (cases[0] as NSString).deletingLastPathComponent) }
        #expect(cases.count == 12)
        for path in cases {
            let name = (path as NSString).lastPathComponent
            for format in ["markdown", "json"] {
                let run = try await quireMeasured(["extract", "--format", format, path])
                #expect(run.signal == 0, "\(name) \(format): killed by signal \(run.signal)")
                #expect(run.status == 0 || run.status == 1, "\(name) \(format): exit \(run.status)")
                if run.status != 0 {
                    #expect(run.stderr.contains("quire: error: \(path)"), "\(name) \(format): \(run.stderr.prefix(300))")
                }
                #expect(run.rssMB <= Self.ceilingMB, "\(name) \(format): peak RSS \(run.rssMB) MB")
                print("hostile \(name) \(format): exit \(run.status), \(run.rssMB) MB")
            }
        }
    }

    @Test("compound files, Outlook messages and archives: every damaged fixture, and sparse 4 GB containers, bounded and named")
    func compoundFiles() async throws {
        let dir = NSTemporaryDirectory() + "quire-hostile-cfb-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A real header, then 4 GB of nothing: the directory it points to is all zeros.
        let header = try #require(Fixtures.bytes(Fixtures.path("outlook/cfb-v3.cfb"))).prefix(1024)
        let sparse = dir + "sparse-4g.msg"
        #expect(FileManager.default.createFile(atPath: sparse, contents: Data(header)))
        guard truncate(sparse, off_t(4) << 30) == 0 else { throw POSIXError(.EIO) }
        // The same for an Outlook archive: a real header whose B-trees point into zeros.
        let sparsePST = dir + "sparse-4g.pst"
        let pstHeader = try #require(Fixtures.bytes(Fixtures.path("outlook/archive.pst"))).prefix(564)
        #expect(FileManager.default.createFile(atPath: sparsePST, contents: Data(pstHeader)))
        guard truncate(sparsePST, off_t(4) << 30) == 0 else { throw POSIXError(.EIO) }
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("outlook")).filter { $0.hasPrefix("hostile-") }.sorted()
        #expect(fixtures.count >= 16)
        for path in fixtures.map({ Fixtures.path("outlook/" + $0) }) + [sparse, sparsePST] {
            let name = (path as NSString).lastPathComponent
            for format in ["markdown", "json"] {
                let run = try await quireMeasured(["extract", "--format", format, path])
                #expect(run.signal == 0, "\(name) \(format): killed by signal \(run.signal)")
                // The .cfb fixtures, OSTs whose pages or version are not what a reader knows and
                // archives whose folder tree is damaged are refused (1); damaged messages are read
                // with warnings, and an archive with a damaged message gives the others and a count
                // of the one that failed (0).
                let partial = [
                    "hostile-lost-message.pst", "hostile-xblock-loop.pst", "hostile-heap.pst", "hostile-body-subnode.pst", "hostile-ost-inflate.ost",
                ]
                let readable = (name.hasSuffix(".msg") && !name.hasPrefix("sparse")) || partial.contains(name)
                #expect(run.status == (readable ? 0 : 1), "\(name) \(format): exit \(run.status) \(run.stderr)")
                #expect(run.stderr.contains(path), "\(name) \(format): \(run.stderr.prefix(300))")
                #expect(run.rssMB <= Self.ceilingMB, "\(name) \(format): peak RSS \(run.rssMB) MB")
            }
        }
    }
}
