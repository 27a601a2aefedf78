import QuireCFB
import QuireModel
import QuirePST

/// The MAPI properties of one Outlook object — a message, a recipient, an attachment, an
/// embedded message — from either container:
/// - an `.msg` file's storage, as [MS-OXMSG] stores them: fixed-size values in the
///   `__properties_version1.0` stream (16 bytes each, after a header), variable-size values
///   in streams named `__substg1.0_IIIITTTT` (property id and type in hex), read on demand;
/// - a PST file's property context or table row ([MS-PST]), already read.
struct OutlookProperties {
    let file: CompoundFile?
    /// Fixed-size values by property id: the type and the 8 bytes as a little-endian number.
    private(set) var fixed: [UInt16: (type: UInt16, value: UInt64)] = [:]
    /// Variable-size values by property id: each type present and its stream.
    private(set) var streams: [UInt16: [(type: UInt16, entry: CompoundFile.Entry)]] = [:]
    /// The values of a PST object, read already, by property id (one type each).
    private(set) var pstValues: [UInt16: PSTFile.Value] = [:]
    /// The value streams of variable-size multi-valued properties (`.msg`), by property id:
    /// each type present and its streams `-00000000`, `-00000001`, … in order.
    private(set) var valueStreams: [UInt16: [(type: UInt16, entries: [CompoundFile.Entry])]] = [:]
    /// The code page of 8-bit strings (PidTagMessageCodepage, else PidTagInternetCodepage).
    var codepage: Int?

    /// The header before the property entries: 32 bytes for the top-level message, 24 for an
    /// embedded one, 8 for a recipient or an attachment.
    enum Kind: Int {
        case message = 32
        case embeddedMessage = 24
        case recipientOrAttachment = 8
    }

    /// Property types ([MS-OXCDATA] 2.11.1).
    enum PropertyType {
        static let int16: UInt16 = 0x0002
        static let int32: UInt16 = 0x0003
        static let boolean: UInt16 = 0x000B
        static let object: UInt16 = 0x000D
        static let int64: UInt16 = 0x0014
        static let string8: UInt16 = 0x001E
        static let unicode: UInt16 = 0x001F
        static let time: UInt16 = 0x0040
        static let binary: UInt16 = 0x0102
        /// Set in the type of a multi-valued property (0x101F: several UTF-16 strings).
        static let multiple: UInt16 = 0x1000
    }

    /// The properties of `storage`; `codepage` is the enclosing message's, used for 8-bit
    /// strings when the object names none (recipients and attachments seldom do).
    init(file: CompoundFile, storage: CompoundFile.Entry, kind: Kind, codepage inherited: Int? = nil) throws(DocumentError) {
        self.file = file
        var indexed: [UInt32: [Int: CompoundFile.Entry]] = [:]
        for entry in file.children(of: storage) {
            let name = entry.name
            guard name.hasPrefix("__substg1.0_"), name.count == 20 || name.count == 29 else { continue }
            let rest = name.utf8.dropFirst(12)
            guard let tag = UInt32(String(decoding: rest.prefix(8), as: UTF8.self), radix: 16) else { continue }
            if name.count == 20 {
                streams[UInt16(tag >> 16), default: []].append((UInt16(tag & 0xFFFF), entry))
            } else if rest.dropFirst(8).first == UInt8(ascii: "-"), let index = Int(String(decoding: rest.dropFirst(9), as: UTF8.self), radix: 16) {
                // One value of a variable-size multi-valued property ([MS-OXMSG] 2.1.4.2).
                indexed[tag, default: [:]][index] = entry
            }
        }
        for (tag, byIndex) in indexed {
            // The values run from index 0 without a gap; a stream past a gap belongs to no value.
            var entries: [CompoundFile.Entry] = []
            while let entry = byIndex[entries.count] { entries.append(entry) }
            valueStreams[UInt16(tag >> 16), default: []].append((UInt16(tag & 0xFFFF), entries))
        }
        if let stream = file.child(named: "__properties_version1.0", of: storage) {
            let bytes = try file.read(stream)
            var offset = kind.rawValue
            while offset + 16 <= bytes.count {
                let tag = Self.u32(bytes, offset)
                let type = UInt16(tag & 0xFFFF)
                // Variable-size and multi-valued entries hold a size here; their values are streams.
                if type != PropertyType.string8 && type != PropertyType.unicode && type != PropertyType.binary && type != PropertyType.object
                    && type & 0x1000 == 0
                {
                    fixed[UInt16(tag >> 16)] = (type, UInt64(Self.u32(bytes, offset + 8)) | UInt64(Self.u32(bytes, offset + 12)) << 32)
                }
                offset += 16
            }
        }
        codepage = int32(0x3FFD) ?? int32(0x3FDE) ?? inherited
    }

