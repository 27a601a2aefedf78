/// One member of a ZIP archive, as its central directory describes it.
public struct ZipEntry: Sendable, Equatable {
    /// The entry's path inside the archive, as stored (forward slashes).
    public var path: String
    /// 0 = stored, 8 = deflate.
    public var method: UInt16
    public var compressedSize: Int64
    public var uncompressedSize: Int64
    public var crc32: UInt32
    /// Offset of the entry's local header in the archive.
    public var localHeaderOffset: Int64
    public var isEncrypted: Bool
    public var isDirectory: Bool { path.hasSuffix("/") }
}
