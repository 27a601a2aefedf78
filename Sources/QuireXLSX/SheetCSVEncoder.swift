import QuireModel
import QuireOOXML
import QuireRender
import QuireXML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sheet has no stated dimension; the caller should use the cell-building path.
struct NeedsFullPath: Error {}

/// Turns a worksheet's XML straight into CSV bytes, without building cells or rows.
///
/// The output is exactly what `SheetStreamWriter` writes for `.csv` from the cells
/// `SheetState` builds (tests compare the two on every fixture and the corpus); this path
/// exists because CSV of a large sheet is the bulk workload, and skipping the model objects
/// removes most of the per-cell cost. It needs the sheet's stated dimension: when the rows
/// start without one, it throws `NeedsFullPath` before writing anything. Fed by the byte
/// scanner, or by libxml2 as an `XMLSink`; call `flush()` after the parse.
struct CSVState: XMLSink {
    typealias Tag = SheetState.Tag
    let sharedStrings: SharedStringBytes
    let styles: CellStyles
    let uses1904Dates: Bool
    let write: ([UInt8]) -> Void

    var dimension: String?
    private(set) var needsFullPath = false
    private var columns: ClosedRange<Int>?
    private var sawRow = false
    // The row being read: its cells' text sits in `rowBytes`.
    private var rowIndex = 0
    private var column = -1
    private var cellColumns: [Int] = []
    private var cellRanges: [Range<Int>] = []
    private var rowHasValue = false
    private var rowBytes: [UInt8] = []
    // The cell being read.
    private var kind = SheetState.CellKind.number
    private var style: Int?
    private var value: [UInt8] = []
    private var capturing = false
    private var phonetic = 0
    // Row layout across rows, as SheetStreamWriter keeps it.
    private var previousIndex: Int?
    private var emptyRun = 0
    private var written = 0
    private var out: [UInt8] = []
    private var slots: [Int] = []

    init(sharedStrings: SharedStringBytes, styles: CellStyles, uses1904Dates: Bool, write: @escaping ([UInt8]) -> Void) {
        self.sharedStrings = sharedStrings
        self.styles = styles
        self.uses1904Dates = uses1904Dates
        self.write = write
        out.reserveCapacity(1 << 17)
    }

    mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws {
        guard name.namespace == NS.spreadsheet, let tag = Tag(rawValue: name.localID) else { return }
        try start(tag, attributes)
    }

    /// An element starts.
    mutating func start(_ tag: Tag, _ attributes: XMLAttributes) throws {
        switch tag {
        case .dimension:
            setDimension(attributes.string("ref"))
        case .row:
            try startRow(index: attributes.raw("r") { $0.flatMap(SheetState.integer) })
        case .c:
            attributes.withRawValues("r", "t", "s") { r, t, s in startCell(r: r, t: t, s: s) }
        case .v:
            startValue()
        case .t:
            startText()
        case .rPh:
            startPhonetic()
        default:
            break
        }
    }

    mutating func endElement(_ name: XMLName) throws {
        guard name.namespace == NS.spreadsheet, let tag = Tag(rawValue: name.localID) else { return }
        try end(tag)
    }

    // The steps, in the terms of the worksheet's elements; `SheetScanner` calls them too.

    mutating func setDimension(_ reference: String?) {
        dimension = reference
        if let reference, let range = CellRange(reference), range.lastColumn >= range.firstColumn,
            !(range.firstRow == range.lastRow && range.firstColumn == range.lastColumn && range.firstRow == 0)
        {
            columns = range.firstColumn...range.lastColumn
        }
    }

    mutating func startRow(index stated: Int?) throws {
        if segmentMode {
            rowIndex = stated.map { max($0, 1) } ?? 0
            column = -1
            cellColumns.removeAll(keepingCapacity: true)
            cellRanges.removeAll(keepingCapacity: true)
            rowBytes.removeAll(keepingCapacity: true)
            rowHasValue = false
            return
        }
        if !sawRow {
            sawRow = true
            if columns == nil {
                needsFullPath = true
                throw NeedsFullPath()
            }
        }
        rowIndex = max(stated ?? rowIndex + 1, 1)
        column = -1
        cellColumns.removeAll(keepingCapacity: true)
        cellRanges.removeAll(keepingCapacity: true)
        rowBytes.removeAll(keepingCapacity: true)
        rowHasValue = false
    }

    mutating func startCell(r: UnsafeBufferPointer<UInt8>?, t: UnsafeBufferPointer<UInt8>?, s: UnsafeBufferPointer<UInt8>?) {
        (kind, style) = SheetState.startCell(r: r, t: t, s: s, row: &rowIndex, column: &column)
        value.removeAll(keepingCapacity: true)
    }

