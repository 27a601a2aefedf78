import QuireModel
import QuireZip

/// Reads and checks the structures of a compound file: the header, the FAT (through the
/// DIFAT), sector chains, the directory and its tree, and streams by their chains.
struct TableReader {
    let source: ByteSource

    /// What the header says.
    struct Header {
        var sectorShift: Int
        var miniCutoff: Int
        var fatSectorCount: Int
        var firstDirectorySector: UInt32
        var firstMiniFATSector: UInt32
        var firstDIFATSector: UInt32
        var difatSectorCount: Int
        /// The FAT sectors listed in the header (up to 109).
        var headerDIFAT: [UInt32]
    }

    func error(_ code: DocumentError.Code, _ message: String, at location: String? = nil) -> DocumentError {
        DocumentError(code, file: source.name, location: location, message: message)
    }

    /// `count` bytes at `offset`; a short read is a truncated file.
    func bytes(at offset: Int, count: Int, what: String) throws(DocumentError) -> [UInt8] {
        do {
            if let bytes = try source.bytes(at: Int64(offset), count: count) { return bytes }
        } catch {
            throw DocumentError(.io, file: source.name, message: error.message, underlying: error)
        }
        throw self.error(.truncated, "the file ends inside \(what) (at byte \(offset) of \(source.count)).")
    }

    static func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    /// The number of whole or partial sectors after the header.
    func sectorCount(shift: Int) -> Int {
        Int((source.count + Int64(1 << shift) - 1) >> Int64(shift)) - 1
    }

    func header() throws(DocumentError) -> Header {
        guard source.count >= 512 else {
            throw error(source.count >= 8 ? .truncated : .unsupportedFormat, "the file is too short (\(source.count) bytes) to be a compound file.")
        }
        let b = try bytes(at: 0, count: 512, what: "the header")
        guard b.starts(with: CompoundFile.signature) else { throw error(.unsupportedFormat, "not a compound file (no D0 CF 11 E0 signature).") }
        guard Self.u16(b, 28) == 0xFFFE else { throw error(.corrupt, "the header's byte order mark is not FFFE.", at: "header") }
        let shift = Self.u16(b, 30)
        guard shift == 9 || shift == 12 else {
            throw error(.corrupt, "the header gives a sector size of 2^\(shift) bytes; compound files use 512 or 4096.", at: "header")
        }
        guard Self.u16(b, 32) == CompoundFile.miniSectorShift else {
            throw error(.corrupt, "the header gives a mini sector size of 2^\(Self.u16(b, 32)) bytes; compound files use 64.", at: "header")
        }
        let cutoff = Int(Self.u32(b, 56))
        guard cutoff == 4096 else { throw error(.corrupt, "the header gives a mini stream cutoff of \(cutoff) bytes; compound files use 4096.", at: "header") }
        var difat: [UInt32] = []
        for k in 0..<109 {
            let sector = Self.u32(b, 76 + 4 * k)
            if sector == CompoundFile.freeSector { break }
            difat.append(sector)
        }
        return Header(
            sectorShift: shift, miniCutoff: cutoff, fatSectorCount: Int(Self.u32(b, 44)), firstDirectorySector: Self.u32(b, 48),
            firstMiniFATSector: Self.u32(b, 60), firstDIFATSector: Self.u32(b, 68), difatSectorCount: Int(Self.u32(b, 72)),
            headerDIFAT: difat)
    }

    /// Checks that `sector` is a sector of the file; `what` names the structure for the error.
    func check(_ sector: UInt32, shift: Int, what: String) throws(DocumentError) {
        guard sector <= CompoundFile.maxRegularSector, Int(sector) < sectorCount(shift: shift) else {
            throw error(
                sector <= CompoundFile.maxRegularSector ? .truncated : .corrupt,
                "\(what) points to sector \(sector), but the file has \(sectorCount(shift: shift)) sectors.")
        }
    }

    /// The FAT: the sector numbers listed by the header and the DIFAT chain, read in order.
    func fat(_ header: Header) throws(DocumentError) -> [UInt32] {
        let shift = header.sectorShift
        let available = sectorCount(shift: shift)
        guard header.fatSectorCount > 0, header.fatSectorCount <= available else {
            throw error(.corrupt, "the header gives \(header.fatSectorCount) FAT sectors; the file has \(available) sectors.", at: "header")
        }
        var fatSectors = header.headerDIFAT
        var next = header.firstDIFATSector
        var seen = Set<UInt32>()
        let perSector = (1 << shift) / 4
        while next != CompoundFile.endOfChain && next != CompoundFile.freeSector && fatSectors.count < header.fatSectorCount {
            // Each DIFAT sector is read once: one met again is a loop.
            guard seen.insert(next).inserted else { throw error(.corrupt, "the DIFAT chain does not end (a loop).", at: "DIFAT sector \(next)") }
            try check(next, shift: shift, what: "the DIFAT chain")
            let b = try bytes(at: (Int(next) + 1) << shift, count: 1 << shift, what: "DIFAT sector \(next)")
            for k in 0..<(perSector - 1) {
                let sector = Self.u32(b, 4 * k)
                if sector == CompoundFile.freeSector { continue }
                fatSectors.append(sector)
            }
            next = Self.u32(b, 4 * (perSector - 1))
        }
        if fatSectors.count > header.fatSectorCount { fatSectors.removeSubrange(header.fatSectorCount...) }
        guard !fatSectors.isEmpty else { throw error(.corrupt, "the header lists no FAT sectors.", at: "header") }
        var table = try self.table(sectors: fatSectors, shift: shift)
        // Entries past the file's sectors can only be free or wrong; they are not kept.
        if table.count > available { table.removeSubrange(available...) }
        return table
    }

