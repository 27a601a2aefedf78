import Foundation
import QuireLLM
public import QuireModel

/// Analyse a table: Quire computes the profile, the model only writes about it, and every
/// number in the answer is checked against the profile.
public struct AnalyseTask: QuireTask {
    public let routeName = "analyse-table"
    /// The file the sheet came from, as prompts name it.
    public let file: String
    /// The sheet analysed.
    public let sheet: Sheet
    /// The user's question; nil for a general analysis.
    public let question: String?
    /// Length, style, language and the other common options.
    public var options: TaskOptions
    /// What Quire computed over every row; the model only writes prose from it.
    public let profile: TableProfile
    /// The profile as the model gets it (JSON).
    let profileJSON: String
    /// The first rows as a Markdown table (cells as Excel shows them, long ones shortened).
    let sample: String

    /// Reads the sheet as a table once: the profile over every row and the sample of the
    /// first `sampleRows` come from it.
    public init(file: String, sheet: Sheet, question: String? = nil, options: TaskOptions = TaskOptions(), sampleRows: Int = 15) {
        self.file = file
        self.sheet = sheet
        self.question = question
        self.options = options
        let table = SheetTable2D(sheet: sheet)
        profile = TableProfiler.profile(table, question: question)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        profileJSON = String(decoding: (try? encoder.encode(profile)) ?? Data(), as: UTF8.self)
        sample = Self.sample(table, rows: sampleRows)
    }

    static let metadataQuestion = "question"
    static let profileKind = "table-profile"

    static func sample(_ table: SheetTable2D, rows sampleRows: Int) -> String {
        let columns = Array(table.columnNames.prefix(30))
        func cell(_ text: String) -> String {
            var t = text.replacingAll("|", with: "\\|").replacingAll("\n", with: " ")
            if t.count > 60 { t = String(t.prefix(57)) + "…" }
            return t
        }
        var out = "| Row | " + columns.map(cell).joined(separator: " | ") + " |\n|" + String(repeating: " --- |", count: columns.count + 1) + "\n"
        for (row, number) in zip(table.rows.prefix(sampleRows), table.rowNumbers) {
            out += "| \(number) | " + columns.indices.map { cell(row[$0]?.formatted ?? "") }.joined(separator: " | ") + " |\n"
        }
        if table.rows.count > sampleRows { out += "(first \(sampleRows) of \(table.rows.count) rows)\n" }
        return out
    }

    /// One request holding the profile, a sample of rows and the question.
    public func plan(_ budget: PromptBudget) -> TaskPlan {
        let profileText = profileJSON
        let sampleText = sample
        let fence = ContentFence(for: [profileText, sampleText])
        let system = """
            You are Quire, an analyst who explains spreadsheet tables to a busy reader.

            \(fence.rule)

            Quire has computed a profile of the table over all of its rows: for each column its type, \
            number of values, blanks, distinct values, sum, mean, median, minimum and maximum, most \
            common values with their shares (percent), and date range; and totals grouped by a category \
            column. You also get the first rows as a sample.

            Rules for numbers — they are checked:
            - Every number you write must appear in the profile or the sample. You may round one \
            (1,234,567 as "about 1.23 million"), and say "about" when you do.
            - Do not compute anything yourself: no new sums, averages, differences, ratios, growth \
            rates, percentages or rankings beyond those the profile states.
            - If the question needs a figure the profile does not have, say so plainly and name the \
            column or grouping that would answer it.
            - The sample shows only the first rows: never generalise totals from it.

            Write \(options.words) of Markdown: lead with the answer, then the figures that support it; \
            a short table is welcome. Write in \(options.language ?? "the language of the question (English if none)").
            """
        let ask =
            question.map { "Question about the table: \($0)" }
            ?? "Describe this table: what it holds, its notable figures, and anything that needs attention (blanks, errors, outliers visible in the profile)."
        let user =
            ask + "\n\n" + fence.wrap(profileText, attributes: [("kind", Self.profileKind), ("name", file), ("sheet", sheet.name)])
            + "\n\n" + fence.wrap(sampleText, attributes: [("kind", "sample"), ("name", file), ("sheet", sheet.name)])
        var metadata = [TaskMetadata.task: routeName, TaskMetadata.file: file, TaskMetadata.length: options.length.rawValue]
        if let question { metadata[Self.metadataQuestion] = question }
        return .single(
            ChatRequest(
                system: system, messages: [.user(user)], maxOutputTokens: options.outputTokens, temperature: 0.2, stream: options.stream, metadata: metadata))
    }