    mutating func startValue() {
        if kind != .inline { capturing = true }
    }

    mutating func startText() {
        if kind == .inline && phonetic == 0 { capturing = true }
    }

    mutating func startPhonetic() { phonetic += 1 }

    /// Whether character data now belongs to the cell's value.
    /// Text is wanted inside a value or an inline string's text.
    var wantsText: Bool { capturing }

    mutating func end(_ tag: Tag) throws {
        switch tag {
        case .v, .t:
            capturing = false
        case .rPh:
            phonetic -= 1
        case .c:
            try endCell()
        case .row:
            endRow()
        default:
            break
        }
    }

    mutating func characters(_ text: UnsafeRawBufferPointer) {
        if capturing { value.append(contentsOf: text) }
    }

    /// The cell's data text, as `CellValue.dataText` gives it, appended to `rowBytes`.
    private mutating func endCell() throws {
        let start = rowBytes.count
        switch kind {
        case .shared:
            if let index = value.withUnsafeBufferPointer({ SheetState.integer($0) }), index < sharedStrings.count {
                sharedStrings.append(index, to: &rowBytes)
            } else if !value.isEmpty {
                let reference = CellReference(row: max(rowIndex - 1, 0), column: max(column, 0))
                throw SharedStringMissing(
                    reference: reference.description, index: String(decoding: value, as: UTF8.self), available: sharedStrings.count)
            }
        case .inline, .formulaString:
            rowBytes.append(contentsOf: decodeEscapes(value).utf8)
        case .bool:
            if !value.isEmpty {
                let truth = value.first == UInt8(ascii: "1") || value.first.map { $0 | 0x20 } == UInt8(ascii: "t")
                rowBytes.append(contentsOf: (truth ? "TRUE" : "FALSE").utf8)
            }
        case .error:
            rowBytes.append(contentsOf: value)
        case .date:
            let text = String(decoding: value, as: UTF8.self)
            rowBytes.append(contentsOf: (SheetState.isoDate(text)?.description ?? text).utf8)
        case .number:
            if !value.isEmpty {
                let valueKind = styles.valueKind(style)
                if valueKind == 0, value.withUnsafeBufferPointer(CSVState.isShortestForm) {
                    // Already as `CellValue.shortest` would print it: copy, do not parse and print.
                    rowBytes.append(contentsOf: value)
                } else if let number = SheetState.double(&value) {
                    if valueKind == 2 {
                        rowBytes.append(contentsOf: CellValue.shortest(number * 86_400 / 86_400).utf8)
                    } else if valueKind == 1, let date = NumberFormat.date(fromSerial: number, uses1904Dates: uses1904Dates) {
                        rowBytes.append(contentsOf: date.description.utf8)
                    } else {
                        rowBytes.append(contentsOf: CellValue.shortest(number).utf8)
                    }
                } else {
                    rowBytes.append(contentsOf: value)
                }
            }
        }
        if rowBytes.count > start { rowHasValue = true }
        cellColumns.append(max(column, 0))
        cellRanges.append(start..<rowBytes.count)
    }

    /// Whether `text` is a number written exactly as `CellValue.shortest` prints its value:
    /// no sign but a leading `-` (and not `-0`), no leading or trailing zeros, no exponent,
    /// at most 15 significant digits (so it is the shortest text of its double), and not
    /// below 0.001 (where Swift switches to exponent form).
    static func isShortestForm(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = text.count
        if i < n, text[i] == UInt8(ascii: "-") { i += 1 }
        let integerStart = i
        while i < n, text[i] >= 0x30, text[i] <= 0x39 { i += 1 }
        let integerDigits = i - integerStart
        guard integerDigits > 0, integerDigits <= 15 else { return false }
        let zeroInteger = text[integerStart] == 0x30
        if zeroInteger && integerDigits > 1 { return false }
        if i == n {
            return !(zeroInteger && integerStart > 0)  // "-0" prints as "0"
        }
        guard text[i] == UInt8(ascii: "."), i + 1 < n else { return false }
        i += 1
        let fractionStart = i
        while i < n, text[i] >= 0x30, text[i] <= 0x39 { i += 1 }
        guard i == n, text[n - 1] != 0x30 else { return false }
        var significant = (zeroInteger ? 0 : integerDigits) + (n - fractionStart)
        if zeroInteger {
            var leadingZeros = 0
            while text[fractionStart + leadingZeros] == 0x30 { leadingZeros += 1 }
            guard leadingZeros <= 2 else { return false }
            significant -= leadingZeros
        }
        return significant <= 15
    }

