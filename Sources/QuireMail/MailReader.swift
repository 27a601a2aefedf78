public import QuireModel

/// Reads RFC 5322 / MIME messages from bytes into `MailMessage`.
///
/// Real mail is often malformed; the reader takes what can be taken and says what it did
/// in `warnings`: a missing blank line after the headers, a multipart without its boundary
/// or without the closing one, an unknown charset, a transfer encoding with junk. Limits
/// bound nesting, part count and header size, so hostile input cannot exhaust memory or
/// stack.
public struct MailReader: Sendable {
    /// Bounds on what one message may cost.
    public struct Limits: Sendable {
        /// Multiparts and nested messages deeper than this are kept as opaque attachments.
        public var maxDepth: Int
        /// Parts beyond this many are not split further.
        public var maxParts: Int
        /// Header blocks beyond this many bytes end there (the rest is body).
        public var maxHeaderBytes: Int
        /// Bytes read of one message (an .eml file or an mbox entry); the rest is skipped
        /// with a warning. 64 MiB: more than any mail service delivers.
        public var maxMessageBytes: Int
        /// 64 MiB: more than any mail service delivers.
        public static let defaultMessageBytes = 64 << 20
        /// Bytes of one body text (plain or HTML) kept; a longer one is cut there with a
        /// warning. 16 MiB: some thousands of pages, far past any real mail.
        public var maxTextBytes: Int

        /// Limits from their values.
        public init(
            maxDepth: Int = 24, maxParts: Int = 10_000, maxHeaderBytes: Int = 1 << 20, maxMessageBytes: Int = defaultMessageBytes,
            maxTextBytes: Int = 16 << 20
        ) {
            self.maxDepth = maxDepth
            self.maxParts = maxParts
            self.maxHeaderBytes = maxHeaderBytes
            self.maxMessageBytes = maxMessageBytes
            self.maxTextBytes = maxTextBytes
        }

        /// What a message cut at the size limit says.
        public static func truncationWarning(size: Int, kept: Int) -> String {
            "the message is \(Limits.size(size)) (\(size) bytes): only its first \(Limits.size(kept)) were read "
                + "(the limit on message size; raise it with --max-message-size)"
        }

        /// A byte count for people: `512 bytes`, `64 MB`, `1.5 GB`.
        public static func size(_ bytes: Int) -> String {
            if bytes < 1 << 10 { return "\(bytes) bytes" }
            for (unit, shift) in [("GB", 30), ("MB", 20), ("KB", 10)] where bytes >= 1 << shift {
                let value = Double(bytes) / Double(1 << shift)
                return (value >= 10 || value == value.rounded() ? String(Int(value.rounded())) : String(Double(Int(value * 10)) / 10)) + " " + unit
            }
            return "\(bytes) bytes"
        }
    }

    /// The reader's limits.
    public var limits: Limits
    /// Whether to split each message's text into new text, quoted history and signature
    /// (`MailMessage.textParts`); it costs about a quarter of the parse.
    public var separatesQuotedText: Bool

    /// A reader with `limits`; `separatesQuotedText` splits each text into new text, quoted history and signature.
    public init(limits: Limits = Limits(), separatesQuotedText: Bool = true) {
        self.limits = limits
        self.separatesQuotedText = separatesQuotedText
    }

    /// Parses one message. `name` is used in errors.
    /// - Throws: `DocumentError` (`.empty`) for an empty input.
    public func read(bytes: [UInt8], name: String) throws(DocumentError) -> MailMessage {
        guard bytes.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw DocumentError(.empty, file: name, message: "the file is empty: there is no message to read.")
        }
        return bytes.withUnsafeBufferPointer { buffer in
            var state = ParseState(limits: limits, separatesQuotedText: separatesQuotedText)
            return state.message(buffer, depth: 0)
        }
    }

    /// Only the header block of a message: the decoded fields (subject, addresses, date,
    /// ids, every field), without reading the body — for scanning a large export. Also
    /// returns where the body starts in `bytes`.
    ///
    /// `fields`: the header fields (lower-case names) to keep in `headers` besides those the
    /// message's properties are made of; nil keeps every field (decoding them all costs
    /// more than the rest of a header scan).
    public func readHeaders(_ bytes: UnsafeBufferPointer<UInt8>, fields: Set<String>? = nil) -> (message: MailMessage, bodyStart: Int) {
        let header = HeaderBlock.parse(bytes, maxBytes: limits.maxHeaderBytes)
        return (ParseState.headerFields(header, keeping: fields), header.bodyStart)
    }

    /// An HTML body as readable text (links and lists kept, scripts and styles dropped).
    public static func text(ofHTML html: String) -> String { HTMLText.convert(html) }

    /// Parses bytes already known to be a message (an mbox entry, an attached message).
    public func message(_ bytes: UnsafeBufferPointer<UInt8>) -> MailMessage {
        var state = ParseState(limits: limits, separatesQuotedText: separatesQuotedText)
        return state.message(bytes, depth: 0)
    }
}

