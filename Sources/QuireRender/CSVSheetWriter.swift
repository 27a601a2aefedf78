public import QuireModel

/// Writes one sheet as RFC 4180 CSV (CRLF line ends) while its rows stream in — the one CSV
/// writer: `SheetStreamWriter(format: .csv)` hands its typed rows here, and a reader's
/// `SheetTextRow`s come straight in.
///
/// Every line spans the sheet's stated used range (`setDimension`), so positions stay
/// stable for data tools; a cell beyond it widens the lines from its row on. Without a
/// stated range the first ``holdLimit`` rows are held to find the columns. Empty rows
/// before the first row with a value are dropped, empty rows after it are written (rows the
/// XML leaves out between two rows with values too). A long run of them is handed out
/// ``gapChunk`` lines at a time (see ``owesOutput``), so a sheet whose only cells are A1 and
/// XFD1048576 streams in constant memory.
public struct CSVSheetWriter: Sendable {
    /// Rows held to find the used columns when the sheet states none.
    public static let holdLimit = 2_000
    /// Blank lines handed out per ``takeOutput()`` while a long run is owed.
    public static let gapChunk = 4_096

    /// Rows after this many lines (blank ones included) are counted, not written.
    public let maxRows: Int?
    /// Rows left out by ``maxRows``.
    public private(set) var omitted = 0

    private var columns: ClosedRange<Int>?
    /// Held rows (no stated range yet), their fields flattened into one row.
    private var held = SheetTextRow()
    private var heldRows: [(index: Int, fields: Int)] = []
    private var previousIndex: Int?
    private var emptyRun = 0
    private var written = 0
    private var slots: [Int] = []
    private var out: [UInt8] = []
    /// Blank lines still owed, their width, and the line that follows them.
    private var owedBlankRows = 0
    private var owedWidth = 0
    private var afterGap: [UInt8] = []

    /// A writer; `maxRows` stops after that many lines.
    public init(maxRows: Int? = nil) {
        self.maxRows = maxRows
    }

    /// The sheet's stated used range (`A1:L200001`); call before the rows. A lone `A1` —
    /// what writers put in sheets they did not size — is no range.
    public mutating func setDimension(_ reference: String) {
        guard let range = CellRange(reference), range.lastColumn >= range.firstColumn else { return }
        if range.firstRow == range.lastRow && range.firstColumn == range.lastColumn && range.firstRow == 0 { return }
        columns = range.firstColumn...range.lastColumn
    }

    /// Bytes ready for ``takeOutput()``.
    public var pendingBytes: Int { out.count }

    /// Whether ``takeOutput()`` has more to give (a long run of blank lines is being paid):
    /// call it again until this is false before appending the next row.
    public var owesOutput: Bool { owedBlankRows > 0 || !afterGap.isEmpty }

    /// Takes the next row (rows come in order); call ``takeOutput()`` for what is ready.
    public mutating func append(_ row: SheetTextRow) {
        take(row, 0..<row.count, index: row.index)
    }

    /// Takes the next rows, in order, from row `start` of `rows` on; returns where it
    /// stopped: `rows.count` when it took them all, earlier when a row left a long run of
    /// blank lines owed — then drain ``takeOutput()`` while ``owesOutput`` and call again
    /// from there, so the run is handed out in chunks, never held.
    public mutating func append(_ rows: SheetTextRows, from start: Int = 0) -> Int {
        var k = start
        while k < rows.count {
            take(rows.fields, rows.fieldRange(ofRow: k), index: rows.rows[k].index)
            k += 1
            if owesOutput { break }
        }
        return k
    }

    /// Takes `rows` and hands what is ready to `write` in pieces of about 64 KiB (a long run
    /// of blank lines a chunk at a time): ``append(_:from:)`` with its draining done.
    public mutating func append(_ rows: SheetTextRows, writingTo write: ([UInt8]) -> Void) {
        var k = 0
        while k < rows.count {
            k = append(rows, from: k)
            while pendingBytes >= 1 << 16 || owesOutput { write(takeOutput()) }
        }
    }

    /// Ends the sheet and hands the rest to `write`, in pieces.
    public mutating func finish(writingTo write: ([UInt8]) -> Void) {
        let rest = finish()
        if !rest.isEmpty { write(rest) }
        while owesOutput { write(takeOutput()) }
    }

    /// Row `index`, whose fields are `fields` of `source`.
    private mutating func take(_ source: SheetTextRow, _ fields: Range<Int>, index: Int) {
        guard columns != nil else {
            hold(source, fields, index: index)
            return
        }
        emit(source, fields, index: index)
    }

    /// Ends the sheet; returns what is left — all of it, unless a run of blank lines is
    /// owed: then drain ``takeOutput()`` while ``owesOutput``.
    public mutating func finish() -> [UInt8] {
        if columns == nil {
            columns = usedColumns()
            release()
        }
        return takeOutput()
    }

