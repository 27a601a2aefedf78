public import QuireModel

/// The LTP layer ([MS-PST] 2.3): a node's data read as a heap (HN), the B-tree on the heap
/// (BTH), and on those the property context (PC: one object's properties) and the table
/// context (TC: rows of properties — a folder's messages, a message's recipients).
extension PSTFile {
    /// One property value as stored: its type and its bytes. Fixed-size values keep their
    /// little-endian bytes (2, 4 or 8; a boolean's first byte is its value); strings,
    /// binaries and multi-valued properties their whole content.
    public struct Value: Sendable, Equatable {
        /// The property type ([MS-OXCDATA] 2.11.1): 0x0003 a 32-bit integer, 0x001F a UTF-16
        /// string, 0x001E an 8-bit string, 0x0102 binary, 0x0040 a time, …
        public let type: UInt16
        /// A fixed-size value's bytes as a little-endian number (kept inline: a message has
        /// dozens of these, and an array each would be an allocation each).
        private let small: UInt64
        /// How many bytes `small` holds, or `Self.stored` when the bytes are in `large`.
        private let smallCount: UInt8
        /// A variable-size value's bytes: often a slice of the heap block it was read from
        /// (no copy; the block lives as long as the value).
        private let large: ArraySlice<UInt8>

        private static let stored: UInt8 = 0xFF

        /// A value of `type` with `bytes`.
        public init(type: UInt16, bytes: [UInt8]) {
            self.init(type: type, slice: bytes[...])
        }

        /// A value of `type` with the bytes of `slice`, kept without a copy.
        package init(type: UInt16, slice bytes: ArraySlice<UInt8>) {
            if bytes.count <= 8 && !Value.isVariable(type) {
                self.init(type: type, littleEndian: bytes)
            } else {
                self.init(type: type, small: 0, smallCount: Self.stored, large: bytes)
            }
        }

        private init(type: UInt16, small: UInt64, smallCount: UInt8, large: ArraySlice<UInt8>) {
            self.type = type
            self.small = small
            self.smallCount = smallCount
            self.large = large
        }

        /// A fixed-size value of `type`: the low `count` (at most 8) bytes of `bits`.
        init(type: UInt16, bits: UInt64, count: Int) {
            self.init(type: type, small: count >= 8 ? bits : bits & ((1 << (8 * UInt64(count))) - 1), smallCount: UInt8(count), large: [])
        }

        /// A fixed-size value of `type` from up to 8 little-endian bytes.
        init(type: UInt16, littleEndian bytes: ArraySlice<UInt8>) {
            var bits: UInt64 = 0
            var shift: UInt64 = 0
            for byte in bytes.prefix(8) {
                bits |= UInt64(byte) << shift
                shift += 8
            }
            self.init(type: type, bits: bits, count: min(bytes.count, 8))
        }

        /// The value's bytes.
        public var bytes: [UInt8] { Array(slice) }

        /// The value's bytes as a slice: for a variable-size value, without a copy.
        package var slice: ArraySlice<UInt8> {
            guard smallCount != Self.stored else { return large }
            return (0..<Int(smallCount)).map { UInt8(truncatingIfNeeded: small >> (8 * UInt64($0))) }[...]
        }

        /// The value as an integer, for the fixed-size types (at most 8 bytes).
        public var integer: Int64? {
            guard smallCount != Self.stored, smallCount > 0, !Value.isVariable(type) else { return nil }
            switch type {
            case 0x0002: return Int64(Int16(truncatingIfNeeded: small))
            case 0x0003: return Int64(Int32(truncatingIfNeeded: small))
            case 0x000B: return Int64(small & 0xFF != 0 ? 1 : 0)
            default: return Int64(bitPattern: small)
            }
        }

        static func isVariable(_ type: UInt16) -> Bool {
            type & 0x1000 != 0 || [0x000D, 0x001E, 0x001F, 0x0048, 0x00FB, 0x00FD, 0x00FE, 0x0102].contains(type)
        }

        package static func fixedSize(_ type: UInt16) -> Int? {
            switch type {
            case 0x0002: 2
            case 0x0003, 0x0004, 0x000A: 4
            case 0x000B: 1
            case 0x0005, 0x0006, 0x0007, 0x0014, 0x0040: 8
            default: nil
            }
        }
    }

    /// A table's rows: for each row, its properties by id.
    public struct Table: Sendable {
        /// The columns: property id and type.
        public let columns: [(id: UInt16, type: UInt16)]
        /// The rows in stored order.
        public let rows: [[UInt16: Value]]
    }

