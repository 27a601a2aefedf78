/// A mail address: `Ada Lovelace <ada@example.org>`, maybe inside a named group.
public struct MailAddress: Sendable, Equatable, CustomStringConvertible {
    /// The display name, decoded (nil when there is none).
    public var name: String?
    /// The addr-spec, `local@domain` (may be empty for a malformed or group-only entry).
    public var address: String
    /// The group this address was listed in (`Team: a@x, b@y;`).
    public var group: String?

    /// An address, with its display name and the group it was listed in.
    public init(name: String?, address: String, group: String? = nil) {
        self.name = name
        self.address = address
        self.group = group
    }

    /// `Name <address>`, the name quoted when it holds specials.
    public var description: String {
        guard let name, !name.isEmpty else { return address }
        // RFC 5322 specials are ASCII: look at bytes.
        let needsQuotes = name.utf8.contains { b in
            switch b {
            case 0x28, 0x29, 0x3C, 0x3E, 0x5B, 0x5D, 0x3A, 0x3B, 0x40, 0x5C, 0x2C, 0x2E, 0x22: true
            default: false
            }
        }
        let quoted = needsQuotes ? "\"" + name.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\"" : name
        return address.isEmpty ? quoted : "\(quoted) <\(address)>"
    }
}

/// A header field as found: its name, and its value unfolded with encoded words decoded.
public struct MailHeader: Sendable, Equatable {
    /// The field name as written (`Subject`, `X-Mailer`).
    public var name: String
    /// The raw value, unfolded; encoded words are not decoded here.
    public var value: String

    /// A header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A date as written and, when it can be read, as an instant with its zone offset.
public struct MailDate: Sendable, Equatable {
    /// The Date header as written.
    public var raw: String
    /// Seconds since 1970-01-01T00:00:00Z.
    public var timestamp: Int64?
    /// The writer's offset from UTC, in minutes.
    public var offsetMinutes: Int
    /// False when the date names no zone (or `-0000`): the time is as written, the instant
    /// assumes UTC.
    public var zoneKnown: Bool

    /// A date from the header text and what was understood of it.
    public init(raw: String, timestamp: Int64?, offsetMinutes: Int = 0, zoneKnown: Bool = true) {
        self.raw = raw
        self.timestamp = timestamp
        self.offsetMinutes = offsetMinutes
        self.zoneKnown = zoneKnown
    }

    /// ISO 8601 in the writer's zone, such as `2005-05-08T14:09:11-05:00`; nil when unreadable.
    public var iso8601: String? {
        guard let timestamp else { return nil }
        let local = timestamp + Int64(offsetMinutes) * 60
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let seconds = Int(local - days * 86_400)
        let (year, month, day) = CivilCalendar.date(fromDays: Int(days))
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        func four(_ n: Int) -> String { String(repeating: "0", count: max(0, 4 - String(n).count)) + String(n) }
        let sign = offsetMinutes < 0 ? "-" : "+"
        let offset = abs(offsetMinutes)
        return "\(four(year))-\(two(Int(month)))-\(two(Int(day)))T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))"
            + (zoneKnown ? "\(sign)\(two(offset / 60)):\(two(offset % 60))" : "")
    }
}

/// A part of a message that is not its body text: a file, an inline image, a nested mail.
public struct MailAttachment: Sendable {
    /// The file name (RFC 2231 / encoded words decoded), when the part names one.
    public var filename: String?
    /// `type/subtype`, lower-cased.
    public var contentType: String
    /// Decoded size in bytes.
    public var size: Int
    /// The part's Content-ID, without angle brackets (an inline image's `cid:`).
    public var contentID: String?
    /// Shown in the body (`Content-Disposition: inline`, or referenced by content id).
    public var isInline: Bool
    /// How deep in the MIME tree: 0 the message itself, 1 a part of its top multipart …
    public var depth: Int
    /// The part's section number in its message, as IMAP numbers parts (`2`, `1.3`): with
    /// the message's anchor, the part's stable address (`<id@host>/2`). Nil when unknown.
    public var section: String?
    /// The decoded bytes.
    public var data: [UInt8]
    /// What an attached office file or message holds, when it was read.
    public var content: AttachedContent?

