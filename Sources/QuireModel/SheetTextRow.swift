/// One row of a sheet as the data text of its cells — what a CSV field holds: values
/// unformatted, numbers as their shortest text, dates in ISO form — kept in one buffer.
///
/// This is the cheap shape of a row: a reader can fill it straight from the file's bytes
/// without making a `Cell` per cell, and a writer can copy the text out without decoding
/// it. `SheetRow` is the typed shape; ``init(_:showingFormulas:)`` turns one into this.
///
/// Reuse one value across rows (``removeAll()``, then ``append(column:text:)``) and no
/// memory is allocated per row.
public struct SheetTextRow: Sendable, Equatable {
    /// One field: its cell's 0-based column, and where its text ends in ``bytes`` (it starts
    /// where the one before ends).
    public struct Field: Sendable, Equatable {
        /// The cell's 0-based column.
        public var column: Int
        /// The end of the field's text in ``SheetTextRow/bytes``.
        public var end: Int
    }

    /// 1-based, as Excel numbers rows.
    public var index: Int
    /// The fields, in the order the cells came (left to right).
    public private(set) var fields: [Field] = []
    /// The fields' UTF-8 text, one after the other.
    public private(set) var bytes: [UInt8] = []

    /// An empty row at `index`.
    public init(index: Int = 1) {
        self.index = index
    }

    /// The data text of `row`'s cells (``CellValue/dataText``), or `=` and the formula for
    /// cells that have one when `showingFormulas`.
    public init(_ row: SheetRow, showingFormulas: Bool = false) {
        self.init(index: row.index)
        assign(row, showingFormulas: showingFormulas)
    }

    /// Makes this row `row`'s text, as ``init(_:showingFormulas:)`` does, reusing the storage.
    public mutating func assign(_ row: SheetRow, showingFormulas: Bool = false) {
        removeAll()
        index = row.index
        for cell in row.cells {
            if showingFormulas, let formula = cell.formula {
                append(column: cell.column, text: "=" + formula)
            } else {
                append(column: cell.column, text: cell.value.dataText)
            }
        }
    }

    /// How many fields (cells) the row has.
    public var count: Int { fields.count }

    /// Field `i`'s 0-based column.
    @inlinable public func column(_ i: Int) -> Int { fields[i].column }

    /// Whether some field has text (a row whose cells are all empty has none).
    public var hasValue: Bool { !bytes.isEmpty }

    /// The range of field `i`'s text in ``bytes``.
    @inlinable public func range(_ i: Int) -> Range<Int> {
        (i == 0 ? 0 : fields[i - 1].end)..<fields[i].end
    }

    /// Field `i`'s text.
    public func text(_ i: Int) -> String {
        String(decoding: bytes[range(i)], as: UTF8.self)
    }

    /// Empties the row, keeping its storage for the next one.
    public mutating func removeAll() {
        fields.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Adds a field at `column` holding `text`.
    public mutating func append(column: Int, text: String) {
        var text = text
        text.withUTF8 { append(column: column, bytes: $0) }
    }

    /// Adds a field at `column` holding the UTF-8 `bytes`.
    public mutating func append(column: Int, bytes text: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: text)
        endField(column: column)
    }

    /// Ends a field at `column` whose text the caller appended to ``bytes`` through
    /// ``withBytes(_:)`` since the previous field ended.
    public mutating func endField(column: Int) {
        fields.append(Field(column: column, end: bytes.count))
    }

    /// Lets `body` append a field's text to ``bytes`` in place; end it with ``endField(column:)``.
    public mutating func withBytes<R>(_ body: (inout [UInt8]) throws -> R) rethrows -> R {
        try body(&bytes)
    }

    /// Replaces this row with fields `range` of `source` — a batch of rows kept as one
    /// `SheetTextRow`, fields after fields — at `index`.
    package mutating func assign(from source: SheetTextRow, fields range: Range<Int>, index: Int) {
        removeAll()
        self.index = index
        guard !range.isEmpty else { return }
        let start = source.range(range.lowerBound).lowerBound
        bytes.append(contentsOf: source.bytes[start..<source.fields[range.upperBound - 1].end])
        for field in source.fields[range] { fields.append(Field(column: field.column, end: field.end - start)) }
    }

    /// Drops field `k` and the ones after it.
    package mutating func removeFields(from k: Int) {
        guard k < fields.count else { return }
        bytes.removeSubrange(range(k).lowerBound...)
        fields.removeSubrange(k...)
    }

    /// Appends fields `range` of `other` after this row's (to gather rows into a batch).
    package mutating func appendFields(of other: SheetTextRow, _ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let start = other.range(range.lowerBound).lowerBound
        let shift = bytes.count - start
        bytes.append(contentsOf: other.bytes[start..<other.fields[range.upperBound - 1].end])
        for field in other.fields[range] { fields.append(Field(column: field.column, end: field.end + shift)) }
    }
}

/// Many rows of a sheet as the data text of their cells, in one buffer: the fields of all
/// the rows one after the other in ``fields``, and for each row its index and where its
/// fields end. The bulk shape of ``SheetTextRow``: a reader hands over a whole chunk's rows
/// at once and a writer takes them without a copy per row.
public struct SheetTextRows: Sendable, Equatable {
    /// A row: its 1-based index, and the end of its fields in ``SheetTextRows/fields``
    /// (they start where the row before ends).
    public struct Row: Sendable, Equatable {
        /// 1-based, as Excel numbers rows.
        public var index: Int
        /// The end of the row's fields in ``SheetTextRows/fields``.
        public var end: Int

        /// A row at `index` whose fields end at `end`.
        public init(index: Int, end: Int) {
            self.index = index
            self.end = end
        }
    }

    /// The fields of all the rows, one after the other (its `index` means nothing).
    public package(set) var fields = SheetTextRow()
    /// The rows, in order.
    public package(set) var rows: [Row] = []

    /// No rows.
    public init() {}

    /// How many rows there are.
    public var count: Int { rows.count }

    /// Whether there are no rows.
    public var isEmpty: Bool { rows.isEmpty }

    /// The range of row `k`'s fields in ``fields``.
    public func fieldRange(ofRow k: Int) -> Range<Int> {
        (k == 0 ? 0 : rows[k - 1].end)..<rows[k].end
    }

    /// Row `k` on its own.
    public func row(_ k: Int) -> SheetTextRow {
        var row = SheetTextRow()
        row.assign(from: fields, fields: fieldRange(ofRow: k), index: rows[k].index)
        return row
    }

    /// Adds `row`.
    public mutating func append(_ row: SheetTextRow) {
        fields.appendFields(of: row, 0..<row.count)
        rows.append(Row(index: row.index, end: fields.count))
    }

    /// Ends a row at `index` after the fields added to ``fields`` since the last row ended.
    package mutating func endRow(index: Int) {
        rows.append(Row(index: index, end: fields.count))
    }

    /// Empties it, keeping its storage.
    public mutating func removeAll() {
        fields.removeAll()
        rows.removeAll(keepingCapacity: true)
    }
}
