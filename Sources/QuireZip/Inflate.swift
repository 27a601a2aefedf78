internal import CZlib

/// One-shot inflation of a small buffer whose inflated size is known: a compressed block of
/// an Outlook 2013 OST, for one.
package enum Inflate {
    /// `bytes` inflated — a zlib stream (RFC 1950) when they start with a zlib header, else
    /// raw deflate — or nil when they are not valid compressed data or do not inflate to
    /// exactly `size` bytes.
    package static func exactly(_ bytes: ArraySlice<UInt8>, size: Int) -> [UInt8]? {
        guard size > 0, !bytes.isEmpty else { return nil }
        let first = bytes[bytes.startIndex]
        let zlibHeader = bytes.count >= 2 && first & 0x0F == 8 && (Int(first) << 8 | Int(bytes[bytes.startIndex + 1])) % 31 == 0
        var stream = z_stream()
        guard quire_inflate_init_bits(&stream, zlibHeader ? 15 : -15) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var ended = false
        var produced = 0
        // One byte of room past `size`, so that data inflating to more is seen.
        var out = [UInt8](repeating: 0, count: size + 1)
        bytes.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                // zlib reads its input through a non-const pointer; it never writes there.
                stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                let status = inflate(&stream, Z_FINISH)
                ended = status == Z_STREAM_END
                produced = target.count - Int(stream.avail_out)
            }
        }
        guard ended, produced == size else { return nil }
        out.removeLast()
        return out
    }
}
