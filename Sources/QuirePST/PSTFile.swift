import QuireInternalThreads
public import QuireModel
import QuireZip

/// An Outlook data file (`.pst`, or an `.ost` of the same layout) at its lowest two layers
/// ([MS-PST]): the node database — the header, the B-tree of nodes and the B-tree of blocks,
/// data trees of blocks and subnode trees — and, in `PSTFile+LTP`, the property and table
/// contexts stored in nodes.
///
/// Both the ANSI (Outlook 97–2002) and the Unicode (Outlook 2003 and later) formats are read,
/// with either block encoding. Nothing is read whole: each lookup descends the B-trees with
/// `pread`, so memory stays flat however large the file is. Every structure is checked as it
/// is read — offsets inside the file, page types, B-tree levels that fall by one at each step,
/// data trees no more than two levels deep — so a damaged file gives an error, never a loop.
///
/// ```swift
/// let file = try PSTFile(path: "archive.pst")
/// if let root = try file.node(PSTFile.rootFolder) {
///     let properties = try file.properties(of: root)
/// }
/// ```
public final class PSTFile: Sendable {
    /// Bounds on what a file may declare.
    public struct Limits: Sendable, Equatable {
        /// Bytes of one node's data or one property value (256 MiB).
        public var maxValueBytes: Int
        /// Rows of one table (10,000,000).
        public var maxTableRows: Int
        /// Subnodes of one node (1,000,000).
        public var maxSubnodes: Int

        /// Limits from their values; the defaults suit any real mailbox.
        public init(maxValueBytes: Int = 256 << 20, maxTableRows: Int = 10_000_000, maxSubnodes: Int = 1_000_000) {
            self.maxValueBytes = maxValueBytes
            self.maxTableRows = maxTableRows
            self.maxSubnodes = maxSubnodes
        }
    }

    /// The two layouts of the file.
    public enum Format: Sendable, Equatable {
        /// 32-bit offsets and block ids (Outlook 97–2002; 2 GB at most).
        case ansi
        /// 64-bit offsets and block ids (Outlook 2003 and later).
        case unicode
    }

    /// How data blocks are encoded ([MS-PST] 2.2.2.6 `bCryptMethod`).
    public enum Encoding: Sendable, Equatable {
        /// Stored as they are.
        case none
        /// The byte permutation ("compressible encryption").
        case permute
        /// The cyclic method ("high encryption").
        case cyclic
    }

    /// A node: its id, the block holding its data and the block of its subnode tree (0 for
    /// none). Top-level nodes also have a parent (the folder of a message).
    public struct Node: Sendable, Equatable {
        /// The node id; its low five bits are its type.
        public let nid: UInt32
        /// The parent node (top-level nodes), else 0.
        public let parent: UInt32
        let data: UInt64
        let subnodes: UInt64
    }

    /// The node of the message store's properties.
    public static let messageStore: UInt32 = 0x21
    /// The node of the root folder.
    public static let rootFolder: UInt32 = 0x122

    /// The file's path, or the label given for bytes in memory.
    public let file: String
    /// ANSI or Unicode.
    public let format: Format
    /// How the data blocks are encoded.
    public let encoding: Encoding
    /// The size of a B-tree page: 512 bytes, or 4,096 in the OST files of Outlook 2013 and
    /// later (whose blocks are aligned to 512 bytes and may be compressed with deflate).
    public let pageSize: Int
    /// The bounds applied.
    public let limits: Limits
    /// Where a B-tree page of this file keeps what it says of itself.
    let pageLayout: PageLayout

    /// A B-tree page's layout: `room` bytes of entries, then their count (16 bits in a 4 KiB
    /// page, else 8), the most there is room for, the entry size and the level; the page type
    /// (twice) at `trailer`.
    struct PageLayout {
        let room: Int
        let wideCount: Bool
        let trailer: Int
    }

