#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Charset {
    /// Whether every byte is below 0x80 (eight at a time).
    static func isASCII(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            let n = raw.count
            var i = 0
            while i + 8 <= n {
                if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                i += 8
            }
            while i < n {
                if raw[i] >= 0x80 { return false }
                i += 1
            }
            return true
        }
    }

    /// Windows-1252's characters for 0x80…0x9F (0 where the code page defines none); the
    /// bytes above are Latin-1, the same as their code points.
    private static let windows1252High: [UInt16] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]

    /// Windows-1252 (what mail labelled Latin-1 or ASCII means in practice) without iconv:
    /// the bytes it leaves undefined become U+FFFD, as iconv's path marks them.
    static func windows1252(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 2)
        let high = windows1252High
        for byte in bytes {
            if byte < 0x80 {
                out.append(byte)
                continue
            }
            let scalar: UInt32 = byte >= 0xA0 ? UInt32(byte) : UInt32(high[Int(byte - 0x80)])
            if scalar == 0 {
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
            } else if scalar < 0x800 {
                out.append(UInt8(0xC0 | (scalar >> 6)))
                out.append(UInt8(0x80 | (scalar & 0x3F)))
            } else {
                out.append(UInt8(0xE0 | (scalar >> 12)))
                out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                out.append(UInt8(0x80 | (scalar & 0x3F)))
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Text in a named charset to Swift strings, through iconv (glibc knows every legacy
/// charset mail uses: ISO-2022-JP, Shift_JIS, EUC-KR, Big5, GBK, KOI8-R, windows-125x,
/// UTF-7 …).
enum Charset {
    /// Labels that mail uses but iconv spells differently, or that mean a superset in practice.
    static func iconvName(_ label: String) -> String {
        // Lower-cased and trimmed over ASCII bytes: labels are ASCII, and this runs per part.
        var bytes = Array(label.utf8)
        while let last = bytes.last, last == 0x20 || last == 0x09 || last == 0x22 || last == 0x27 { bytes.removeLast() }
        let lead = bytes.prefix { $0 == 0x20 || $0 == 0x09 || $0 == 0x22 || $0 == 0x27 }.count
        for i in bytes.indices where bytes[i] >= 0x41 && bytes[i] <= 0x5A { bytes[i] |= 0x20 }
        let name = String(decoding: bytes[lead...], as: UTF8.self)
        switch name {
        case "utf8", "utf-8", "unicode-1-1-utf-8": return "UTF-8"
        case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "646", "us": return "WINDOWS-1252"  // 8-bit bytes in "ascii" mail are nearly always 1252
        case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "iso_8859-1", "l1": return "WINDOWS-1252"  // as browsers and mail clients do
        case "ks_c_5601-1987", "ks_c_5601", "ksc5601", "euc-kr", "ks_c_5601-1989", "x-windows-949", "windows-949": return "CP949"
        case "gb2312", "gb_2312-80", "x-gbk", "gbk", "euc-cn", "cp936", "windows-936": return "GB18030"
        case "big5", "x-x-big5", "big-5", "cn-big5": return "BIG5-HKSCS"
        case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "csshiftjis", "windows-31j": return "CP932"
        case "x-mac-roman", "macintosh", "mac": return "MACINTOSH"
        case "unknown-8bit", "x-unknown", "unknown", "x-user-defined", "8bit", "default": return ""
        default: return name.uppercased()
        }
    }

    /// Charsets whose ASCII bytes do not stand for themselves.
    static func isSevenBitStateful(_ label: String) -> Bool {
        var label = label
        return label.withUTF8 { bytes in
            guard let first = bytes.first.map({ $0 | 0x20 }) else { return false }
            guard first == UInt8(ascii: "u") || first == UInt8(ascii: "i") || first == UInt8(ascii: "h") || first == UInt8(ascii: "x") else { return false }
            let lower = String(decoding: bytes, as: UTF8.self).lowercased()
            return lower.hasPrefix("utf-16") || lower.hasPrefix("utf-32") || lower.hasPrefix("utf-7") || lower.hasPrefix("utf16")
                || lower.hasPrefix("utf32") || lower.hasPrefix("utf7") || lower.hasPrefix("iso-2022") || lower.hasPrefix("hz")
                || lower.hasPrefix("x-imap") || lower == "ucs-2" || lower.hasPrefix("unicode")
        }
    }

    /// Decodes `bytes` as `label`; nil when iconv does not know the charset.
    /// Bytes invalid in the charset become U+FFFD, never lost silently.
    static func decode(_ bytes: [UInt8], label: String) -> String? {
        let ascii = isASCII(bytes)
        if ascii && !isSevenBitStateful(label) {
            return String(decoding: bytes, as: UTF8.self)  // ASCII reads the same in every other charset
        }
        let name = iconvName(label)
        if name == "UTF-8" { return String(decoding: bytes, as: UTF8.self) }
        if name == "WINDOWS-1252" { return windows1252(bytes) }
        if name.isEmpty { return nil }
        if ascii && !name.hasPrefix("UTF-16") && !name.hasPrefix("UTF-32") && !name.hasPrefix("UTF-7")
            && !name.hasPrefix("ISO-2022") && !name.hasPrefix("UTF7") && name != "HZ-GB-2312"
        {
            return String(decoding: bytes, as: UTF8.self)  // ASCII in an ASCII-compatible charset
        }
        return iconvDecode(bytes, name: name)
    }

    /// `bytes` in iconv's charset `name` as text; nil when iconv does not know it.
    static func iconvDecode(_ bytes: [UInt8], name: String) -> String? {
        let cd = iconv_open("UTF-8", name)
        if cd == iconv_t(bitPattern: -1) { return nil }
        defer { iconv_close(cd) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        var input = bytes
        var outChunk = [UInt8](repeating: 0, count: 4096)
        input.withUnsafeMutableBufferPointer { inBuffer in
            var inPtr: UnsafeMutablePointer<CChar>? = inBuffer.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
            var inLeft = inBuffer.count
            while true {
                let status: Int = outChunk.withUnsafeMutableBufferPointer { outBuffer in
                    var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress!).assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuffer.count
                    let result = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                    out.append(contentsOf: outBuffer[0..<(outBuffer.count - outLeft)])
                    return result == -1 ? Int(errno) : 0
                }
                if status == 0 {
                    if inLeft == 0 { break }
                    continue
                }
                if status == E2BIG { continue }
                // An invalid or cut-off sequence: mark it and go on after the byte.
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                guard inLeft > 0 else { break }
                inPtr = inPtr.map { $0 + 1 }
                inLeft -= 1
                if inLeft == 0 { break }
            }
        }
        // Flush any shift state (ISO-2022-JP).
        outChunk.withUnsafeMutableBufferPointer { outBuffer in
            var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var outLeft = outBuffer.count
            _ = iconv(cd, nil, nil, &outPtr, &outLeft)
            out.append(contentsOf: outBuffer[0..<(outBuffer.count - outLeft)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Raw header or body bytes as text: UTF-8 when valid, else `fallback` (the message's
    /// charset), else Windows-1252 (Latin-1's superset) — never dropped.
    static func text(_ bytes: [UInt8], fallback: String? = nil) -> String {
        if isASCII(bytes) { return String(decoding: bytes, as: UTF8.self) }  // ASCII: valid UTF-8
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        if let fallback, let text = decode(bytes, label: fallback) { return text }
        return decode(bytes, label: "windows-1252") ?? String(decoding: bytes, as: UTF8.self)
    }
}