    private mutating func endRow() {
        guard let columns else { return }
        if segmentMode {
            // Rows of a segment are placed later, by `merge`, which knows what came before.
            let index = rowIndex > 0 ? rowIndex : -1
            guard !cellColumns.isEmpty else {
                segment.rows.append(SegmentRow(index: index, kind: .noCells, width: 0, end: segment.bytes.count))
                return
            }
            guard rowHasValue else {
                segment.rows.append(SegmentRow(index: index, kind: .empty, width: 0, end: segment.bytes.count))
                return
            }
            let width = lineWidth(columns)
            swap(&out, &segment.bytes)
            appendLine(columns, width: width)
            swap(&out, &segment.bytes)
            segment.rows.append(SegmentRow(index: index, kind: .values, width: width, end: segment.bytes.count))
            return
        }
        guard !cellColumns.isEmpty else { return }
        guard rowHasValue else {
            if written > 0 { emptyRun += 1 }
            return
        }
        let width = lineWidth(columns)
        place(rowIndex, width: width)
        appendLine(columns, width: width)
        written += 1
        if out.count >= 1 << 16 { flush() }
    }

    /// The row's width: the stated columns, or more when cells lie beyond them.
    private func lineWidth(_ columns: ClosedRange<Int>) -> Int {
        var high = columns.upperBound
        for (i, c) in cellColumns.enumerated() where c > high && !cellRanges[i].isEmpty { high = c }
        return high - columns.lowerBound + 1
    }

    /// Writes the empty lines owed before a row with values at `index`.
    private mutating func place(_ index: Int, width: Int) {
        if let previous = previousIndex, index > previous + 1 { emptyRun = max(emptyRun, index - previous - 1) }
        previousIndex = index
        for _ in 0..<emptyRun {
            out.append(contentsOf: repeatElement(UInt8(ascii: ","), count: width - 1))
            out.append(0x0D)
            out.append(0x0A)
            written += 1
            // A run of a million empty rows is written as it goes, not gathered.
            if out.count >= 1 << 16 { flush() }
        }
        emptyRun = 0
    }

    /// The row's fields and CRLF, appended to `out`.
    private mutating func appendLine(_ columns: ClosedRange<Int>, width: Int) {
        let high = columns.lowerBound + width - 1
        slots.removeAll(keepingCapacity: true)
        slots.append(contentsOf: repeatElement(-1, count: width))
        for (i, c) in cellColumns.enumerated() where c >= columns.lowerBound && c <= high {
            slots[c - columns.lowerBound] = i
        }
        var first = true
        for slot in slots {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            if slot >= 0 { appendField(cellRanges[slot]) }
        }
        out.append(0x0D)
        out.append(0x0A)
    }

    // MARK: - Segments: rows scanned on another thread, placed here in order

    /// A row as a segment records it: its index when the XML states it (-1: the one after
    /// the previous row), and its CSV line, which ends at `end` in the segment's bytes.
    struct SegmentRow {
        enum Kind { case noCells, empty, values }
        var index: Int
        var kind: Kind
        var width: Int
        var end: Int
    }

    struct Segment {
        var rows: [SegmentRow] = []
        var bytes: [UInt8] = []
    }

    private var segmentMode = false
    private var segment = Segment()

    /// A copy that records rows into a segment instead of writing them.
    func forSegment() -> CSVState {
        var copy = self
        copy.segmentMode = true
        copy.segment = Segment()
        copy.out = []
        copy.rowIndex = 0
        return copy
    }

    /// Takes the rows recorded so far.
    mutating func takeSegment() -> Segment {
        defer { segment = Segment() }
        return segment
    }

    /// Places a segment's rows after what was written, as if they had been scanned here.
    mutating func merge(_ segment: Segment) {
        var start = 0
        segment.bytes.withUnsafeBufferPointer { bytes in
            for row in segment.rows {
                rowIndex = row.index >= 0 ? row.index : rowIndex + 1
                rowIndex = max(rowIndex, 1)
                switch row.kind {
                case .noCells:
                    break
                case .empty:
                    if written > 0 { emptyRun += 1 }
                case .values:
                    place(rowIndex, width: row.width)
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<row.end]))
                    written += 1
                    if out.count >= 1 << 16 { flush() }
                }
                start = row.end
            }
        }
    }

    /// Whether rows can be scanned in segments: the columns are known and a row was seen.
    var canUseSegments: Bool { columns != nil && sawRow && !segmentMode }

    private mutating func appendField(_ range: Range<Int>) {
        rowBytes.withUnsafeBufferPointer { bytes in
            SheetStreamWriter.appendCSVField(UnsafeBufferPointer(rebasing: bytes[range]), to: &out)
        }
    }

    mutating func flush() {
        guard !out.isEmpty else { return }
        write(out)
        out.removeAll(keepingCapacity: true)
    }
}