struct ParseState {
    let limits: MailReader.Limits
    let separatesQuotedText: Bool
    var partCount = 0

    init(limits: MailReader.Limits, separatesQuotedText: Bool = true) {
        self.limits = limits
        self.separatesQuotedText = separatesQuotedText
    }

    /// A whole message (headers, then its MIME tree).
    mutating func message(_ bytes: UnsafeBufferPointer<UInt8>, depth: Int) -> MailMessage {
        let header = HeaderBlock.parse(bytes, maxBytes: limits.maxHeaderBytes)
        var message = Self.headerFields(header)
        if header.missingSeparator { message.warnings.append("no blank line after the headers; the body starts at the first line that is not a header") }
        if header.cutLine {
            message.warnings.append(
                "a header line runs past \(MailReader.Limits.size(limits.maxHeaderBytes)) (the limit on a header); it was cut there and the header ends with it"
            )
        }
        var body = MailBody()
        entity(bytes, header: header, depth: depth, section: "", defaultType: "text/plain", into: &body, message: &message)
        message.textBody = body.plain.map { MailBody.normaliseLineEnds($0) }
        message.htmlBody = body.html
        // The HTML made text only when it is the best text there is (converting costs more
        // than parsing the whole message); `MailReader.text(ofHTML:)` does it on demand.
        if message.textBody == nil { message.htmlText = body.html.map(HTMLText.convert) }
        if separatesQuotedText { message.textParts = message.bestText.map(QuoteSplitter.split) }
        message.attachments = body.attachments
        message.parts = body.parts
        message.warnings += body.warnings
        return message
    }

    /// The message's header fields decoded: subject, addresses, date, ids, and every field.
    /// `addresses` false leaves From, Sender, To, Cc and Bcc to `readAddresses` (Reply-To is
    /// read either way); `ids` false leaves Message-ID, In-Reply-To and References to `readIDs`.
    static func headerFields(_ header: HeaderBlock, keeping fields: Set<String>? = nil, addresses: Bool = true, ids: Bool = true) -> MailMessage {
        var message = MailMessage()
        let fallback = charset(of: header)
        // Each value is decoded once, whether it is kept in `headers`, read below, or both.
        var decoded = [String?](repeating: nil, count: header.fields.count)
        func decodedValue(_ index: Int) -> String {
            if let value = decoded[index] { return value }
            let value = EncodedWords.decode(header.fields[index].value, fallback: fallback)
            decoded[index] = value
            return value
        }
        func text(_ name: String) -> String? { header.index(of: name).map(decodedValue) }
        message.headers = header.fields.indices.compactMap { index in
            let field = header.fields[index]
            if let fields, !fields.contains(HeaderBlock.lowercasedASCII(field.name)) { return nil }
            return MailHeader(name: field.name, value: decodedValue(index))
        }
        message.subject = text("subject").map(MailBody.unfoldedValue)
        message.replyTo = Self.addresses("reply-to", in: header, fallback: fallback)
        if addresses { readAddresses(header, fallback: fallback, into: &message) }
        if let raw = text("date") { message.date = DateParser.parse(MailBody.unfoldedValue(raw)) }
        if ids { readIDs(text, into: &message) }
        return message
    }

    /// Message-ID, In-Reply-To and References into `message`; `text` gives a field's decoded
    /// value by its lower-case name.
    static func readIDs(_ text: (String) -> String?, into message: inout MailMessage) {
        message.messageID = text("message-id").flatMap { MessageIDs.parse($0).first ?? ($0.isEmpty ? nil : $0.trimmingCharacters(in: " \t")) }
        message.inReplyTo = text("in-reply-to").map(MessageIDs.parse) ?? []
        message.references = text("references").map(MessageIDs.parse) ?? []
    }

    /// The charset the header's Content-Type names: the one to read 8-bit header text in.
    static func charset(of header: HeaderBlock) -> String? {
        header.raw("content-type").flatMap { ParameterizedValue(Charset.text($0))["charset"] }
    }

