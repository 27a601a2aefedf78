public import QuireModel

/// What Quire computes over every row of a table before a model sees it: per column its
/// type, counts, blanks, distinct values, numeric statistics, top categories and date
/// range, and totals grouped by the columns a question names. A model writes prose from
/// this profile; it is never asked to compute.
public struct TableProfile: Sendable, Codable, Equatable {
    /// A value of a text column and how often it occurs.
    public struct Category: Sendable, Codable, Equatable {
        /// The value.
        public var value: String
        /// How many cells hold it.
        public var count: Int
        /// Percent of the column's non-blank values.
        public var share: Double
    }

    /// What was computed over one column.
    public struct Column: Sendable, Codable, Equatable {
        /// The column's name (its header, or its letter when the table has no header).
        public var name: String
        /// The spreadsheet column letter.
        public var letter: String
        /// number, date, text, boolean, mixed, empty, identifier (order numbers: no sums) or
        /// dimension (years, quarters, months, postcodes, phone and tax numbers: grouped by,
        /// never summed or averaged).
        public var type: String
        /// Cells with a value.
        public var values: Int
        /// Empty cells.
        public var blanks: Int
        /// Different values.
        public var distinct: Int
        /// Cells holding numbers.
        public var numbers: Int
        /// The sum of the numbers (not for identifiers and dimensions).
        public var sum: Double?
        /// Their mean.
        public var mean: Double?
        /// Their median.
        public var median: Double?
        /// The smallest number.
        public var min: Double?
        /// The largest number.
        public var max: Double?
        /// The earliest date, ISO 8601.
        public var earliest: String?
        /// The latest date, ISO 8601.
        public var latest: String?
        /// The most frequent values of a text column.
        public var top: [Category]
        /// Cells with errors (`#DIV/0!`, `#N/A`…).
        public var errors: Int
    }

    /// One group of a grouping: the rows sharing a key.
    public struct GroupRow: Sendable, Codable, Equatable {
        /// The key's value.
        public var key: String
        /// Rows in the group.
        public var rows: Int
        /// Per measure column: the sum and mean over the group's numeric values.
        public var sums: [Double]
        /// Per measure column: the mean over the group's numeric values.
        public var means: [Double]
        /// Percent of the first measure's total (or of the rows when there is no measure).
        public var share: Double
    }

    /// Totals grouped by one column.
    public struct Grouping: Sendable, Codable, Equatable {
        /// The group with the largest first measure (or the most rows): periods are listed
        /// in their own order, so it need not be the first.
        public var largest: GroupRow? {
            groups.max { a, b in
                let x = a.sums.first ?? Double(a.rows)
                let y = b.sums.first ?? Double(b.rows)
                return x != y ? x < y : a.key > b.key
            }
        }

        /// The column grouped by.
        public var by: String
        /// The columns summed and averaged per group.
        public var measures: [String]
        /// The groups, listed in the key's own order for periods, else by size.
        public var groups: [GroupRow]
        /// Groups beyond the ones listed, folded into one "other" row's worth of rows.
        public var otherGroups: Int
        /// Why this grouping is here: "named in the question" or "most useful category".
        public var reason: String
    }

    /// The sheet's name.
    public var sheet: String
    /// The row that holds the column names (1-based), or nil when the table has none.
    public var headerRow: Int?
    /// A totals row at the foot, left out of every figure (1-based), or nil.
    public var totalsRow: Int?
    /// Data rows (header and totals rows left out).
    public var rows: Int
    /// The columns, left to right.
    public var columns: [Column]
    /// Totals by the columns a question names (or the most useful category).
    public var groupings: [Grouping]
    /// Cells with errors (#DIV/0! …) over the table.
    public var errorCells: Int

    /// Rounds a statistic so the profile's JSON and its text show the same figure.
    static func tidy(_ x: Double) -> Double {
        guard x.isFinite else { return 0 }
        let magnitude = Swift.abs(x)
        let scale: Double = magnitude >= 100 ? 100 : (magnitude >= 1 ? 10_000 : 1_000_000)
        return (x * scale).rounded() / scale
    }
}

