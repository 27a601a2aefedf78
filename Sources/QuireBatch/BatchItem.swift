/// What one batch item is: a message, a thread of messages, or a whole file.
public enum BatchGranularity: String, Sendable, CaseIterable {
    /// Each message alone.
    case message
    /// Each thread (by References, In-Reply-To and subject) as one item.
    case thread
    /// Each file (a document, a workbook, or a whole mail file) as one item.
    case file
    /// The roll-up over every other item's result (`--digest`), not a unit of the sources.
    case digest
}

/// Where a message lives, precisely enough to read it again without the rest of its export.
public struct MessageLocation: Sendable, Equatable {
    /// The kind of file a message is in.
    public enum Container: String, Sendable {
        /// One message of an mbox file (`offset` is its `From ` line).
        case mbox
        /// A Maildir message file (`name` is its file name, with the flags).
        case maildir
        /// An .eml file.
        case eml
        /// An Apple Mail .emlx file (byte count, message, property list).
        case emlx
        /// An Outlook .msg file (a compound file of MAPI properties, read by `OutlookReader`).
        case msg
        /// One message of an Outlook archive (`offset` is its node id, `folder` its folder path).
        case pst
    }

    /// What kind of file holds the message.
    public var container: Container
    /// The file that holds the message.
    public var file: String
    /// mbox: the byte offset of the message's `From ` line; Outlook archive: the message's node id.
    public var offset: Int?
    /// mbox, Outlook archive: the message's 0-based position (in its folder, for an archive).
    public var index: Int?
    /// The mail folder: a Maildir++ folder (`Work/Clients`), an Apple Mail mailbox, or the
    /// folder of an .eml file relative to the source.
    public var folder: String?
    /// Gmail labels (`X-Gmail-Labels`).
    public var labels: [String]
    /// Maildir flags from the file name (`S` seen, `R` replied, `F` flagged, `T` trashed, `D` draft, `P` passed).
    public var flags: String?
    /// The message's Message-ID, when it has one.
    public var messageID: String?

    /// A location from its parts.
    public init(
        container: Container, file: String, offset: Int? = nil, index: Int? = nil, folder: String? = nil, labels: [String] = [],
        flags: String? = nil, messageID: String? = nil
    ) {
        self.container = container
        self.file = file
        self.offset = offset
        self.index = index
        self.folder = folder
        self.labels = labels
        self.flags = flags
        self.messageID = messageID
    }
}

/// One unit of work: a message, a thread or a file, with an id that stays the same from
/// one run to the next over the same export.
public struct BatchItem: Sendable, Equatable {
    /// `msg:<Message-ID>` (or `msg:sha:<hash>` without one), `thread:<root id>`
    /// (`thread:gmail:<X-GM-THRID>` for Takeout), `file:<path>#<content hash>`.
    public var id: String
    /// A message, a thread, a file or the digest.
    public var kind: BatchGranularity
    /// The source argument the item came from (for the reconciliation).
    public var source: String
    /// The subject of the message (or of a thread's first), for progress lines and reports.
    public var subject: String?
    /// Seconds since 1970 of the (first) message.
    public var date: Int64?
    /// The messages, oldest first (none for a document).
    public var messages: [MessageLocation]
    /// A document, workbook or whole mail file.
    public var file: String?

    /// An item from its parts.
    public init(
        id: String, kind: BatchGranularity, source: String, subject: String? = nil, date: Int64? = nil, messages: [MessageLocation] = [],
        file: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.source = source
        self.subject = subject
        self.date = date
        self.messages = messages
        self.file = file
    }
}

/// What is selected from the sources, and which shard of it this run does.
public struct BatchSelection: Sendable, Equatable {
    /// Gmail labels; a message with any of them is kept.
    public var labels: [String]
    /// Folders (Maildir++, Apple Mail, sub-folders of a source); a message in any is kept.
    public var folders: [String]
    /// Messages dated at or after this instant (seconds since 1970).
    public var since: Int64?
    /// Messages dated before this instant.
    public var until: Int64?
    /// Sender addresses or parts of them (`@example.com`), case-insensitive.
    public var from: [String]
    /// At most this many items.
    public var limit: Int?
    /// This run does shard `shard.index` (0-based) of `shard.count`.
    public var shard: (index: Int, count: Int)?

