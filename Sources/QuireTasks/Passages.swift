import QuireImport
import QuireMail
public import QuireModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One piece of a file that an answer can cite: a paragraph of a document (or a row of one
/// of its tables), a row of a sheet, a paragraph of a message's own text. Each carries the
/// stable anchor of where it stands, so that a citation resolves to the source text.
public struct Passage: Sendable, Equatable {
    /// The file, as the user named it.
    public var file: String
    /// The stable anchor: `b12` or `b4.r2c1` in a document, `Sales!A5:D5` in a workbook,
    /// `<id@host>` (or `box.mbox#3`) for a message (see `Anchor` in QuireModel).
    public var anchor: String
    /// Where it is, for a reader: the heading path (empty before the first heading), the
    /// sheet and row, the message's subject, sender and date.
    public var location: String
    /// The text itself.
    public var text: String
    /// Words that are not in the text but say what it is about (the headings above a
    /// paragraph, a sheet's column names, a message's subject): indexed with it.
    public var context: String

    /// A passage from its parts.
    public init(file: String, anchor: String, location: String, text: String, context: String = "") {
        self.file = file
        self.anchor = anchor
        self.location = location
        self.text = text
        self.context = context
    }
}

/// The passages of what a file holds, in reading order.
public enum Passages {
    /// The passages of a task input: a document's paragraphs (a table's rows with their
    /// header), a workbook's rows, each message's own paragraphs.
    public static func of(_ input: ContentLoader.Input, file: String) -> [Passage] {
        switch input {
        case .content(.document(let document)): of(document, file: file)
        case .content(.workbook(let workbook)): of(workbook, file: file)
        case .content(.mail(let message)): of([message], file: file)
        case .mailbox(let messages, _): of(messages, file: file)
        }
    }

    /// A document's paragraphs and list items, each under the headings above it; a table's
    /// rows as `header: value` pairs (anchored at the row's first cell). Notes and comments
    /// are not the document's text and are left out; so are headers and footers.
    public static func of(_ document: Document, file: String) -> [Passage] {
        var out: [Passage] = []
        var path: [(level: Int, text: String)] = []
        for (index, block) in document.blocks.enumerated() {
            let anchor = Anchor.body(index)
            let headings = path.map(\.text).joined(separator: " › ")
            switch block {
            case .heading(let heading):
                let text = heading.content.plainText().trimmingSpaces()
                path.removeAll { $0.level >= heading.level }
                path.append((heading.level, text))
            case .table(let table):
                out += rows(of: table, anchor: anchor, file: file, under: headings)
            case .paragraph, .listItem, .quote, .code:
                let text = block.paragraphTexts().map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.joined(separator: "\n")
                guard !text.isEmpty else { continue }
                out.append(Passage(file: file, anchor: anchor, location: headings, text: text, context: headings))
            case .image, .pageBreak, .sectionBreak:
                continue
            }
        }
        return out
    }

    /// A table's rows after its header rows, each as `header: value; …`.
    static func rows(of table: Table, anchor: String, file: String, under path: String) -> [Passage] {
        func text(_ cell: TableCell) -> String {
            cell.blocks.flatMap { $0.paragraphTexts() }.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.joined(separator: " ")
        }
        let headerCount = table.headerRowCount > 0 ? table.headerRowCount : (table.rows.count > 1 ? 1 : 0)
        let headers = table.rows.prefix(headerCount).last.map { $0.cells.map(text) } ?? []
        var out: [Passage] = []
        for (r, row) in table.rows.enumerated() where r >= headerCount {
            let values = row.cells.map(text)
            guard values.contains(where: { !$0.isEmpty }) else { continue }
            let pairs = values.enumerated().compactMap { c, value -> String? in
                guard !value.isEmpty else { return nil }
                let header = c < headers.count ? headers[c] : ""
                return header.isEmpty ? value : header + ": " + value
            }
            let cellAnchor = Anchor.cell(row: r, cell: 0, of: anchor)
            let location = (path.isEmpty ? "" : path + ", ") + "table row \(r + 1)"
            out.append(Passage(file: file, anchor: cellAnchor, location: location, text: pairs.joined(separator: "; "), context: path))
        }
        return out
    }

    /// A workbook's rows: each visible sheet's first row with text is its header; every
    /// row below it is a passage `header: value; …` anchored at its range (`Sales!A5:D5`).
    public static func of(_ workbook: Workbook, file: String) -> [Passage] {
        var out: [Passage] = []
        for sheet in workbook.sheets where sheet.visibility == .visible {
            let rows = sheet.rows.filter { !$0.isHidden && $0.cells.contains { !$0.formatted.isEmpty } }
            // The header: among the first ten rows, the first of two text cells or more and
            // nothing else (a title row above it has one).
            let headerAt = rows.prefix(10).firstIndex { row in
                let filled = row.cells.filter { !$0.formatted.isEmpty }
                return filled.count >= 2 && filled.allSatisfy { if case .string = $0.value { true } else { false } }
            }
            var names: [Int: String] = [:]
            if let headerAt { for cell in rows[headerAt].cells { names[cell.column] = cell.formatted.trimmingSpaces() } }
            for row in rows.dropFirst(headerAt.map { $0 + 1 } ?? 0) {
                let cells = row.cells.filter { !$0.formatted.isEmpty }
                guard let first = cells.first, let last = cells.last else { continue }
                let text = cells.map { cell in names[cell.column].map { $0.isEmpty ? cell.formatted : $0 + ": " + cell.formatted } ?? cell.formatted }
                let range =
                    first.column == last.column ? first.reference(row: row.index) : first.reference(row: row.index) + ":" + last.reference(row: row.index)
                out.append(
                    Passage(
                        file: file, anchor: Anchor.cell(range, sheet: sheet.name), location: "sheet \(sheet.name), row \(row.index)",
                        text: text.joined(separator: "; "), context: sheet.name))
            }
        }
        return out
    }

    /// Each message's own text (without the history it quotes or its signature) in
    /// paragraphs, anchored at the message; its subject and sender say what it is about.
    public static func of(_ messages: [MailMessage], file: String) -> [Passage] {
        messages.enumerated().flatMap { of($1, index: $0, file: file) }
    }

    /// The passages of message `index` (from 0) of `file`, as ``of(_:file:)-([MailMessage],_)``
    /// cuts them: for callers that read a mailbox one message at a time.
    public static func of(_ message: MailMessage, index: Int, file: String) -> [Passage] {
        let anchor = Anchor.message(message) ?? "\(file)#\(index + 1)"
        let sender = message.from.first.map { $0.name.flatMap { $0.isEmpty ? nil : $0 } ?? $0.address }
        let subject = message.subject ?? "(no subject)"
        var location = "message '\(subject)'"
        if let sender { location += " from \(sender)" }
        if let date = message.date { location += ", \(date.raw)" }
        let text = message.textParts?.newText ?? message.bestText ?? ""
        let paragraphs = paragraphs(of: text)
        let context = subject + (sender.map { " " + $0 } ?? "")
        if paragraphs.isEmpty { return [Passage(file: file, anchor: anchor, location: location, text: subject, context: sender ?? "")] }
        return paragraphs.map { Passage(file: file, anchor: anchor, location: location, text: $0, context: context) }
    }

    /// Text split at blank lines, each paragraph trimmed; long ones kept whole.
    static func paragraphs(of text: String) -> [String] {
        var out: [String] = []
        var current: [Substring] = []
        func flush() {
            let paragraph = current.joined(separator: "\n").trimmingSpaces()
            if !paragraph.isEmpty { out.append(paragraph) }
            current.removeAll()
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { flush() } else { current.append(line) }
        }
        flush()
        return out
    }
}

/// Lexical retrieval over passages: Okapi BM25 on words (lower-cased, common English words
/// left out, plurals and -ed/-ing endings folded), so that no embedding model is needed.
public struct PassageIndex: Sendable {
    /// The passages, in the order given (with ``init(focusedOn:)``: those that hold a word
    /// of the question).
    public private(set) var passages: [Passage] = []
    private var terms: [[String: Int]] = []
    private var lengths: [Int] = []
    private var documentFrequency: [String: Int] = [:]
    /// Passages seen and their words, kept or not: the collection BM25 weighs against.
    private var seen = 0
    private var seenWords = 0
    /// The only words counted, when the index serves one question.
    private let focus: Set<String>?

    private var averageLength: Double { seen == 0 ? 1 : max(1, Double(seenWords) / Double(seen)) }

    /// An index of `passages` (their text and context).
    public init(_ passages: [Passage]) {
        focus = nil
        terms.reserveCapacity(passages.count)
        for passage in passages { add(passage) }
    }

    /// An index for one question, filled with ``add(_:)``: every passage counts towards the
    /// collection's statistics, but only those holding a word of `question` are kept — so a
    /// whole mailbox can be searched without holding its text. Searching it for that
    /// question gives what an index of every passage gives.
    public init(focusedOn question: String) {
        focus = Self.queryWords(question)
    }

    /// Adds a passage (kept only when it holds a word of the focus question, if any).
    public mutating func add(_ passage: Passage) {
        var counts: [String: Int] = [:]
        let words = Self.words(passage.text) + Self.words(passage.context)
        seen += 1
        seenWords += words.count
        for word in words where focus?.contains(word) ?? true { counts[word, default: 0] += 1 }
        for word in counts.keys { documentFrequency[word, default: 0] += 1 }
        guard focus == nil || !counts.isEmpty else { return }
        passages.append(passage)
        terms.append(counts)
        lengths.append(words.count)
    }

    /// One passage found: its position in `passages`, its score, and how many of the
    /// question's words it holds.
    public struct Hit: Sendable, Equatable {
        /// Index into `passages`.
        public var index: Int
        /// The BM25 score.
        public var score: Double
        /// The distinct words of the question that the passage (or its context) holds.
        public var matched: Int
    }

    /// The passages that hold any word of `question`, best first (ties in reading order);
    /// at most `limit`.
    public func search(_ question: String, limit: Int = 20) -> [Hit] {
        let query = Array(Set(Self.words(question)))
        guard !query.isEmpty, !passages.isEmpty else { return [] }
        let n = Double(seen)
        let k1 = 1.2
        let b = 0.75
        var hits: [Hit] = []
        for (index, counts) in terms.enumerated() {
            var score = 0.0
            var matched = 0
            for word in query {
                guard let tf = counts[word] else { continue }
                matched += 1
                let df = Double(documentFrequency[word] ?? 0)
                let idf = log(1 + (n - df + 0.5) / (df + 0.5))
                let f = Double(tf)
                score += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * Double(lengths[index]) / averageLength))
            }
            if matched > 0 { hits.append(Hit(index: index, score: score, matched: matched)) }
        }
        hits.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        return Array(hits.prefix(limit))
    }

    /// The distinct words of `question` that retrieval looks for.
    public static func queryWords(_ question: String) -> Set<String> { Set(words(question)) }

    /// The words of `text` as the index counts them: runs of letters and digits, lower-cased
    /// (a number keeps its decimal point and a date its dashes or slashes, and a number
    /// loses its thousands commas: `1,180` is `1180`),
    /// common English words dropped, and a plural or an -ed/-ing ending folded onto the stem.
    public static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        let scalars = Array(text.unicodeScalars)
        func flush() {
            guard !current.isEmpty else { return }
            let word = current.lowercased()
            current = ""
            // A lone letter (the s of "CEO's", an initial) tells nothing apart; a digit may.
            guard !stopWords.contains(word), word.count > 1 || word.unicodeScalars.first?.properties.numericType != nil else { return }
            out.append(stem(word))
        }
        for (k, scalar) in scalars.enumerated() {
            let isWordCharacter = scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            if isWordCharacter {
                current.unicodeScalars.append(scalar)
            } else if scalar == "." || scalar == "," || scalar == "-" || scalar == "/", let last = current.unicodeScalars.last,
                last.properties.numericType != nil, k + 1 < scalars.count, scalars[k + 1].properties.numericType != nil
            {
                // Inside a number: 4.2 and 2024-01-02 stay one word, 1,180 is 1180.
                if scalar != "," { current.unicodeScalars.append(scalar) }
            } else {
                flush()
            }
        }
        flush()
        return out
    }

    /// A word with its ending folded, so that forms of one word meet: a plural (`-s`,
    /// `-ies`, `-sses`), `-ed` and `-ing`, then a final `e` (`warehouses`, `warehouse` →
    /// `warehous`; `opened`, `opening` → `open`). Only ASCII words longer than three letters.
    static func stem(_ word: String) -> String {
        guard word.count > 3, word.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.isAlphabetic }) else { return word }
        var s = Substring(word)
        if s.hasSuffix("ies") && s.count > 4 {
            s = s.dropLast(3) + "y"
        } else if s.hasSuffix("sses") {
            s = s.dropLast(2)
        } else if s.hasSuffix("ing") && s.count >= 6 {
            s = s.dropLast(3)
        } else if s.hasSuffix("ed") && s.count >= 5 {
            s = s.dropLast(2)
        } else if s.hasSuffix("s") && !s.hasSuffix("ss") && !s.hasSuffix("us") && !s.hasSuffix("is") {
            s = s.dropLast(1)
        }
        if s.hasSuffix("e") && s.count >= 4 { s = s.dropLast(1) }
        return String(s)
    }

    /// Words too common to tell passages apart.
    static let stopWords: Set<String> = [
        "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being", "but", "by", "can", "could",
        "did", "do", "does", "doing", "for", "from", "had", "has", "have", "he", "her", "here", "his", "how", "i", "if", "in", "into", "is", "it",
        "its", "me", "my", "no", "not", "of", "on", "or", "our", "she", "should", "so", "than", "that", "the", "their", "them", "then", "there",
        "these", "they", "this", "those", "to", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will",
        "with", "would", "you", "your", "tell", "please", "give", "list", "show",
    ]
}
