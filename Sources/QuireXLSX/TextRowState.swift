import QuireModel
import QuireOOXML
import QuireXML

/// Reads a worksheet's rows as the data text of their cells (`SheetTextRow`: what CSV
/// holds), without making a `Cell` per cell — the cheap shape of a row, for output that needs
/// only the values. The text is what `CellValue.dataText` gives for the cells `SheetState`
/// builds (tests compare the two on every fixture and the corpus).
///
/// Completed rows gather in ``rows`` until the reader takes them (``takeRows(into:)``)
/// between chunks. Fed by the byte scanner, by libxml2 as an `XMLSink`, or in segments on
/// other threads (``forSegment()``), whose rows are placed in order by ``merge(_:)``.
struct TextRowState: XMLSink {
    typealias Tag = SheetState.Tag
    let sharedStrings: SharedStringBytes
    let styles: CellStyles
    let uses1904Dates: Bool
    /// Rows completed and not yet taken; the cells of the row being read are at its end.
    private(set) var rows = SheetTextRows()

    /// The sheet's stated used range, once seen.
    var dimension: String?
    /// Whether a row has been seen (the rows are under way).
    private(set) var sawRow = false
    /// The row being read: its index, and where its fields start in `rows`.
    private var rowStart = 0
    private var rowIndex = 0
    private var column = -1
    // The cell being read.
    private var kind = SheetState.CellKind.number
    private var style: Int?
    private var value: [UInt8] = []
    private var capturing = false
    private var phonetic = 0
    /// Records every row, with index -1 where the XML states none (see `merge`).
    private var segmentMode = false

    init(sharedStrings: SharedStringBytes, styles: CellStyles, uses1904Dates: Bool) {
        self.sharedStrings = sharedStrings
        self.styles = styles
        self.uses1904Dates = uses1904Dates
    }

    mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws {
        guard name.namespace == NS.spreadsheet, let tag = Tag(rawValue: name.localID) else { return }
        switch tag {
        case .dimension:
            dimension = attributes.string("ref")
        case .row:
            sawRow = true
            let stated = attributes.raw("r") { $0.flatMap(SheetState.integer) }
            rowIndex = segmentMode ? stated.map { max($0, 1) } ?? 0 : max(stated ?? rowIndex + 1, 1)
            column = -1
            rowStart = rows.fields.count
        case .c:
            attributes.withRawValues("r", "t", "s") { r, t, s in
                (kind, style) = SheetState.startCell(r: r, t: t, s: s, row: &rowIndex, column: &column)
            }
            value.removeAll(keepingCapacity: true)
        case .v:
            if kind != .inline { capturing = true }
        case .f:
            // A formula is not the value, even inside a `v` (as `SheetState` reads it: the
            // text after the formula's end is not captured either).
            capturing = false
        case .t:
            if kind == .inline && phonetic == 0 { capturing = true }
        case .rPh:
            phonetic += 1
        default:
            break
        }
    }

    /// Text is wanted inside a value or an inline string's text.
    var wantsText: Bool { capturing }

    mutating func endElement(_ name: XMLName) throws {
        guard name.namespace == NS.spreadsheet, let tag = Tag(rawValue: name.localID) else { return }
        switch tag {
        case .v, .f, .t:
            capturing = false
        case .rPh:
            phonetic -= 1
        case .c:
            try endCell()
        case .row:
            if segmentMode {
                // Placed by `merge`, which knows the rows before the segment.
                rows.endRow(index: rowIndex > 0 ? rowIndex : -1)
            } else if rows.fields.count > rowStart {
                rows.endRow(index: rowIndex)
            }
        default:
            break
        }
    }

    mutating func characters(_ text: UnsafeRawBufferPointer) {
        if capturing { value.append(contentsOf: text) }
    }

