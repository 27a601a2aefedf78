import QuireTestSupport
import QuireZip
import Testing

struct ZipArchiveTests {
    func open(_ name: String, limits: ZipLimits = .default) throws -> ZipArchive {
        try ZipArchive(path: Fixtures.path(name), limits: limits)
    }

    func text(_ archive: ZipArchive, _ path: String) throws -> String {
        let entry = try #require(archive.entry(path))
        return String(decoding: try archive.contents(of: entry), as: UTF8.self)
    }

    @Test("the central directory lists every entry of a deflated archive")
    func listsEntries() throws {
        let archive = try open("headings-styles.docx")
        let paths = archive.entries.map(\.path)
        #expect(paths.contains("[Content_Types].xml"))
        #expect(paths.contains("word/document.xml"))
        #expect(archive.entries.allSatisfy { $0.method == 8 })
    }

    @Test("entry names are looked up as OPC part names: case, leading slash and backslashes ignored")
    func partNameLookup() throws {
        let archive = try open("headings-styles.docx")
        #expect(archive.entry("/WORD/Document.xml")?.path == "word/document.xml")
        #expect(archive.entry("word\\document.xml")?.path == "word/document.xml")
        #expect(archive.entry("word/missing.xml") == nil)
    }

    @Test("inflating in small chunks gives the same bytes as in one piece")
    func chunkedInflate() throws {
        let archive = try open("sample-report.docx")
        let entry = try #require(archive.entry("word/document.xml"))
        let whole = try archive.contents(of: entry)
        var pieces: [UInt8] = []
        var chunks = 0
        try archive.forEachChunk(of: entry, chunkSize: 4096) { chunk in
            #expect(chunk.count <= 4096)
            pieces.append(contentsOf: chunk)
            chunks += 1
        }
        #expect(pieces == whole)
        #expect(chunks > 1)
        #expect(Int64(whole.count) == entry.uncompressedSize)
    }

    @Test("entries written with data descriptors are read from the central directory's sizes")
    func dataDescriptors() throws {
        let archive = try open("data-descriptor.docx")
        #expect(try text(archive, "word/document.xml").contains("Written with data descriptors."))
    }

    @Test("ZIP64 end records and extra fields give the sizes and offsets")
    func zip64() throws {
        let archive = try open("zip64.docx")
        #expect(archive.entries.count == 6)
        #expect(try text(archive, "word/document.xml").contains("Read through ZIP64 records."))
    }

