/// One member of a ZIP archive, as its central directory describes it.
public struct ZipEntry: Sendable, Equatable {
    /// The entry's path inside the archive, as stored (forward slashes).
    public var path: String
    /// 0 = stored, 8 = deflate.
    public var method: UInt16
    /// Bytes stored in the archive.
    public var compressedSize: Int64
    /// Bytes once inflated, as the directory says (checked while inflating).
    public var uncompressedSize: Int64
    /// The CRC-32 of the inflated bytes, checked at the end.
    public var crc32: UInt32
    /// Offset of the entry's local header in the archive.
    public var localHeaderOffset: Int64
    /// Whether the entry is encrypted (refused).
    public var isEncrypted: Bool
    /// Whether the entry is a folder.
    public var isDirectory: Bool { path.hasSuffix("/") }
}
