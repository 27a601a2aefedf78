extension Array where Element == Inline {
    /// The text of these inlines with formatting dropped: tabs as `\t`, breaks as `\n`.
    public func plainText(_ view: ChangeView = .accepted) -> String {
        var out = ""
        appendPlainText(to: &out, view: view)
        return out
    }

    func appendPlainText(to out: inout String, view: ChangeView) {
        for inline in self {
            switch inline {
            case .text(let text, _): out += text
            case .link(let link): link.content.appendPlainText(to: &out, view: view)
            case .lineBreak: out += "\n"
            case .tab: out += "\t"
            case .image, .noteReference, .commentReference: break
            case .change(let change):
                switch view {
                case .accepted:
                    if change.kind.isKeptWhenAccepted { change.content.appendPlainText(to: &out, view: view) }
                case .original:
                    if !change.kind.isKeptWhenAccepted { change.content.appendPlainText(to: &out, view: view) }
                case .review:
                    change.content.appendPlainText(to: &out, view: view)
                }
            }
        }
    }
}

extension Block {
    /// The paragraphs of this block as plain text, in reading order; a table gives each
    /// cell's paragraphs row by row.
    public func paragraphTexts(_ view: ChangeView = .accepted) -> [String] {
        switch self {
        case .heading(let h): return [h.content.plainText(view)]
        case .paragraph(let p): return [p.content.plainText(view)]
        case .listItem(let item): return [item.content.plainText(view)]
        case .table(let table):
            return table.rows.flatMap { row in row.cells.flatMap { cell in cell.blocks.flatMap { $0.paragraphTexts(view) } } }
        case .quote(let blocks): return blocks.flatMap { $0.paragraphTexts(view) }
        case .code(let text): return [text]
        case .image(let image): return image.altText.isEmpty ? [] : [image.altText]
        case .pageBreak, .sectionBreak: return []
        }
    }
}

extension Document {
    /// Every paragraph of the body as plain text, in reading order.
    public func paragraphTexts(_ view: ChangeView = .accepted) -> [String] {
        blocks.flatMap { $0.paragraphTexts(view) }
    }

    /// The body split before each heading of `maxLevel` or above, for chunking long content.
    public func sections(splittingAt maxLevel: Int = 2) -> [[Block]] {
        var sections: [[Block]] = []
        var current: [Block] = []
        for block in blocks {
            if case .heading(let h) = block, h.level <= maxLevel, !current.isEmpty {
                sections.append(current)
                current = []
            }
            current.append(block)
        }
        if !current.isEmpty { sections.append(current) }
        return sections
    }
}