    @Test("a ZIP64 field claiming a compressed size near 2^63 is a clear error, not an overflow trap")
    func zip64HugeCompressedSize() throws {
        var bytes = try #require(Fixtures.bytes(Fixtures.path("sample-report.docx")))
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        func put32(_ value: UInt32, _ at: inout [UInt8], _ offset: Int) {
            for i in 0..<4 { at[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
        }
        let eocd = try #require((0...(bytes.count - 22)).reversed().first { u32($0) == 0x0605_4B50 })
        let (cdSize, cdOffset) = (u32(eocd + 12), u32(eocd + 16))
        var directory: [UInt8] = []
        var at = cdOffset
        while at < cdOffset + cdSize {
            let (n, m, k) = (u16(at + 28), u16(at + 30), u16(at + 32))
            var entry = Array(bytes[at..<(at + 46 + n + m + k)])
            let uncompressed = UInt64(u32(at + 24))
            put32(0xFFFF_FFFF, &entry, 20)
            put32(0xFFFF_FFFF, &entry, 24)
            var extra: [UInt8] = [1, 0, 16, 0]
            for value in [uncompressed, 0x7FFF_FFFF_FFFF_FFF0] as [UInt64] {
                for i in 0..<8 { extra.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
            }
            entry.insert(contentsOf: extra, at: 46 + n)
            entry[30] = UInt8((m + extra.count) & 0xFF)
            entry[31] = UInt8((m + extra.count) >> 8)
            directory += entry
            at += 46 + n + m + k
        }
        var tail = Array(bytes[(cdOffset + cdSize)...])
        put32(UInt32(directory.count), &tail, eocd - (cdOffset + cdSize) + 12)
        bytes = Array(bytes[..<cdOffset]) + directory + tail
        let archive = try ZipArchive(bytes: bytes, name: "huge.docx")
        let entry = try #require(archive.entry("word/document.xml"))
        #expect(entry.compressedSize == 0x7FFF_FFFF_FFFF_FFF0)
        let error = #expect(throws: ZipError.self) { _ = try archive.contents(of: entry) }
        #expect(error?.code == .truncated)
        #expect(error?.description.contains("runs past the end of the file") == true)
    }

    @Test("stored entries are read as is")
    func storedEntries() throws {
        let bytes = try #require(Fixtures.bytes(Fixtures.path("corrupt-crc.docx")))
        let archive = try ZipArchive(bytes: bytes, name: "memory")
        let styles = try #require(archive.entry("word/styles.xml"))
        #expect(styles.method == 0)
        #expect(try archive.contents(of: styles).count == Int(styles.uncompressedSize))
    }

    @Test(
        "hostile and broken files fail with distinct codes that name the file",
        arguments: [
            ("zip-bomb.docx", ZipError.Code.compressionRatioExceeded, "word/document.xml"),
            ("zip-bomb-lying-size.docx", .entryTooLarge, "word/document.xml"),
            ("corrupt-crc.docx", .crcMismatch, "word/document.xml"),
        ])
    func hostileEntries(name: String, code: ZipError.Code, entry: String) throws {
        let archive = try open(name)
        let target = try #require(archive.entry(entry))
        let error = #expect(throws: ZipError.self) { _ = try archive.contents(of: target) }
        #expect(error?.code == code)
        #expect(error?.description.contains(name) == true)
        #expect(error?.entry == entry)
    }

    @Test(
        "files that are not readable archives are told apart",
        arguments: [
            ("truncated.docx", ZipError.Code.truncated),
            ("encrypted.docx", .encryptedDocument),
            ("legacy-word97.doc", .legacyOLEDocument),
            ("empty.docx", .emptyFile),
            ("not-a-zip.docx", .notAZip),
        ])
    func unreadableArchives(name: String, code: ZipError.Code) throws {
        let error = #expect(throws: ZipError.self) { _ = try open(name) }
        #expect(error?.code == code)
        #expect(error?.description.hasPrefix(Fixtures.path(name)) == true)
    }

    @Test("a missing file is an I/O error naming the path")
    func missingFile() {
        let error = #expect(throws: ZipError.self) { _ = try ZipArchive(path: "/nonexistent/x.docx") }
        #expect(error?.code == .io)
        #expect(error?.description.contains("/nonexistent/x.docx") == true)
    }

    @Test("the entry-count limit is enforced when the directory is read")
    func entryCountLimit() {
        let error = #expect(throws: ZipError.self) {
            _ = try open("sample-report.docx", limits: ZipLimits(maxEntryCount: 3))
        }
        #expect(error?.code == .tooManyEntries)
    }

    @Test("the per-entry size limit refuses entries that declare more")
    func entrySizeLimit() throws {
        let archive = try open("sample-report.docx", limits: ZipLimits(maxEntrySize: 1000))
        let entry = try #require(archive.entry("word/styles.xml"))
        let error = #expect(throws: ZipError.self) { _ = try archive.contents(of: entry) }
        #expect(error?.code == .entryTooLarge)
    }

    @Test("the total-size limit counts every entry inflated from the archive")
    func totalSizeLimit() throws {
        let archive = try open("sample-report.docx", limits: ZipLimits(maxTotalSize: 40_000))
        let error = #expect(throws: ZipError.self) {
            for entry in archive.entries { _ = try archive.contents(of: entry) }
        }
        #expect(error?.code == .totalSizeExceeded)
    }
}

struct PrefetchTests {
    @Test("prefetched chunks are the entry's bytes in order")
    func sameBytes() throws {
        let archive = try ZipArchive(path: Fixtures.path("sample-report.docx"))
        for entry in archive.entries {
            var bytes: [UInt8] = []
            try archive.forEachChunkPrefetched(of: entry, chunkSize: 4096, depth: 2) { bytes.append(contentsOf: $0) }
            #expect(bytes == (try archive.contents(of: entry)), "\(entry.path)")
        }
    }

    @Test("a CRC failure found on the inflating thread is thrown to the caller")
    func crcFailure() throws {
        let archive = try ZipArchive(path: Fixtures.path("corrupt-crc.docx"))
        let entry = try #require(archive.entry("word/document.xml"))
        let error = #expect(throws: ZipError.self) { try archive.forEachChunkPrefetched(of: entry) { _ in } }
        #expect(error?.code == .crcMismatch)
    }

    @Test("when the consumer throws, inflating stops and the error comes back")
    func consumerStops() throws {
        struct Enough: Error {}
        let archive = try ZipArchive(path: Fixtures.path("sample-report.docx"))
        let entry = try #require(archive.entry("word/styles.xml"))
        var chunks = 0
        #expect(throws: Enough.self) {
            try archive.forEachChunkPrefetched(of: entry, chunkSize: 1024, depth: 1) { _ in
                chunks += 1
                if chunks == 2 { throw Enough() }
            }
        }
        #expect(chunks == 2)
    }
}
