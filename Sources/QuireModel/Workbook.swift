/// A spreadsheet workbook: its sheets in order, with typed cells.
public struct Workbook: Sendable, Equatable {
    /// Title, authors and dates from the workbook's core properties.
    public var metadata: DocumentMetadata
    /// The sheets in workbook order, hidden ones included (and marked).
    public var sheets: [Sheet]
    /// Named ranges and constants (`Totals` → `Data!$D$2:$D$3`).
    public var definedNames: [DefinedName]
    /// Whether serial dates count from 1904-01-01 (old Mac Excel) instead of 1900.
    public var uses1904Dates: Bool
    /// What could not be read and was left out, each naming the part and why (a damaged
    /// comments, table or styles part): the cells are all here.
    public var warnings: [String] = []

    /// A workbook from its parts.
    public init(
        metadata: DocumentMetadata = DocumentMetadata(format: .xlsx), sheets: [Sheet] = [], definedNames: [DefinedName] = [], uses1904Dates: Bool = false
    ) {
        self.metadata = metadata
        self.sheets = sheets
        self.definedNames = definedNames
        self.uses1904Dates = uses1904Dates
    }
}

/// A defined name: a named range, constant or formula.
public struct DefinedName: Sendable, Equatable {
    /// The name as Excel shows it.
    public var name: String
    /// The formula it stands for, as written (`Sheet1!$A$1:$B$4`).
    public var value: String
    /// The sheet it is local to, by position; nil for a workbook-wide name.
    public var sheetIndex: Int?
    /// Whether Excel hides the name from its Name Manager.
    public var isHidden: Bool

    /// A defined name from its parts.
    public init(name: String, value: String, sheetIndex: Int? = nil, isHidden: Bool = false) {
        self.name = name
        self.value = value
        self.sheetIndex = sheetIndex
        self.isHidden = isHidden
    }
}

/// One sheet: its name, kind, visibility, rows of cells, and what lies over them (merges,
/// tables, hyperlinks, comments).
public struct Sheet: Sendable, Equatable {
    /// What a sheet holds.
    public enum Kind: String, Sendable {
        /// Cells.
        case worksheet
        /// One chart, no cells.
        case chartsheet
        /// An Excel 5 dialog, no cells.
        case dialogsheet
        /// Excel 4 macros.
        case macrosheet
    }
    /// Whether a sheet's tab is shown.
    public enum Visibility: String, Sendable {
        /// Shown.
        case visible
        /// Hidden; a user can unhide it from Excel's menu.
        case hidden
        /// Hidden so that only code can show it.
        case veryHidden
    }

    /// The name on the sheet's tab.
    public var name: String
    /// Worksheet, chart sheet, dialog sheet or macro sheet.
    public var kind: Kind
    /// Visible, hidden (unhidden from Excel's menu) or very hidden (only from code).
    public var visibility: Visibility
    /// The used range the sheet declares (`A1:L200001`), if it does.
    public var dimension: String?
    /// Rows that hold at least one cell, in order.
    public var rows: [SheetRow]
    /// Merged ranges; the value sits in each range's top-left cell.
    public var mergedRanges: [CellRange]
    /// 0-based columns hidden in the sheet.
    public var hiddenColumns: [Int]
    /// Excel tables (list objects) defined on the sheet.
    public var tables: [SheetTable]
    /// Hyperlinks on cells.
    public var hyperlinks: [CellHyperlink]
    /// Cell notes (legacy comments) and threaded comments, in sheet order.
    public var comments: [CellComment]

    /// A sheet from its parts.
    public init(
        name: String, kind: Kind = .worksheet, visibility: Visibility = .visible, dimension: String? = nil,
        rows: [SheetRow] = [], mergedRanges: [CellRange] = [], hiddenColumns: [Int] = [], tables: [SheetTable] = [],
        hyperlinks: [CellHyperlink] = [], comments: [CellComment] = []
    ) {
        self.name = name
        self.kind = kind
        self.visibility = visibility
        self.dimension = dimension
        self.rows = rows
        self.mergedRanges = mergedRanges
        self.hiddenColumns = hiddenColumns
        self.tables = tables
        self.hyperlinks = hyperlinks
        self.comments = comments
    }
}