    let source: ByteSource
    let nodeRoot: Reference
    let blockRoot: Reference
    /// B-tree pages read lately: each lookup starts at the same root and the next message's
    /// entries sit beside the last one's, so most pages are read once. A page has one slot,
    /// chosen by its offset (a lookup is an index, not a hash); a page read later for the
    /// same slot takes it. At most `pageCacheSize` pages (256 KiB of 512-byte pages).
    private let pages = Locked<[(offset: UInt64, page: [UInt8])]>(Array(repeating: (UInt64.max, []), count: PSTFile.pageCacheSize))
    static let pageCacheSize = 512
    /// Stretches of the file read lately, one set for data blocks and one for B-tree pages
    /// (64 KiB each, at most four per set): a message's blocks mostly lie side by side, and
    /// so do the pages of a B-tree's next entries, so one read serves several of them instead
    /// of one system call each.
    private let blockStretches = Stretches()
    private let pageStretches = Stretches()

    /// A block or page: its id and offset.
    struct Reference: Equatable {
        var bid: UInt64
        var offset: UInt64
    }

    /// Opens the PST or OST file at `path` and reads its header.
    /// - Throws: `DocumentError`: not an Outlook data file, a format this reader does not
    ///   read (the 4 KiB-page OST of Outlook 2013), encrypted with a password-derived method,
    ///   or a header that points outside the file.
    public convenience init(path: String, limits: Limits = Limits()) throws(DocumentError) {
        let source: ByteSource
        do {
            source = try ByteSource(path: path)
        } catch {
            throw DocumentError(.io, file: path, message: error.message, underlying: error)
        }
        try self.init(source: source, limits: limits)
    }

    /// Opens a PST file held in memory; `name` labels it in errors.
    public convenience init(bytes: [UInt8], name: String, limits: Limits = Limits()) throws(DocumentError) {
        try self.init(source: ByteSource(bytes: bytes, name: name), limits: limits)
    }

    /// Another reader of the same file, with caches of its own: for a second thread, which
    /// would otherwise share this reader's caches (and wait at their locks).
    /// - Throws: `DocumentError` when the header can no longer be read.
    public func withOwnCaches() throws(DocumentError) -> PSTFile {
        try PSTFile(source: source, limits: limits)
    }

    init(source: ByteSource, limits: Limits) throws(DocumentError) {
        self.source = source
        self.file = source.name
        self.limits = limits
        let head = try Self.bytes(source, at: 0, count: min(564, Int(max(0, source.count))), what: "the header")
        guard head.count >= 512, head[0] == 0x21, head[1] == 0x42, head[2] == 0x44, head[3] == 0x4E else {
            throw DocumentError(.unsupportedFormat, file: source.name, message: "not an Outlook data file (no !BDN signature at the start).")
        }
        let version = Self.u16(head, 10)
        switch version {
        case 14, 15:
            format = .ansi
            pageSize = 512
            nodeRoot = Reference(bid: UInt64(Self.u32(head, 184)), offset: UInt64(Self.u32(head, 188)))
            blockRoot = Reference(bid: UInt64(Self.u32(head, 192)), offset: UInt64(Self.u32(head, 196)))
        case 21...36:
            // 21: Unicode as some recovery tools write it; 36: the 4 KiB-page OST.
            guard head.count >= 564 else {
                throw DocumentError(.truncated, file: source.name, message: "the file ends inside its header (\(head.count) of 564 bytes).")
            }
            format = .unicode
            pageSize = version == 36 ? 4096 : 512
            nodeRoot = Reference(bid: Self.u64(head, 216), offset: Self.u64(head, 224))
            blockRoot = Reference(bid: Self.u64(head, 232), offset: Self.u64(head, 240))
        case 37...:
            throw DocumentError(
                .unsupportedFormat, file: source.name,
                message: "an Outlook data file of version \(version), newer than this reader knows (up to 36, the 4 KiB-page OST of Outlook 2013 and later).")
        default:
            throw DocumentError(.unsupportedFormat, file: source.name, message: "an Outlook data file of unknown version \(version).")
        }
        switch (format, pageSize) {
        case (.ansi, _): pageLayout = PageLayout(room: 496, wideCount: false, trailer: 500)
        case (.unicode, 4096): pageLayout = PageLayout(room: 4056, wideCount: true, trailer: 4072)
        case (.unicode, _): pageLayout = PageLayout(room: 488, wideCount: false, trailer: 496)
        }
        switch head[format == .ansi ? 461 : 513] {
        case 0: encoding = .none
        case 1: encoding = .permute
        case 2: encoding = .cyclic
        case let method:
            throw DocumentError(
                .encrypted, file: source.name,
                message: "the data is encrypted with method \(method), which needs the user's credentials; open it in Outlook and export it unencrypted.")
        }
    }

