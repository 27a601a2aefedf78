public import QuireModel

/// What the workbook renderers include.
public struct WorkbookRenderOptions: Sendable, Equatable {
    /// Hidden and very hidden sheets are skipped (and the output says so) unless this is set.
    public var includeHiddenSheets: Bool
    /// Show formulas (`=SUM(A1:A3)`) instead of their values where cells have them.
    public var showFormulas: Bool
    /// Copy a merged range's value into every cell it covers.
    public var fillMergedCells: Bool
    /// At most this many rows per sheet, then a `… N more rows` line (for prompts).
    public var maxRows: Int?

    /// Options; by default hidden sheets skipped, values shown, merged ranges as Excel shows them, every row.
    public init(includeHiddenSheets: Bool = false, showFormulas: Bool = false, fillMergedCells: Bool = false, maxRows: Int? = nil) {
        self.includeHiddenSheets = includeHiddenSheets
        self.showFormulas = showFormulas
        self.fillMergedCells = fillMergedCells
        self.maxRows = maxRows
    }
}

/// Renders workbooks as Markdown (a GFM table per sheet), plain text, CSV or JSON.
public struct WorkbookRenderer: Sendable {
    /// What to include.
    public var options: WorkbookRenderOptions

    /// A renderer with these options.
    public init(options: WorkbookRenderOptions = WorkbookRenderOptions()) {
        self.options = options
    }

    func shown(_ cell: Cell?) -> String {
        guard let cell else { return "" }
        if options.showFormulas, let formula = cell.formula { return "=" + formula }
        return cell.formatted
    }

    func visibleSheets(_ workbook: Workbook) -> (shown: [Sheet], skipped: [Sheet]) {
        var shown: [Sheet] = []
        var skipped: [Sheet] = []
        for sheet in workbook.sheets {
            if sheet.visibility != .visible && !options.includeHiddenSheets { skipped.append(sheet) } else { shown.append(sheet) }
        }
        return (shown, skipped)
    }

    /// `## Sheet` then a GFM table of what Excel shows, per sheet.
    public func markdown(_ workbook: Workbook) -> String {
        var out = ""
        let (sheets, skipped) = visibleSheets(workbook)
        for sheet in sheets {
            if !out.isEmpty { out += "\n" }
            out += WorkbookRenderer.sheetHeading(sheet.name, format: .markdown)
            if sheet.kind != .worksheet {
                out += "(\(sheet.kind.rawValue): no cells)\n"
                continue
            }
            out += render(sheet, .markdown)
        }
        out += WorkbookRenderer.skippedNote(skipped, format: .markdown, hasOutput: !out.isEmpty)
        return out
    }

    /// Each sheet's name, then its rows as tab-separated shown values.
    public func text(_ workbook: Workbook) -> String {
        var out = ""
        let (sheets, skipped) = visibleSheets(workbook)
        for sheet in sheets where sheet.kind == .worksheet {
            if !out.isEmpty { out += "\n" }
            out += WorkbookRenderer.sheetHeading(sheet.name, format: .text)
            out += render(sheet, .text)
        }
        out += WorkbookRenderer.skippedNote(skipped, format: .text, hasOutput: !out.isEmpty)
        return out
    }

    /// RFC 4180 CSV of the cell data (values, not display formatting). Several sheets are
    /// separated by a blank line and a `# sheet: NAME` line.
    public func csv(_ workbook: Workbook) -> String {
        var out = ""
        let sheets = visibleSheets(workbook).shown.filter { $0.kind == .worksheet }
        for sheet in sheets {
            if sheets.count > 1 {
                if !out.isEmpty { out += "\n" }
                out += WorkbookRenderer.sheetHeading(sheet.name, format: .csv)
            }
            out += csv(sheet)
        }
        return out
    }

    /// One sheet as RFC 4180 CSV.
    public func csv(_ sheet: Sheet) -> String { render(sheet, .csv) }

    /// What introduces a sheet in each format.
    public static func sheetHeading(_ name: String, format: SheetStreamWriter.Format) -> String {
        switch format {
        case .markdown: return "## " + MarkdownRenderer().escape(name) + "\n\n"
        case .text: return name + "\n"
        case .csv: return "# sheet: \(name)\n"
        }
    }

    /// The line saying which hidden sheets were left out.
    public static func skippedNote(_ skipped: [Sheet], format: SheetStreamWriter.Format, hasOutput: Bool) -> String {
        guard !skipped.isEmpty, format != .csv else { return "" }
        let names = skipped.map { "\($0.name) (\($0.visibility.rawValue))" }.joined(separator: ", ")
        return (hasOutput ? "\n" : "") + "(skipped hidden sheets: \(names); use --include-hidden to show them)\n"
    }

