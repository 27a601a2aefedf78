/// Cuts content into chunks that fit a token budget, along its structure — the chunker every
/// task uses when content is longer than one request.
///
/// Sections are packed whole into chunks while they fit. A section too big for one chunk is
/// cut at blank lines (paragraph ends) once a piece is well filled, else at line ends; a
/// paragraph longer than the budget at sentence ends, and only a sentence longer than the
/// budget at spaces. Each piece that continues a section starts with the heading path it is
/// under (`# Report`, `## Revenue (continued)`), and a piece that continues a Markdown table
/// starts with the table's header row and delimiter again, so no chunk is read out of
/// context. Nothing is dropped: the chunks hold every line of the sections, in order.
///
/// ```swift
/// let content = try ContentLoader().load(path: "handbook.docx")
/// for chunk in Chunker.chunks(content.sections, budget: 1_000) {
///     print(chunk.headingPath.joined(separator: " › "), TokenEstimate.tokens(chunk.text))
/// }
/// ```
public enum Chunker {
    /// One chunk: Markdown within the budget.
    public struct Chunk: Sendable, Equatable {
        /// The chunk's Markdown.
        public var text: String
        /// Titles of the sections it holds (a continued section appears in several chunks).
        public var titles: [String]
        /// The headings the chunk starts under, outermost first (the section's title when its
        /// text has no heading): where in the document the chunk comes from.
        public var headingPath: [String] = []
    }

    /// Packs `sections` into chunks of at most `budget` tokens (`TokenEstimate`; at least 64).
    /// A single line longer than the budget is the only thing ever cut mid-sentence.
    public static func chunks(_ sections: [TaskContent.Section], budget: Int) -> [Chunk] {
        let budget = max(budget, 64)
        var out: [Chunk] = []
        var current = Chunk(text: "", titles: [])
        var currentTokens = 0
        func flush() {
            if !current.text.isEmpty { out.append(current) }
            current = Chunk(text: "", titles: [])
            currentTokens = 0
        }
        for section in sections {
            let ancestors = section.ancestors
            // A chunk that opens with this section is headed by the headings above it.
            let heading = ancestors.map { String(repeating: "#", count: $0.level) + " " + $0.text + "\n" }.joined()
            let headingTokens = heading.isEmpty ? 0 : TokenEstimate.tokens(heading) + 1
            let room = max(budget - headingTokens, budget / 2)
            for piece in pieces(section.markdown, budget: room, title: section.title, ancestors: ancestors) {
                let tokens = TokenEstimate.tokens(piece.text)
                if currentTokens + tokens > budget { flush() }
                if current.text.isEmpty {
                    current.headingPath = piece.path
                    if piece.first && !heading.isEmpty {
                        current.text = heading + "\n"
                        currentTokens = headingTokens
                    }
                } else if !current.text.hasSuffix("\n\n") {
                    current.text += current.text.hasSuffix("\n") ? "\n" : "\n\n"
                }
                current.text += piece.text
                currentTokens += tokens + 1
                if let title = section.title, current.titles.last != title { current.titles.append(title) }
            }
        }
        flush()
        return out
    }

    /// A Markdown heading line's level and text, outside code.
    static func heading(_ line: String) -> (level: Int, text: String)? {
        let level = line.prefix { $0 == "#" }.count
        guard (1...6).contains(level), line.dropFirst(level).first == " " else { return nil }
        return (level, line.dropFirst(level + 1).trimmingSpaces())
    }

