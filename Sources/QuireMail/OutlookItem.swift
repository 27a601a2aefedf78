import QuireCFB
import QuireModel
import QuirePST

/// One Outlook message however it is stored — an `.msg` file's storage or a PST file's node —
/// as what `OutlookReader` turns into a `MailMessage`: its properties, its recipients'
/// properties and its attachments, each attachment read when asked for, so that one which
/// cannot be read costs only itself.
struct OutlookItem {
    enum Source {
        case compound(CompoundFile, CompoundFile.Entry)
        case pst(PSTFile, PSTFile.Node, subnodes: [UInt32: PSTFile.Node])
    }

    /// Where one attachment is, to be read when asked for.
    enum AttachmentPlace {
        case storage(CompoundFile.Entry)
        case subnode(UInt32)
        /// The attachment table could not be read.
        case unreadable(DocumentError)
    }

    var properties: OutlookProperties
    let source: Source
    /// The file's named properties (shared by every message of a file).
    let names: OutlookNamedProperties
    /// What could not be read of the item's own properties.
    var warnings: [String] = []

    /// Node ids of a message's subnodes ([MS-PST] 2.4.1).
    static let recipientTable: UInt32 = 0x692
    static let attachmentTable: UInt32 = 0x671

    /// The message stored in an `.msg` file's storage: recipients in `__recip_version1.0_#N`,
    /// attachments in `__attach_version1.0_#N`.
    /// `names`: the file's named properties when the caller has them already.
    init(in storage: CompoundFile.Entry, of file: CompoundFile, kind: OutlookProperties.Kind, names: OutlookNamedProperties? = nil) throws(DocumentError) {
        properties = try OutlookProperties(file: file, storage: storage, kind: kind)
        source = .compound(file, storage)
        self.names = names ?? OutlookNamedProperties(file: file)
    }

    /// The message stored in a PST node (a top-level message, or an embedded message's
    /// subnode): its property context, with the recipient and attachment tables and the
    /// attachments among its subnodes.
    init(node: PSTFile.Node, in file: PSTFile, names: OutlookNamedProperties) throws(DocumentError) {
        self.names = names
        let context = try file.propertyContext(of: node)
        properties = OutlookProperties(pst: context.values)
        source = .pst(file, node, subnodes: context.subnodes)
        // A value that cannot be read (its subnode damaged) costs that property only.
        warnings = context.unreadable.sorted { $0.key < $1.key }.map { id, error in
            "\(Self.propertyName(id)) could not be read: \(error.location.map { $0 + ": " } ?? "")\(error.message)"
        }
    }

    /// What a property is, for a warning.
    static func propertyName(_ id: UInt16) -> String {
        switch id {
        case 0x1000: "the plain-text body"
        case 0x1013: "the HTML body"
        case 0x1009: "the RTF body"
        case 0x007D: "the transport headers"
        case 0x0037: "the subject"
        default: "property 0x\(String(id, radix: 16, uppercase: true))"
        }
    }

    /// The recipients' properties in order; 8-bit strings in `codepage`.
    func recipients(codepage: Int?) throws(DocumentError) -> [OutlookProperties] {
        switch source {
        case .compound(let file, let storage):
            var out: [OutlookProperties] = []
            for entry in file.children(of: storage).filter({ $0.name.hasPrefix("__recip_version1.0_") }).sorted(by: { $0.name < $1.name }) {
                out.append(try OutlookProperties(file: file, storage: entry, kind: .recipientOrAttachment, codepage: codepage))
            }
            return out
        case .pst(let file, _, let subnodes):
            guard let table = subnodes[Self.recipientTable] else { return [] }
            return try file.table(of: table).rows.map { OutlookProperties(pst: $0, codepage: codepage) }
        }
    }

    /// Where the attachments are, in order.
    func attachmentPlaces() -> [AttachmentPlace] {
        switch source {
        case .compound(let file, let storage):
            return file.children(of: storage).filter { $0.name.hasPrefix("__attach_version1.0_") }.sorted { $0.name < $1.name }.map { .storage($0) }
        case .pst(let file, _, let subnodes):
            guard let table = subnodes[Self.attachmentTable] else { return [] }
            do throws(DocumentError) {
                return try file.rowIDs(of: table).map { .subnode($0) }
            } catch {
                return [.unreadable(error)]
            }
        }
    }

    /// The attachment at `place`.
    func attachment(_ place: AttachmentPlace, codepage: Int?) throws(DocumentError) -> OutlookAttachmentItem {
        switch (source, place) {
        case (.compound(let file, _), .storage(let entry)):
            let properties = try OutlookProperties(file: file, storage: entry, kind: .recipientOrAttachment, codepage: codepage)
            let object = file.child(named: "__substg1.0_3701000D", of: entry)
            return OutlookAttachmentItem(
                properties: properties, embedded: object.map { .storage(file, $0) }, names: names,
                embeddedSize: object.map { OutlookReader.size(of: $0, in: file) } ?? 0, file: file.file, location: entry.name)
        case (.pst(let file, let node, let subnodes), .subnode(let nid)):
            let location = "message node 0x\(String(node.nid, radix: 16)), attachment 0x\(String(nid, radix: 16))"
            guard let attachment = subnodes[nid] else {
                throw DocumentError(.corrupt, file: file.file, location: location, message: "the attachment's subnode is missing.")
            }
            // The attachment's own values must all be read: its data is the attachment.
            let values = try file.properties(of: attachment)
            // An embedded message: the value names a subnode of the attachment, and its size.
            let object = values[0x3701].flatMap { $0.type == 0x000D && $0.bytes.count >= 8 ? $0.bytes : nil }
            return OutlookAttachmentItem(
                properties: OutlookProperties(pst: values, codepage: codepage),
                embedded: object.map { .subnode(file, attachment, OutlookProperties.u32($0, 0)) }, names: names,
                embeddedSize: object.map { Int(OutlookProperties.u32($0, 4)) } ?? 0, file: file.file, location: location)
        case (_, .unreadable(let error)):
            throw error
        default:
            preconditionFailure("an attachment place of the other container")
        }
    }
}

/// One attachment of an `OutlookItem`.
struct OutlookAttachmentItem {
    /// Where an embedded message is stored.
    enum Embedded {
        case storage(CompoundFile, CompoundFile.Entry)
        /// A PST attachment's node and the id of its subnode holding the message.
        case subnode(PSTFile, PSTFile.Node, UInt32)
    }

    var properties: OutlookProperties
    /// The embedded message (method 5); nil when there is no storage for it.
    var embedded: Embedded?
    /// The file's named properties, for the embedded message.
    var names: OutlookNamedProperties
    /// The embedded message's stored size in bytes.
    var embeddedSize: Int
    /// The file, and the attachment's place in it, for errors.
    var file: String
    var location: String

    /// The embedded message, or nil when its storage is missing.
    func embeddedMessage() throws(DocumentError) -> OutlookItem? {
        switch embedded {
        case .storage(let file, let entry)?:
            return try OutlookItem(in: entry, of: file, kind: .embeddedMessage, names: names)
        case .subnode(let file, let attachment, let nid)?:
            guard let message = try file.subnodes(of: attachment)[nid] else { return nil }
            return try OutlookItem(node: message, in: file, names: names)
        case nil:
            return nil
        }
    }
}
