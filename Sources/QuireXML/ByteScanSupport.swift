// Public: the scanner's inlinable code calls memchr and memcmp.
#if canImport(Glibc)
    public import Glibc
#elseif canImport(Darwin)
    public import Darwin
#endif

/// libc's `memchr` and `memcmp` for the scanner's inlinable code: this file imports libc
/// publicly (inlinable code may only call what a public import brings), the others need not.
@inlinable @inline(__always) func cMemchr(_ p: UnsafeRawPointer, _ byte: Int32, _ count: Int) -> UnsafeMutableRawPointer? {
    memchr(p, byte, count)
}

@inlinable @inline(__always) func cMemcmp(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Int32 {
    memcmp(a, b, count)
}

/// The part needs a general XML parser; the scanner has reported nothing yet.
public struct ScannerNeedsGeneralParser: Error {
    /// The error, which says no more than its type.
    @inlinable public init() {}
}

/// One attribute of a scanned start tag: its qualified name and its value (between the
/// quotes, references not decoded) as offsets into the bytes being scanned.
@usableFromInline struct ScannedAttribute {
    @usableFromInline var name: Range<Int>
    @usableFromInline var value: Range<Int>

    @inlinable init(name: Range<Int>, value: Range<Int>) {
        self.name = name
        self.value = value
    }
}

/// The scanner's working memory: the attributes of the tag being read (raw memory, so that
/// handing them to the sink needs no closure over the scanner) and the namespace prefixes
/// in scope. Copied before a change when a copy of the scanner shares it (the segmented
/// scan copies a scanner for each segment).
@usableFromInline final class ScanScratch {
    // Read for every tag: no run-time exclusivity checks (the scanner that owns this is
    // used by one thread at a time, and copies are made before a shared one changes).
    @exclusivity(unchecked) @usableFromInline private(set) var attributes: UnsafeMutablePointer<ScannedAttribute>
    @exclusivity(unchecked) @usableFromInline private(set) var capacity: Int
    /// Declared prefixes, innermost last.
    @exclusivity(unchecked) @usableFromInline var bindings: [ScanBinding] = []

    @usableFromInline init(capacity: Int = 16) {
        self.capacity = capacity
        attributes = .allocate(capacity: capacity)
        attributes.initialize(repeating: ScannedAttribute(name: 0..<0, value: 0..<0), count: capacity)
    }

    deinit {
        attributes.deallocate()
    }

    @usableFromInline func copy() -> ScanScratch {
        let copy = ScanScratch(capacity: capacity)
        copy.attributes.update(from: attributes, count: capacity)
        copy.bindings = bindings
        return copy
    }

    /// Doubles the room for attributes.
    @usableFromInline func grow() {
        let bigger = UnsafeMutablePointer<ScannedAttribute>.allocate(capacity: capacity * 2)
        bigger.initialize(repeating: ScannedAttribute(name: 0..<0, value: 0..<0), count: capacity * 2)
        bigger.update(from: attributes, count: capacity)
        attributes.deallocate()
        attributes = bigger
        capacity *= 2
    }
}

/// A namespace prefix declared by an open element (empty: the default namespace).
@usableFromInline struct ScanBinding {
    @usableFromInline var prefix: [UInt8]
    @usableFromInline var namespace: Int32
    @usableFromInline var depth: Int

    @inlinable init(prefix: [UInt8], namespace: Int32, depth: Int) {
        self.prefix = prefix
        self.namespace = namespace
        self.depth = depth
    }

    /// The namespace a prefix is bound to by the innermost declaration. `xml` is bound by
    /// the XML spec to a namespace no table lists (unknown); a prefix nobody declared gives no
    /// namespace, as libxml2 gives it (after a namespace error it does not stop for).
    @inlinable static func namespace(of prefix: UnsafeBufferPointer<UInt8>, in bindings: [ScanBinding]) -> Int32 {
        for binding in bindings.reversed() where binding.prefix.count == prefix.count && binding.prefix.elementsEqual(prefix) {
            return binding.namespace
        }
        return prefix.elementsEqual("xml".utf8) ? XMLName.unknownNamespace : XMLName.noNamespace
    }
}

/// Reading scanned attributes.
@usableFromInline enum ScannedAttributes {
    /// The local part of the attribute name at `name` when it is `wanted` (with or without
    /// a prefix), else nil.
    @inlinable @inline(__always) static func local(_ base: UnsafePointer<UInt8>, _ name: Range<Int>, matching wanted: UnsafeBufferPointer<UInt8>) -> Range<Int>?
    {
        let count = wanted.count
        if name.count == count {
            return equal(base + name.lowerBound, wanted.baseAddress!, count) ? name : nil
        }
        guard name.count > count + 1, base[name.upperBound - count - 1] == UInt8(ascii: ":"),
            equal(base + name.upperBound - count, wanted.baseAddress!, count)
        else { return nil }
        return (name.upperBound - count)..<name.upperBound
    }

    /// Byte equality; attribute names are short, so a loop beats a call to `memcmp`.
    @inlinable @inline(__always) static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        guard count <= 16 else { return cMemcmp(a, b, count) == 0 }
        var k = 0
        while k < count {
            if a[k] != b[k] { return false }
            k += 1
        }
        return true
    }

    /// The namespace of a (possibly prefixed) attribute name whose local part is `local`:
    /// none without a prefix (the default namespace does not apply to attributes).
    @inlinable static func namespace(_ base: UnsafePointer<UInt8>, _ name: Range<Int>, local: Range<Int>, _ bindings: [ScanBinding]) -> Int32 {
        guard local.lowerBound > name.lowerBound else { return XMLName.noNamespace }
        let prefix = UnsafeBufferPointer(start: base + name.lowerBound, count: local.lowerBound - 1 - name.lowerBound)
        return ScanBinding.namespace(of: prefix, in: bindings)
    }

    /// `xmlns` or `xmlns:…`.
    @inlinable @inline(__always) static func isNamespaceDeclaration(_ base: UnsafePointer<UInt8>, _ name: Range<Int>) -> Bool {
        name.count >= 5 && base[name.lowerBound] == UInt8(ascii: "x") && cMemcmp(base + name.lowerBound, "xmlns", 5) == 0
            && (name.count == 5 || base[name.lowerBound + 5] == UInt8(ascii: ":"))
    }

    /// An attribute value with references decoded and white space normalised, as XML says.
    /// The scanner has checked the references (`checkReferences`).
    @inlinable static func decode(_ base: UnsafePointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var k = range.lowerBound
        while k < range.upperBound {
            let byte = base[k]
            if byte == UInt8(ascii: "&"), let semicolon = ByteScannerBytes.find(UInt8(ascii: ";"), base, from: k + 1, to: range.upperBound) {
                if let scalar = referent(UnsafeBufferPointer(start: base + k + 1, count: semicolon - k - 1)) {
                    out.append(contentsOf: String(scalar).utf8)
                }
                k = semicolon + 1
                continue
            }
            out.append(byte == 0x09 || byte == 0x0A || byte == 0x0D ? 0x20 : byte)
            k += 1
        }
        return out
    }

    /// What a reference's name (between `&` and `;`) stands for: a predefined entity's
    /// character, or the character a character reference names; nil for an undefined entity,
    /// a malformed reference or a character XML does not allow — all errors, as in libxml2.
    @inlinable static func referent(_ name: UnsafeBufferPointer<UInt8>) -> Unicode.Scalar? {
        if let byte = predefinedEntity(name) { return Unicode.Scalar(byte) }
        guard name.count >= 2, name[0] == UInt8(ascii: "#") else { return nil }
        let hex = name[1] == UInt8(ascii: "x")
        let digits = UnsafeBufferPointer(rebasing: name[(hex ? 2 : 1)...])
        guard !digits.isEmpty else { return nil }
        var value: UInt32 = 0
        for d in digits {
            let v: UInt32
            switch d {
            case 0x30...0x39: v = UInt32(d - 0x30)
            case 0x61...0x66 where hex: v = UInt32(d - 0x61 + 10)
            case 0x41...0x46 where hex: v = UInt32(d - 0x41 + 10)
            default: return nil
            }
            value = value * (hex ? 16 : 10) + v
            if value > 0x10FFFF { return nil }
        }
        guard isXMLCharacter(value) else { return nil }
        return Unicode.Scalar(value)
    }
}

