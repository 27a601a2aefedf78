import QuireCFB
import QuireModel

extension OutlookReader {
    /// The attachments in order. One that cannot be read is left out with a warning naming
    /// it; the others are kept.
    func attachments(of item: OutlookItem, codepage: Int?, depth: Int, warnings: inout [String]) -> [MailAttachment] {
        var out: [MailAttachment] = []
        for (index, place) in item.attachmentPlaces().enumerated() {
            do {
                out.append(try attachment(item.attachment(place, codepage: codepage), number: index + 1, depth: depth, warnings: &warnings))
            } catch {
                warnings.append("attachment \(index + 1) could not be read: \(error.location.map { $0 + ": " } ?? "")\(error.message)")
            }
        }
        return out
    }

    /// Attachment methods ([MS-OXCMSG] PidTagAttachMethod).
    enum Method {
        static let byValue = 1
        static let byReference = 2
        static let byReferenceResolve = 3
        static let byReferenceOnly = 4
        static let embeddedMessage = 5
        static let oleObject = 6
        static let byWebReference = 7
    }

    /// One attachment: a file's bytes, an embedded message read, or a reference reported.
    func attachment(_ item: OutlookAttachmentItem, number: Int, depth: Int, warnings: inout [String]) throws(DocumentError) -> MailAttachment {
        let properties = item.properties
        let method = properties.int32(0x3705) ?? Method.byValue
        let name = try properties.string(first: 0x3707, 0x3704, 0x3001)
        let mimeTag = try properties.string(0x370E)?.lowercased()
        let contentID = try properties.string(0x3712).map { $0.trimmingCharacters(in: " \t<>") }.flatMap { $0.isEmpty ? nil : $0 }
        // Hidden attachments and those the HTML refers to (flag 4) are shown in the body.
        let inline = properties.bool(0x7FFE) == true || (properties.int32(0x3714) ?? 0) & 4 != 0
        var attachment: MailAttachment
        switch method {
        case Method.embeddedMessage:
            guard let embedded = try item.embeddedMessage() else {
                throw DocumentError(.corrupt, file: item.file, location: item.location, message: "the embedded message's storage is missing.")
            }
            guard depth < maxDepth else {
                warnings.append("attachment \(number): an embedded message \(maxDepth) levels deep was not read (the limit on nesting)")
                attachment = MailAttachment(filename: name, contentType: "message/rfc822", size: 0)
                break
            }
            let nested = try message(embedded, depth: depth + 1)
            // What was lost inside it is said at the top too, where a reader sees it.
            warnings += nested.warnings.map { "in attached message \(number) '\(name ?? nested.subject ?? "")': " + $0 }
            attachment = MailAttachment(
                filename: (name ?? nested.subject).map { $0.lowercased().hasSuffix(".msg") ? $0 : $0 + ".msg" }, contentType: "message/rfc822",
                size: item.embeddedSize,
                content: .message(nested))
        case Method.byReference, Method.byReferenceResolve, Method.byReferenceOnly, Method.byWebReference:
            let target = try properties.string(first: 0x370D, 0x3708) ?? name ?? "an unnamed target"
            warnings.append("attachment \(number) '\(name ?? target)' is a link to \(target) (attached by reference): not followed")
            attachment = MailAttachment(filename: name, contentType: mimeTag ?? Self.mediaType(ofName: name), size: 0)
        case Method.oleObject:
            warnings.append("attachment \(number) '\(name ?? "unnamed")' is an embedded OLE object: its content is not read")
            attachment = MailAttachment(filename: name, contentType: mimeTag ?? "application/octet-stream", size: 0)
        default:
            let data = try properties.binary(0x3701) ?? []
            attachment = MailAttachment(filename: name, contentType: mimeTag ?? Self.mediaType(ofName: name), size: data.count, data: data)
        }
        attachment.contentID = contentID
        attachment.isInline = inline
        attachment.section = "\(number)"
        return attachment
    }

    /// The bytes of every stream under `storage` (an embedded message's size).
    static func size(of storage: CompoundFile.Entry, in file: CompoundFile) -> Int {
        var total = 0
        var pending = [storage]
        while let entry = pending.popLast() {
            for child in file.children(of: entry) {
                if child.kind == .stream { total += child.size } else { pending.append(child) }
            }
        }
        return total
    }

    /// A media type from a file name's extension, for attachments without a MIME tag.
    static func mediaType(ofName name: String?) -> String {
        guard let name, let dot = name.lastIndex(of: ".") else { return "application/octet-stream" }
        switch name[name.index(after: dot)...].lowercased() {
        case "pdf": return "application/pdf"
        case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case "xlsx": return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case "pptx": return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case "doc": return "application/msword"
        case "xls": return "application/vnd.ms-excel"
        case "msg": return "application/vnd.ms-outlook"
        case "eml": return "message/rfc822"
        case "txt": return "text/plain"
        case "csv": return "text/csv"
        case "htm", "html": return "text/html"
        case "jpg", "jpeg": return "image/jpeg"
        case "png": return "image/png"
        case "gif": return "image/gif"
        case "zip": return "application/zip"
        default: return "application/octet-stream"
        }
    }
}
