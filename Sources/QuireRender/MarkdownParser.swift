public import QuireModel

/// Reads the Markdown a model writes into the content model: ATX headings, paragraphs,
/// bullet and numbered lists (nested by indentation), GFM tables, block quotes, fenced
/// code, and inline bold, italic, strikethrough, code and links. It is the way back from
/// a draft's Markdown to a Word document; anything it does not know stays as text.
public struct MarkdownParser: Sendable {
    /// A parser.
    public init() {}

    /// `markdown` read into a document: headings, paragraphs with emphasis and links, lists, quotes, code, tables.
    public func parse(_ markdown: String) -> Document {
        let lines = markdown.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return Document(metadata: DocumentMetadata(format: .unknown), blocks: blocks(lines))
    }

    func blocks(_ lines: [String]) -> [Block] {
        var out: [Block] = []
        var paragraph: [String] = []
        var listCounter = 0
        var inList = false
        var i = 0
        func flush() {
            guard !paragraph.isEmpty else { return }
            out.append(.paragraph(Paragraph(content: inlines(paragraph))))
            paragraph = []
        }
        while i < lines.count {
            let line = lines[i]
            let trimmed = line.trimmingLeadingSpaces()
            if trimmed.isEmpty {
                flush()
                // A blank line inside a list keeps the list going if another item follows.
                if inList, i + 1 < lines.count, Self.listMarker(lines[i + 1]) != nil {
                    i += 1
                    continue
                }
                inList = false
                i += 1
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                flush()
                out.append(Self.fencedCode(lines, at: &i))
                inList = false
                continue
            }
            if let (level, text) = Self.heading(trimmed) {
                flush()
                out.append(.heading(Heading(level: level, content: inlines([text]))))
                inList = false
                i += 1
                continue
            }
            if trimmed.hasPrefix("|"), i + 1 < lines.count, Self.isDelimiterRow(lines[i + 1]) {
                flush()
                out.append(table(lines, at: &i))
                inList = false
                continue
            }
            if trimmed.hasPrefix(">") {
                flush()
                out.append(quote(lines, at: &i))
                inList = false
                continue
            }
            if let marker = Self.listMarker(line) {
                flush()
                if !inList { listCounter += 1 }
                inList = true
                out.append(listItem(marker, lines, at: &i, listID: "md\(listCounter)"))
                continue
            }
            if Self.isRule(trimmed) {
                flush()
                inList = false
                i += 1
                continue
            }
            inList = false
            paragraph.append(line)
            i += 1
        }
        flush()
        return out
    }

    /// A fenced code block from its opening fence at `i` to its closing one; `i` moves past it.
    static func fencedCode(_ lines: [String], at i: inout Int) -> Block {
        let fence = String(lines[i].trimmingLeadingSpaces().prefix(3))
        var code: [String] = []
        i += 1
        while i < lines.count, !lines[i].trimmingLeadingSpaces().hasPrefix(fence) {
            code.append(lines[i])
            i += 1
        }
        i += 1
        return .code(code.joined(separator: "\n"))
    }

    /// A GFM table: the header row at `i`, the delimiter row, then every `|` row; rows padded
    /// to the widest. `i` moves past it.
    func table(_ lines: [String], at i: inout Int) -> Block {
        let row = { (line: String) in
            TableRow(cells: Self.cells(line.trimmingLeadingSpaces()).map { TableCell(blocks: [.paragraph(Paragraph(content: inlines([$0])))]) })
        }
        var rows = [row(lines[i])]
        i += 2
        while i < lines.count, lines[i].trimmingLeadingSpaces().hasPrefix("|") {
            rows.append(row(lines[i]))
            i += 1
        }
        let width = rows.map(\.cells.count).max() ?? 0
        for r in rows.indices {
            while rows[r].cells.count < width { rows[r].cells.append(TableCell(blocks: [])) }
        }
        return .table(Table(rows: rows, headerRowCount: 1))
    }

    /// The `>` lines from `i` on, read as blocks of their own; `i` moves past them.
    func quote(_ lines: [String], at i: inout Int) -> Block {
        var quoted: [String] = []
        while i < lines.count, lines[i].trimmingLeadingSpaces().hasPrefix(">") {
            var q = Substring(lines[i].trimmingLeadingSpaces().dropFirst())
            if q.first == " " { q = q.dropFirst() }
            quoted.append(String(q))
            i += 1
        }
        return .quote(blocks(quoted))
    }

