public import QuireModel

/// A reader for a format Quire does not read itself, registered on an ``Importer`` without
/// forking Quire: a sniffer (``accepts(head:detected:name:)``) and a reader.
///
/// Plugins are asked first, in the order of ``Importer/plugins``, for every file, byte buffer
/// and mail attachment the importer meets; the first that accepts reads it. `detected` tells
/// what Quire's own sniffing made of the bytes, so a plugin can take only what Quire does not
/// read (`.unknown`, `.zip`, `.pptx`, `.oleCompound`) and leave Word, Excel and mail alone.
///
/// ```swift
/// struct NotesReader: FormatPlugin {
///     let format = DetectedFormat(name: "txt")
///     func accepts(head: [UInt8], detected: DetectedFormat, name: String) -> Bool {
///         detected == .unknown && name.hasSuffix(".txt")
///     }
///     func read(bytes: [UInt8], name: String, importer: Importer) throws(DocumentError) -> ImportedContent {
///         let text = String(decoding: bytes, as: UTF8.self)
///         let blocks = text.split(separator: "\n").map { Block.paragraph(Paragraph(content: [.text(String($0), TextStyle())])) }
///         return .document(Document(metadata: DocumentMetadata(sourcePath: name, format: DocumentFormat("txt")), blocks: blocks))
///     }
/// }
/// let content = try Importer(plugins: [NotesReader()]).read(path: "notes.txt")
/// ```
public protocol FormatPlugin: Sendable {
    /// The format this plugin reads; ``Importer/detect(path:)`` reports it for the files it accepts.
    var format: DetectedFormat { get }

    /// Whether this plugin reads the input: `head` is its first bytes (up to 512), `detected`
    /// what Quire's own sniffing says it is, `name` its path or label (an attachment's file name).
    func accepts(head: [UInt8], detected: DetectedFormat, name: String) -> Bool

    /// Reads bytes held in memory (an attachment, standard input); `name` labels them in errors.
    /// `importer` reads nested content (an attached document) with the same limits and plugins.
    /// - Throws: `DocumentError` naming `name` and the place when the content is damaged.
    func read(bytes: [UInt8], name: String, importer: Importer) throws(DocumentError) -> ImportedContent

    /// Reads the file at `path`. The default reads the file's bytes (refusing one larger than
    /// ``maxFileBytes``) and calls ``read(bytes:name:importer:)``; a plugin for large files
    /// streams instead.
    func read(path: String, importer: Importer) throws(DocumentError) -> ImportedContent

    /// The largest file the default ``read(path:importer:)`` holds in memory: 256 MiB.
    var maxFileBytes: Int { get }
}

extension FormatPlugin {
    /// 256 MiB.
    public var maxFileBytes: Int { 256 << 20 }

    /// Reads the whole file (at most ``maxFileBytes``) and calls ``read(bytes:name:importer:)``.
    public func read(path: String, importer: Importer) throws(DocumentError) -> ImportedContent {
        let (bytes, size) = try Importer.contents(path: path, upTo: maxFileBytes)
        if size > bytes.count {
            throw DocumentError(
                .limitExceeded, file: path,
                message: "the file is \(size) bytes; the \(format.name) reader holds at most \(maxFileBytes) bytes in memory.")
        }
        return try read(bytes: bytes, name: path, importer: importer)
    }
}

extension Importer {
    /// The first plugin that accepts these bytes.
    func plugin(head: [UInt8], detected: DetectedFormat, name: String) -> (any FormatPlugin)? {
        plugins.first { $0.accepts(head: Array(head.prefix(512)), detected: detected, name: name) }
    }
}
