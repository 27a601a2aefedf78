/// Reads the end-of-central-directory records and the central directory itself.
enum CentralDirectory {
    static let eocdSignature: UInt32 = 0x0605_4b50
    static let zip64LocatorSignature: UInt32 = 0x0706_4b50
    static let zip64EOCDSignature: UInt32 = 0x0606_4b50
    static let centralHeaderSignature: UInt32 = 0x0201_4b50
    static let localHeaderSignature: UInt32 = 0x0403_4b50

    static func read(_ source: ByteSource, limits: ZipLimits) throws(ZipError) -> [ZipEntry] {
        let name = source.name
        if source.count == 0 {
            throw ZipError(.emptyFile, archive: name, message: "the file is empty (0 bytes).")
        }
        let head = try source.bytes(at: 0, count: Int(min(source.count, 8))) ?? []
        if head.count == 8 && head == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] {
            throw try OLE.classify(source)
        }
        // The EOCD record is 22 bytes plus a comment of at most 65535 bytes.
        let tailLength = Int(min(source.count, 22 + 65_535))
        let tailStart = source.count - Int64(tailLength)
        guard let tail = try source.bytes(at: tailStart, count: tailLength) else {
            throw ZipError(.io, archive: name, message: "could not read the end of the file.")
        }
        guard let eocd = findEOCD(tail) else {
            if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
                throw ZipError(
                    .truncated, archive: name,
                    message: "the ZIP archive is truncated: its central directory is missing. The file was probably cut off while copying or downloading.")
            }
            throw ZipError(.notAZip, archive: name, message: "not a ZIP archive (no ZIP signature found).")
        }
        var bytes = ByteReader(tail, at: eocd + 4)
        let disk = bytes.u16()
        let cdDisk = bytes.u16()
        _ = bytes.u16()
        var count = Int64(bytes.u16())
        var cdSize = Int64(bytes.u32())
        var cdOffset = Int64(bytes.u32())
        let eocdAbsolute = tailStart + Int64(eocd)
        if disk != 0 || cdDisk != 0, disk != 0xFFFF {
            throw ZipError(.corrupt, archive: name, message: "multi-volume ZIP archives are not supported.")
        }
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            // ZIP64: the locator sits just before the EOCD record.
            if eocdAbsolute >= 20,
                let locator = try source.bytes(at: eocdAbsolute - 20, count: 20),
                ByteReader.u32(locator, at: 0) == zip64LocatorSignature
            {
                var l = ByteReader(locator, at: 8)
                let recordOffset = Int64(bitPattern: l.u64())
                guard let record = try source.bytes(at: recordOffset, count: 56),
                    ByteReader.u32(record, at: 0) == zip64EOCDSignature
                else {
                    throw ZipError(.corrupt, archive: name, message: "the ZIP64 end-of-directory record is missing or damaged.")
                }
                var r = ByteReader(record, at: 32)
                count = Int64(bitPattern: r.u64())
                cdSize = Int64(bitPattern: r.u64())
                cdOffset = Int64(bitPattern: r.u64())
            }
        }
        if count > Int64(limits.maxEntryCount) {
            throw ZipError(
                .tooManyEntries, archive: name,
                message: "the archive lists \(count) entries, more than the limit of \(limits.maxEntryCount).")
        }
        guard cdOffset >= 0, cdSize >= 0, cdSize <= source.count, cdOffset <= source.count - cdSize else {
            throw ZipError(
                .truncated, archive: name,
                message:
                    "the central directory points past the end of the file (offset \(cdOffset), \(cdSize) bytes, file is \(source.count) bytes); the archive is truncated or damaged."
            )
        }
        guard let directory = try source.bytes(at: cdOffset, count: Int(cdSize)) else {
            throw ZipError(.truncated, archive: name, message: "the central directory is cut off.")
        }
        return try parseEntries(directory, expected: count, archive: name, limits: limits)
    }

    static func findEOCD(_ tail: [UInt8]) -> Int? {
        guard tail.count >= 22 else { return nil }
        var i = tail.count - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4B, tail[i + 2] == 0x05, tail[i + 3] == 0x06 {
                let commentLength = Int(tail[i + 20]) | Int(tail[i + 21]) << 8
                // Accept the record whose comment reaches the end of the file (or a
                // shorter one: some writers pad archives).
                if i + 22 + commentLength <= tail.count { return i }
            }
            i -= 1
        }
        return nil
    }

    static func parseEntries(_ directory: [UInt8], expected: Int64, archive: String, limits: ZipLimits) throws(ZipError) -> [ZipEntry] {
        var entries: [ZipEntry] = []
        entries.reserveCapacity(Int(min(expected, 10_000)))
        var r = ByteReader(directory)
        while r.remaining >= 46 {
            let signature = r.u32()
            guard signature == centralHeaderSignature else {
                if entries.isEmpty || signature != zip64EOCDSignature && signature != eocdSignature {
                    throw ZipError(
                        .corrupt, archive: archive, message: "the central directory is damaged (bad header signature after \(entries.count) entries).")
                }
                break
            }
            r.skip(4)  // versions
            let flags = r.u16()
            let method = r.u16()
            r.skip(4)  // time, date
            let crc = r.u32()
            var compressed = Int64(r.u32())
            var uncompressed = Int64(r.u32())
            let nameLength = Int(r.u16())
            let extraLength = Int(r.u16())
            let commentLength = Int(r.u16())
            r.skip(8)  // disk, internal attrs, external attrs
            var offset = Int64(r.u32())
            guard r.remaining >= nameLength + extraLength + commentLength else {
                throw ZipError(.truncated, archive: archive, message: "the central directory is cut off inside entry \(entries.count + 1).")
            }
            let nameBytes = r.take(nameLength)
            // Bit 11 marks UTF-8 names; OOXML names are ASCII either way. Decode as UTF-8
            // and fall back to Latin-1 so no name is lost.
            let path =
                String(validating: nameBytes, as: UTF8.self)
                ?? String(nameBytes.map { Character(Unicode.Scalar($0)) })
            var extra = ByteReader(r.take(extraLength))
            r.skip(commentLength)
            while extra.remaining >= 4 {
                let tag = extra.u16()
                let size = Int(extra.u16())
                guard extra.remaining >= size else { break }
                var field = ByteReader(extra.take(size))
                if tag == 0x0001 {
                    if uncompressed == 0xFFFF_FFFF, field.remaining >= 8 { uncompressed = Int64(bitPattern: field.u64()) }
                    if compressed == 0xFFFF_FFFF, field.remaining >= 8 { compressed = Int64(bitPattern: field.u64()) }
                    if offset == 0xFFFF_FFFF, field.remaining >= 8 { offset = Int64(bitPattern: field.u64()) }
                }
            }
            if compressed < 0 || uncompressed < 0 || offset < 0 {
                throw ZipError(.corrupt, archive: archive, entry: path, message: "the entry's sizes are invalid.")
            }
            entries.append(
                ZipEntry(
                    path: path, method: method, compressedSize: compressed, uncompressedSize: uncompressed,
                    crc32: crc, localHeaderOffset: offset, isEncrypted: flags & 1 != 0))
            if entries.count > limits.maxEntryCount {
                throw ZipError(.tooManyEntries, archive: archive, message: "the archive holds more than \(limits.maxEntryCount) entries.")
            }
        }
        return entries
    }
}

/// Little-endian reads over a byte array; reads past the end give zeros (callers check `remaining`).
struct ByteReader {
    let bytes: [UInt8]
    var position: Int

    init(_ bytes: [UInt8], at position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    init(_ slice: ArraySlice<UInt8>) {
        self.init(Array(slice))
    }

    static func u32(_ bytes: [UInt8], at i: Int) -> UInt32 {
        var r = ByteReader(bytes, at: i)
        return r.u32()
    }

    var remaining: Int { max(0, bytes.count - position) }

    mutating func u8() -> UInt8 {
        defer { position += 1 }
        return position < bytes.count ? bytes[position] : 0
    }
    mutating func u16() -> UInt16 { UInt16(u8()) | UInt16(u8()) << 8 }
    mutating func u32() -> UInt32 { UInt32(u16()) | UInt32(u16()) << 16 }
    mutating func u64() -> UInt64 { UInt64(u32()) | UInt64(u32()) << 32 }
    mutating func skip(_ n: Int) { position += n }
    mutating func take(_ n: Int) -> ArraySlice<UInt8> {
        let start = min(position, bytes.count)
        let end = min(position + n, bytes.count)
        position += n
        return bytes[start..<end]
    }
}