    /// From, Sender, To, Cc and Bcc of `header`, into `message`; 8-bit text in `fallback`
    /// (the charset of the header's Content-Type).
    static func readAddresses(_ header: HeaderBlock, fallback: String?, into message: inout MailMessage) {
        message.from = addresses("from", in: header, fallback: fallback)
        message.sender = addresses("sender", in: header, fallback: fallback)
        message.to = addresses("to", in: header, fallback: fallback)
        message.cc = addresses("cc", in: header, fallback: fallback)
        message.bcc = addresses("bcc", in: header, fallback: fallback)
    }

    /// The addresses of every field called `name`, parsed before encoded words are decoded
    /// (a decoded name may hold commas); 8-bit text in `fallback`.
    static func addresses(_ name: String, in header: HeaderBlock, fallback: String?) -> [MailAddress] {
        header.all(name).flatMap { AddressList.parse(Charset.text($0, fallback: fallback)) }
    }

    /// One MIME entity (the message itself or a part), added to `body`; `section` is its IMAP
    /// section number (empty for the message itself).
    mutating func entity(
        _ bytes: UnsafeBufferPointer<UInt8>, header: HeaderBlock, depth: Int, section: String, defaultType: String, into body: inout MailBody,
        message: inout MailMessage
    ) {
        partCount += 1
        let typeText = header.raw("content-type").map { Charset.text($0) }
        var contentType = typeText.map(ParameterizedValue.init) ?? ParameterizedValue("")
        if contentType.value.isEmpty || !contentType.value.contains("/") {
            if typeText != nil && !(typeText ?? "").isEmpty { body.warnings.append("unreadable Content-Type '\(typeText ?? "")'; read as \(defaultType)") }
            let parameters = contentType.parameters
            contentType = ParameterizedValue(defaultType)
            contentType.parameters = parameters
        }
        let disposition = header.raw("content-disposition").map { ParameterizedValue(Charset.text($0)) }
        let encoding = header.raw("content-transfer-encoding").map { Charset.text($0).trimmingCharacters(in: " \t\r\n").lowercased() } ?? ""
        let content = UnsafeBufferPointer(rebasing: bytes[min(header.bodyStart, bytes.count)...])
        var filename = disposition?["filename"] ?? contentType["name"]
        if let name = filename, ByteSearch.contains(name, "=?") { filename = EncodedWords.decode(name) }
        let type = contentType.value
        let partIndex = body.parts.count
        body.parts.append(
            MailPart(contentType: type, depth: depth, charset: contentType["charset"], filename: filename, disposition: disposition?.value))
        body.parts[partIndex].section = section

        if type.hasPrefix("multipart/") && depth >= limits.maxDepth {
            body.warnings.append("parts nest deeper than \(limits.maxDepth) levels; what lies deeper is kept as an attachment")
        }
        if type.hasPrefix("multipart/"), depth < limits.maxDepth, partCount < limits.maxParts {
            guard let boundary = contentType["boundary"], !boundary.isEmpty else {
                body.warnings.append("\(type) without a boundary; its content is read as text")
                leaf(
                    content, type: "text/plain", contentType: contentType, encoding: encoding, disposition: disposition, filename: filename,
                    header: header, depth: depth, partIndex: partIndex, into: &body, message: &message)
                return
            }
            let split = Multipart.split(content, boundary: Array(boundary.utf8))
            if !split.foundStart {
                body.warnings.append("\(type): the boundary never occurs; its content is read as text")
                leaf(
                    content, type: "text/plain", contentType: contentType, encoding: encoding, disposition: disposition, filename: filename,
                    header: header, depth: depth, partIndex: partIndex, into: &body, message: &message)
                return
            }
            if !split.foundEnd { body.warnings.append("\(type): the closing boundary is missing; the last part runs to the end") }
            let childDefault = type == "multipart/digest" ? "message/rfc822" : "text/plain"
            let alternative = type == "multipart/alternative"
            var alternativeBody = MailBody()
            for (number, part) in split.parts.enumerated() {
                let child = section.isEmpty ? "\(number + 1)" : section + ".\(number + 1)"
                guard partCount < limits.maxParts else {
                    body.warnings.append("more than \(limits.maxParts) parts; the rest are not read")
                    break
                }
                let partHeader = HeaderBlock.parse(part, maxBytes: limits.maxHeaderBytes)
                if alternative {
                    entity(
                        part, header: partHeader, depth: depth + 1, section: child, defaultType: childDefault, into: &alternativeBody,
                        message: &message)
                } else {
                    entity(part, header: partHeader, depth: depth + 1, section: child, defaultType: childDefault, into: &body, message: &message)
                }
            }
            if alternative { body.mergeAlternative(alternativeBody) }
            return
        }
        leaf(
            content, type: type, contentType: contentType, encoding: encoding, disposition: disposition, filename: filename,
            header: header, depth: depth, partIndex: partIndex, into: &body, message: &message)
    }

