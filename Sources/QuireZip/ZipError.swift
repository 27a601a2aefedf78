/// An error reading a ZIP archive, naming the archive and (where there is one) the entry.
public struct ZipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is. New codes may be added; switch with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: Hashable, Sendable {
            case emptyFile, notAZip, truncated, corrupt, crcMismatch
            case encryptedDocument, legacyOLEDocument, encryptedEntry, unsupportedMethod
            case entryTooLarge, totalSizeExceeded, compressionRatioExceeded, tooManyEntries
            case entryNotFound, io
        }
        let kind: Kind
        /// The file has no bytes at all.
        public static let emptyFile = Code(kind: .emptyFile)
        /// The bytes are not a ZIP archive (and not a known container either).
        public static let notAZip = Code(kind: .notAZip)
        /// The archive ends early: its directory or an entry's data is cut off.
        public static let truncated = Code(kind: .truncated)
        /// The archive's structures contradict themselves.
        public static let corrupt = Code(kind: .corrupt)
        /// An entry's data does not match its CRC-32.
        public static let crcMismatch = Code(kind: .crcMismatch)
        /// A password-protected Office document (an OLE compound file holding `EncryptedPackage`).
        public static let encryptedDocument = Code(kind: .encryptedDocument)
        /// A legacy binary Office file (.doc/.xls: an OLE compound file, not a ZIP).
        public static let legacyOLEDocument = Code(kind: .legacyOLEDocument)
        /// A ZIP entry protected with ZIP encryption.
        public static let encryptedEntry = Code(kind: .encryptedEntry)
        /// An entry compressed with a method other than stored or deflate.
        public static let unsupportedMethod = Code(kind: .unsupportedMethod)
        /// An entry inflates to more than `ZipLimits.maxEntrySize`, or to more than it declares.
        public static let entryTooLarge = Code(kind: .entryTooLarge)
        /// The entries read so far inflate to more than `ZipLimits.maxTotalSize`.
        public static let totalSizeExceeded = Code(kind: .totalSizeExceeded)
        /// An entry's compression ratio is above `ZipLimits.maxCompressionRatio` (a zip bomb).
        public static let compressionRatioExceeded = Code(kind: .compressionRatioExceeded)
        /// The archive lists more entries than `ZipLimits.maxEntryCount`.
        public static let tooManyEntries = Code(kind: .tooManyEntries)
        /// A required entry is not in the archive.
        public static let entryNotFound = Code(kind: .entryNotFound)
        /// The file could not be opened or read.
        public static let io = Code(kind: .io)

        public var description: String { "\(kind)" }
    }

    /// What kind of failure this is.
    public var code: Code
    /// The archive's path, or a label such as `<stdin>`.
    public var archive: String
    /// The entry involved, if any.
    public var entry: String?
    /// A sentence for the user: what happened and what to do.
    public var message: String

    /// An error naming the archive and, where there is one, the entry.
    public init(_ code: Code, archive: String, entry: String? = nil, message: String) {
        self.code = code
        self.archive = archive
        self.entry = entry
        self.message = message
    }

    public var description: String {
        if let entry {
            return "\(archive): \(entry): \(message)"
        }
        return "\(archive): \(message)"
    }
}

extension ZipError.Code {
    /// Matches an error of this type with this code, so that a `catch` can name the code:
    /// `catch ZipError.emptyFile { … }`.
    public static func ~= (code: ZipError.Code, error: any Error) -> Bool {
        (error as? ZipError)?.code == code
    }
}

extension ZipError {
    /// ``Code/emptyFile``, for `catch ZipError.emptyFile`.
    public static var emptyFile: Code { .emptyFile }
    /// ``Code/notAZip``, for `catch ZipError.notAZip`.
    public static var notAZip: Code { .notAZip }
    /// ``Code/truncated``, for `catch ZipError.truncated`.
    public static var truncated: Code { .truncated }
    /// ``Code/corrupt``, for `catch ZipError.corrupt`.
    public static var corrupt: Code { .corrupt }
    /// ``Code/crcMismatch``, for `catch ZipError.crcMismatch`.
    public static var crcMismatch: Code { .crcMismatch }
    /// ``Code/encryptedDocument``, for `catch ZipError.encryptedDocument`.
    public static var encryptedDocument: Code { .encryptedDocument }
    /// ``Code/legacyOLEDocument``, for `catch ZipError.legacyOLEDocument`.
    public static var legacyOLEDocument: Code { .legacyOLEDocument }
    /// ``Code/encryptedEntry``, for `catch ZipError.encryptedEntry`.
    public static var encryptedEntry: Code { .encryptedEntry }
    /// ``Code/unsupportedMethod``, for `catch ZipError.unsupportedMethod`.
    public static var unsupportedMethod: Code { .unsupportedMethod }
    /// ``Code/entryTooLarge``, for `catch ZipError.entryTooLarge`.
    public static var entryTooLarge: Code { .entryTooLarge }
    /// ``Code/totalSizeExceeded``, for `catch ZipError.totalSizeExceeded`.
    public static var totalSizeExceeded: Code { .totalSizeExceeded }
    /// ``Code/compressionRatioExceeded``, for `catch ZipError.compressionRatioExceeded`.
    public static var compressionRatioExceeded: Code { .compressionRatioExceeded }
    /// ``Code/tooManyEntries``, for `catch ZipError.tooManyEntries`.
    public static var tooManyEntries: Code { .tooManyEntries }
    /// ``Code/entryNotFound``, for `catch ZipError.entryNotFound`.
    public static var entryNotFound: Code { .entryNotFound }
    /// ``Code/io``, for `catch ZipError.io`.
    public static var io: Code { .io }
}
