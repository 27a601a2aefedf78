package import QuireCFB
import QuireDOCX
public import QuireMail
public import QuireModel
package import QuireOOXML
import QuireXLSX
public import QuireZip

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a file turned out to be, judged by its bytes (never by its name alone).
public struct DetectedFormat: Hashable, Sendable, CustomStringConvertible {
    /// The format's short name.
    public let name: String
    init(_ name: String) { self.name = name }
    /// A format of a ``FormatPlugin``, by its short name (`odt`, `msg`).
    public init(name: String) { self.name = name }
    /// A Word document.
    public static let docx = DetectedFormat("docx")
    /// An Excel workbook.
    public static let xlsx = DetectedFormat("xlsx")
    /// A PowerPoint presentation (recognised, not read).
    public static let pptx = DetectedFormat("pptx")
    /// A ZIP that is not an Office document Quire knows.
    public static let zip = DetectedFormat("zip")
    /// An OLE compound file: a legacy .doc/.xls or a password-protected OOXML file.
    public static let oleCompound = DetectedFormat("ole")
    /// An Outlook message (.msg): a compound file whose root holds MAPI properties.
    public static let msg = DetectedFormat("msg")
    /// An Outlook data file (`.pst`, or an `.ost` of the same layout): a mailbox of folders.
    public static let pst = DetectedFormat("pst")
    /// An RFC 5322 message (.eml).
    public static let mail = DetectedFormat("eml")
    /// An mbox mailbox.
    public static let mbox = DetectedFormat("mbox")
    /// A file of 0 bytes.
    public static let empty = DetectedFormat("empty")
    /// Nothing Quire recognises.
    public static let unknown = DetectedFormat("unknown")
    public var description: String { name }
}

/// Anything the importer can read.
public enum ImportedContent: Sendable {
    /// A text document.
    case document(Document)
    /// A workbook.
    case workbook(Workbook)
    /// A mail message.
    case mail(MailMessage)
}

/// The format-sniffing entry point: looks at a file's bytes and hands it to the right reader.
public struct Importer: Sendable {
    /// Bounds on ZIP packages (entry and total size, ratio, entries).
    public var limits: ZipLimits
    /// Bytes read of one message (an .eml file or an mbox entry); see `MailReader.Limits`.
    public var maxMessageBytes: Int
    /// Threads the readers (and the `Extractor` over this importer) may use. 1, the default,
    /// keeps all work on the calling thread; the command line passes the machine's cores.
    public var parallelism: Int
    /// Readers of other formats, asked first in this order; see ``FormatPlugin``.
    public var plugins: [any FormatPlugin]

    /// An importer with its limits; `parallelism` 1 (the default) keeps all work on the calling thread.
    public init(
        limits: ZipLimits = .default, maxMessageBytes: Int = MailReader.Limits.defaultMessageBytes, parallelism: Int = 1,
        plugins: [any FormatPlugin] = []
    ) {
        self.limits = limits
        self.maxMessageBytes = maxMessageBytes
        self.parallelism = max(1, parallelism)
        self.plugins = plugins
    }

    /// The DOCX reader's and the XLSX reader's options for this importer.
    var docxOptions: DOCXReader.Options { .init(limits: limits, parallelism: parallelism) }
    var xlsxOptions: XLSXReader.Options { .init(limits: limits, parallelism: parallelism) }

    /// The mbox reader with this importer's message size limit.
    public var mboxReader: MboxReader { MboxReader(maxMessageBytes: maxMessageBytes) }

    /// The message file at `path` (attachments read too), its first `maxMessageBytes` only, with
    /// a warning when there was more.
    public func readMailFile(path: String, separatesQuotedText: Bool = true) throws(DocumentError) -> MailMessage {
        let (bytes, size) = try Importer.contents(path: path, upTo: maxMessageBytes)
        return try readMail(fileBytes: bytes, size: size, path: path, separatesQuotedText: separatesQuotedText)
    }

    /// The message file `path` from its bytes (the first `bytes.count` of `size`): a warning
    /// when it was cut, and the file as its origin.
    func readMail(fileBytes bytes: [UInt8], size: Int, path: String, separatesQuotedText: Bool) throws(DocumentError) -> MailMessage {
        var message = try readMail(bytes: bytes, name: path, separatesQuotedText: separatesQuotedText)
        if size > bytes.count {
            message.warnings.append(MailReader.Limits.truncationWarning(size: size, kept: bytes.count))
        }
        message.origin = .file(path)
        return message
    }

