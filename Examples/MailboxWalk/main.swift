// Walks an mbox message by message: sender, subject, the new text (quoted history and
// signature left out) and the attachments, Word and Excel ones read.
//
//     swift run example-mailbox-walk TestDocuments/mail/thread.mbox
import QuireImport
import QuireMail
import QuireModel

let path = CommandLine.arguments.dropFirst().first ?? "TestDocuments/mail/thread.mbox"
let importer = Importer()
do {
    try MboxReader().forEachMessage(path: path) { entry in
        let message = try importer.readMail(bytes: entry.bytes, name: "\(path) message \(entry.index + 1)")
        print("From:", message.from.first?.description ?? "?", "| Subject:", message.subject ?? "(none)")
        let text = message.textParts?.newText ?? message.bestText ?? ""
        print(text.split(separator: "\n").prefix(3).map { "  " + $0 }.joined(separator: "\n"))
        for attachment in message.attachments {
            var kind = attachment.contentType
            switch attachment.content {
            case .document(let document)?: kind += ", \(document.blocks.count) blocks read"
            case .workbook(let workbook)?: kind += ", \(workbook.sheets.count) sheets read"
            case .message(let inner)?: kind += ", message '\(inner.subject ?? "")'"
            case nil: break
            }
            print("  attached:", attachment.filename ?? "(unnamed)", "(\(kind))")
        }
        for warning in message.warnings + [entry.truncationWarning].compactMap({ $0 }) { print("  warning:", warning) }
    }
} catch {
    print("error:", error)
}