@inlinable func isXMLCharacter(_ v: UInt32) -> Bool {
    v == 0x9 || v == 0xA || v == 0xD || (0x20...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) || (0x10000...0x10FFFF).contains(v)
}

/// `lt`, `gt`, `amp`, `quot`, `apos` as the byte they stand for.
@inlinable func predefinedEntity(_ name: UnsafeBufferPointer<UInt8>) -> UInt8? {
    switch name.count {
    case 2:
        if name[1] != UInt8(ascii: "t") { return nil }
        if name[0] == UInt8(ascii: "l") { return UInt8(ascii: "<") }
        if name[0] == UInt8(ascii: "g") { return UInt8(ascii: ">") }
    case 3:
        if name[0] == UInt8(ascii: "a"), name[1] == UInt8(ascii: "m"), name[2] == UInt8(ascii: "p") { return UInt8(ascii: "&") }
    case 4:
        if cMemcmp(name.baseAddress!, "quot", 4) == 0 { return UInt8(ascii: "\"") }
        if cMemcmp(name.baseAddress!, "apos", 4) == 0 { return UInt8(ascii: "'") }
    default:
        break
    }
    return nil
}

/// An open element: its qualified name as a key (the bytes themselves up to eight, else a
/// hash beside the first bytes) to check its end tag, and its resolved name.
@usableFromInline struct OpenElement {
    @usableFromInline let key: UInt64
    @usableFromInline let hash: UInt64
    @usableFromInline let length: Int
    @usableFromInline let namespace: Int32
    @usableFromInline let localID: Int32
    /// Where the local name starts in the qualified name (after the prefix's colon).
    @usableFromInline let localOffset: Int

