internal import CZlib

/// Writes a ZIP archive in memory: entries deflated with zlib (raw deflate), CRC-32, local
/// headers, the central directory and the end record. Enough for OOXML packages (no
/// ZIP64, no encryption; entries and the archive stay under 4 GB).
public struct ZipWriter: Sendable {
    struct Record {
        var name: [UInt8]
        var method: UInt16
        var crc: UInt32
        var compressedSize: UInt32
        var size: UInt32
        var offset: UInt32
    }

    private var bytes: [UInt8] = []
    private var records: [Record] = []
    /// MS-DOS time and date of every entry (fixed, so the output is reproducible).
    public var dosTime: UInt16 = 0
    /// The date stamped on every entry (MS-DOS format; fixed, so output is reproducible).
    public var dosDate: UInt16 = (2024 - 1980) << 9 | 1 << 5 | 1

    /// An empty archive.
    public init() {}

    /// Adds an entry, deflated unless deflate would not make it smaller.
    public mutating func add(_ name: String, _ data: [UInt8]) throws(ZipError) {
        let crc = data.withUnsafeBufferPointer { buffer in
            UInt32(truncatingIfNeeded: CZlib.crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
        var compressed = try Self.deflate(data)
        var method: UInt16 = 8
        if compressed.count >= data.count {
            compressed = data
            method = 0
        }
        try append(name, method: method, crc: crc, size: data.count, stored: compressed)
    }

    /// Adds `entry` of another archive with its bytes exactly as they were stored there
    /// (``ZipArchive/storedData(of:)``): not inflated, not deflated again, the same CRC-32.
    public mutating func addStored(_ entry: ZipEntry, data: [UInt8]) throws(ZipError) {
        guard entry.method == 0 || entry.method == 8 else {
            throw ZipError(.unsupportedMethod, archive: "<new archive>", entry: entry.path, message: "compression method \(entry.method) cannot be copied.")
        }
        guard Int64(data.count) == entry.compressedSize else {
            throw ZipError(
                .corrupt, archive: "<new archive>", entry: entry.path,
                message: "the stored bytes are not the entry's (\(data.count) of \(entry.compressedSize)).")
        }
        try append(entry.path, method: entry.method, crc: entry.crc32, size: Int(entry.uncompressedSize), stored: data)
    }

    private mutating func append(_ name: String, method: UInt16, crc: UInt32, size: Int, stored: [UInt8]) throws(ZipError) {
        guard size <= Int(UInt32.max) - 1, stored.count <= Int(UInt32.max) - 1, bytes.count + stored.count < Int(UInt32.max) - 1 << 16,
            records.count < Int(UInt16.max), name.utf8.count < Int(UInt16.max)
        else {
            throw ZipError(.entryTooLarge, archive: "<new archive>", entry: name, message: "the archive would need ZIP64, which this writer does not write.")
        }
        let nameBytes = Array(name.utf8)
        let offset = UInt32(bytes.count)
        append32(0x0403_4b50)
        append16(20)  // version needed
        append16(1 << 11)  // UTF-8 names
        append16(method)
        append16(dosTime)
        append16(dosDate)
        append32(crc)
        append32(UInt32(stored.count))
        append32(UInt32(size))
        append16(UInt16(nameBytes.count))
        append16(0)
        bytes += nameBytes
        bytes += stored
        records.append(Record(name: nameBytes, method: method, crc: crc, compressedSize: UInt32(stored.count), size: UInt32(size), offset: offset))
    }

    /// Adds a text entry as UTF-8, deflated (stored when that is smaller).
    public mutating func add(_ name: String, text: String) throws(ZipError) {
        try add(name, Array(text.utf8))
    }

    /// The archive: entries, then the central directory and its end record.
    public mutating func finish() -> [UInt8] {
        let start = UInt32(bytes.count)
        for r in records {
            append32(0x0201_4b50)
            append16(20)  // made by
            append16(20)
            append16(1 << 11)
            append16(r.method)
            append16(dosTime)
            append16(dosDate)
            append32(r.crc)
            append32(r.compressedSize)
            append32(r.size)
            append16(UInt16(r.name.count))
            append16(0)
            append16(0)
            append16(0)
            append16(0)
            append32(0)
            append32(r.offset)
            bytes += r.name
        }
        let size = UInt32(bytes.count) - start
        append32(0x0605_4b50)
        append16(0)
        append16(0)
        append16(UInt16(records.count))
        append16(UInt16(records.count))
        append32(size)
        append32(start)
        append16(0)
        return bytes
    }

    private mutating func append16(_ v: UInt16) { bytes += [UInt8(v & 0xff), UInt8(v >> 8)] }
    private mutating func append32(_ v: UInt32) { bytes += [UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8(v >> 24)] }

    /// Raw deflate (no zlib header), as ZIP stores it.
    static func deflate(_ data: [UInt8]) throws(ZipError) -> [UInt8] {
        var stream = z_stream()
        guard quire_deflate_init_raw(&stream, 6) == Z_OK else { throw ZipError(.corrupt, archive: "<new archive>", message: "zlib could not start deflate.") }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))) + 16)
        var input = data
        let status: Int32 = input.withUnsafeMutableBufferPointer { inBuffer in
            out.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                return CZlib.deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw ZipError(.corrupt, archive: "<new archive>", message: "zlib deflate failed (\(status)).") }
        out.removeSubrange(Int(stream.total_out)...)
        return out
    }
}
