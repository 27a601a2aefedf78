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