    private func render(_ sheet: Sheet, _ format: SheetStreamWriter.Format) -> String {
        var writer = SheetStreamWriter(format: format, options: options)
        if let dimension = sheet.dimension { writer.setDimension(dimension) }
        var out = ""
        for row in options.fillMergedCells ? WorkbookRenderer.filled(sheet) : sheet.rows {
            writer.append(row)
        }
        out += writer.finish()
        while writer.owesOutput { out += writer.takeOutput() }
        out += WorkbookRenderer.sheetNotes(comments: sheet.comments, hyperlinks: sheet.hyperlinks, format: format)
        return out
    }

    /// Comments and links of a sheet, listed after its table (Markdown and text only).
    public static func sheetNotes(comments: [CellComment], hyperlinks: [CellHyperlink], format: SheetStreamWriter.Format) -> String {
        guard format != .csv, !comments.isEmpty || !hyperlinks.isEmpty else { return "" }
        let markdown = MarkdownRenderer()
        let bullet = format == .markdown ? "- " : "  "
        var out = ""
        if !comments.isEmpty {
            out += "\nComments:\n"
            for comment in comments {
                let who: String
                switch (comment.author, comment.isReply) {
                case (let author?, true): who = " (\(author), reply)"
                case (nil, true): who = " (reply)"
                case (let author?, false): who = " (\(author))"
                case (nil, false): who = ""
                }
                let text = comment.text.replacingNewlines()
                out +=
                    bullet + (format == .markdown ? "**\(comment.reference)**\(who): " + markdown.escape(text) : "\(comment.reference)\(who): " + text) + "\n"
            }
        }
        if !hyperlinks.isEmpty {
            out += "\nLinks:\n"
            for link in hyperlinks {
                let target: String
                switch link.target {
                case .url(let url): target = url
                case .location(let place): target = place
                }
                out += bullet + (format == .markdown ? "**\(link.reference)**: <\(target)>" : "\(link.reference): \(target)") + "\n"
            }
        }
        return out
    }

    /// The rows with each merged range's value copied into the cells it covers.
    static func filled(_ sheet: Sheet) -> [SheetRow] {
        guard !sheet.mergedRanges.isEmpty else { return sheet.rows }
        var rows: [Int: SheetRow] = [:]
        for row in sheet.rows { rows[row.index] = row }
        for range in sheet.mergedRanges {
            guard let source = rows[range.firstRow + 1]?.cells.first(where: { $0.column == range.firstColumn }) else { continue }
            for r in range.firstRow...range.lastRow {
                var row = rows[r + 1] ?? SheetRow(index: r + 1, cells: [])
                for c in range.firstColumn...range.lastColumn where !row.cells.contains(where: { $0.column == c && !$0.value.isEmpty }) {
                    row.cells.removeAll { $0.column == c }
                    row.cells.append(Cell(column: c, value: source.value, formatted: source.formatted))
                }
                row.cells.sort { $0.column < $1.column }
                rows[r + 1] = row
            }
        }
        return rows.keys.sorted().map { rows[$0]! }
    }

    /// JSON of schema `quire.workbook` version 1 (docs/json-schema.md): typed values,
    /// display text and formulas of every cell of every sheet, hidden ones included.
    public func json(_ workbook: Workbook, pretty: Bool = true) -> String {
        var stream = WorkbookJSONStream(pretty: pretty)
        stream.begin(workbook)
        for sheet in workbook.sheets {
            stream.beginSheet(sheet, dimension: sheet.dimension)
            for row in sheet.rows { stream.row(row) }
            stream.endSheet(merged: sheet.mergedRanges, hiddenColumns: sheet.hiddenColumns, hyperlinks: sheet.hyperlinks)
        }
        stream.end()
        return stream.takeOutput()
    }

    static func writeValue(_ value: CellValue, to w: inout JSONWriter) {
        switch value {
        case .empty:
            w.field("type", "empty")
        case .string(let text):
            w.field("type", "string")
            w.field("value", text)
        case .number(let number):
            w.field("type", "number")
            w.key("value")
            w.number(number)
        case .bool(let flag):
            w.field("type", "bool")
            w.field("value", flag)
        case .date(let date):
            w.field("type", "date")
            w.field("value", date.description)
        case .duration(let seconds):
            w.field("type", "duration")
            w.key("seconds")
            w.number(seconds)
        case .error(let code):
            w.field("type", "error")
            w.field("value", code)
        }
    }
}

