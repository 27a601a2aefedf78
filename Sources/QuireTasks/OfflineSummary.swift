public import QuireLLM

/// The built-in backend's summarise: an extractive, section-aware summary. It reads the
/// content blocks of the request (so it serves exactly what a model would be sent), keeps
/// the headings, and picks the sentences that carry the most of the content's vocabulary —
/// with a bonus for opening sentences, figures and the `--focus` words — in reading order.
/// Sentences are quoted as written, never rewritten; the output says so.
public enum OfflineSummary {
    public static let label = "*Extractive summary (Quire's built-in offline backend): sentences selected from the file as written, not rewritten.*"

    /// The handler for `BuiltinBackend`.
    public static func answer(_ request: ChatRequest) -> String {
        let text = request.messages.last?.content ?? ""
        let blocks = ContentFence.blocks(in: text)
        let length = TaskOptions.Length(rawValue: request.metadata[TaskMetadata.length] ?? "") ?? .medium
        let style = TaskOptions.Style(rawValue: request.metadata[TaskMetadata.style] ?? "") ?? .bullets
        let focus = request.metadata[TaskMetadata.focus]
        let sources = blocks.isEmpty ? [text] : blocks.map(\.content)
        let body = summarise(sources.joined(separator: "\n\n"), length: length, style: style, focus: focus)
        return label + "\n\n" + body
    }

    struct Unit {
        var text: String
        var section: Int
        var order: Int
        var isListItem: Bool
        var score: Double = 0
    }

    struct Section {
        var title: String?
        var level: Int
        /// Facts shown with the title (a message's sender and date).
        var byline: [String] = []
        var tables: [String] = []
        var units: [Int] = []
    }

