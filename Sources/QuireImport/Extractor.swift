import QuireDOCX
import QuireInternalThreads
import QuireMail
public import QuireModel
import QuirePST
public import QuireRender
import QuireXLSX

/// Turns files into Markdown, plain text or JSON: what `quire extract` does.
///
/// For Markdown the body is streamed: the reader hands finished blocks to a second thread
/// that renders them while parsing goes on, so the two cores share the work and the body
/// is never held whole. The result is the same text `MarkdownRenderer` gives.
public struct Extractor: Sendable {
    /// What the extractor writes.
    public enum Format: Sendable, Equatable {
        /// Markdown: GFM tables for sheets, footnotes for notes and comments.
        case markdown
        /// Plain text.
        case text
        /// Spreadsheets only: RFC 4180 CSV of the cell data.
        case csv
        /// `pretty`: indented over several lines; otherwise one line (for JSON Lines).
        case json(pretty: Bool)

        var isJSON: Bool { if case .json = self { true } else { false } }
    }

    /// What it writes.
    public var format: Format
    /// How documents are rendered (tracked changes, headers, notes, comments).
    public var options: RenderOptions
    /// How workbooks are rendered (hidden sheets, formulas, merged cells, rows).
    public var workbookOptions: WorkbookRenderOptions
    /// Spreadsheets: only this sheet, by name or 1-based position.
    public var sheet: String?
    /// The importer that reads (its limits and parallelism apply).
    public var importer: Importer
    /// Told, now and then, how far a mailbox is read: (messages written, bytes read, file
    /// size). For a progress line on a terminal.
    public var progress: (@Sendable (Int, Int, Int) -> Void)?
    /// Message bytes `extractThreads` holds, read, before it keeps only what threading needs
    /// of each message and reads each thread again when it is written (8 MiB).
    package var threadHoldLimit = 8 << 20
    /// Told what a reader noticed in a message (a part it could not read, a message cut at
    /// the size limit), prefixed with the file or the message's place.
    public var warn: (@Sendable (String) -> Void)?
    /// Told what the user should know that is no warning: each folder's reconciliation
    /// after an Outlook archive (messages listed, read, failed).
    public var note: (@Sendable (String) -> Void)?
    /// Outlook archives: only the messages of this folder and those below it (by path, with
    /// or without the top folder).
    public var folder: String?

    /// An extractor for `format`; `sheet` picks one sheet of a workbook by name or 1-based position.
    public init(
        format: Format, options: RenderOptions = RenderOptions(), workbookOptions: WorkbookRenderOptions = WorkbookRenderOptions(),
        sheet: String? = nil, importer: Importer = Importer()
    ) {
        self.format = format
        self.options = options
        self.workbookOptions = workbookOptions
        self.sheet = sheet
        self.importer = importer
    }

    /// The rendered content of the file at `path`.
    ///
    /// - Throws: `DocumentError` as `Importer.read(path:)`; nothing is returned for a file
    ///   that fails part-way, so no partial output reaches the caller.
    public func extract(path: String) throws(DocumentError) -> String {
        let collected = Collected()
        try extract(path: path) { collected.append($0) }
        return collected.text
    }

    /// Renders the file at `path`, handing the text to `write` in pieces as it is produced,
    /// so a large document never sits in memory as one string.
    ///
    /// `write` is called in order and never concurrently, possibly from another thread.
    /// When reading fails part-way, the pieces already written stay written and the error
    /// is thrown.
    public func extract(path: String, write: @escaping @Sendable (String) -> Void) throws(DocumentError) {
        try extract(importer.open(path: path), file: path, write: write)
    }

    /// The rendered content of bytes held in memory; `name` labels them in errors.
    public func extract(bytes: [UInt8], name: String) throws(DocumentError) -> String {
        let collected = Collected()
        try extract(bytes: bytes, name: name) { collected.append($0) }
        return collected.text
    }

    /// As `extract(path:write:)`, for bytes held in memory.
    public func extract(bytes: [UInt8], name: String, write: @escaping @Sendable (String) -> Void) throws(DocumentError) {
        let opened = try importer.open(bytes: bytes, name: name)
        switch opened {
        case .other(.mail):
            write(try render(.mail(try importer.readMail(bytes: bytes, name: name, separatesQuotedText: rendersQuotedText)), file: name))
        case .other(.mbox):
            try extractMailbox(file: name, write: write) { body in
                for entry in importer.mboxReader.messages(in: bytes) { try body(entry) }
            }
        case .other(.pst):
            let reader = OutlookReader(limits: importer.compoundLimits, separatesQuotedText: rendersQuotedText)
            try extractArchive(OutlookArchive(file: PSTFile(bytes: bytes, name: name, limits: importer.pstLimits), reader: reader), file: name, write: write)
        default:
            try extract(opened, file: name, write: write)
        }
    }

    private func extract(
        _ opened: Importer.Opened, file: String, write: @escaping @Sendable (String) -> Void
    ) throws(DocumentError) {
        switch opened {
        case .package(let package, .xlsx) where !workbookOptions.fillMergedCells:
            // Sheets stream row by row: a sheet of millions of rows is never held.
            let reader = XLSXReader(options: importer.xlsxOptions)
            try streamWorkbook(try reader.open(package: package), file: file, write: write)
        case .package(let package, .docx) where format == .markdown || format.isJSON:
            let reader = DOCXReader(options: importer.docxOptions)
            try pipelined(write: write) { body throws(DocumentError) in
                let document = try reader.read(package: package, streamingBody: body)
                for warning in document.warnings { warn?("\(file): \(warning)") }
                return document
            }
        case .other(.mbox):
            try extractMailbox(file: file, write: write) { body in try importer.mboxReader.forEachMessage(path: file, body) }
        case .other(.pst):
            try extractArchive(importer.outlookArchive(path: file, separatesQuotedText: rendersQuotedText), file: file, write: write)
        default:
            write(try render(try importer.read(opened, file: file, separatesQuotedText: rendersQuotedText), file: file))
        }
    }

