#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Character data: references decoded, line ends normalised, handed to the sink while it
/// wants text.
extension ByteScanner {
    /// Character data from `start` to `stop`; returns where it stopped using bytes (before
    /// an entity reference cut by the end of the buffer).
    @inlinable mutating func text(_ base: UnsafePointer<UInt8>, _ start: Int, _ stop: Int, complete: Bool) throws -> Int {
        if open.isEmpty {
            for k in start..<stop where !Self.isSpace(base[k]) {
                throw error(at: k, in: base, sawRoot ? "content after the root element" : "content before the root element")
            }
            return stop
        }
        guard currentSink.wantsText else { return stop }
        var k = start
        var run = start
        while k < stop {
            let byte = base[k]
            if byte == Self.amp {
                if k > run { try appendNormalisingLineEnds(base + run, k - run) }
                guard let semicolon = ByteScannerBytes.find(UInt8(ascii: ";"), base, from: k + 1, to: min(stop, k + 12)) else {
                    if !complete && stop - k < 12 { return k }
                    throw error(at: k, in: base, "malformed entity reference")
                }
                try reference(base, k, semicolon)
                k = semicolon + 1
                run = k
            } else {
                k += 1
            }
        }
        // A CR cut off from a possible LF waits for the next bytes.
        let end = !complete && stop > run && base[stop - 1] == Self.cr ? stop - 1 : stop
        if end > run { try appendNormalisingLineEnds(base + run, end - run) }
        return end
    }

    /// One byte of text (a decoded reference, a line end).
    @inlinable mutating func character(_ byte: UInt8) throws {
        try withUnsafeBytes(of: byte) { try currentSink.characters($0) }
    }

    /// Hands over text with CR LF and lone CR as LF, as XML requires.
    @inlinable mutating func appendNormalisingLineEnds(_ start: UnsafePointer<UInt8>, _ count: Int) throws {
        let bytes = UnsafeBufferPointer(start: start, count: count)
        guard cMemchr(start, Int32(Self.cr), count) != nil else {
            try currentSink.characters(UnsafeRawBufferPointer(bytes))
            return
        }
        var k = 0
        while k < count {
            if bytes[k] == Self.cr {
                try character(0x0A)
                if k + 1 < count, bytes[k + 1] == 0x0A { k += 1 }
            } else {
                try character(bytes[k])
            }
            k += 1
        }
    }

    /// `&amp;`, `&#65;`, `&#x41;` …, from `start` (the `&`) to `semicolon`.
    @inlinable mutating func reference(_ base: UnsafePointer<UInt8>, _ start: Int, _ semicolon: Int) throws {
        let name = UnsafeBufferPointer(start: base + start + 1, count: semicolon - start - 1)
        guard let scalar = ScannedAttributes.referent(name) else { throw referenceError(name, at: start, in: base) }
        if scalar.isASCII {
            try character(UInt8(scalar.value))
            return
        }
        var units = (UInt8(0), UInt8(0), UInt8(0), UInt8(0))
        var count = 0
        withUnsafeMutableBytes(of: &units) { out in
            for unit in String(scalar).utf8 {
                out[count] = unit
                count += 1
            }
        }
        try withUnsafeBytes(of: units) { try currentSink.characters(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    /// Why the reference `&name;` at `start` stands for nothing.
    @inlinable func referenceError(_ name: UnsafeBufferPointer<UInt8>, at start: Int, in base: UnsafePointer<UInt8>?) -> XMLError {
        guard name.first == UInt8(ascii: "#") else {
            return error(at: start, in: base, "undefined entity &\(String(decoding: name, as: UTF8.self));")
        }
        let hex = name.count >= 2 && name[1] == UInt8(ascii: "x")
        let digits = name.dropFirst(hex ? 2 : 1)
        let wellFormed = !digits.isEmpty && digits.allSatisfy { (0x30...0x39).contains($0) || hex && (0x61...0x66).contains($0 | 0x20) }
        return error(at: start, in: base, wellFormed ? "character reference to an invalid character" : "malformed character reference")
    }
}