    /// Detects the format of the file at `path` from its magic bytes and, for ZIPs, from
    /// `[Content_Types].xml`.
    /// A plugin that accepts the file gives its own format.
    public func detect(path: String) -> DetectedFormat {
        guard let head = Importer.head(path: path, count: 512) else { return .unknown }
        if head.isEmpty { return .empty }
        var detected = Importer.detect(head: head)
        if head.starts(with: [0x50, 0x4B]) {
            detected = (try? OPCPackage(path: path, limits: limits)).map(Importer.classify) ?? .zip
        }
        if detected == .oleCompound, let file = try? CompoundFile(path: path, limits: compoundLimits), OutlookReader.isMessage(file) { detected = .msg }
        return plugin(head: head, detected: detected, name: path)?.format ?? detected
    }

    /// Whether the ZIP file at `path` cannot be opened as a package with this importer's limits
    /// (damaged, or past a limit): such a file may well be an Office file, so a folder walk
    /// makes it an item that fails with the reason rather than skipping it as "not a document".
    package func packageFails(path: String) -> Bool {
        (try? OPCPackage(path: path, limits: limits)) == nil
    }

    /// Detects the format of bytes held in memory; `name` (a file name, when known) is for plugins.
    public func detect(bytes: [UInt8], name: String = "") -> DetectedFormat {
        let detected = detectBuiltIn(bytes: bytes)
        return plugin(head: Array(bytes.prefix(512)), detected: detected, name: name)?.format ?? detected
    }

    /// What Quire's own sniffing makes of bytes in memory.
    func detectBuiltIn(bytes: [UInt8]) -> DetectedFormat {
        if bytes.isEmpty { return .empty }
        if bytes.starts(with: [0x50, 0x4B]) {
            guard let package = try? OPCPackage(bytes: bytes, name: "<memory>", limits: limits) else { return .zip }
            return Importer.classify(package)
        }
        let detected = Importer.detect(head: Array(bytes.prefix(512)))
        if detected == .oleCompound, let file = try? CompoundFile(bytes: bytes, name: "<memory>", limits: compoundLimits), OutlookReader.isMessage(file) {
            return .msg
        }
        return detected
    }

