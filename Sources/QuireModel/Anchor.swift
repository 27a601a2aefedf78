/// Stable addresses of content: the same file read again gives every block, table cell,
/// sheet cell and message the same anchor, so that a task can cite its sources and another
/// tool can point back into the file. Anchors are short strings, written as the JSON `id` of
/// each block, and resolved with ``Document/block(at:)``.
///
/// | content | anchor | example |
/// |---|---|---|
/// | a body block | `b` and its 1-based position | `b12` |
/// | a block inside a table cell | the table's anchor, `.r` row `c` cell (1-based, as listed), `.b` position | `b4.r2c3.b1` |
/// | a block inside a quote | the quote's anchor, `.b` position | `b7.b2` |
/// | a note's block | `fn`/`en` and the note's id, `.b` position | `fn3.b1` |
/// | a comment's block | `cm` and the comment's id, `.b` position | `cm0.b1` |
/// | a header's or footer's block | `hf` and its 1-based position, `.b` position | `hf1.b1` |
/// | a sheet cell | the sheet's name (quoted when it has to be, as Excel writes it), `!`, the A1 reference | `'Q1 Sales'!B7` |
/// | a message | its Message-ID in angle brackets, or where it was read from | `<id@host>`, `box.mbox#3` |
/// | a MIME part of a message | the message's anchor, `/`, the part's section number | `<id@host>/2.1` |
public enum Anchor {
    /// Body block `index` (0-based): `b1` for the first.
    public static func body(_ index: Int) -> String { "b\(index + 1)" }

    /// Block `index` (0-based) of the blocks inside `parent` (a quote, a table cell, a note…).
    public static func child(_ index: Int, of parent: String) -> String { parent + ".b\(index + 1)" }

    /// The cell at listed position `cell` of row `row` (both 0-based) of the table `table`.
    public static func cell(row: Int, cell: Int, of table: String) -> String { table + ".r\(row + 1)c\(cell + 1)" }

    /// A footnote (`fn…`) or endnote (`en…`).
    public static func note(_ note: Note) -> String { (note.kind == .footnote ? "fn" : "en") + note.id }

    /// A review comment.
    public static func comment(_ comment: Comment) -> String { "cm" + comment.id }

    /// Page header or footer `index` (0-based) of `Document.headersAndFooters`.
    public static func headerFooter(_ index: Int) -> String { "hf\(index + 1)" }

    /// A sheet cell: `Data!B7`, `'Q1 Sales'!B7` (a name with anything but letters, digits and
    /// `_` is quoted, a `'` in it doubled).
    public static func cell(_ reference: String, sheet: String) -> String {
        let plain = !sheet.isEmpty && sheet.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !(sheet.first?.isNumber ?? true)
        let name = plain ? sheet : "'" + sheet.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
        return name + "!" + reference
    }

    /// A message: `<Message-ID>`, else `file#index` for an mbox message, else its file.
    public static func message(_ message: MailMessage) -> String? {
        if let id = message.messageID, !id.isEmpty { return "<" + id + ">" }
        guard let origin = message.origin else { return nil }
        if let index = origin.index { return origin.file + "#\(index + 1)" }
        return origin.maildirName.map { origin.file + "#" + $0 } ?? origin.file
    }
}

extension Document {
    /// Every block with its anchor, in reading order: the body (nested blocks after their
    /// parent), then notes, comments, headers and footers.
    public func anchoredBlocks() -> [(anchor: String, block: Block)] {
        var out: [(anchor: String, block: Block)] = []
        func walk(_ blocks: [Block], _ id: (Int) -> String) {
            for (index, block) in blocks.enumerated() {
                let anchor = id(index)
                out.append((anchor, block))
                switch block {
                case .quote(let inner): walk(inner) { Anchor.child($0, of: anchor) }
                case .table(let table):
                    for (r, row) in table.rows.enumerated() {
                        for (c, cell) in row.cells.enumerated() {
                            let cellAnchor = Anchor.cell(row: r, cell: c, of: anchor)
                            walk(cell.blocks) { Anchor.child($0, of: cellAnchor) }
                        }
                    }
                default: break
                }
            }
        }
        walk(blocks, Anchor.body)
        for note in notes { walk(note.blocks) { Anchor.child($0, of: Anchor.note(note)) } }
        for comment in comments { walk(comment.blocks) { Anchor.child($0, of: Anchor.comment(comment)) } }
        for (index, part) in headersAndFooters.enumerated() { walk(part.blocks) { Anchor.child($0, of: Anchor.headerFooter(index)) } }
        return out
    }

    /// The block at `anchor` (as ``anchoredBlocks()`` and the JSON `id` give it), or nil.
    public func block(at anchor: String) -> Block? {
        var steps = anchor.split(separator: ".").map(String.init)
        guard !steps.isEmpty else { return nil }
        let head = steps.removeFirst()
        var blocks: [Block]
        var index: Int
        if head.hasPrefix("b"), let n = Int(head.dropFirst()) {
            blocks = self.blocks
            index = n
        } else {
            if head.hasPrefix("fn") || head.hasPrefix("en") {
                let kind: Note.Kind = head.hasPrefix("fn") ? .footnote : .endnote
                guard let note = notes.first(where: { $0.kind == kind && $0.id == String(head.dropFirst(2)) }) else { return nil }
                blocks = note.blocks
            } else if head.hasPrefix("cm") {
                guard let comment = comments.first(where: { $0.id == String(head.dropFirst(2)) }) else { return nil }
                blocks = comment.blocks
            } else if head.hasPrefix("hf"), let n = Int(head.dropFirst(2)), n >= 1, n <= headersAndFooters.count {
                blocks = headersAndFooters[n - 1].blocks
            } else {
                return nil
            }
            guard let first = steps.first, first.hasPrefix("b"), let n = Int(first.dropFirst()) else { return nil }
            steps.removeFirst()
            index = n
        }
        while true {
            guard index >= 1, index <= blocks.count else { return nil }
            let block = blocks[index - 1]
            guard let step = steps.first else { return block }
            steps.removeFirst()
            switch block {
            case .quote(let inner):
                guard step.hasPrefix("b"), let n = Int(step.dropFirst()) else { return nil }
                blocks = inner
                index = n
            case .table(let table):
                // `r<R>c<C>` then `b<N>`.
                guard step.hasPrefix("r"), let c = step.firstIndex(of: "c"), let r = Int(step[step.index(after: step.startIndex)..<c]),
                    let col = Int(step[step.index(after: c)...]), r >= 1, r <= table.rows.count, col >= 1, col <= table.rows[r - 1].cells.count,
                    let next = steps.first, next.hasPrefix("b"), let n = Int(next.dropFirst())
                else { return nil }
                steps.removeFirst()
                blocks = table.rows[r - 1].cells[col - 1].blocks
                index = n
            default:
                return nil
            }
        }
    }
}
