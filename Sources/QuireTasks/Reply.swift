public import Foundation
import QuireLLM
import QuireMail
public import QuireModel
import QuireRender

/// Reply to a message: the model writes the reply text from the message (its new text and
/// its quoted history in separate blocks) and the user's instructions; `ReplyComposer`
/// turns that text into a ready RFC 5322 message.
public struct ReplyTask: QuireTask {
    public let routeName = "reply"
    /// The file the message came from, as prompts name it.
    public var file: String
    /// The message to answer.
    public var message: MailMessage
    /// Earlier messages of the thread (oldest first), when the input was a mailbox.
    public var earlier: [MailMessage]
    /// Length, tone, instructions and the other common options.
    public var options: TaskOptions

    /// A reply to `message`; `earlier` are the thread's messages before it, oldest first.
    public init(file: String, message: MailMessage, earlier: [MailMessage] = [], options: TaskOptions = TaskOptions()) {
        self.file = file
        self.message = message
        self.earlier = earlier
        self.options = options
    }

    static func sender(_ message: MailMessage) -> String {
        message.from.first.map { $0.name.flatMap { $0.isEmpty ? nil : $0 } ?? $0.address } ?? "the sender"
    }

    var lengthHint: String {
        switch options.length {
        case .short: "two to four sentences"
        case .medium: "one to three short paragraphs"
        case .long: "as long as the message needs to answer every point"
        }
    }

    /// One request holding the thread's new texts, the message and the instructions.
    public func plan(_ budget: PromptBudget) -> TaskPlan {
        let parts = message.textParts ?? MailTextParts(newText: message.bestText ?? "")
        var contents: [String] = [parts.newText]
        if let quoted = parts.quoted { contents.append(quoted) }
        // Earlier messages as a task shows mail: new text first, history quoted, list footers left out.
        let history = earlier.map { MailRenderer().markdown(ContentLoader.markingHistory($0)) }
        contents += history
        let fence = ContentFence(for: contents)
        let system = """
            You are Quire, writing an email reply on behalf of the user, who received the message below.

            \(fence.rule)

            Write only the body of the reply — no subject line, no headers, no quoted original (Quire \
            adds those). Answer what the latest message asks, in the order it asks it. Use only facts \
            from the thread and the user's instructions: never invent dates, prices, commitments or \
            names; where the user must supply something, write it as a [placeholder in brackets]. \
            Greet the sender by name when the thread shows it; end with a short sign-off and no name \
            (the user signs).
            Tone: \(options.tone ?? "friendly and professional"). Length: \(lengthHint). \
            Write in \(options.language ?? "the language of the latest message").
            """
        var user = "Write a reply to the latest message"
        if let instructions = options.instructions {
            user += ". The user's instructions for the reply: \(instructions)"
        } else {
            user += "."
        }
        for (index, earlierText) in history.enumerated() {
            user += "\n\n" + fence.wrap(earlierText, attributes: [("kind", "earlier-message"), ("position", "\(index + 1) of \(history.count)")])
        }
        var attributes = [("kind", "latest-message"), ("from", message.from.map(\.description).joined(separator: ", "))]
        if let subject = message.subject { attributes.append(("subject", subject)) }
        if let date = message.date?.raw { attributes.append(("date", date)) }
        // The model should know what came attached (it cannot see the files themselves here).
        let attached = message.attachments.filter { !$0.isInline }.map { $0.filename ?? $0.contentType }
        if !attached.isEmpty { attributes.append(("attachments", attached.joined(separator: "; "))) }
        user += "\n\n" + fence.wrap(parts.newText, attributes: attributes)
        if let quoted = parts.quoted, !quoted.isEmpty {
            user += "\n\n" + fence.wrap(quoted, attributes: [("kind", "quoted-history"), ("note", "earlier messages quoted in the latest one")])
        }
        if let signature = parts.signature, !signature.isEmpty {
            user += "\n\n" + fence.wrap(signature, attributes: [("kind", "sender-signature")])
        }
        return .single(
            ChatRequest(
                system: system, messages: [.user(user)], maxOutputTokens: options.outputTokens, stream: options.stream,
                metadata: [TaskMetadata.task: routeName, TaskMetadata.file: file, TaskMetadata.length: options.length.rawValue]))
    }
}

/// Writes a reply as an RFC 5322 message: `Re:` subject without stacking, In-Reply-To and
/// References, To (and Cc for reply-all) from Reply-To/From, the original quoted below the
/// reply, UTF-8 text in quoted-printable, non-ASCII header text as RFC 2047 encoded words.
public struct ReplyComposer: Sendable {
    /// The sender of the reply.
    public var from: MailAddress
    /// Whether the reply goes to every recipient of the original, not only its sender.
    public var replyAll: Bool
    /// Now, for the Date header and the Message-ID (tests pass a fixed time).
    public var date: Date
    /// Makes the reply's Message-ID unique (a UUID by default).
    public var messageIDSeed: String

    /// A composer for replies sent as `from`, dated `date`.
    public init(from: MailAddress, replyAll: Bool = false, date: Date = Date(), messageIDSeed: String = UUID().uuidString) {
        self.from = from
        self.replyAll = replyAll
        self.date = date
        self.messageIDSeed = messageIDSeed
    }

    /// "Re: " once, in front of the subject without its reply prefixes ("RE: Aw: x" → "Re: x");
    /// forward prefixes and list tags stay.
    public static func replySubject(_ subject: String?) -> String {
        let rest = Threader.removingPrefixes(Substring(subject ?? ""), Threader.replyPrefixes, listTags: false).trimmingSpaces()
        return rest.isEmpty ? "Re:" : "Re: " + rest
    }

