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

    public init(includeHiddenSheets: Bool = false, showFormulas: Bool = false, fillMergedCells: Bool = false, maxRows: Int? = nil) {
        self.includeHiddenSheets = includeHiddenSheets
        self.showFormulas = showFormulas
        self.fillMergedCells = fillMergedCells
        self.maxRows = maxRows
    }
}

extension CellValue {
    /// The value as plain data: numbers in their shortest form, dates in ISO 8601,
    /// booleans as TRUE/FALSE, errors as written.
    public var dataText: String {
        switch self {
        case .empty: return ""
        case .string(let text): return text
        case .number(let number): return CellValue.shortest(number)
        case .bool(let flag): return flag ? "TRUE" : "FALSE"
        case .date(let date): return date.description
        case .duration(let seconds): return CellValue.shortest(seconds / 86_400)
        case .error(let code): return code
        }
    }

    static func shortest(_ number: Double) -> String {
        if number == number.rounded() && abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    public var isEmpty: Bool {
        if case .empty = self { return true }
        if case .string(let s) = self { return s.isEmpty }
        return false
    }
}

/// A sheet laid out as a dense grid of its used area, empty border rows and columns trimmed.
struct SheetGrid {
    var rows: [[Cell?]]
    var rowNumbers: [Int]
    var firstColumn: Int
    var omittedRows: Int

    init(_ sheet: Sheet, options: WorkbookRenderOptions) {
        let used = sheet.rows.filter { $0.cells.contains { !$0.value.isEmpty } }
        guard let firstRow = used.first?.index, let lastRow = used.last?.index else {
            rows = []
            rowNumbers = []
            firstColumn = 0
            omittedRows = 0
            return
        }
        var minColumn = Int.max, maxColumn = -1
        for row in used { for cell in row.cells where !cell.value.isEmpty {
            minColumn = min(minColumn, cell.column)
            maxColumn = max(maxColumn, cell.column)
        } }
        var byIndex: [Int: SheetRow] = [:]
        for row in sheet.rows where row.index >= firstRow && row.index <= lastRow { byIndex[row.index] = row }
        var total = lastRow - firstRow + 1
        var limit = total
        if let maxRows = options.maxRows, maxRows >= 0, total > maxRows { limit = maxRows }
        var rows: [[Cell?]] = []
        var numbers: [Int] = []
        rows.reserveCapacity(limit)
        for index in firstRow..<(firstRow + limit) {
            var slots = [Cell?](repeating: nil, count: maxColumn - minColumn + 1)
            for cell in byIndex[index]?.cells ?? [] where cell.column >= minColumn && cell.column <= maxColumn {
                slots[cell.column - minColumn] = cell
            }
            rows.append(slots)
            numbers.append(index)
        }
        if options.fillMergedCells {
            for range in sheet.mergedRanges {
                guard let source = byIndex[range.firstRow + 1]?.cells.first(where: { $0.column == range.firstColumn }) else { continue }
                for r in range.firstRow...range.lastRow {
                    let i = r + 1 - firstRow
                    guard i >= 0, i < rows.count else { continue }
                    for c in range.firstColumn...range.lastColumn where c >= minColumn && c <= maxColumn {
                        if rows[i][c - minColumn] == nil || rows[i][c - minColumn]!.value.isEmpty {
                            rows[i][c - minColumn] = Cell(column: c, value: source.value, formatted: source.formatted, formula: nil)
                        }
                    }
                }
            }
        }
        total -= limit
        self.rows = rows
        rowNumbers = numbers
        firstColumn = minColumn
        omittedRows = total
    }

    /// A header row is the first row only when it looks like one: every used cell text,
    /// at least two of them, and data below. Otherwise none is invented.
    var hasHeaderRow: Bool {
        guard rows.count > 1, let first = rows.first else { return false }
        let filled = first.compactMap { $0 }.filter { !$0.value.isEmpty }
        guard filled.count >= 2, filled.count == first.count else { return false }
        return filled.allSatisfy { if case .string = $0.value { true } else { false } }
    }
}

/// Renders workbooks as Markdown (a GFM table per sheet), plain text, CSV or JSON.
public struct WorkbookRenderer: Sendable {
    public var options: WorkbookRenderOptions

    public init(options: WorkbookRenderOptions = WorkbookRenderOptions()) {
        self.options = options
    }

    func shown(_ cell: Cell?) -> String {
        guard let cell else { return "" }
        if options.showFormulas, let formula = cell.formula { return "=" + formula }
        return cell.formatted
    }

