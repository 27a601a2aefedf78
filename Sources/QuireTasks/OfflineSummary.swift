public import QuireLLM

/// The built-in backend's summarise: an extractive, section-aware summary. It reads the
/// content blocks of the request (so it serves exactly what a model would be sent), keeps
/// the headings, and picks the sentences that carry the most of the content's vocabulary —
/// with a bonus for opening sentences, figures and the `--focus` words — in reading order.
/// Sentences are quoted as written, never rewritten; the output says so.
public enum OfflineSummary {
    /// The label an offline summary starts with, saying that its sentences are quoted, not rewritten.
    public static let label = "*Extractive summary (Quire's built-in offline backend): sentences selected from the file as written, not rewritten.*"
    /// The label when the summary also holds figures Quire computed.
    public static let computedLabel =
        "*Extractive summary (Quire's built-in offline backend): sentences selected from the file as written, not rewritten; lines marked “computed by Quire” are figures Quire worked out over every row.*"

    /// The handler for `BuiltinBackend`.
    public static func answer(_ request: ChatRequest) -> String {
        let text = request.messages.last?.content ?? ""
        let blocks = ContentFence.blocks(in: text)
        let length = TaskOptions.Length(rawValue: request.metadata[TaskMetadata.length] ?? "") ?? .medium
        let style = TaskOptions.Style(rawValue: request.metadata[TaskMetadata.style] ?? "") ?? .bullets
        let focus = request.metadata[TaskMetadata.focus]
        let sources = blocks.isEmpty ? [text] : blocks.map(\.content)
        let body = summarise(sources.joined(separator: "\n\n"), length: length, style: style, focus: focus)
        return (body.contains(computedMark) ? computedLabel : label) + "\n\n" + body
    }

    struct Unit {
        var text: String
        var section: Int
        var order: Int
        var isListItem: Bool
        var score: Double = 0
        /// Figures Quire computed: always kept.
        var pinned = false
    }

    struct Section {
        var title: String?
        /// Facts shown with the title (a message's sender and date).
        var byline: [String] = []
        var tables: [String] = []
        var units: [Int] = []
        /// One message of a thread: its points go under the thread's heading, and each
        /// message is represented like a section of its own.
        var continues = false
        /// A thread's number of messages (from its "(N messages)" byline), 1 otherwise.
        var size = 1
    }

    /// The summary of Markdown text.
    public static func summarise(_ markdown: String, length: TaskOptions.Length, style: TaskOptions.Style, focus: String?) -> String {
        var outline = Outline()
        for raw in markdown.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            outline.read(String(decoding: raw, as: UTF8.self).trimmingSpaces())
        }
        outline.flushParagraph()
        outline.flushTable()
        var units = outline.units
        let sections = outline.sections

