import QuireCFB
package import QuireMail
package import QuireModel
package import QuirePST
import QuireZip

/// Compound (OLE) files: Outlook messages are read as mail; the others are named by their
/// root entries.
extension Importer {
    /// Bounds on compound files (Outlook .msg): a stream may be as large as a ZIP entry.
    var compoundLimits: CompoundFile.Limits {
        CompoundFile.Limits(maxStreamBytes: Int(clamping: limits.maxEntrySize), maxEntries: max(limits.maxEntryCount, 1) * 10)
    }

    /// Bounds on Outlook archives (PST): a value may be as large as a ZIP entry.
    package var pstLimits: PSTFile.Limits {
        PSTFile.Limits(maxValueBytes: Int(clamping: limits.maxEntrySize))
    }

    /// An Outlook archive's messages as `OutlookArchive` reads them, with this importer's
    /// limits; `separatesQuotedText` as for other mail.
    package func outlookArchive(path: String, separatesQuotedText: Bool = true) throws(DocumentError) -> OutlookArchive {
        try OutlookArchive(
            path: path, limits: pstLimits, reader: OutlookReader(limits: compoundLimits, separatesQuotedText: separatesQuotedText))
    }

    /// Message `entry` of an Outlook archive with its attachments read as for an `.eml`, and
    /// `origin` naming the file, folder and node.
    package func readMail(entry: OutlookArchive.Entry, of file: String) throws(DocumentError) -> MailMessage {
        var message = try entry.result.get()
        extractAttachments(of: &message, depth: 0)
        message.origin = MailOrigin(file: file, index: entry.index, folder: entry.folder, node: entry.nid)
        return message
    }

    /// What a compound file that is no Outlook message is, told by its root's entries.
    static func compoundError(_ file: CompoundFile, name: String) -> DocumentError {
        let entries = file.children(of: file.root).map(\.name)
        let names = Set(entries.map { $0.uppercased() })
        if names.contains("ENCRYPTEDPACKAGE") || names.contains("ENCRYPTIONINFO") {
            return DocumentError(
                .encrypted, file: name,
                message:
                    "the document is password-protected (an encrypted Office file). Remove the password in Word or Excel (File › Info › Protect) and try again."
            )
        }
        if names.contains("WORDDOCUMENT") {
            return DocumentError(
                .legacyFormat, file: name,
                message:
                    "this is a Word 97–2003 document (.doc), a binary format Quire does not read. Save it as .docx first (for example: libreoffice --headless --convert-to docx FILE)."
            )
        }
        if names.contains("WORKBOOK") || names.contains("BOOK") {
            return DocumentError(
                .legacyFormat, file: name,
                message:
                    "this is an Excel 97–2003 workbook (.xls), a binary format Quire does not read. Save it as .xlsx first (for example: libreoffice --headless --convert-to xlsx FILE)."
            )
        }
        if names.contains("POWERPOINT DOCUMENT") {
            return DocumentError(.legacyFormat, file: name, message: "this is a PowerPoint 97–2003 presentation (.ppt), which Quire does not read.")
        }
        let listed = entries.prefix(6).joined(separator: ", ") + (entries.count > 6 ? ", …" : "")
        return DocumentError(
            .unsupportedFormat, file: name,
            message: "an OLE compound file that is neither an Outlook message nor an Office document Quire knows (its root holds: \(listed)).")
    }
}