    /// A selection; every criterion is optional and all given ones apply.
    public init(
        labels: [String] = [], folders: [String] = [], since: Int64? = nil, until: Int64? = nil, from: [String] = [], limit: Int? = nil,
        shard: (index: Int, count: Int)? = nil
    ) {
        self.labels = labels
        self.folders = folders
        self.since = since
        self.until = until
        self.from = from
        self.limit = limit
        self.shard = shard
    }

    public static func == (a: BatchSelection, b: BatchSelection) -> Bool {
        a.labels == b.labels && a.folders == b.folders && a.since == b.since && a.until == b.until && a.from == b.from && a.limit == b.limit
            && a.shard?.index == b.shard?.index && a.shard?.count == b.shard?.count
    }

    /// Whether items of this id belong to this run's shard: a stable hash of the id, so N
    /// machines given 1/N … N/N share out any source without overlap (a thread's id is its
    /// own, so a thread is never split).
    public func inShard(_ id: String) -> Bool {
        guard let shard, shard.count > 1 else { return true }
        return Int(Digest.fnv64(Array(id.utf8)) % UInt64(shard.count)) == shard.index
    }

    /// A readable form, stored in the ledger so a resumed run can be checked against it.
    public var fingerprint: String {
        var parts: [String] = []
        if !labels.isEmpty { parts.append("label=" + labels.joined(separator: ",")) }
        if !folders.isEmpty { parts.append("folder=" + folders.joined(separator: ",")) }
        if let since { parts.append("since=\(since)") }
        if let until { parts.append("until=\(until)") }
        if !from.isEmpty { parts.append("from=" + from.joined(separator: ",")) }
        if let limit { parts.append("limit=\(limit)") }
        if let shard { parts.append("shard=\(shard.index + 1)/\(shard.count)") }
        return parts.joined(separator: " ")
    }
}

/// What was found in one source and what became of it: the reconciliation count.
public struct SourceTally: Sendable, Equatable {
    /// The source, as the user named it.
    public var source: String
    /// Messages (or files) found.
    public var found = 0
    /// Messages seen before (same Message-ID, or same headers and body).
    public var duplicates = 0
    /// Left out by --label, --folder, --since, --until, --from or --limit.
    public var filtered = 0
    /// Messages (or files) that belong to the other shards of a `--shard K/N` run.
    public var otherShards = 0
    /// Messages or files that could not be read at all (each also a warning).
    public var unreadable = 0
    /// Items made from what was left.
    public var items = 0

    /// A tally of zeros for `source`.
    public init(source: String) {
        self.source = source
    }
}

/// Small non-cryptographic hashes for ids: FNV-1a, and a 128-bit form made of two
/// independent 64-bit lanes for content identity.
public enum Digest {
    /// 64-bit FNV-1a of `bytes`, from `seed` (the standard offset basis by default).
    public static func fnv64(_ bytes: some Sequence<UInt8>, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    /// 32 hex digits.
    public static func hex128(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in bytes {
            a ^= UInt64(byte)
            a &*= 0x100_0000_01b3
            b ^= UInt64(byte &+ 0x5b)
            b &*= 0x0000_0100_0000_01b3 &+ 0x2_0000
        }
        return hex(a) + hex(b)
    }

    /// 32 hex digits of the 128-bit hash of `bytes`.
    public static func hex128(_ bytes: [UInt8]) -> String { bytes.withUnsafeBufferPointer { hex128($0) } }

    static func hex(_ value: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { out[i] = digits[Int((value >> UInt64(60 - i * 4)) & 0xf)] }
        return String(decoding: out, as: UTF8.self)
    }
}