    /// Who the reply goes to.
    public func recipients(of original: MailMessage) -> (to: [MailAddress], cc: [MailAddress]) {
        let to = original.replyTo.isEmpty ? original.from : original.replyTo
        guard replyAll else { return (to, []) }
        var seen = Set(to.map { $0.address.lowercased() })
        seen.insert(from.address.lowercased())
        var cc: [MailAddress] = []
        for address in original.to + original.cc where !address.address.isEmpty && !seen.contains(address.address.lowercased()) {
            seen.insert(address.address.lowercased())
            cc.append(address)
        }
        return (to, cc)
    }

    /// The reply as an RFC 5322 message: `text` as its body, answering `original` (In-Reply-To, References, `Re:` subject, quoted original).
    public func compose(reply text: String, to original: MailMessage) -> String {
        let (to, cc) = recipients(of: original)
        var headers: [(String, String)] = []
        headers.append(("From", Self.addressList([from])))
        headers.append(("To", Self.addressList(to)))
        if !cc.isEmpty { headers.append(("Cc", Self.addressList(cc))) }
        headers.append(("Subject", Self.encodeText(Self.replySubject(original.subject))))
        headers.append(("Date", Self.rfc5322Date(date)))
        let domain = from.address.split(separator: "@").last.map(String.init) ?? "quire.invalid"
        headers.append(("Message-ID", "<quire.\(Int(date.timeIntervalSince1970)).\(messageIDSeed.lowercased())@\(domain)>"))
        if let id = original.messageID {
            headers.append(("In-Reply-To", "<\(id)>"))
            var references = original.references
            if references.isEmpty, original.inReplyTo.count == 1 { references = original.inReplyTo }
            references.append(id)
            headers.append(("References", references.map { "<\($0)>" }.joined(separator: " ")))
        }
        headers.append(("MIME-Version", "1.0"))
        headers.append(("Content-Type", "text/plain; charset=utf-8"))
        headers.append(("Content-Transfer-Encoding", "quoted-printable"))
        headers.append(("User-Agent", "Quire"))

        var body = text.replacingAll("\r\n", with: "\n")
        while body.hasSuffix("\n") { body.removeLast() }
        body += "\n\n" + attribution(original) + "\n"
        for line in (original.bestText ?? "").replacingAll("\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false) {
            body += (line.hasPrefix(">") ? ">" : "> ") + line + "\n"
        }
        var out = ""
        for (name, value) in headers { out += Self.fold(name + ": " + Self.headerSafe(value)) + "\r\n" }
        out += "\r\n" + Self.quotedPrintable(body)
        return out
    }

    func attribution(_ original: MailMessage) -> String {
        let who = original.from.first.map { $0.name.flatMap { $0.isEmpty ? nil : $0 }.map { "\($0) <\(original.from[0].address)>" } ?? $0.address } ?? "you"
        if let raw = original.date?.raw, !raw.isEmpty { return "On \(raw), \(who) wrote:" }
        return "\(who) wrote:"
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// Addresses for a header: non-ASCII names as encoded words, names with specials quoted.
    static func addressList(_ addresses: [MailAddress]) -> String {
        addresses.map { address in
            guard let name = address.name, !name.isEmpty else { return address.address }
            if !name.allSatisfy(\.isASCII) { return encodeText(name) + " <\(address.address)>" }
            return MailAddress(name: name, address: address.address).description
        }.joined(separator: ", ")
    }

    /// Text for an unstructured header: as is when ASCII, else RFC 2047 B encoded words of
    /// UTF-8, each at most 75 characters and cut between characters.
    static func encodeText(_ text: String) -> String {
        guard !text.allSatisfy({ $0.isASCII }) else { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        let limit = 36  // bytes per word: base64 of 36 bytes is 48 characters, + 12 of "=?UTF-8?B??=" = 60, so "Subject: " and a word fit in 78
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > limit {
                words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: " ")
    }

    /// A header value on one line: line breaks and other control characters (from an address
    /// given by the user, or a subject decoded from the original) become spaces, so no value
    /// can start a header of its own.
    static func headerSafe(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return value }
        return String(String.UnicodeScalarView(value.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// A header line folded at spaces to lines of at most 78 characters where it can be.
    static func fold(_ line: String) -> String {
        guard line.count > 78 else { return line }
        var out = ""
        var current = ""
        for (index, word) in line.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            // Never break right after the field name.
            if index > 1, !current.isEmpty, current.count + 1 + word.count > 78 {
                out += current + "\r\n"
                current = " " + word
            } else {
                current += current.isEmpty ? String(word) : " " + word
            }
        }
        return out + current
    }

    /// Quoted-printable (RFC 2045) of UTF-8 text with CRLF line ends, soft breaks at 76.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let bytes = Array(line.utf8)
            var length = 0
            for (i, byte) in bytes.enumerated() {
                let last = i == bytes.count - 1
                var piece: [UInt8]
                if (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !last) {
                    piece = [byte]
                } else {
                    piece = [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                }
                if length + piece.count > 75 {
                    out += [UInt8(ascii: "="), 13, 10]
                    length = 0
                }
                out += piece
                length += piece.count
            }
            out += [13, 10]
        }
        if out.count >= 2 { out.removeLast(2) }
        return String(decoding: out, as: UTF8.self) + "\r\n"
    }
}
