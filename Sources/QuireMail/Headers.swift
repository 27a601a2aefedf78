#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The header block of a message or MIME part, split from its body.
struct HeaderBlock {
    /// Fields in order: name and raw (unfolded, undecoded) value bytes.
    var fields: [(name: String, value: [UInt8])] = []
    /// The field names lower-cased, for lookups.
    private var keys: [String] = []
    /// Where the body starts in the entity's bytes.
    var bodyStart: Int
    /// The header had no blank line before the body (the first non-header line began it).
    var missingSeparator = false
    /// A header line ran past the header limit: it was cut there and ended the header.
    var cutLine = false

    /// The first field called `name` (lower-case).
    func raw(_ name: String) -> [UInt8]? {
        keys.firstIndex(of: name).map { fields[$0].value }
    }

    /// Where the first field called `name` (lower-case) is in `fields`.
    func index(of name: String) -> Int? {
        keys.firstIndex(of: name)
    }

    /// A field name lower-cased over its bytes (names are printable ASCII).
    static func lowercasedASCII(_ name: String) -> String {
        var name = name
        return name.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { out in
                for (i, byte) in bytes.enumerated() { out[i] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
                return bytes.count
            }
        }
    }

    func all(_ name: String) -> [[UInt8]] {
        keys.indices.filter { keys[$0] == name }.map { fields[$0].value }
    }

    /// Reads the header fields at the start of `bytes[range]`, up to the first empty line.
    ///
    /// Continuation lines (starting with space or tab) are unfolded; the line ending of a
    /// fold is removed, its white space kept. A line that is neither a field nor a
    /// continuation ends the header without a blank line (it belongs to the body), except a
    /// leading mbox `From ` line, which is skipped. At most `maxBytes` of header are read.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maxBytes: Int = 1 << 20) -> HeaderBlock {
        var block = HeaderBlock(bodyStart: bytes.count)
        var i = 0
        let n = bytes.count
        // A byte order mark before the first field.
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var currentName: String?
        var currentValue: [UInt8] = []
        func flush() {
            if let name = currentName { block.add(name, currentValue) }
            currentName = nil
            currentValue = []
        }
        var first = true
        while i < n {
            // The line [i, end) without its line ending; next is where the next line starts.
            let end = ByteSearch.index(of: 0x0A, in: bytes, from: i, to: n)
            let next = end < n ? end + 1 : n
            var lineEnd = end
            if lineEnd > i && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            // A line running past the header limit is cut there and ends the header; the
            // rest of that line is dropped (a header line of megabytes is an attack or a
            // broken exporter, and would otherwise be held, decoded and written whole).
            let overLong = i < maxBytes && lineEnd > maxBytes
            if overLong { lineEnd = maxBytes }
            if lineEnd == i {
                // The blank line: the body follows.
                flush()
                block.bodyStart = next
                return block
            }
            if i >= maxBytes {
                flush()
                block.bodyStart = i
                block.missingSeparator = true
                return block
            }
            let firstByte = bytes[i]
            if (firstByte == 0x20 || firstByte == 0x09) && currentName != nil {
                currentValue.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<lineEnd]))
                i = next
                if overLong {
                    block.cutLine = true
                    break
                }
                continue
            }
            if first && isFromLine(bytes, from: i, to: lineEnd) {
                first = false
                i = next
                continue
            }
            first = false
            guard let (nameEnd, valueStart) = fieldBounds(bytes, from: i, to: lineEnd) else {
                // Not a header line: the body starts here, without a blank line.
                flush()
                block.bodyStart = i
                block.missingSeparator = true
                return block
            }
            flush()
            currentName = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<nameEnd]), as: UTF8.self)
            currentValue = Array(UnsafeBufferPointer(rebasing: bytes[valueStart..<lineEnd]))
            i = next
            if overLong {
                block.cutLine = true
                break
            }
        }
        flush()
        block.bodyStart = block.cutLine ? i : n
        return block
    }

    /// Appends a field read whole.
    mutating func add(_ name: String, _ value: [UInt8]) {
        fields.append((name, value))
        keys.append(HeaderBlock.lowercasedASCII(name))
    }

    /// Whether the line `bytes[i..<lineEnd]` is an mbox `From ` separator line.
    static func isFromLine(_ bytes: UnsafeBufferPointer<UInt8>, from i: Int, to lineEnd: Int) -> Bool {
        lineEnd - i >= 5 && bytes[i] == UInt8(ascii: "F") && bytes[i + 1] == UInt8(ascii: "r") && bytes[i + 2] == UInt8(ascii: "o")
            && bytes[i + 3] == UInt8(ascii: "m") && bytes[i + 4] == 0x20
    }

    /// Where the name ends and the value starts on a field line `name ":" value` in
    /// `bytes[i..<lineEnd]` — the name printable ASCII without spaces, blanks tolerated
    /// before the colon and skipped after it; nil when the line is not a field.
    static func fieldBounds(_ bytes: UnsafeBufferPointer<UInt8>, from i: Int, to lineEnd: Int) -> (nameEnd: Int, valueStart: Int)? {
        var colon = i
        while colon < lineEnd && bytes[colon] != UInt8(ascii: ":") && bytes[colon] > 0x20 && bytes[colon] < 0x7F { colon += 1 }
        let nameEnd = colon
        while colon < lineEnd && (bytes[colon] == 0x20 || bytes[colon] == 0x09) { colon += 1 }
        guard colon < lineEnd, bytes[colon] == UInt8(ascii: ":"), nameEnd > i else { return nil }
        var valueStart = colon + 1
        while valueStart < lineEnd && (bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09) { valueStart += 1 }
        return (nameEnd, valueStart)
    }
}

/// RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?iso-8859-1?Q?…?=`) in unstructured text.
enum EncodedWords {
    /// Decodes a header value: raw bytes as text (UTF-8, else `fallback`, else Latin-1),
    /// encoded words decoded, white space between adjacent encoded words dropped. Malformed
    /// words are left as written.
    static func decode(_ raw: [UInt8], fallback: String? = nil) -> String {
        guard ByteSearch.contains(raw, "=?") else { return Charset.text(raw, fallback: fallback) }
        guard raw.contains(where: { $0 >= 0x80 }) else { return decode(String(decoding: raw, as: UTF8.self)) }
        // Raw 8-bit bytes beside encoded words: each word is decoded from its own bytes by
        // its own charset, the text between them by the header's (UTF-8, else the
        // fallback) — never text decoded once and then taken apart again as UTF-8.
        return raw.withUnsafeBufferPointer { buffer in
            words(buffer) { segment, out in out.append(contentsOf: Charset.text(Array(segment), fallback: fallback).utf8) }
        }
    }

    static func decode(_ text: String) -> String {
        guard ByteSearch.contains(text, "=?") else { return text }
        var text = text
        return text.withUTF8 { buffer in words(buffer) { segment, out in out.append(contentsOf: segment) } }
    }

    /// Decodes the encoded words of `buffer`; the bytes between them go through `segment`.
    static func words(_ buffer: UnsafeBufferPointer<UInt8>, segment: (Slice<UnsafeBufferPointer<UInt8>>, inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(buffer.count)
        var i = 0
        if var start = ByteSearch.find("=?", in: buffer, from: 0) {
            var afterWord: Int?
            while true {
                if let (decoded, end) = word(buffer, at: start) {
                    let between = buffer[i..<start]
                    let onlySpace = between.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
                    // White space between two encoded words is not part of the text.
                    if !(afterWord == i && onlySpace) { segment(between, &out) }
                    out.append(contentsOf: decoded.utf8)
                    i = end
                    afterWord = end
                } else {
                    segment(buffer[i..<(start + 2)], &out)
                    i = start + 2
                    afterWord = nil
                }
                guard let next = ByteSearch.find("=?", in: buffer, from: i) else { break }
                start = next
            }
        }
        segment(buffer[i...], &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The encoded word `=?charset?encoding?text?=` at `start`: its text and where it ends.
    static func word(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (String, Int)? {
        let n = bytes.count
        var q1 = start + 2
        while q1 < n && bytes[q1] != UInt8(ascii: "?") && bytes[q1] > 0x20 { q1 += 1 }
        guard q1 < n, bytes[q1] == UInt8(ascii: "?"), q1 > start + 2, q1 + 2 < n, bytes[q1 + 2] == UInt8(ascii: "?") else { return nil }
        let encoding = bytes[q1 + 1] | 0x20
        let payloadStart = q1 + 3
        guard let close = ByteSearch.find("?=", in: bytes, from: payloadStart), close - payloadStart < 2000 else { return nil }
        let payload = bytes[payloadStart..<close]
        if encoding == UInt8(ascii: "b") && payload.contains(0x20) { return nil }
        // RFC 2231 adds a language: charset*lang.
        var charsetEnd = start + 2
        while charsetEnd < q1 && bytes[charsetEnd] != UInt8(ascii: "*") { charsetEnd += 1 }
        let charset = String(decoding: bytes[(start + 2)..<charsetEnd], as: UTF8.self)
        let decodedBytes: [UInt8]
        switch encoding {
        case UInt8(ascii: "b"): decodedBytes = TransferEncoding.base64(payload)
        case UInt8(ascii: "q"): decodedBytes = TransferEncoding.quotedPrintable(Array(payload), header: true)
        default: return nil
        }
        let decoded = Charset.decode(decodedBytes, label: charset) ?? Charset.text(decodedBytes)
        return (decoded, close + 2)
    }
}

/// Byte searches: the generic string search of the standard library costs far more than
/// the bytes it looks at.
enum ByteSearch {
    /// The index of the first `byte` in `buffer[from..<to]`, or `to` when there is none.
    @inline(__always) static func index(of byte: UInt8, in buffer: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int {
        guard from < to, let base = buffer.baseAddress, let hit = memchr(base + from, Int32(byte), to - from) else { return to }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    static func find(_ needle: StaticString, in haystack: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        find(UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount), in: haystack, from: from)
    }

    static func find(_ needle: UnsafeBufferPointer<UInt8>, in haystack: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let base = haystack.baseAddress, let first = needle.first, needle.count <= haystack.count else { return nil }
        var k = from
        let last = haystack.count - needle.count
        while k <= last {
            guard let hit = memchr(base + k, Int32(first), last - k + 1) else { return nil }
            let at = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            if memcmp(base + at, needle.baseAddress!, needle.count) == 0 { return at }
            k = at + 1
        }
        return nil
    }

    /// Whether `text` holds the ASCII `needle`.
    static func contains(_ text: String, _ needle: StaticString) -> Bool {
        var text = text
        return text.withUTF8 { find(needle, in: $0, from: 0) != nil }
    }

    static func contains(_ bytes: [UInt8], _ needle: StaticString) -> Bool {
        bytes.withUnsafeBufferPointer { find(needle, in: $0, from: 0) != nil }
    }
}
