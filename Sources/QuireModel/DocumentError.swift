/// An error reading a document, naming the file and the place inside it.
public struct DocumentError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: Hashable, Sendable {
            case io, empty, unsupportedFormat, encrypted, legacyFormat, truncated, corrupt
            case limitExceeded, malformedXML, unsafeXML, missingPart
        }
        let kind: Kind
        /// The file could not be opened or read.
        public static let io = Code(kind: .io)
        /// The file is empty.
        public static let empty = Code(kind: .empty)
        /// Not a format Quire reads (or not the one the reader expects).
        public static let unsupportedFormat = Code(kind: .unsupportedFormat)
        /// Password-protected.
        public static let encrypted = Code(kind: .encrypted)
        /// A legacy binary Office file (.doc, .xls).
        public static let legacyFormat = Code(kind: .legacyFormat)
        /// Cut off before its end.
        public static let truncated = Code(kind: .truncated)
        /// Damaged: bad checksums, inconsistent structures.
        public static let corrupt = Code(kind: .corrupt)
        /// Over a configured limit (zip bomb, too many entries, too deep).
        public static let limitExceeded = Code(kind: .limitExceeded)
        /// A part is not well-formed XML.
        public static let malformedXML = Code(kind: .malformedXML)
        /// A part uses XML features refused for safety (entity declarations).
        public static let unsafeXML = Code(kind: .unsafeXML)
        /// A part the format requires is missing.
        public static let missingPart = Code(kind: .missingPart)
        public var description: String { "\(kind)" }
    }

    /// What kind of failure this is; `catch DocumentError.encrypted` matches on it.
    public var code: Code
    /// The file's path, or a label such as `<stdin>`.
    public var file: String
    /// Where inside the file: `word/document.xml:12:5`, an entry name, a byte offset.
    public var location: String?
    /// What happened and what to do.
    public var message: String
    /// The lower-level error, when there is one.
    public var underlying: (any Error & Sendable)?

    /// An error from its code, the file, the place inside it, what happened, and the lower-level error.
    public init(_ code: Code, file: String, location: String? = nil, message: String, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.file = file
        self.location = location
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let location { return "\(file): \(location): \(message)" }
        return "\(file): \(message)"
    }
}

extension DocumentError.Code {
    /// Matches an error of this type with this code, so that a `catch` can name the code:
    /// `catch DocumentError.io { … }`.
    public static func ~= (code: DocumentError.Code, error: any Error) -> Bool {
        (error as? DocumentError)?.code == code
    }
}

extension DocumentError {
    /// ``Code/io``, for `catch DocumentError.io`.
    public static var io: Code { .io }
    /// ``Code/empty``, for `catch DocumentError.empty`.
    public static var empty: Code { .empty }
    /// ``Code/unsupportedFormat``, for `catch DocumentError.unsupportedFormat`.
    public static var unsupportedFormat: Code { .unsupportedFormat }
    /// ``Code/encrypted``, for `catch DocumentError.encrypted`.
    public static var encrypted: Code { .encrypted }
    /// ``Code/legacyFormat``, for `catch DocumentError.legacyFormat`.
    public static var legacyFormat: Code { .legacyFormat }
    /// ``Code/truncated``, for `catch DocumentError.truncated`.
    public static var truncated: Code { .truncated }
    /// ``Code/corrupt``, for `catch DocumentError.corrupt`.
    public static var corrupt: Code { .corrupt }
    /// ``Code/limitExceeded``, for `catch DocumentError.limitExceeded`.
    public static var limitExceeded: Code { .limitExceeded }
    /// ``Code/malformedXML``, for `catch DocumentError.malformedXML`.
    public static var malformedXML: Code { .malformedXML }
    /// ``Code/unsafeXML``, for `catch DocumentError.unsafeXML`.
    public static var unsafeXML: Code { .unsafeXML }
    /// ``Code/missingPart``, for `catch DocumentError.missingPart`.
    public static var missingPart: Code { .missingPart }
}