    /// An attachment from its parts.
    public init(
        filename: String?, contentType: String, size: Int, contentID: String? = nil, isInline: Bool = false, depth: Int = 1,
        data: [UInt8] = [], content: AttachedContent? = nil
    ) {
        self.depth = depth
        self.filename = filename
        self.contentType = contentType
        self.size = size
        self.contentID = contentID
        self.isInline = isInline
        self.data = data
        self.content = content
    }
}

/// The content of an attachment that Quire could read.
public indirect enum AttachedContent: Sendable {
    /// An attached Word document, read.
    case document(Document)
    /// An attached Excel workbook, read.
    case workbook(Workbook)
    /// An attached message (`message/rfc822`, or an attached .eml), read.
    case message(MailMessage)
}

/// One node of a message's MIME tree, for inspection (`quire extract --format json`).
public struct MailPart: Sendable, Equatable {
    /// The part's media type, lower case (`text/plain`).
    public var contentType: String
    /// How deep in the MIME tree the part sits (0 for the message itself).
    public var depth: Int
    /// The declared charset, when there is one.
    public var charset: String?
    /// The file name, when the part has one.
    public var filename: String?
    /// `inline` or `attachment`, when stated.
    public var disposition: String?
    /// Bytes of the decoded content.
    public var size: Int
    /// The part's section number, as IMAP numbers parts (`1`, `2.1`); empty for a multipart
    /// message's own top entity.
    public var section: String = ""

    /// A part from its parts.
    public init(contentType: String, depth: Int, charset: String? = nil, filename: String? = nil, disposition: String? = nil, size: Int = 0) {
        self.contentType = contentType
        self.depth = depth
        self.charset = charset
        self.filename = filename
        self.disposition = disposition
        self.size = size
    }
}

/// A message's text in parts: what it says, the history it quotes, its signature, and a
/// mailing list's footer. Together they hold every line of the text (the quoted question
/// above an interleaved answer is in both the new text and the history).
public struct MailTextParts: Sendable, Equatable {
    /// Every run of text the message adds, wherever it stands (above, below or between
    /// quotes), in order; an answer between quotes keeps the quote just above it.
    public var newText: String
    /// The quoted history below or around the new text (`> …`, `On … wrote:`, Outlook's header block).
    public var quoted: String?
    /// The signature (after `-- `), when one was found.
    public var signature: String?
    /// A mailing list's footer (a rule, then unsubscribe boilerplate): furniture, not content.
    public var footer: String?

    /// A split of a message's text.
    public init(newText: String, quoted: String? = nil, signature: String? = nil, footer: String? = nil) {
        self.newText = newText
        self.quoted = quoted
        self.signature = signature
        self.footer = footer
    }
}

/// Where a message was read from: its file and, in an mbox, its place; in a Maildir, the
/// file's name (which carries the flags).
public struct MailOrigin: Sendable, Equatable {
    /// The file the message was read from (an .eml, an mbox, a Maildir message file).
    public var file: String
    /// mbox: the message's 0-based position.
    public var index: Int?
    /// mbox: the byte offset of its `From ` line.
    public var offset: Int?
    /// Maildir: the message file's name (`1700000000.x.host:2,FS`).
    public var maildirName: String?
    /// Outlook archive (PST): the folder path, names joined by "/".
    public var folder: String?
    /// Outlook archive (PST): the message's node id, its stable id in the file.
    public var node: UInt32?

    /// Where a message came from.
    public init(file: String, index: Int? = nil, offset: Int? = nil, maildirName: String? = nil, folder: String? = nil, node: UInt32? = nil) {
        self.file = file
        self.index = index
        self.offset = offset
        self.maildirName = maildirName
        self.folder = folder
        self.node = node
    }

