import QuireModel
import QuireOOXML
import QuireXML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a worksheet's `sheetData` into typed rows; completed rows gather in ``rows`` until
/// the reader takes them between chunks (``takeRows(into:)``).
///
/// Fed by the byte scanner, or by libxml2 as an `XMLSink` for the parts the scanner hands
/// over (UTF-16, a DTD); either way the parser owns it for the parse.
struct SheetState: XMLSink {
    let sharedStrings: SharedStringBytes
    let styles: CellStyles
    let uses1904Dates: Bool
    /// Rows completed and not yet taken.
    private(set) var rows: [SheetRow] = []
    /// Whether to compute each cell's display text (costly; CSV does not need it).
    var formatting = true

    var dimension: String?
    var mergedRanges: [CellRange] = []
    var hiddenColumns: [Int] = []
    /// `ref` with the relationship id or the in-workbook location of each hyperlink.
    var hyperlinks: [(reference: String, relationship: String?, location: String?)] = []

    private var rowIndex = 0
    private var rowHidden = false
    private var cells: [Cell] = []
    private var column = -1
    // The cell being read.
    private var cellType = CellKind.number
    private var cellStyle: Int?
    private var value: [UInt8] = []
    private var formula: [UInt8] = []
    private var formulaInfo: (type: String, ref: String?, sharedIndex: String?)?
    private var capture: Capture = .none
    private var inlinePhonetic = 0
    private var sharedFormulas: [String: (text: String, row: Int, column: Int)] = [:]
    private var arrayFormulas: [(range: CellRange, text: String)] = []

    private enum Capture { case none, value, formula, inlineText }

    /// The `t` attribute of a cell.
    enum CellKind { case number, shared, inline, formulaString, bool, error, date }

    init(sharedStrings: SharedStringBytes, styles: CellStyles, uses1904Dates: Bool) {
        self.sharedStrings = sharedStrings
        self.styles = styles
        self.uses1904Dates = uses1904Dates
    }

    /// Hands over the rows completed so far (`other`'s storage is reused for the next ones).
    mutating func takeRows(into other: inout [SheetRow]) {
        other.removeAll(keepingCapacity: true)
        swap(&other, &rows)
    }

    /// The local names this reader acts on, as ids for the parser (`XMLName.localID`).
    enum Tag: Int32, CaseIterable {
        case row, c, v, f, t, rPh, dimension, mergeCell, col, hyperlink
        static let localNames: [String: Int32] = Dictionary(
            uniqueKeysWithValues: allCases.map { (String(describing: $0), $0.rawValue) })
    }

    mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws {
        guard name.namespace == NS.spreadsheet, let tag = Tag(rawValue: name.localID) else { return }
        start(tag, attributes)
    }

    /// An element of the worksheet starts.
    mutating func start(_ tag: Tag, _ attributes: XMLAttributes) {
        switch tag {
        case .row:
            let index = attributes.raw("r") { $0.flatMap(SheetState.integer) } ?? rowIndex + 1
            rowIndex = max(index, 1)
            rowHidden = attributes.raw("hidden") { bytes in
                guard let bytes, let first = bytes.first else { return false }
                return first == UInt8(ascii: "1") || first == UInt8(ascii: "t")
            }
            cells.removeAll(keepingCapacity: true)
            column = -1
        case .c:
            (cellType, cellStyle) = attributes.withRawValues("r", "t", "s") { r, t, s in
                SheetState.startCell(r: r, t: t, s: s, row: &rowIndex, column: &column)
            }
            value.removeAll(keepingCapacity: true)
            formula.removeAll(keepingCapacity: true)
            formulaInfo = nil
        case .v:
            // An inline-string cell's text is in `is`; a stray `v` beside it is not the value.
            if cellType != .inline { capture = .value }
        case .f:
            capture = .formula
            formulaInfo = (attributes.string("t") ?? "normal", attributes.string("ref"), attributes.string("si"))
        case .t:
            if cellType == .inline && inlinePhonetic == 0 { capture = .inlineText }
        case .rPh:
            inlinePhonetic += 1
        case .dimension:
            dimension = attributes.string("ref")
        case .mergeCell:
            if let reference = attributes.string("ref"), let range = CellRange(reference) { mergedRanges.append(range) }
        case .col:
            if let hidden = attributes.string("hidden"), hidden == "1" || hidden == "true",
                let first = attributes.string("min").flatMap({ Int($0) }), let last = attributes.string("max").flatMap({ Int($0) }),
                first >= 1, last >= first, last <= 16_384
            {
                hiddenColumns.append(contentsOf: (first - 1)...(last - 1))
            }
        case .hyperlink:
            if let reference = attributes.string("ref") {
                hyperlinks.append((reference, attributes.relationshipID(), attributes.string("location")))
            }
        }
    }

    mutating func endElement(_ name: XMLName) throws {
        guard name.namespace == NS.spreadsheet, let tag = Tag(rawValue: name.localID) else { return }
        try end(tag)
    }