    package static func detect(head: [UInt8]) -> DetectedFormat {
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return .oleCompound }
        if head.starts(with: Array("!BDN".utf8)) { return .pst }
        var text = head
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
        if text.starts(with: Array("From ".utf8)) { return .mbox }
        // A message starts with header fields: `Name: value` lines (obsolete syntax allows
        // blanks before the colon: `Subject : …`, as GMime and Python accept).
        if let colon = text.firstIndex(of: UInt8(ascii: ":")), colon > 0, colon < 78 {
            let name = text[..<colon].reversed().drop { $0 == 0x20 || $0 == 0x09 }
            if !name.isEmpty, name.allSatisfy({ $0 > 32 && $0 < 127 }) { return .mail }
        }
        return .unknown
    }

    static func classify(_ package: OPCPackage) -> DetectedFormat {
        let types = try? package.contentTypes()
        let main = (try? package.mainPart(fallback: "")) ?? ""
        let type = types?.type(of: main) ?? ""
        if type.contains("wordprocessingml") || type.contains("ms-word") { return .docx }
        if type.contains("spreadsheetml") || type.contains("ms-excel") { return .xlsx }
        if type.contains("presentationml") || type.contains("ms-powerpoint") { return .pptx }
        if package.hasPart("word/document.xml") { return .docx }
        if package.hasPart("xl/workbook.xml") { return .xlsx }
        if package.hasPart("ppt/presentation.xml") { return .pptx }
        return .zip
    }

    /// The first `count` bytes of a file (fewer when it is shorter); nil when it cannot be read.
    package static func head(path: String, count: Int) -> [UInt8]? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, count) }
        guard n >= 0 else { return nil }
        return Array(buffer.prefix(n))
    }

    /// A file opened once: an Office package with its format, some other kind of content, or
    /// content a plugin takes (with the bytes, when they are held in memory).
    package enum Opened {
        case package(OPCPackage, DetectedFormat)
        case other(DetectedFormat)
        case plugin(any FormatPlugin, bytes: [UInt8]?)
        /// A message read whole while it was sniffed: the file was opened once.
        case message(bytes: [UInt8])
        /// An Outlook message, its container open.
        case outlook(CompoundFile)
    }

    /// Opens the file at `path` and tells what it is, so the reader can go on with the same
    /// open package (no second look at the central directory and content types).
    ///
    /// - Throws: `DocumentError` for a missing or unreadable path, a directory, and any file
    ///   that looks like a ZIP or OLE container but cannot be opened as one (the ZIP layer's
    ///   error: encrypted, legacy, truncated…).
    package func open(path: String) throws(DocumentError) -> Opened {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw DocumentError(.io, file: path, message: "cannot open the file: \(reason).")
        }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            throw DocumentError(.unsupportedFormat, file: path, message: "is a directory; give the documents inside it.")
        }
        var head = [UInt8](repeating: 0, count: 512)
        let n = Importer.readFully(fd, into: &head, from: 0)
        guard n >= 0 else { throw DocumentError(.io, file: path, message: "cannot read the file: \(String(cString: strerror(errno))).") }
        head.removeSubrange(n...)
        let opened = try opened(
            head: head, name: path, bytes: nil,
            compound: { () throws(DocumentError) in try CompoundFile(path: path, limits: compoundLimits) },
            package: { () throws(DocumentError) in try OPCPackage(path: path, limits: limits) })
        // A message in a regular file within the size limit is read on from the same open
        // file: sniffing and reading cost one open, which a folder of messages feels.
        let size = Int(info.st_size)
        guard case .other(.mail) = opened, (info.st_mode & S_IFMT) == S_IFREG, size <= maxMessageBytes else { return opened }
        if n < 512 { return .message(bytes: head) }  // the whole file
        // One byte more than the size tells a file that grew while read: that one is left to
        // the general path (and its size limit).
        var bytes = [UInt8](repeating: 0, count: size + 1)
        bytes.replaceSubrange(0..<n, with: head)
        let rest = Importer.readFully(fd, into: &bytes, from: n)
        guard rest >= 0, n + rest <= size else { return opened }
        bytes.removeSubrange((n + rest)...)
        return .message(bytes: bytes)
    }

    /// Reads into `buffer` from index `start` until it is full or the file ends; the count
    /// read, or -1 on an error.
    private static func readFully(_ fd: Int32, into buffer: inout [UInt8], from start: Int) -> Int {
        var filled = start
        let capacity = buffer.count
        while filled < capacity {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, capacity - filled) }
            if n < 0 {
                if errno == EINTR { continue }
                return -1
            }
            if n == 0 { break }
            filled += n
        }
        return filled - start
    }

    /// As `open(path:)`, for bytes held in memory; `name` labels them.
    package func open(bytes: [UInt8], name: String) throws(DocumentError) -> Opened {
        try opened(
            head: Array(bytes.prefix(512)), name: name, bytes: bytes,
            compound: { () throws(DocumentError) in try CompoundFile(bytes: bytes, name: name, limits: compoundLimits) },
            package: { () throws(DocumentError) in try OPCPackage(bytes: bytes, name: name, limits: limits) })
    }

    /// What input starting with `head` is: a plugin's (asked first, told what Quire's own
    /// sniffing found), an Office package (`package` opens it), or other content. `bytes` are
    /// handed to the plugin when the input is held in memory.
    private func opened(
        head: [UInt8], name: String, bytes: [UInt8]?, compound: () throws(DocumentError) -> CompoundFile,
        package open: () throws(DocumentError) -> OPCPackage
    ) throws(DocumentError) -> Opened {
        if head.starts(with: CompoundFile.signature) {
            // An Outlook message is told from legacy and encrypted Office files by its root
            // storage's entries. A damaged container is named as such, unless a plugin takes it.
            let file: CompoundFile
            do {
                file = try compound()
            } catch {
                if let plugin = plugin(head: head, detected: .oleCompound, name: name) { return .plugin(plugin, bytes: bytes) }
                throw error
            }
            if OutlookReader.isMessage(file) {
                if let plugin = plugin(head: head, detected: .msg, name: name) { return .plugin(plugin, bytes: bytes) }
                return .outlook(file)
            }
            if let plugin = plugin(head: head, detected: .oleCompound, name: name) { return .plugin(plugin, bytes: bytes) }
            throw Importer.compoundError(file, name: name)
        }
        if Importer.isContainer(head) {
            let package: OPCPackage
            do {
                package = try open()
            } catch {
                // An OLE file (Outlook .msg, legacy Office) or a ZIP the OPC layer refuses may
                // still be a plugin's.
                if let plugin = plugin(head: head, detected: Importer.detect(head: head), name: name) { return .plugin(plugin, bytes: bytes) }
                throw error
            }
            let format = Importer.classify(package)
            if let plugin = plugin(head: head, detected: format, name: name) { return .plugin(plugin, bytes: bytes) }
            return .package(package, format)
        }
        let format = head.isEmpty ? DetectedFormat.empty : Importer.detect(head: head)
        if let plugin = plugin(head: head, detected: format, name: name) { return .plugin(plugin, bytes: bytes) }
        return .other(format)
    }

    /// A ZIP (`PK`) or an OLE compound file: what the OPC layer opens, or names the error of.
    static func isContainer(_ head: [UInt8]) -> Bool {
        head.starts(with: [0x50, 0x4B]) || head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
    }

    /// Reads the file at `path` with the reader its format calls for.
    ///
    /// - Throws: `DocumentError`; `.unsupportedFormat` names what the file is when Quire
    ///   cannot read that kind yet.
    public func read(path: String) throws(DocumentError) -> ImportedContent {
        try read(open(path: path), file: path)
    }

    /// Reads bytes held in memory (for example standard input); `name` labels them.
    public func read(bytes: [UInt8], name: String) throws(DocumentError) -> ImportedContent {
        let opened = try open(bytes: bytes, name: name)
        if case .other(.mail) = opened { return .mail(try readMail(bytes: bytes, name: name)) }
        return try read(opened, file: name)
    }

    /// `separatesQuotedText`: for a message, whether to find its quoted history (not needed
    /// when the output shows the whole text).
    package func read(_ opened: Opened, file: String, separatesQuotedText: Bool = true) throws(DocumentError) -> ImportedContent {
        switch opened {
        case .package(let package, .xlsx):
            return .workbook(try XLSXReader(options: xlsxOptions).read(package))
        case .package(let package, .docx), .package(let package, .zip):
            // The DOCX reader says precisely what is wrong with a ZIP that is no document.
            return .document(try DOCXReader(options: docxOptions).read(package: package))
        case .other(.mail):
            return .mail(try readMailFile(path: file, separatesQuotedText: separatesQuotedText))
        case .message(let bytes):
            return .mail(try readMail(fileBytes: bytes, size: bytes.count, path: file, separatesQuotedText: separatesQuotedText))
        case .outlook(let compound):
            var message = try OutlookReader(limits: compoundLimits, separatesQuotedText: separatesQuotedText).read(compound)
            extractAttachments(of: &message, depth: 0)
            message.origin = MailOrigin(file: file)
            return .mail(message)
        case .plugin(let plugin, let bytes?):
            return try plugin.read(bytes: bytes, name: file, importer: self)
        case .plugin(let plugin, nil):
            return try plugin.read(path: file, importer: self)
        case .package(_, let format), .other(let format):
            throw Importer.unsupported(format, file: file)
        }
    }

    /// Message `entry` of the mbox `file`, read with its attachments: a message cut at the
    /// size limit says so in its warnings, and `origin` says where in the file it was.
    /// `label` names it in errors (`file message N` by default).
    public func readMail(
        entry: MboxReader.Entry, of file: String, label: String? = nil, separatesQuotedText: Bool = true
    ) throws(DocumentError) -> MailMessage {
        var message = try readMail(bytes: entry.bytes, name: label ?? "\(file) message \(entry.index + 1)", separatesQuotedText: separatesQuotedText)
        if let warning = entry.truncationWarning { message.warnings.append(warning) }
        message.origin = MailOrigin(file: file, index: entry.index, offset: entry.offset)
        return message
    }

    /// A message from bytes, with attached Word, Excel and mail files read too.
    public func readMail(bytes: [UInt8], name: String, separatesQuotedText: Bool = true) throws(DocumentError) -> MailMessage {
        var message = try MailReader(separatesQuotedText: separatesQuotedText).read(bytes: bytes, name: name)
        extractAttachments(of: &message, depth: 0)
        return message
    }

    /// Reads attached DOCX, XLSX and EML files into the model (nested messages too); an
    /// attachment that cannot be read gets a warning naming it, the rest go on.
    func extractAttachments(of message: inout MailMessage, depth: Int) {
        guard depth < 8 else { return }
        for index in message.attachments.indices {
            let attachment = message.attachments[index]
            if case .message(var nested) = attachment.content {
                extractAttachments(of: &nested, depth: depth + 1)
                message.attachments[index].content = .message(nested)
                continue
            }
            guard !attachment.data.isEmpty else { continue }
            let label = attachment.filename ?? attachment.contentType
            let format = detectBuiltIn(bytes: attachment.data)
            do {
                if let plugin = plugin(head: Array(attachment.data.prefix(512)), detected: format, name: label) {
                    switch try plugin.read(bytes: attachment.data, name: label, importer: self) {
                    case .document(let document): message.attachments[index].content = .document(document)
                    case .workbook(let workbook): message.attachments[index].content = .workbook(workbook)
                    case .mail(let mail): message.attachments[index].content = .message(mail)
                    }
                    continue
                }
                switch format {
                case .msg:
                    var nested = try OutlookReader(limits: compoundLimits).read(bytes: attachment.data, name: label)
                    extractAttachments(of: &nested, depth: depth + 1)
                    message.attachments[index].content = .message(nested)
                case .docx, .xlsx:
                    switch try read(bytes: attachment.data, name: label) {
                    case .document(let document): message.attachments[index].content = .document(document)
                    case .workbook(let workbook): message.attachments[index].content = .workbook(workbook)
                    case .mail(let mail): message.attachments[index].content = .message(mail)
                    }
                case .zip where Self.namesOfficeFile(label, contentType: attachment.contentType):
                    // A damaged Word or Excel file: the reader's error becomes the warning.
                    switch try read(bytes: attachment.data, name: label) {
                    case .document(let document): message.attachments[index].content = .document(document)
                    case .workbook(let workbook): message.attachments[index].content = .workbook(workbook)
                    case .mail(let mail): message.attachments[index].content = .message(mail)
                    }
                case .mail
                where attachment.contentType == "message/rfc822" || label.lowercased().hasSuffix(".eml")
                    || attachment.contentType == "application/octet-stream":
                    var nested = try MailReader().read(bytes: attachment.data, name: label)
                    extractAttachments(of: &nested, depth: depth + 1)
                    message.attachments[index].content = .message(nested)
                default:
                    break
                }
            } catch {
                message.warnings.append("attachment '\(label)' could not be read: \(error.message)")
            }
        }
    }

    /// Whether an attachment says it is a Word or Excel file, by its name or media type.
    static func namesOfficeFile(_ name: String, contentType: String) -> Bool {
        let lower = name.lowercased()
        return [".docx", ".docm", ".xlsx", ".xlsm"].contains { lower.hasSuffix($0) } || contentType.contains("officedocument.wordprocessingml")
            || contentType.contains("officedocument.spreadsheetml")
    }

    /// The size of the file at `path` in bytes (0 when it cannot be read).
    package static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }

    /// The file at `path`, or its first `limit` bytes; and the file's size.
    package static func contents(path: String, upTo limit: Int) throws(DocumentError) -> (bytes: [UInt8], size: Int) {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw DocumentError(.io, file: path, message: "cannot open the file: \(String(cString: strerror(errno))).")
        }
        defer { close(fd) }
        var out: [UInt8] = []
        // Sized once: growing by doubling would hold up to twice the message.
        var info = stat()
        let regular = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        if regular { out.reserveCapacity(min(limit, Int(info.st_size))) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while out.count < limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, min($0.count, limit - out.count)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw DocumentError(.io, file: path, message: "cannot read the file: \(String(cString: strerror(errno))).")
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        let size = regular ? max(Int(info.st_size), out.count) : out.count
        return (out, size)
    }

    static func unsupported(_ format: DetectedFormat, file: String) -> DocumentError {
        switch format {
        case .empty:
            return DocumentError(.empty, file: file, message: "the file is empty (0 bytes).")
        case .pst:
            return DocumentError(
                .unsupportedFormat, file: file,
                message:
                    "this is an Outlook archive (PST) of many messages: use 'quire extract FILE --format jsonl' (with --folder to pick one) or 'quire batch'.")
        case .pptx, .mbox:
            return DocumentError(
                .unsupportedFormat, file: file,
                message: "this is \(format.name.uppercased()) content, which this version of Quire does not read yet (DOCX, XLSX and EML only).")
        default:
            return DocumentError(
                .unsupportedFormat, file: file,
                message: "not a format Quire reads (expected a Word .docx document, an Excel .xlsx workbook or an .eml message).")
        }
    }
}
