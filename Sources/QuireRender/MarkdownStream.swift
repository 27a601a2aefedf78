public import QuireModel

/// Renders a stream of blocks one at a time, keeping what the next block's layout needs
/// (is it the same list? is a code block still open?).
struct BlockWriter {
    let renderer: MarkdownRenderer
    let indent: String
    /// Rendered text not yet taken.
    var out = ""
    private var wroteAny = false
    var hasWritten: Bool { wroteAny }
    private var previousList: (id: String?, level: Int)?
    private var pendingCode: String?

    init(renderer: MarkdownRenderer, indent: String) {
        self.renderer = renderer
        self.indent = indent
    }

    mutating func write(_ block: Block) {
        if case .code(let code) = block {
            // Neighbouring code blocks (one per source paragraph) share one fence.
            pendingCode = pendingCode.map { $0 + "\n" + code } ?? code
            return
        }
        flush()
        emit(block)
    }

    /// Writes a code block still held back.
    mutating func flush() {
        if let code = pendingCode {
            pendingCode = nil
            emit(.code(code))
        }
    }

    private mutating func emit(_ block: Block) {
        var piece = renderer.piece(for: block, indent: indent)
        if piece.isEmpty { return }
        var sameList = false
        if case .listItem(let item) = block {
            if let previous = previousList {
                sameList = !(item.level == 0 && item.listID != previous.id)
            }
            previousList = (item.listID, item.level)
        } else {
            previousList = nil
        }
        if wroteAny && !sameList { out += "\n" }
        if !indent.isEmpty {
            // Continuation lines of nested content (notes, comments) are indented.
            let first = !wroteAny
            piece = piece.split(separator: "\n", omittingEmptySubsequences: false)
                .enumerated().map { ($0.offset == 0 && first) || $0.element.isEmpty ? String($0.element) : indent + $0.element }
                .joined(separator: "\n")
        }
        out += piece
        wroteAny = true
    }
}

/// Renders Markdown as blocks arrive, so a reader can stream a body without keeping it.
///
/// `append` each body block in order, then `finish` with the document (for its notes,
/// comments, headers and footers); `takeOutput` hands over what is rendered so far.
public struct MarkdownStream: Sendable {
    private let renderer: MarkdownRenderer
    private var writer: BlockWriter
    private var marks: ParagraphMarks

    /// A stream with these options.
    public init(options: RenderOptions = RenderOptions()) {
        renderer = MarkdownRenderer(options: options)
        writer = BlockWriter(renderer: renderer, indent: "")
        marks = ParagraphMarks(view: options.changes)
    }

    /// Renders one body block (held back only while a deleted paragraph mark may merge it with the next).
    public mutating func append(_ block: Block) {
        for ready in marks.feed(block) { writer.write(ready) }
    }

    /// Renders what is held and the document's notes, comments, headers and footers (its `blocks` are not rendered again).
    public mutating func finish(_ document: Document) {
        for ready in marks.finish() { writer.write(ready) }
        writer.flush()
        let body = writer.out
        writer.out = renderer.renderBackMatter(document, after: body, continuing: writer.hasWritten)
    }

    /// The text rendered since the last call.
    public mutating func takeOutput() -> String {
        let text = writer.out
        writer.out = ""
        return text
    }
}

/// A table laid out on its grid: spanned positions are nil, so every row has `columnCount` slots.
struct TableGrid {
    var rows: [[TableCell?]]
    var columnCount: Int

    init(_ table: Table) {
        var occupied: [Int: Int] = [:]  // column → rows still covered by a row span from above
        var rows: [[TableCell?]] = []
        var width = 0
        for row in table.rows {
            var slots: [TableCell?] = []
            var column = 0
            func skipCovered() {
                while let left = occupied[column], left > 0 {
                    slots.append(nil)
                    occupied[column] = left - 1
                    column += 1
                }
            }
            for cell in row.cells {
                skipCovered()
                slots.append(cell)
                let span = max(cell.columnSpan, 1)
                for c in column..<(column + span) {
                    if cell.rowSpan > 1 { occupied[c] = cell.rowSpan - 1 }
                    if c > column { slots.append(nil) }
                }
                column += span
            }
            skipCovered()
            width = max(width, slots.count)
            rows.append(slots)
        }
        for i in rows.indices where rows[i].count < width {
            rows[i].append(contentsOf: Array(repeating: nil, count: width - rows[i].count))
        }
        self.rows = rows
        self.columnCount = width
    }
}
