internal import CLibXML2

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The attributes of the element being started; valid only during `startElement`.
public struct XMLAttributes {
    @usableFromInline enum Storage {
        // libxml2's SAX2 layout: five pointers per attribute
        // (localname, prefix, URI, value start, value end). The namespace cache is
        // unretained: it belongs to the parser, which outlives every callback.
        case libxml(UnsafeMutablePointer<UnsafePointer<UInt8>?>?, Unmanaged<NamespaceCache>)
        // A recorded event's attributes, with their names and values in `bytes`.
        case recorded(UnsafePointer<RecordedAttribute>, UnsafePointer<UInt8>, Unmanaged<NamespaceCache>)
        // The byte scanner's: offsets into the bytes being scanned, and the prefixes in scope.
        case scanned(UnsafePointer<UInt8>, UnsafeBufferPointer<ScannedAttribute>, Unmanaged<ScanScratch>)
    }

    @usableFromInline let storage: Storage
    /// libxml2's or the recorded count (the scanner's is counted when asked).
    @usableFromInline let givenCount: Int

    /// How many attributes the element has.
    public var count: Int {
        if case .scanned(let base, let items, _) = storage {
            return items.count { !ScannedAttributes.isNamespaceDeclaration(base, $0.name) }
        }
        return givenCount
    }

    init(raw: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?, count: Int, namespaces: Unmanaged<NamespaceCache>) {
        storage = .libxml(raw, namespaces)
        givenCount = count
    }

    init(records: UnsafePointer<RecordedAttribute>, count: Int, bytes: UnsafePointer<UInt8>, namespaces: Unmanaged<NamespaceCache>) {
        storage = .recorded(records, bytes, namespaces)
        givenCount = count
    }

    /// The byte scanner's attributes; namespace declarations (`xmlns`, `xmlns:p`) are not
    /// attributes here, as in libxml2's SAX2 events.
    @usableFromInline init(scanned base: UnsafePointer<UInt8>, _ items: UnsafeBufferPointer<ScannedAttribute>, scratch: Unmanaged<ScanScratch>) {
        storage = .scanned(base, items, scratch)
        givenCount = 0
    }

    /// The value of the attribute with this local name in this namespace id
    /// (`nil` namespace: any namespace, or none).
    public func value(_ local: String, namespace: Int32? = nil) -> String? {
        var local = local
        return local.withUTF8 { wanted -> String? in
            switch storage {
            case .libxml(let raw, let namespaces):
                guard let raw else { return nil }
                for i in 0..<count {
                    let base = raw + i * 5
                    guard let name = base[0], XMLAttributes.equal(name, wanted) else { continue }
                    if let namespace, namespaces.takeUnretainedValue().id(base[2]) != namespace { continue }
                    return XMLAttributes.string(from: base[3], to: base[4])
                }
            case .recorded(let records, let bytes, let namespaces):
                for i in 0..<count {
                    let record = records[i]
                    guard let name = record.name, XMLAttributes.equal(name, wanted) else { continue }
                    if let namespace, namespaces.takeUnretainedValue().id(record.uri) != namespace { continue }
                    return XMLAttributes.decode(UnsafeBufferPointer(start: bytes + Int(record.valueOffset), count: Int(record.valueLength)))
                }
            case .scanned(let base, let items, let scratch):
                let bindings = scratch.takeUnretainedValue().bindings
                for item in items {
                    guard let local = ScannedAttributes.local(base, item.name, matching: wanted) else { continue }
                    if let namespace, ScannedAttributes.namespace(base, item.name, local: local, bindings) != namespace { continue }
                    if ScannedAttributes.isNamespaceDeclaration(base, item.name) { continue }
                    return String(decoding: ScannedAttributes.decode(base, item.value), as: UTF8.self)
                }
            }
            return nil
        }
    }

    /// The value of the attribute named `local` (any namespace), or nil.
    public subscript(_ local: String) -> String? { value(local) }

