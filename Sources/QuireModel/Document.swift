/// A text document read from any source, in reading order.
public struct Document: Sendable, Equatable {
    public var metadata: DocumentMetadata
    /// The body, in reading order.
    public var blocks: [Block]
    /// Footnotes and endnotes, in the order they are first referenced.
    public var notes: [Note]
    /// Review comments, each with the text it is anchored to.
    public var comments: [Comment]
    /// Page headers and footers, kept apart from the body.
    public var headersAndFooters: [HeaderFooter]

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
    public let name: String
    public init(_ name: String) { self.name = name }
    public static let docx = DocumentFormat("docx")
    public static let xlsx = DocumentFormat("xlsx")
    public static let eml = DocumentFormat("eml")
    public static let unknown = DocumentFormat("unknown")
    public var description: String { name }
}

/// Descriptive properties; every field is optional because sources often lack them.
public struct DocumentMetadata: Sendable, Equatable {
    public var title: String?
    public var subject: String?
    public var authors: [String]
    public var lastModifiedBy: String?
    /// ISO 8601 text as stored in the source (`2024-03-01T10:00:00Z`).
    public var created: String?
    public var modified: String?
    public var keywords: String?
    public var description: String?
    /// The application that wrote the file (`Microsoft Office Word 16.0000`).
    public var producer: String?
    public var sourcePath: String?
    public var format: DocumentFormat

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
    case heading(Heading)
    case paragraph(Paragraph)
    case listItem(ListItem)
    case table(Table)
    /// A block quotation.
    case quote([Block])
    /// Preformatted text (code), lines joined with `\n`.
    case code(String)
    case image(Image)
    case pageBreak
    case sectionBreak
}

public struct Heading: Sendable, Equatable {
    /// 1 (top) through 9. A document title is level 1 with `isTitle`.
    public var level: Int
    public var content: [Inline]
    public var isTitle: Bool
    /// The number Word shows before a numbered heading (`2.1`), if any.
    public var marker: String?
    public init(level: Int, content: [Inline], isTitle: Bool = false, marker: String? = nil) {
        self.level = level
        self.content = content
        self.isTitle = isTitle
        self.marker = marker
    }
}

public struct Paragraph: Sendable, Equatable {
    public var content: [Inline]
    /// The source's style name, when it says something (`Caption`, `Subtitle`).
    public var style: String?
    /// A tracked change of the paragraph mark at its end (its content is empty): a deleted
    /// mark joins this paragraph to the next once accepted; an inserted one split them, so
    /// in the original they are one. Renderers apply it for their `ChangeView`.
    public var mark: Change?
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
    public let view: ChangeView
    private var pending: Paragraph?

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

public struct ListItem: Sendable, Equatable {
    /// 0 for the outermost level.
    public var level: Int
    public var isOrdered: Bool
    /// The marker the source application would show: `3.`, `b)`, `iv.`, `•`.
    public var marker: String
    public var content: [Inline]
    /// Items of one list share this; a new list restarts its numbering.
    public var listID: String?
    public init(level: Int, isOrdered: Bool, marker: String, content: [Inline], listID: String? = nil) {
        self.level = level
        self.isOrdered = isOrdered
        self.marker = marker
        self.content = content
        self.listID = listID
    }
}

public struct Table: Sendable, Equatable {
    public var rows: [TableRow]
    /// How many leading rows are header rows (0 when the source does not say).
    public var headerRowCount: Int
    public init(rows: [TableRow], headerRowCount: Int = 0) {
        self.rows = rows
        self.headerRowCount = headerRowCount
    }

    /// The number of grid columns: the widest row, counting spans.
    public var columnCount: Int {
        rows.map { $0.cells.reduce(0) { $0 + max($1.columnSpan, 1) } }.max() ?? 0
    }
}

public struct TableRow: Sendable, Equatable {
    public var cells: [TableCell]
    public init(cells: [TableCell]) { self.cells = cells }
}

public struct TableCell: Sendable, Equatable {
    public var blocks: [Block]
    public var columnSpan: Int
    /// Rows this cell covers, itself included; covered cells below are not listed.
    public var rowSpan: Int
    public init(blocks: [Block], columnSpan: Int = 1, rowSpan: Int = 1) {
        self.blocks = blocks
        self.columnSpan = columnSpan
        self.rowSpan = rowSpan
    }
}

public struct Image: Sendable, Equatable {
    /// The author's description (alt text), or empty.
    public var altText: String
    public var title: String?
    /// Where the picture is stored in the package (`word/media/image1.png`), if inside it.
    public var mediaPath: String?
    public init(altText: String, title: String? = nil, mediaPath: String? = nil) {
        self.altText = altText
        self.title = title
        self.mediaPath = mediaPath
    }
}

public struct Note: Sendable, Equatable {
    public enum Kind: String, Sendable { case footnote, endnote }
    public var kind: Kind
    public var id: String
    public var blocks: [Block]
    public init(kind: Kind, id: String, blocks: [Block]) {
        self.kind = kind
        self.id = id
        self.blocks = blocks
    }
}

public struct Comment: Sendable, Equatable {
    public var id: String
    public var author: String?
    public var initials: String?
    /// ISO 8601 text as stored.
    public var date: String?
    public var blocks: [Block]
    /// The document text the comment is attached to (accepted view).
    public var anchoredText: String
    public init(id: String, author: String?, initials: String? = nil, date: String?, blocks: [Block], anchoredText: String) {
        self.id = id
        self.author = author
        self.initials = initials
        self.date = date
        self.blocks = blocks
        self.anchoredText = anchoredText
    }
}

public struct HeaderFooter: Sendable, Equatable {
    public enum Kind: String, Sendable { case header, footer }
    /// Which pages it is for: `default`, `first` or `even`.
    public var kind: Kind
    public var pages: String
    public var blocks: [Block]
    public init(kind: Kind, pages: String, blocks: [Block]) {
        self.kind = kind
        self.pages = pages
        self.blocks = blocks
    }
}