    /// A property context read: the values, the properties whose value could not be read
    /// (a damaged subnode or heap item costs that property only), and the node's subnodes.
    public struct PropertyContext: Sendable {
        /// The values read, by property id.
        public var values: [UInt16: Value]
        /// Why each property that could not be read was lost, by property id.
        public var unreadable: [UInt16: DocumentError]
        /// The node's subnodes by id (a message's tables and attachments).
        public var subnodes: [UInt32: Node]
    }

    /// The properties of `node` (a property context), by property id. Values too large for
    /// the node's heap are read from its subnodes.
    /// - Throws: `DocumentError` when the node is no property context or is damaged, a value
    ///   included.
    public func properties(of node: Node) throws(DocumentError) -> [UInt16: Value] {
        let context = try propertyContext(of: node)
        if let (_, error) = context.unreadable.min(by: { $0.key < $1.key }) { throw error }
        return context.values
    }

    /// The property context of `node`: as `properties(of:)`, but a value that cannot be read
    /// is set aside in `unreadable` and the others are kept.
    /// - Throws: `DocumentError` when the node is no property context or its heap or B-tree
    ///   is damaged.
    public func propertyContext(of node: Node) throws(DocumentError) -> PropertyContext {
        let context = try NodeHeap(file: self, node: node)
        guard context.heap.client == 0xBC else { throw context.error("it is not a property context (heap type 0x\(String(context.heap.client, radix: 16))).") }
        var out = PropertyContext(values: [:], unreadable: [:], subnodes: context.subnodes)
        let records = try context.records(at: context.heap.userRoot, keySize: 2, dataSize: 6)
        out.values.reserveCapacity(records.count)
        for (key, data) in records {
            let id = UInt16(Self.u16(key, 0))
            let type = UInt16(Self.u16(data, 0))
            let reference = Self.u32(data, 2)
            do throws(DocumentError) {
                if let size = Value.fixedSize(type), size <= 4 {
                    out.values[id] = Value(type: type, bits: UInt64(reference), count: size)
                } else if Value.fixedSize(type) != nil {
                    out.values[id] = Value(type: type, slice: try context.heap.item(reference))
                } else {
                    out.values[id] = Value(type: type, slice: try context.value(reference))
                }
            } catch {
                out.unreadable[id] = error
            }
        }
        return out
    }

    /// The table stored in `node` (a table context).
    /// - Throws: `DocumentError` when the node is no table context, is damaged, or has more
    ///   than `Limits.maxTableRows` rows.
    public func table(of node: Node) throws(DocumentError) -> Table {
        let context = try NodeHeap(file: self, node: node)
        let layout = try TableLayout(context)
        var rows: [[UInt16: Value]] = []
        try layout.forEachRow { row throws(DocumentError) in
            var values: [UInt16: Value] = [:]
            values.reserveCapacity(layout.columns.count)
            for column in layout.columns where row[row.startIndex + layout.bitmapStart + column.bit / 8] & (0x80 >> UInt8(column.bit % 8)) != 0 {
                if Value.isVariable(column.type) || Value.fixedSize(column.type) == nil {
                    values[column.id] = Value(type: column.type, slice: try context.value(Self.u32(row, column.offset)))
                } else {
                    let start = row.startIndex + column.offset
                    values[column.id] = Value(type: column.type, slice: row[start..<(start + column.size)])
                }
            }
            rows.append(values)
        }
        return Table(columns: layout.columns.map { ($0.id, $0.type) }, rows: rows)
    }

    /// The row ids of the table in `node` (a folder's contents table: its messages' node
    /// ids), without reading the other columns.
    public func rowIDs(of node: Node) throws(DocumentError) -> [UInt32] {
        let layout = try TableLayout(try NodeHeap(file: self, node: node))
        var ids: [UInt32] = []
        try layout.forEachRow { row throws(DocumentError) in ids.append(Self.u32(row, 0)) }
        return ids
    }
}

/// A node's data as a heap, with the node's subnodes for values stored outside it.
struct NodeHeap {
    let file: PSTFile
    let node: PSTFile.Node
    let heap: Heap
    let subnodes: [UInt32: PSTFile.Node]

    init(file: PSTFile, node: PSTFile.Node) throws(DocumentError) {
        self.file = file
        self.node = node
        let blocks = try file.data(of: node)
        heap = try Heap(blocks: blocks, file: file.file, node: node.nid, wideItemIndex: file.pageSize == 4096)
        subnodes = try file.subnodes(of: node)
    }