    /// A section cut into pieces within the budget, each with the heading path it starts under
    /// and whether it is the section's first; `ancestors` are the headings above the section.
    static func pieces(
        _ text: String, budget: Int, title: String? = nil, ancestors: [(level: Int, text: String)] = []
    ) -> [(text: String, path: [String], first: Bool)] {
        var cutter = SectionCutter(budget: budget, title: title, ancestors: ancestors)
        if TokenEstimate.tokens(text) <= budget {
            let firstLine = text.prefix { $0 != "\n" }
            return [(text, cutter.path(heading(String(firstLine)).map { [$0] } ?? []), true)]
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices { cutter.take(lines[index], next: index + 1 < lines.count ? lines[index + 1] : nil) }
        cutter.flush()
        return cutter.pieces
    }

    /// The state of cutting one section into pieces, a line at a time.
    struct SectionCutter {
        let budget: Int
        let title: String?
        let ancestors: [(level: Int, text: String)]
        /// Headings met inside the section (its own first), with their levels.
        var inner: [(level: Int, text: String)] = []
        var pieces: [(text: String, path: [String], first: Bool)] = []
        var current: [String] = []
        var currentPath: [String] = []
        var tokens = 0
        var tableHeader: [String] = []
        var inCode = false
        let pathRoom: Int

        init(budget: Int, title: String?, ancestors: [(level: Int, text: String)]) {
            self.budget = budget
            self.title = title
            self.ancestors = ancestors
            pathRoom = Chunker.pathTokens(ancestors) + 24
        }

        /// The heading path of a piece that starts under `context` (headings inside the section).
        func path(_ context: [(level: Int, text: String)]) -> [String] {
            let all = ancestors.map(\.text) + context.map(\.text)
            return all.isEmpty ? (title.map { [$0] } ?? []) : all
        }

        /// Ends the piece being gathered.
        mutating func flush() {
            while current.last?.isEmpty == true { current.removeLast() }
            if !current.isEmpty { pieces.append((current.joined(separator: "\n") + "\n", currentPath, pieces.isEmpty)) }
            current = []
            tokens = 0
        }

        /// Starts a piece: after the first, with the heading path it continues under.
        mutating func begin(before line: String) {
            let own = inCode ? nil : Chunker.heading(line)
            var context = inner
            if let own { context.removeAll { $0.level >= own.level } }
            currentPath = path(context + (own.map { [$0] } ?? []))
            let shown = ancestors + context
            guard !pieces.isEmpty, !shown.isEmpty else { return }
            for (i, h) in shown.enumerated() {
                let line = String(repeating: "#", count: h.level) + " " + h.text + (i == shown.count - 1 ? " (continued)" : "")
                current.append(line)
                tokens += TokenEstimate.tokens(line) + 1
            }
            current.append("")
        }

        /// Takes the next line of the section (`next` is the one after it, if any).
        mutating func take(_ line: String, next: String?) {
            if line.hasPrefix("```") { inCode.toggle() }
            // A GFM table header: a row, then the delimiter row.
            if line.hasPrefix("|"), let next, next.hasPrefix("| ---") || next.hasPrefix("|---") {
                tableHeader = [line, next]
            } else if !line.hasPrefix("|") {
                tableHeader = []
            }
            let lineTokens = TokenEstimate.tokens(line) + 1
            let room = budget - pathRoom - Chunker.pathTokens(inner)
            if lineTokens > room {
                // One enormous line (a paragraph without breaks): cut it at sentence ends.
                flush()
                for part in Chunker.split(line, budget: max(room, budget / 2)) {
                    begin(before: part)
                    current.append(part)
                    flush()
                }
                return
            }
            if tokens + lineTokens > budget {
                flush()
                if line.hasPrefix("|"), !tableHeader.isEmpty, !tableHeader.contains(line) {
                    begin(before: line)
                    current += tableHeader
                    tokens += tableHeader.reduce(0) { $0 + TokenEstimate.tokens($1) + 1 }
                }
            } else if line.isEmpty, tokens > budget * 3 / 4 {
                // Break at a blank line once a piece is well filled.
                flush()
                return
            }
            if current.isEmpty && line.isEmpty { return }
            if current.isEmpty { begin(before: line) }
            if !inCode, let h = Chunker.heading(line) {
                inner.removeAll { $0.level >= h.level }
                inner.append(h)
            }
            current.append(line)
            tokens += lineTokens
        }
    }

    /// Tokens the heading-path lines of a continued piece take.
    static func pathTokens(_ headings: [(level: Int, text: String)]) -> Int {
        headings.reduce(0) { $0 + TokenEstimate.tokens($1.text) + $1.level + 14 }
    }

    /// A long line cut into parts within the budget: after sentence ends where it can be,
    /// at spaces only inside a sentence longer than the budget, by characters only inside a
    /// word longer than the budget.
    static func split(_ line: String, budget: Int) -> [String] {
        var parts: [String] = []
        var current = ""
        var currentTokens = 0
        func append(_ piece: String, tokens t: Int) {
            if currentTokens + t > budget, !current.isEmpty {
                parts.append(current.trimmingSpaces())
                current = ""
                currentTokens = 0
            }
            current += piece
            currentTokens += t
        }
        for sentence in sentences(line) {
            let t = TokenEstimate.tokens(sentence)
            if t <= budget {
                append(sentence, tokens: t)
                continue
            }
            for word in words(sentence) {
                let w = TokenEstimate.tokens(word)
                if w <= budget {
                    append(word, tokens: w)
                    continue
                }
                // A "word" longer than the budget: cut by characters.
                var rest = Substring(word)
                while !rest.isEmpty {
                    let take = rest.prefix(budget * 3)
                    append(String(take), tokens: TokenEstimate.tokens(String(take)))
                    rest = rest.dropFirst(take.count)
                }
            }
        }
        if !current.trimmingSpaces().isEmpty { parts.append(current.trimmingSpaces()) }
        return parts
    }

    /// `text` cut after each sentence end (`.`, `!`, `?`, `…` and closing quotes or brackets,
    /// then a space), spaces kept with the sentence before them.
    static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var afterEnd = false
        for character in text {
            if afterEnd && character == " " {
                current.append(character)
                out.append(current)
                current = ""
                afterEnd = false
                continue
            }
            current.append(character)
            if ".!?…".contains(character) {
                afterEnd = true
            } else if afterEnd && !"\"'”’)]".contains(character) {
                afterEnd = false
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// `text` cut after each space.
    static func words(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for character in text {
            current.append(character)
            if character == " " {
                out.append(current)
                current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
