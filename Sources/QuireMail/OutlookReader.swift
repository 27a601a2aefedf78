public import QuireCFB
public import QuireModel

/// Reads Outlook `.msg` files ([MS-OXMSG]) into the same `MailMessage` as an `.eml`:
/// subject, sender and recipients (the SMTP address where the file has one, not only the
/// Exchange DN), dates, ids, the plain, HTML and compressed-RTF bodies, and attachments —
/// files by value, embedded messages (read recursively, as `message/rfc822` parts are), and
/// references reported, not followed.
///
/// An attachment that cannot be read costs that attachment only: the message comes back
/// with the others and a warning naming it.
///
/// ```swift
/// let message = try OutlookReader().read(path: "Quarterly review.msg")
/// print(message.subject ?? "", message.from, message.bestText ?? "")
/// ```
public struct OutlookReader: Sendable {
    /// Bounds on the container (stream sizes, directory entries).
    public var limits: CompoundFile.Limits
    /// Embedded messages read inside each other before the rest are left out with a warning.
    public var maxDepth: Int
    /// Whether to split each text into new text, quoted history and signature (`textParts`).
    public var separatesQuotedText: Bool

    /// A reader with `limits`, reading embedded messages `maxDepth` deep.
    public init(limits: CompoundFile.Limits = CompoundFile.Limits(), maxDepth: Int = 8, separatesQuotedText: Bool = true) {
        self.limits = limits
        self.maxDepth = maxDepth
        self.separatesQuotedText = separatesQuotedText
    }

    /// Reads the `.msg` file at `path`.
    /// - Throws: `DocumentError` when the file is no compound file, is damaged, or holds no message.
    public func read(path: String) throws(DocumentError) -> MailMessage {
        try read(CompoundFile(path: path, limits: limits))
    }

    /// Reads a `.msg` file held in memory (an attachment); `name` labels it in errors.
    public func read(bytes: [UInt8], name: String) throws(DocumentError) -> MailMessage {
        try read(CompoundFile(bytes: bytes, name: name, limits: limits))
    }

    /// Reads the message of an open compound file.
    /// - Throws: `DocumentError` (`.unsupportedFormat`) when the file holds no Outlook message.
    public func read(_ file: CompoundFile) throws(DocumentError) -> MailMessage {
        guard Self.isMessage(file) else {
            throw DocumentError(.unsupportedFormat, file: file.file, message: "the compound file holds no Outlook message (no __properties_version1.0 stream).")
        }
        return try message(OutlookItem(in: file.root, of: file, kind: .message), depth: 0)
    }

    /// Whether the compound file is an Outlook item: its root holds the property stream.
    public static func isMessage(_ file: CompoundFile) -> Bool {
        file.child(named: "__properties_version1.0", of: file.root) != nil
    }

    /// The message `item`, from either container.
    func message(_ item: OutlookItem, depth: Int) throws(DocumentError) -> MailMessage {
        let properties = item.properties
        var message = MailMessage()
        message.warnings = item.warnings
        // The transport headers, when the message went through SMTP, give what MAPI
        // properties do not: the sender's time zone, SMTP addresses, every header.
        let transport = try properties.string(0x007D).map(TransportHeaders.init)
        message.headers = transport?.fields.headers ?? []
        message.subject = try properties.string(0x0037) ?? transport?.fields.subject
        message.from = try from(properties, transport: transport)
        var recipients = try self.recipients(item.recipients(codepage: properties.codepage), transport: transport)
        if recipients.isEmpty, let sent = transport?.addresses {
            recipients = sent.to.map { (1, $0) } + sent.cc.map { (2, $0) } + sent.bcc.map { (3, $0) }
        }
        message.to = recipients.filter { $0.type == 1 }.map(\.address)
        message.cc = recipients.filter { $0.type == 2 }.map(\.address)
        message.bcc = recipients.filter { $0.type == 3 }.map(\.address)
        message.replyTo = transport?.fields.replyTo ?? []
        message.date = transport?.fields.date ?? (properties.time(0x0039) ?? properties.time(0x0E06)).map(Self.date(_:))
        message.messageID = try properties.string(0x1035).map(Self.bareID) ?? transport?.ids.messageID
        message.inReplyTo = try properties.string(0x1042).map { MessageIDs.parse($0) } ?? transport?.ids.inReplyTo ?? []
        message.references = try properties.string(0x1039).map { MessageIDs.parse($0) } ?? transport?.ids.references ?? []
        readBodies(properties, into: &message)
        readCategories(item, into: &message)
        message.attachments = attachments(of: item, codepage: properties.codepage, depth: depth, warnings: &message.warnings)
        message.parts = Self.parts(of: message)
        if separatesQuotedText { message.textParts = message.bestText.map(QuoteSplitter.split) }
        return message
    }

