import QuireOOXML
import QuireXML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads `sharedStrings.xml`: each `si` becomes one string, rich-text runs joined and
/// phonetic runs (`rPh`) left out. Fed by a `ByteScanner`, or by libxml2 (as an
/// `XMLSink`) for parts the scanner hands over.
struct SharedStringsState {
    private(set) var strings = SharedStringBytes()
    private var current: [UInt8] = []
    private var inItem = false
    private var inText = false
    private var phoneticDepth = 0

    enum Tag: Int32, CaseIterable {
        case si, t, rPh
        static let localNames: [String: Int32] = Dictionary(
            uniqueKeysWithValues: allCases.map { (String(describing: $0), $0.rawValue) })
    }

    mutating func begin(_ raw: Int32) {
        switch Tag(rawValue: raw) {
        case .si:
            inItem = true
            current.removeAll(keepingCapacity: true)
        case .rPh:
            phoneticDepth += 1
        case .t:
            inText = inItem && phoneticDepth == 0
        case nil:
            break
        }
    }

    mutating func end(_ raw: Int32) {
        switch Tag(rawValue: raw) {
        case .si:
            strings.append(current)
            inItem = false
        case .rPh:
            phoneticDepth -= 1
        case .t:
            inText = false
        case nil:
            break
        }
    }

    var wantsText: Bool { inText }

    mutating func characters(_ text: UnsafeBufferPointer<UInt8>) {
        if inText { current.append(contentsOf: text) }
    }
}

/// What the byte scanner and libxml2 (for the parts the scanner hands over) call.
extension SharedStringsState: XMLSink {
    mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws {
        guard name.namespace == NS.spreadsheet else { return }
        begin(name.localID)
    }

    mutating func endElement(_ name: XMLName) throws {
        guard name.namespace == NS.spreadsheet else { return }
        end(name.localID)
    }

    mutating func characters(_ text: UnsafeRawBufferPointer) throws {
        characters(text.bindMemory(to: UInt8.self))
    }
}

/// Decodes `_xHHHH_` escapes (how OOXML stores characters XML cannot hold, such as
/// control characters); `_x005F_` escapes a literal underscore.
func decodeEscapes(_ bytes: [UInt8]) -> String {
    guard bytes.contains(UInt8(ascii: "_")) else { return String(decoding: bytes, as: UTF8.self) }
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = 0
    while i < bytes.count {
        if bytes[i] == UInt8(ascii: "_"), i + 6 < bytes.count, bytes[i + 1] == UInt8(ascii: "x"), bytes[i + 6] == UInt8(ascii: "_"),
            let value = UInt32(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16),
            let scalar = Unicode.Scalar(value)
        {
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
            i += 7
        } else {
            out.append(bytes[i])
            i += 1
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// The shared-string table as one contiguous UTF-8 buffer with offsets: a workbook with
/// hundreds of thousands of distinct strings costs their bytes, not an object each.
struct SharedStringBytes: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var offsets: [Int] = [0]
    var count: Int { offsets.count - 1 }

    init() {}

    /// Appends one string's raw text, decoding `_xHHHH_` escapes.
    mutating func append(_ raw: [UInt8]) {
        if raw.contains(UInt8(ascii: "_")) {
            bytes.append(contentsOf: decodeEscapes(raw).utf8)
        } else {
            bytes.append(contentsOf: raw)
        }
        offsets.append(bytes.count)
    }

    /// The bytes of string `index`.
    func slice(_ index: Int) -> ArraySlice<UInt8> { bytes[offsets[index]..<offsets[index + 1]] }

    /// Appends string `index`'s bytes to `out`, without an intermediate slice.
    @inline(__always) func append(_ index: Int, to out: inout [UInt8]) {
        let start = offsets[index]
        let end = offsets[index + 1]
        bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<end])) }
    }

    subscript(index: Int) -> String { String(decoding: slice(index), as: UTF8.self) }
}
