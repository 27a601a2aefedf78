public import QuireModel

/// Renders one sheet as CSV, a Markdown table or tab-separated text while its rows stream
/// in, so a sheet of millions of rows is never held.
///
/// Columns come from the sheet's stated used range (`dimension`); a cell outside it widens
/// the rows from there on. Without a stated range the rows are held until the end to
/// find it. Empty rows before the first and after the last row with a value are dropped;
/// empty rows between are kept — in Markdown and text a run longer than ``longGap`` becomes
/// one line saying which rows are empty, and CSV (where positions matter) writes every line
/// but hands out a long run ``gapChunk`` rows at a time (see ``owesOutput``), so a sheet
/// whose only cells are A1 and XFD1048576 streams in constant memory.
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
    /// CSV rows are gathered as bytes: far cheaper than appending many small strings.
    private var csvBytes: [UInt8] = []

    /// A writer of `format`.
    public init(format: Format, options: WorkbookRenderOptions = WorkbookRenderOptions()) {
        self.format = format
        self.options = options
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
            columns = range.firstColumn...range.lastColumn
        } else {
            statedColumns = range.firstColumn...range.lastColumn
        }
    }

    /// Rows held to find the used columns before writing.
    public static let holdLimit = 2_000
    /// Markdown and text write a run of more empty rows than this as one line.
    public static let longGap = 10
    /// CSV blank lines written per ``takeOutput()`` while a long run is owed.
    public static let gapChunk = 4_096
    /// CSV blank lines still owed, their width, and the row that follows them.
    private var owedBlankRows = 0
    private var owedWidth = 0
    private var afterGap: [UInt8] = []

    /// Whether ``takeOutput()`` has more to give (CSV paying a long run of empty rows): call it
    /// again until this is false before appending the next row.
    public var owesOutput: Bool { owedBlankRows > 0 || !afterGap.isEmpty }
    private var statedColumns: ClosedRange<Int>?

    /// Takes the next row (rows come in order); call `takeOutput()` for what is ready.
    public mutating func append(_ row: SheetRow) {
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
        if columns == nil { columns = usedColumns() }
        if columns != nil { release() }
        if written == 0 && format != .csv {
            output += format == .markdown ? "(empty sheet)\n" : ""
        }
        if omitted > 0 {
            output += format == .markdown ? "\n… \(omitted) more rows\n" : (format == .text ? "… \(omitted) more rows\n" : "")
        }
        return takeOutput()
    }

    /// What has been rendered since the last call (for CSV owing a long run of empty rows, the
    /// next ``gapChunk`` of them; see ``owesOutput``).
    public mutating func takeOutput() -> String {
        if owesOutput && csvBytes.isEmpty && output.isEmpty { payGap() }
        if !csvBytes.isEmpty {
            output += String(decoding: csvBytes, as: UTF8.self)
            csvBytes.removeAll(keepingCapacity: true)
        }
        let text = output
        output = ""
        return text
    }

    /// The next chunk of owed blank CSV lines, then the row that follows them.
    private mutating func payGap() {
        // About a megabyte at a time, however wide the rows.
        let rows = min(owedBlankRows, max(1, min(Self.gapChunk, (1 << 20) / max(1, owedWidth))))
        for _ in 0..<rows {
            csvBytes.append(contentsOf: repeatElement(UInt8(ascii: ","), count: max(0, owedWidth - 1)))
            csvBytes.append(0x0D)
            csvBytes.append(0x0A)
        }
        owedBlankRows -= rows
        if owedBlankRows == 0 {
            csvBytes.append(contentsOf: afterGap)
            afterGap = []
        }
    }

    /// Pays an owed CSV run in full, after what was written before it.
    private mutating func settleGap() {
        var bytes: [UInt8] = []
        while owesOutput {
            payGap()
            bytes += csvBytes
            csvBytes = []
        }
        csvBytes = bytes
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
        return format == .csv ? cell.value.dataText : cell.formatted
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
        // A caller that did not drain a long CSV run gets it paid now, in order.
        if owesOutput { settleGap() }
        if gap > 0 { writeGap(gap, before: row, width: width) }
        if owesOutput {
            // Behind a long CSV run: this row waits until the run is paid.
            swap(&csvBytes, &afterGap)
            writeRow(row, slots: slots)
            swap(&csvBytes, &afterGap)
        } else {
            writeRow(row, slots: slots)
        }
        written += 1
    }

    /// `count` empty rows before `row`: written as they are when few, as one line in Markdown
    /// and text when many, and owed in chunks in CSV.
    private mutating func writeGap(_ count: Int, before row: SheetRow, width: Int) {
        written += count
        if count <= Self.longGap || format == .csv && count <= Self.gapChunk {
            for _ in 0..<count { writeRow(row, slots: [Int](repeating: -1, count: width)) }
            return
        }
        switch format {
        case .csv:
            owedBlankRows = count
            owedWidth = width
        case .markdown:
            let first = row.index - count
            output += "| … rows \(first)–\(row.index - 1) are empty |" + String(repeating: "  |", count: max(0, width - 1)) + "\n"
        case .text:
            output += "… rows \(row.index - count)–\(row.index - 1) are empty\n"
        }
    }

    package static func appendCSVField(_ field: String, to out: inout [UInt8]) {
        var field = field
        field.withUTF8 { appendCSVField($0, to: &out) }
    }

    /// RFC 4180: a field holding a comma, quote or line break is quoted, quotes doubled.
    package static func appendCSVField(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var quote = false
        for byte in bytes where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D {
            quote = true
            break
        }
        guard quote else {
            out.append(contentsOf: bytes)
            return
        }
        out.append(UInt8(ascii: "\""))
        for byte in bytes {
            out.append(byte)
            if byte == UInt8(ascii: "\"") { out.append(byte) }
        }
        out.append(UInt8(ascii: "\""))
    }

    private mutating func writeRow(_ row: SheetRow, slots: [Int]) {
        switch format {
        case .csv:
            var first = true
            for slot in slots {
                if !first { csvBytes.append(UInt8(ascii: ",")) }
                first = false
                if slot >= 0 { SheetStreamWriter.appendCSVField(shown(row.cells[slot]), to: &csvBytes) }
            }
            csvBytes.append(0x0D)
            csvBytes.append(0x0A)
        case .markdown:
            let markdown = MarkdownRenderer()
            output += "| " + slots.map { $0 >= 0 ? markdown.escape(shown(row.cells[$0]), inTable: true) : "" }.joined(separator: " | ") + " |\n"
        case .text:
            output +=
                slots.map { slot -> String in
                    guard slot >= 0 else { return "" }
                    return shown(row.cells[slot]).replacingNewlines().replacingAll("\t", with: " ")
                }.joined(separator: "\t") + "\n"
        }
    }
}