    func visibleSheets(_ workbook: Workbook) -> (shown: [Sheet], skipped: [Sheet]) {
        var shown: [Sheet] = [], skipped: [Sheet] = []
        for sheet in workbook.sheets {
            if sheet.visibility != .visible && !options.includeHiddenSheets { skipped.append(sheet) } else { shown.append(sheet) }
        }
        return (shown, skipped)
    }

    /// `## Sheet` then a GFM table of what Excel shows, per sheet.
    public func markdown(_ workbook: Workbook) -> String {
        let markdown = MarkdownRenderer()
        var out = ""
        let (sheets, skipped) = visibleSheets(workbook)
        for sheet in sheets {
            if !out.isEmpty { out += "\n" }
            out += "## " + markdown.escape(sheet.name) + "\n\n"
            if sheet.kind != .worksheet {
                out += "(\(sheet.kind.rawValue): no cells)\n"
                continue
            }
            let grid = SheetGrid(sheet, options: options)
            if grid.rows.isEmpty {
                out += "(empty sheet)\n"
                continue
            }
            let width = grid.rows[0].count
            var body = grid.rows[...]
            let header: [String]
            if grid.hasHeaderRow {
                header = grid.rows[0].map { markdown.escape(shown($0), inTable: true) }
                body = grid.rows.dropFirst()
            } else {
                header = (0..<width).map { CellReference.columnName(grid.firstColumn + $0) }
            }
            out += "| " + header.joined(separator: " | ") + " |\n"
            out += "|" + String(repeating: " --- |", count: width) + "\n"
            for row in body {
                out += "| " + row.map { markdown.escape(shown($0), inTable: true) }.joined(separator: " | ") + " |\n"
            }
            if grid.omittedRows > 0 { out += "\n… \(grid.omittedRows) more rows\n" }
        }
        if !skipped.isEmpty {
            if !out.isEmpty { out += "\n" }
            out += "(skipped hidden sheets: " + skipped.map { "\($0.name) (\($0.visibility.rawValue))" }.joined(separator: ", ")
                + "; use --include-hidden to show them)\n"
        }
        return out
    }

    /// Each sheet's name, then its rows as tab-separated shown values.
    public func text(_ workbook: Workbook) -> String {
        var out = ""
        let (sheets, skipped) = visibleSheets(workbook)
        for sheet in sheets {
            if !out.isEmpty { out += "\n" }
            out += sheet.name + "\n"
            let grid = SheetGrid(sheet, options: options)
            for row in grid.rows {
                out += row.map { shown($0).replacingNewlines().replacingOccurrences(of: "\t", with: " ") }.joined(separator: "\t") + "\n"
            }
            if grid.omittedRows > 0 { out += "… \(grid.omittedRows) more rows\n" }
        }
        if !skipped.isEmpty { out += "\n(skipped hidden sheets: " + skipped.map(\.name).joined(separator: ", ") + ")\n" }
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
                out += "# sheet: \(sheet.name)\n"
            }
            out += csv(sheet)
        }
        return out
    }

    /// One sheet as RFC 4180 CSV.
    public func csv(_ sheet: Sheet) -> String {
        var out = ""
        let grid = SheetGrid(sheet, options: options)
        for row in grid.rows {
            var first = true
            for cell in row {
                if !first { out += "," }
                first = false
                var field = ""
                if let cell {
                    field = options.showFormulas && cell.formula != nil ? "=" + cell.formula! : cell.value.dataText
                }
                WorkbookRenderer.appendCSVField(field, to: &out)
            }
            out += "\r\n"
        }
        return out
    }

    static func appendCSVField(_ field: String, to out: inout String) {
        let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if !needsQuotes {
            out += field
            return
        }
        out += "\""
        out += field.replacingOccurrences(of: "\"", with: "\"\"")
        out += "\""
    }

    /// JSON of schema `quire.workbook` version 1 (docs/json-schema.md): typed values,
    /// display text and formulas of every cell of every sheet, hidden ones included.
    public func json(_ workbook: Workbook, pretty: Bool = true) -> String {
        var w = JSONWriter(pretty: pretty)
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
        w.key("sheets")
        w.beginArray()
        for sheet in workbook.sheets {
            w.beginObject()
            w.field("name", sheet.name)
            w.field("kind", sheet.kind.rawValue)
            w.field("visibility", sheet.visibility.rawValue)
            w.field("dimension", sheet.dimension)
            w.key("merged")
            w.beginArray()
            for range in sheet.mergedRanges { w.string(range.description) }
            w.endArray()
            w.key("rows")
            w.beginArray()
            for row in sheet.rows {
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
            w.endArray()
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.output + "\n"
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