    /// The properties of a PST object; `codepage` as above.
    init(pst: [UInt16: PSTFile.Value], codepage inherited: Int? = nil) {
        file = nil
        pstValues = pst
        codepage = int32(0x3FFD) ?? int32(0x3FDE) ?? inherited
    }

    /// A variable-size value read already (from a PST), of `type`.
    func value(_ id: UInt16, type: UInt16) -> ArraySlice<UInt8>? {
        // One lookup: an archive's object has no `fixed` values, and a value with an integer
        // is a fixed one.
        guard let value = pstValues[id], value.type == type, value.integer == nil else { return nil }
        return value.slice
    }

    /// A fixed-size value: its type and its bytes as a little-endian number.
    func fixedValue(_ id: UInt16) -> (type: UInt16, value: UInt64)? {
        if let found = fixed[id] { return found }
        guard let value = pstValues[id], let number = value.integer else { return nil }
        return (value.type, UInt64(bitPattern: number))
    }

    static func u32(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    /// A 16- or 32-bit integer property.
    func int32(_ id: UInt16) -> Int? {
        guard let (type, value) = fixedValue(id) else { return nil }
        switch type {
        case PropertyType.int32: return Int(Int32(truncatingIfNeeded: value))
        case PropertyType.int16: return Int(Int16(truncatingIfNeeded: value))
        default: return nil
        }
    }

    /// A boolean property.
    func bool(_ id: UInt16) -> Bool? {
        guard let (type, value) = fixedValue(id), type == PropertyType.boolean else { return nil }
        return value & 0xFFFF != 0
    }

    /// A time property (FILETIME: 100 ns ticks since 1601) as seconds since 1970; nil for
    /// none, zero, or a value outside years 1601–9999.
    func time(_ id: UInt16) -> Int64? {
        guard let (type, value) = fixedValue(id), type == PropertyType.time, value > 0, value < 2_650_467_744_000_000_000 else { return nil }
        return Int64(value / 10_000_000) - 11_644_473_600
    }

    /// The stream of property `id` with type `type`, when there is one.
    func stream(_ id: UInt16, type: UInt16) -> CompoundFile.Entry? {
        streams[id]?.first { $0.type == type }?.entry
    }

    /// A string property: the UTF-16 form, else the 8-bit form in the object's code page.
    func string(_ id: UInt16) throws(DocumentError) -> String? {
        if let file {
            if let entry = stream(id, type: PropertyType.unicode) { return Self.utf16(try file.read(entry)) }
            if let entry = stream(id, type: PropertyType.string8) { return eightBit(try file.read(entry)) }
            return nil
        }
        // An archive's object: one lookup, whichever of the two types the value has.
        switch pstValues[id] {
        case let value? where value.type == PropertyType.unicode: return Self.utf16(value.slice)
        case let value? where value.type == PropertyType.string8: return eightBit(value.slice)
        default: return nil
        }
    }

    /// UTF-16LE text without its terminating zeros.
    /// `lineEnds`: CRLF and lone CR become LF and a run of NULs one space, in the same pass
    /// (what `MailBody.normaliseLineEnds` does to a body).
    static func utf16(_ bytes: [UInt8], normalisingLineEnds lineEnds: Bool = false) -> String {
        utf16(bytes[...], normalisingLineEnds: lineEnds)
    }

    /// As `utf16(_:normalisingLineEnds:)`, over a slice.
    static func utf16(_ bytes: ArraySlice<UInt8>, normalisingLineEnds lineEnds: Bool = false) -> String {
        // Transcoded to UTF-8 by hand: the standard library's UTF-16 decoding goes through a
        // generic path that costs more than the rest of reading a message. An unpaired
        // surrogate becomes U+FFFD, as String(decoding:as:) would make it.
        var count = bytes.count / 2
        bytes.withUnsafeBufferPointer { b in
            while count > 0, b[2 * count - 2] == 0, b[2 * count - 1] == 0 { count -= 1 }
        }
        return String(unsafeUninitializedCapacity: count * 3) { out in
            bytes.withUnsafeBufferPointer { b in
                guard let raw = UnsafeRawPointer(b.baseAddress), let to = UnsafeMutableRawPointer(out.baseAddress) else { return 0 }
                // Eight, then four, code units at a time while they are ASCII (and neither CR
                // nor NUL when line ends are normalised): most of a mail's text. At the first
                // unit that is not, the units before it are stored and it takes the slow path.
                // Each unit is at most 3 bytes out, so the 8-byte store stays in `out`.
                let ones: UInt64 = 0x0001_0001_0001_0001
                let tops: UInt64 = 0x8000_8000_8000_8000
                // A bit set in the lane of each unit that needs the slow path; the lowest is
                // exact (the subtraction can only borrow into lanes above a NUL).
                func special(_ units: UInt64) -> UInt64 {
                    let wide = units & 0xFF80_FF80_FF80_FF80
                    guard lineEnds else { return wide }
                    return wide | ((units &- ones) | ((units ^ 0x000D_000D_000D_000D) &- ones)) & tops
                }
                // The low bytes of four units side by side; right in each lane whose unit and
                // those before it are ASCII.
                func packed(_ units: UInt64) -> UInt64 {
                    let pairs = (units | units >> 8) & 0x0000_FFFF_0000_FFFF
                    return (pairs | pairs >> 16) & 0xFFFF_FFFF
                }
                var o = 0
                var k = 0
                while k < count {
                    while k + 8 <= count {
                        let low = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * k, as: UInt64.self))
                        let high = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * k + 8, as: UInt64.self))
                        to.storeBytes(of: (packed(low) | packed(high) << 32).littleEndian, toByteOffset: o, as: UInt64.self)
                        let lowSpecial = special(low)
                        let highSpecial = special(high)
                        guard lowSpecial | highSpecial != 0 else {
                            o += 8
                            k += 8
                            continue
                        }
                        let plain = lowSpecial != 0 ? lowSpecial.trailingZeroBitCount / 16 : 4 + highSpecial.trailingZeroBitCount / 16
                        o += plain
                        k += plain
                        break
                    }
                    if k + 8 > count, k + 4 <= count {
                        let units = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * k, as: UInt64.self))
                        to.storeBytes(of: UInt32(truncatingIfNeeded: packed(units)).littleEndian, toByteOffset: o, as: UInt32.self)
                        let flagged = special(units)
                        let plain = flagged == 0 ? 4 : flagged.trailingZeroBitCount / 16
                        o += plain
                        k += plain
                    }
                    guard k < count else { break }
                    var scalar = UInt32(b[2 * k]) | UInt32(b[2 * k + 1]) << 8
                    k += 1
                    if lineEnds && scalar <= 0x0D && (scalar == 0x0D || scalar == 0) {
                        let next = k < count ? UInt32(b[2 * k]) | UInt32(b[2 * k + 1]) << 8 : 0xFFFF
                        if scalar == 0x0D {
                            if next == 0x0A { k += 1 }
                            out[o] = 0x0A
                        } else {
                            while k < count, b[2 * k] == 0, b[2 * k + 1] == 0 { k += 1 }
                            out[o] = 0x20
                        }
                        o += 1
                        continue
                    }
                    if scalar >= 0xD800 && scalar < 0xE000 {
                        if scalar < 0xDC00, k < count {
                            let low = UInt32(b[2 * k]) | UInt32(b[2 * k + 1]) << 8
                            if low >= 0xDC00 && low < 0xE000 {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                                k += 1
                            } else {
                                scalar = 0xFFFD
                            }
                        } else {
                            scalar = 0xFFFD
                        }
                    }
                    switch scalar {
                    case ..<0x80:
                        out[o] = UInt8(scalar)
                        o += 1
                    case ..<0x800:
                        out[o] = UInt8(0xC0 | scalar >> 6)
                        out[o + 1] = UInt8(0x80 | scalar & 0x3F)
                        o += 2
                    case ..<0x10000:
                        out[o] = UInt8(0xE0 | scalar >> 12)
                        out[o + 1] = UInt8(0x80 | (scalar >> 6) & 0x3F)
                        out[o + 2] = UInt8(0x80 | scalar & 0x3F)
                        o += 3
                    default:
                        out[o] = UInt8(0xF0 | scalar >> 18)
                        out[o + 1] = UInt8(0x80 | (scalar >> 12) & 0x3F)
                        out[o + 2] = UInt8(0x80 | (scalar >> 6) & 0x3F)
                        out[o + 3] = UInt8(0x80 | scalar & 0x3F)
                        o += 4
                    }
                }
                return o
            }
        }
    }

    /// A body: as `string(_:)`, with line ends made LF (and NUL runs one space).
    func body(_ id: UInt16) throws(DocumentError) -> String? {
        if file == nil, let bytes = value(id, type: PropertyType.unicode) { return Self.utf16(bytes, normalisingLineEnds: true) }
        return try string(id).map { MailBody.normaliseLineEnds($0) }
    }

    /// 8-bit text in the object's code page, without its terminating zeros.
    func eightBit(_ bytes: [UInt8]) -> String {
        eightBit(bytes[...])
    }

    /// As `eightBit(_:)`, over a slice.
    func eightBit(_ bytes: ArraySlice<UInt8>) -> String {
        var bytes = bytes
        while bytes.last == 0 { bytes.removeLast() }
        return Self.decode(Array(bytes), codepage: codepage)
    }

    /// The first of the string properties `ids` that the object has.
    func string(first ids: UInt16...) throws(DocumentError) -> String? {
        for id in ids {
            if let found = try string(id) { return found }
        }
        return nil
    }

    /// A binary property's bytes.
    func binary(_ id: UInt16) throws(DocumentError) -> [UInt8]? {
        if let file, let entry = stream(id, type: PropertyType.binary) { return try file.read(entry) }
        return value(id, type: PropertyType.binary).map { Array($0) }
    }

    /// The values of a multi-valued string property (PtypMultipleString, else
    /// PtypMultipleString8 in the object's code page), in order; nil when there is none.
    func strings(_ id: UInt16) throws(DocumentError) -> [String]? {
        if let values = try multiple(id, type: PropertyType.unicode | PropertyType.multiple) { return values.map { Self.utf16($0) } }
        if let values = try multiple(id, type: PropertyType.string8 | PropertyType.multiple) { return values.map(eightBit) }
        return nil
    }

    /// The values of the multi-valued property `id` of `type` (0x1000 set), each as stored:
    /// a fixed-size type's values cut from one run of bytes, a variable-size type's values
    /// from their own streams (`.msg`) or from the count-and-offsets layout of [MS-PST]
    /// 2.3.3.4.2. Nil when the object has no such property.
    /// - Throws: `DocumentError` when a stream cannot be read or the layout is inconsistent.
    func multiple(_ id: UInt16, type: UInt16) throws(DocumentError) -> [[UInt8]]? {
        guard type & PropertyType.multiple != 0 else { return nil }
        let size = PSTFile.Value.fixedSize(type & ~PropertyType.multiple) ?? (type == 0x1048 ? 16 : nil)
        if let file {
            if let size {
                guard let entry = stream(id, type: type) else { return nil }
                return try Self.cut(try file.read(entry), size: size, what: "property 0x\(String(id, radix: 16))", file: file.file)
            }
            guard let entries = valueStreams[id]?.first(where: { $0.type == type })?.entries else { return nil }
            var out: [[UInt8]] = []
            for entry in entries { out.append(try file.read(entry)) }
            return out
        }
        guard let bytes = value(id, type: type).map({ Array($0) }) else { return nil }
        if let size { return try Self.cut(bytes, size: size, what: "property 0x\(String(id, radix: 16))", file: "the archive") }
        return try Self.counted(bytes, what: "property 0x\(String(id, radix: 16))")
    }

    /// Fixed-size values laid end to end.
    static func cut(_ bytes: [UInt8], size: Int, what: String, file: String) throws(DocumentError) -> [[UInt8]] {
        guard bytes.count % size == 0 else {
            throw DocumentError(.corrupt, file: file, message: "\(what) holds \(bytes.count) bytes, not a whole number of \(size)-byte values.")
        }
        return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<$0 + size]) }
    }

    /// Variable-size values as a PST stores them: a count, an offset per value from the
    /// start, then the values; each runs to the next one's offset or the end.
    static func counted(_ bytes: [UInt8], what: String) throws(DocumentError) -> [[UInt8]] {
        func corrupt(_ message: String) -> DocumentError {
            DocumentError(.corrupt, file: "the archive", message: "\(what): \(message)")
        }
        guard bytes.count >= 4 else { throw corrupt("the value is \(bytes.count) bytes, too short for its count.") }
        let count = Int(u32(bytes, 0))
        guard count <= (bytes.count - 4) / 4 else { throw corrupt("\(count) values do not fit in \(bytes.count) bytes.") }
        var offsets = (0..<count).map { Int(u32(bytes, 4 + 4 * $0)) }
        offsets.append(bytes.count)
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        for k in 0..<count {
            guard offsets[k] >= 4 + 4 * count, offsets[k] <= offsets[k + 1] else {
                throw corrupt("value \(k) starts at \(offsets[k]), outside the value or before the one after it.")
            }
            out.append(Array(bytes[offsets[k]..<offsets[k + 1]]))
        }
        return out
    }

    /// 8-bit text in a Windows code page (Windows-1252 when none is given or it is unknown).
    static func decode(_ bytes: [UInt8], codepage: Int?) -> String {
        let label = codepage.map(charset(ofCodepage:)) ?? "windows-1252"
        return Charset.decode(bytes, label: label) ?? Charset.windows1252(bytes)
    }

    /// The charset label of a Windows code page number.
    static func charset(ofCodepage page: Int) -> String {
        switch page {
        case 65001: "utf-8"
        case 20127: "us-ascii"
        case 1200: "utf-16le"
        case 1201: "utf-16be"
        case 28591...28606: "iso-8859-\(page - 28590)"
        case 932: "shift_jis"
        case 936: "gbk"
        case 949: "euc-kr"
        case 950: "big5"
        case 50220, 50221, 50222: "iso-2022-jp"
        case 51932: "euc-jp"
        case 54936: "gb18030"
        case 20866: "koi8-r"
        case 21866: "koi8-u"
        case 866: "ibm866"
        case 1250...1258, 874: "windows-\(page)"
        default: "cp\(page)"
        }
    }
}
