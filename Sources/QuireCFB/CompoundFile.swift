public import QuireModel
import QuireZip

/// A Compound File Binary file ([MS-CFB]): the container of Outlook `.msg` files, legacy
/// `.doc`/`.xls` files and password-protected OOXML files — a small file system of storages
/// (folders) and streams (files) inside one file.
///
/// Opening reads the header, the sector allocation tables and the directory, and checks them:
/// every sector number is in the file, every chain ends without a loop, the directory is a
/// tree (no entry reached twice), and each stream's chain holds its stated size. Streams are
/// read on demand with `pread`, so a large file is not held in memory. Both sector sizes
/// (512 bytes, version 3; 4,096 bytes, version 4) are read.
///
/// ```swift
/// let file = try CompoundFile(path: "note.msg")
/// for entry in file.children(of: file.root) { print(entry.name, entry.kind, entry.size) }
/// let bytes = try file.read(file.child(named: "__properties_version1.0", of: file.root)!)
/// ```
public final class CompoundFile: Sendable {
    /// Bounds on what a file may declare.
    public struct Limits: Sendable, Equatable {
        /// Bytes read of one stream (256 MiB).
        public var maxStreamBytes: Int
        /// Directory entries (storages and streams) in the file (1,000,000).
        public var maxEntries: Int

        /// Limits from their values; the defaults suit any real Outlook message.
        public init(maxStreamBytes: Int = 256 << 20, maxEntries: Int = 1_000_000) {
            self.maxStreamBytes = maxStreamBytes
            self.maxEntries = maxEntries
        }
    }

    /// A storage or stream of the file.
    public struct Entry: Sendable, Equatable {
        /// What an entry is.
        public enum Kind: Sendable, Equatable {
            /// The root storage (entry 0).
            case root
            /// A storage: holds other entries.
            case storage
            /// A stream: holds bytes.
            case stream
        }
        /// The entry's number in the directory, its stable id within the file.
        public let id: Int
        /// The name (at most 31 UTF-16 code units).
        public let name: String
        /// Root, storage or stream.
        public let kind: Kind
        /// A stream's size in bytes (0 for storages).
        public let size: Int
        /// The first sector of the stream (in the mini stream when `size` is under the cutoff).
        let start: UInt32
    }

    /// The file's path, or the label given for bytes in memory.
    public let file: String
    /// The root storage.
    public var root: Entry { entries[0] }
    /// Every entry that is in the tree, by id (entries not reached from the root are kept
    /// out: their `kind` is `.stream` with size 0 and they have no parent).
    let entries: [Entry]
    /// Each storage's children in directory order, by id.
    let childIDs: [[Int]]

    let source: ByteSource
    let sectorShift: Int
    let fat: [UInt32]
    let miniFAT: [UInt32]
    /// The sectors holding the mini stream (the root's stream), in order.
    let miniStreamSectors: [UInt32]
    let miniCutoff: Int
    let limits: Limits

    static let miniSectorShift = 6
    static let endOfChain: UInt32 = 0xFFFF_FFFE
    static let freeSector: UInt32 = 0xFFFF_FFFF
    static let noStream: UInt32 = 0xFFFF_FFFF
    static let maxRegularSector: UInt32 = 0xFFFF_FFFA
    /// The eight bytes every compound file starts with.
    public static let signature: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    /// Opens the compound file at `path`.
    /// - Throws: `DocumentError` naming the file and the structure that is wrong: not a
    ///   compound file, truncated, a chain with a loop or a sector beyond the end, a
    ///   directory that is not a tree, a size past `limits`.
    public convenience init(path: String, limits: Limits = Limits()) throws(DocumentError) {
        let source: ByteSource
        do {
            source = try ByteSource(path: path)
        } catch {
            throw DocumentError(.io, file: path, message: error.message, underlying: error)
        }
        try self.init(source: source, limits: limits)
    }

    /// Opens a compound file held in memory; `name` labels it in errors.
    public convenience init(bytes: [UInt8], name: String, limits: Limits = Limits()) throws(DocumentError) {
        try self.init(source: ByteSource(bytes: bytes, name: name), limits: limits)
    }

    init(source: ByteSource, limits: Limits) throws(DocumentError) {
        self.source = source
        self.file = source.name
        self.limits = limits
        let reader = TableReader(source: source)
        let header = try reader.header()
        sectorShift = header.sectorShift
        miniCutoff = header.miniCutoff
        fat = try reader.fat(header)
        let directoryChain = try reader.chain(from: header.firstDirectorySector, in: fat, what: "the directory", shift: sectorShift)
        let (entries, childIDs) = try reader.directory(directoryChain, shift: sectorShift, limits: limits)
        self.entries = entries
        self.childIDs = childIDs
        let miniFATChain =
            header.firstMiniFATSector == Self.endOfChain
            ? [] : try reader.chain(from: header.firstMiniFATSector, in: fat, what: "the mini FAT", shift: sectorShift)
        miniFAT = try reader.table(sectors: miniFATChain, shift: sectorShift)
        let rootEntry = entries[0]
        miniStreamSectors =
            rootEntry.size == 0 || rootEntry.start == Self.endOfChain
            ? [] : try reader.chain(from: rootEntry.start, in: fat, what: "the mini stream", shift: sectorShift)
        if miniStreamSectors.count << sectorShift < rootEntry.size {
            throw reader.error(
                .corrupt, "the root entry says the mini stream holds \(rootEntry.size) bytes, but its chain holds \(miniStreamSectors.count << sectorShift).")
        }
    }

    /// The entries of the storage `entry`, in directory order (empty for a stream).
    public func children(of entry: Entry) -> [Entry] {
        childIDs[entry.id].map { entries[$0] }
    }

    /// The child of `entry` called `name`, compared without regard to case as the format
    /// compares names.
    public func child(named name: String, of entry: Entry) -> Entry? {
        let wanted = name.uppercased()
        return childIDs[entry.id].lazy.map { self.entries[$0] }.first { $0.name.uppercased() == wanted }
    }

    /// The bytes of the stream `entry`.
    /// - Throws: `DocumentError` when the stream is over `Limits.maxStreamBytes`, its chain
    ///   is damaged, or the file ends before it does.
    public func read(_ entry: Entry) throws(DocumentError) -> [UInt8] {
        guard entry.kind == .stream, entry.size > 0 else { return [] }
        guard entry.size <= limits.maxStreamBytes else {
            throw DocumentError(
                .limitExceeded, file: file, location: "stream '\(entry.name)'",
                message: "the stream holds \(entry.size) bytes, over the limit of \(limits.maxStreamBytes).")
        }
        let reader = TableReader(source: source)
        if entry.size < miniCutoff {
            return try reader.miniStream(entry, miniFAT: miniFAT, container: miniStreamSectors, shift: sectorShift)
        }
        let chain = try reader.chain(from: entry.start, in: fat, what: "stream '\(entry.name)'", shift: sectorShift)
        return try reader.stream(entry, chain: chain, shift: sectorShift)
    }
}
