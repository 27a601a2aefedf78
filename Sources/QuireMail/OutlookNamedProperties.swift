import QuireCFB
import QuireModel
import QuirePST

/// Which property id each named property has in one file: the named property mapping of
/// an `.msg` file (the `__nameid_version1.0` storage, [MS-OXMSG] 2.2.3) or a PST file (the
/// property context of node 0x61, [MS-PST] 2.4.7). Properties such as the categories of a
/// message ("Keywords") have a name rather than a fixed id, and each file numbers them
/// 0x8000 and up in its own way.
struct OutlookNamedProperties: Sendable {
    /// A property set, as the 16 bytes of its GUID in stored order.
    struct PropertySet: Hashable, Sendable {
        let bytes: [UInt8]

        /// PS_PUBLIC_STRINGS, {00020329-0000-0000-C000-000000000046}: where "Keywords" is.
        static let publicStrings = PropertySet(bytes: [0x29, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46])
        /// PS_MAPI, {00020328-0000-0000-C000-000000000046}.
        static let mapi = PropertySet(bytes: [0x28, 0x03, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46])
    }

    private struct Key: Hashable {
        let set: PropertySet
        let name: String
    }

    /// String-named properties' ids. (Numbered named properties are not needed yet.)
    private var byName: [Key: UInt16] = [:]
    /// Entries that could not be read, for a warning.
    private(set) var damaged = 0
    /// Why the map could not be read at all, for a warning.
    private(set) var problem: String?

    /// An empty map: a file without one.
    init() {}

    /// The map from its three streams: the GUIDs (16 bytes each), the entries (8 bytes
    /// each: the name's offset in the string stream or its number, then the kind and GUID
    /// index, then the property index), and the names (a 32-bit byte count, then UTF-16,
    /// padded to 4 bytes). Entries that point outside their streams are counted and skipped.
    init(guids: [UInt8], entries: [UInt8], strings: [UInt8]) {
        read(guids: guids, entries: entries, strings: strings)
    }

    private mutating func read(guids: [UInt8], entries: [UInt8], strings: [UInt8]) {
        var offset = 0
        while offset + 8 <= entries.count {
            defer { offset += 8 }
            let nameOrNumber = Int(OutlookProperties.u32(entries, offset))
            let kindAndSet = Int(entries[offset + 4]) | Int(entries[offset + 5]) << 8
            let index = Int(entries[offset + 6]) | Int(entries[offset + 7]) << 8
            // Numbered names are skipped; property indexes past 0x7FFF name no property id.
            guard kindAndSet & 1 == 1, index <= 0x7FFF else { continue }
            let set: PropertySet
            switch kindAndSet >> 1 {
            case 1: set = .mapi
            case 2: set = .publicStrings
            case let k where k >= 3 && (k - 3) * 16 + 16 <= guids.count: set = PropertySet(bytes: Array(guids[(k - 3) * 16..<(k - 3) * 16 + 16]))
            default:
                damaged += 1
                continue
            }
            guard nameOrNumber + 4 <= strings.count else {
                damaged += 1
                continue
            }
            let length = Int(OutlookProperties.u32(strings, nameOrNumber))
            guard length <= strings.count - nameOrNumber - 4 else {
                damaged += 1
                continue
            }
            let name = OutlookProperties.utf16(Array(strings[nameOrNumber + 4..<nameOrNumber + 4 + length]))
            byName[Key(set: set, name: name)] = UInt16(0x8000 + index)
        }
    }

    /// The map of an `.msg` file, from its root storage; empty when it has none or it
    /// cannot be read (its named properties are then not found, and nothing else is lost).
    init(file: CompoundFile) {
        guard let storage = file.child(named: "__nameid_version1.0", of: file.root) else { return }
        func stream(_ name: String) throws(DocumentError) -> [UInt8] {
            guard let entry = file.child(named: name, of: storage) else { return [] }
            return try file.read(entry)
        }
        do throws(DocumentError) {
            read(guids: try stream("__substg1.0_00020102"), entries: try stream("__substg1.0_00030102"), strings: try stream("__substg1.0_00040102"))
        } catch {
            problem = error.message
        }
    }

    /// The map of a PST file, from node 0x61; empty when it has none or it cannot be read.
    init(file: PSTFile) {
        do throws(DocumentError) {
            guard let node = try file.node(0x61) else { return }
            let values = try file.properties(of: node)
            func bytes(_ id: UInt16) -> [UInt8] { values[id].map(\.bytes) ?? [] }
            read(guids: bytes(0x0002), entries: bytes(0x0003), strings: bytes(0x0004))
        } catch {
            problem = error.message
        }
    }

    /// The id of the property named `name` in `set`, when the file maps it.
    func id(of name: String, in set: PropertySet) -> UInt16? {
        byName[Key(set: set, name: name)]
    }

    /// The categories of a message: PS_PUBLIC_STRINGS "Keywords".
    var keywords: UInt16? { id(of: "Keywords", in: .publicStrings) }
}
