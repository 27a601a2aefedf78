import QuireModel

extension TableReader {
    /// The directory: every entry of the sectors `chain`, and each storage's children found
    /// by walking its red-black tree in order. Each entry may be reached once: an entry met
    /// again (a cycle, or two parents) is a damaged directory, not a loop to follow.
    func directory(_ chain: [UInt32], shift: Int, limits: CompoundFile.Limits) throws(DocumentError) -> ([CompoundFile.Entry], [[Int]]) {
        let perSector = (1 << shift) / 128
        guard chain.count * perSector <= limits.maxEntries else {
            throw error(.limitExceeded, "the directory holds \(chain.count * perSector) entries, over the limit of \(limits.maxEntries).")
        }
        var raw: [RawEntry] = []
        raw.reserveCapacity(chain.count * perSector)
        for sector in chain {
            try check(sector, shift: shift, what: "the directory")
            let b = try bytes(at: (Int(sector) + 1) << shift, count: 1 << shift, what: "directory sector \(sector)")
            for k in 0..<perSector { raw.append(RawEntry(b, at: k * 128, id: raw.count, shift: shift)) }
        }
        guard let first = raw.first, first.type == 5 else {
            throw error(.corrupt, "the directory's first entry is not the root storage.", at: "directory entry 0")
        }
        var childIDs = [[Int]](repeating: [], count: raw.count)
        var reached = [Bool](repeating: false, count: raw.count)
        reached[0] = true
        var storages = [0]
        while let storage = storages.popLast() {
            var stack: [Int] = []
            var node = raw[storage].child
            while node != CompoundFile.noStream || !stack.isEmpty {
                while node != CompoundFile.noStream {
                    let id = Int(node)
                    guard id < raw.count else {
                        throw error(.corrupt, "an entry points to entry \(id), past the directory's \(raw.count) entries.", at: "directory entry \(storage)")
                    }
                    guard !reached[id] else {
                        throw error(.corrupt, "entry \(id) is reached twice: the directory is not a tree (a cycle).", at: "directory entry \(id)")
                    }
                    guard raw[id].type == 1 || raw[id].type == 2 else {
                        throw error(.corrupt, "the tree reaches entry \(id), which is not a storage or a stream.", at: "directory entry \(id)")
                    }
                    reached[id] = true
                    stack.append(id)
                    node = raw[id].left
                }
                let id = stack.removeLast()
                childIDs[storage].append(id)
                if raw[id].type == 1 { storages.append(id) }
                node = raw[id].right
            }
        }
        let entries = raw.map { entry in
            CompoundFile.Entry(
                id: entry.id, name: entry.name, kind: entry.type == 5 ? .root : entry.type == 1 ? .storage : .stream,
                size: entry.type == 1 ? 0 : entry.size, start: entry.start)
        }
        return (entries, childIDs)
    }
}

/// A directory entry as written: 128 bytes.
struct RawEntry {
    var id: Int
    var name: String
    /// 0 unused, 1 storage, 2 stream, 5 root.
    var type: UInt8
    var left: UInt32
    var right: UInt32
    var child: UInt32
    var start: UInt32
    var size: Int

    init(_ b: [UInt8], at o: Int, id: Int, shift: Int) {
        self.id = id
        // The name is UTF-16LE with its terminating zero counted in the length (at most 64 bytes).
        let length = min(TableReader.u16(b, o + 64), 64) / 2
        var units: [UInt16] = []
        for k in 0..<length {
            let unit = UInt16(b[o + 2 * k]) | UInt16(b[o + 2 * k + 1]) << 8
            if unit == 0 { break }
            units.append(unit)
        }
        name = String(decoding: units, as: UTF16.self)
        type = b[o + 66]
        left = TableReader.u32(b, o + 68)
        right = TableReader.u32(b, o + 72)
        child = TableReader.u32(b, o + 76)
        start = TableReader.u32(b, o + 116)
        // Version 3 files may leave garbage in the size's high half: only the low half counts.
        let low = Int(TableReader.u32(b, o + 120))
        let high = Int(TableReader.u32(b, o + 124))
        // A size past what an Int holds is kept as Int.max: over any limit, never negative.
        size = shift == 9 ? low : high >= 0x7FFF_FFFF ? Int.max : (high << 32) | low
    }
}
