public import QuireModel

/// Renders a document as plain text: paragraphs separated by blank lines, list markers
/// kept, table rows as tab-separated lines, notes and comments listed after the body.
public struct PlainTextRenderer: Sendable {
    /// What to include and how tracked changes show.
    public var options: RenderOptions

    /// A renderer with these options.
    public init(options: RenderOptions = RenderOptions()) {
        self.options = options
    }

    /// The document as plain text: paragraphs, list markers, tables as tab-separated rows.
    public func render(_ document: Document) -> String {
        var out = ""
        renderBlocks(ParagraphMarks.apply(document.blocks, view: options.changes), into: &out)
        if options.includeNotes {
            for note in document.notes {
                separate(&out)
                let label = note.kind == .footnote ? "[\(note.id)]" : "[e\(note.id)]"
                out += label + " " + note.blocks.paragraphTexts(options.changes).filter { !$0.isEmpty }.joined(separator: "\n") + "\n"
            }
        }
        if options.includeComments {
            for comment in document.comments {
                separate(&out)
                var head = "[comment c\(comment.id)"
                if let author = comment.author { head += " by \(author)" }
                if let date = comment.date { head += ", \(date)" }
                if !comment.anchoredText.isEmpty { head += ", on “\(comment.anchoredText.replacingNewlines())”" }
                out += head + "] " + comment.blocks.paragraphTexts(options.changes).joined(separator: "\n") + "\n"
            }
        }
        if options.includeHeadersAndFooters {
            for part in document.headersAndFooters {
                let texts = part.blocks.paragraphTexts(options.changes).filter { !$0.isEmpty }
                guard !texts.isEmpty else { continue }
                separate(&out)
                out += "[\(part.kind.rawValue), \(part.pages) pages] " + texts.joined(separator: "\n") + "\n"
            }
        }
        while out.hasSuffix("\n\n") { out.removeLast() }
        return out
    }

    private func separate(_ out: inout String) {
        if out.isEmpty { return }
        if !out.hasSuffix("\n") { out += "\n" }
        if !out.hasSuffix("\n\n") { out += "\n" }
    }

    private func text(_ inlines: [Inline]) -> String {
        var out = ""
        for inline in inlines {
            switch inline {
            case .text(let t, let style): if !style.contains(.hidden) || options.includeHidden { out += t }
            case .link(let link):
                out += text(link.content)
                if case .url(let url) = link.target, !url.isEmpty, text(link.content) != url { out += " <\(url)>" }
            case .lineBreak: out += "\n"
            case .tab: out += "\t"
            case .image(let image): out += image.altText.isEmpty ? "" : "[image: \(image.altText)]"
            case .noteReference(let kind, let id):
                if options.includeNotes { out += kind == .footnote ? "[\(id)]" : "[e\(id)]" }
            case .commentReference(let id):
                if options.includeComments { out += "[c\(id)]" }
            case .change(let change):
                let inner = text(change.content)
                switch options.changes {
                case .accepted: if change.kind.isKeptWhenAccepted { out += inner }
                case .original: if !change.kind.isKeptWhenAccepted { out += inner }
                case .review:
                    if !inner.isEmpty { out += change.kind.isKeptWhenAccepted ? "{++\(inner)++}" : "{--\(inner)--}" }
                }
            }
        }
        return out
    }

    private func renderBlocks(_ blocks: [Block], into out: inout String) {
        var previousWasList = false
        for block in blocks.joiningCode() {
            var piece = ""
            var isList = false
            switch block {
            case .heading(let h):
                piece = (h.marker.map { $0 + " " } ?? "") + text(h.content).trimmingBlanks()
            case .paragraph(let p):
                piece = text(p.content).trimmingBlanks()
            case .listItem(let item):
                isList = true
                let marker = item.isOrdered || !item.marker.isEmpty ? item.marker : "•"
                piece = String(repeating: "  ", count: item.level) + marker + " " + text(item.content).trimmingBlanks()
            case .table(let table):
                piece = TableGrid(table).rows.map { row in
                    row.map { cell in
                        guard let cell else { return "" }
                        return cell.blocks.paragraphTexts(options.changes).filter { !$0.isEmpty }
                            .joined(separator: " ").replacingNewlines().replacingAll("\t", with: " ")
                    }.joined(separator: "\t")
                }.joined(separator: "\n")
            case .quote(let inner):
                var nested = ""
                renderBlocks(inner, into: &nested)
                piece = nested.trimmingTrailingNewlines()
            case .code(let code):
                piece = code
            case .image(let image):
                piece = image.altText.isEmpty ? "" : "[image: \(image.altText)]"
            case .pageBreak, .sectionBreak:
                continue
            }
            if piece.isEmpty { continue }
            if !(isList && previousWasList) { separate(&out) }
            out += piece + "\n"
            previousWasList = isList
        }
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while s.last?.isNewline == true { s.removeLast() }
        return String(s)
    }
}
