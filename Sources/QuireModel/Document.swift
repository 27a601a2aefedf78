/// A text document read from any source, in reading order.
public struct Document: Sendable, Equatable {
    /// Title, authors, dates and where the document came from.
    public var metadata: DocumentMetadata
    /// The body, in reading order.
    public var blocks: [Block]
    /// Footnotes and endnotes, in the order they are first referenced.
    public var notes: [Note]
    /// Review comments, each with the text it is anchored to.
    public var comments: [Comment]
    /// Page headers and footers, kept apart from the body.
    public var headersAndFooters: [HeaderFooter]
    /// What could not be read and was left out, each naming the part and why (a damaged
    /// comments or styles part): the rest of the document is still here.
    public var warnings: [String] = []

    /// A document from its parts; every part may be left out.
    public init(
        metadata: DocumentMetadata = DocumentMetadata(), blocks: [Block] = [], notes: [Note] = [],
        comments: [Comment] = [], headersAndFooters: [HeaderFooter] = []
    ) {
        self.metadata = metadata
        self.blocks = blocks
        self.notes = notes
        self.comments = comments
        self.headersAndFooters = headersAndFooters
    }
}

/// The source format of a document.
public struct DocumentFormat: Hashable, Sendable, CustomStringConvertible {
    /// The format's short name, as the JSON `metadata.format` gives it.
    public let name: String
    /// A format named `name` (lower case, as a file extension).
    public init(_ name: String) { self.name = name }
    /// A Word document (Office Open XML).
    public static let docx = DocumentFormat("docx")
    /// An Excel workbook (Office Open XML).
    public static let xlsx = DocumentFormat("xlsx")
    /// A mail message (RFC 5322 / MIME).
    public static let eml = DocumentFormat("eml")
    /// A source whose format was not told.
    public static let unknown = DocumentFormat("unknown")
    public var description: String { name }
}

/// Descriptive properties; every field is optional because sources often lack them.
public struct DocumentMetadata: Sendable, Equatable {
    /// The title (core property `dc:title`), or for DOCX the first Title-styled heading.
    public var title: String?
    /// The subject (`dc:subject`).
    public var subject: String?
    /// The authors (`dc:creator`), in the order stored.
    public var authors: [String]
    /// Who saved the file last (`cp:lastModifiedBy`).
    public var lastModifiedBy: String?
    /// ISO 8601 text as stored in the source (`2024-03-01T10:00:00Z`).
    public var created: String?
    /// When the file was last saved, ISO 8601 text as stored.
    public var modified: String?
    /// Keywords (`cp:keywords`), as one string.
    public var keywords: String?
    /// The description or abstract (`dc:description`).
    public var description: String?
    /// The application that wrote the file (`Microsoft Office Word 16.0000`).
    public var producer: String?
    /// The path the document was read from, or `<stdin>`.
    public var sourcePath: String?
    /// The format it was read from.
    public var format: DocumentFormat

    /// Metadata from its fields; all optional.
    public init(
        title: String? = nil, subject: String? = nil, authors: [String] = [], lastModifiedBy: String? = nil,
        created: String? = nil, modified: String? = nil, keywords: String? = nil, description: String? = nil,
        producer: String? = nil, sourcePath: String? = nil, format: DocumentFormat = .unknown
    ) {
        self.title = title
        self.subject = subject
        self.authors = authors
        self.lastModifiedBy = lastModifiedBy
        self.created = created
        self.modified = modified
        self.keywords = keywords
        self.description = description
        self.producer = producer
        self.sourcePath = sourcePath
        self.format = format
    }
}

/// A block of content in reading order.
public indirect enum Block: Sendable, Equatable {
    /// A heading, with its level.
    case heading(Heading)
    /// A paragraph of inline content.
    case paragraph(Paragraph)
    /// One item of a bulleted or numbered list.
    case listItem(ListItem)
    /// A table of rows and cells (cells hold blocks, so tables nest).
    case table(Table)
    /// A block quotation.
    case quote([Block])
    /// Preformatted text (code), lines joined with `\n`.
    case code(String)
    /// A picture standing as a block of its own.
    case image(Image)
    /// A hard page break.
    case pageBreak
    /// The end of a section (page layout changes there).
    case sectionBreak
}