        // Each sentence's content words, read once for scoring and for selection.
        let unitWords = units.map { words($0.text) }
        score(&units, words: unitWords, sections: sections, focus: focus)
        let chosen = select(units, words: unitWords, sections: sections, length: length)
        return render(sections, units: units, chosen: chosen, style: style)
    }

    /// The content read line by line into sections (headings, messages) and the sentences and
    /// list items that can be picked, with each section's tables described in one line.
    struct Outline {
        var sections: [Section] = [Section(title: nil)]
        var units: [Unit] = []
        var paragraph: [String] = []
        var table: [[String]] = []
        /// The next sentences are figures Quire computed (after `SheetFacts.marker`).
        var pinNext = false

        /// The header labels of a message's list lines ("- **From:** …"): facts of the
        /// section, not its content.
        static let headerLabels: Set<String> = [
            "From", "To", "Cc", "Date", "Subject", "Attachments", "Reply-To", "Message-ID", "Bcc", "Sender", "Folder", "Keywords",
        ]

        mutating func read(_ line: String) {
            if line.hasPrefix("|") {
                flushParagraph()
                let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { inlineText($0.trimmingSpaces()) }
                if !cells.allSatisfy({ $0.allSatisfy { $0 == "-" || $0 == ":" || $0 == " " } }) { table.append(cells) }
                return
            }
            flushTable()
            if line == SheetFacts.marker {
                flushParagraph()
                pinNext = true
            } else if line.isEmpty || line.hasPrefix("```") || line.hasPrefix("[^") || line.hasPrefix("<!--") || line.hasPrefix(">") {
                // Blank lines and furniture end a paragraph; quoted history repeats earlier text.
                flushParagraph()
            } else if headingLevel(line) != nil {
                flushParagraph()
                let title = inlineText(String(line.drop(while: { $0 == "#" })).trimmingSpaces())
                sections.append(Section(title: title.isEmpty ? nil : title))
            } else if let item = listItemText(line) {
                flushParagraph()
                if !readHeaderLine(item) { addUnit(item, list: true) }
            } else {
                paragraph.append(line)
            }
        }

        /// Takes a message's header line ("**From:** …") into its section; false when the
        /// item is content.
        mutating func readHeaderLine(_ item: String) -> Bool {
            guard item.hasPrefix("**"), let end = item.dropFirst(2).firstRange(of: ":**") else { return false }
            let label = String(item.dropFirst(2)[..<end.lowerBound])
            let value = inlineText(String(item[end.upperBound...]).trimmingSpaces())
            if label == "From" || label == "Date" { sections[sections.count - 1].byline.append(value) }
            if label == "Date", value.hasSuffix(" messages)"), let open = value.lastIndex(of: "("),
                let count = Int(value[value.index(after: open)...].prefix { $0.isNumber })
            {
                sections[sections.count - 1].size = count
            }
            if label == "Sender" {
                var next = Section(title: nil)
                next.continues = true
                sections.append(next)
            }
            return Self.headerLabels.contains(label)
        }

        mutating func addUnit(_ text: String, list: Bool, cleaned: Bool = false) {
            let clean = cleaned ? text : inlineText(text)
            guard clean.contains(where: \.isLetter), !OfflineSummary.isFurniture(clean) else { return }
            units.append(Unit(text: clean, section: sections.count - 1, order: units.count, isListItem: list, pinned: pinNext))
            sections[sections.count - 1].units.append(units.count - 1)
        }

        mutating func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            for sentence in sentences(inlineText(paragraph.joined(separator: " "))) { addUnit(sentence, list: false, cleaned: true) }
            paragraph = []
            pinNext = false
        }

        mutating func flushTable() {
            guard !table.isEmpty else { return }
            let header = table[0].filter { !$0.isEmpty }
            let rows = table.count - 1
            var line = "Table of \(rows) row\(rows == 1 ? "" : "s")"
            if !header.isEmpty { line += ": " + header.prefix(8).joined(separator: ", ") + (header.count > 8 ? ", …" : "") }
            sections[sections.count - 1].tables.append(line)
            table = []
        }
    }

    static func score(_ units: inout [Unit], words unitWordLists: [[String]], sections: [Section], focus: String?) {
        let unitWords = unitWordLists.map(Set.init)
        let titleWords = sections.map { Set(words($0.title ?? "")) }
        var frequency: [String: Double] = [:]
        for set in unitWords { for word in set { frequency[word, default: 0] += 1 } }
        let top = frequency.values.max() ?? 1
        let focusWords = Set(words(focus ?? ""))
        for index in units.indices {
            let unique = unitWords[index]
            guard !unique.isEmpty else { continue }
            var score = unique.reduce(0.0) { $0 + (frequency[$1] ?? 0) / top } / Double(unique.count).squareRoot()
            let sectionIndex = units[index].section
            if sections[sectionIndex].units.first == index { score *= 1.35 }
            if !titleWords[sectionIndex].isDisjoint(with: unique) { score *= 1.15 }
            if units[index].text.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) { score *= 1.15 }
            if !focusWords.isEmpty, !focusWords.isDisjoint(with: unique) { score *= 2.5 }
            let count = units[index].text.utf8.reduce(1) { $0 + ($1 == 0x20 ? 1 : 0) }
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

    static func select(_ units: [Unit], words unitWords: [[String]], sections: [Section], length: TaskOptions.Length) -> Set<Int> {
        let goal = target(length, total: units.count)
        var chosen = Set(units.filter(\.pinned).map(\.order))
        // A sentence that recurs across the document (a disclaimer, a running line) is
        // boilerplate: never a key point, however many of the document's words it shares.
        var occurrences: [[String]: Int] = [:]
        for list in unitWords { occurrences[list, default: 0] += 1 }
        let boilerplate = Set(units.indices.filter { occurrences[unitWords[$0]]! >= 3 })
        // Each unit's words as sorted hashes (figures apart), for cheap overlap counts.
        let wordSets: [(words: [Int], figures: [Int])] = unitWords.map { list in
            let all = Set(list)
            return (all.map(\.hashValue).sorted(), all.filter { $0.first?.isNumber == true }.map(\.hashValue).sorted())
        }
        func overlap(_ a: [Int], _ b: [Int]) -> Int {
            var i = 0
            var j = 0
            var shared = 0
            while i < a.count && j < b.count {
                if a[i] == b[j] {
                    shared += 1
                    i += 1
                    j += 1
                } else if a[i] < b[j] {
                    i += 1
                } else {
                    j += 1
                }
            }
            return shared
        }
        /// The same point as `other`: most words shared (Jaccard ≥ 0.6), and no figure `other`
        /// lacks (a sentence with other numbers says something else).
        func repeats(_ index: Int, _ other: Int) -> Bool {
            let a = wordSets[index]
            let b = wordSets[other]
            guard !a.words.isEmpty, !b.words.isEmpty, min(a.words.count, b.words.count) * 10 >= max(a.words.count, b.words.count) * 6 else { return false }
            let shared = overlap(a.words, b.words)
            guard Double(shared) / Double(a.words.count + b.words.count - shared) >= 0.6 else { return false }
            return overlap(a.figures, b.figures) == a.figures.count
        }
        // A point said again later in its section or the next (in other words, "as noted
        // above") is its first saying's: the later one never goes in.
        var restated = Set<Int>()
        for index in units.indices {
            let section = units[index].section
            for other in units.indices[max(0, index - 30)..<index] where units[other].section >= section - 1 && repeats(index, other) {
                restated.insert(index)
                break
            }
        }
        func take(_ index: Int) {
            guard !boilerplate.contains(index), !restated.contains(index), !chosen.contains(index) else { return }
            guard !chosen.contains(where: { repeats(index, $0) }) else { return }
            chosen.insert(index)
        }
        // Sections are represented by their best sentence, best sections first — as many as
        // the length allows: --length bounds the whole summary, not each section.
        let best = sections.compactMap { section in
            section.units.filter { !boilerplate.contains($0) && !restated.contains($0) }.max { units[$0].score < units[$1].score }
        }
        // Of a mailbox, the larger and the later threads first (a message of a thread counts
        // with its thread's size).
        func weight(_ index: Int) -> Double {
            var thread = units[index].section
            while thread > 0 && sections[thread].continues { thread -= 1 }
            let size = max(1, sections[thread].size)
            let log2 = Double(Int.bitWidth - size.leadingZeroBitCount - 1)  // ⌊log₂ size⌋
            let recency = 1 + 0.2 * Double(thread) / Double(max(1, sections.count))
            return units[index].score * (1 + 0.3 * log2) * recency
        }
        for index in best.sorted(by: { weight($0) > weight($1) }) where chosen.count < goal { take(index) }
        for unit in units.sorted(by: { $0.score > $1.score }) where chosen.count < goal { take(unit.order) }
        return chosen
    }

    static func render(_ sections: [Section], units: [Unit], chosen: Set<Int>, style: TaskOptions.Style) -> String {
        var out: [String] = []
        var heldHeading: String?
        for section in sections {
            let picked = section.units.filter { chosen.contains($0) }
            // "Table of N rows" says nothing a reader keeps: a table speaks through the
            // sentences about it or the figures Quire computed.
            var section = section
            section.tables = []
            if section.continues {
                // A message of a thread: its points under the thread's heading.
                guard !picked.isEmpty else { continue }
                let points = picked.map { units[$0].text + (units[$0].pinned ? Self.computedMark : "") }
                if let heading = heldHeading {
                    out.append(heading)
                    heldHeading = nil
                }
                switch style {
                case .bullets: out[out.count - 1] += "\n" + points.map { "- " + $0 }.joined(separator: "\n")
                case .prose: out[out.count - 1] += (out[out.count - 1].hasSuffix("\n") ? "" : " ") + points.joined(separator: " ")
                }
                continue
            }
            heldHeading = nil
            guard !picked.isEmpty else {
                // A thread's heading waits for the first of its messages with a point.
                var heading = section.title.map { "**\($0)**" } ?? ""
                if !section.byline.isEmpty { heading += (heading.isEmpty ? "" : " — ") + section.byline.joined(separator: ", ") }
                heldHeading = heading.isEmpty ? nil : heading + (style == .prose ? "\n" : "")
                continue
            }
            var heading = section.title.map { "**\($0)**" } ?? ""
            if !section.byline.isEmpty { heading += (heading.isEmpty ? "" : " — ") + section.byline.joined(separator: ", ") }
            switch style {
            case .bullets:
                var lines: [String] = heading.isEmpty ? [] : [heading]
                lines += section.tables.map { "- " + $0 }
                lines += picked.map { "- " + units[$0].text + (units[$0].pinned ? Self.computedMark : "") }
                out.append(lines.joined(separator: "\n"))
            case .prose:
                var sentences = section.tables.map { $0 + "." }
                sentences += picked.map {
                    (units[$0].isListItem && !units[$0].text.hasSuffix(".") ? units[$0].text + "." : units[$0].text)
                        + (units[$0].pinned ? Self.computedMark : "")
                }
                out.append((heading.isEmpty ? "" : heading + "\n") + sentences.joined(separator: " "))
            }
        }
        return out.isEmpty ? "(The file has no text to summarise.)\n" : out.joined(separator: "\n\n") + "\n"
    }
}
