// Walks mail message by message — an mbox, a Maildir, a folder of .eml files, or several —
// printing the sender, the subject, the new text (quoted history and signature left out) and
// the attachments, Word and Excel ones read. One message is held at a time.
//
//     swift run example-mailbox-walk TestDocuments/mail/thread.mbox TestDocuments/batch/Maildir
import QuireKit

let paths = Array(CommandLine.arguments.dropFirst())
for await message in Quire.messages(in: paths.isEmpty ? ["TestDocuments/mail/thread.mbox"] : paths, onWarning: { print("warning:", $0) }) {
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
    for warning in message.warnings { print("  warning:", warning) }
}
