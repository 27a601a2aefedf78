/// Content-Transfer-Encoding decoders, tolerant of what real mail contains.
enum TransferEncoding {
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { table[Int(c)] = UInt8(i) }
        table[Int(UInt8(ascii: "-"))] = 62  // URL-safe alphabet, seen in the wild
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Base64, skipping anything outside the alphabet (line breaks, junk) and stopping at
    /// padding; a trailing partial group gives the bytes it holds.
    static func base64(_ input: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(input)
        var out = [UInt8](repeating: 0, count: bytes.count / 4 * 3 + 3)
        var count = 0
        let table = base64Values  // one lazy-global check, not one per byte
        table.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    var accumulator: UInt32 = 0
                    var bits = 0
                    var i = 0
                    let n = src.count
                    while i < n {
                        // Fast path: four alphabet characters at a group boundary.
                        if bits == 0 && i + 4 <= n {
                            let a = table[Int(src[i])]
                            let b = table[Int(src[i + 1])]
                            let c = table[Int(src[i + 2])]
                            let d = table[Int(src[i + 3])]
                            if (a | b | c | d) & 0xC0 == 0 {
                                let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                                dst[count] = UInt8(v >> 16)
                                dst[count + 1] = UInt8((v >> 8) & 0xFF)
                                dst[count + 2] = UInt8(v & 0xFF)
                                count += 3
                                i += 4
                                continue
                            }
                        }
                        let byte = src[i]
                        i += 1
                        if byte == UInt8(ascii: "=") {
                            // Padding ends a group; more data may follow in concatenated base64.
                            accumulator = 0
                            bits = 0
                            continue
                        }
                        let value = table[Int(byte)]
                        if value == 0xFF { continue }  // line breaks, junk
                        accumulator = (accumulator << 6) | UInt32(value)
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            dst[count] = UInt8((accumulator >> UInt32(bits)) & 0xFF)
                            count += 1
                        }
                        if bits == 0 { accumulator = 0 }
                    }
                }
            }
        }
        out.removeSubrange(count...)
        return out
    }

    /// Quoted-printable: `=XX` escapes, `=` at a line end joins lines; a malformed `=` is
    /// kept as written. In headers (RFC 2047 Q), `_` is a space.
    static func quotedPrintable(_ input: [UInt8], header: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        let n = input.count
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        while i < n {
            let byte = input[i]
            if byte == UInt8(ascii: "=") {
                if i + 2 < n, let high = hex(input[i + 1]), let low = hex(input[i + 2]) {
                    out.append(high << 4 | low)
                    i += 3
                    continue
                }
                // Soft line break: "=" then optional blanks then the line end.
                var j = i + 1
                while j < n && (input[j] == 0x20 || input[j] == 0x09) { j += 1 }
                if j < n && input[j] == 0x0D { j += 1 }
                if j < n && input[j] == 0x0A {
                    i = j + 1
                    continue
                }
                if j == n {
                    i = n
                    continue
                }
                out.append(byte)
                i += 1
                continue
            }
            if header && byte == UInt8(ascii: "_") {
                out.append(0x20)
            } else {
                out.append(byte)
            }
            i += 1
        }
        return out
    }

    /// uuencoded data between `begin` and `end` lines (or the whole input when there are none).
    static func uudecode(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var inData = !containsBegin(input)
        for line in input.split(separator: 0x0A, omittingEmptySubsequences: false) {
            var line = line
            if line.last == 0x0D { line = line.dropLast() }
            if !inData {
                if line.starts(with: Array("begin ".utf8)) { inData = true }
                continue
            }
            if line.starts(with: Array("end".utf8)) { break }
            guard let first = line.first else { continue }
            let count = Int((first &- 0x20) & 0x3F)
            if count == 0 { continue }
            var group: [UInt8] = []
            var produced = 0
            for c in line.dropFirst() {
                group.append((c &- 0x20) & 0x3F)
                if group.count == 4 {
                    let bytes = [group[0] << 2 | group[1] >> 4, group[1] << 4 | group[2] >> 2, group[2] << 6 | group[3]]
                    for b in bytes where produced < count {
                        out.append(b)
                        produced += 1
                    }
                    group.removeAll()
                }
            }
        }
        return out
    }

    private static func containsBegin(_ input: [UInt8]) -> Bool {
        input.starts(with: Array("begin ".utf8)) || ByteSearch.contains(input, "\nbegin ")
    }
}
