/// Content-Transfer-Encoding decoders, tolerant of what real mail contains.
enum TransferEncoding {
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { table[Int(c)] = UInt8(i) }
        table[Int(UInt8(ascii: "-"))] = 62  // URL-safe alphabet, seen in the wild
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// The alphabet's values pre-shifted for each of a group's four places; bit 31 marks a
    /// byte outside the alphabet, so one OR of four lookups decodes a group and checks it.
    private static let base64Places: [UInt32] = {
        var table = [UInt32](repeating: 0x8000_0000, count: 4 * 256)
        for (byte, value) in base64Values.enumerated() where value != 0xFF {
            for place in 0..<4 { table[place * 256 + byte] = UInt32(value) << UInt32(18 - 6 * place) }
        }
        return table
    }()

    /// Base64, skipping anything outside the alphabet (line breaks, junk) and stopping at
    /// padding; a trailing partial group gives the bytes it holds.
    static func base64(_ input: some Collection<UInt8>) -> [UInt8] {
        if let decoded = input.withContiguousStorageIfAvailable({ base64(buffer: $0) }) { return decoded }
        return Array(input).withUnsafeBufferPointer { base64(buffer: $0) }
    }

    private static func base64(buffer src: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        let n = src.count
        let capacity = n / 4 * 3 + 3
        let table = base64Values  // one lazy-global check, not one per byte
        let places = base64Places
        return [UInt8](unsafeUninitializedCapacity: capacity) { dst, initialized in
            var count = 0
            table.withUnsafeBufferPointer { table in
                places.withUnsafeBufferPointer { places in
                    var accumulator: UInt32 = 0
                    var bits = 0
                    var i = 0
                    while i < n {
                        // Fast path: groups of four alphabet characters at a group boundary.
                        if bits == 0 {
                            while i + 4 <= n {
                                let v =
                                    places[Int(src[i])] | places[256 + Int(src[i + 1])] | places[512 + Int(src[i + 2])]
                                    | places[768 + Int(src[i + 3])]
                                if v & 0x8000_0000 != 0 { break }
                                dst[count] = UInt8(truncatingIfNeeded: v >> 16)
                                dst[count + 1] = UInt8(truncatingIfNeeded: v >> 8)
                                dst[count + 2] = UInt8(truncatingIfNeeded: v)
                                count += 3
                                i += 4
                            }
                            if i >= n { break }
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
            initialized = count
        }
    }

    /// Quoted-printable: `=XX` escapes, `=` at a line end joins lines; a malformed `=` is
    /// kept as written. In headers (RFC 2047 Q), `_` is a space.
    static func quotedPrintable(_ input: [UInt8], header: Bool = false) -> [UInt8] {
        input.withUnsafeBufferPointer { quotedPrintable(buffer: $0, header: header) }
    }

    static func quotedPrintable(buffer input: UnsafeBufferPointer<UInt8>, header: Bool = false) -> [UInt8] {
        let n = input.count
        guard n > 0 else { return [] }
        @inline(__always) func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        // Never longer than the input: every escape and soft break shrinks it.
        return [UInt8](unsafeUninitializedCapacity: n) { out, initialized in
            let dst = out.baseAddress!
            var count = 0
            var i = 0
            while i < n {
                // Plain bytes up to the next "=" go across in one copy.
                let stop = ByteSearch.index(of: UInt8(ascii: "="), in: input, from: i, to: n)
                if stop > i {
                    if header {
                        for k in i..<stop { dst[count + k - i] = input[k] == UInt8(ascii: "_") ? 0x20 : input[k] }
                    } else {
                        (dst + count).update(from: input.baseAddress! + i, count: stop - i)
                    }
                    count += stop - i
                    i = stop
                    if i == n { break }
                }
                // input[i] is "=".
                if i + 2 < n, let high = hex(input[i + 1]), let low = hex(input[i + 2]) {
                    dst[count] = high << 4 | low
                    count += 1
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
                dst[count] = UInt8(ascii: "=")
                count += 1
                i += 1
            }
            initialized = count
        }
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