    /// Hands the attribute's value, as bytes, to `body` without making a String; nil when
    /// the attribute is absent. For hot paths reading short ASCII values such as cell
    /// references. The value is as the reader holds it: from libxml2 with every `&` as the
    /// reference `&#38;`, from the byte scanner with references decoded.
    @inlinable @inline(__always)
    public func withRawValue<T>(_ local: StaticString, _ body: (UnsafeBufferPointer<UInt8>?) -> T) -> T {
        let wanted = UnsafeBufferPointer(start: local.utf8Start, count: local.utf8CodeUnitCount)
        switch storage {
        case .libxml(let raw, _):
            guard let raw else { return body(nil) }
            for i in 0..<givenCount {
                let base = raw + i * 5
                guard let name = base[0], XMLAttributes.equal(name, wanted), let start = base[3], let end = base[4] else { continue }
                return body(UnsafeBufferPointer(start: start, count: max(0, end - start)))
            }
        case .recorded(let records, let bytes, _):
            for i in 0..<givenCount {
                let record = records[i]
                guard let name = record.name, XMLAttributes.equal(name, wanted) else { continue }
                return body(UnsafeBufferPointer(start: bytes + Int(record.valueOffset), count: Int(record.valueLength)))
            }
        case .scanned(let base, let items, _):
            for item in items {
                guard let local = ScannedAttributes.local(base, item.name, matching: wanted) else { continue }
                // `xmlns:r` is a declaration, not an attribute `r` (nor is `xmlns` one).
                if local.lowerBound != item.name.lowerBound || wanted.count == 5, ScannedAttributes.isNamespaceDeclaration(base, item.name) {
                    continue
                }
                // References are decoded here (libxml2 has decoded all but `&` by this point).
                var k = item.value.lowerBound
                while k < item.value.upperBound && base[k] != UInt8(ascii: "&") { k += 1 }
                if k < item.value.upperBound {
                    return ScannedAttributes.decode(base, item.value).withUnsafeBufferPointer { body($0) }
                }
                return body(UnsafeBufferPointer(start: base + item.value.lowerBound, count: item.value.count))
            }
        }
        return body(nil)
    }

    /// As ``withRawValue(_:_:)`` for three attributes at once, in one pass over the
    /// attributes where it can (a cell's `r`, `t` and `s`, for every cell of a sheet).
    @inlinable
    public func withRawValues<T>(
        _ first: StaticString, _ second: StaticString, _ third: StaticString,
        _ body: (UnsafeBufferPointer<UInt8>?, UnsafeBufferPointer<UInt8>?, UnsafeBufferPointer<UInt8>?) -> T
    ) -> T {
        if case .scanned(let base, let items, _) = storage {
            let wanted = (
                UnsafeBufferPointer(start: first.utf8Start, count: first.utf8CodeUnitCount),
                UnsafeBufferPointer(start: second.utf8Start, count: second.utf8CodeUnitCount),
                UnsafeBufferPointer(start: third.utf8Start, count: third.utf8CodeUnitCount)
            )
            var found: (Range<Int>?, Range<Int>?, Range<Int>?) = (nil, nil, nil)
            var plain = true
            for item in items {
                guard !ScannedAttributes.isNamespaceDeclaration(base, item.name) else { continue }
                var slot = -1
                var local: Range<Int>?
                if found.0 == nil, let match = ScannedAttributes.local(base, item.name, matching: wanted.0) {
                    (slot, local) = (0, match)
                } else if found.1 == nil, let match = ScannedAttributes.local(base, item.name, matching: wanted.1) {
                    (slot, local) = (1, match)
                } else if found.2 == nil, let match = ScannedAttributes.local(base, item.name, matching: wanted.2) {
                    (slot, local) = (2, match)
                }
                guard let local else { continue }
                // A prefixed name, or a value with references: the general path (rare).
                var k = item.value.lowerBound
                while k < item.value.upperBound && base[k] != UInt8(ascii: "&") { k += 1 }
                if local != item.name || k < item.value.upperBound {
                    plain = false
                    break
                }
                switch slot {
                case 0: found.0 = item.value
                case 1: found.1 = item.value
                default: found.2 = item.value
                }
            }
            if plain {
                func bytes(_ range: Range<Int>?) -> UnsafeBufferPointer<UInt8>? {
                    range.map { UnsafeBufferPointer(start: base + $0.lowerBound, count: $0.count) }
                }
                return body(bytes(found.0), bytes(found.1), bytes(found.2))
            }
        }
        return withRawValue(first) { a in withRawValue(second) { b in withRawValue(third) { c in body(a, b, c) } } }
    }

