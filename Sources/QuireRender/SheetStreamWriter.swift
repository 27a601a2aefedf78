public import QuireModel

/// Renders one sheet as CSV, a Markdown table or tab-separated text while its rows stream
/// in, so a sheet of millions of rows is never held.
///
/// Columns come from the sheet's stated used range (`dimension`); a cell outside it widens
/// the rows from there on. Without a stated range the first rows are held to find it.
/// Empty rows before the first and after the last row with a value are dropped; empty rows
/// between are kept — in Markdown and text a run longer than ``longGap`` becomes one line
/// saying which rows are empty. CSV is ``CSVSheetWriter``'s (each row's cells as their data
/// text, or their formulas when the options ask): it writes every line, handing out a long
/// run a chunk at a time (see ``owesOutput``).
public struct SheetStreamWriter: Sendable {
    /// What the writer writes.
    public enum Format: Sendable {
        /// RFC 4180 CSV, every row of the used range.
        case csv
        /// A GFM table.
        case markdown
        /// Tab-separated text.
        case text
    }

    /// The output format.
    public let format: Format
    /// Formulas, hidden sheets and row limits.
    public let options: WorkbookRenderOptions
    private var columns: ClosedRange<Int>?
    private var held: [SheetRow] = []
    private var headerPending = true
    private var previousIndex: Int?
    private var emptyRun = 0
    private var written = 0
    private var omitted = 0
    private var output = ""
    /// CSV: the writer, and the row handed to it (kept to reuse its storage).
    private var csv: CSVSheetWriter
    private var textRow = SheetTextRow()

    /// A writer of `format`.
    public init(format: Format, options: WorkbookRenderOptions = WorkbookRenderOptions()) {
        self.format = format
        self.options = options
        csv = CSVSheetWriter(maxRows: options.maxRows)
    }

    /// The sheet's stated used range (`A1:L200001`), when it has one; call before the rows.
    ///
    /// CSV keeps the stated columns (positions stay stable for data tools). Markdown and
    /// text trim empty border columns: they hold the first rows, and when the sheet ends
    /// within them use the columns that have values; a longer sheet uses the stated range.
    public mutating func setDimension(_ reference: String) {
        guard let range = CellRange(reference), range.lastColumn >= range.firstColumn else { return }
        // A lone `A1` is what writers put in sheets they did not size: not a real range.
        if range.firstRow == range.lastRow && range.firstColumn == range.lastColumn && range.firstRow == 0 { return }
        if format == .csv {
            csv.setDimension(reference)
        } else {
            statedColumns = range.firstColumn...range.lastColumn
        }
    }

    /// Rows held to find the used columns before writing.
    public static let holdLimit = 2_000
    /// Markdown and text write a run of more empty rows than this as one line.
    public static let longGap = 10
    /// CSV blank lines written per ``takeOutput()`` while a long run is owed.
    public static let gapChunk = CSVSheetWriter.gapChunk

    /// Whether ``takeOutput()`` has more to give (CSV paying a long run of empty rows): call it
    /// again until this is false before appending the next row.
    public var owesOutput: Bool { format == .csv && csv.owesOutput }
    private var statedColumns: ClosedRange<Int>?

    /// Takes the next row (rows come in order); call `takeOutput()` for what is ready.
    public mutating func append(_ row: SheetRow) {
        if format == .csv {
            textRow.assign(row, showingFormulas: options.showFormulas)
            csv.append(textRow)
            return
        }
        let hasValue = row.cells.contains { !$0.value.isEmpty }
        if columns == nil || (format == .markdown && headerPending) {
            if hasValue || !held.isEmpty { held.append(row) }
            if columns == nil, held.count >= Self.holdLimit {
                // Too long to look at whole: the stated range, or from column A to the last
                // used column so far (later rows may reach further right, never further left).
                columns = statedColumns ?? usedColumns().map { 0...$0.upperBound }
            }
            if columns != nil, held.count >= 2 { release() }
            return
        }
        emit(row, hasValue: hasValue)
    }

    /// The columns of the held rows that have values.
    private func usedColumns() -> ClosedRange<Int>? {
        var low = Int.max
        var high = -1
        for row in held {
            for cell in row.cells where !cell.value.isEmpty {
                low = min(low, cell.column)
                high = max(high, cell.column)
            }
        }
        return high >= 0 ? low...high : nil
    }

