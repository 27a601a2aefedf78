public import QuireModel

/// Renders a document as JSON following the versioned schema in `docs/json-schema.md`
/// (`"schema": "quire.document", "version": 1`). Everything the model holds is written,
/// tracked changes included, whatever the render options say about the other formats.
public struct JSONRenderer: Sendable {
    /// The `schema` field of the JSON: `quire.document`.
    public static let schemaName = "quire.document"
    /// The schema's version; it changes when a field changes meaning or goes.
    public static let schemaVersion = 1
    /// Indented over several lines (true) or on one line (false, for JSON Lines).
    public var pretty: Bool

    /// A renderer writing indented or one-line JSON.
    public init(pretty: Bool = true) {
        self.pretty = pretty
    }

    /// The document as one `quire.document` JSON object (docs/json-schema.md).
    public func render(_ document: Document) -> String {
        var w = JSONWriter(pretty: pretty)
        write(document, to: &w)
        return w.output + "\n"
    }

    package func write(_ document: Document, to w: inout JSONWriter) {
        writeHead(to: &w)
        for (index, block) in document.blocks.enumerated() { writeBlock(block, id: Anchor.body(index), to: &w) }
        writeTail(document, to: &w)
    }

    /// The object's start, up to the opening of `blocks`. The metadata comes last: a title
    /// taken from the first heading is known only once the body is read, and the body is
    /// written as it is read (`JSONDocumentStream`).
    package func writeHead(to w: inout JSONWriter) {
        w.beginObject()
        w.field("schema", JSONRenderer.schemaName)
        w.field("version", JSONRenderer.schemaVersion)
        w.key("blocks")
        w.beginArray()
    }

    /// The end of `blocks`, then notes, comments, headers and footers, and the metadata.
    package func writeTail(_ document: Document, to w: inout JSONWriter) {
        w.endArray()
        w.key("notes")
        w.beginArray()
        for note in document.notes {
            w.beginObject()
            w.field("kind", note.kind.rawValue)
            w.field("id", note.id)
            w.key("blocks")
            writeBlocks(note.blocks, parent: Anchor.note(note), to: &w)
            w.endObject()
        }
        w.endArray()
        w.key("comments")
        w.beginArray()
        for comment in document.comments {
            w.beginObject()
            w.field("id", comment.id)
            w.field("author", comment.author)
            w.field("initials", comment.initials)
            w.field("date", comment.date)
            w.field("anchored_text", comment.anchoredText)
            w.key("blocks")
            writeBlocks(comment.blocks, parent: Anchor.comment(comment), to: &w)
            w.endObject()
        }
        w.endArray()
        w.key("headers_footers")
        w.beginArray()
        for (index, part) in document.headersAndFooters.enumerated() {
            w.beginObject()
            w.field("kind", part.kind.rawValue)
            w.field("pages", part.pages)
            w.key("blocks")
            writeBlocks(part.blocks, parent: Anchor.headerFooter(index), to: &w)
            w.endObject()
        }
        w.endArray()
        w.key("warnings")
        w.beginArray()
        for warning in document.warnings { w.string(warning) }
        w.endArray()
        w.key("metadata")
        writeMetadata(document.metadata, to: &w)
        w.endObject()
    }

    private func writeMetadata(_ m: DocumentMetadata, to w: inout JSONWriter) {
        w.beginObject()
        w.field("format", m.format.name)
        w.field("source", m.sourcePath)
        w.field("title", m.title)
        w.field("subject", m.subject)
        w.key("authors")
        w.beginArray()
        for author in m.authors { w.string(author) }
        w.endArray()
        w.field("last_modified_by", m.lastModifiedBy)
        w.field("created", m.created)
        w.field("modified", m.modified)
        w.field("keywords", m.keywords)
        w.field("description", m.description)
        w.field("producer", m.producer)
        w.endObject()
    }

    private func writeBlocks(_ blocks: [Block], parent: String, to w: inout JSONWriter) {
        w.beginArray()
        for (index, block) in blocks.enumerated() { writeBlock(block, id: Anchor.child(index, of: parent), to: &w) }
        w.endArray()
    }

