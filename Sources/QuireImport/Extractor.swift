import QuireDOCX
import QuireInternalThreads
import QuireMail
public import QuireModel
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
        let jobs = (0..<workers).map { _ in BoundedChannel<String>(capacity: perWorker) }
        let results = (0..<workers).map { _ in BoundedChannel<Done>(capacity: perWorker) }
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
                    while let path = jobs[k].take() {
                        let collected = Collected()
                        var done = Done(output: "", error: nil)
                        do throws(DocumentError) {
                            try extractor.extract(path: path) { collected.append($0) }
                        } catch {
                            done.error = error
                        }
                        done.output = collected.text
                        guard results[k].put(done) else { return }
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
        var inFlight: [(path: String, worker: Int)] = []
        var dispatched = 0
        func collect() {
            let (path, worker) = inFlight.removeFirst()
            let done = results[worker].take() ?? Done(output: "", error: DocumentError(.io, file: path, message: "the extraction stopped."))
            write(header(path))
            if !done.output.isEmpty { write(done.output) }
            if let error = done.error { failed(path, error) }
            write(footer)
        }
        for path in paths {
            if Importer.fileSize(path) > streamAbove {
                while !inFlight.isEmpty { collect() }
                streamHere(path)
                continue
            }
            while inFlight.count >= workers * perWorker { collect() }
            let worker = dispatched % workers
            dispatched += 1
            inFlight.append((path, worker))
            _ = jobs[worker].put(path)
        }
        while !inFlight.isEmpty { collect() }
    }

    /// Groups the messages of `paths` (messages, mailboxes) into threads and renders each:
    /// Markdown and text show each message's new text in date order (quoted history and
    /// signatures left out); JSON gives `quire.thread` objects (one per line when compact).
    /// A file that cannot be read is passed to `failed` and the others go on.
    public func extractThreads(
        paths: [String], write: @escaping @Sendable (String) -> Void, failed: (String, DocumentError) -> Void
    ) throws(DocumentError) {
        if format == .csv {
            throw DocumentError(
                .unsupportedFormat, file: paths.first ?? "",
                message: "CSV output is for spreadsheets; threads are mail (use --format markdown, text, json or jsonl).")
        }
        // Messages are held, read, while they total less than `threadHoldLimit` bytes. Past
        // that, only what threading needs (ids, references, subject, date) and where each
        // message is are kept, and each thread's messages are read again when it is written:
        // a mailbox of a million messages is never held whole.
        var keys: [Threader.Key] = []
        var places: [(path: String, offset: Int?, index: Int?, length: Int)] = []
        var held: [MailMessage]? = []
        var heldBytes = 0
        let reader = MailReader()
        for path in paths {
            do throws(DocumentError) {
                switch importer.detect(path: path) {
                case .mbox:
                    do {
                        try importer.mboxReader.forEachMessage(path: path) { entry in
                            let place = (path, entry.offset, entry.index, entry.bytes.count + entry.droppedBytes)
                            heldBytes += entry.bytes.count
                            if heldBytes > threadHoldLimit { held = nil }
                            guard held != nil else {
                                let header = entry.bytes.withUnsafeBufferPointer { reader.readHeaders($0, fields: []).message }
                                keys.append(Threader.Key(header))
                                places.append(place)
                                return
                            }
                            do throws(DocumentError) {
                                let message = try importer.readMail(entry: entry, of: path)
                                keys.append(Threader.Key(message))
                                places.append(place)
                                held?.append(message)
                            } catch {
                                // Said, not dropped: the other messages go on.
                                failed(
                                    path, DocumentError(error.code, file: path, message: "message \(entry.index + 1) at byte \(entry.offset): \(error.message)")
                                )
                            }
                        }
                    } catch let error as DocumentError {
                        throw error
                    } catch {
                        throw DocumentError(.corrupt, file: path, message: "\(error)")
                    }
                case .mail:
                    heldBytes += Importer.fileSize(path)
                    if heldBytes > threadHoldLimit { held = nil }
                    if held != nil {
                        let message = try importer.readMailFile(path: path)
                        keys.append(Threader.Key(message))
                        held?.append(message)
                    } else {
                        let (bytes, _) = try Importer.contents(path: path, upTo: 256 << 10)
                        keys.append(Threader.Key(bytes.withUnsafeBufferPointer { reader.readHeaders($0, fields: []).message }))
                    }
                    places.append((path, nil, nil, 0))
                default:
                    throw DocumentError(.unsupportedFormat, file: path, message: "--threads reads mail (.eml, mbox, Maildir); this is not a message.")
                }
            } catch {
                failed(path, error)
            }
        }
        let groups = Threader.groups(keys: keys)
        keys = []
        let renderer = MailRenderer(options: options, workbookOptions: workbookOptions)
        var written = 0
        for group in groups {
            var messages: [MailMessage] = []
            for member in group {
                if let held {
                    messages.append(held[member])
                    continue
                }
                let place = places[member]
                do throws(DocumentError) {
                    messages.append(try readAgain(place))
                } catch {
                    // Said, not dropped: the other messages go on.
                    let at = place.index.map { "message \($0 + 1)\(place.offset.map { " at byte \($0)" } ?? ""): " } ?? ""
                    failed(place.path, DocumentError(error.code, file: place.path, message: at + error.message))
                }
            }
            guard let first = messages.first else { continue }
            let subject = Threader.baseSubject(first.subject ?? "", lowercased: false)
            switch format {
            case .markdown: write((written > 0 ? "\n---\n\n" : "") + renderer.markdown(thread: subject, messages: messages))
            case .text: write((written > 0 ? "\n" : "") + renderer.text(thread: subject, messages: messages))
            case .json(let pretty): write(renderer.json(thread: subject, messages: messages, pretty: pretty))
            case .csv: break
            }
            written += 1
        }
    }

    /// A message found by the first pass of `extractThreads`, read in full (attachments too).
    private func readAgain(_ place: (path: String, offset: Int?, index: Int?, length: Int)) throws(DocumentError) -> MailMessage {
        guard let offset = place.offset else { return try importer.readMailFile(path: place.path) }
        let entry: MboxReader.Entry?
        do {
            entry = try importer.mboxReader.message(path: place.path, at: offset, sizeHint: place.length)
        } catch let error as DocumentError {
            throw error
        } catch {
            throw DocumentError(.io, file: place.path, message: "\(error)")
        }
        guard var entry else {
            throw DocumentError(.corrupt, file: place.path, message: "no message starts there any more (the mbox changed while it was read).")
        }
        entry.index = place.index ?? 0  // a read from its offset counts from 0
        return try importer.readMail(entry: entry, of: place.path)
    }

    /// Renders the messages of an mbox one by one, as they are read (memory holds one).
    ///
    /// One message renders exactly as an .eml would. Several: Markdown and text separate
    /// them with a rule; pretty JSON is an array of messages; compact JSON (JSON Lines) is
    /// one message per line. A message that cannot be read is reported in the output with
    /// its position and byte offset, and the others go on.
    private func extractMailbox(
        file: String, write: @escaping @Sendable (String) -> Void,
        _ messages: ((MboxReader.Entry) throws -> Void) throws -> Void
    ) throws(DocumentError) {
        if format == .csv {
            throw DocumentError(
                .unsupportedFormat, file: file, message: "CSV output is for spreadsheets; this is a mailbox (use --format markdown, text, json or jsonl).")
        }
        var first: String?
        var count = 0
        let rule = "\n" + String(repeating: "=", count: 72) + "\n\n"
        func separated(_ text: String) -> String {
            switch format {
            case .markdown: return "\n---\n\n" + text
            case .text: return rule + text
            case .json(pretty: true): return ",\n" + text.trimmingTrailingNewlines()
            default: return text
            }
        }
        // Messages are parsed and rendered on two threads, written here in order.
        let workers = 2
        let perWorker = 4
        let jobs = (0..<workers).map { _ in BoundedChannel<MboxReader.Entry>(capacity: perWorker) }
        let results = (0..<workers).map { _ in BoundedChannel<String>(capacity: perWorker) }
        let renderer = MailboxRenderer(extractor: self, file: file)
        let stop = {
            for channel in jobs { channel.close() }
            for channel in results { channel.cancel() }
        }
        // One thread (parallelism 1, or none to be had): each message is rendered here.
        let threads =
            importer.parallelism > 1
            ? BackgroundThread.start(
                count: workers, name: "quire-mail", stop: stop,
                { [jobs, results] k in
                    defer { results[k].close() }
                    while let entry = jobs[k].take() {
                        guard results[k].put(renderer.render(entry)) else { return }
                    }
                }) : nil
        defer {
            stop()
            for thread in threads ?? [] { thread.join() }
        }
        var inFlight: [(worker: Int, offset: Int)] = []
        var dispatched = 0
        let size = Importer.fileSize(file)
        var lastReport = 0
        func emit(_ text: String, offset: Int) {
            count += 1
            if let progress, count - lastReport >= 500 {
                lastReport = count
                progress(count, offset, size)
            }
            if count == 1 {
                first = text
                return
            }
            if let pending = first {
                first = nil
                write(format == .json(pretty: true) ? "[\n" + pending.trimmingTrailingNewlines() : pending)
            }
            write(separated(text))
        }
        func collect() {
            let (worker, offset) = inFlight.removeFirst()
            if let text = results[worker].take() { emit(text, offset: offset) }
        }
        do {
            try messages { entry in
                guard threads != nil else {
                    emit(renderer.render(entry), offset: entry.offset)
                    return
                }
                while inFlight.count >= workers * perWorker { collect() }
                let worker = dispatched % workers
                dispatched += 1
                inFlight.append((worker, entry.offset))
                _ = jobs[worker].put(entry)
            }
            while !inFlight.isEmpty { collect() }
        } catch let error as DocumentError {
            throw error
        } catch {
            throw DocumentError(.corrupt, file: file, message: "\(error)")
        }
        if let pending = first {
            write(pending)
        } else if count == 0 {
            throw DocumentError(.empty, file: file, message: "the mailbox holds no messages.")
        } else if format == .json(pretty: true) {
            write("\n]\n")
        }
    }

    /// Whether the output shows quoted history apart (JSON does; Markdown and text show the
    /// whole text, so the mail reader need not split it).
    var rendersQuotedText: Bool {
        if case .json = format { return true }
        return false
    }

    /// Renders already-read content in this extractor's format.
    ///
    /// - Throws: `DocumentError` when the format does not fit the content (CSV of a text
    ///   document) or the chosen sheet does not exist.
    public func render(_ content: ImportedContent, file: String) throws(DocumentError) -> String {
        switch content {
        case .mail(let message):
            for warning in message.warnings { warn?("\(file): \(warning)") }
            let renderer = MailRenderer(options: options, workbookOptions: workbookOptions)
            switch format {
            case .markdown: return renderer.markdown(message)
            case .text: return renderer.text(message)
            case .json(let pretty): return renderer.json(message, pretty: pretty)
            case .csv:
                throw DocumentError(
                    .unsupportedFormat, file: file,
                    message: "CSV output is for spreadsheets; this is a mail message (use --format markdown, text or json).")
            }
        case .document(let document):
            for warning in document.warnings { warn?("\(file): \(warning)") }
            switch format {
            case .markdown: return MarkdownRenderer(options: options).render(document)
            case .text: return PlainTextRenderer(options: options).render(document)
            case .json(let pretty): return JSONRenderer(pretty: pretty).render(document)
            case .csv:
                throw DocumentError(
                    .unsupportedFormat, file: file,
                    message: "CSV output is for spreadsheets; this is a text document (use --format markdown, text or json).")
            }
        case .workbook(var workbook):
            for warning in workbook.warnings { warn?("\(file): \(warning)") }
            var workbookOptions = self.workbookOptions
            if let sheet {
                workbook.sheets = [try Extractor.select(sheet, in: workbook, file: file)]
                workbookOptions.includeHiddenSheets = true  // asked for by name: show it
            }
            let renderer = WorkbookRenderer(options: workbookOptions)
            switch format {
            case .markdown: return renderer.markdown(workbook)
            case .text: return renderer.text(workbook)
            case .csv:
                let tables = workbook.sheets.filter { $0.kind == .worksheet && ($0.visibility == .visible || workbookOptions.includeHiddenSheets) }
                if tables.count > 1 { throw Extractor.severalSheets(tables.map(\.name), file: file) }
                return tables.first.map { renderer.csv($0) } ?? ""
            case .json(let pretty): return renderer.json(workbook, pretty: pretty)
            }
        }
    }

    private func streamWorkbook(
        _ open: OpenWorkbook, file: String, write: @escaping @Sendable (String) -> Void
    ) throws(DocumentError) {
        for warning in open.workbook.warnings { warn?("\(file): \(warning)") }
        if case .json(let pretty) = format {
            try streamWorkbookJSON(open, pretty: pretty, file: file, write: write)
            return
        }
        let workbook = open.workbook
        let kind: SheetStreamWriter.Format =
            switch format {
            case .csv: .csv
            case .text: .text
            default: .markdown
            }
        var chosen: [Int] = []
        var skipped: [Sheet] = []
        if let sheet {
            let wanted = try Extractor.select(sheet, in: workbook, file: file)
            if let index = workbook.sheets.firstIndex(where: { $0.name == wanted.name }) { chosen = [index] }
        } else {
            for (index, sheet) in workbook.sheets.enumerated() {
                if sheet.visibility != .visible && !workbookOptions.includeHiddenSheets { skipped.append(sheet) } else { chosen.append(index) }
            }
        }
        if kind != .markdown { chosen = chosen.filter { workbook.sheets[$0].kind == .worksheet } }
        // CSV holds one table: no heading lines inside the data.
        if kind == .csv && chosen.count > 1 { throw Extractor.severalSheets(chosen.map { workbook.sheets[$0].name }, file: file) }
        var wroteAny = false
        for index in chosen {
            let sheet = workbook.sheets[index]
            if kind != .csv {
                write((wroteAny ? "\n" : "") + WorkbookRenderer.sheetHeading(sheet.name, format: kind))
            }
            wroteAny = true
            if sheet.kind != .worksheet {
                write("(\(sheet.kind.rawValue): no cells)\n")
                continue
            }
            if kind == .csv && !workbookOptions.showFormulas && workbookOptions.maxRows == nil {
                // Plain CSV: straight from the XML, no cell objects.
                try open.writeCSV(ofSheet: index) { bytes in write(String(decoding: bytes, as: UTF8.self)) }
                continue
            }
            var writer = SheetStreamWriter(format: kind, options: workbookOptions)
            var pending = ""
            let layout = try open.forEachRow(ofSheet: index, formatted: kind != .csv, onDimension: { writer.setDimension($0) }) { row in
                writer.append(row)
                repeat {
                    pending += writer.takeOutput()
                    if pending.utf8.count >= 1 << 16 {
                        write(pending)
                        pending = ""
                    }
                } while writer.owesOutput
            }
            write(pending + writer.finish())
            while writer.owesOutput { write(writer.takeOutput()) }
            write(WorkbookRenderer.sheetNotes(comments: sheet.comments, hyperlinks: layout.hyperlinks, format: kind))
        }
        let note = WorkbookRenderer.skippedNote(skipped, format: kind, hasOutput: wroteAny)
        if !note.isEmpty { write(note) }
    }

    /// JSON of every sheet (or the one asked for), rows written as they are read.
    private func streamWorkbookJSON(
        _ open: OpenWorkbook, pretty: Bool, file: String, write: @escaping @Sendable (String) -> Void
    ) throws(DocumentError) {
        let workbook = open.workbook
        var indices = Array(workbook.sheets.indices)
        if let sheet {
            let wanted = try Extractor.select(sheet, in: workbook, file: file)
            indices = workbook.sheets.indices.filter { workbook.sheets[$0].name == wanted.name }
        }
        var stream = WorkbookJSONStream(pretty: pretty)
        var header = workbook
        header.sheets = []
        stream.begin(header)
        for index in indices {
            let sheet = workbook.sheets[index]
            var begun = false
            var dimension: String?
            let layout = try open.forEachRow(ofSheet: index, formatted: true, onDimension: { dimension = $0 }) { row in
                if !begun {
                    stream.beginSheet(sheet, dimension: dimension)
                    begun = true
                }
                stream.row(row)
                if stream.pendingBytes >= 1 << 16 { write(stream.takeOutput()) }
            }
            if !begun { stream.beginSheet(sheet, dimension: layout.dimension) }
            stream.endSheet(merged: layout.mergedRanges, hiddenColumns: layout.hiddenColumns, hyperlinks: layout.hyperlinks)
        }
        stream.end()
        write(stream.takeOutput())
    }

    /// CSV of a workbook with several sheets: one file per sheet, or the one chosen.
    static func severalSheets(_ names: [String], file: String) -> DocumentError {
        DocumentError(
            .unsupportedFormat, file: file,
            message:
                "the workbook has \(names.count) sheets (\(names.map { "'\($0)'" }.joined(separator: ", "))) and CSV holds one table: choose one with --sheet NAME, or give -o DIR/ for one CSV file per sheet."
        )
    }

    /// The sheet named `selector`, or at that 1-based position.
    public static func select(_ selector: String, in workbook: Workbook, file: String) throws(DocumentError) -> Sheet {
        if let sheet = workbook.sheets.first(where: { $0.name == selector }) { return sheet }
        if let position = Int(selector), position >= 1, position <= workbook.sheets.count { return workbook.sheets[position - 1] }
        let names = workbook.sheets.map { "'\($0.name)'" }.joined(separator: ", ")
        throw DocumentError(
            .missingPart, file: file, location: "sheet \(selector)",
            message: "the workbook has no sheet '\(selector)'; its sheets are \(names) (or give a position from 1 to \(workbook.sheets.count)).")
    }

    /// Reads on this thread and renders Markdown on another, handing blocks over in batches
    /// through a bounded channel (so a slow renderer holds the reader back instead of
    /// letting blocks pile up in memory).
    private func pipelined(
        write: @escaping @Sendable (String) -> Void,
        _ read: ((Block) -> Void) throws(DocumentError) -> Document
    ) throws(DocumentError) {
        let format = self.format
        let options = self.options
        /// Markdown or JSON, as blocks arrive.
        struct Stream {
            var markdown: MarkdownStream
            var json: JSONDocumentStream?
            init(format: Format, options: RenderOptions) {
                markdown = MarkdownStream(options: options)
                if case .json(let pretty) = format { json = JSONDocumentStream(pretty: pretty) }
            }
            mutating func append(_ block: Block) { if json != nil { json!.append(block) } else { markdown.append(block) } }
            mutating func finish(_ rest: Document) { if json != nil { json!.finish(rest) } else { markdown.finish(rest) } }
            mutating func takeOutput() -> String { json?.takeOutput() ?? markdown.takeOutput() }
        }
        let channel = BoundedChannel<RenderItem>(capacity: 8)
        let started =
            importer.parallelism > 1
            ? BackgroundThread(name: "quire-render") {
                var stream = Stream(format: format, options: options)
                while let item = channel.take() {
                    switch item {
                    case .blocks(let blocks):
                        for block in blocks { stream.append(block) }
                    case .rest(let document):
                        stream.finish(document)
                    }
                    let text = stream.takeOutput()
                    if !text.isEmpty { write(text) }
                }
            } : nil
        guard let renderer = started else {
            // One thread: render each block as it is read, writing every 64 KB or so.
            var stream = Stream(format: format, options: options)
            var pending = ""
            let rest = try read { block in
                stream.append(block)
                pending += stream.takeOutput()
                if pending.utf8.count >= 1 << 16 {
                    write(pending)
                    pending = ""
                }
            }
            stream.finish(rest)
            write(pending + stream.takeOutput())
            return
        }
        var batch: [Block] = []
        batch.reserveCapacity(Extractor.batchSize)
        let rest: Document
        do {
            rest = try read { block in
                batch.append(block)
                if batch.count == Extractor.batchSize {
                    _ = channel.put(.blocks(batch))
                    batch.removeAll(keepingCapacity: true)
                }
            }
        } catch {
            channel.close()
            renderer.join()
            throw error
        }
        _ = channel.put(.blocks(batch))
        _ = channel.put(.rest(rest))
        channel.close()
        renderer.join()
    }

    static let batchSize = 64
}

private enum RenderItem: Sendable {
    case blocks([Block])
    case rest(Document)
}

/// Collects written pieces into one string.
private final class Collected: Sendable {
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