    /// A list item with its continuation lines (indented text that starts no new block);
    /// `i` moves past them.
    func listItem(_ marker: Marker, _ lines: [String], at i: inout Int, listID: String) -> Block {
        var text = [marker.text]
        i += 1
        while i < lines.count {
            let next = lines[i]
            let t = next.trimmingLeadingSpaces()
            if t.isEmpty || Self.listMarker(next) != nil || Self.heading(t) != nil || t.hasPrefix("|") || t.hasPrefix(">") || t.hasPrefix("```") {
                break
            }
            text.append(t)
            i += 1
        }
        return .listItem(ListItem(level: marker.level, isOrdered: marker.ordered, marker: marker.marker, content: inlines(text), listID: listID))
    }

    static func heading(_ line: String) -> (Int, String)? {
        let hashes = line.prefix(while: { $0 == "#" }).count
        guard hashes >= 1, hashes <= 6 else { return nil }
        let rest = line.dropFirst(hashes)
        guard rest.isEmpty || rest.first == " " else { return nil }
        var text = String(rest).trimmingBlanks()
        while text.hasSuffix("#") { text.removeLast() }
        return (hashes, text.trimmingBlanks())
    }

    static func isRule(_ line: String) -> Bool {
        let chars = line.filter { $0 != " " }
        return chars.count >= 3 && (Set(chars) == ["-"] || Set(chars) == ["*"] || Set(chars) == ["_"])
    }

    static func isDelimiterRow(_ line: String) -> Bool {
        let t = line.trimmingBlanks()
        return t.hasPrefix("|") && t.contains("-") && t.allSatisfy { "|-: ".contains($0) }
    }