/// An Excel table: a named range with a header row.
public struct SheetTable: Sendable, Equatable {
    /// The table's name (`Table1`).
    public var name: String
    /// The cells the table covers, header row included.
    public var range: CellRange
    /// How many leading rows of the range are headers.
    public var headerRowCount: Int
    /// A table from its parts.
    public init(name: String, range: CellRange, headerRowCount: Int) {
        self.name = name
        self.range = range
        self.headerRowCount = headerRowCount
    }
}

/// A hyperlink on a cell or range.
public struct CellHyperlink: Sendable, Equatable {
    /// The cell or range the link is on (`A1`, `B2:C3`).
    public var reference: String
    /// Where a cell's hyperlink points.
    public enum Target: Sendable, Equatable {
        /// An address outside the workbook.
        case url(String)
        /// A place in the workbook (`Sheet2!A1`, a defined name).
        case location(String)
    }
    /// Where it goes.
    public var target: Target
    /// A hyperlink from its cell reference and target.
    public init(reference: String, target: Target) {
        self.reference = reference
        self.target = target
    }
}

/// A note or threaded comment on a cell.
public struct CellComment: Sendable, Equatable {
    /// The cell it is on (`B3`).
    public var reference: String
    /// Who wrote it, when stored.
    public var author: String?
    /// The comment's text.
    public var text: String
    /// A threaded (modern) comment rather than a note.
    public var isThreaded: Bool
    /// A threaded comment answering an earlier one on the same cell.
    public var isReply: Bool
    /// ISO 8601 as stored, for threaded comments.
    public var date: String?
    /// A comment from its parts.
    public init(reference: String, author: String?, text: String, isThreaded: Bool = false, isReply: Bool = false, date: String? = nil) {
        self.reference = reference
        self.author = author
        self.text = text
        self.isThreaded = isThreaded
        self.isReply = isReply
        self.date = date
    }
}

/// One row of a sheet, as stored: only the cells that exist are listed.
public struct SheetRow: Sendable, Equatable {
    /// 1-based, as Excel numbers rows.
    public var index: Int
    /// The row's cells, left to right, with their column numbers.
    public var cells: [Cell]
    /// Whether the row is hidden.
    public var isHidden: Bool

    /// A row from its 1-based index and cells.
    public init(index: Int, cells: [Cell], isHidden: Bool = false) {
        self.index = index
        self.cells = cells
        self.isHidden = isHidden
    }
}

/// One cell: its column, its typed value, the text Excel shows, and its formula.
public struct Cell: Sendable, Equatable {
    /// 0-based column (A = 0).
    public var column: Int
    /// The typed value (for a formula, its cached result).
    public var value: CellValue
    /// The text Excel would show for the value under the cell's number format.
    public var formatted: String
    /// The formula, without the leading `=`, when the cell has one (its value is the
    /// cached result).
    public var formula: String?

    /// A cell from its parts.
    public init(column: Int, value: CellValue, formatted: String, formula: String? = nil) {
        self.column = column
        self.value = value
        self.formatted = formatted
        self.formula = formula
    }

    /// `A1`-style reference of this cell in `row`.
    public func reference(row: Int) -> String { CellReference.columnName(column) + String(row) }
}

/// A typed cell value, in domain terms.
public enum CellValue: Sendable, Equatable {
    /// No value.
    case empty
    /// A number (dates and times are numbers with a date format; see `date` and `duration`).
    case number(Double)
    /// Text (shared or inline strings, rich text flattened).
    case string(String)
    /// TRUE or FALSE.
    case bool(Bool)
    /// A date, time or date-time (from a date number format or an ISO `t="d"` cell).
    case date(DateTimeValue)
    /// An elapsed time in seconds (a number under a `[h]:mm:ss`-style format).
    case duration(Double)
    /// An error value such as `#DIV/0!`, kept as what it is.
    case error(String)
}

/// A calendar date and time of day without a time zone, as spreadsheets store them.
public struct DateTimeValue: Sendable, Equatable, CustomStringConvertible {
    /// The year (1900 onwards; 1904 onwards in workbooks with the 1904 date system).
    public var year: Int
    /// The month, 1–12.
    public var month: Int
    /// The day of the month, 1–31 (0 for Excel's serial 0, `1900-01-00`).
    public var day: Int
    /// The hour, 0–23.
    public var hour: Int
    /// The minute, 0–59.
    public var minute: Int
    /// Seconds, with the fraction Excel keeps.
    public var second: Double
    /// The serial number it came from, when it came from one.
    public var serial: Double?
    /// A time of day with no date part (serial below 1).
    public var isTimeOnly: Bool

