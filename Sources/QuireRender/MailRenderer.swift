public import QuireModel

/// Renders mail messages as Markdown, plain text or JSON (`quire.mail` version 1,
/// docs/json-schema.md). Attached office files and messages that were read are rendered
/// after the body, each under its own heading.
public struct MailRenderer: Sendable {
    /// The `schema` field of a message's JSON: `quire.mail`.
    public static let schemaName = "quire.mail"
    /// The schema's version.
    public static let schemaVersion = 1
    /// How attached documents are rendered.
    public var options: RenderOptions
    /// How attached workbooks are rendered.
    public var workbookOptions: WorkbookRenderOptions

    /// A renderer with options for attached documents and workbooks.
    public init(options: RenderOptions = RenderOptions(), workbookOptions: WorkbookRenderOptions = WorkbookRenderOptions()) {
        self.options = options
        self.workbookOptions = workbookOptions
    }

    static func addressList(_ addresses: [MailAddress]) -> String {
        addresses.map(\.description).joined(separator: ", ")
    }

    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return "\((bytes + 512) / 1024) KB" }
        let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024)
        return "\(tenths / 10).\(tenths % 10) MB"
    }

    /// The header lines a reader wants: From, To, Cc, Date (and Reply-To when it differs).
    static func headerLines(_ message: MailMessage) -> [(String, String)] {
        var lines: [(String, String)] = []
        if let folder = message.origin?.folder { lines.append(("Folder", folder)) }
        if !message.from.isEmpty { lines.append(("From", addressList(message.from))) }
        if !message.to.isEmpty { lines.append(("To", addressList(message.to))) }
        if !message.cc.isEmpty { lines.append(("Cc", addressList(message.cc))) }
        if !message.replyTo.isEmpty && message.replyTo.map(\.address) != message.from.map(\.address) {
            lines.append(("Reply-To", addressList(message.replyTo)))
        }
        if let date = message.date { lines.append(("Date", date.raw)) }
        // The categories (Outlook's, or a MIME Keywords field): a reader sorts mail by them.
        if let keywords = message.header("Keywords"), !keywords.isEmpty { lines.append(("Keywords", keywords)) }
        return lines
    }

    static func attachmentLine(_ attachment: MailAttachment) -> String {
        (attachment.filename ?? "(unnamed)") + " (\(kind(attachment.contentType)), \(size(attachment.size)))"
    }

    /// A content type as a reader would name it.
    static func kind(_ type: String) -> String {
        /// Whether the ASCII `needle` occurs in `type` (a byte search: content types are short).
        func has(_ needle: StaticString) -> Bool {
            let n = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
            let t = Array(type.utf8)
            guard t.count >= n.count else { return false }
            for start in 0...(t.count - n.count) where t[start] == n[0] {
                var k = 1
                while k < n.count && t[start + k] == n[k] { k += 1 }
                if k == n.count { return true }
            }
            return false
        }
        if has("wordprocessingml") || type == "application/msword" { return "Word document" }
        if has("spreadsheetml") || type == "application/vnd.ms-excel" { return "Excel workbook" }
        if has("presentationml") || type == "application/vnd.ms-powerpoint" { return "PowerPoint presentation" }
        switch type {
        case "application/pdf": return "PDF"
        case "message/rfc822", "message/global": return "mail message"
        default: return type
        }
    }

    // MARK: Markdown

    /// The message as Markdown: its subject as a heading, its headers as a list, its text (the
    /// best body, quoted history included), then the content of each read attachment.
    public func markdown(_ message: MailMessage) -> String {
        markdown(message, level: 1)
    }

    func markdown(_ message: MailMessage, level: Int) -> String {
        let markdown = MarkdownRenderer(options: options)
        let hashes = String(repeating: "#", count: min(level, 6))
        var out = hashes + " " + markdown.escape(message.subject.flatMap { $0.isEmpty ? nil : $0 } ?? "(no subject)") + "\n\n"
        for (name, value) in MailRenderer.headerLines(message) { out += "- **\(name):** " + markdown.escape(value) + "\n" }
        let listed = message.attachments.filter { !($0.isInline && $0.contentType.hasPrefix("image/")) }
        if !listed.isEmpty {
            out += "- **Attachments:** " + listed.map { markdown.escape(MailRenderer.attachmentLine($0)) }.joined(separator: "; ") + "\n"
        }
        out += "\n"
        if let text = message.bestText, !text.isEmpty {
            out += text.hasSuffix("\n") ? text : text + "\n"
        } else {
            out += "(no text body)\n"
        }
        for attachment in message.attachments {
            guard let content = attachment.content else { continue }
            let sub = String(repeating: "#", count: min(level + 1, 6))
            out += "\n" + sub + " Attachment: " + markdown.escape(attachment.filename ?? attachment.contentType) + "\n\n"
            // The attachment's own headings sit under its heading: `#` becomes `###` below `## Attachment`.
            switch content {
            case .document(let document):
                out += MailRenderer.nestingHeadings(markdown.render(document), by: level + 1)
            case .workbook(let workbook):
                out += MailRenderer.nestingHeadings(WorkbookRenderer(options: workbookOptions).markdown(workbook), by: level)
            case .message(let nested):
                out += self.markdown(nested, level: level + 2)
            }
        }
        return out
    }

    /// Markdown with every ATX heading `levels` deeper (at most six `#`), fenced code left alone.
    static func nestingHeadings(_ markdown: String, by levels: Int) -> String {
        guard levels > 0 else { return markdown }
        var out: [Substring] = []
        var fenced = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") || line.hasPrefix("~~~") { fenced.toggle() }
            let hashes = line.prefix { $0 == "#" }.count
            if !fenced, hashes >= 1, hashes <= 6, line.dropFirst(hashes).first == " " {
                out.append(Substring(String(repeating: "#", count: min(6, hashes + levels)) + line.dropFirst(hashes)))
            } else {
                out.append(line)
            }
        }
        return out.joined(separator: "\n")
    }

    // MARK: Plain text

    /// The message as plain text: headers, text, attachments.
    public func text(_ message: MailMessage) -> String {
        var out = "Subject: " + (message.subject ?? "") + "\n"
        for (name, value) in MailRenderer.headerLines(message) { out += "\(name): \(value)\n" }
        if !message.attachments.isEmpty {
            out += "Attachments: " + message.attachments.map(MailRenderer.attachmentLine).joined(separator: "; ") + "\n"
        }
        out += "\n"
        if let text = message.bestText { out += text.hasSuffix("\n") || text.isEmpty ? text : text + "\n" }
        for attachment in message.attachments {
            guard let content = attachment.content else { continue }
            out += "\n--- Attachment: " + (attachment.filename ?? attachment.contentType) + " ---\n\n"
            switch content {
            case .document(let document): out += PlainTextRenderer(options: options).render(document)
            case .workbook(let workbook): out += WorkbookRenderer(options: workbookOptions).text(workbook)
            case .message(let nested): out += text(nested)
            }
        }
        return out
    }

    // MARK: Threads

    /// A conversation for reading or for a prompt: each message's new text in date order,
    /// without the history it quotes (earlier messages of the thread hold it) or its
    /// signature.
    public func markdown(thread subject: String, messages: [MailMessage]) -> String {
        let markdown = MarkdownRenderer(options: options)
        let title = messages.first?.subject.flatMap { $0.isEmpty ? nil : $0 } ?? subject
        var out = "# " + markdown.escape(title.isEmpty ? "(no subject)" : title) + "\n\n"
        var people: [String] = []
        for message in messages {
            for address in message.from where !people.contains(address.name ?? address.address) { people.append(address.name ?? address.address) }
        }
        out += "_\(messages.count) message\(messages.count == 1 ? "" : "s")"
        if !people.isEmpty { out += " from " + markdown.escape(people.joined(separator: ", ")) }
        out += "_\n"
        for message in messages {
            let who = message.from.first.map { $0.name ?? $0.address } ?? "(unknown sender)"
            out += "\n## " + markdown.escape(who) + (message.date.map { " — " + markdown.escape($0.raw) } ?? "") + "\n\n"
            let listed = message.attachments.filter { !($0.isInline && $0.contentType.hasPrefix("image/")) }
            if !listed.isEmpty {
                out += "Attachments: " + listed.map { markdown.escape(MailRenderer.attachmentLine($0)) }.joined(separator: "; ") + "\n\n"
            }
            let text = message.textParts?.newText ?? message.bestText ?? ""
            out += text.isEmpty ? "(no new text)\n" : (text.hasSuffix("\n") ? text : text + "\n")
        }
        return out
    }

    /// A thread as plain text: its subject, then each message's sender, date and new text.
    public func text(thread subject: String, messages: [MailMessage]) -> String {
        var out = "Thread: " + subject + " (\(messages.count) message\(messages.count == 1 ? "" : "s"))\n"
        for message in messages {
            let who = message.from.first.map(\.description) ?? "(unknown sender)"
            out += "\n--- " + who + (message.date.map { ", " + $0.raw } ?? "") + " ---\n"
            let text = message.textParts?.newText ?? message.bestText ?? ""
            out += text.hasSuffix("\n") || text.isEmpty ? text : text + "\n"
        }
        return out
    }

    /// `{"schema":"quire.thread","version":1,"subject", "messages":[quire.mail …]}`.
    public func json(thread subject: String, messages: [MailMessage], pretty: Bool = true) -> String {
        var w = JSONWriter(pretty: pretty)
        w.beginObject()
        w.field("schema", "quire.thread")
        w.field("version", 1)
        w.field("subject", subject)
        w.key("messages")
        w.beginArray()
        for message in messages { write(message, to: &w, pretty: pretty) }
        w.endArray()
        w.endObject()
        return w.output + "\n"
    }

    // MARK: JSON

    /// The message as one `quire.mail` JSON object (docs/json-schema.md).
    public func json(_ message: MailMessage, pretty: Bool = true) -> String {
        var w = JSONWriter(pretty: pretty)
        write(message, to: &w, pretty: pretty)
        return w.output + "\n"
    }

    package func write(_ message: MailMessage, to w: inout JSONWriter, pretty: Bool) {
        w.beginObject()
        w.field("schema", MailRenderer.schemaName)
        w.field("version", MailRenderer.schemaVersion)
        if let origin = message.origin {
            w.key("source")
            w.beginObject()
            w.field("file", origin.file)
            if let index = origin.index { w.field("index", index) }
            if let offset = origin.offset { w.field("offset", offset) }
            if let name = origin.maildirName { w.field("maildir_name", name) }
            if let folder = origin.folder { w.field("folder", folder) }
            if let node = origin.node { w.field("node", Int(node)) }
            w.endObject()
        }
        w.field("subject", message.subject)
        writeAddresses(message, to: &w)
        w.key("date")
        if let date = message.date {
            w.beginObject()
            w.field("raw", date.raw)
            w.field("iso", date.iso8601)
            w.endObject()
        } else {
            w.null()
        }
        w.field("id", Anchor.message(message))
        w.field("message_id", message.messageID)
        w.key("in_reply_to")
        w.beginArray()
        for id in message.inReplyTo { w.string(id) }
        w.endArray()
        w.key("references")
        w.beginArray()
        for id in message.references { w.string(id) }
        w.endArray()
        w.field("text_body", message.textBody)
        w.field("html_body", message.htmlBody)
        w.field("html_text", message.htmlText)
        w.field("new_text", message.textParts?.newText)
        w.field("quoted", message.textParts?.quoted)
        w.field("signature", message.textParts?.signature)
        w.field("footer", message.textParts?.footer)
        writeAttachments(message.attachments, to: &w, pretty: pretty)
        w.key("headers")
        w.beginArray()
        for header in message.headers {
            w.beginObject()
            w.field("name", header.name)
            w.field("value", header.value)
            w.endObject()
        }
        w.endArray()
        writeParts(message.parts, to: &w)
        w.key("warnings")
        w.beginArray()
        for warning in message.warnings { w.string(warning) }
        w.endArray()
        w.endObject()
    }

    /// The address fields, each an array of name/address (and group) objects.
    func writeAddresses(_ message: MailMessage, to w: inout JSONWriter) {
        for (key, list) in [
            ("from", message.from), ("to", message.to), ("cc", message.cc), ("bcc", message.bcc), ("reply_to", message.replyTo), ("sender", message.sender),
        ] {
            w.key(key)
            w.beginArray()
            for address in list {
                w.beginObject()
                w.field("name", address.name)
                w.field("address", address.address)
                if let group = address.group { w.field("group", group) }
                w.endObject()
            }
            w.endArray()
        }
    }

    /// The attachments, with the content Quire read from each (a document, a workbook, a message).
    func writeAttachments(_ attachments: [MailAttachment], to w: inout JSONWriter, pretty: Bool) {
        w.key("attachments")
        w.beginArray()
        for attachment in attachments {
            w.beginObject()
            w.field("filename", attachment.filename)
            w.field("content_type", attachment.contentType)
            w.field("size", attachment.size)
            if let section = attachment.section { w.field("part", section) }
            if let id = attachment.contentID { w.field("content_id", id) }
            if attachment.isInline { w.field("inline", true) }
            if let content = attachment.content {
                w.key("content")
                switch content {
                case .document(let document): JSONRenderer(pretty: pretty).write(document, to: &w)
                case .workbook(let workbook): w.rawJSON(WorkbookRenderer().json(workbook, pretty: false).trimmingTrailingNewlines())
                case .message(let nested): write(nested, to: &w, pretty: pretty)
                }
            }
            w.endObject()
        }
        w.endArray()
    }

    /// The MIME structure: one object per part.
    func writeParts(_ parts: [MailPart], to w: inout JSONWriter) {
        w.key("parts")
        w.beginArray()
        for part in parts {
            w.beginObject()
            w.field("part", part.section.isEmpty ? nil : part.section)
            w.field("content_type", part.contentType)
            w.field("depth", part.depth)
            if let charset = part.charset { w.field("charset", charset) }
            if let filename = part.filename { w.field("filename", filename) }
            if let disposition = part.disposition { w.field("disposition", disposition) }
            w.field("size", part.size)
            w.endObject()
        }
        w.endArray()
    }
}