    var idSize: Int { format == .unicode ? 8 : 4 }
    /// The most data one block holds.
    var maxBlockData: Int { format == .unicode ? 8176 : 8180 }

    // MARK: B-trees

    /// The top-level node `nid`, or nil when the file has none.
    /// - Throws: `DocumentError` when the node B-tree is damaged.
    public func node(_ nid: UInt32) throws(DocumentError) -> Node? {
        let wide = format == .unicode
        guard let (page, at) = try search(UInt64(nid), in: nodeRoot, pageType: 0x81, leafSize: wide ? 32 : 16, what: "the node B-tree") else {
            return nil
        }
        return wide
            ? Node(
                nid: UInt32(truncatingIfNeeded: Self.u64(page, at)), parent: Self.u32(page, at + 24), data: Self.u64(page, at + 8),
                subnodes: Self.u64(page, at + 16))
            : Node(nid: Self.u32(page, at), parent: Self.u32(page, at + 12), data: UInt64(Self.u32(page, at + 4)), subnodes: UInt64(Self.u32(page, at + 8)))
    }

    /// Finds the leaf entry whose key is `key` in the B-tree at `root`: the leaf page and
    /// where the entry starts in it. Each step goes one level down, so a damaged tree ends in
    /// an error, never a loop.
    func search(_ key: UInt64, in root: Reference, pageType: UInt8, leafSize: Int, what: String) throws(DocumentError) -> (page: [UInt8], at: Int)? {
        var reference = root
        var expectedLevel: Int?
        while true {
            let page = try self.page(reference, type: pageType, what: what)
            let room = pageLayout.room
            let count = pageLayout.wideCount ? Self.u16(page, room) : Int(page[room])
            let entrySize = Int(page[room + (pageLayout.wideCount ? 4 : 2)])
            let level = Int(page[room + (pageLayout.wideCount ? 5 : 3)])
            if let expectedLevel, level != expectedLevel {
                throw corrupt(
                    "\(what): the page at byte \(reference.offset) is at level \(level) where level \(expectedLevel) belongs (a loop or a misplaced page).")
            }
            let wanted = level == 0 ? leafSize : 3 * idSize
            guard entrySize == wanted, count * entrySize <= room else {
                throw corrupt("\(what): the page at byte \(reference.offset) declares \(count) entries of \(entrySize) bytes.")
            }
            if level == 0 {
                // Block ids are compared without their lowest bit, which readers ignore; node
                // ids are 32 bits (a Unicode entry pads them to 8 bytes).
                let mask: UInt64 = pageType == 0x80 ? ~1 : 0xFFFF_FFFF
                guard let k = Self.firstEntry(in: page, count: count, size: entrySize, wide: format == .unicode, where: { $0 & mask == key & mask }) else {
                    return nil
                }
                return (page, k * entrySize)
            }
            // The last entry whose key is at most `key`.
            guard let chosen = Self.firstEntry(in: page, count: count, size: entrySize, wide: format == .unicode, backwards: true, where: { $0 <= key }) else {
                return nil
            }
            let at = chosen * entrySize + idSize
            reference =
                format == .unicode
                ? Reference(bid: Self.u64(page, at), offset: Self.u64(page, at + 8))
                : Reference(bid: UInt64(Self.u32(page, at)), offset: UInt64(Self.u32(page, at + 4)))
            expectedLevel = level - 1
        }
    }