    /// A date and time from its parts.
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Double = 0, serial: Double? = nil, isTimeOnly: Bool = false) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.serial = serial
        self.isTimeOnly = isTimeOnly
    }

    /// ISO 8601: `2021-01-02`, `2021-01-02T13:45:00`, or `13:45:00` for a time only.
    public var description: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let whole = Int(second)
        var seconds = two(whole)
        let fraction = second - Double(whole)
        if fraction > 0.0005 {
            let millis = Int((fraction * 1000).rounded())
            seconds += "." + String(repeating: "0", count: 3 - String(millis).count) + String(millis)
        }
        let time = "\(two(hour)):\(two(minute)):\(seconds)"
        if isTimeOnly { return time }
        var year = String(year)
        while year.count < 4 { year = "0" + year }
        let date = "\(year)-\(two(month))-\(two(day))"
        if hour == 0 && minute == 0 && second == 0 { return date }
        return date + "T" + time
    }
}

/// A rectangular range of cells, 0-based and inclusive.
public struct CellRange: Sendable, Equatable, CustomStringConvertible {
    /// The first row, 0-based.
    public var firstRow: Int
    /// The first column, 0-based (A = 0).
    public var firstColumn: Int
    /// The last row, inclusive.
    public var lastRow: Int
    /// The last column, inclusive.
    public var lastColumn: Int

    /// A range from its corners.
    public init(firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int) {
        self.firstRow = firstRow
        self.firstColumn = firstColumn
        self.lastRow = lastRow
        self.lastColumn = lastColumn
    }

    /// Parses `A1:C3` (or a single `B2`); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 1 || parts.count == 2,
            let first = CellReference(String(parts[0])),
            let last = parts.count == 2 ? CellReference(String(parts[1])) : CellReference(String(parts[0]))
        else { return nil }
        self.init(firstRow: first.row, firstColumn: first.column, lastRow: last.row, lastColumn: last.column)
    }

    public var description: String {
        CellReference(row: firstRow, column: firstColumn).description + ":" + CellReference(row: lastRow, column: lastColumn).description
    }
}

/// A cell reference such as `B7`, 0-based inside.
public struct CellReference: Sendable, Equatable, CustomStringConvertible {
    /// The row, 0-based (row 7 is 6).
    public var row: Int
    /// The column, 0-based (A = 0).
    public var column: Int

    /// A reference from its row and column.
    public init(row: Int, column: Int) {
        self.row = row
        self.column = column
    }

    /// Parses `B7` or `$B$7`; nil for anything else.
    public init?(_ text: String) {
        var column = 0
        var row = 0
        var letters = 0
        var digits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "$"): continue
            case UInt8(ascii: "A")...UInt8(ascii: "Z") where digits == 0:
                column = column * 26 + Int(byte - UInt8(ascii: "A")) + 1
                letters += 1
            case UInt8(ascii: "a")...UInt8(ascii: "z") where digits == 0:
                column = column * 26 + Int(byte - UInt8(ascii: "a")) + 1
                letters += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9") where letters > 0:
                row = row * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
                if digits > 7 { return nil }
            default: return nil
            }
            if letters > 3 { return nil }
        }
        guard letters > 0, digits > 0, row > 0 else { return nil }
        self.init(row: row - 1, column: column - 1)
    }

    public var description: String { CellReference.columnName(column) + String(row + 1) }

    /// `A`, …, `Z`, `AA`, … for a 0-based column.
    public static func columnName(_ column: Int) -> String {
        var n = column + 1
        var letters: [UInt8] = []
        while n > 0 {
            let remainder = (n - 1) % 26
            letters.append(UInt8(ascii: "A") + UInt8(remainder))
            n = (n - 1) / 26
        }
        return String(decoding: letters.reversed(), as: UTF8.self)
    }
}

/// The proleptic Gregorian calendar as day counts from 1970-01-01 (Howard Hinnant's
/// algorithms): what spreadsheet serials and mail timestamps both need.
public enum CivilCalendar {
    /// Year, month, day of a day count from 1970-01-01.
    public static func date(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Days from 1970-01-01 of a date.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
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

    package static func shortest(_ number: Double) -> String {
        if number == number.rounded() && abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }

    /// Whether the cell shows nothing (no value, or an empty string).
    public var isEmpty: Bool {
        if case .empty = self { return true }
        if case .string(let s) = self { return s.isEmpty }
        return false
    }
}
