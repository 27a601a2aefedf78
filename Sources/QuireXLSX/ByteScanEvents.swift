import QuireModel
import QuireOOXML
import QuireXML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The part needs a general XML parser; the scanner has reported nothing yet.
struct ScannerNeedsGeneralParser: Error {}

/// What a `ByteScanner` reports to: the elements it cares about, by tag number.
protocol ByteScanClient {
    /// The tag number of a local name in the SpreadsheetML namespace, or -1 for none.
    static func tag(_ local: UnsafePointer<UInt8>, _ count: Int) -> Int32
    mutating func begin(_ tag: Int32, _ attributes: ScannedAttributes) throws
    mutating func end(_ tag: Int32) throws
    /// Whether character data is wanted now.
    var isCapturing: Bool { get }
    mutating func characters(_ text: UnsafeBufferPointer<UInt8>)
    mutating func character(_ byte: UInt8)
}

/// The attributes of the start tag being reported; valid only during `begin`.
struct ScannedAttributes {
    let base: UnsafePointer<UInt8>
    let items: UnsafeBufferPointer<(name: Range<Int>, value: Range<Int>)>

    /// The value of a prefixed attribute whose local name is `local` (any prefix).
    func decoded(prefixedLocal local: StaticString) -> [UInt8]? {
        for item in items where item.name.count > local.utf8CodeUnitCount + 1 {
            let start = item.name.upperBound - local.utf8CodeUnitCount
            if base[start - 1] == UInt8(ascii: ":"), memcmp(base + start, local.utf8Start, local.utf8CodeUnitCount) == 0 {
                return ScannedAttributes.decode(base, item.value)
            }
        }
        return nil
    }

    /// An attribute value with references decoded and white space normalised, as XML says.
    static func decode(_ base: UnsafePointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var k = range.lowerBound
        while k < range.upperBound {
            let byte = base[k]
            if byte == UInt8(ascii: "&"), let hit = memchr(base + k + 1, Int32(UInt8(ascii: ";")), range.upperBound - k - 1) {
                let semicolon = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                let name = UnsafeBufferPointer(start: base + k + 1, count: semicolon - k - 1)
                if let predefined = predefinedEntity(name) {
                    out.append(predefined)
                } else if name.count >= 2, name[0] == UInt8(ascii: "#") {
                    let hex = name[1] == UInt8(ascii: "x")
                    let text = String(decoding: name[(hex ? 2 : 1)...], as: UTF8.self)
                    if let value = UInt32(text, radix: hex ? 16 : 10), isXMLCharacter(value), let scalar = Unicode.Scalar(value) {
                        out.append(contentsOf: String(scalar).utf8)
                    }
                }
                k = semicolon + 1
                continue
            }
            out.append(byte == 0x09 || byte == 0x0A || byte == 0x0D ? 0x20 : byte)
            k += 1
        }
        return out
    }
}

func isXMLCharacter(_ v: UInt32) -> Bool {
    v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
}

/// `lt`, `gt`, `amp`, `quot`, `apos` as the byte they stand for.
func predefinedEntity(_ name: UnsafeBufferPointer<UInt8>) -> UInt8? {
    switch name.count {
    case 2:
        if name[1] != UInt8(ascii: "t") { return nil }
        if name[0] == UInt8(ascii: "l") { return UInt8(ascii: "<") }
        if name[0] == UInt8(ascii: "g") { return UInt8(ascii: ">") }
    case 3:
        if name[0] == UInt8(ascii: "a"), name[1] == UInt8(ascii: "m"), name[2] == UInt8(ascii: "p") { return UInt8(ascii: "&") }
    case 4:
        if memcmp(name.baseAddress!, "quot", 4) == 0 { return UInt8(ascii: "\"") }
        if memcmp(name.baseAddress!, "apos", 4) == 0 { return UInt8(ascii: "'") }
    default:
        break
    }
    return nil
}