    mutating func end(_ tag: Tag) throws {
        switch tag {
        case .v, .f, .t:
            capture = .none
        case .rPh:
            inlinePhonetic -= 1
        case .c:
            cells.append(try makeCell())
        case .row:
            if !cells.isEmpty {
                rows.append(SheetRow(index: rowIndex, cells: cells, isHidden: rowHidden))
            }
        default:
            break
        }
    }

    /// Reads a `c` element's `r`, `t` and `s`: moves `row`/`column` to the cell (one past the
    /// previous cell when there is no reference) and returns its kind and style index.
    /// A cell's position, type and style from the raw bytes of its `r`, `t` and `s` attributes.
    static func startCell(
        r: UnsafeBufferPointer<UInt8>?, t: UnsafeBufferPointer<UInt8>?, s: UnsafeBufferPointer<UInt8>?,
        row: inout Int, column: inout Int
    ) -> (CellKind, Int?) {
        if let parsed = r.flatMap(SheetState.reference) {
            column = parsed.column
            if parsed.row + 1 != row, parsed.row >= 0 { row = parsed.row + 1 }
        } else {
            column += 1
        }
        let kind: CellKind
        if let t, !t.isEmpty {
            switch (t.count, t[0]) {
            case (1, UInt8(ascii: "s")): kind = .shared
            case (1, UInt8(ascii: "b")): kind = .bool
            case (1, UInt8(ascii: "e")): kind = .error
            case (1, UInt8(ascii: "d")): kind = .date
            case (3, UInt8(ascii: "s")): kind = .formulaString  // "str"
            case (9, UInt8(ascii: "i")): kind = .inline  // "inlineStr"
            default: kind = .number
            }
        } else {
            kind = .number
        }
        return (kind, s.flatMap(SheetState.integer))
    }

    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// `B7` or `$B$7` as 0-based row and column.
    static func reference(_ bytes: UnsafeBufferPointer<UInt8>) -> CellReference? {
        var column = 0
        var row = 0
        var letters = 0
        var digits = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "$"): continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z") where digits == 0 && letters < 3:
                column = column * 26 + Int(byte - UInt8(ascii: "A")) + 1
                letters += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9") where letters > 0 && digits < 7:
                row = row * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            default:
                return nil
            }
        }
        guard letters > 0, digits > 0, row > 0 else { return nil }
        return CellReference(row: row - 1, column: column - 1)
    }

    mutating func characters(_ text: UnsafeRawBufferPointer) throws {
        switch capture {
        case .value, .inlineText: value.append(contentsOf: text)
        case .formula: formula.append(contentsOf: text)
        case .none: break
        }
    }

    private mutating func makeCell() throws -> Cell {
        let format = styles.format(cellStyle)
        let formulaText = formulaInfo == nil ? (arrayFormulas.isEmpty ? nil : arrayFormula()) : resolveFormula()
        var cellValue: CellValue
        var shown = ""
        switch cellType {
        case .shared:
            let index = value.withUnsafeBufferPointer { SheetState.integer($0) }
            if let index, index < sharedStrings.count {
                let string = sharedStrings[index]
                cellValue = .string(string)
                if formatting { shown = format.format(text: string) }
            } else if value.isEmpty {
                cellValue = .empty
            } else {
                // Dropping the cell would lose its text silently: say what is missing instead.
                let reference = CellReference(row: rowIndex - 1, column: max(column, 0))
                throw SharedStringMissing(
                    reference: reference.description, index: String(decoding: value, as: UTF8.self), available: sharedStrings.count)
            }
        case .inline, .formulaString:
            let string = decodeEscapes(value)
            cellValue = .string(string)
            shown = formatting ? format.format(text: string) : string
        case .bool:
            let truth = value.first == UInt8(ascii: "1") || value.first.map { $0 | 0x20 } == UInt8(ascii: "t")
            cellValue = value.isEmpty ? .empty : .bool(truth)
            shown = value.isEmpty ? "" : (truth ? "TRUE" : "FALSE")
        case .error:
            let text = String(decoding: value, as: UTF8.self)
            cellValue = .error(text)
            shown = text
        case .date:
            let text = String(decoding: value, as: UTF8.self)
            if let date = SheetState.isoDate(text) {
                cellValue = .date(date)
                shown = date.description
            } else {
                cellValue = .string(text)
                shown = text
            }
        case .number:
            if value.isEmpty {
                cellValue = .empty
            } else if let number = SheetState.double(&value) {
                if format.isDuration {
                    cellValue = .duration(number * 86_400)
                } else if format.isDate, let date = NumberFormat.date(fromSerial: number, uses1904Dates: uses1904Dates) {
                    cellValue = .date(date)
                } else {
                    cellValue = .number(number)
                }
                if formatting { shown = format.format(number, uses1904Dates: uses1904Dates) }
            } else {
                let text = String(decoding: value, as: UTF8.self)
                cellValue = .string(text)
                shown = text
            }
        }
        return Cell(column: max(column, 0), value: cellValue, formatted: shown, formula: formulaText)
    }

    /// Decimal text with at most 15 significant digits and a small power of ten, converted
    /// exactly: both the digits and 10^k are exact doubles, so one multiplication or
    /// division rounds correctly (Clinger's fast path). Anything else returns nil and goes to
    /// `strtod`.
    static func fastDouble(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var i = 0
        var negative = false
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = 0
        var sawDigit = false
        var sawPoint = false
        while i < bytes.count {
            let byte = bytes[i]
            if byte >= 0x30 && byte <= 0x39 {
                sawDigit = true
                if mantissa == 0 && byte == 0x30 {
                    // Leading zeros add no significant digits.
                } else {
                    digits += 1
                    if digits > 15 { return nil }
                    mantissa = mantissa * 10 + UInt64(byte - 0x30)
                }
                if sawPoint { fraction += 1 }
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                return nil  // exponent, blanks, anything unusual: leave it to strtod
            }
            i += 1
        }
        guard sawDigit, fraction <= 22 else { return nil }
        var value = Double(mantissa)
        if fraction > 0 { value /= exactPowersOfTen[fraction] }
        return negative ? -value : value
    }

    static let exactPowersOfTen: [Double] = (0...22).map { k in
        var p = 1.0
        for _ in 0..<k { p *= 10 }
        return p
    }

    /// Parses the cell text as a number without making a String of it (surrounding blanks
    /// allowed, as Excel writes none but others do).
    static func double(_ bytes: inout [UInt8]) -> Double? {
        if let fast = bytes.withUnsafeBufferPointer({ fastDouble($0) }) { return fast }
        bytes.append(0)
        defer { bytes.removeLast() }
        return bytes.withUnsafeBufferPointer { buffer -> Double? in
            let start = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var end: UnsafeMutablePointer<CChar>?
            let number = strtod(start, &end)
            guard let end, end != UnsafeMutablePointer(mutating: start) else { return nil }
            // Only trailing blanks may follow the number.
            var rest = UnsafePointer(end)
            while rest.pointee == 0x20 || rest.pointee == 0x09 || rest.pointee == 0x0A || rest.pointee == 0x0D { rest += 1 }
            return rest.pointee == 0 ? number : nil
        }
    }

    /// The cell's own formula text: shared formulas are shifted from their anchor cell.
    private mutating func resolveFormula() -> String? {
        guard let info = formulaInfo else { return nil }
        let text = String(decoding: formula, as: UTF8.self)
        if info.type == "array", !text.isEmpty, let reference = info.ref, let range = CellRange(reference),
            range.lastRow > range.firstRow || range.lastColumn > range.firstColumn
        {
            // The other cells of an array formula carry no <f>: they show the same formula.
            arrayFormulas.append((range, text))
        }
        if info.type == "shared", let index = info.sharedIndex {
            if !text.isEmpty {
                sharedFormulas[index] = (text, rowIndex - 1, column)
                return text
            }
            guard let anchor = sharedFormulas[index] else { return nil }
            return FormulaShifter.shift(anchor.text, rows: rowIndex - 1 - anchor.row, columns: column - anchor.column)
        }
        return text.isEmpty ? nil : text
    }

    /// The formula of the array formula whose range covers the current cell, if any.
    private mutating func arrayFormula() -> String? {
        let row = rowIndex - 1
        // Ranges wholly above this row are done with.
        arrayFormulas.removeAll { $0.range.lastRow < row }
        return arrayFormulas.first { $0.range.firstRow <= row && $0.range.firstColumn <= column && $0.range.lastColumn >= column }?.text
    }

    /// `2021-01-02`, `2021-01-02T13:45:00`, `13:45:00` (ISO cells, `t="d"`).
    static func isoDate(_ text: String) -> DateTimeValue? {
        let parts = text.split(separator: "T", maxSplits: 1).map(String.init)
        var value = DateTimeValue(year: 1900, month: 1, day: 1)
        var datePart: String? = parts.first
        var timePart: String? = parts.count > 1 ? parts[1] : nil
        if parts.count == 1, text.contains(":") {
            datePart = nil
            timePart = text
            value.isTimeOnly = true
        }
        if let datePart {
            let fields = datePart.split(separator: "-").compactMap { Int($0) }
            guard fields.count == 3 else { return nil }
            (value.year, value.month, value.day) = (fields[0], fields[1], fields[2])
        }
        if var timePart {
            if timePart.hasSuffix("Z") { timePart.removeLast() }
            let fields = timePart.split(separator: ":")
            guard fields.count >= 2, let hour = Int(fields[0]), let minute = Int(fields[1]) else { return nil }
            value.hour = hour
            value.minute = minute
            value.second = fields.count > 2 ? Double(fields[2]) ?? 0 : 0
        }
        return value
    }
}

/// Attribute access the worksheet readers need.
extension XMLAttributes {
    func raw<T>(_ name: StaticString, _ body: (UnsafeBufferPointer<UInt8>?) -> T) -> T { withRawValue(name, body) }
    func string(_ name: String) -> String? { value(name) }
    func relationshipID() -> String? { value("id", namespace: NS.r) }
}

extension SheetState {
    /// Text is wanted inside a value, a formula or an inline string's text.
    var wantsText: Bool { capture != .none }
}
