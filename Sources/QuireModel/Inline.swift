/// Inline content of a paragraph, heading, list item or cell.
public indirect enum Inline: Sendable, Equatable {
    case text(String, TextStyle)
    case link(Link)
    case lineBreak
    case tab
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
    public static let bold = TextStyle(rawValue: 1 << 0)
    public static let italic = TextStyle(rawValue: 1 << 1)
    public static let strikethrough = TextStyle(rawValue: 1 << 2)
    public static let underline = TextStyle(rawValue: 1 << 3)
    public static let superscript = TextStyle(rawValue: 1 << 4)
    public static let `subscript` = TextStyle(rawValue: 1 << 5)
    public static let code = TextStyle(rawValue: 1 << 6)
    public static let plain: TextStyle = []
}

public struct Link: Sendable, Equatable {
    public enum Target: Sendable, Equatable {
        case url(String)
        /// A bookmark inside the document.
        case anchor(String)
    }
    public var target: Target
    public var content: [Inline]
    public init(target: Target, content: [Inline]) {
        self.target = target
        self.content = content
    }
}

public struct Change: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case insertion, deletion
        /// Text moved away from here (shown struck in review, absent once accepted).
        case moveFrom
        /// Text moved to here.
        case moveTo

        /// Whether the content stays when the change is accepted.
        public var isKeptWhenAccepted: Bool { self == .insertion || self == .moveTo }
    }
    public var kind: Kind
    public var author: String?
    public var date: String?
    public var content: [Inline]
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