    /// What has been written since the last call (while a long run of blank lines is owed,
    /// the next ``gapChunk`` of them).
    public mutating func takeOutput() -> [UInt8] {
        if owesOutput && out.isEmpty { payGap() }
        guard out.count >= 1 << 12 else {
            // A little: copied, so the buffer stays this writer's and keeps its capacity.
            defer { out.removeAll(keepingCapacity: true) }
            return out.withUnsafeBufferPointer { Array($0) }
        }
        // A lot: handed over whole, and a new buffer of its size takes its place (instead of
        // growing again from nothing).
        let taken = out
        out = []
        out.reserveCapacity(taken.capacity)
        return taken
    }

    // MARK: - Rows held until the columns are known

    private mutating func hold(_ source: SheetTextRow, _ fields: Range<Int>, index: Int) {
        guard Self.hasValue(source, fields) || !heldRows.isEmpty else { return }
        held.appendFields(of: source, fields)
        heldRows.append((index, held.count))
        if heldRows.count >= Self.holdLimit {
            // Too long to look at whole: from column A to the last used column so far (later
            // rows may reach further right, never further left).
            columns = usedColumns().map { 0...$0.upperBound }
            release()
        }
    }

    /// The columns of the held rows that have text.
    private func usedColumns() -> ClosedRange<Int>? {
        var low = Int.max
        var high = -1
        for k in 0..<held.count where !held.range(k).isEmpty {
            low = min(low, held.column(k))
            high = max(high, held.column(k))
        }
        return high >= 0 ? low...high : nil
    }

    private mutating func release() {
        var start = 0
        let rows = held
        for (index, end) in heldRows {
            emit(rows, start..<end, index: index)
            start = end
        }
        held.removeAll()
        heldRows.removeAll()
    }

    // MARK: - Lines

    /// Whether `fields` of `source` hold some text.
    private static func hasValue(_ source: SheetTextRow, _ fields: Range<Int>) -> Bool {
        !fields.isEmpty && source.range(fields.lowerBound).lowerBound < source.fields[fields.upperBound - 1].end
    }

    private mutating func emit(_ source: SheetTextRow, _ fields: Range<Int>, index: Int) {
        guard let columns else { return }
        guard Self.hasValue(source, fields) else {
            if written > 0 { emptyRun += 1 }
            return
        }
        // Rows missing from the XML between two rows with values are empty rows too.
        if let previous = previousIndex, index > previous + 1 { emptyRun = max(emptyRun, index - previous - 1) }
        previousIndex = index
        if let maxRows, written + emptyRun >= maxRows {
            omitted += emptyRun + 1
            emptyRun = 0
            return
        }
        var high = columns.upperBound
        for k in fields where source.column(k) > high && !source.range(k).isEmpty { high = source.column(k) }
        let width = high - columns.lowerBound + 1
        let gap = emptyRun
        emptyRun = 0
        // A caller that did not drain a long run gets it paid now, in order.
        if owesOutput { settleGap() }
        if gap > 0 { writeGap(gap, width: width) }
        if owesOutput {
            // Behind a long run: this line waits until the run is paid.
            swap(&out, &afterGap)
            writeLine(source, fields, from: columns.lowerBound, width: width)
            swap(&out, &afterGap)
        } else {
            writeLine(source, fields, from: columns.lowerBound, width: width)
        }
        written += 1
    }

    private mutating func writeLine(_ source: SheetTextRow, _ fields: Range<Int>, from low: Int, width: Int) {
        slots.removeAll(keepingCapacity: true)
        slots.append(contentsOf: repeatElement(-1, count: width))
        let high = low + width - 1
        // A later cell at the same column wins, as it does in the cells.
        for k in fields where source.column(k) >= low && source.column(k) <= high { slots[source.column(k) - low] = k }
        source.bytes.withUnsafeBufferPointer { bytes in
            var first = true
            for slot in slots {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                if slot >= 0 { Self.appendField(UnsafeBufferPointer(rebasing: bytes[source.range(slot)]), to: &out) }
            }
        }
        out.append(0x0D)
        out.append(0x0A)
    }

    private mutating func writeBlankLine(width: Int) {
        out.append(contentsOf: repeatElement(UInt8(ascii: ","), count: max(0, width - 1)))
        out.append(0x0D)
        out.append(0x0A)
    }

    /// `count` blank lines before a row `width` columns wide: written when few, owed in
    /// chunks when many.
    private mutating func writeGap(_ count: Int, width: Int) {
        written += count
        if count <= Self.gapChunk {
            for _ in 0..<count { writeBlankLine(width: width) }
        } else {
            owedBlankRows = count
            owedWidth = width
        }
    }

    /// The next chunk of owed blank lines, then the line that follows them.
    private mutating func payGap() {
        // About a megabyte at a time, however wide the lines.
        let rows = min(owedBlankRows, max(1, min(Self.gapChunk, (1 << 20) / max(1, owedWidth))))
        for _ in 0..<rows { writeBlankLine(width: owedWidth) }
        owedBlankRows -= rows
        if owedBlankRows == 0 {
            out.append(contentsOf: afterGap)
            afterGap = []
        }
    }

    /// Pays an owed run in full, after what was written before it.
    private mutating func settleGap() {
        var bytes = out
        out = []
        while owesOutput {
            payGap()
            bytes += out
            out.removeAll(keepingCapacity: true)
        }
        out = bytes
    }

    /// RFC 4180: a field holding a comma, quote or line break is quoted, quotes doubled.
    public static func appendField(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
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
}