    mutating func leaf(
        _ content: UnsafeBufferPointer<UInt8>, type: String, contentType: ParameterizedValue, encoding: String,
        disposition: ParameterizedValue?, filename: String?, header: HeaderBlock, depth: Int, partIndex: Int,
        into body: inout MailBody, message: inout MailMessage
    ) {
        let isAttachment = disposition?.value == "attachment"
        let isBodyText = (type == "text/plain" || type == "text/html") && !isAttachment
        // A body text past the text limit is decoded only as far as the limit needs (never
        // a copy of a 64 MB line) and cut there.
        var content = content
        var textCut = false
        if isBodyText {
            let cap = limits.maxTextBytes
            let encodedCap =
                switch encoding {
                case "base64": cap / 3 * 4 + cap / 4 + 8  // line breaks included
                case "quoted-printable": cap.multipliedReportingOverflow(by: 3).overflow ? Int.max : cap * 3
                default: cap
                }
            if content.count > encodedCap {
                content = UnsafeBufferPointer(rebasing: content[..<encodedCap])
                textCut = true
            }
        }
        var data = MailBody.decodeTransfer(content, encoding: encoding, warnings: &body.warnings)
        if isBodyText && data.count > limits.maxTextBytes {
            var end = limits.maxTextBytes
            // Not inside a UTF-8 sequence.
            while end > 0 && end > limits.maxTextBytes - 4 && data[end] & 0xC0 == 0x80 { end -= 1 }
            data.removeSubrange(end...)
            textCut = true
        }
        if textCut {
            body.warnings.append(
                "the \(type) body is longer than \(MailReader.Limits.size(limits.maxTextBytes)); only its first \(MailReader.Limits.size(data.count)) are shown (the limit on body text)"
            )
        }
        body.parts[partIndex].size = data.count
        let contentID = header.raw("content-id").flatMap { MessageIDs.parse(Charset.text($0)).first }
        // As mail clients show them: a text part is body text unless marked as an attachment
        // (a name alone does not make it one).
        if isBodyText {
            let charset = contentType["charset"]
            var text: String
            if let charset, let decoded = Charset.decode(data, label: charset) {
                text = decoded
            } else {
                if let charset, !Charset.iconvName(charset).isEmpty { body.warnings.append("unknown charset '\(charset)'; read as UTF-8 or Windows-1252") }
                text = Charset.text(data)
            }
            if type == "text/html" {
                if body.html == nil {
                    body.html = text
                    return
                }
            } else if body.plain == nil {
                body.plain = text
                return
            }
        }
        var attachment = MailAttachment(
            filename: filename, contentType: type, size: data.count, contentID: contentID,
            isInline: disposition?.value == "inline" || (contentID != nil && disposition == nil), depth: depth, data: data)
        // A message that is not multipart has its body as part 1.
        attachment.section = body.parts[partIndex].section.isEmpty ? "1" : body.parts[partIndex].section
        if (type == "message/rfc822" || type == "message/global") && depth < limits.maxDepth {
            let nested = data.withUnsafeBufferPointer { self.message($0, depth: depth + 1) }
            attachment.content = .message(nested)
        }
        body.attachments.append(attachment)
    }
}

/// What the walk of a MIME tree gathers.
struct MailBody {
    var plain: String?
    var html: String?
    var attachments: [MailAttachment] = []
    var parts: [MailPart] = []
    var warnings: [String] = []

    /// Alternatives of one multipart/alternative: the first plain and the first HTML are the
    /// body (when none was found before); the rest stay attachments.
    mutating func mergeAlternative(_ other: MailBody) {
        if plain == nil {
            plain = other.plain
        } else if let extra = other.plain {
            attachments.append(MailAttachment(filename: nil, contentType: "text/plain", size: extra.utf8.count, data: Array(extra.utf8)))
        }
        if html == nil { html = other.html }
        attachments += other.attachments
        parts += other.parts
        warnings += other.warnings
    }

    static func decodeTransfer(_ content: UnsafeBufferPointer<UInt8>, encoding: String, warnings: inout [String]) -> [UInt8] {
        switch encoding {
        case "base64":
            return TransferEncoding.base64(content)
        case "quoted-printable":
            return TransferEncoding.quotedPrintable(buffer: content)
        case "x-uuencode", "uuencode", "x-uue", "uue":
            return TransferEncoding.uudecode(Array(content))
        case "", "7bit", "8bit", "binary", "7-bit", "8-bit":
            return Array(content)
        default:
            warnings.append("unknown Content-Transfer-Encoding '\(encoding)'; the content is kept as is")
            return Array(content)
        }
    }