    func error(_ message: String) -> DocumentError {
        DocumentError(.corrupt, file: file.file, location: "node 0x\(String(node.nid, radix: 16))", message: message)
    }

    /// The bytes an HNID names: a heap item, a subnode's data, or nothing for 0 — slices of
    /// the blocks read, not copies, where the value lies in one block.
    func value(_ hnid: UInt32) throws(DocumentError) -> ArraySlice<UInt8> {
        if hnid == 0 { return [] }
        if hnid & 0x1F == 0 { return try heap.item(hnid) }
        guard let subnode = subnodes[hnid] else { throw error("the value in subnode 0x\(String(hnid, radix: 16)) is missing.") }
        let blocks = try file.data(of: subnode)
        if blocks.count == 1 { return blocks[0][...] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(blocks.reduce(0) { $0 + $1.count })
        for block in blocks { bytes += block }
        return bytes[...]
    }

    /// A subnode of this node (an attachment, an embedded message).
    func subnode(_ nid: UInt32) -> PSTFile.Node? { subnodes[nid] }

    /// The records of the BTH whose header is the heap item `hid`, keys in order.
    func records(at hid: UInt32, keySize: Int, dataSize: Int) throws(DocumentError) -> [(key: ArraySlice<UInt8>, data: ArraySlice<UInt8>)] {
        let header = try heap.item(hid)
        guard header.count >= 8, header[header.startIndex] == 0xB5 else { throw error("the B-tree on the heap has no header.") }
        let cbKey = Int(header[header.startIndex + 1])
        let cbData = Int(header[header.startIndex + 2])
        let levels = Int(header[header.startIndex + 3])
        let root = PSTFile.u32(header, 4)
        guard cbKey == keySize, cbData == dataSize else {
            throw error("the B-tree on the heap has \(cbKey)-byte keys and \(cbData)-byte records where \(keySize) and \(dataSize) belong.")
        }
        guard root != 0 else { return [] }
        guard levels <= 8 else { throw error("the B-tree on the heap declares \(levels) levels.") }
        var out: [(key: ArraySlice<UInt8>, data: ArraySlice<UInt8>)] = []
        try collect(root, level: levels, keySize: keySize, dataSize: dataSize, into: &out)
        return out
    }

    private func collect(
        _ hid: UInt32, level: Int, keySize: Int, dataSize: Int, into out: inout [(key: ArraySlice<UInt8>, data: ArraySlice<UInt8>)]
    ) throws(DocumentError) {
        let item = try heap.item(hid)
        let size = keySize + (level == 0 ? dataSize : 4)
        var at = item.startIndex
        while at + size <= item.endIndex {
            if level == 0 {
                out.append((item[at..<(at + keySize)], item[(at + keySize)..<(at + size)]))
                guard out.count <= file.limits.maxTableRows else {
                    throw DocumentError(.limitExceeded, file: file.file, message: "a B-tree on the heap holds more than \(file.limits.maxTableRows) records.")
                }
            } else {
                try collect(PSTFile.u32(item, at - item.startIndex + keySize), level: level - 1, keySize: keySize, dataSize: dataSize, into: &out)
            }
            at += size
        }
    }
}

/// The heap-on-node ([MS-PST] 2.3.1): items addressed by HID (block, index) through each
/// block's page map.
struct Heap {
    let blocks: [[UInt8]]
    let client: UInt8
    let userRoot: UInt32
    let file: String
    let node: UInt32
    /// Where an HID's block index starts: bit 16, or bit 19 in a 4 KiB-page file (whose
    /// larger blocks number their items in 14 bits, not 11).
    let blockShift: UInt32

    init(blocks: [[UInt8]], file: String, node: UInt32, wideItemIndex: Bool = false) throws(DocumentError) {
        self.blocks = blocks
        self.file = file
        self.node = node
        blockShift = wideItemIndex ? 19 : 16
        guard let first = blocks.first, first.count >= 12, first[2] == 0xEC else {
            throw DocumentError(.corrupt, file: file, location: "node 0x\(String(node, radix: 16))", message: "the node holds no heap (no 0xEC signature).")
        }
        client = first[3]
        userRoot = PSTFile.u32(first, 4)
    }