    /// The summary of Markdown text.
    public static func summarise(_ markdown: String, length: TaskOptions.Length, style: TaskOptions.Style, focus: String?) -> String {
        var sections: [Section] = [Section(title: nil, level: 0)]
        var units: [Unit] = []
        var paragraph: [String] = []
        var table: [[String]] = []

        func addUnit(_ text: String, list: Bool) {
            let clean = inlineText(text)
            guard clean.contains(where: \.isLetter) else { return }
            units.append(Unit(text: clean, section: sections.count - 1, order: units.count, isListItem: list))
            sections[sections.count - 1].units.append(units.count - 1)
        }
        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            for sentence in sentences(inlineText(paragraph.joined(separator: " "))) { addUnit(sentence, list: false) }
            paragraph = []
        }
        func flushTable() {
            guard !table.isEmpty else { return }
            let header = table[0].filter { !$0.isEmpty }
            let rows = table.count - 1
            var line = "Table of \(rows) row\(rows == 1 ? "" : "s")"
            if !header.isEmpty { line += ": " + header.prefix(8).joined(separator: ", ") + (header.count > 8 ? ", …" : "") }
            sections[sections.count - 1].tables.append(line)
            table = []
        }
        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingSpaces()
            if line.hasPrefix("|") {
                flushParagraph()
                let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { inlineText($0.trimmingSpaces()) }
                if !cells.allSatisfy({ $0.allSatisfy { $0 == "-" || $0 == ":" || $0 == " " } }) { table.append(cells) }
                continue
            }
            flushTable()
            if line.isEmpty || line.hasPrefix("```") || line.hasPrefix("[^") {
                flushParagraph()
                continue
            }
            if let level = headingLevel(line) {
                flushParagraph()
                let title = inlineText(String(line.drop(while: { $0 == "#" })).trimmingSpaces())
                sections.append(Section(title: title.isEmpty ? nil : title, level: level))
                continue
            }
            if let item = listItemText(line) {
                flushParagraph()
                // A message's header lines ("- **From:** …") describe the section, not its content.
                if item.hasPrefix("**"), let end = item.dropFirst(2).firstRange(of: ":**") {
                    let label = String(item.dropFirst(2)[..<end.lowerBound])
                    let value = inlineText(String(item[end.upperBound...]).trimmingSpaces())
                    if ["From", "Date"].contains(label) { sections[sections.count - 1].byline.append(value) }
                    if ["From", "To", "Cc", "Date", "Subject", "Attachments", "Reply-To", "Message-ID", "Bcc"].contains(label) { continue }
                }
                addUnit(item, list: true)
                continue
            }
            if line.hasPrefix(">") {
                // Quoted history repeats earlier text.
                flushParagraph()
                continue
            }
            paragraph.append(line)
        }
        flushParagraph()
        flushTable()

        score(&units, sections: sections, focus: focus)
        let chosen = select(units, sections: sections, length: length)
        return render(sections, units: units, chosen: chosen, style: style)
    }

    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix(while: { $0 == "#" }).count
        guard hashes >= 1, hashes <= 6, line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }

    static func listItemText(_ line: String) -> String? {
        if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") { return String(line.dropFirst(2)).trimmingSpaces() }
        let digits = line.prefix(while: \.isNumber)
        if !digits.isEmpty, digits.count <= 3 {
            let rest = line.dropFirst(digits.count)
            if rest.hasPrefix(". ") || rest.hasPrefix(") ") { return String(rest.dropFirst(2)).trimmingSpaces() }
        }
        return nil
    }

    /// Markdown emphasis, links and escapes removed.
    static func inlineText(_ text: String) -> String {
        var out = ""
        var chars = Array(text)
        var i = 0
        // Links: [label](target) → label.
        var linkless: [Character] = []
        while i < chars.count {
            if chars[i] == "[", let close = chars[i...].firstIndex(of: "]"), close + 1 < chars.count, chars[close + 1] == "(",
                let end = chars[(close + 1)...].firstIndex(of: ")")
            {
                if chars[i + 1] == "^" { i = end + 1; continue }
                linkless.append(contentsOf: chars[(i + 1)..<close])
                i = end + 1
                continue
            }
            linkless.append(chars[i])
            i += 1
        }
        chars = linkless
        i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                out.append(chars[i + 1])
                i += 2
                continue
            }
            if c == "*" || c == "`" || (c == "_" && (i == 0 || i + 1 == chars.count || !chars[i - 1].isLetter || !chars[i + 1].isLetter)) {
                i += 1
                continue
            }
            if c == "~", i + 1 < chars.count, chars[i + 1] == "~" {
                i += 2
                continue
            }
            out.append(c)
            i += 1
        }
        return out.trimmingSpaces()
    }

    /// Sentences of a paragraph: cut after . ! ? (and their closing quotes) before a
    /// capital or digit, but not after common abbreviations or initials.
    static func sentences(_ paragraph: String) -> [String] {
        let chars = Array(paragraph)
        var out: [String] = []
        var start = 0
        var i = 0
        let abbreviations: Set<String> = ["e.g", "i.e", "mr", "mrs", "ms", "dr", "prof", "no", "vs", "etc", "inc", "ltd", "fig", "st", "approx", "cf", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"]
        while i < chars.count {
            let c = chars[i]
            if c == "." || c == "!" || c == "?" || c == "。" || c == "！" || c == "？" {
                var end = i + 1
                while end < chars.count, "\"'”’)]".contains(chars[end]) { end += 1 }
                let wide = c == "。" || c == "！" || c == "？"
                var next = end
                while next < chars.count, chars[next] == " " { next += 1 }
                let boundary = wide || next == chars.count || (next > end && (chars[next].isUppercase || chars[next].isNumber || "\"“‘(".contains(chars[next])))
                if boundary, c == "." {
                    var w = i - 1
                    while w >= start, chars[w].isLetter || chars[w] == "." { w -= 1 }
                    let word = String(chars[(w + 1)..<i]).lowercased()
                    if abbreviations.contains(word) || (word.count == 1 && chars[i - 1].isUppercase) {
                        i += 1
                        continue
                    }
                }
                if boundary {
                    let sentence = String(chars[start..<end]).trimmingSpaces()
                    if !sentence.isEmpty { out.append(sentence) }
                    start = next
                    i = next
                    continue
                }
            }
            i += 1
        }
        let last = String(chars[min(start, chars.count)...]).trimmingSpaces()
        if !last.isEmpty { out.append(last) }
        return out
    }

    static let stopwords: Set<String> = [
        "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was", "one", "our", "out", "has", "have", "his",
        "how", "its", "may", "new", "now", "own", "see", "two", "who", "did", "get", "him", "let", "say", "she", "too", "use", "that", "with",
        "this", "from", "they", "will", "would", "there", "their", "what", "about", "which", "when", "were", "been", "also", "into", "than",
        "then", "them", "these", "those", "some", "such", "only", "over", "very", "just", "more", "most", "other", "could", "should", "after",
        "before", "while", "where", "each", "both", "your", "yours", "here", "being", "does", "done", "well", "upon", "under", "again",
        "les", "des", "une", "est", "pour", "dans", "par", "sur", "der", "die", "das", "und", "ist", "mit", "von", "den", "ein", "eine",
    ]

    static func words(_ text: String) -> [String] {
        var out: [String] = []
        var word = ""
        for c in text.lowercased() {
            if c.isLetter || c.isNumber {
                word.append(c)
            } else if !word.isEmpty {
                out.append(word)
                word = ""
            }
        }
        if !word.isEmpty { out.append(word) }
        return out.filter { ($0.count >= 3 || $0.first?.isNumber == true || $0.unicodeScalars.first.map { $0.value > 0x2E80 } == true) && !stopwords.contains($0) }
    }

    static func score(_ units: inout [Unit], sections: [Section], focus: String?) {
        var frequency: [String: Double] = [:]
        for unit in units { for word in Set(words(unit.text)) { frequency[word, default: 0] += 1 } }
        let top = frequency.values.max() ?? 1
        let focusWords = Set(words(focus ?? ""))
        for index in units.indices {
            let list = words(units[index].text)
            guard !list.isEmpty else { continue }
            let unique = Set(list)
            var score = unique.reduce(0.0) { $0 + (frequency[$1] ?? 0) / top } / Double(unique.count).squareRoot()
            let section = sections[units[index].section]
            if section.units.first == index { score *= 1.35 }
            if let title = section.title, !Set(words(title)).isDisjoint(with: unique) { score *= 1.15 }
            if units[index].text.contains(where: \.isNumber) { score *= 1.15 }
            if !focusWords.isEmpty, !focusWords.isDisjoint(with: unique) { score *= 2.5 }
            let count = units[index].text.split(separator: " ").count
            if count < 4 && !units[index].isListItem { score *= 0.5 }
            if count > 45 { score *= 0.75 }
            if units[index].text.hasSuffix("?") { score *= 0.9 }
            units[index].score = score
        }
    }

    /// How many sentences each length aims at, for content of `total` sentences.
    static func target(_ length: TaskOptions.Length, total: Int) -> Int {
        switch length {
        case .short: min(total, max(3, min(6, total / 12)))
        case .medium: min(total, max(6, min(15, total / 6)))
        case .long: min(total, max(12, min(40, total / 3)))
        }
    }

    static func select(_ units: [Unit], sections: [Section], length: TaskOptions.Length) -> Set<Int> {
        let goal = target(length, total: units.count)
        var chosen = Set<Int>()
        // Every section with text is represented by its best sentence (best sections first
        // when the goal is smaller than the number of sections).
        let best = sections.compactMap { section in section.units.max { units[$0].score < units[$1].score } }
        for index in best.sorted(by: { units[$0].score > units[$1].score }).prefix(max(goal, length == .short ? goal : best.count)) {
            chosen.insert(index)
        }
        for unit in units.sorted(by: { $0.score > $1.score }) where chosen.count < goal {
            chosen.insert(unit.order)
        }
        return chosen
    }

    static func render(_ sections: [Section], units: [Unit], chosen: Set<Int>, style: TaskOptions.Style) -> String {
        var out: [String] = []
        for section in sections {
            let picked = section.units.filter { chosen.contains($0) }
            let facts = section.byline + section.tables
            guard !picked.isEmpty || !facts.isEmpty else { continue }
            var heading = section.title.map { "**\($0)**" } ?? ""
            if !section.byline.isEmpty { heading += (heading.isEmpty ? "" : " — ") + section.byline.joined(separator: ", ") }
            switch style {
            case .bullets:
                var lines: [String] = heading.isEmpty ? [] : [heading]
                lines += section.tables.map { "- " + $0 }
                lines += picked.map { "- " + units[$0].text }
                out.append(lines.joined(separator: "\n"))
            case .prose:
                var sentences = section.tables.map { $0 + "." }
                sentences += picked.map { units[$0].isListItem && !units[$0].text.hasSuffix(".") ? units[$0].text + "." : units[$0].text }
                out.append((heading.isEmpty ? "" : heading + "\n") + sentences.joined(separator: " "))
            }
        }
        return out.isEmpty ? "(The file has no text to summarise.)\n" : out.joined(separator: "\n\n") + "\n"
    }
}