    /// The plain body, the HTML body (in the message's Internet code page), and — when
    /// neither is there — the text of the compressed RTF body.
    /// A body whose stream is damaged is left out with a warning; the message is still read.
    func readBodies(_ properties: OutlookProperties, into message: inout MailMessage) {
        do {
            message.textBody = try properties.body(0x1000).flatMap { $0.isEmpty ? nil : $0 }
        } catch {
            message.warnings.append("the plain-text body could not be read: \(error.message)")
        }
        do {
            if let html = try properties.binary(0x1013) {
                let page = properties.int32(0x3FDE)
                message.htmlBody = page.map { OutlookProperties.decode(html, codepage: $0) } ?? Charset.text(html)
            } else {
                message.htmlBody = try properties.string(0x1013)
            }
        } catch {
            message.warnings.append("the HTML body could not be read: \(error.message)")
        }
        if message.textBody == nil && message.htmlBody == nil {
            do {
                if let compressed = try properties.binary(0x1009) {
                    let rtf = try CompressedRTF.decompress(compressed, limit: limits.maxStreamBytes)
                    switch RTFText.content(of: rtf) {
                    case .html(let html): message.htmlBody = html
                    case .text(let text): message.textBody = text.isEmpty ? nil : text
                    }
                }
            } catch let error as CompressedRTF.Failure {
                message.warnings.append("the RTF body could not be read: \(error.message)")
            } catch {
                message.warnings.append("the RTF body could not be read: \((error as? DocumentError)?.message ?? "\(error)")")
            }
        }
        if message.textBody == nil, let html = message.htmlBody { message.htmlText = HTMLText.convert(html) }
    }