    @inlinable init(key: UInt64, hash: UInt64, length: Int, namespace: Int32, localID: Int32, localOffset: Int) {
        self.key = key
        self.hash = hash
        self.length = length
        self.namespace = namespace
        self.localID = localID
        self.localOffset = localOffset
    }

    @inlinable @inline(__always) static func key(_ name: UnsafePointer<UInt8>, _ length: Int) -> (UInt64, UInt64) {
        var key: UInt64 = 0
        for k in 0..<min(length, 8) { key |= UInt64(name[k]) << (8 * UInt64(k)) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        if length > 8 {
            for k in 8..<length { hash = (hash ^ UInt64(name[k])) &* 0x100_0000_01b3 }
        }
        return (key, hash)
    }

    @inlinable @inline(__always) func matches(_ name: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        guard length == self.length else { return false }
        let (key, hash) = OpenElement.key(name, length)
        return key == self.key && hash == self.hash
    }

    /// The name, or its first eight bytes and an ellipsis.
    @usableFromInline var name: String {
        var bytes: [UInt8] = []
        for k in 0..<min(length, 8) { bytes.append(UInt8(truncatingIfNeeded: key >> (8 * UInt64(k)))) }
        return String(decoding: bytes, as: UTF8.self) + (length > 8 ? "…" : "")
    }
}

/// Local name → id for the scanner: a small open-addressed table over the name's bytes,
/// so that looking up a name costs a few comparisons and no String.
@usableFromInline struct ScanNameTable {
    @usableFromInline var slots: [(key: UInt64, length: Int, name: Int, id: Int32)?]
    /// The names' bytes, for the exact comparison of names longer than the key.
    @usableFromInline var names: [[UInt8]] = []
    @usableFromInline let mask: Int

    @inlinable init(_ table: [String: Int32]) {
        var size = 8
        while size < table.count * 4 { size *= 2 }
        slots = Array(repeating: nil, count: size)
        mask = size - 1
        for (name, id) in table where !name.isEmpty {
            let bytes = Array(name.utf8)
            let (key, hash) = bytes.withUnsafeBufferPointer { OpenElement.key($0.baseAddress!, $0.count) }
            var slot = ScanNameTable.slot(key, hash, bytes.count) & mask
            while slots[slot] != nil { slot = (slot + 1) & mask }
            slots[slot] = (key, bytes.count, names.count, id)
            names.append(bytes)
        }
    }

    @inlinable @inline(__always) static func slot(_ key: UInt64, _ hash: UInt64, _ length: Int) -> Int {
        let mixed = (key ^ (hash &* 31) ^ UInt64(length)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed >> 40)
    }

    /// The id of the local name at `name`, or `XMLName.unknownLocalName`.
    @inlinable @inline(__always) func id(_ name: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
        let (key, hash) = OpenElement.key(name, length)
        return id(name, length, key: key, hash: hash)
    }

    /// As `id(_:_:)`, with the name's key and hash (`OpenElement.key`) already computed.
    @inlinable @inline(__always) func id(_ name: UnsafePointer<UInt8>, _ length: Int, key: UInt64, hash: UInt64) -> Int32 {
        guard length > 0 else { return XMLName.unknownLocalName }
        var slot = ScanNameTable.slot(key, hash, length) & mask
        while let entry = slots[slot] {
            if entry.key == key && entry.length == length
                && (length <= 8 || names[entry.name].withUnsafeBufferPointer { cMemcmp($0.baseAddress! + 8, name + 8, length - 8) == 0 })
            {
                return entry.id
            }
            slot = (slot + 1) & mask
        }
        return XMLName.unknownLocalName
    }
}

/// Byte searches of the scanner.
@usableFromInline enum ByteScannerBytes {
    @inlinable @inline(__always) static func find(_ byte: UInt8, _ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        guard to > from, let hit = cMemchr(base + from, Int32(byte), to - from) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    @inlinable static func find(sequence: StaticString, _ base: UnsafePointer<UInt8>, from: Int, to: Int) -> Int? {
        let first = sequence.utf8Start[0]
        var k = from
        while let hit = find(first, base, from: k, to: to) {
            if matches(sequence, base, hit, to) { return hit }
            if to - hit < sequence.utf8CodeUnitCount { return nil }
            k = hit + 1
        }
        return nil
    }

    @inlinable @inline(__always) static func matches(_ sequence: StaticString, _ base: UnsafePointer<UInt8>, _ at: Int, _ n: Int) -> Bool {
        let count = sequence.utf8CodeUnitCount
        return n - at >= count && cMemcmp(base + at, sequence.utf8Start, count) == 0
    }

}
