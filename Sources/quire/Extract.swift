import ArgumentParser
import Foundation
import QuireBatch
import QuireImport
import QuireMail
import QuireModel
import QuireRender
import QuireXLSX
import QuireZip

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract the content of documents, workbooks and mail as Markdown, plain text or JSON.",
        discussion: """
            Reads each FILE (DOCX, XLSX, EML, MSG, mbox, Outlook PST; or '-' for standard \
            input) and writes its content. An Outlook archive gives its messages one by one with \
            their folder paths, then each folder's count of messages listed, read and failed on \
            standard error. A file that \
            cannot be read is reported on standard error and the others still run; the exit \
            status is then 1.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, text, json, jsonl, csv
    }

    @Argument(help: "Documents, workbooks, messages, mailboxes or folders of them (Maildir too); '-' reads standard input.")
    var files: [String]

    @Option(
        name: .shortAndLong,
        help: "Output format: markdown, text, json, jsonl (one compact JSON object per line: per message of a mailbox, per file), or csv (spreadsheets).")
    var format: Format = .markdown

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write to this file instead of standard output.")
    var output: String?

    @Option(help: "Tracked changes: accepted (default), review (both, marked) or original.")
    var changes: ChangeViewArgument = .accepted

    @Flag(help: "Show a reviewed document's tracked changes ({++inserted++}, {--deleted--}) and comments: --changes review.")
    var review = false

    @Flag(help: "Include page headers and footers.")
    var headersFooters = false

    @Flag(help: "Leave out footnotes and endnotes.")
    var noNotes = false

    @Flag(help: "Leave out review comments.")
    var noComments = false

    @Option(help: "Spreadsheets: only this sheet, by name or 1-based position.")
    var sheet: String?

    @Flag(help: "Include hidden sheets (skipped by default, and said so) and Word's hidden text (left out by default; JSON always has it, marked).")
    var includeHidden = false

    @Flag(help: "Spreadsheets: show formulas instead of their values.")
    var formulas = false

    @Flag(help: "Spreadsheets: repeat a merged range's value in every cell it covers.")
    var fillMerged = false

    @Option(help: "Spreadsheets: at most this many rows per sheet, then a '… N more rows' line.")
    var maxRows: Int?

    @Option(help: "Outlook archives (PST): only this folder and those below it, by path, with or without the top folder ('Inbox/Projects').")
    var folder: String?

    @Flag(help: "Mail: group the messages of all inputs into threads; show each message's new text (quoted history and signatures apart).")
    var threads = false

    @Option(help: "Threads the readers may use (default: the machine's cores; 1 keeps all work on one thread).")
    var parallelism: Int = ProcessInfo.processInfo.activeProcessorCount

    @OptionGroup(title: "Limits")
    var limits: LimitOptions

    func validate() throws {
        if files.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("'-' (standard input) can be given only once.")
        }
        if let maxRows, maxRows < 0 {
            throw ValidationError("--max-rows must be 0 or more.")
        }
        if review && (changes != .accepted || noComments) {
            throw ValidationError("--review shows changes and comments: give it without --changes and --no-comments.")
        }
        if parallelism < 1 || parallelism > 256 {
            throw ValidationError("--parallelism is a number of threads, from 1 to 256.")
        }
    }

    /// The extractor for this command's options; whether it shows a progress line.
    func makeExtractor(many: Bool) -> (Extractor, Bool) {
        let options = RenderOptions(
            changes: review ? .review : changes.view, includeHeadersAndFooters: headersFooters, includeNotes: !noNotes,
            includeComments: !noComments, includeHidden: includeHidden)
        let kind: Extractor.Format =
            switch format {
            case .markdown: .markdown
            case .text: .text
            case .csv: .csv
            // One compact object per line when there are several files (JSON Lines).
            case .json: .json(pretty: !many)
            case .jsonl: .json(pretty: false)
            }
        let workbookOptions = WorkbookRenderOptions(
            includeHiddenSheets: includeHidden, showFormulas: formulas, fillMergedCells: fillMerged, maxRows: maxRows)
        var extractor = Extractor(
            format: kind, options: options, workbookOptions: workbookOptions, sheet: sheet,
            importer: limits.importer(parallelism: parallelism))
        extractor.warn = { printError("quire: warning: \($0)") }
        extractor.note = { printError("quire: \($0)") }
        extractor.folder = folder
        // A progress line for big mailboxes, when a person watches standard error and the
        // output goes elsewhere.
        let showProgress = isatty(2) != 0 && (output != nil || isatty(1) == 0)
        if showProgress {
            extractor.progress = { messages, read, size in
                let percent = size > 0 ? " (\(read * 100 / size)%)" : ""
                printProgress("quire: \(messages) messages\(percent)")
            }
        }
        return (extractor, showProgress)
    }

    /// --threads: the messages of every input grouped into threads, each rendered.
    func extractThreads(_ files: [String], with extractor: Extractor, into sink: OutputSink) throws {
        var failures = 0
        let jsonKind: Extractor.Format = format == .json ? .json(pretty: false) : extractor.format  // one thread per line
        var threadExtractor = extractor
        threadExtractor.format = jsonKind
        do {
            try threadExtractor.extractThreads(paths: files.filter { $0 != "-" }, write: { sink.write($0) }) { _, error in
                failures += 1
                printError("quire: error: \(LimitOptions.describe(error))")
            }
        } catch {
            failures += 1
            printError("quire: error: \(LimitOptions.describe(error))")
        }
        try sink.close(commit: failures < files.count)
        if failures > 0 { throw ExitCode(1) }
    }

    /// Every file in order (two at a time when there are several), each under its header;
    /// how many failed.
    func extractEach(_ files: [String], with extractor: Extractor, many: Bool, into sink: OutputSink) -> Int {
        var failures = 0
        let header: (String) -> String = { file in
            guard many else { return "" }
            switch format {
            case .markdown: return "<!-- quire: \(file) -->\n\n"
            case .text, .csv: return "==> \(file) <==\n"
            case .json, .jsonl: return ""
            }
        }
        let footer = many && format != .json && format != .jsonl ? "\n" : ""
        if many && !files.contains("-") {
            // Several files: two at a time, output in the order given.
            extractor.extractAll(paths: files, header: header, footer: footer, write: { sink.write($0) }) { _, error in
                failures += 1
                printError("quire: error: \(LimitOptions.describe(error))")
            }
        } else {
            for file in files {
                sink.write(header(file))
                do {
                    // Output streams as it is rendered; a file failing part-way keeps what came.
                    if file == "-" {
                        try extractor.extract(bytes: readStandardInput(), name: "<stdin>") { sink.write($0) }
                    } else {
                        try extractor.extract(path: file) { sink.write($0) }
                    }
                } catch {
                    failures += 1
                    printError("quire: error: \(LimitOptions.describe(error))")
                }
                sink.write(footer)
            }
        }
        return failures
    }

    func run() throws {
        let (files, skipped) = expandDirectories(self.files, limits: limits.zipLimits)
        if format == .csv, let output, output.hasSuffix("/") || SourceFolder.isDirectory(output) {
            try csvPerSheet(files, into: output)
            return
        }
        if format == .csv && (files.count > 1 || files.count != self.files.count) {
            printError(
                "quire: error: CSV holds one table: give one workbook (and --sheet for one of its sheets), or -o DIR/ for one CSV file per sheet of every workbook."
            )
            throw ExitCode(2)
        }
        let sink = try OutputSink(path: output, inputs: files)
        if skipped > 0 {
            printError("quire: note: skipped \(skipped) file(s) in the given folders that are not documents, workbooks or mail")
        }
        let many = files.count > 1 || files.count != self.files.count
        let (extractor, showProgress) = makeExtractor(many: many)
        if threads {
            try extractThreads(files, with: extractor, into: sink)
            return
        }
        let failures = extractEach(files, with: extractor, many: many, into: sink)
        if showProgress { printProgress(nil) }
        // A run in which every input failed leaves an existing output as it was.
        let commit = failures < max(files.count, 1)
        try sink.close(commit: commit)
        if !commit, let output, output != "-" { printError("quire: \(output) was not written: no input could be read") }
        if failures > 0 {
            throw ExitCode(1)
        }
    }
}

extension Extract {
    /// `--format csv -o DIR/`: one CSV file per sheet of every workbook, `BOOK_SHEET.csv`,
    /// each written beside its final name and then renamed into place.
    func csvPerSheet(_ files: [String], into directory: String) throws {
        let dir = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        if !SourceFolder.isDirectory(dir) && mkdir(dir, 0o755) != 0 {
            throw ValidationError("cannot make the folder \(dir): \(String(cString: strerror(errno)))")
        }
        let workbookOptions = WorkbookRenderOptions(includeHiddenSheets: includeHidden, showFormulas: formulas, fillMergedCells: fillMerged, maxRows: maxRows)
        var failures = 0
        for file in files where file != "-" {
            do {
                let open = try XLSXReader(options: .init(limits: limits.zipLimits, parallelism: parallelism)).open(path: file)
                let book = (file.split(separator: "/").last.map(String.init) ?? file).split(separator: ".").dropLast().joined(separator: ".")
                for (index, entry) in open.workbook.sheets.enumerated() where entry.kind == .worksheet {
                    if let sheet, entry.name != sheet && String(index + 1) != sheet { continue }
                    if sheet == nil && entry.visibility != .visible && !includeHidden { continue }
                    let target = dir + "/" + SourceFolder.safeName((book.isEmpty ? "workbook" : book) + "_" + entry.name) + ".csv"
                    let sink = try OutputSink(path: target, inputs: [file])
                    let extractor = Extractor(format: .csv, workbookOptions: workbookOptions, sheet: String(index + 1))
                    try extractor.extract(path: file) { sink.write($0) }
                    try sink.close()
                    printError("quire: wrote \(target)")
                }
            } catch {
                failures += 1
                printError("quire: error: \(error is DocumentError ? "" : file + ": ")\(LimitOptions.describe(error))")
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

/// Folder helpers for outputs.
enum SourceFolder {
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// A file name from a sheet or book name: path separators and control characters replaced.
    static func safeName(_ name: String) -> String {
        String(name.map { $0 == "/" || $0 == "\\" || $0 == ":" || ($0.asciiValue.map { $0 < 0x20 } ?? false) ? "_" : $0 })
    }
}

/// Arguments with folders replaced by the files inside them, recursively and in name order
/// (a Maildir's `cur` and `new`; never its `tmp`, which holds unfinished deliveries).
/// Hidden files and files of no format Quire reads are left out and counted.
func expandDirectories(_ arguments: [String], limits: ZipLimits = .default) -> (files: [String], skipped: Int) {
    var files: [String] = []
    var skipped = 0
    let importer = Importer(limits: limits)
    // Folders walked, by device and inode: a symbolic link back up the tree is followed once.
    var visited = Set<[UInt64]>()
    func walk(_ directory: String) {
        var here = stat()
        guard stat(directory, &here) == 0 else { return }
        guard visited.insert([UInt64(here.st_dev), UInt64(here.st_ino)]).inserted else {
            printError("quire: note: \(directory) was already walked (a symbolic link loops back to it); skipped")
            return
        }
        guard let handle = opendir(directory) else { return }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name.hasPrefix(".") { continue }
            names.append(name)
        }
        closedir(handle)
        let isMaildir = names.contains("cur") && names.contains("new")
        for name in names.sorted() {
            if isMaildir && name == "tmp" { continue }
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                walk(path)
            } else if (info.st_mode & S_IFMT) == S_IFREG {
                let format = importer.detect(path: path)
                if format == .unknown || format == .empty { skipped += 1 } else { files.append(path) }
            }
        }
    }
    for argument in arguments {
        var info = stat()
        if argument != "-", stat(argument, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            walk(argument)
        } else {
            files.append(argument)
        }
    }
    return (files, skipped)
}

enum ChangeViewArgument: String, ExpressibleByArgument, CaseIterable {
    case accepted, review, original
    var view: ChangeView {
        switch self {
        case .accepted: .accepted
        case .review: .review
        case .original: .original
        }
    }
}

func printError(_ message: String) {
    var line = message
    if !line.hasSuffix("\n") { line += "\n" }
    var bytes = Array(line.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

/// Rewrites the progress line on standard error (nil clears it).
func printProgress(_ line: String?) {
    var text = "\r\u{1B}[K" + (line ?? "")
    _ = text.withUTF8 { write(2, $0.baseAddress, $0.count) }
}

func readStandardInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return bytes
}

/// Standard output or a file, written through one stdio buffer. A file is written beside
/// its final name and renamed into place by `close(commit: true)`: a run that fails or is
/// killed leaves the old file as it was. An output that is one of the inputs is refused.
///
/// `@unchecked Sendable`: the extractor calls `write` from one thread at a time (its
/// render thread, or this one), never concurrently, and `close` runs after it is done.
final class OutputSink: @unchecked Sendable {
    private let file: UnsafeMutablePointer<FILE>
    private let path: String?
    private let temporary: String?
    private let isStandardOutput: Bool
    private var failed: Int32 = 0
    private var closed = false

    init(path: String?, inputs: [String] = []) throws {
        self.path = path
        if let path, path != "-", FileBytes.isSpecial(path) {
            // A device, a pipe or a socket (`-o /dev/null`, `-o /dev/stderr`, a FIFO) is
            // written as it is: renaming a file over it would replace the device itself.
            guard let handle = fopen(path, "w") else {
                throw TaskFailure("cannot write to \(path): \(String(cString: strerror(errno)))", status: Quire.Status.usage)
            }
            file = handle
            temporary = nil
            isStandardOutput = false
        } else if let path, path != "-" {
            try OutputSink.refuseOverwriting(inputs, with: path)
            let slash = path.lastIndex(of: "/")
            let folder = slash.map { String(path[...$0]) } ?? ""
            let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
            let temporary = folder + "." + name + ".quire-\(getpid()).tmp"
            guard let handle = fopen(temporary, "w") else {
                throw TaskFailure("cannot write to \(path): \(String(cString: strerror(errno)))", status: Quire.Status.usage)
            }
            file = handle
            self.temporary = temporary
            isStandardOutput = false
        } else {
            guard let handle = fdopen(1, "w") else { throw ValidationError("cannot write to standard output") }
            file = handle
            temporary = nil
            isStandardOutput = true
        }
    }

    deinit {
        // Never closed (the run threw): the old file stays, the partial one goes.
        if !closed, let temporary {
            fclose(file)
            unlink(temporary)
        }
    }

    /// Refuses an output path that names one of the inputs (the same device and inode).
    static func refuseOverwriting(_ inputs: [String], with output: String) throws {
        var target = stat()
        guard stat(output, &target) == 0 else { return }
        for input in inputs where input != "-" {
            var info = stat()
            if stat(input, &info) == 0 && info.st_dev == target.st_dev && info.st_ino == target.st_ino {
                throw TaskFailure("-o \(output) is the input \(input): writing there would destroy it; choose another output.", status: Quire.Status.usage)
            }
        }
    }

    func write(_ text: String) {
        var text = text
        let ok = text.withUTF8 { buffer in
            buffer.isEmpty || fwrite(buffer.baseAddress, 1, buffer.count, file) == buffer.count
        }
        if !ok && failed == 0 { failed = errno }
    }

    func flush() { fflush(file) }

    /// Ends the output: standard output is flushed; a file is put in place when `commit`
    /// (else removed, and the old file, if any, is left as it was).
    func close(commit: Bool = true) throws {
        closed = true
        if isStandardOutput {
            if fflush(file) != 0 || failed != 0 {
                throw ValidationError("writing standard output failed: \(String(cString: strerror(failed != 0 ? failed : errno)))")
            }
            return
        }
        guard let temporary, let path else {
            // A device or pipe written in place: only the write can fail.
            let flushed = fflush(file) == 0
            let status = fclose(file)
            if commit, failed != 0 || !flushed || status != 0 {
                throw TaskFailure("writing \(self.path ?? "the output") failed: \(String(cString: strerror(failed != 0 ? failed : errno))).")
            }
            return
        }
        let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
        let status = fclose(file)
        guard commit, failed == 0, flushed, status == 0 else {
            let code = failed != 0 ? failed : errno
            unlink(temporary)
            if commit { throw TaskFailure("writing \(path) failed: \(String(cString: strerror(code))); the old file, if any, is left as it was.") }
            return
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw TaskFailure("cannot put \(path) in place: \(String(cString: strerror(code))).")
        }
    }
}