/// A sheet read as a table: its header and data rows.
public struct SheetTable2D: Sendable {
    /// The sheet's name.
    public var name: String
    /// The row holding the column names (1-based), or nil when none was found.
    public var headerRow: Int?
    /// The column names, left to right.
    public var columnNames: [String]
    /// Each column's 0-based spreadsheet column.
    public var columnIndexes: [Int]
    /// The data rows; nil where a row has no cell in that column.
    public var rows: [[Cell?]]
    /// Each data row's 1-based spreadsheet row number.
    public var rowNumbers: [Int]

    /// Finds the header: among the first ten non-empty rows, the first whose cells are all
    /// text and that is about as wide as the widest of them (a title line above a table
    /// is narrower); with no such row, columns are named by their letters.
    public init(sheet: Sheet) {
        name = sheet.name
        let nonEmpty = sheet.rows.filter { $0.cells.contains { $0.value != .empty } }
        let allColumns = Set(nonEmpty.flatMap { $0.cells.filter { $0.value != .empty }.map(\.column) }).sorted()
        let head = nonEmpty.prefix(10)
        let widest = head.map { $0.cells.filter { $0.value != .empty }.count }.max() ?? 0
        var header: SheetRow?
        for row in head {
            let filled = row.cells.filter { $0.value != .empty }
            let allText = filled.allSatisfy { if case .string = $0.value { return true } else { return false } }
            if allText, filled.count * 10 >= widest * 6, row.index != nonEmpty.last?.index {
                header = row
                break
            }
            if !allText { break }
        }
        headerRow = header?.index
        let dataRows = nonEmpty.filter { row in header.map { row.index > $0.index } ?? true }
        var columns = allColumns
        if let header {
            let lowest = header.cells.filter { $0.value != .empty }.map(\.column).min() ?? 0
            columns = allColumns.filter { $0 >= lowest }
        }
        columnIndexes = columns
        columnNames = columns.map { column in
            let title = header?.cells.first { $0.column == column }?.formatted.trimmingSpaces() ?? ""
            return title.isEmpty ? "Column " + CellReference.columnName(column) : title
        }
        var data = dataRows
        // A totals row at the foot ("Total", "Grand total", "Summe"…) repeats the figures
        // above it: left out of the table, or every sum would count twice.
        if data.count >= 3, let last = data.last, Self.isTotalsRow(last) {
            totalsRow = last.index
            data.removeLast()
        }
        rows = data.map { row in
            var cells = [Cell?](repeating: nil, count: columns.count)
            for cell in row.cells {
                if let position = columns.firstIndex(of: cell.column) { cells[position] = cell }
            }
            return cells
        }
        rowNumbers = data.map(\.index)
    }

    /// The row (1-based) of a totals row left out of the table, when there was one.
    public var totalsRow: Int?

    static let totalWords: Set<String> = [
        "total", "totals", "grand total", "sum", "sums", "gesamt", "summe", "gesamtsumme", "total général", "totale", "totaal", "suma", "totaux",
    ]

    /// A row whose text cells name it a total.
    static func isTotalsRow(_ row: SheetRow) -> Bool {
        row.cells.contains { cell in
            guard case .string(let text) = cell.value else { return false }
            var lower = text.trimmingSpaces().lowercased()
            while lower.hasSuffix(":") { lower.removeLast() }
            return totalWords.contains(lower) || lower.hasPrefix("total ") || lower.hasPrefix("grand total")
        }
    }
}

/// Computes a `TableProfile` over every row of a sheet.
public enum TableProfiler {
    /// What one column holds, value by value.
    struct ColumnTally {
        var numbers: [Double] = []
        var dates: [String] = []
        var texts: [String: Int] = [:]
        var distinct = Set<String>()
        var bools = 0
        var errors = 0
        var blanks = 0
    }