    /// Extracts many files, two at a time, writing their output in the order given:
    /// `header(path)` before each file's output and `footer` after it; a file that fails is
    /// passed to `failed` in its turn and the others go on. Files of more than
    /// `streamAbove` bytes are not held: they stream on this thread in their turn.
    public func extractAll(
        paths: [String], header: @escaping (String) -> String, footer: String, streamAbove: Int = 8 << 20,
        write: @escaping @Sendable (String) -> Void, failed: (String, DocumentError) -> Void
    ) {
        struct Done: Sendable {
            var output: String
            var error: DocumentError?
        }
        let workers = 2
        let perWorker = 2
        // Small files go to the workers a few at a time (up to 8, or 1 MiB of input): a folder
        // of small messages would otherwise spend as long handing each one over, and its text
        // back, as reading it. A bigger file still goes alone, so no more is held than before.
        let filesPerJob = 8
        let bytesPerJob = 1 << 20
        let jobs = (0..<workers).map { _ in BoundedChannel<[String]>(capacity: perWorker) }
        let results = (0..<workers).map { _ in BoundedChannel<[Done]>(capacity: perWorker) }
        let extractor = self
        let stop = {
            for channel in jobs { channel.close() }
            for channel in results { channel.cancel() }
        }
        /// One file streamed on this thread, in its turn.
        func streamHere(_ path: String) {
            write(header(path))
            do throws(DocumentError) {
                try extract(path: path, write: write)
            } catch {
                failed(path, error)
            }
            write(footer)
        }
        guard importer.parallelism > 1,
            let threads = BackgroundThread.start(
                count: workers, name: "quire-files", stop: stop,
                { [jobs, results] k in
                    defer { results[k].close() }
                    while let paths = jobs[k].take() {
                        var batch: [Done] = []
                        for path in paths {
                            let collected = Collected()
                            var done = Done(output: "", error: nil)
                            do throws(DocumentError) {
                                try extractor.extract(path: path) { collected.append($0) }
                            } catch {
                                done.error = error
                            }
                            done.output = collected.text
                            batch.append(done)
                        }
                        guard results[k].put(batch) else { return }
                    }
                })
        else {
            // One thread: each file in turn, streamed.
            for path in paths { streamHere(path) }
            return
        }
        defer {
            stop()
            for thread in threads { thread.join() }
        }
        var inFlight: [(paths: [String], worker: Int)] = []
        var dispatched = 0
        var pending: [String] = []
        var pendingBytes = 0
        func collect() {
            let (paths, worker) = inFlight.removeFirst()
            let batch = results[worker].take() ?? []
            for (i, path) in paths.enumerated() {
                let done = i < batch.count ? batch[i] : Done(output: "", error: DocumentError(.io, file: path, message: "the extraction stopped."))
                write(header(path))
                if !done.output.isEmpty { write(done.output) }
                if let error = done.error { failed(path, error) }
                write(footer)
            }
        }
        func dispatch() {
            guard !pending.isEmpty else { return }
            while inFlight.count >= workers * perWorker { collect() }
            let worker = dispatched % workers
            dispatched += 1
            inFlight.append((pending, worker))
            _ = jobs[worker].put(pending)
            pending = []
            pendingBytes = 0
        }
        for path in paths {
            let size = Importer.fileSize(path)
            if size > streamAbove {
                dispatch()
                while !inFlight.isEmpty { collect() }
                streamHere(path)
                continue
            }
            if pendingBytes + size > bytesPerJob { dispatch() }
            pending.append(path)
            pendingBytes += size
            if pending.count == filesPerJob { dispatch() }
        }
        dispatch()
        while !inFlight.isEmpty { collect() }
    }

    static let batchSize = 64
}

enum RenderItem: Sendable {
    case blocks([Block])
    case rest(Document)
}

/// Collects written pieces into one string.
final class Collected: Sendable {
    private let pieces = Locked<String>("")
    func append(_ text: String) { pieces.withLock { $0 += text } }
    var text: String { pieces.withLock { $0 } }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = Substring(self)
        while text.last == "\n" { text = text.dropLast() }
        return String(text)
    }
}

/// Renders one mbox entry as the extractor's format; a message that cannot be read
/// becomes a line saying so, with its position and byte offset.
struct MailboxRenderer: Sendable {
    let extractor: Extractor
    let file: String

    func render(_ entry: MboxReader.Entry) -> String {
        let label = "\(file) message \(entry.index + 1) (byte \(entry.offset))"
        do {
            let message = try extractor.importer.readMail(entry: entry, of: file, label: label, separatesQuotedText: extractor.rendersQuotedText)
            return try extractor.render(.mail(message), file: label)
        } catch {
            switch extractor.format {
            case .json:
                var w = JSONWriter(pretty: false)
                w.beginObject()
                w.field("error", error.message)
                w.field("index", entry.index)
                w.field("offset", entry.offset)
                w.endObject()
                return w.output + "\n"
            default: return "(\(label) could not be read: \(error.message))\n"
            }
        }
    }
}