/// Writes `quire.workbook` JSON piece by piece, so a sheet's rows can be written as they
/// are read: what the sheet's XML gives only after its rows (merged ranges, hidden
/// columns, hyperlinks) comes after `rows` in each sheet object.
public struct WorkbookJSONStream: Sendable {
    private var w: JSONWriter

    /// A stream writing indented or one-line JSON.
    public init(pretty: Bool = true) {
        w = JSONWriter(pretty: pretty)
    }

    /// What was written since the last call.
    public mutating func takeOutput() -> String { w.takeOutput() }

    /// The size of what is waiting to be taken, in UTF-8 bytes.
    public var pendingBytes: Int { w.byteCount }

    /// The workbook's own fields, then opens `sheets`.
    public mutating func begin(_ workbook: Workbook) {
        w.beginObject()
        w.field("schema", "quire.workbook")
        w.field("version", 1)
        w.key("metadata")
        w.beginObject()
        w.field("format", workbook.metadata.format.name)
        w.field("source", workbook.metadata.sourcePath)
        w.field("title", workbook.metadata.title)
        w.key("authors")
        w.beginArray()
        for author in workbook.metadata.authors { w.string(author) }
        w.endArray()
        w.field("created", workbook.metadata.created)
        w.field("modified", workbook.metadata.modified)
        w.field("producer", workbook.metadata.producer)
        w.endObject()
        w.field("uses_1904_dates", workbook.uses1904Dates)
        w.key("defined_names")
        w.beginArray()
        for name in workbook.definedNames {
            w.beginObject()
            w.field("name", name.name)
            w.field("value", name.value)
            if let index = name.sheetIndex { w.field("sheet", index) }
            if name.isHidden { w.field("hidden", true) }
            w.endObject()
        }
        w.endArray()
        w.key("warnings")
        w.beginArray()
        for warning in workbook.warnings { w.string(warning) }
        w.endArray()
        w.key("sheets")
        w.beginArray()
    }

    /// A sheet's fields known before its rows, then opens `rows`.
    public mutating func beginSheet(_ sheet: Sheet, dimension: String?) {
        w.beginObject()
        w.field("name", sheet.name)
        w.field("kind", sheet.kind.rawValue)
        w.field("visibility", sheet.visibility.rawValue)
        w.field("dimension", dimension)
        w.key("tables")
        w.beginArray()
        for table in sheet.tables {
            w.beginObject()
            w.field("name", table.name)
            w.field("range", table.range.description)
            w.field("header_rows", table.headerRowCount)
            w.endObject()
        }
        w.endArray()
        w.key("comments")
        w.beginArray()
        for comment in sheet.comments {
            w.beginObject()
            w.field("ref", comment.reference)
            w.field("author", comment.author)
            w.field("text", comment.text)
            if comment.isThreaded { w.field("threaded", true) }
            if comment.isReply { w.field("reply", true) }
            if let date = comment.date { w.field("date", date) }
            w.endObject()
        }
        w.endArray()
        w.key("rows")
        w.beginArray()
    }

    /// Writes one row of the current sheet.
    public mutating func row(_ row: SheetRow) {
        w.beginObject()
        w.field("index", row.index)
        if row.isHidden { w.field("hidden", true) }
        w.key("cells")
        w.beginArray()
        for cell in row.cells {
            w.beginObject()
            w.field("ref", cell.reference(row: row.index))
            WorkbookRenderer.writeValue(cell.value, to: &w)
            w.field("text", cell.formatted)
            if let formula = cell.formula { w.field("formula", formula) }
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    /// Closes `rows`, then what the sheet's XML gives after them.
    public mutating func endSheet(merged: [CellRange], hiddenColumns: [Int], hyperlinks: [CellHyperlink]) {
        w.endArray()
        w.key("merged")
        w.beginArray()
        for range in merged { w.string(range.description) }
        w.endArray()
        w.key("hidden_columns")
        w.beginArray()
        for column in hiddenColumns { w.string(CellReference.columnName(column)) }
        w.endArray()
        w.key("hyperlinks")
        w.beginArray()
        for link in hyperlinks {
            w.beginObject()
            w.field("ref", link.reference)
            switch link.target {
            case .url(let url): w.field("url", url)
            case .location(let place): w.field("location", place)
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    /// Closes `sheets` and the workbook.
    public mutating func end() {
        w.endArray()
        w.endObject()
        w.appendRaw("\n")
    }
}
