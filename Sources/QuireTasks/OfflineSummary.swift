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
        var sections: [Section] = [Section(title: nil)]
        var units: [Unit] = []
        var paragraph: [String] = []
        var table: [[String]] = []

        var pinNext = false
        func addUnit(_ text: String, list: Bool, cleaned: Bool = false) {
            let clean = cleaned ? text : inlineText(text)
            guard clean.contains(where: \.isLetter), !Self.isFurniture(clean) else { return }
            units.append(Unit(text: clean, section: sections.count - 1, order: units.count, isListItem: list, pinned: pinNext))
            sections[sections.count - 1].units.append(units.count - 1)
        }
        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            for sentence in sentences(inlineText(paragraph.joined(separator: " "))) { addUnit(sentence, list: false, cleaned: true) }
            paragraph = []
            pinNext = false
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
        for raw in markdown.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            let line = String(decoding: raw, as: UTF8.self).trimmingSpaces()
            if line.hasPrefix("|") {
                flushParagraph()
                let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { inlineText($0.trimmingSpaces()) }
                if !cells.allSatisfy({ $0.allSatisfy { $0 == "-" || $0 == ":" || $0 == " " } }) { table.append(cells) }
                continue
            }
            flushTable()
            if line == SheetFacts.marker {
                flushParagraph()
                pinNext = true
                continue
            }
            if line.isEmpty || line.hasPrefix("```") || line.hasPrefix("[^") || line.hasPrefix("<!--") {
                flushParagraph()
                continue
            }
            if headingLevel(line) != nil {
                flushParagraph()
                let title = inlineText(String(line.drop(while: { $0 == "#" })).trimmingSpaces())
                sections.append(Section(title: title.isEmpty ? nil : title))
                continue
            }
            if let item = listItemText(line) {
                flushParagraph()
                // A message's header lines ("- **From:** …") describe the section, not its content.
                if item.hasPrefix("**"), let end = item.dropFirst(2).firstRange(of: ":**") {
                    let label = String(item.dropFirst(2)[..<end.lowerBound])
                    let value = inlineText(String(item[end.upperBound...]).trimmingSpaces())
                    if ["From", "Date"].contains(label) { sections[sections.count - 1].byline.append(value) }
                    if label == "Date", value.hasSuffix(" messages)"), let open = value.lastIndex(of: "("),
                        let count = Int(value[value.index(after: open)...].prefix { $0.isNumber })
                    {
                        sections[sections.count - 1].size = count
                    }
                    if label == "Sender" {
                        flushParagraph()
                        var next = Section(title: nil)
                        next.continues = true
                        sections.append(next)
                    }
                    if ["From", "To", "Cc", "Date", "Subject", "Attachments", "Reply-To", "Message-ID", "Bcc", "Sender"].contains(label) { continue }
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

        // Each sentence's content words, read once for scoring and for selection.
        let unitWords = units.map { words($0.text) }
        score(&units, words: unitWords, sections: sections, focus: focus)
        let chosen = select(units, words: unitWords, sections: sections, length: length)
        return render(sections, units: units, chosen: chosen, style: style)
    }

    /// Lines that are mail furniture, never content: a bare link (tracking and "view in
    /// browser" links), unsubscribe and preference lines.
    static func isFurniture(_ text: String) -> Bool {
        // Most sentences hold no link and none of the phrases: a look at the bytes first.
        guard
            text.utf8.contains(where: {
                $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "u") || $0 | 0x20 == UInt8(ascii: "v")
                    || $0 | 0x20 == UInt8(ascii: "m")
            }),
            Self.mentionsLinkOrList(text)
        else { return false }
        let lower = text.lowercased()
        let phrases = [
            "unsubscribe", "view in browser", "view this email in your browser", "manage your preferences", "update your preferences", "email preferences",
        ]
        if phrases.contains(where: { lower.contains($0) }) { return true }
        // What is left once links are taken out: a line that is (almost) only a link.
        let rest = lower.split(separator: " ").filter { !$0.contains("://") && !$0.hasPrefix("www.") && !$0.hasPrefix("<http") && !$0.hasPrefix("(http") }
        return rest.count < 3 && rest.count < lower.split(separator: " ").count
    }

    /// Whether the text holds "://", "www." or an unsubscribe, browser or preferences phrase
    /// (ASCII, case-insensitive), without lower-casing the whole text.
    static func mentionsLinkOrList(_ text: String) -> Bool {
        let needles: [[UInt8]] = ["://", "www.", "unsubscri", "browser", "preferences"].map { Array($0.utf8) }
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= 3 else { return false }
            for start in 0..<bytes.count {
                for needle in needles where start + needle.count <= bytes.count {
                    var k = 0
                    while k < needle.count, bytes[start + k] | (bytes[start + k] >= 0x41 && bytes[start + k] <= 0x5A ? 0x20 : 0) == needle[k] { k += 1 }
                    if k == needle.count { return true }
                }
            }
            return false
        }
    }

    /// After a statement Quire computed (a sheet's totals), never quoted from the file.
    static let computedMark = " *(computed by Quire)*"

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

    /// The scalar that starts at byte `i` of UTF-8 text, and its length in bytes.
    static func scalar(_ bytes: [UInt8], _ i: Int) -> (Unicode.Scalar, Int) {
        let b0 = bytes[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        var length = b0 >= 0xF0 ? 4 : (b0 >= 0xE0 ? 3 : 2)
        length = min(length, bytes.count - i)
        var value = UInt32(b0) & (length == 4 ? 0x07 : (length == 3 ? 0x0F : 0x1F))
        for k in 1..<max(length, 1) { value = value << 6 | (UInt32(bytes[i + k]) & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", max(length, 1))
    }

    static func isWordByte(_ b: UInt8) -> Bool { b >= 0x80 || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || (b >= 0x30 && b <= 0x39) }

    /// Markdown emphasis, links and escapes removed. Markdown's markers are ASCII, so this
    /// works on UTF-8 bytes.
    static func inlineText(_ text: String) -> String {
        let chars = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(chars.count)
        let open = UInt8(ascii: "[")
        let close = UInt8(ascii: "]")
        let paren = UInt8(ascii: "(")
        let endParen = UInt8(ascii: ")")
        let caret = UInt8(ascii: "^")
        let star = UInt8(ascii: "*")
        let tick = UInt8(ascii: "`")
        let under = UInt8(ascii: "_")
        let tilde = UInt8(ascii: "~")
        let slash = UInt8(ascii: "\\")
        var i = 0
        while i < chars.count {
            let c = chars[i]
            // Links: [label](target) → label; footnote references [^1] vanish.
            if c == open, let closing = chars[i...].firstIndex(of: close) {
                if closing + 1 < chars.count, chars[closing + 1] == paren, let end = chars[(closing + 1)...].firstIndex(of: endParen) {
                    if i + 1 < chars.count, chars[i + 1] == caret {
                        i = end + 1
                        continue
                    }
                    out += chars[(i + 1)..<closing].filter { $0 != star && $0 != tick }
                    i = end + 1
                    continue
                }
                if i + 1 < chars.count, chars[i + 1] == caret {
                    i = closing + 1
                    continue
                }
            }
            if c == slash, i + 1 < chars.count, chars[i + 1] < 0x80 {
                out.append(chars[i + 1])
                i += 2
                continue
            }
            if c == star || c == tick || (c == under && (i == 0 || i + 1 == chars.count || !isWordByte(chars[i - 1]) || !isWordByte(chars[i + 1]))) {
                i += 1
                continue
            }
            if c == tilde, i + 1 < chars.count, chars[i + 1] == tilde {
                i += 2
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self).trimmingSpaces()
    }

    static let abbreviations: Set<String> = [
        "e.g", "i.e", "mr", "mrs", "ms", "dr", "prof", "no", "vs", "etc", "inc", "ltd", "fig", "st", "approx", "cf", "jan", "feb", "mar", "apr",
        "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ]

    /// Sentences of a paragraph: cut after . ! ? (and their closing quotes) before a
    /// capital or digit, but not after common abbreviations or initials; after 。！？ always.
    static func sentences(_ paragraph: String) -> [String] {
        let chars = Array(paragraph.utf8)
        func text(_ range: Range<Int>) -> String { String(decoding: chars[range], as: UTF8.self).trimmingSpaces() }
        let closers: Set<Unicode.Scalar> = ["\"", "'", ")", "]", "”", "’"]
        let openers: Set<Unicode.Scalar> = ["\"", "(", "“", "‘"]
        var out: [String] = []
        var start = 0
        var i = 0
        while i < chars.count {
            let (c, length) = scalar(chars, i)
            let wide = c == "。" || c == "！" || c == "？"
            guard c == "." || c == "!" || c == "?" || wide else {
                i += length
                continue
            }
            var end = i + length
            while end < chars.count {
                let (q, n) = scalar(chars, end)
                guard closers.contains(q) else { break }
                end += n
            }
            var next = end
            while next < chars.count, chars[next] == 0x20 { next += 1 }
            var boundary = wide || next == chars.count
            if !boundary, next > end {
                let (n, _) = scalar(chars, next)
                boundary = n.properties.isUppercase || (n.value >= 0x30 && n.value <= 0x39) || openers.contains(n)
            }
            if boundary, c == "." {
                var w = i - 1
                while w >= start, chars[w] >= 0x80 || (chars[w] | 0x20 >= 0x61 && chars[w] | 0x20 <= 0x7A) || chars[w] == 0x2E { w -= 1 }
                let word = String(decoding: chars[(w + 1)..<i], as: UTF8.self).lowercased()
                if abbreviations.contains(word) || (i - w - 1 == 1 && chars[i - 1] >= 0x41 && chars[i - 1] <= 0x5A) {
                    i += 1
                    continue
                }
            }
            if boundary {
                let sentence = text(start..<end)
                if !sentence.isEmpty { out.append(sentence) }
                start = next
                i = next
                continue
            }
            i += length
        }
        if start < chars.count {
            let last = text(start..<chars.count)
            if !last.isEmpty { out.append(last) }
        }
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

    /// The content words of a text, lowercased: ASCII letters and digits byte by byte,
    /// other scripts by their Unicode properties; stopwords and words under three letters
    /// dropped (numbers and CJK kept).
    static func words(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        var out: [String] = []
        var start = -1
        var hasWide = false
        var hasUpper = false
        func finish(_ end: Int) {
            defer {
                start = -1
                hasWide = false
                hasUpper = false
            }
            guard start >= 0 else { return }
            let slice = bytes[start..<end]
            var w = String(decoding: slice, as: UTF8.self)
            if hasUpper { w = w.lowercased() }
            let count = slice.count
            if (count >= 3 || hasWide || (bytes[start] >= 0x30 && bytes[start] <= 0x39)) && !stopwords.contains(w) { out.append(w) }
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                let lower = b | 0x20
                if (lower >= 0x61 && lower <= 0x7A) || (b >= 0x30 && b <= 0x39) {
                    if start < 0 { start = i }
                    if b >= 0x41 && b <= 0x5A { hasUpper = true }
                } else {
                    finish(i)
                }
                i += 1
                continue
            }
            let (c, length) = scalar(bytes, i)
            if c.properties.isAlphabetic || c.properties.numericType != nil {
                if start < 0 { start = i }
                if c.value > 0x2E80 { hasWide = true }
                hasUpper = true  // lowercase the whole word: cheap enough for the rare non-ASCII one
            } else {
                finish(i)
            }
            i += length
        }
        finish(bytes.count)
        return out
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
