public import QuireModel
import QuireXML
public import QuireZip

extension DocumentError {
    /// A ZIP failure as a document error with the same meaning.
    public init(zip error: ZipError) {
        let code: Code
        switch error.code {
        case .emptyFile: code = .empty
        case .notAZip: code = .unsupportedFormat
        case .truncated: code = .truncated
        case .encryptedDocument, .encryptedEntry: code = .encrypted
        case .legacyOLEDocument: code = .legacyFormat
        case .entryTooLarge, .totalSizeExceeded, .compressionRatioExceeded, .tooManyEntries: code = .limitExceeded
        case .io: code = .io
        case .entryNotFound: code = .missingPart
        default: code = .corrupt
        }
        self.init(code, file: error.archive, location: error.entry, message: error.message, underlying: error)
    }

    /// An XML (or handler) failure in `part` of `file`.
    public init(xml error: any Error, file: String, part: String) {
        if let document = error as? DocumentError {
            self = document
            return
        }
        if let zip = error as? ZipError {
            self.init(zip: zip)
            return
        }
        if let xml = error as? XMLError {
            let code: Code =
                switch xml.code {
                case .entityDeclaration: .unsafeXML
                case .malformed: .malformedXML
                case .tooDeep: .limitExceeded
                default: .corrupt
                }
            self.init(code, file: file, location: "\(part):\(xml.line):\(xml.column)", message: xml.message, underlying: xml)
            return
        }
        self.init(.corrupt, file: file, location: part, message: "\(error)")
    }
}

/// A part beside a document's main content (styles, numbering, notes, comments, headers,
/// tables): damaged, it costs only itself.
package enum SidePart {
    /// Runs `read`; a damaged part is left out with a warning naming it, `what` was lost
    /// (`the comments`) and what still stands (`the rest of the document is read`), while a
    /// hostile one (over a limit, declaring entities) still refuses the whole file.
    package static func read<T>(
        _ what: String, part: String? = nil, still: String, into warnings: inout [String], _ read: () throws(DocumentError) -> T
    ) throws(DocumentError) -> T? {
        do {
            return try read()
        } catch {
            if error.code == .limitExceeded || error.code == .unsafeXML { throw error }
            let said = error.message.last.map { ".!?".contains($0) } ?? true ? error.message : error.message + "."
            let lost = what.prefix(1).uppercased() + what.dropFirst()
            warnings.append("\(error.location ?? part ?? error.file): \(said) \(lost) were left out; \(still).")
            return nil
        }
    }
}