/// An open element: its qualified name as a key (the bytes themselves up to eight, else a
/// hash beside the first bytes) to check its end tag, and its sheet tag (-1: none).
struct OpenElement {
    let key: UInt64
    let hash: UInt64
    let length: Int
    let tag: Int32

    init(_ name: UnsafePointer<UInt8>, _ length: Int, tag: Int32) {
        (key, hash) = OpenElement.key(name, length)
        self.length = length
        self.tag = tag
    }

    @inline(__always) static func key(_ name: UnsafePointer<UInt8>, _ length: Int) -> (UInt64, UInt64) {
        var key: UInt64 = 0
        for k in 0..<min(length, 8) { key |= UInt64(name[k]) << (8 * UInt64(k)) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        if length > 8 {
            for k in 8..<length { hash = (hash ^ UInt64(name[k])) &* 0x100_0000_01b3 }
        }
        return (key, hash)
    }

    @inline(__always) func matches(_ name: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        guard length == self.length else { return false }
        let (key, hash) = OpenElement.key(name, length)
        return key == self.key && hash == self.hash
    }

    /// The name, or its first eight bytes and an ellipsis.
    var name: String {
        var bytes: [UInt8] = []
        for k in 0..<min(length, 8) { bytes.append(UInt8(truncatingIfNeeded: key >> (8 * UInt64(k)))) }
        return String(decoding: bytes, as: UTF8.self) + (length > 8 ? "…" : "")
    }
}

extension ScannedAttributes: SheetAttributes {
    func raw<T>(_ name: StaticString, _ body: (UnsafeBufferPointer<UInt8>?) -> T) -> T {
        for item in items where item.name.count == name.utf8CodeUnitCount {
            guard memcmp(base + item.name.lowerBound, name.utf8Start, item.name.count) == 0 else { continue }
            if memchr(base + item.value.lowerBound, Int32(UInt8(ascii: "&")), item.value.count) != nil {
                return ScannedAttributes.decode(base, item.value).withUnsafeBufferPointer { body($0) }
            }
            return body(UnsafeBufferPointer(start: base + item.value.lowerBound, count: item.value.count))
        }
        return body(nil)
    }

    func string(_ name: String) -> String? {
        var name = name
        return name.withUTF8 { wanted -> String? in
            for item in items where item.name.count == wanted.count {
                if memcmp(base + item.name.lowerBound, wanted.baseAddress!, wanted.count) == 0 {
                    return String(decoding: ScannedAttributes.decode(base, item.value), as: UTF8.self)
                }
            }
            return nil
        }
    }

    /// Any prefixed `id`: in a hyperlink only the relationship id is one.
    func relationshipID() -> String? {
        decoded(prefixedLocal: "id").map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Byte search helpers of the scanner.
extension ByteScanner {
    @inline(__always) static func find(_ byte: UInt8, _ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        guard to > from, let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    static func find(sequence: StaticString, _ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        let first = sequence.utf8Start[0]
        var k = from
        while let hit = find(first, base, from: k, to: to) {
            if matches(sequence, base, hit, to) { return hit }
            if to - hit < sequence.utf8CodeUnitCount { return nil }
            k = hit + 1
        }
        return nil
    }

    @inline(__always) static func matches(_ sequence: StaticString, _ base: UnsafePointer<UInt8>, _ at: Int, _ n: Int) -> Bool {
        let count = sequence.utf8CodeUnitCount
        return n - at >= count && memcmp(base + at, sequence.utf8Start, count) == 0
    }

    static func hasPrefix(_ base: UnsafePointer<UInt8>, _ range: Range<Int>, _ prefix: StaticString) -> Bool {
        range.count >= prefix.utf8CodeUnitCount && memcmp(base + range.lowerBound, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        bytes.count == text.utf8CodeUnitCount && memcmp(bytes.baseAddress!, text.utf8Start, bytes.count) == 0
    }
}