    /// Every attribute as (namespace id, local name, value).
    public func all() -> [(namespace: Int32, local: String, value: String)] {
        switch storage {
        case .libxml(let raw, let namespaces):
            guard let raw else { return [] }
            return (0..<count).compactMap { i in
                let base = raw + i * 5
                guard let name = base[0] else { return nil }
                return (namespaces.takeUnretainedValue().id(base[2]), String(cString: name), XMLAttributes.string(from: base[3], to: base[4]))
            }
        case .recorded(let records, let bytes, let namespaces):
            return (0..<count).map { i in
                let record = records[i]
                let name = record.name.map { String(cString: $0) } ?? ""
                let value = XMLAttributes.decode(UnsafeBufferPointer(start: bytes + Int(record.valueOffset), count: Int(record.valueLength)))
                return (namespaces.takeUnretainedValue().id(record.uri), name, value)
            }
        case .scanned(let base, let items, let scratch):
            let bindings = scratch.takeUnretainedValue().bindings
            return items.compactMap { item -> (namespace: Int32, local: String, value: String)? in
                guard !ScannedAttributes.isNamespaceDeclaration(base, item.name) else { return nil }
                var local = item.name
                if let colon = ByteScannerBytes.find(UInt8(ascii: ":"), base, from: item.name.lowerBound, to: item.name.upperBound) {
                    local = (colon + 1)..<item.name.upperBound
                }
                let name = String(decoding: UnsafeBufferPointer(start: base + local.lowerBound, count: local.count), as: UTF8.self)
                let value = String(decoding: ScannedAttributes.decode(base, item.value), as: UTF8.self)
                return (ScannedAttributes.namespace(base, item.name, local: local, bindings), name, value)
            }
        }
    }

    @inlinable static func equal(_ name: UnsafePointer<UInt8>, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < wanted.count {
            if name[i] != wanted[i] { return false }
            i += 1
        }
        return name[i] == 0
    }

    static func string(from start: UnsafePointer<xmlChar>?, to end: UnsafePointer<xmlChar>?) -> String {
        guard let start, let end, end > start else { return "" }
        return decode(UnsafeBufferPointer(start: start, count: end - start))
    }