    static func cells(_ line: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var escaped = false
        var body = Substring(line.trimmingBlanks())
        if body.first == "|" { body = body.dropFirst() }
        if body.last == "|" && !body.hasSuffix("\\|") { body = body.dropLast() }
        for c in body {
            if escaped {
                if c != "|" { current.append("\\") }
                current.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if c == "|" {
                cells.append(current.trimmingBlanks())
                current = ""
            } else {
                current.append(c)
            }
        }
        cells.append(current.trimmingBlanks())
        return cells
    }

    struct Marker {
        var level: Int
        var ordered: Bool
        var marker: String
        var text: String
    }

    /// `- item`, `* item`, `+ item`, `1. item`, `1) item`; two spaces of indent per level.
    static func listMarker(_ line: String) -> Marker? {
        let indent = line.prefix(while: { $0 == " " || $0 == "\t" }).reduce(0) { $0 + ($1 == "\t" ? 4 : 1) }
        let rest = line.drop(while: { $0 == " " || $0 == "\t" })
        let level = min(indent / 2, 8)
        if let first = rest.first, "-*+".contains(first), rest.dropFirst().first == " " {
            if isRule(String(rest)) { return nil }
            return Marker(level: level, ordered: false, marker: "•", text: String(rest.dropFirst(2)).trimmingBlanks())
        }
        let digits = rest.prefix(while: \.isNumber)
        if !digits.isEmpty, digits.count <= 9 {
            let after = rest.dropFirst(digits.count)
            if let p = after.first, p == "." || p == ")", after.dropFirst().first == " " {
                return Marker(level: level, ordered: true, marker: digits + String(p), text: String(after.dropFirst(2)).trimmingBlanks())
            }
        }
        return nil
    }

    // MARK: Inlines

    /// Lines of one paragraph: joined with spaces; two trailing spaces or a backslash make a line break.
    func inlines(_ lines: [String]) -> [Inline] {
        var out: [Inline] = []
        for (index, raw) in lines.enumerated() {
            var line = raw.trimmingLeadingSpaces()
            var hardBreak = false
            if line.hasSuffix("  ") || line.hasSuffix("\\") {
                hardBreak = index < lines.count - 1
                while line.hasSuffix(" ") || line.hasSuffix("\\") { line.removeLast() }
            } else {
                while line.hasSuffix(" ") { line.removeLast() }
            }
            if index > 0, !(out.last.map { if case .lineBreak = $0 { true } else { false } } ?? true) { append(" ", .plain, to: &out) }
            out += spans(Array(line), style: .plain)
            if hardBreak { out.append(.lineBreak) }
        }
        return merged(out)
    }

    func append(_ text: String, _ style: TextStyle, to out: inout [Inline]) {
        if case .text(let previous, let s)? = out.last, s == style {
            out[out.count - 1] = .text(previous + text, s)
        } else {
            out.append(.text(text, style))
        }
    }

    func merged(_ inlines: [Inline]) -> [Inline] {
        var out: [Inline] = []
        for inline in inlines {
            if case .text(let t, let s) = inline { append(t, s, to: &out) } else { out.append(inline) }
        }
        return out
    }

    /// Emphasis by delimiter pairs: a marker opens only when the same marker closes later.
    func spans(_ chars: [Character], style: TextStyle) -> [Inline] {
        var out: [Inline] = []
        var text = ""
        func flushText() {
            if !text.isEmpty { append(text, style, to: &out) }
            text = ""
        }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1].isPunctuation || chars[i + 1].isSymbol {
                text.append(chars[i + 1])
                i += 2
                continue
            }
            if c == "`" {
                if let close = chars[(i + 1)...].firstIndex(of: "`") {
                    flushText()
                    append(String(chars[(i + 1)..<close]), style.union(.code), to: &out)
                    i = close + 1
                    continue
                }
            }
            if c == "[", let close = Self.matching(chars, from: i, open: "[", close: "]"), close + 1 < chars.count, chars[close + 1] == "(",
                let end = chars[(close + 2)...].firstIndex(of: ")")
            {
                flushText()
                var url = String(chars[(close + 2)..<end]).trimmingBlanks()
                if let space = url.firstIndex(of: " ") { url = String(url[..<space]) }  // [a](url "title")
                let label = spans(Array(chars[(i + 1)..<close]), style: style)
                out.append(.link(Link(target: url.hasPrefix("#") ? .anchor(String(url.dropFirst())) : .url(url), content: label)))
                i = end + 1
                continue
            }
            var consumed = false
            for (marker, add) in [
                ("**", TextStyle.bold), ("__", TextStyle.bold), ("~~", TextStyle.strikethrough), ("*", TextStyle.italic), ("_", TextStyle.italic),
            ] {
                let m = Array(marker)
                guard i + m.count <= chars.count, Array(chars[i..<(i + m.count)]) == m else { continue }
                // "_" inside a word (snake_case) is not emphasis; an opener must be followed by non-space.
                if marker.hasPrefix("_"), i > 0, chars[i - 1].isLetter || chars[i - 1].isNumber { continue }
                guard i + m.count < chars.count, chars[i + m.count] != " " else { continue }
                if let close = Self.closing(chars, marker: m, from: i + m.count) {
                    flushText()
                    out += spans(Array(chars[(i + m.count)..<close]), style: style.union(add))
                    i = close + m.count
                    consumed = true
                    break
                }
            }
            if !consumed {
                // No partner for the marker: literal text.
                text.append(c)
                i += 1
            }
        }
        flushText()
        return out
    }

    static func closing(_ chars: [Character], marker: [Character], from start: Int) -> Int? {
        var j = start
        while j + marker.count <= chars.count {
            if chars[j] == "\\" {
                j += 2
                continue
            }
            if chars[j] == "`", let close = chars[(j + 1)...].firstIndex(of: "`") {
                j = close + 1
                continue
            }
            if Array(chars[j..<(j + marker.count)]) == marker, j > start, chars[j - 1] != " " {
                // "**" must not be read as the end of a single "*".
                if marker.count == 1, j + 1 < chars.count, chars[j + 1] == marker[0] {
                    j += 2
                    continue
                }
                if marker[0] == "_", j + marker.count < chars.count, chars[j + marker.count].isLetter {
                    j += 1
                    continue
                }
                return j
            }
            j += 1
        }
        return nil
    }

    static func matching(_ chars: [Character], from start: Int, open: Character, close: Character) -> Int? {
        var depth = 0
        for j in start..<chars.count {
            if chars[j] == open { depth += 1 }
            if chars[j] == close {
                depth -= 1
                if depth == 0 { return j }
            }
        }
        return nil
    }
}

extension String {
    func replacingCRLF() -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        var previousCR = false
        for c in unicodeScalars {
            if c == "\r" {
                out.unicodeScalars.append("\n")
                previousCR = true
                continue
            }
            if c == "\n" && previousCR {
                previousCR = false
                continue
            }
            previousCR = false
            out.unicodeScalars.append(c)
        }
        return out
    }

    func trimmingLeadingSpaces() -> String { String(drop(while: { $0 == " " || $0 == "\t" })) }
}
