import QuireModel

/// Outlook's compressed RTF ([MS-OXRTFCP]): a 16-byte header, then LZ77-style runs against
/// a 4 KiB dictionary that starts out holding a fixed RTF preamble. The CRC in the header
/// is checked, and the output never grows past the size the header states.
enum CompressedRTF {
    /// What goes wrong, in words for the warning that names the message.
    struct Failure: Error {
        var message: String
    }

    static let compressed: UInt32 = 0x7546_5A4C  // "LZFu"
    static let uncompressed: UInt32 = 0x414C_454D  // "MELA"
    /// The dictionary's initial content ([MS-OXRTFCP] 2.1.2.1), 207 bytes.
    static let preamble = Array(
        ("{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx")
            .utf8)

    /// The RTF held in `bytes` (the PidTagRtfCompressed stream), at most `limit` bytes of it.
    static func decompress(_ bytes: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        guard bytes.count >= 16 else { throw Failure(message: "the compressed RTF is shorter than its 16-byte header") }
        let compressedSize = Int(OutlookProperties.u32(bytes, 0))
        let rawSize = Int(OutlookProperties.u32(bytes, 4))
        let type = OutlookProperties.u32(bytes, 8)
        let crc = OutlookProperties.u32(bytes, 12)
        guard rawSize <= limit else { throw Failure(message: "the RTF body would be \(rawSize) bytes, over the limit of \(limit)") }
        // The stated size counts the bytes after its own field; a stream may carry padding.
        let end = min(bytes.count, compressedSize >= 12 ? compressedSize + 4 : bytes.count)
        switch type {
        case uncompressed:
            return Array(bytes[16..<min(end, 16 + rawSize)])
        case compressed:
            let computed = crc32(bytes[16..<end])
            guard computed == crc else {
                throw Failure(message: "the compressed RTF fails its CRC check (stored \(hex(crc)), computed \(hex(computed))): the body is damaged")
            }
            return try expand(bytes[16..<end], rawSize: rawSize)
        default:
            throw Failure(message: "the RTF body has an unknown compression type \(hex(type))")
        }
    }

    /// Expands the runs: each control byte's bits, lowest first, say whether a literal byte
    /// (0) or a 2-byte reference (1: 12-bit dictionary offset, 4-bit length − 2) follows. A
    /// reference to the current write position ends the data.
    static func expand(_ input: ArraySlice<UInt8>, rawSize: Int) throws(Failure) -> [UInt8] {
        var dictionary = [UInt8](repeating: 0, count: 4096)
        dictionary.replaceSubrange(0..<preamble.count, with: preamble)
        var write = preamble.count
        var out: [UInt8] = []
        out.reserveCapacity(rawSize)
        var i = input.startIndex
        while i < input.endIndex {
            let control = input[i]
            i += 1
            for bit in 0..<8 {
                guard i < input.endIndex, out.count < rawSize else { return out }
                if control & (1 << bit) == 0 {
                    let byte = input[i]
                    i += 1
                    out.append(byte)
                    dictionary[write] = byte
                    write = (write + 1) & 0xFFF
                    continue
                }
                guard i + 1 < input.endIndex else { throw Failure(message: "the compressed RTF ends inside a reference") }
                let reference = Int(input[i]) << 8 | Int(input[i + 1])
                i += 2
                let offset = reference >> 4
                if offset == write { return out }
                for k in 0..<((reference & 0xF) + 2) where out.count < rawSize {
                    let byte = dictionary[(offset + k) & 0xFFF]
                    out.append(byte)
                    dictionary[write] = byte
                    write = (write + 1) & 0xFFF
                }
            }
        }
        return out
    }

    static func hex(_ value: UInt32) -> String { "0x" + String(value, radix: 16, uppercase: true) }

    /// The CRC of [MS-OXRTFCP] 2.1.3.2: CRC-32's table (polynomial 0xEDB88320), starting
    /// from 0, without the final inversion.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc
    }

    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}