    /// An attribute value as libxml2 hands it over, as text.
    ///
    /// Without entity substitution libxml2 hands back every `&` of an attribute value
    /// as the reference `&#38;` (so a literal `&` never appears); undo exactly that.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let reference = Array("&#38;".utf8)
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "&"), i + 5 <= bytes.count, bytes[i..<(i + 5)].elementsEqual(reference) {
                out.append(UInt8(ascii: "&"))
                i += 5
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Maps namespace URI pointers (interned by libxml2 for the life of a parse) to ids.
///
/// Storage is raw memory: this runs for every element and attribute, and class stored
/// properties would pay a run-time exclusivity check on each access.
@usableFromInline final class NamespaceCache {
    private let table: [String: Int32]
    private let pointers: UnsafeMutablePointer<UnsafeRawPointer?>
    private let ids: UnsafeMutablePointer<Int32>
    private let count: UnsafeMutablePointer<Int>
    private static let capacity = 64

    init(_ table: [String: Int32]) {
        self.table = table
        pointers = .allocate(capacity: NamespaceCache.capacity)
        pointers.initialize(repeating: nil, count: NamespaceCache.capacity)
        ids = .allocate(capacity: NamespaceCache.capacity)
        ids.initialize(repeating: 0, count: NamespaceCache.capacity)
        count = .allocate(capacity: 1)
        count.initialize(to: 0)
    }

    deinit {
        pointers.deallocate()
        ids.deallocate()
        count.deallocate()
    }

    func id(_ uri: UnsafePointer<xmlChar>?) -> Int32 {
        guard let uri else { return XMLName.noNamespace }
        let key = UnsafeRawPointer(uri)
        let n = count.pointee
        var i = 0
        while i < n {
            if pointers[i] == key { return ids[i] }
            i += 1
        }
        let string = String(cString: uri)
        let id = table[string] ?? (string.isEmpty ? XMLName.noNamespace : XMLName.unknownNamespace)
        // Interned pointers repeat; the list stays as short as the set of namespaces.
        if n < NamespaceCache.capacity {
            pointers[n] = key
            ids[n] = id
            count.pointee = n + 1
        }
        return id
    }
}

/// Maps local-name pointers (interned by libxml2 for the life of a parse) to ids.
///
/// An open-addressing table keyed by the pointer's bits, in raw memory: a parse meets a
/// few dozen distinct names hundreds of thousands of times, so a lookup must cost neither
/// string hashing nor exclusivity checks.
final class LocalNameCache {
    private let table: [String: Int32]
    private let storage: UnsafeMutablePointer<Storage>

    private struct Storage {
        var keys: UnsafeMutablePointer<UInt>
        var values: UnsafeMutablePointer<Int32>
        var capacity: Int
        var used: Int
    }

    init(_ table: [String: Int32]) {
        self.table = table
        storage = .allocate(capacity: 1)
        let capacity = 256
        let keys = UnsafeMutablePointer<UInt>.allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        let values = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        values.initialize(repeating: 0, count: capacity)
        storage.initialize(to: Storage(keys: keys, values: values, capacity: capacity, used: 0))
    }

    deinit {
        storage.pointee.keys.deallocate()
        storage.pointee.values.deallocate()
        storage.deallocate()
    }

    @inline(__always)
    private static func slot(_ key: UInt, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key >> 3) &* 0x9E37_79B9) & mask
    }

    func id(_ name: UnsafePointer<xmlChar>?) -> Int32 {
        guard let name, !table.isEmpty else { return XMLName.unknownLocalName }
        let key = UInt(bitPattern: name)
        let keys = storage.pointee.keys
        let mask = storage.pointee.capacity - 1
        var slot = LocalNameCache.slot(key, mask)
        while true {
            let stored = keys[slot]
            if stored == key { return storage.pointee.values[slot] }
            if stored == 0 { break }
            slot = (slot + 1) & mask
        }
        let id = table[String(cString: name)] ?? XMLName.unknownLocalName
        insert(key, id)
        return id
    }

    private func insert(_ key: UInt, _ id: Int32) {
        if (storage.pointee.used + 1) * 2 > storage.pointee.capacity {
            let old = storage.pointee
            let capacity = old.capacity * 2
            let keys = UnsafeMutablePointer<UInt>.allocate(capacity: capacity)
            keys.initialize(repeating: 0, count: capacity)
            let values = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
            values.initialize(repeating: 0, count: capacity)
            storage.pointee = Storage(keys: keys, values: values, capacity: capacity, used: 0)
            for i in 0..<old.capacity where old.keys[i] != 0 { insert(old.keys[i], old.values[i]) }
            old.keys.deallocate()
            old.values.deallocate()
        }
        let mask = storage.pointee.capacity - 1
        var slot = LocalNameCache.slot(key, mask)
        while storage.pointee.keys[slot] != 0 { slot = (slot + 1) & mask }
        storage.pointee.keys[slot] = key
        storage.pointee.values[slot] = id
        storage.pointee.used += 1
    }
}