    /// CR LF and lone CR as LF; a run of NUL bytes, which are never text (a padded or
    /// zero-filled export), as one space, so that words stay apart and nothing balloons.
    static func normaliseLineEnds(_ text: String) -> String {
        // Over UTF-8 bytes: CR is one byte, and "\r\n" is one Character to String.
        var text = text
        let n = text.utf8.count
        // Text without CR or NUL (most of it) is returned as it is, not copied.
        let firstCR = text.withUTF8 {
            min(ByteSearch.index(of: 0x0D, in: $0, from: 0, to: n), ByteSearch.index(of: 0x00, in: $0, from: 0, to: n))
        }
        guard firstCR < n else { return text }
        return text.withUTF8 { bytes -> String in
            var out = [UInt8]()
            out.reserveCapacity(bytes.count)
            out.append(contentsOf: bytes[..<firstCR])
            var i = firstCR
            while i < bytes.count {
                let b = bytes[i]
                if b == 0x0D {
                    out.append(0x0A)
                    if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                } else if b == 0x00 {
                    while i + 1 < bytes.count, bytes[i + 1] == 0x00 { i += 1 }
                    out.append(0x20)
                } else {
                    out.append(b)
                }
                i += 1
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// A header value with its folding white space collapsed.
    static func unfoldedValue(_ text: String) -> String {
        // Over UTF-8 bytes: CR, LF, tab and space are ASCII.
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var space = false
        for byte in text.utf8 {
            if byte == 0x0D || byte == 0x0A || byte == 0x09 {
                if !space { out.append(0x20) }
                space = true
                continue
            }
            out.append(byte)
            space = byte == 0x20
        }
        var start = 0
        var end = out.count
        while start < end, out[start] == 0x20 { start += 1 }
        while end > start, out[end - 1] == 0x20 { end -= 1 }
        return String(decoding: out[start..<end], as: UTF8.self)
    }
}

/// Splits a multipart body at its boundary lines.
enum Multipart {
    struct Split {
        var parts: [UnsafeBufferPointer<UInt8>] = []
        var foundStart = false
        var foundEnd = false
    }

    /// Boundary lines are `--boundary` (optionally followed by blanks) at a line start; the
    /// closing one is `--boundary--`. The line break before a boundary belongs to it.
    static func split(_ body: UnsafeBufferPointer<UInt8>, boundary: [UInt8]) -> Split {
        var result = Split()
        let n = body.count
        let marker = [UInt8(ascii: "-"), UInt8(ascii: "-")] + boundary
        var partStart: Int?
        var lineStart = 0
        while lineStart < n {
            let lineEnd = ByteSearch.index(of: 0x0A, in: body, from: lineStart, to: n)
            let next = lineEnd < n ? lineEnd + 1 : n
            if lineEnd - lineStart >= marker.count && body[lineStart] == 0x2D && body[lineStart + 1] == 0x2D
                && matches(body, lineStart, marker)
            {
                var k = lineStart + marker.count
                let closing = k + 1 < n && body[k] == 0x2D && body[k + 1] == 0x2D
                if closing { k += 2 }
                var onlyBlanks = true
                while k < lineEnd {
                    if body[k] != 0x20 && body[k] != 0x09 && body[k] != 0x0D {
                        onlyBlanks = false
                        break
                    }
                    k += 1
                }
                if onlyBlanks {
                    if let start = partStart {
                        // The part ends before the line break that precedes the boundary.
                        var end = lineStart
                        if end > start && body[end - 1] == 0x0A { end -= 1 }
                        if end > start && body[end - 1] == 0x0D { end -= 1 }
                        result.parts.append(UnsafeBufferPointer(rebasing: body[start..<max(start, end)]))
                    }
                    result.foundStart = true
                    if closing {
                        result.foundEnd = true
                        return result
                    }
                    partStart = next
                }
            }
            lineStart = next
        }
        if let start = partStart, start < n {
            result.parts.append(UnsafeBufferPointer(rebasing: body[start..<n]))
        }
        return result
    }

    private static func matches(_ body: UnsafeBufferPointer<UInt8>, _ at: Int, _ marker: [UInt8]) -> Bool {
        for (i, b) in marker.enumerated() where body[at + i] != b { return false }
        return true
    }
}