    /// The heap item `hid`.
    func item(_ hid: UInt32) throws(DocumentError) -> ArraySlice<UInt8> {
        let index = Int((hid >> 5) & ((1 << (blockShift - 5)) - 1))
        let blockIndex = Int(hid >> blockShift)
        guard hid & 0x1F == 0, index > 0, blockIndex < blocks.count else { throw bad(hid, "is not in the heap") }
        let block = blocks[blockIndex]
        guard block.count >= 2 else { throw bad(hid, "is in an empty block") }
        let map = PSTFile.u16(block, 0)
        guard map + 4 <= block.count else { throw bad(hid, "is in a block whose page map lies outside it") }
        let count = PSTFile.u16(block, map)
        guard index <= count, map + 4 + 2 * (count + 1) <= block.count else { throw bad(hid, "is past the items of its block") }
        let start = PSTFile.u16(block, map + 4 + 2 * (index - 1))
        let end = PSTFile.u16(block, map + 4 + 2 * index)
        guard start <= end, end <= map else { throw bad(hid, "has offsets \(start)–\(end) outside its block") }
        return block[start..<end]
    }

    private func bad(_ hid: UInt32, _ what: String) -> DocumentError {
        DocumentError(.corrupt, file: file, location: "node 0x\(String(node, radix: 16))", message: "heap item 0x\(String(hid, radix: 16)) \(what).")
    }
}

/// The layout of a table context's rows ([MS-PST] 2.3.4): the columns, the row size, where
/// the cell-existence bitmap starts, and the rows' storage.
struct TableLayout {
    struct Column {
        var id: UInt16
        var type: UInt16
        var offset: Int
        var size: Int
        var bit: Int
    }

    let context: NodeHeap
    let columns: [Column]
    let rowSize: Int
    let bitmapStart: Int
    let rowsReference: UInt32

    init(_ context: NodeHeap) throws(DocumentError) {
        self.context = context
        guard context.heap.client == 0x7C else { throw context.error("it is not a table context (heap type 0x\(String(context.heap.client, radix: 16))).") }
        let info = try context.heap.item(context.heap.userRoot)
        guard info.count >= 22, info[info.startIndex] == 0x7C else { throw context.error("the table has no TCINFO header.") }
        let count = Int(info[info.startIndex + 1])
        bitmapStart = PSTFile.u16(info, 6)
        rowSize = PSTFile.u16(info, 8)
        rowsReference = PSTFile.u32(info, 14)
        guard info.count >= 22 + 8 * count, bitmapStart <= rowSize, rowSize >= 4 || count == 0 else { throw context.error("the table's header is damaged.") }
        var columns: [Column] = []
        for k in 0..<count {
            let at = 22 + 8 * k
            let tag = PSTFile.u32(info, at)
            let column = Column(
                id: UInt16(tag >> 16), type: UInt16(tag & 0xFFFF), offset: PSTFile.u16(info, at + 4), size: Int(info[info.startIndex + at + 6]),
                bit: Int(info[info.startIndex + at + 7]))
            guard column.offset + column.size <= bitmapStart, bitmapStart + column.bit / 8 < rowSize else {
                throw context.error("column 0x\(String(tag, radix: 16)) lies outside the row.")
            }
            guard column.size >= (Value.fixedSize(column.type) ?? 4) || column.size == 4 else {
                throw context.error("column 0x\(String(tag, radix: 16)) is too narrow for its type.")
            }
            columns.append(column)
        }
        self.columns = columns
    }

    typealias Value = PSTFile.Value

    /// Calls `body` with each row's bytes. Rows never straddle blocks: each block of the
    /// row matrix holds whole rows.
    func forEachRow(_ body: (ArraySlice<UInt8>) throws(DocumentError) -> Void) throws(DocumentError) {
        guard rowsReference != 0, rowSize > 0 else { return }
        let blocks: [[UInt8]]
        if rowsReference & 0x1F == 0 {
            blocks = [Array(try context.heap.item(rowsReference))]
        } else {
            guard let subnode = context.subnode(rowsReference) else {
                throw context.error("the table's rows (subnode 0x\(String(rowsReference, radix: 16))) are missing.")
            }
            blocks = try context.file.data(of: subnode)
        }
        var count = 0
        for block in blocks {
            var at = 0
            while at + rowSize <= block.count {
                count += 1
                guard count <= context.file.limits.maxTableRows else {
                    throw DocumentError(.limitExceeded, file: context.file.file, message: "a table holds more than \(context.file.limits.maxTableRows) rows.")
                }
                try body(block[at..<(at + rowSize)])
                at += rowSize
            }
        }
    }
}