    static func tally(_ table: SheetTable2D, at position: Int) -> ColumnTally {
        var t = ColumnTally()
        for row in table.rows {
            guard let cell = row[position], cell.value != .empty else {
                t.blanks += 1
                continue
            }
            t.distinct.insert(cell.formatted)
            switch cell.value {
            case .number(let x), .duration(let x): t.numbers.append(x)
            case .date(let d): t.dates.append(isoDate(d))
            case .string(let s):
                let trimmed = s.trimmingSpaces()
                if trimmed.isEmpty {
                    t.blanks += 1
                    t.distinct.remove(cell.formatted)
                } else {
                    t.texts[trimmed, default: 0] += 1
                }
            case .bool: t.bools += 1
            case .error: t.errors += 1
            case .empty: break
            }
        }
        return t
    }

    /// The profile of one column: its type, figures, earliest and latest dates, commonest values.
    static func column(_ table: SheetTable2D, at position: Int, name: String) -> TableProfile.Column {
        let t = tally(table, at: position)
        let (numbers, dates, texts, distinct, bools, errors, blanks) = (t.numbers, t.dates, t.texts, t.distinct, t.bools, t.errors, t.blanks)
        let values = numbers.count + dates.count + texts.values.reduce(0, +) + bools + errors
        let kinds = [("number", numbers.count), ("date", dates.count), ("text", texts.values.reduce(0, +)), ("boolean", bools)]
        let dominant = kinds.max { $0.1 < $1.1 }!
        let type = values == 0 ? "empty" : (dominant.1 * 10 >= values * 8 ? dominant.0 : "mixed")
        var column = TableProfile.Column(
            name: name, letter: CellReference.columnName(table.columnIndexes[position]), type: type, values: values, blanks: blanks,
            distinct: distinct.count, numbers: numbers.count, top: [], errors: errors)
        if !numbers.isEmpty {
            let sorted = numbers.sorted()
            let sum = numbers.reduce(0, +)
            column.sum = TableProfile.tidy(sum)
            column.mean = TableProfile.tidy(sum / Double(numbers.count))
            column.median = TableProfile.tidy(
                sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2)
            column.min = TableProfile.tidy(sorted.first!)
            column.max = TableProfile.tidy(sorted.last!)
        }
        // Order numbers and other identifiers: distinct whole numbers, counting up or named
        // like an id. Their sum and mean mean nothing, so the profile does not give them.
        if type == "number", numbers.count == values, distinct.count == values, values >= 3, numbers.allSatisfy({ $0 == $0.rounded() }) {
            let lower = name.lowercased()
            let idName = ["id", "no", "no.", "number", "nr", "#", "code", "order", "ref", "reference", "key"].contains { word in
                lower == word || lower.hasSuffix(" " + word) || lower.hasPrefix(word + " ") || lower.hasSuffix("id")
            }
            let run = (column.max ?? 0) - (column.min ?? 0) + 1 == Double(values)
            if idName || run {
                column.type = "identifier"
                column.sum = nil
                column.mean = nil
                column.median = nil
            }
        }
        // Periods and codes held as numbers (years, quarters, months, postcodes, phone or
        // tax numbers): dimensions to group by, never to add up.
        if column.type == "number", numbers.count == values, numbers.allSatisfy({ $0 == $0.rounded() }), Self.isDimension(name, column) {
            column.type = "dimension"
            column.sum = nil
            column.mean = nil
            column.median = nil
            var counts: [String: Int] = [:]
            for x in numbers { counts[Self.plain(x), default: 0] += 1 }
            column.top = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(5).map {
                TableProfile.Category(value: $0.key, count: $0.value, share: TableProfile.tidy(Double($0.value) * 100 / Double(numbers.count)))
            }
        }
        if !dates.isEmpty {
            column.earliest = dates.min()
            column.latest = dates.max()
        }
        let textCount = texts.values.reduce(0, +)
        if textCount > 0 {
            column.top = texts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(5).map {
                TableProfile.Category(value: $0.key, count: $0.value, share: TableProfile.tidy(Double($0.value) * 100 / Double(textCount)))
            }
        }
        return column
    }

    /// Profiles `sheet`; `question` decides the groupings (columns it names).
    public static func profile(_ sheet: Sheet, question: String? = nil) -> TableProfile {
        profile(SheetTable2D(sheet: sheet), question: question)
    }