    /// Ends the sheet; returns what is left to write — all of it, unless a CSV run of empty
    /// rows is owed: then drain ``takeOutput()`` while ``owesOutput``.
    public mutating func finish() -> String {
        if format == .csv { return String(decoding: csv.finish(), as: UTF8.self) }
        if columns == nil { columns = usedColumns() }
        if columns != nil { release() }
        if written == 0 {
            output += format == .markdown ? "(empty sheet)\n" : ""
        }
        if omitted > 0 {
            output += format == .markdown ? "\n… \(omitted) more rows\n" : "… \(omitted) more rows\n"
        }
        return takeOutput()
    }

    /// What has been rendered since the last call (for CSV owing a long run of empty rows, the
    /// next ``gapChunk`` of them; see ``owesOutput``).
    public mutating func takeOutput() -> String {
        if format == .csv { return String(decoding: csv.takeOutput(), as: UTF8.self) }
        let text = output
        output = ""
        return text
    }

    private mutating func release() {
        let rows = held
        held = []
        if format == .markdown && headerPending {
            writeHeader(rows)
        }
        for (i, row) in rows.enumerated() where !(format == .markdown && i == 0 && headerUsedFirstRow) {
            emit(row, hasValue: row.cells.contains { !$0.value.isEmpty })
        }
    }

    private var headerUsedFirstRow = false

    private mutating func writeHeader(_ rows: [SheetRow]) {
        headerPending = false
        guard let columns, let first = rows.first else { return }
        let width = columns.count
        var slots = [Cell?](repeating: nil, count: width)
        for cell in first.cells where columns.contains(cell.column) { slots[cell.column - columns.lowerBound] = cell }
        let filled = slots.compactMap { $0 }.filter { !$0.value.isEmpty }
        let isHeader =
            rows.count > 1 && filled.count >= 2 && filled.count == width
            && filled.allSatisfy { if case .string = $0.value { true } else { false } }
        let markdown = MarkdownRenderer()
        let header: [String]
        if isHeader {
            header = slots.map { markdown.escape(shown($0), inTable: true) }
            headerUsedFirstRow = true
            previousIndex = first.index
        } else {
            header = columns.map { CellReference.columnName($0) }
        }
        output += "| " + header.joined(separator: " | ") + " |\n"
        output += "|" + String(repeating: " --- |", count: width) + "\n"
    }

    private func shown(_ cell: Cell?) -> String {
        guard let cell else { return "" }
        if options.showFormulas, let formula = cell.formula { return "=" + formula }
        return cell.formatted
    }

    private mutating func emit(_ row: SheetRow, hasValue: Bool) {
        guard let columns else { return }
        guard hasValue else {
            if written > 0 || headerUsedFirstRow { emptyRun += 1 }
            return
        }
        // Rows missing from the XML between two rows with values are empty rows too.
        if let previous = previousIndex, row.index > previous + 1 { emptyRun = max(emptyRun, row.index - previous - 1) }
        previousIndex = row.index
        if let maxRows = options.maxRows, written + emptyRun >= maxRows {
            omitted += emptyRun + 1
            emptyRun = 0
            return
        }
        var high = columns.upperBound
        for cell in row.cells where cell.column > high && !cell.value.isEmpty { high = cell.column }
        let width = high - columns.lowerBound + 1
        let gap = emptyRun
        emptyRun = 0
        // Positions into `row.cells`, so cells are not copied.
        var slots = [Int](repeating: -1, count: width)
        for (i, cell) in row.cells.enumerated() where cell.column >= columns.lowerBound && cell.column <= high {
            slots[cell.column - columns.lowerBound] = i
        }
        if gap > 0 { writeGap(gap, before: row, width: width) }
        writeRow(row, slots: slots)
        written += 1
    }

    /// `count` empty rows before `row`: written as they are when few, as one line when many.
    private mutating func writeGap(_ count: Int, before row: SheetRow, width: Int) {
        written += count
        if count <= Self.longGap {
            for _ in 0..<count { writeRow(row, slots: [Int](repeating: -1, count: width)) }
            return
        }
        if format == .text {
            output += "… rows \(row.index - count)–\(row.index - 1) are empty\n"
        } else {
            let first = row.index - count
            output += "| … rows \(first)–\(row.index - 1) are empty |" + String(repeating: "  |", count: max(0, width - 1)) + "\n"
        }
    }

    private mutating func writeRow(_ row: SheetRow, slots: [Int]) {
        if format == .text {
            output +=
                slots.map { slot -> String in
                    guard slot >= 0 else { return "" }
                    return shown(row.cells[slot]).replacingNewlines().replacingAll("\t", with: " ")
                }.joined(separator: "\t") + "\n"
        } else {
            let markdown = MarkdownRenderer()
            output += "| " + slots.map { $0 >= 0 ? markdown.escape(shown(row.cells[$0]), inTable: true) : "" }.joined(separator: " | ") + " |\n"
        }
    }
}
