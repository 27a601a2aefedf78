internal import CZlib
internal import QuireInternalThreads

/// Pulls an entry's inflated bytes chunk by chunk, checking limits and the CRC-32.
///
/// Each chunk returned by `next()` is valid until the following call.
public final class ZipEntryReader {
    private let source: ByteSource
    private let entry: ZipEntry
    private let limits: ZipLimits
    private var inputOffset: Int64 = 0
    private var inputRemaining: Int64
    private let input: UnsafeMutableRawBufferPointer
    private let output: UnsafeMutableRawBufferPointer
    private var stream: UnsafeMutablePointer<z_stream>?
    private var produced: Int64 = 0
    private var crc: UInt = 0
    private var finished = false
    private var streamEnded = false

    init(archive: ZipArchive, entry: ZipEntry, chunkSize: Int) throws(ZipError) {
        source = archive.source
        self.entry = entry
        limits = archive.limits
        let name = archive.name
        if entry.isEncrypted {
            throw ZipError(.encryptedEntry, archive: name, entry: entry.path, message: "the entry is encrypted (password-protected ZIP).")
        }
        if entry.method != 0 && entry.method != 8 {
            throw ZipError(
                .unsupportedMethod, archive: name, entry: entry.path,
                message: "compression method \(entry.method) is not supported (only stored and deflate).")
        }
        if entry.uncompressedSize > limits.maxEntrySize {
            throw ZipError(
                .entryTooLarge, archive: name, entry: entry.path,
                message: "the entry declares \(entry.uncompressedSize) bytes, more than the limit of \(limits.maxEntrySize).")
        }
        if entry.uncompressedSize > limits.ratioThreshold {
            let ratio = entry.uncompressedSize / max(entry.compressedSize, 1)
            if ratio > limits.maxCompressionRatio {
                throw ZipError(
                    .compressionRatioExceeded, archive: name, entry: entry.path,
                    message:
                        "the entry would inflate \(ratio)× (\(entry.compressedSize) → \(entry.uncompressedSize) bytes), above the limit of \(limits.maxCompressionRatio)×: this looks like a zip bomb."
                )
            }
        }
        inputOffset = try archive.dataOffset(of: entry)
        inputRemaining = entry.compressedSize
        let size = max(chunkSize, 4096)
        input = .allocate(byteCount: size, alignment: 16)
        output = .allocate(byteCount: size, alignment: 16)
        if entry.method == 8 {
            let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
            z.initialize(to: z_stream())
            guard quire_inflate_init_bits(z, -15) == Z_OK else {
                z.deallocate()
                input.deallocate()
                output.deallocate()
                throw ZipError(.io, archive: name, entry: entry.path, message: "zlib could not start inflating.")
            }
            stream = z
        }
    }

    deinit {
        if let stream {
            inflateEnd(stream)
            stream.deallocate()
        }
        input.deallocate()
        output.deallocate()
    }

    private func fail(_ code: ZipError.Code, _ message: String) -> ZipError {
        ZipError(code, archive: source.name, entry: entry.path, message: message)
    }

    /// The next chunk of inflated bytes, or nil after the last one (the CRC then matched).
    public func next() throws(ZipError) -> UnsafeRawBufferPointer? {
        if finished { return nil }
        let chunk: UnsafeRawBufferPointer
        if let stream {
            chunk = try inflateChunk(stream)
        } else {
            chunk = try storedChunk()
        }
        if chunk.isEmpty {
            finished = true
            if produced != entry.uncompressedSize {
                throw fail(.corrupt, "the entry inflated to \(produced) bytes but declares \(entry.uncompressedSize).")
            }
            if UInt32(truncatingIfNeeded: crc) != entry.crc32 {
                throw fail(.crcMismatch, "the entry's CRC-32 does not match its data; the file is corrupt.")
            }
            return nil
        }
        try account(chunk)
        return chunk
    }

    private func account(_ chunk: UnsafeRawBufferPointer) throws(ZipError) {
        produced += Int64(chunk.count)
        if produced > entry.uncompressedSize {
            throw fail(
                .entryTooLarge,
                "the entry inflates to more than the \(entry.uncompressedSize) bytes it declares: the archive is damaged or a zip bomb.")
        }
        let total = source.inflatedTotal.withLock { total in
            total += Int64(chunk.count)
            return total
        }
        if total > limits.maxTotalSize {
            throw fail(.totalSizeExceeded, "the archive inflates to more than the limit of \(limits.maxTotalSize) bytes in all.")
        }
        crc = CZlib.crc32(crc, chunk.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(chunk.count))
    }

    private func refill() throws(ZipError) -> Int {
        let n = Int(min(Int64(input.count), inputRemaining))
        guard n > 0 else { return 0 }
        let got = try source.read(at: inputOffset, into: UnsafeMutableRawBufferPointer(rebasing: input[0..<n]))
        if got < n {
            throw fail(.truncated, "the entry's data is cut off; the archive is truncated.")
        }
        inputOffset += Int64(n)
        inputRemaining -= Int64(n)
        return n
    }

    private func storedChunk() throws(ZipError) -> UnsafeRawBufferPointer {
        let n = try refill()
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(input)[0..<n])
    }

    private func inflateChunk(_ z: UnsafeMutablePointer<z_stream>) throws(ZipError) -> UnsafeRawBufferPointer {
        if streamEnded { return UnsafeRawBufferPointer(start: nil, count: 0) }
        z.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
        z.pointee.avail_out = uInt(output.count)
        while z.pointee.avail_out > 0 {
            if z.pointee.avail_in == 0 {
                let n = try refill()
                if n == 0 {
                    if z.pointee.avail_out == uInt(output.count) {
                        // No input left and nothing produced: the stream should have ended.
                        throw fail(.truncated, "the compressed data ends before the deflate stream does; the archive is truncated or corrupt.")
                    }
                    break
                }
                z.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                z.pointee.avail_in = uInt(n)
            }
            let status = inflate(z, Z_NO_FLUSH)
            if status == Z_STREAM_END {
                let count = output.count - Int(z.pointee.avail_out)
                inputRemaining = 0
                z.pointee.avail_in = 0
                streamEnded = true
                return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(output)[0..<count])
            }
            if status != Z_OK && status != Z_BUF_ERROR {
                throw fail(.corrupt, "the compressed data is invalid (zlib error \(status)); the file is corrupt.")
            }
            if status == Z_BUF_ERROR && z.pointee.avail_in != 0 {
                throw fail(.corrupt, "the compressed data is invalid; the file is corrupt.")
            }
        }
        let count = output.count - Int(z.pointee.avail_out)
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(output)[0..<count])
    }
}

extension ZipArchive {
    /// A pull reader over `entry`'s inflated bytes.
    public func reader(for entry: ZipEntry, chunkSize: Int = 64 * 1024) throws(ZipError) -> ZipEntryReader {
        try ZipEntryReader(archive: self, entry: entry, chunkSize: chunkSize)
    }
}
