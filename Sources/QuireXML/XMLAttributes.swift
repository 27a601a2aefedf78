internal import CLibXML2

/// The attributes of the element being started; valid only during `startElement`.
public struct XMLAttributes {
    // libxml2's SAX2 layout: five pointers per attribute
    // (localname, prefix, URI, value start, value end).
    let raw: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
    public let count: Int
    let namespaces: NamespaceCache

    /// The value of the attribute with this local name in this namespace id
    /// (`nil` namespace: any namespace, or none).
    public func value(_ local: String, namespace: Int32? = nil) -> String? {
        guard let raw else { return nil }
        var local = local
        return local.withUTF8 { wanted -> String? in
            for i in 0..<count {
                let base = raw + i * 5
                guard let name = base[0], XMLAttributes.equal(name, wanted) else { continue }
                if let namespace, namespaces.id(base[2]) != namespace { continue }
                return XMLAttributes.string(from: base[3], to: base[4])
            }
            return nil
        }
    }

    public subscript(_ local: String) -> String? { value(local) }

    /// Every attribute as (namespace id, local name, value).
    public func all() -> [(namespace: Int32, local: String, value: String)] {
        guard let raw else { return [] }
        return (0..<count).compactMap { i in
            let base = raw + i * 5
            guard let name = base[0] else { return nil }
            return (namespaces.id(base[2]), String(cString: name), XMLAttributes.string(from: base[3], to: base[4]))
        }
    }

    static func equal(_ name: UnsafePointer<xmlChar>, _ wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < wanted.count {
            if name[i] != wanted[i] { return false }
            i += 1
        }
        return name[i] == 0
    }

    static func string(from start: UnsafePointer<xmlChar>?, to end: UnsafePointer<xmlChar>?) -> String {
        guard let start, let end, end > start else { return "" }
        let bytes = UnsafeBufferPointer(start: start, count: end - start)
        // Without entity substitution libxml2 hands back every `&` of an attribute value
        // as the reference `&#38;` (so a literal `&` never appears); undo exactly that.
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
final class NamespaceCache {
    private let table: [String: Int32]
    private var recent: [(UnsafeRawPointer, Int32)] = []

    init(_ table: [String: Int32]) {
        self.table = table
    }

    func id(_ uri: UnsafePointer<xmlChar>?) -> Int32 {
        guard let uri else { return XMLName.noNamespace }
        let key = UnsafeRawPointer(uri)
        for (pointer, id) in recent where pointer == key {
            return id
        }
        let string = String(cString: uri)
        let id = table[string] ?? (string.isEmpty ? XMLName.noNamespace : XMLName.unknownNamespace)
        // Interned pointers repeat; the list stays as short as the set of namespaces.
        if recent.count < 64 { recent.append((key, id)) }
        return id
    }
}