/// A heading: its level, its text and, for numbered headings, the number Word shows.
public struct Heading: Sendable, Equatable {
    /// 1 (top) through 9. A document title is level 1 with `isTitle`.
    public var level: Int
    /// The heading's text.
    public var content: [Inline]
    /// Whether the source marks it as the document's title (Word's Title style).
    public var isTitle: Bool
    /// The number Word shows before a numbered heading (`2.1`), if any.
    public var marker: String?
    /// A heading from its parts.
    public init(level: Int, content: [Inline], isTitle: Bool = false, marker: String? = nil) {
        self.level = level
        self.content = content
        self.isTitle = isTitle
        self.marker = marker
    }
}

/// A paragraph: inline content, the style name when it means something, a tracked mark.
public struct Paragraph: Sendable, Equatable {
    /// The paragraph's text and inline objects, in order.
    public var content: [Inline]
    /// The source's style name, when it says something (`Caption`, `Subtitle`).
    public var style: String?
    /// A tracked change of the paragraph mark at its end (its content is empty): a deleted
    /// mark joins this paragraph to the next once accepted; an inserted one split them, so
    /// in the original they are one. Renderers apply it for their `ChangeView`.
    public var mark: Change?
    /// A paragraph from its parts.
    public init(content: [Inline], style: String? = nil, mark: Change? = nil) {
        self.content = content
        self.style = style
        self.mark = mark
    }
}

/// Applies tracked paragraph marks to blocks as they stream by, for one view: accepted
/// joins a paragraph whose mark was deleted to the next paragraph, original joins one
/// whose mark was inserted, review shows the mark as a change (`{++¶++}`, `{--¶--}`).
/// Holds at most one paragraph back.
public struct ParagraphMarks: Sendable {
    /// The view the marks are applied for.
    public let view: ChangeView
    private var pending: Paragraph?

    /// Marks applied for `view`.
    public init(view: ChangeView) { self.view = view }

    /// Whether a paragraph's mark joins it to the next in this view.
    func joinsNext(_ paragraph: Paragraph) -> Bool {
        guard let mark = paragraph.mark else { return false }
        switch view {
        case .accepted: return mark.kind == .deletion
        case .original: return mark.kind == .insertion
        case .review: return false
        }
    }

    /// The blocks ready to be written once `block` has come.
    public mutating func feed(_ block: Block) -> [Block] {
        var out: [Block] = []
        guard case .paragraph(var paragraph) = block else {
            if let held = pending { out.append(.paragraph(held)) }
            pending = nil
            out.append(block)
            return out
        }
        if view == .review, let mark = paragraph.mark {
            paragraph.content.append(.change(Change(kind: mark.kind, author: mark.author, date: mark.date, content: [.text("¶", TextStyle())])))
        }
        if var held = pending {
            held.content += paragraph.content
            held.mark = paragraph.mark
            paragraph = held
            pending = nil
        }
        if joinsNext(paragraph) {
            pending = paragraph
        } else {
            out.append(.paragraph(paragraph))
        }
        return out
    }

    /// What is still held at the end.
    public mutating func finish() -> [Block] {
        defer { pending = nil }
        return pending.map { [.paragraph($0)] } ?? []
    }

    /// Every block of a list, marks applied.
    public static func apply(_ blocks: [Block], view: ChangeView) -> [Block] {
        guard blocks.contains(where: { if case .paragraph(let p) = $0 { p.mark != nil } else { false } }) else { return blocks }
        var marks = ParagraphMarks(view: view)
        var out: [Block] = []
        for block in blocks { out += marks.feed(block) }
        return out + marks.finish()
    }
}

/// One item of a list: its level, its marker as the source shows it, its text.
public struct ListItem: Sendable, Equatable {
    /// 0 for the outermost level.
    public var level: Int
    /// Whether the list is numbered (or lettered) rather than bulleted.
    public var isOrdered: Bool
    /// The marker the source application would show: `3.`, `b)`, `iv.`, `•`.
    public var marker: String
    /// The item's text.
    public var content: [Inline]
    /// Items of one list share this; a new list restarts its numbering.
    public var listID: String?
    /// A list item from its parts.
    public init(level: Int, isOrdered: Bool, marker: String, content: [Inline], listID: String? = nil) {
        self.level = level
        self.isOrdered = isOrdered
        self.marker = marker
        self.content = content
        self.listID = listID
    }
}

