public import QuireModel

/// Renders a document as GitHub-flavoured Markdown: the form prompts use.
///
/// Tables become GFM tables (spanned positions left empty), notes and comments become
/// footnotes (`[^1]`, `[^c0]`), and tracked changes follow `RenderOptions.changes`
/// (CriticMarkup `{++ ++}` / `{-- --}` in the review view).
public struct MarkdownRenderer: Sendable {
    /// What to include and how tracked changes show.
    public var options: RenderOptions

    /// A renderer with these options.
    public init(options: RenderOptions = RenderOptions()) {
        self.options = options
    }

    /// The document as GitHub-flavoured Markdown: the body, then notes, comments and (when asked) headers and footers.
    public func render(_ document: Document) -> String {
        var stream = MarkdownStream(options: options)
        for block in document.blocks { stream.append(block) }
        stream.finish(document)
        return stream.takeOutput()
    }

    /// Notes, comments and (if asked) headers and footers: what follows the body.
    /// `continuing`: body text was already handed out, so the back matter needs a blank
    /// line before it even when `body` is empty.
    func renderBackMatter(_ document: Document, after body: String, continuing: Bool = false) -> String {
        var out = body
        var separatorOwed = continuing && body.isEmpty
        func separate(_ out: inout String) {
            if separatorOwed && out.isEmpty {
                separatorOwed = false
                out = "\n"
                return
            }
            separatorOwed = false
            self.separate(&out)
        }
        func appendDefinition(label: String, body: String, into out: inout String) {
            separate(&out)
            var text = body
            while text.hasSuffix("\n") { text.removeLast() }
            out += "[^\(label)]: \(text)\n"
        }
        if options.includeNotes, !document.notes.isEmpty {
            for note in document.notes {
                var text = ""
                renderBlocks(note.blocks, into: &text, indent: "    ")
                appendDefinition(label: noteLabel(note.kind, note.id), body: text, into: &out)
            }
        }
        if options.includeComments, !document.comments.isEmpty {
            for comment in document.comments {
                var body = ""
                var who: String = comment.author.map { "**\(escape($0))**" } ?? "**Comment**"
                if let date = comment.date { who += " (\(date))" }
                body += who
                if !comment.anchoredText.isEmpty {
                    body += " on “\(escape(comment.anchoredText.replacingNewlines()))”"
                }
                body += ": "
                var text = ""
                renderBlocks(comment.blocks, into: &text, indent: "    ")
                body += text
                appendDefinition(label: "c\(comment.id)", body: body, into: &out)
            }
        }
        if options.includeHeadersAndFooters {
            let parts = document.headersAndFooters.filter { !$0.blocks.paragraphTexts(options.changes).allSatisfy { $0.isEmpty } }
            if !parts.isEmpty {
                separate(&out)
                out += "## Headers and footers\n"
                for part in parts {
                    separate(&out)
                    out += "**\(part.kind == .header ? "Header" : "Footer") (\(part.pages) pages)**\n\n"
                    renderBlocks(part.blocks, into: &out, indent: "")
                }
            }
        }
        while out.hasSuffix("\n\n") { out.removeLast() }
        if !out.isEmpty && !out.hasSuffix("\n") { out += "\n" }
        return out
    }

    private func noteLabel(_ kind: Note.Kind, _ id: String) -> String {
        kind == .footnote ? id : "e\(id)"
    }

    private func separate(_ out: inout String) {
        if out.isEmpty { return }
        if !out.hasSuffix("\n") { out += "\n" }
        if !out.hasSuffix("\n\n") { out += "\n" }
    }

    /// Renders nested content (quotes, notes, comments), continuation lines indented.
    func renderBlocks(_ blocks: [Block], into out: inout String, indent: String) {
        var writer = BlockWriter(renderer: self, indent: indent)
        for block in blocks { writer.write(block) }
        writer.flush()
        if !writer.out.isEmpty {
            separate(&out)
            out += writer.out
        }
    }

