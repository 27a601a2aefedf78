import Foundation
public import QuireLLM

/// The built-in backend's analyse-table: the profile Quire computed, told as prose and a
/// table. No figure is written that the profile does not hold.
public enum OfflineAnalysis {
    /// The label the offline analysis starts with, saying that no model wrote it.
    public static let label =
        "*Table profile computed by Quire over every row (built-in offline backend): the figures below are computed, not written by a model.*"

    /// The built-in backend's answer to an analysis request: the table profile in prose.
    public static func answer(_ request: ChatRequest) -> String {
        let text = request.messages.last?.content ?? ""
        guard let block = ContentFence.blocks(in: text).first(where: { $0.attributes["kind"] == AnalyseTask.profileKind }),
            let profile = try? JSONDecoder().decode(TableProfile.self, from: Data(block.content.utf8))
        else {
            return label + "\n\n(The request holds no table profile.)\n"
        }
        return label + "\n\n" + describe(profile, question: request.metadata[AnalyseTask.metadataQuestion])
    }

    /// 1234567.5 → "1,234,567.5"; at most two decimals (four under 1).
    public static func figure(_ x: Double) -> String {
        let decimals = x.magnitude >= 1 || x == 0 ? 2 : 4
        var text = String(format: "%.\(decimals)f", x)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        let parts = text.split(separator: ".", maxSplits: 1)
        var whole = String(parts[0])
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole.removeLast(3)
        }
        grouped = whole + grouped
        return (negative ? "-" : "") + grouped + (parts.count > 1 ? "." + parts[1] : "")
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(figure(Double(n))) \(noun)\(n == 1 ? "" : "s")" }

    /// `profile` described in sentences, leading with what `question` asks about.
    public static func describe(_ profile: TableProfile, question: String?) -> String {
        var out = "**Sheet “\(profile.sheet)”** — \(count(profile.rows, "row")) × \(count(profile.columns.count, "column"))"
        out += profile.headerRow.map { " (column names in row \($0))." } ?? " (no header row: columns are named by letter)."
        if let totals = profile.totalsRow { out += " Row \(totals) is a totals row: it is left out of every figure below." }
        if profile.errorCells > 0 { out += " \(count(profile.errorCells, "cell")) hold\(profile.errorCells == 1 ? "s" : "") an error value." }
        out += "\n\n"
        if let question {
            out +=
                "The built-in backend does not answer free questions; for “\(question)” here are the figures computed for the columns it names. Configure a model for `analyse-table` to get a written answer.\n\n"
        }
        for column in profile.columns {
            var line = "- **\(column.name)** (\(column.type)): \(count(column.values, "value"))"
            if column.blanks > 0 { line += ", \(figure(Double(column.blanks))) blank" }
            line += ", \(figure(Double(column.distinct))) distinct"
            if let sum = column.sum, column.type == "number" || column.numbers * 2 >= column.values {
                line +=
                    "; sum \(figure(sum)), mean \(figure(column.mean ?? 0)), median \(figure(column.median ?? 0)), from \(figure(column.min ?? 0)) to \(figure(column.max ?? 0))"
            }
            if column.type == "identifier", let low = column.min, let high = column.max { line += "; from \(figure(low)) to \(figure(high))" }
            // Periods and codes: no thousands separators (2024, not 2,024), never summed.
            if column.type == "dimension", let low = column.min, let high = column.max {
                line += "; from \(TableProfiler.plain(low)) to \(TableProfiler.plain(high))"
            }
            if let first = column.earliest, let last = column.latest { line += "; dates from \(first) to \(last)" }
            if !column.top.isEmpty, column.type != "number", column.type != "dimension" || column.distinct <= 12 {
                let shown = column.top.prefix(3).map { "\($0.value) (\(figure(Double($0.count))), \(figure($0.share))%)" }
                line += "; most common: " + shown.joined(separator: ", ")
            }
            if column.errors > 0 { line += "; \(figure(Double(column.errors))) error\(column.errors == 1 ? "" : "s")" }
            out += line + ".\n"
        }
        let numeric = profile.columns.filter { $0.sum != nil && $0.type == "number" }
        if !numeric.isEmpty {
            out += "\n| Column | Values | Blank | Sum | Mean | Median | Min | Max |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n"
            for c in numeric {
                out +=
                    "| \(c.name) | \(figure(Double(c.values))) | \(figure(Double(c.blanks))) | \(figure(c.sum ?? 0)) | \(figure(c.mean ?? 0)) | \(figure(c.median ?? 0)) | \(figure(c.min ?? 0)) | \(figure(c.max ?? 0)) |\n"
            }
        }
        for grouping in profile.groupings {
            let title = grouping.measures.isEmpty ? "Rows by \(grouping.by)" : grouping.measures.joined(separator: ", ") + " by \(grouping.by)"
            out += "\n**\(title)** (\(grouping.reason))\n\n"
            var header = "| \(grouping.by) | Rows |"
            var rule = "| --- | --- |"
            for m in grouping.measures {
                header += " Sum of \(m) | Mean of \(m) |"
                rule += " --- | --- |"
            }
            header += " Share |"
            rule += " --- |"
            out += header + "\n" + rule + "\n"
            for g in grouping.groups {
                var row = "| \(g.key) | \(figure(Double(g.rows))) |"
                for (s, m) in zip(g.sums, g.means) { row += " \(figure(s)) | \(figure(m)) |" }
                row += " \(figure(g.share))% |"
                out += row + "\n"
            }
            if grouping.otherGroups > 0 { out += "(\(count(grouping.otherGroups, "more group")) not shown)\n" }
            if let top = grouping.largest, grouping.groups.count > 1 {
                let what = grouping.measures.first.map { "the largest sum of \($0)" } ?? "the most rows"
                out += "\n\(top.key) has \(what) (\(figure(top.sums.first ?? Double(top.rows))), \(figure(top.share))%).\n"
            }
        }
        return out
    }
}
