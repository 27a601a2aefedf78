/// Inline content of a paragraph, heading, list item or cell.
public indirect enum Inline: Sendable, Equatable {
    /// Text with its character formatting.
    case text(String, TextStyle)
    /// A hyperlink around inline content.
    case link(Link)
    /// A line break inside a paragraph.
    case lineBreak
    /// A tab character.
    case tab
    /// A picture inside the text.
    case image(Image)
    /// A reference to a footnote or endnote in `Document.notes`.
    case noteReference(Note.Kind, id: String)
    /// Marks the end of the text a comment in `Document.comments` is anchored to.
    case commentReference(id: String)
    /// A tracked change: inserted or deleted (or moved) content with its author and date.
    case change(Change)
}

/// Character formatting that carries meaning.
public struct TextStyle: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Bold (`**…**` in Markdown).
    public static let bold = TextStyle(rawValue: 1 << 0)
    /// Italic.
    public static let italic = TextStyle(rawValue: 1 << 1)
    /// Struck through (`~~…~~`).
    public static let strikethrough = TextStyle(rawValue: 1 << 2)
    /// Underlined (no Markdown form; kept in JSON).
    public static let underline = TextStyle(rawValue: 1 << 3)
    /// Raised (superscript).
    public static let superscript = TextStyle(rawValue: 1 << 4)
    /// Lowered (subscript).
    public static let `subscript` = TextStyle(rawValue: 1 << 5)
    /// Monospaced code.
    public static let code = TextStyle(rawValue: 1 << 6)
    /// Hidden text (Word's `w:vanish`): in the file, not shown when it is read or printed.
    /// Renderers leave it out unless `RenderOptions.includeHidden`; the JSON marks it.
    public static let hidden = TextStyle(rawValue: 1 << 7)
    /// No formatting.
    public static let plain: TextStyle = []
}

/// A hyperlink: where it goes and the content that carries it.
public struct Link: Sendable, Equatable {
    /// Where a link points.
    public enum Target: Sendable, Equatable {
        /// An address outside the document (`https:`, `mailto:`, …).
        case url(String)
        /// A bookmark inside the document.
        case anchor(String)
    }
    /// Where it goes.
    public var target: Target
    /// The linked text.
    public var content: [Inline]
    /// A link from its target and content.
    public init(target: Target, content: [Inline]) {
        self.target = target
        self.content = content
    }
}

/// A tracked change: what was inserted, deleted or moved, by whom and when.
public struct Change: Sendable, Equatable {
    /// What the change did.
    public enum Kind: String, Sendable {
        /// Text added by the author of the change.
        case insertion
        /// Text removed by the author of the change.
        case deletion
        /// Text moved away from here (shown struck in review, absent once accepted).
        case moveFrom
        /// Text moved to here.
        case moveTo

        /// Whether the content stays when the change is accepted.
        public var isKeptWhenAccepted: Bool { self == .insertion || self == .moveTo }
    }
    /// What the change did.
    public var kind: Kind
    /// Who made it, as the source names them.
    public var author: String?
    /// When, ISO 8601 text as stored.
    public var date: String?
    /// The content inserted, deleted or moved.
    public var content: [Inline]
    /// A change from its parts.
    public init(kind: Kind, author: String?, date: String?, content: [Inline]) {
        self.kind = kind
        self.author = author
        self.date = date
        self.content = content
    }
}

/// Which text of tracked changes a renderer shows.
public enum ChangeView: String, Sendable {
    /// As if every change were accepted: insertions kept, deletions gone.
    case accepted
    /// Both, marked: `{++inserted++}` and `{--deleted--}` (CriticMarkup).
    case review
    /// As if every change were rejected: the text before the changes.
    case original
}