    /// The cell's data text, as `CellValue.dataText` gives it, as a field of the row.
    private mutating func endCell() throws {
        switch kind {
        case .shared:
            if let index = value.withUnsafeBufferPointer({ SheetState.integer($0) }), index < sharedStrings.count {
                let strings = sharedStrings
                rows.fields.withBytes { strings.append(index, to: &$0) }
            } else if !value.isEmpty {
                let reference = CellReference(row: max(rowIndex - 1, 0), column: max(column, 0))
                throw SharedStringMissing(
                    reference: reference.description, index: String(decoding: value, as: UTF8.self), available: sharedStrings.count)
            }
        case .inline, .formulaString:
            append(decodeEscapes(value).utf8)
        case .bool:
            if !value.isEmpty {
                let truth = value.first == UInt8(ascii: "1") || value.first.map { $0 | 0x20 } == UInt8(ascii: "t")
                append((truth ? "TRUE" : "FALSE").utf8)
            }
        case .error:
            append(value)
        case .date:
            let text = String(decoding: value, as: UTF8.self)
            append((SheetState.isoDate(text)?.description ?? text).utf8)
        case .number:
            if !value.isEmpty {
                let valueKind = styles.valueKind(style)
                if valueKind == 0, value.withUnsafeBufferPointer(TextRowState.isShortestForm) {
                    // Already as `CellValue.shortest` would print it: copy, do not parse and print.
                    append(value)
                } else if let number = SheetState.double(&value) {
                    if valueKind == 2 {
                        append(CellValue.shortest(number * 86_400 / 86_400).utf8)
                    } else if valueKind == 1, let date = NumberFormat.date(fromSerial: number, uses1904Dates: uses1904Dates) {
                        append(date.description.utf8)
                    } else {
                        append(CellValue.shortest(number).utf8)
                    }
                } else {
                    append(value)
                }
            }
        }
        rows.fields.endField(column: max(column, 0))
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

    private mutating func append(_ bytes: [UInt8]) {
        rows.fields.withBytes { $0.append(contentsOf: bytes) }
    }

    private mutating func append(_ text: String.UTF8View) {
        rows.fields.withBytes { $0.append(contentsOf: text) }
    }

    /// Hands over the rows completed so far (`other`'s storage is reused for the next ones);
    /// the cells read of a row not yet ended stay.
    mutating func takeRows(into other: inout SheetTextRows) {
        other.removeAll()
        swap(&other, &rows)
        let done = other.rows.last?.end ?? 0
        if other.fields.count > done {
            rows.fields.appendFields(of: other.fields, done..<other.fields.count)
            other.fields.removeFields(from: done)
        }
        rowStart = 0
    }

    // MARK: - Segments: rows scanned on another thread, placed here in order

    /// Whether rows can be scanned in segments from here: the rows are under way.
    var canUseSegments: Bool { sawRow && !segmentMode }

    /// A copy that records the rows of a segment into an output of its own.
    func forSegment() -> TextRowState {
        var copy = self
        copy.segmentMode = true
        copy.rows = SheetTextRows()
        copy.rowStart = 0
        copy.rowIndex = 0
        return copy
    }

    /// Places a segment's rows after the rows read so far, as if they had been read here:
    /// a row whose index the XML does not state follows the one before it, and rows
    /// without cells (recorded only to count) are dropped. The segment's storage is taken
    /// over when no rows are waiting (the usual case), so its rows are not copied.
    mutating func merge(_ segment: inout SheetTextRows) {
        var kept = 0
        var start = 0
        for k in segment.rows.indices {
            let row = segment.rows[k]
            rowIndex = max(row.index >= 0 ? row.index : rowIndex + 1, 1)
            if row.end > start {
                segment.rows[kept] = SheetTextRows.Row(index: rowIndex, end: row.end)
                kept += 1
            }
            start = row.end
        }
        segment.rows.removeSubrange(kept...)
        if rows.isEmpty && rows.fields.count == 0 {
            swap(&rows, &segment)
        } else {
            let shift = rows.fields.count
            rows.fields.appendFields(of: segment.fields, 0..<segment.fields.count)
            for row in segment.rows { rows.rows.append(SheetTextRows.Row(index: row.index, end: row.end + shift)) }
        }
        rowStart = rows.fields.count
    }
}