    /// Profiles a sheet already read as a table.
    public static func profile(_ table: SheetTable2D, question: String? = nil) -> TableProfile {
        var columns: [TableProfile.Column] = []
        var errorCells = 0
        for (position, name) in table.columnNames.enumerated() {
            let column = Self.column(table, at: position, name: name)
            errorCells += column.errors
            columns.append(column)
        }
        let groupings = self.groupings(table, columns: columns, question: question)
        return TableProfile(
            sheet: table.name, headerRow: table.headerRow, totalsRow: table.totalsRow, rows: table.rows.count, columns: columns, groupings: groupings,
            errorCells: errorCells)
    }

    /// Words that name a period or a code in a column name, in the languages tables use.
    static let dimensionWords: Set<String> = [
        "year", "years", "yr", "fy", "jahr", "année", "annee", "año", "anno", "jaar", "quarter", "qtr", "quartal", "trimestre", "kwartaal",
        "month", "monat", "mois", "mes", "mese", "maand", "week", "woche", "semaine", "kw", "period", "periode", "periodo",
        "code", "zip", "zipcode", "postcode", "postal", "plz", "cp", "cap", "phone", "tel", "telephone", "telefon", "mobile", "fax",
        "vat", "tax", "tin", "ssn", "iban", "account", "acct", "sku", "ean", "upc", "isbn", "gtin", "id", "nr",
    ]