    /// A B-tree page (512 or 4,096 bytes), checked to be of `type`.
    func page(_ reference: Reference, type: UInt8, what: String) throws(DocumentError) -> [UInt8] {
        guard reference.offset <= UInt64(Int64.max), Int64(reference.offset) <= source.count - Int64(pageSize) else {
            throw DocumentError(
                .truncated, file: file, location: what,
                message: "a \(pageSize)-byte page at byte \(reference.offset) runs past the end of the file (\(source.count) bytes).")
        }
        let page: [UInt8]
        let slot = Int(truncatingIfNeeded: reference.offset / UInt64(pageSize)) & (Self.pageCacheSize - 1)
        if let cached = pages.withLock({ $0[slot].offset == reference.offset ? $0[slot].page : nil }) {
            page = cached
        } else {
            page = Array(try stored(at: Int64(reference.offset), count: pageSize, from: pageStretches, what: what))
            pages.withLock { $0[slot] = (reference.offset, page) }
        }
        let trailer = pageLayout.trailer
        guard page[trailer] == type, page[trailer + 1] == type else {
            throw corrupt("\(what): the page at byte \(reference.offset) is of type 0x\(String(page[trailer], radix: 16)), not a B-tree page.")
        }
        return page
    }

    /// The index of the first of a page's `count` entries of `size` bytes (the last, when
    /// `backwards`) whose key (the entry's first 8 bytes, or 4 when not `wide`) satisfies
    /// `test`; the entries have been checked to lie inside the page.
    private static func firstEntry(
        in page: [UInt8], count: Int, size: Int, wide: Bool, backwards: Bool = false, where test: (UInt64) -> Bool
    ) -> Int? {
        page.withUnsafeBytes { raw in
            precondition(count * size <= raw.count && (count == 0 || size >= (wide ? 8 : 4)))
            for n in 0..<count {
                let k = backwards ? count - 1 - n : n
                let key =
                    wide
                    ? UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: k * size, as: UInt64.self))
                    : UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: k * size, as: UInt32.self)))
                if test(key) { return k }
            }
            return nil
        }
    }

    // MARK: Blocks

    /// The data of block `bid`, decoded.
    func block(_ bid: UInt64, what: @autoclosure () -> String) throws(DocumentError) -> [UInt8] {
        let wide = format == .unicode
        guard let (page, at) = try search(bid, in: blockRoot, pageType: 0x80, leafSize: wide ? 24 : 12, what: "the block B-tree") else {
            throw corrupt("\(what()): block 0x\(String(bid, radix: 16)) is not in the block B-tree.")
        }
        let offset = wide ? Self.u64(page, at + 8) : UInt64(Self.u32(page, at + 4))
        let size = Self.u16(page, at + (wide ? 16 : 8))
        guard offset <= UInt64(Int64.max), Int64(offset) <= source.count - Int64(size) else {
            throw DocumentError(
                .truncated, file: file, location: what(),
                message: "block 0x\(String(bid, radix: 16)) at byte \(offset) lies beyond the end of the file (\(source.count) bytes).")
        }
        let stored =
            pageSize == 4096
            ? try compressedBlock(bid, at: Int64(offset), size: size, what: what())
            : try self.stored(at: Int64(offset), count: size, from: blockStretches, what: what())
        // Internal blocks (bit 1 of the id: data and subnode trees) are never encoded.
        switch bid & 2 == 0 ? encoding : .none {
        case .none: return Array(stored)
        case .permute: return BlockEncoding.unpermuted(stored)
        case .cyclic:
            var bytes = Array(stored)
            BlockEncoding.cyclic(&bytes, key: UInt32(truncatingIfNeeded: bid))
            return bytes
        }
    }

    /// A block of a 4 KiB-page file: its `size` stored bytes, then padding and a 24-byte
    /// trailer to the next multiple of 512. When the trailer's inflated size is not the
    /// stored size, the stored bytes are deflate-compressed.
    private func compressedBlock(_ bid: UInt64, at offset: Int64, size: Int, what: @autoclosure () -> String) throws(DocumentError) -> ArraySlice<UInt8> {
        var span = (size + 511) / 512 * 512
        if span - size < 24 { span += 512 }
        guard offset <= source.count - Int64(span) else {
            throw DocumentError(
                .truncated, file: file, location: what(),
                message: "block 0x\(String(bid, radix: 16)) at byte \(offset) runs past the end of the file (\(source.count) bytes).")
        }
        let stored = try self.stored(at: offset, count: span, from: blockStretches, what: what())
        let inflated = Self.u16(stored, span - 24 + 18)
        let data = stored.prefix(size)
        guard inflated != 0, inflated != size else { return data }
        guard let inflatedData = Inflate.exactly(data, size: inflated) else {
            throw corrupt("\(what()): block 0x\(String(bid, radix: 16)) does not inflate to the \(inflated) bytes its trailer declares.")
        }
        return inflatedData[...]
    }

    /// The blocks of the data tree at `bid`, in order: one block, or the leaves of an XBLOCK
    /// (or of an XXBLOCK's XBLOCKs).
    func dataBlocks(_ bid: UInt64, what: @autoclosure () -> String) throws(DocumentError) -> [[UInt8]] {
        guard bid != 0 else { return [] }
        guard bid & 2 != 0 else { return [try block(bid, what: what())] }
        return try treeBlocks(bid, level: 2, what: what())
    }

    private func treeBlocks(_ bid: UInt64, level maximum: Int, what: @autoclosure () -> String) throws(DocumentError) -> [[UInt8]] {
        let tree = try block(bid, what: what())
        guard tree.count >= 8, tree[0] == 1, (1...maximum).contains(Int(tree[1])) else {
            throw corrupt("\(what()): block 0x\(String(bid, radix: 16)) is not a data tree block (XBLOCK) of level 1...\(maximum).")
        }
        let level = Int(tree[1])
        let count = Self.u16(tree, 2)
        let total = Int(Self.u32(tree, 4))
        guard total <= limits.maxValueBytes else {
            throw DocumentError(
                .limitExceeded, file: file, location: what(), message: "the data holds \(total) bytes, over the limit of \(limits.maxValueBytes).")
        }
        guard 8 + count * idSize <= tree.count else {
            throw corrupt("\(what()): the data tree block 0x\(String(bid, radix: 16)) lists more ids than it holds.")
        }
        var blocks: [[UInt8]] = []
        var size = 0
        for k in 0..<count {
            let child = format == .unicode ? Self.u64(tree, 8 + 8 * k) : UInt64(Self.u32(tree, 8 + 4 * k))
            if level == 1 {
                // The leaves of an XBLOCK are data blocks: an internal id here is a loop or damage.
                guard child & 2 == 0 else { throw corrupt("\(what()): the data tree block 0x\(String(bid, radix: 16)) lists another tree block as data.") }
                let leaf = try block(child, what: what())
                size += leaf.count
                blocks.append(leaf)
            } else {
                guard child & 2 != 0 else {
                    throw corrupt("\(what()): the data tree block 0x\(String(bid, radix: 16)) lists a data block where XBLOCKs belong.")
                }
                let leaves = try treeBlocks(child, level: 1, what: what())
                size += leaves.reduce(0) { $0 + $1.count }
                blocks += leaves
            }
            guard size <= limits.maxValueBytes, size <= total else {
                throw corrupt("\(what()): the data tree 0x\(String(bid, radix: 16)) holds more than the \(total) bytes it declares.")
            }
        }
        guard size == total else { throw corrupt("\(what()): the data tree 0x\(String(bid, radix: 16)) declares \(total) bytes and holds \(size).") }
        return blocks
    }

    /// The data of `node`, as the blocks it is stored in.
    public func data(of node: Node) throws(DocumentError) -> [[UInt8]] {
        try dataBlocks(node.data, what: "node 0x\(String(node.nid, radix: 16))")
    }

    /// The subnodes of `node` by id (the recipient and attachment tables of a message, its
    /// attachments, values too large for its heap).
    public func subnodes(of node: Node) throws(DocumentError) -> [UInt32: Node] {
        var found: [UInt32: Node] = [:]
        if node.subnodes != 0 { try collectSubnodes(node.subnodes, level: 1, into: &found, what: "the subnodes of node 0x\(String(node.nid, radix: 16))") }
        return found
    }

    private func collectSubnodes(_ bid: UInt64, level maximum: Int, into found: inout [UInt32: Node], what: @autoclosure () -> String) throws(DocumentError) {
        guard bid & 2 != 0 else { throw corrupt("\(what()): block 0x\(String(bid, radix: 16)) is a data block, not a subnode block.") }
        let block = try self.block(bid, what: what())
        guard block.count >= 4, block[0] == 2, Int(block[1]) <= maximum else {
            throw corrupt("\(what()): block 0x\(String(bid, radix: 16)) is not a subnode block (SLBLOCK or SIBLOCK).")
        }
        let level = Int(block[1])
        let count = Self.u16(block, 2)
        let wide = format == .unicode
        let start = wide ? 8 : 4
        let size = level == 0 ? 3 * idSize : 2 * idSize
        guard start + count * size <= block.count else {
            throw corrupt("\(what()): the subnode block 0x\(String(bid, radix: 16)) lists more entries than it holds.")
        }
        for k in 0..<count {
            let at = start + k * size
            let id = { (i: Int) -> UInt64 in wide ? Self.u64(block, at + 8 * i) : UInt64(Self.u32(block, at + 4 * i)) }
            if level == 0 {
                let nid = UInt32(truncatingIfNeeded: id(0))
                found[nid] = Node(nid: nid, parent: 0, data: id(1), subnodes: id(2))
                guard found.count <= limits.maxSubnodes else {
                    throw DocumentError(.limitExceeded, file: file, location: what(), message: "more than \(limits.maxSubnodes) subnodes.")
                }
            } else {
                try collectSubnodes(id(1), level: 0, into: &found, what: what())
            }
        }
    }

    /// Stretches of the file read lately (64 KiB each, the last four), by where they start.
    final class Stretches: Sendable {
        static let size = 64 << 10
        static let count = 4
        let list = Locked<[(start: Int64, bytes: [UInt8])]>([])
    }

    /// `count` bytes at `offset` (inside the file), as stored: a slice of a stretch read
    /// lately or of a new one (a read of its own when it would not fit in one stretch). The
    /// caller copies what it keeps, outside the lock.
    private func stored(at offset: Int64, count: Int, from stretches: Stretches, what: @autoclosure () -> String) throws(DocumentError) -> ArraySlice<UInt8> {
        let size = Int64(Stretches.size)
        let start = offset & ~(size - 1)
        guard count <= Stretches.size / 2, offset + Int64(count) <= start + size else {
            return try Self.bytes(source, at: Int(offset), count: count, what: what())[...]
        }
        let within = Int(offset - start)
        let cached = stretches.list.withLock { list -> [UInt8]? in
            list.first(where: { $0.start == start })?.bytes
        }
        if let cached, within + count <= cached.count { return cached[within..<(within + count)] }
        let stretch = try Self.bytes(source, at: Int(start), count: Int(min(size, source.count - start)), what: what())
        stretches.list.withLock { list in
            if list.count >= Stretches.count { list.removeFirst() }
            list.append((start, stretch))
        }
        guard within + count <= stretch.count else { return try Self.bytes(source, at: Int(offset), count: count, what: what())[...] }
        return stretch[within..<(within + count)]
    }

    // MARK: Helpers

    func corrupt(_ message: String) -> DocumentError {
        DocumentError(.corrupt, file: file, message: message)
    }

    static func bytes(_ source: ByteSource, at offset: Int, count: Int, what: String) throws(DocumentError) -> [UInt8] {
        do {
            if let bytes = try source.bytes(at: Int64(offset), count: count) { return bytes }
        } catch {
            throw DocumentError(.io, file: source.name, message: error.message, underlying: error)
        }
        throw DocumentError(.truncated, file: source.name, location: what, message: "the file ends inside it (at byte \(offset) of \(source.count)).")
    }

    static func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    static func u16(_ b: ArraySlice<UInt8>, _ i: Int) -> Int { Int(b[b.startIndex + i]) | Int(b[b.startIndex + i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }
    static func u32(_ b: ArraySlice<UInt8>, _ i: Int) -> UInt32 {
        let s = b.startIndex + i
        return UInt32(b[s]) | UInt32(b[s + 1]) << 8 | UInt32(b[s + 2]) << 16 | UInt32(b[s + 3]) << 24
    }
    static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
}