    /// The categories the user gave the message (the named property "Keywords", several
    /// strings) as a `Keywords` header field, the one MIME has for them, unless the
    /// transport headers have one already.
    func readCategories(_ item: OutlookItem, into message: inout MailMessage) {
        if let problem = item.names.problem {
            message.warnings.append("the named-property map could not be read (\(problem)); the categories are left out")
            return
        }
        guard let id = item.names.keywords, message.header("Keywords") == nil else { return }
        do {
            let categories = (try item.properties.strings(id) ?? []).map {
                $0.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: " \t")
            }
            .filter { !$0.isEmpty }
            if !categories.isEmpty { message.headers.append(MailHeader(name: "Keywords", value: categories.joined(separator: ", "))) }
        } catch {
            message.warnings.append("the categories could not be read: \(error.message)")
        }
    }

    /// The sender: "sent representing" (on whose behalf) when present, else the sender.
    func from(_ properties: OutlookProperties, transport: TransportHeaders?) throws(DocumentError) -> [MailAddress] {
        let representing = try address(
            name: properties.string(0x0042), smtp: properties.string(0x5D02), email: properties.string(0x0065),
            type: properties.string(0x0064), transport: transport)
        let sender = try address(
            name: properties.string(0x0C1A), smtp: properties.string(0x5D01), email: properties.string(0x0C1F),
            type: properties.string(0x0C1E), transport: transport)
        // The first that has an address (an Exchange-only "representing" gives way to a
        // sender with an SMTP address), else the first that has a name.
        if let found = [representing, sender].compactMap({ $0 }).first(where: { !$0.address.isEmpty }) ?? representing ?? sender {
            return [found]
        }
        return transport?.addresses.from ?? []
    }

    /// An address from its MAPI parts: the SMTP address when the file has one; for an
    /// Exchange (EX) address, the transport headers' address of the same display name;
    /// else the address as written.
    func address(name: String?, smtp: String?, email: String?, type: String?, transport: TransportHeaders?) -> MailAddress? {
        // A display name that only repeats the address (or is quoted) says nothing more.
        let name = name.map { $0.trimmingCharacters(in: " '\"") }.flatMap { $0.isEmpty || $0 == smtp || $0 == email ? nil : $0 }
        if let smtp, !smtp.isEmpty { return MailAddress(name: name, address: smtp) }
        if let email, !email.isEmpty, type?.uppercased() != "EX" { return MailAddress(name: name, address: email) }
        if let name, let sent = transport?.addresses {
            let known = sent.from + sent.sender + sent.to + sent.cc + sent.bcc
            if let match = known.first(where: { $0.name?.lowercased() == name.lowercased() }) { return MailAddress(name: name, address: match.address) }
        }
        // An Exchange DN (/O=…/CN=…) is no address a reply can go to: the name stands alone.
        guard let name else { return email.map { MailAddress(name: nil, address: $0) } }
        return MailAddress(name: name, address: type?.uppercased() == "EX" ? "" : email ?? "")
    }

    /// The recipients' addresses in order, with their types (1 To, 2 Cc, 3 Bcc).
    func recipients(_ list: [OutlookProperties], transport: TransportHeaders?) throws(DocumentError) -> [(type: Int, address: MailAddress)] {
        var out: [(type: Int, address: MailAddress)] = []
        for properties in list {
            let found = try address(
                name: properties.string(first: 0x3001, 0x5FF6), smtp: properties.string(0x39FE), email: properties.string(0x3003),
                type: properties.string(0x3002), transport: transport)
            if let found { out.append((properties.int32(0x0C15) ?? 1, found)) }
        }
        return out
    }

    /// A Message-ID without its angle brackets.
    static func bareID(_ text: String) -> String {
        MessageIDs.parse(text).first ?? text.trimmingCharacters(in: " \t<>")
    }

    /// A date from seconds since 1970, in UTC (MAPI times carry no zone).
    static func date(_ seconds: Int64) -> MailDate {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = Int(seconds - days * 86_400)
        let (year, month, day) = CivilCalendar.date(fromDays: Int(days))
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let raw = "\(weekday), \(two(day)) \(months[month - 1]) \(year) \(two(time / 3600)):\(two(time / 60 % 60)):\(two(time % 60)) +0000"
        return MailDate(raw: raw, timestamp: seconds, offsetMinutes: 0)
    }

    /// The message's parts for inspection: its bodies, then its attachments.
    static func parts(of message: MailMessage) -> [MailPart] {
        var parts: [MailPart] = []
        if let text = message.textBody { parts.append(MailPart(contentType: "text/plain", depth: 0, size: text.utf8.count)) }
        if let html = message.htmlBody { parts.append(MailPart(contentType: "text/html", depth: 0, size: html.utf8.count)) }
        for attachment in message.attachments {
            var part = MailPart(
                contentType: attachment.contentType, depth: 1, filename: attachment.filename, disposition: attachment.isInline ? "inline" : "attachment",
                size: attachment.size)
            part.section = attachment.section ?? ""
            parts.append(part)
        }
        return parts
    }
}

/// An Outlook message's transport headers (the header block it arrived with): the fields
/// decoded at once, their addresses and ids parsed only when asked for — MAPI's own sender,
/// recipients and ids usually say it all.
final class TransportHeaders {
    /// Every field, the subject, Reply-To and the date.
    let fields: MailMessage
    private let block: HeaderBlock

    init(_ text: String) {
        var text = text
        block = text.withUTF8 { HeaderBlock.parse($0) }
        fields = ParseState.headerFields(block, addresses: false, ids: false)
    }

    /// Message-ID, In-Reply-To and References (in a message that has nothing else).
    lazy var ids: MailMessage = {
        var message = MailMessage()
        // `fields.headers` holds every field of the block, in order, decoded.
        let headers = fields.headers
        ParseState.readIDs({ name in block.index(of: name).map { headers[$0].value } }, into: &message)
        return message
    }()

    /// `fields` with the addresses.
    lazy var addresses: MailMessage = {
        var message = fields
        ParseState.readAddresses(block, fallback: ParseState.charset(of: block), into: &message)
        return message
    }()
}