    /// Whether a whole-number column is a dimension: named like a period or a code, or
    /// holding years (1900–2100, few and repeated values).
    static func isDimension(_ name: String, _ column: TableProfile.Column) -> Bool {
        let words = Set(name.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init))
        if !words.isDisjoint(with: dimensionWords) { return true }
        if ["q", "m"].contains(name.lowercased().trimmingSpaces()), let max = column.max, max <= 12 { return true }
        guard let low = column.min, let high = column.max else { return false }
        return low >= 1900 && high <= 2100 && column.distinct <= 30 && column.distinct * 3 <= column.values
    }

    /// A whole number as written for a dimension: no thousands separators (2024, not 2,024).
    static func plain(_ x: Double) -> String {
        x == x.rounded() && Swift.abs(x) < 1e15 ? String(Int(x)) : String(x)
    }

    static func isoDate(_ d: DateTimeValue) -> String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var text = "\(d.year)-\(two(d.month))-\(two(d.day))"
        if d.hour != 0 || d.minute != 0 { text += " \(two(d.hour)):\(two(d.minute))" }
        return text
    }

    /// Columns named in the question, by whole-word match of their names (longest names first).
    static func named(_ question: String, in columns: [TableProfile.Column]) -> [Int] {
        let lower = " " + question.lowercased().map { $0.isLetter || $0.isNumber ? $0 : " " }.reduce("") { $0 + String($1) } + " "
        var found: [(Int, String.Index)] = []
        for (i, column) in columns.enumerated() {
            let name = column.name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : " " }.reduce("") { $0 + String($1) }
            let words = name.split(separator: " ").joined(separator: " ")
            guard !words.isEmpty else { continue }
            var candidates = [words]
            if words.hasSuffix("s") { candidates.append(String(words.dropLast())) } else { candidates.append(words + "s") }
            for candidate in candidates {
                if let range = lower.firstRange(of: " " + candidate + " ") {
                    found.append((i, range.lowerBound))
                    break
                }
            }
        }
        return found.sorted { $0.1 < $1.1 }.map(\.0)
    }

    static func groupings(_ table: SheetTable2D, columns: [TableProfile.Column], question: String?) -> [TableProfile.Grouping] {
        let isCategory = { (c: TableProfile.Column) in
            (c.type == "text" || c.type == "boolean" || c.type == "dimension" || (c.type == "mixed" && c.numbers * 2 < c.values)) && c.distinct >= 1
                && c.distinct <= max(50, table.rows.count / 2)
        }
        let isMeasure = { (c: TableProfile.Column) in c.type == "number" }
        // The measures with the largest totals first (money before counts, usually); at most three.
        let defaultMeasures = Array(columns.indices.filter { isMeasure(columns[$0]) }.sorted { (columns[$0].sum ?? 0) > (columns[$1].sum ?? 0) }.prefix(3))
        var pairs: [(by: [Int], measures: [Int], reason: String)] = []
        if let question {
            let mentioned = named(question, in: columns)
            let categories = mentioned.filter { isCategory(columns[$0]) }
            var measures = mentioned.filter { isMeasure(columns[$0]) }
            if measures.isEmpty && !categories.isEmpty { measures = defaultMeasures }
            for by in categories { pairs.append(([by], measures, "named in the question")) }
            // "by country and by year": each, and both together.
            if categories.count >= 2 { pairs.append((Array(categories.prefix(2)), measures, "named in the question, together")) }
        }
        if pairs.isEmpty {
            // The category with the fewest groups (2 to 20), against every numeric column.
            let candidates = columns.indices.filter {
                isCategory(columns[$0]) && columns[$0].distinct >= 2 && columns[$0].distinct <= 20 && columns[$0].distinct < columns[$0].values
            }
            if let by = candidates.min(by: { columns[$0].distinct < columns[$1].distinct }) {
                pairs.append(([by], defaultMeasures, "the column with the fewest categories"))
            }
        }
        /// A grouping key: the cell as shown, a dimension's number without separators.
        func key(_ cell: Cell?, dimension: Bool) -> String? {
            guard let cell, cell.value != .empty else { return nil }
            if dimension, case .number(let x) = cell.value { return plain(x) }
            let text = cell.formatted.trimmingSpaces()
            return text.isEmpty ? nil : text
        }
        return pairs.prefix(4).map { pair in
            var groups: [String: (rows: Int, sums: [Double], counts: [Int])] = [:]
            var order: [String] = []
            for row in table.rows {
                let parts = pair.by.map { key(row[$0], dimension: columns[$0].type == "dimension") }
                guard parts.allSatisfy({ $0 != nil }) else { continue }
                let key = parts.map { $0! }.joined(separator: " / ")
                if groups[key] == nil {
                    groups[key] = (0, Array(repeating: 0, count: pair.measures.count), Array(repeating: 0, count: pair.measures.count))
                    order.append(key)
                }
                groups[key]!.rows += 1
                for (m, measure) in pair.measures.enumerated() {
                    if let c = row[measure], case .number(let x) = c.value {
                        groups[key]!.sums[m] += x
                        groups[key]!.counts[m] += 1
                    }
                }
            }
            let totalRows = groups.values.reduce(0) { $0 + $1.rows }
            let total = pair.measures.isEmpty ? 0 : groups.values.reduce(0) { $0 + $1.sums[0] }
            var rows = order.map { key -> TableProfile.GroupRow in
                let g = groups[key]!
                let share = pair.measures.isEmpty || total == 0 ? Double(g.rows) * 100 / Double(max(totalRows, 1)) : g.sums[0] * 100 / total
                return TableProfile.GroupRow(
                    key: key, rows: g.rows, sums: g.sums.map(TableProfile.tidy),
                    means: zip(g.sums, g.counts).map { TableProfile.tidy($1 == 0 ? 0 : $0 / Double($1)) }, share: TableProfile.tidy(share))
            }
            // Periods in their own order; other groups largest first.
            if pair.by.count == 1, columns[pair.by[0]].type == "dimension" {
                rows.sort { a, b in (Double(a.key) ?? 0, a.key) < (Double(b.key) ?? 0, b.key) }
            } else {
                rows.sort { a, b in
                    let x = a.sums.first ?? Double(a.rows)
                    let y = b.sums.first ?? Double(b.rows)
                    return x != y ? x > y : a.key < b.key
                }
            }
            let limit = 25
            return TableProfile.Grouping(
                by: pair.by.map { columns[$0].name }.joined(separator: " × "), measures: pair.measures.map { columns[$0].name },
                groups: Array(rows.prefix(limit)), otherGroups: max(0, rows.count - limit), reason: pair.reason)
        }
    }
}
