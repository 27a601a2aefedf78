/// A ZIP archive opened for reading: its central directory, and its entries on demand.
///
/// Opening reads only the end of the file and the central directory. Entry data is read
/// and inflated in chunks when asked for, with every `ZipLimits` bound enforced as bytes
/// are produced. ZIP64 archives and entries written with data descriptors are supported.
public struct ZipArchive: Sendable {
    /// The entries in central-directory order.
    public let entries: [ZipEntry]
    /// The archive's path, or the label given for in-memory bytes.
    public var name: String { source.name }
    /// The limits every entry is read under.
    public let limits: ZipLimits

    let source: ByteSource
    private let index: [String: Int]

    /// Opens the archive at `path`.
    ///
    /// - Throws: `ZipError` with `.io`, `.emptyFile`, `.encryptedDocument`,
    ///   `.legacyOLEDocument`, `.truncated`, `.notAZip`, `.corrupt` or `.tooManyEntries`.
    public init(path: String, limits: ZipLimits = .default) throws(ZipError) {
        try self.init(source: ByteSource(path: path), limits: limits)
    }

    /// Opens an archive held in memory; `name` labels it in errors (for example `<stdin>`).
    public init(bytes: [UInt8], name: String, limits: ZipLimits = .default) throws(ZipError) {
        try self.init(source: ByteSource(bytes: bytes, name: name), limits: limits)
    }

    init(source: ByteSource, limits: ZipLimits) throws(ZipError) {
        self.source = source
        self.limits = limits
        let entries = try CentralDirectory.read(source, limits: limits)
        self.entries = entries
        var index: [String: Int] = [:]
        index.reserveCapacity(entries.count)
        for (i, entry) in entries.enumerated() {
            let key = ZipArchive.normalisedKey(entry.path)
            if index[key] == nil { index[key] = i }
        }
        self.index = index
    }

    /// The entry at `path`, compared as OPC part names are: case-insensitively, with a
    /// leading `/` ignored and `\` read as `/`.
    public func entry(_ path: String) -> ZipEntry? {
        index[ZipArchive.normalisedKey(path)].map { entries[$0] }
    }

    /// A part name as entries are looked up: lower case, `/` for `\`, no leading `/`.
    package static func normalisedKey(_ path: String) -> String {
        var key = path.replacingBackslashes().lowercased()
        while key.hasPrefix("/") { key.removeFirst() }
        return key
    }

    /// Inflates `entry` and hands its bytes to `body` in chunks of at most `chunkSize`.
    ///
    /// The chunk buffer is reused: copy what must outlive the call. The CRC-32 is checked
    /// after the last chunk, so `body` may have seen the data before a `.crcMismatch` is thrown.
    public func forEachChunk(
        of entry: ZipEntry,
        chunkSize: Int = 64 * 1024,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let reader = try ZipEntryReader(archive: self, entry: entry, chunkSize: chunkSize)
        while let chunk = try reader.next() {
            try body(chunk)
        }
    }

    /// The whole inflated content of `entry`.
    public func contents(of entry: ZipEntry) throws(ZipError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Int(min(entry.uncompressedSize, 64 << 20)))
        do {
            try forEachChunk(of: entry) { out.append(contentsOf: $0) }
        } catch let error as ZipError {
            throw error
        } catch {
            throw ZipError(.io, archive: name, entry: entry.path, message: "\(error)")
        }
        return out
    }

    /// The content of the entry at `path`, or nil when there is none.
    public func contents(ofPath path: String) throws(ZipError) -> [UInt8]? {
        guard let entry = entry(path) else { return nil }
        return try contents(of: entry)
    }
}

extension String {
    package func replacingBackslashes() -> String {
        guard utf8.contains(UInt8(ascii: "\\")) else { return self }
        return String(decoding: utf8.map { $0 == UInt8(ascii: "\\") ? UInt8(ascii: "/") : $0 }, as: UTF8.self)
    }
}