    /// Numbers of the answer that are not in the profile, the sample or the question.
    public func review(_ answer: String) -> [String] {
        if answer.hasPrefix(OfflineAnalysis.label) { return [] }
        let context = sample + "\n" + (question ?? "") + "\n" + sheet.name
        let allowed = NumberCheck.numbers(in: profileJSON + "\n" + context)
        var shares = profile.columns.flatMap { $0.top.map(\.share) } + profile.groupings.flatMap { $0.groups.map(\.share) }
        shares += NumberCheck.found(in: context).filter(\.isPercent).map(\.value)
        var unverified = NumberCheck.unverified(in: answer, allowed: allowed, percentages: shares)
        // A number that exists somewhere in the profile may still be the wrong one: it must be
        // a figure of the column or group its sentence names.
        for text in FigureCheck(profile: profile, context: context).misattributed(in: answer) where !unverified.contains(text) { unverified.append(text) }
        if unverified.isEmpty {
            return ["*Checked: every number in this answer appears in the table profile Quire computed over all \(profile.rows) rows.*"]
        }
        return [
            "**Warning: \(unverified.count == 1 ? "this number does" : "these numbers do") not match the table profile Quire computed (absent, or not a figure of the column or group the sentence names), so the model may have made \(unverified.count == 1 ? "it" : "them") up: \(unverified.joined(separator: ", ")).** Check them before use; `--dry-run` shows the profile the model was given."
        ]
    }
}

/// Checks each number of an answer against the figures of what its sentence names: a
/// sentence (or table row) that names groups ("Spain", "2023") must quote those groups'
/// figures; one that names columns, those columns' figures. Numbers that label rather than
/// measure (a group key such as a year, the question's and the sample's numbers) pass.
struct FigureCheck {
    let profile: TableProfile
    /// The sample rows, the question and the sheet name: numbers the model may quote anywhere.
    let context: String

    func misattributed(in answer: String) -> [String] {
        let free = NumberCheck.numbers(in: context) + [Double(profile.rows), Double(profile.columns.count)]
        var out: [String] = []
        for sentence in Self.sentences(answer) {
            let lower = " " + Self.words(sentence) + " "
            let groups = profile.groupings.flatMap { grouping in
                grouping.groups.filter { group in
                    let parts = group.key.split(separator: "/").map { Self.words(String($0)) }
                    return parts.allSatisfy { !$0.isEmpty && lower.contains(" " + $0 + " ") }
                }.map { (grouping, $0) }
            }
            // A combined group ("Spain / 2023") is meant when both its parts are named.
            let combined = groups.filter { $0.1.key.contains("/") }
            let chosen = combined.isEmpty ? groups : combined
            let columns = profile.columns.filter { lower.contains(" " + Self.words($0.name) + " ") }
            guard !chosen.isEmpty || !columns.isEmpty else { continue }
            var pool: [Double] = free
            var shares: [Double] = []
            // The named groups' figures, and the whole-column figures of what they measure
            // (a total over all groups may stand beside them).
            var measured: [TableProfile.Column] = []
            for (grouping, group) in chosen {
                pool += [Double(group.rows)] + group.sums + group.means
                shares.append(group.share)
                pool += group.key.split(whereSeparator: { !$0.isNumber && $0 != "." }).compactMap { Double($0) }
                measured += profile.columns.filter { grouping.measures.contains($0.name) }
            }
            do {
                for column in columns + measured {
                    pool += [column.values, column.blanks, column.distinct, column.numbers, column.errors].map(Double.init)
                    pool += [column.sum, column.mean, column.median, column.min, column.max].compactMap { $0 }
                    pool += column.top.map { Double($0.count) } + NumberCheck.numbers(in: (column.earliest ?? "") + " " + (column.latest ?? ""))
                    shares += column.top.map(\.share)
                }
            }
            for number in NumberCheck.found(in: sentence) {
                let candidates = number.isPercent ? shares : pool
                let ok = candidates.contains { abs($0 - number.value) <= number.tolerance + 1e-9 * max(1, abs($0)) }
                if !ok && !out.contains(number.text) { out.append(number.text) }
            }
        }
        return out
    }