    /// One block as an object whose `id` is its anchor (see ``Anchor``).
    package func writeBlock(_ block: Block, id: String, to w: inout JSONWriter) {
        w.beginObject()
        w.field("id", id)
        switch block {
        case .heading(let h):
            w.field("type", "heading")
            w.field("level", h.level)
            if h.isTitle { w.field("title", true) }
            if let marker = h.marker { w.field("marker", marker) }
            w.key("content")
            writeInlines(h.content, to: &w)
        case .paragraph(let p):
            w.field("type", "paragraph")
            if let style = p.style { w.field("style", style) }
            if let mark = p.mark {
                // The paragraph mark at its end was inserted or deleted (a tracked split or join).
                w.key("mark")
                w.beginObject()
                w.field("change", mark.kind == .insertion ? "insertion" : "deletion")
                w.field("author", mark.author)
                w.field("date", mark.date)
                w.endObject()
            }
            w.key("content")
            writeInlines(p.content, to: &w)
        case .listItem(let item):
            w.field("type", "list_item")
            w.field("level", item.level)
            w.field("ordered", item.isOrdered)
            w.field("marker", item.marker)
            w.field("list", item.listID)
            w.key("content")
            writeInlines(item.content, to: &w)
        case .table(let table):
            w.field("type", "table")
            w.field("header_rows", table.headerRowCount)
            w.field("columns", table.columnCount)
            w.key("rows")
            w.beginArray()
            for (r, row) in table.rows.enumerated() {
                w.beginArray()
                for (c, cell) in row.cells.enumerated() {
                    w.beginObject()
                    if cell.columnSpan != 1 { w.field("col_span", cell.columnSpan) }
                    if cell.rowSpan != 1 { w.field("row_span", cell.rowSpan) }
                    w.key("blocks")
                    writeBlocks(cell.blocks, parent: Anchor.cell(row: r, cell: c, of: id), to: &w)
                    w.endObject()
                }
                w.endArray()
            }
            w.endArray()
        case .quote(let blocks):
            w.field("type", "quote")
            w.key("blocks")
            writeBlocks(blocks, parent: id, to: &w)
        case .code(let text):
            w.field("type", "code")
            w.field("text", text)
        case .image(let image):
            w.field("type", "image")
            writeImageFields(image, to: &w)
        case .pageBreak:
            w.field("type", "page_break")
        case .sectionBreak:
            w.field("type", "section_break")
        }
        w.endObject()
    }

    private func writeImageFields(_ image: Image, to w: inout JSONWriter) {
        w.field("alt", image.altText)
        w.field("title", image.title)
        w.field("media", image.mediaPath)
    }

    private func writeInlines(_ inlines: [Inline], to w: inout JSONWriter) {
        w.beginArray()
        for inline in inlines {
            w.beginObject()
            switch inline {
            case .text(let text, let style):
                w.field("type", "text")
                w.field("text", text)
                if style.contains(.bold) { w.field("bold", true) }
                if style.contains(.italic) { w.field("italic", true) }
                if style.contains(.strikethrough) { w.field("strike", true) }
                if style.contains(.underline) { w.field("underline", true) }
                if style.contains(.superscript) { w.field("superscript", true) }
                if style.contains(.subscript) { w.field("subscript", true) }
                if style.contains(.code) { w.field("code", true) }
                if style.contains(.hidden) { w.field("hidden", true) }
            case .link(let link):
                w.field("type", "link")
                switch link.target {
                case .url(let url): w.field("url", url)
                case .anchor(let anchor): w.field("anchor", anchor)
                }
                w.key("content")
                writeInlines(link.content, to: &w)
            case .lineBreak:
                w.field("type", "line_break")
            case .tab:
                w.field("type", "tab")
            case .image(let image):
                w.field("type", "image")
                writeImageFields(image, to: &w)
            case .noteReference(let kind, let id):
                w.field("type", "note_ref")
                w.field("kind", kind.rawValue)
                w.field("id", id)
            case .commentReference(let id):
                w.field("type", "comment_ref")
                w.field("id", id)
            case .change(let change):
                w.field("type", "change")
                w.field("kind", change.kind.rawValue)
                w.field("author", change.author)
                w.field("date", change.date)
                w.key("content")
                writeInlines(change.content, to: &w)
            }
            w.endObject()
        }
        w.endArray()
    }
}

/// JSON of a document whose body arrives a block at a time, as `JSONRenderer` writes it
/// whole: constant memory for any document size.
public struct JSONDocumentStream {
    private let renderer: JSONRenderer
    private var writer: JSONWriter
    private var count = 0

    /// A stream writing indented or one-line JSON; the object's head is written at once.
    public init(pretty: Bool = true) {
        renderer = JSONRenderer(pretty: pretty)
        writer = JSONWriter(pretty: pretty)
        renderer.writeHead(to: &writer)
    }

    /// Writes one body block, its anchor counted from the blocks before it.
    public mutating func append(_ block: Block) {
        renderer.writeBlock(block, id: Anchor.body(count), to: &writer)
        count += 1
    }

    /// Ends the object with the rest of the document (its `blocks` are not written again).
    public mutating func finish(_ rest: Document) {
        renderer.writeTail(rest, to: &writer)
        writer.appendRaw("\n")
    }

    /// What was written since the last call.
    public mutating func takeOutput() -> String { writer.takeOutput() }
}