/// A table: rows of cells, and how many leading rows are header rows.
public struct Table: Sendable, Equatable {
    /// The rows, top to bottom.
    public var rows: [TableRow]
    /// How many leading rows are header rows (0 when the source does not say).
    public var headerRowCount: Int
    /// A table from its rows; `headerRowCount` leading rows are headers.
    public init(rows: [TableRow], headerRowCount: Int = 0) {
        self.rows = rows
        self.headerRowCount = headerRowCount
    }

    /// The number of grid columns: the widest row, counting spans.
    public var columnCount: Int {
        rows.map { $0.cells.reduce(0) { $0 + max($1.columnSpan, 1) } }.max() ?? 0
    }
}

/// One row of a table.
public struct TableRow: Sendable, Equatable {
    /// The row's cells, left to right; cells covered by a span above are not listed.
    public var cells: [TableCell]
    /// A row of `cells`.
    public init(cells: [TableCell]) { self.cells = cells }
}

/// One cell of a table: its blocks and how many columns and rows it spans.
public struct TableCell: Sendable, Equatable {
    /// The cell's content (paragraphs, lists, nested tables).
    public var blocks: [Block]
    /// Grid columns this cell covers, itself included.
    public var columnSpan: Int
    /// Rows this cell covers, itself included; covered cells below are not listed.
    public var rowSpan: Int
    /// A cell from its blocks and spans.
    public init(blocks: [Block], columnSpan: Int = 1, rowSpan: Int = 1) {
        self.blocks = blocks
        self.columnSpan = columnSpan
        self.rowSpan = rowSpan
    }
}

/// A picture: its alt text, title and where it is stored in the package.
public struct Image: Sendable, Equatable {
    /// The author's description (alt text), or empty.
    public var altText: String
    /// The picture's title, when the source gives one.
    public var title: String?
    /// Where the picture is stored in the package (`word/media/image1.png`), if inside it.
    public var mediaPath: String?
    /// A picture from its parts.
    public init(altText: String, title: String? = nil, mediaPath: String? = nil) {
        self.altText = altText
        self.title = title
        self.mediaPath = mediaPath
    }
}

/// A footnote or endnote, referenced from the text by `Inline.noteReference`.
public struct Note: Sendable, Equatable {
    /// Where the note is printed.
    public enum Kind: String, Sendable {
        /// At the foot of the page.
        case footnote
        /// At the end of the document.
        case endnote
    }
    /// Footnote or endnote.
    public var kind: Kind
    /// The id the references use.
    public var id: String
    /// The note's content.
    public var blocks: [Block]
    /// A note from its parts.
    public init(kind: Kind, id: String, blocks: [Block]) {
        self.kind = kind
        self.id = id
        self.blocks = blocks
    }
}

/// A review comment, with the text it is anchored to.
public struct Comment: Sendable, Equatable {
    /// The id `Inline.commentReference` uses.
    public var id: String
    /// Who wrote it, as the source names them.
    public var author: String?
    /// The author's initials, when stored.
    public var initials: String?
    /// ISO 8601 text as stored.
    public var date: String?
    /// The comment's content.
    public var blocks: [Block]
    /// The document text the comment is attached to (accepted view).
    public var anchoredText: String
    /// A comment from its parts.
    public init(id: String, author: String?, initials: String? = nil, date: String?, blocks: [Block], anchoredText: String) {
        self.id = id
        self.author = author
        self.initials = initials
        self.date = date
        self.blocks = blocks
        self.anchoredText = anchoredText
    }
}

/// A page header or footer, kept apart from the body.
public struct HeaderFooter: Sendable, Equatable {
    /// Top or bottom of the page.
    public enum Kind: String, Sendable {
        /// A page header.
        case header
        /// A page footer.
        case footer
    }
    /// Which pages it is for: `default`, `first` or `even`.
    public var kind: Kind
    /// Which pages it is for: `default`, `first` or `even`.
    public var pages: String
    /// Its content.
    public var blocks: [Block]
    /// A header or footer from its parts.
    public init(kind: Kind, pages: String, blocks: [Block]) {
        self.kind = kind
        self.pages = pages
        self.blocks = blocks
    }
}