    /// The origin of a message file; a file in a Maildir's `cur/` or `new/` is named as such.
    public static func file(_ path: String) -> MailOrigin {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let inMaildir = parts.count >= 2 && (parts[parts.count - 2] == "cur" || parts[parts.count - 2] == "new")
        return MailOrigin(file: path, maildirName: inMaildir ? String(parts[parts.count - 1]) : nil)
    }
}

/// A parsed mail message.
public struct MailMessage: Sendable {
    /// Every header field in order.
    public var headers: [MailHeader]
    /// The Subject, encoded words decoded.
    public var subject: String?
    /// The authors (`From`).
    public var from: [MailAddress]
    /// Who sent it on the authors' behalf (`Sender`), when stated.
    public var sender: [MailAddress]
    /// Where replies should go (`Reply-To`), when stated.
    public var replyTo: [MailAddress]
    /// The `To` recipients.
    public var to: [MailAddress]
    /// The `Cc` recipients.
    public var cc: [MailAddress]
    /// The `Bcc` recipients (present only in a sender's own copy).
    public var bcc: [MailAddress]
    /// The Date header, parsed.
    public var date: MailDate?
    /// Without angle brackets.
    public var messageID: String?
    /// The message ids this one replies to (`In-Reply-To`).
    public var inReplyTo: [String]
    /// The thread's earlier message ids, oldest first (`References`).
    public var references: [String]
    /// The text/plain body (line endings normalised to LF).
    public var textBody: String?
    /// The text/html body as sent.
    public var htmlBody: String?
    /// The HTML body made readable text (links and lists kept), when it is the best text:
    /// when there is no plain body.
    public var htmlText: String?
    /// Attached files and messages, with the ones Quire reads (Word, Excel, mail) read.
    public var attachments: [MailAttachment]
    /// The MIME tree, depth first.
    public var parts: [MailPart]
    /// What was wrong with the message and how it was read anyway.
    public var warnings: [String]
    /// The best text split into new text, quoted history and signature.
    public var textParts: MailTextParts?
    /// Where it was read from (nil for bytes that came from nowhere in particular).
    public var origin: MailOrigin?

    /// A message from its parts.
    public init(
        headers: [MailHeader] = [], subject: String? = nil, from: [MailAddress] = [], sender: [MailAddress] = [],
        replyTo: [MailAddress] = [], to: [MailAddress] = [], cc: [MailAddress] = [], bcc: [MailAddress] = [], date: MailDate? = nil,
        messageID: String? = nil, inReplyTo: [String] = [], references: [String] = [], textBody: String? = nil,
        htmlBody: String? = nil, htmlText: String? = nil, attachments: [MailAttachment] = [], parts: [MailPart] = [],
        warnings: [String] = []
    ) {
        self.headers = headers
        self.subject = subject
        self.from = from
        self.sender = sender
        self.replyTo = replyTo
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.date = date
        self.messageID = messageID
        self.inReplyTo = inReplyTo
        self.references = references
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.htmlText = htmlText
        self.attachments = attachments
        self.parts = parts
        self.warnings = warnings
        self.textParts = nil
        self.origin = nil
    }

    /// The best text of the message: the plain body, else the HTML body as text.
    public var bestText: String? { textBody ?? htmlText }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { Self.sameFieldName($0.name, name) }?.value
    }

    /// Whether two field names are the same without regard to case: ASCII compared byte by
    /// byte (no copies), anything else lower-cased.
    static func sameFieldName(_ a: String, _ b: String) -> Bool {
        var x = a.utf8.makeIterator()
        var y = b.utf8.makeIterator()
        while true {
            switch (x.next(), y.next()) {
            case (nil, nil): return true
            case (let p?, let q?) where p < 0x80 && q < 0x80:
                if p | (p >= 0x41 && p <= 0x5A ? 0x20 : 0) != q | (q >= 0x41 && q <= 0x5A ? 0x20 : 0) { return false }
            case (_?, _?): return a.lowercased() == b.lowercased()
            default: return false  // one is longer, and lower-casing never empties a character
            }
        }
    }
}