    /// The 32-bit entries of the sectors `sectors` (the FAT or the mini FAT).
    func table(sectors: [UInt32], shift: Int) throws(DocumentError) -> [UInt32] {
        var table: [UInt32] = []
        table.reserveCapacity(sectors.count << (shift - 2))
        for sector in sectors {
            try check(sector, shift: shift, what: "the allocation table")
            let b = try bytes(at: (Int(sector) + 1) << shift, count: 1 << shift, what: "allocation table sector \(sector)")
            for k in stride(from: 0, to: b.count, by: 4) { table.append(Self.u32(b, k)) }
        }
        return table
    }

    /// The chain of sectors from `start` through `table`, checked: every link in range, no
    /// loop. `shift` is given for the FAT (whose sectors are the file's): a link past the
    /// file's end is then a truncated file.
    func chain(from start: UInt32, in table: [UInt32], what: String, shift: Int? = nil) throws(DocumentError) -> [UInt32] {
        var chain: [UInt32] = []
        var sector = start
        while sector != CompoundFile.endOfChain {
            guard Int(sector) < table.count, sector <= CompoundFile.maxRegularSector else {
                if let shift, sector <= CompoundFile.maxRegularSector, Int(sector) >= sectorCount(shift: shift) {
                    throw error(.truncated, "the file ends before sector \(sector), which the chain of \(what) needs: the file is cut short.")
                }
                throw error(.corrupt, "the chain of \(what) points to sector \(sector), past the allocation table's \(table.count) entries.")
            }
            guard chain.count < table.count else { throw error(.corrupt, "the chain of \(what) does not end (a loop in the allocation table).") }
            chain.append(sector)
            sector = table[Int(sector)]
        }
        return chain
    }

    /// A stream from its chain of regular sectors, `entry.size` bytes.
    func stream(_ entry: CompoundFile.Entry, chain: [UInt32], shift: Int) throws(DocumentError) -> [UInt8] {
        guard chain.count << shift >= entry.size else {
            throw error(
                .corrupt, "the stream says it holds \(entry.size) bytes, but its chain holds \(chain.count << shift).",
                at: "stream '\(entry.name)'")
        }
        var out: [UInt8] = []
        out.reserveCapacity(entry.size)
        var k = 0
        while out.count < entry.size {
            try check(chain[k], shift: shift, what: "stream '\(entry.name)'")
            // Consecutive sectors are read in one call.
            var run = 1
            while k + run < chain.count, chain[k + run] == chain[k] + UInt32(run), (out.count + (run << shift)) < entry.size { run += 1 }
            let wanted = min(run << shift, entry.size - out.count)
            out += try bytes(at: (Int(chain[k]) + 1) << shift, count: wanted, what: "stream '\(entry.name)'")
            k += run
        }
        return out
    }

    /// A small stream from the mini stream: 64-byte mini sectors chained through the mini FAT,
    /// placed in the sectors `container` of the root's stream.
    func miniStream(_ entry: CompoundFile.Entry, miniFAT: [UInt32], container: [UInt32], shift: Int) throws(DocumentError) -> [UInt8] {
        let chain = try self.chain(from: entry.start, in: miniFAT, what: "stream '\(entry.name)' in the mini stream")
        let mini = CompoundFile.miniSectorShift
        guard chain.count << mini >= entry.size else {
            throw error(
                .corrupt, "the stream says it holds \(entry.size) bytes, but its mini chain holds \(chain.count << mini).", at: "stream '\(entry.name)'")
        }
        var out: [UInt8] = []
        out.reserveCapacity(entry.size)
        for miniSector in chain where out.count < entry.size {
            let offset = Int(miniSector) << mini
            let index = offset >> shift
            guard index < container.count else {
                throw error(.corrupt, "mini sector \(miniSector) lies past the end of the mini stream.", at: "stream '\(entry.name)'")
            }
            try check(container[index], shift: shift, what: "the mini stream")
            let at = ((Int(container[index]) + 1) << shift) + (offset & ((1 << shift) - 1))
            out += try bytes(at: at, count: min(1 << mini, entry.size - out.count), what: "stream '\(entry.name)'")
        }
        return out
    }
}