    /// The Markdown of one block, ending in a newline; empty when it shows nothing.
    func piece(for block: Block, indent: String) -> String {
        switch block {
        case .heading(let heading):
            let text = inlines(heading.content, lineIndent: "").trimmingBlanks()
            if text.isEmpty { return "" }
            let marker = heading.marker.map { escape($0) + " " } ?? ""
            return String(repeating: "#", count: min(max(heading.level, 1), 6)) + " " + marker + text.replacingNewlines() + "\n"
        case .paragraph(let paragraph):
            let text = inlines(paragraph.content, lineIndent: indent).trimmingBlanks()
            if text.isEmpty { return "" }
            return escapeLineStart(text) + "\n"
        case .listItem(let item):
            let pad = String(repeating: "    ", count: item.level)
            let marker: String
            if item.isOrdered, item.marker.isGFMOrderedMarker {
                marker = item.marker
            } else if item.isOrdered || !item.marker.isEmpty && !item.marker.isBulletGlyph {
                marker = "- " + escape(item.marker)
            } else {
                marker = "-"
            }
            let text = inlines(item.content, lineIndent: indent + pad + "    ").trimmingBlanks()
            return pad + marker + (text.isEmpty ? "" : " " + text) + "\n"
        case .table(let table):
            return renderTable(table, indent: indent)
        case .quote(let inner):
            var text = ""
            renderBlocks(inner, into: &text, indent: "")
            while text.hasSuffix("\n") { text.removeLast() }
            if text.isEmpty { return "" }
            return text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? ">" : "> " + $0 }.joined(separator: "\n") + "\n"
        case .code(let code):
            var fence = "```"
            while code.contains(fence) { fence += "`" }
            return fence + "\n" + code + (code.hasSuffix("\n") ? "" : "\n") + fence + "\n"
        case .image(let image):
            return imageMarkdown(image) + "\n"
        case .pageBreak, .sectionBreak:
            return ""
        }
    }

    private func imageMarkdown(_ image: Image) -> String {
        let alt = escape(image.altText.isEmpty ? (image.title ?? "image") : image.altText).replacingNewlines()
        return "![\(alt)](\(linkDestination(image.mediaPath ?? "")))"
    }

    private func linkDestination(_ url: String) -> String {
        if url.contains(where: { $0 == " " || $0 == "(" || $0 == ")" || $0 == "<" || $0 == ">" }) {
            return "<" + url.replacingAll("<", with: "%3C").replacingAll(">", with: "%3E") + ">"
        }
        return url
    }

    // MARK: Tables

    func renderTable(_ table: Table, indent: String) -> String {
        let grid = TableGrid(table)
        guard grid.columnCount > 0, !grid.rows.isEmpty else { return "" }
        var lines: [String] = []
        for (r, row) in grid.rows.enumerated() {
            let cells = row.map { cell -> String in
                guard let cell else { return "" }
                return cellText(cell.blocks)
            }
            lines.append("| " + cells.joined(separator: " | ") + " |")
            if r == 0 {
                lines.append("|" + String(repeating: " --- |", count: grid.columnCount))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func cellText(_ blocks: [Block]) -> String {
        var parts: [String] = []
        for block in blocks {
            switch block {
            case .table(let nested):
                let rows = TableGrid(nested).rows.map { row in
                    row.compactMap { $0.map { cellText($0.blocks) } }.filter { !$0.isEmpty }.joined(separator: "; ")
                }
                parts.append(contentsOf: rows.filter { !$0.isEmpty })
            case .listItem(let item):
                let text = inlines(item.content, lineIndent: "", inTable: true).trimmingBlanks()
                parts.append((item.isOrdered ? item.marker : "•") + " " + text)
            case .image(let image):
                parts.append(imageMarkdown(image))
            case .heading(let h):
                parts.append("**" + inlines(h.content, lineIndent: "", inTable: true).trimmingBlanks() + "**")
            case .paragraph(let p):
                parts.append(inlines(p.content, lineIndent: "", inTable: true).trimmingBlanks())
            case .quote(let inner):
                parts.append(cellText(inner))
            case .code(let code):
                parts.append("`" + code.replacingNewlines(with: "<br>").replacingAll("|", with: "\\|") + "`")
            case .pageBreak, .sectionBreak:
                break
            }
        }
        while parts.last?.isEmpty == true { parts.removeLast() }
        while parts.first?.isEmpty == true { parts.removeFirst() }
        return parts.joined(separator: "<br>")
    }

    // MARK: Inlines

    func inlines(_ content: [Inline], lineIndent: String, inTable: Bool = false) -> String {
        var out = ""
        appendInlines(content, to: &out, lineIndent: lineIndent, inTable: inTable)
        return out
    }

    func appendInlines(_ content: [Inline], to out: inout String, lineIndent: String, inTable: Bool) {
        for inline in content {
            switch inline {
            case .text(let text, let style):
                if style.contains(.hidden) && !options.includeHidden { continue }
                appendStyled(text, style, to: &out, inTable: inTable)
            case .link(let link):
                let label = inlines(link.content, lineIndent: lineIndent, inTable: inTable)
                switch link.target {
                case .url(let url):
                    if label.isEmpty { out += "<\(url)>" } else { out += "[\(label)](\(linkDestination(url)))" }
                case .anchor(let anchor):
                    out += label.isEmpty ? "" : "[\(label)](#\(linkDestination(anchor)))"
                }
            case .lineBreak:
                out += inTable ? "<br>" : "\\\n" + lineIndent
            case .tab:
                out += inTable ? " " : "\t"
            case .image(let image):
                out += imageMarkdown(image)
            case .noteReference(let kind, let id):
                if options.includeNotes { out += "[^\(noteLabel(kind, id))]" }
            case .commentReference(let id):
                if options.includeComments { out += "[^c\(id)]" }
            case .change(let change):
                switch options.changes {
                case .accepted:
                    if change.kind.isKeptWhenAccepted { appendInlines(change.content, to: &out, lineIndent: lineIndent, inTable: inTable) }
                case .original:
                    if !change.kind.isKeptWhenAccepted { appendInlines(change.content, to: &out, lineIndent: lineIndent, inTable: inTable) }
                case .review:
                    let inner = inlines(change.content, lineIndent: lineIndent, inTable: inTable)
                    if !inner.isEmpty {
                        out += change.kind.isKeptWhenAccepted ? "{++\(inner)++}" : "{--\(inner)--}"
                    }
                }
            }
        }
    }

    /// Appends escaped text wrapped in the markers of its style.
    private func appendStyled(_ text: String, _ style: TextStyle, to out: inout String, inTable: Bool) {
        if style.isEmpty || style == .underline {
            appendEscaped(text, to: &out, inTable: inTable)
            return
        }
        // Emphasis markers must touch non-space characters: keep outer spaces outside.
        let utf8 = text.utf8
        let leadingCount = utf8.prefix(while: { $0 == 0x20 || $0 == 0x09 }).count
        if leadingCount == utf8.count {
            out += text
            return
        }
        let trailingCount = utf8.reversed().prefix(while: { $0 == 0x20 || $0 == 0x09 }).count
        let coreStart = utf8.index(utf8.startIndex, offsetBy: leadingCount)
        let coreEnd = utf8.index(utf8.endIndex, offsetBy: -trailingCount)
        out += text[..<coreStart]
        if style.contains(.subscript) { out += "<sub>" }
        if style.contains(.superscript) { out += "<sup>" }
        if style.contains(.bold) { out += "**" }
        if style.contains(.italic) { out += "*" }
        if style.contains(.strikethrough) { out += "~~" }
        if style.contains(.code) { out += "`" }
        appendEscaped(String(text[coreStart..<coreEnd]), to: &out, inTable: inTable)
        if style.contains(.code) { out += "`" }
        if style.contains(.strikethrough) { out += "~~" }
        if style.contains(.italic) { out += "*" }
        if style.contains(.bold) { out += "**" }
        if style.contains(.superscript) { out += "</sup>" }
        if style.contains(.subscript) { out += "</sub>" }
        out += text[coreEnd...]
    }

    private func appendEscaped(_ text: String, to out: inout String, inTable: Bool) {
        if MarkdownRenderer.needsEscaping(text, inTable: inTable) {
            out += escape(text, inTable: inTable)
        } else {
            out += text
        }
    }

    /// Bytes that may need a backslash: `\ ` * [ ] < _`, and in tables `|` and newline.
    private static let special: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "\\`*[]<_".utf8 { table[Int(byte)] = true }
        return table
    }()

    /// A tight scan over the UTF-8 bytes; most text needs no escaping at all.
    static func needsEscaping(_ text: String, inTable: Bool) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            special.withUnsafeBufferPointer { table in
                for byte in bytes {
                    if table[Int(byte)] { return true }
                    if inTable && (byte == UInt8(ascii: "|") || byte == 0x0A) { return true }
                }
                return false
            }
        }
    }

    /// Escapes the characters that would otherwise turn text into Markdown syntax.
    ///
    /// Works on UTF-8 bytes: every character that needs escaping is ASCII, and most text
    /// has none, so it is returned untouched.
    package func escape(_ text: String, inTable: Bool = false) -> String {
        if !MarkdownRenderer.needsEscaping(text, inTable: inTable) { return text }
        var text = text
        return text.withUTF8 { bytes -> String in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 16)
            for i in 0..<bytes.count {
                let byte = bytes[i]
                switch byte {
                case UInt8(ascii: "\\"), UInt8(ascii: "`"), UInt8(ascii: "*"), UInt8(ascii: "["), UInt8(ascii: "]"),
                    UInt8(ascii: "<"):
                    out.append(UInt8(ascii: "\\"))
                    out.append(byte)
                case UInt8(ascii: "_"):
                    // Inside a word `_` never starts emphasis (GFM), so snake_case stays readable.
                    let before = i > 0 ? bytes[i - 1] : 0x20
                    let after = i + 1 < bytes.count ? bytes[i + 1] : 0x20
                    if MarkdownRenderer.isWordByte(before) && MarkdownRenderer.isWordByte(after) {
                        out.append(byte)
                    } else {
                        out.append(UInt8(ascii: "\\"))
                        out.append(byte)
                    }
                case UInt8(ascii: "|") where inTable:
                    out.append(UInt8(ascii: "\\"))
                    out.append(byte)
                case 0x0A where inTable:
                    out.append(contentsOf: "<br>".utf8)
                default:
                    out.append(byte)
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Letters, digits and any non-ASCII byte (letters of other scripts).
    static func isWordByte(_ byte: UInt8) -> Bool {
        byte >= 0x80 || (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
    }

    /// Escapes a paragraph's first characters when they would read as a heading, list or quote.
    private func escapeLineStart(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.first else { return text }
        let second = utf8.dropFirst().first
        switch first {
        case UInt8(ascii: "#"), UInt8(ascii: ">"):
            return "\\" + text
        case UInt8(ascii: "-"), UInt8(ascii: "+"):
            return second == nil || second == 0x20 ? "\\" + text : text
        case UInt8(ascii: "="):
            return utf8.allSatisfy({ $0 == UInt8(ascii: "=") }) ? "\\" + text : text
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            let digits = utf8.prefix(while: { $0 >= 0x30 && $0 <= 0x39 }).count
            guard digits <= 9 else { return text }
            let rest = utf8.dropFirst(digits)
            guard let mark = rest.first, mark == UInt8(ascii: ".") || mark == UInt8(ascii: ")") else { return text }
            let after = rest.dropFirst().first
            guard after == nil || after == 0x20 else { return text }
            let split = utf8.index(utf8.startIndex, offsetBy: digits)
            return String(text[..<split]) + "\\" + String(text[split...])
        default:
            return text
        }
    }
}
