import QuireDOCX
import QuireInternalThreads
import QuireMail
public import QuireModel
import QuireRender
import QuireXLSX

/// Rendering read content, and workbooks streamed sheet by sheet.
extension Extractor {
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

    func streamWorkbook(
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
            if kind == .csv && !workbookOptions.showFormulas {
                // CSV of the values: rows as their cells' text, no cell objects.
                try Self.writeCSV(of: open.textRows(ofSheet: index), maxRows: workbookOptions.maxRows, write: write)
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

    /// CSV of one sheet's text rows, written in pieces of about 64 KiB as they are read.
    static func writeCSV(of reader: SheetTextRowReader, maxRows: Int?, write: (String) -> Void) throws(DocumentError) {
        var writer = CSVSheetWriter(maxRows: maxRows)
        var rows = SheetTextRows()
        var first = true
        while try reader.next(rows: &rows) {
            if first, let dimension = reader.dimension { writer.setDimension(dimension) }
            first = false
            writer.append(rows) { write(String(decoding: $0, as: UTF8.self)) }
        }
        writer.finish { write(String(decoding: $0, as: UTF8.self)) }
    }

    /// JSON of every sheet (or the one asked for), rows written as they are read.
    func streamWorkbookJSON(
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
    func pipelined(
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
}