    /// Sentences and table rows.
    static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        for line in text.split(separator: "\n") {
            if line.contains("|") {
                out.append(String(line))
                continue
            }
            var current = ""
            let chars = Array(line)
            for (i, c) in chars.enumerated() {
                current.append(c)
                // ". " ends a sentence, "1.5" does not.
                if c == "." || c == "!" || c == "?", i + 1 == chars.count || chars[i + 1] == " " {
                    out.append(current)
                    current = ""
                }
            }
            if !current.trimmingSpaces().isEmpty { out.append(current) }
        }
        return out
    }

    /// Lower-case words separated by single spaces (punctuation dropped).
    static func words(_ text: String) -> String {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: " ")
    }
}

/// Finds numbers in text and checks them against a set of allowed values.
public enum NumberCheck {
    /// A number written in an answer.
    public struct Found: Equatable {
        /// The number as written (`1,234.5`, `12 %`).
        public var text: String
        /// Its value.
        public var value: Double
        /// Half a unit of the last digit written (with its scale): the rounding it allows.
        public var tolerance: Double
        /// Written with `%`.
        public var isPercent: Bool = false
    }

    /// The numbers written in `text`: digits with `,` thousands and `.` decimals, an optional
    /// sign, `%`, and scale words (thousand/k, million/m/mn, billion/bn). Digits stuck to
    /// letters (Q3, A1, 2nd) and list markers at the start of a line are not numbers.
    public static func found(in text: String) -> [Found] {
        var out: [Found] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let chars = withoutListMarker(Array(line))
            var i = 0
            while i < chars.count {
                guard chars[i].isASCII, chars[i].isNumber else {
                    i += 1
                    continue
                }
                if i > 0, chars[i - 1].isLetter || chars[i - 1] == "_" {
                    i = skip(chars, from: i)
                    continue
                }
                let (digits, end) = digitRun(chars, from: i)
                if let wordEnd = gluedWordEnd(chars, at: end) {
                    i = wordEnd
                    continue
                }
                guard let (found, next) = figure(digits, in: chars, start: i, end: end) else {
                    i = end
                    continue
                }
                out.append(found)
                i = next
            }
        }
        return out
    }

    /// The line without an ordered-list marker ("1. ", "12) ") at its start.
    static func withoutListMarker(_ line: [Character]) -> [Character] {
        var chars = line
        var lead = 0
        while lead < chars.count, chars[lead] == " " { lead += 1 }
        var digitsEnd = lead
        while digitsEnd < chars.count, chars[digitsEnd].isASCII, chars[digitsEnd].isNumber { digitsEnd += 1 }
        if digitsEnd > lead, digitsEnd + 1 < chars.count, chars[digitsEnd] == "." || chars[digitsEnd] == ")", chars[digitsEnd + 1] == " " {
            chars.removeSubrange(lead...digitsEnd)
        }
        return chars
    }

    /// The digits from `i` with the `,` and `.` between them, and where they end.
    static func digitRun(_ chars: [Character], from i: Int) -> (String, Int) {
        var j = i
        var text = ""
        while j < chars.count {
            let c = chars[j]
            if c.isASCII && c.isNumber {
                text.append(c)
            } else if (c == "," || c == ".") && j + 1 < chars.count && chars[j + 1].isASCII && chars[j + 1].isNumber {
                text.append(c)
            } else {
                break
            }
            j += 1
        }
        return (text, j)
    }

    /// Where the word glued to the digits ending at `j` ends (2nd, 3D: not a figure); nil
    /// when no letter follows or the word is a scale (5k, 2bn).
    static func gluedWordEnd(_ chars: [Character], at j: Int) -> Int? {
        guard j < chars.count, chars[j].isLetter else { return nil }
        var k = j
        var word = ""
        while k < chars.count, chars[k].isLetter {
            word.append(chars[k])
            k += 1
        }
        return ["k", "m", "mn", "bn", "b"].contains(word.lowercased()) ? nil : k
    }

    /// The figure whose digits are `text` at `start..<end` of the line — with its sign, scale
    /// word and `%` — and where reading goes on; nil when the digits are not a number.
    static func figure(_ text: String, in chars: [Character], start i: Int, end j: Int) -> (Found, Int)? {
        let negative = i > 0 && (chars[i - 1] == "-" || chars[i - 1] == "−") && (i < 2 || !chars[i - 2].isLetter && !chars[i - 2].isNumber)
        // Thousands separators: "1,234,567" (groups of three) — "1,5" is a decimal comma.
        var normal = text
        let commaGroups = text.split(separator: ",", omittingEmptySubsequences: false)
        if commaGroups.count > 1, commaGroups.dropFirst().allSatisfy({ $0.prefix(while: \.isNumber).count == 3 }) {
            normal = text.replacingAll(",", with: "")
        } else if commaGroups.count == 2, !text.contains(".") {
            normal = text.replacingAll(",", with: ".")
        }
        guard var value = Double(normal) else { return nil }
        let decimals = normal.firstIndex(of: ".").map { normal.distance(from: $0, to: normal.endIndex) - 1 } ?? 0
        var unit = 1.0
        var k = j
        while k < chars.count, chars[k] == " " || chars[k] == "\u{00A0}" { k += 1 }
        var word = ""
        var w = k
        while w < chars.count, chars[w].isLetter {
            word.append(chars[w])
            w += 1
        }
        switch word.lowercased() {
        case "k", "thousand", "thousands": unit = 1e3
        case "m", "mn", "million", "millions": unit = 1e6
        case "b", "bn", "billion", "billions": unit = 1e9
        default: break
        }
        if negative { value = -value }
        let isPercent = j < chars.count && chars[j] == "%" || (k < chars.count && chars[k] == "%")
        var tolerance = 0.5 * pow10(-decimals) * unit
        // Integers may be rounded to tens or hundreds ("about 1,200").
        if decimals == 0, unit == 1, value.magnitude >= 1000, normal.hasSuffix("00") { tolerance = 50 }
        let found = Found(
            text: (negative ? "-" : "") + text + (unit != 1 ? " " + word : "") + (isPercent ? "%" : ""), value: value * unit, tolerance: tolerance,
            isPercent: isPercent)
        return (found, max(j, unit != 1 ? w : j))
    }

    static func skip(_ chars: [Character], from i: Int) -> Int {
        var j = i
        while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "." || chars[j] == "," { j += 1 }
        return j
    }

    static func pow10(_ n: Int) -> Double {
        var x = 1.0
        if n >= 0 { for _ in 0..<n { x *= 10 } } else { for _ in 0..<(-n) { x /= 10 } }
        return x
    }

    /// Every number written in `text` (the profile's JSON, the sample, the question).
    public static func numbers(in text: String) -> [Double] {
        var values = found(in: text).map(\.value)
        // Dates give their parts: 2024-03-05 → 2024, 3, 5.
        for piece in text.split(whereSeparator: { !$0.isNumber }) { if let x = Double(piece) { values.append(x) } }
        return Array(Set(values)).sorted()
    }

    /// The numbers of `answer` that match no allowed value (within their rounding); a
    /// percentage must match one of `percentages` (shares the profile states).
    public static func unverified(in answer: String, allowed: [Double], percentages: [Double]? = nil) -> [String] {
        var out: [String] = []
        for number in found(in: answer) {
            let pool = number.isPercent ? (percentages ?? allowed) : allowed
            let ok = pool.contains { abs($0 - number.value) <= number.tolerance + 1e-9 * max(1, abs($0)) }
            if !ok && !out.contains(number.text) { out.append(number.text) }
        }
        return out
    }
}
