public import QuireModel
public import QuireRender

/// Which chart a table's figures make, from the profile Quire computed over every row: the
/// totals grouped by the column a question names as bars; else, when the table has a date
/// column and a measure, the measure's monthly totals as a line; else the profile's own
/// grouping as bars; else, for a short table whose rows each have a name, one bar per row.
/// The figures are Quire's, never a model's.
public enum TableChart {
    /// The chart of `sheet` for `question`, or why there is none.
    public static func chart(_ sheet: Sheet, question: String? = nil) -> Result<Chart, ChartFailure> {
        let table = SheetTable2D(sheet: sheet)
        let profile = TableProfiler.profile(table, question: question)
        if let grouping = profile.groupings.first(where: { $0.reason == "named in the question" }), let bars = bars(grouping, sheet: sheet.name) {
            return .success(bars)
        }
        if let line = monthly(table, profile: profile) { return .success(line) }
        if let grouping = profile.groupings.first, let bars = bars(grouping, sheet: sheet.name) { return .success(bars) }
        if let rows = labelledRows(table, profile: profile) { return .success(rows) }
        return .failure(
            ChartFailure(
                message:
                    "sheet '\(sheet.name)' has no column to group by, no date column with a measure, and no column naming each row beside a number: nothing to chart."
            ))
    }

    /// Why a table makes no chart.
    public struct ChartFailure: Error, Sendable, Equatable {
        /// What is missing.
        public var message: String
    }

    /// The first measure's sum per group (rows per group when there is no measure).
    static func bars(_ grouping: TableProfile.Grouping, sheet: String) -> Chart? {
        guard !grouping.groups.isEmpty else { return nil }
        let measure = grouping.measures.first
        let points = grouping.groups.map { Chart.Point(label: $0.key.isEmpty ? "(blank)" : $0.key, value: measure == nil ? Double($0.rows) : $0.sums[0]) }
        let what = measure.map { "Sum of \($0)" } ?? "Rows"
        var note = "Sheet “\(sheet)”: totals computed by Quire over every row"
        if grouping.otherGroups > 0 { note += "; \(grouping.otherGroups) smaller groups not shown" }
        return Chart(kind: .bars, title: "\(what) by \(grouping.by)", xLabel: grouping.by, yLabel: what, points: points, note: note + ".")
    }

    /// A short table whose rows each have their own name (Team: Design, Sales, …) and a
    /// number: one bar per row, the totals row left out.
    static func labelledRows(_ table: SheetTable2D, profile: TableProfile) -> Chart? {
        guard let labelColumn = profile.columns.firstIndex(where: { $0.type == "text" && $0.distinct == $0.values && $0.values >= 2 && $0.values <= 40 }),
            let measureColumn = profile.columns.lastIndex(where: { $0.type == "number" })
        else { return nil }
        var points: [Chart.Point] = []
        for (k, row) in table.rows.enumerated() where table.rowNumbers[k] != profile.totalsRow {
            guard labelColumn < row.count, measureColumn < row.count, let label = row[labelColumn]?.formatted, !label.isEmpty,
                case .number(let value)? = row[measureColumn]?.value
            else { continue }
            points.append(Chart.Point(label: label, value: value))
        }
        guard points.count >= 2 else { return nil }
        let (name, measure) = (profile.columns[labelColumn].name, profile.columns[measureColumn].name)
        return Chart(
            kind: .bars, title: "\(measure) by \(name)", xLabel: name, yLabel: measure, points: points,
            note: "Sheet “\(table.name)”: one bar per row" + (profile.totalsRow != nil ? ", the totals row left out." : "."))
    }

    /// The measure's total per month of the first date column, months in order (at least two).
    static func monthly(_ table: SheetTable2D, profile: TableProfile) -> Chart? {
        guard let dateColumn = profile.columns.firstIndex(where: { $0.type == "date" }) else { return nil }
        let measureName = profile.groupings.first?.measures.first ?? profile.columns.last(where: { $0.type == "number" })?.name
        guard let measureName, let measureColumn = profile.columns.firstIndex(where: { $0.name == measureName }) else { return nil }
        var totals: [String: Double] = [:]
        for row in table.rows {
            guard dateColumn < row.count, measureColumn < row.count, let date = row[dateColumn], let cell = row[measureColumn] else { continue }
            guard case .date(let day) = date.value else { continue }
            let value: Double
            switch cell.value {
            case .number(let x): value = x
            default: continue
            }
            let month = "\(day.year)-" + (day.month < 10 ? "0\(day.month)" : "\(day.month)")
            totals[month, default: 0] += value
        }
        guard totals.count >= 2 else { return nil }
        let points = totals.keys.sorted().map { Chart.Point(label: $0, value: totals[$0]!) }
        let dateName = profile.columns[dateColumn].name
        return Chart(
            kind: .line, title: "Sum of \(measureName) by month of \(dateName)", xLabel: "\(dateName) (month)", yLabel: "Sum of \(measureName)",
            points: points, note: "Sheet “\(table.name)”: monthly totals computed by Quire over every row.")
    }
}
