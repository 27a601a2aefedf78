import ArgumentParser
import QuireImport
import QuireMail
import QuireModel
import QuireOOXML
import QuireZip

/// The reading limits a user may raise for a file they trust (or lower for one they do not):
/// how much a Word or Excel package may inflate to, how many parts it may list, and how much
/// of one message is read. Every command that reads files takes them.
struct LimitOptions: ParsableArguments {
    @Option(help: "Mail: read at most this many megabytes of one message (default 64); the rest of a longer one is skipped with a warning.")
    var maxMessageSize: Int = MailReader.Limits.defaultMessageBytes >> 20

    @Option(help: "Office files: the most megabytes one part may inflate to.")
    var maxPartSize: Int = Int(ZipLimits.default.maxEntrySize >> 20)

    @Option(help: "Office files: the most megabytes all parts of one file may inflate to together.")
    var maxDocumentSize: Int = Int(ZipLimits.default.maxTotalSize >> 20)

    @Option(help: "Office files: the highest compression ratio accepted for parts over 4 MB, a zip-bomb guard.")
    var maxCompressionRatio: Int = Int(ZipLimits.default.maxCompressionRatio)

    @Option(help: "Office files: the most parts the archive may list.")
    var maxParts: Int = ZipLimits.default.maxEntryCount

    func validate() throws {
        let megabytes = 1...(1 << 24)
        if !megabytes.contains(maxPartSize) { throw ValidationError("--max-part-size is in megabytes, from 1 to \(1 << 24).") }
        if !megabytes.contains(maxDocumentSize) { throw ValidationError("--max-document-size is in megabytes, from 1 to \(1 << 24).") }
        if !(2...1_000_000).contains(maxCompressionRatio) {
            throw ValidationError("--max-compression-ratio is a ratio, from 2 to 1000000.")
        }
        if !(1...10_000_000).contains(maxParts) { throw ValidationError("--max-parts is a count, from 1 to 10000000.") }
        if maxMessageSize < 1 || maxMessageSize > 1 << 20 {
            throw ValidationError("--max-message-size is in megabytes, from 1 to 1048576.")
        }
    }

    /// An importer with these limits whose readers may use `parallelism` threads.
    func importer(parallelism: Int) -> Importer {
        Importer(limits: zipLimits, maxMessageBytes: maxMessageSize << 20, parallelism: parallelism)
    }

    /// The ZIP limits these options give.
    var zipLimits: ZipLimits {
        ZipLimits(
            maxEntrySize: Int64(maxPartSize) << 20, maxTotalSize: Int64(maxDocumentSize) << 20,
            maxCompressionRatio: Int64(maxCompressionRatio), maxEntryCount: maxParts)
    }

    /// The option that raises the limit `error` ran into, as a hint for its message; nil for
    /// every other error.
    static func hint(for error: any Error) -> String? {
        let zip = (error as? ZipError) ?? ((error as? DocumentError)?.underlying as? ZipError)
        guard let zip else { return nil }
        switch zip.code {
        case .entryTooLarge: return "--max-part-size"
        case .totalSizeExceeded: return "--max-document-size"
        case .compressionRatioExceeded: return "--max-compression-ratio"
        case .tooManyEntries: return "--max-parts"
        default: return nil
        }
    }

    /// `error` as a message line, with the option that raises its limit when it hit one.
    static func describe(_ error: any Error) -> String {
        guard let option = hint(for: error) else { return "\(error)" }
        return "\(error) If you trust the file, raise the limit with \(option)."
    }
}
