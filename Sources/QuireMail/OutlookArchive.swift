public import QuireModel
public import QuirePST

/// The messages of an Outlook data file (`.pst`, or an `.ost` of the same layout) read one
/// at a time into the same `MailMessage` as an `.eml` or `.msg`, each with its folder path —
/// the messaging layer of [MS-PST] on `PSTFile`.
///
/// Folders are walked from the root through their hierarchy tables, and each folder's
/// messages are taken from its contents table, so memory holds one message (and one folder's
/// list of message ids) whatever the size of the file. Every folder is reconciled: the
/// messages its table lists against those read and those that failed, so no message goes
/// missing without a count saying so.
///
/// ```swift
/// let archive = try OutlookArchive(path: "archive.pst")
/// var messages = archive.messages(folder: "Inbox")
/// while let entry = messages.next() {
///     if case .success(let message) = entry.result { print(entry.folder, message.subject ?? "") }
/// }
/// for folder in messages.folders { print(folder.path, folder.listed, folder.read, folder.failed) }
/// ```
public struct OutlookArchive: Sendable {
    /// The file.
    public private(set) var file: PSTFile
    /// Reads each message (embedded depth, quoted-text splitting).
    public var reader: OutlookReader
    /// The file's named properties, read once.
    let names: OutlookNamedProperties

    /// One message of the archive, or why it could not be read.
    public struct Entry: Sendable {
        /// The folder path, names joined by "/" ("Top of Personal Folders/Inbox").
        public var folder: String
        /// The message's position in its folder, from 0.
        public var index: Int
        /// The message's node id: its stable id in the file.
        public var nid: UInt32
        /// The message, or the error that stopped it.
        public var result: Result<MailMessage, DocumentError>

        /// An entry from its parts.
        public init(folder: String, index: Int, nid: UInt32, result: Result<MailMessage, DocumentError>) {
            self.folder = folder
            self.index = index
            self.nid = nid
            self.result = result
        }
    }

    /// What one folder held and what became of it.
    public struct FolderCount: Sendable, Equatable {
        /// The folder path.
        public var path: String
        /// Messages its contents table lists.
        public var listed: Int
        /// Messages read.
        public var read: Int
        /// Messages that could not be read (each came out as an `Entry` with a failure).
        public var failed: Int
        /// Why the folder itself could not be read (its tables damaged), else nil.
        public var error: String?

        /// A count from its values.
        public init(path: String, listed: Int, read: Int, failed: Int, error: String? = nil) {
            self.path = path
            self.listed = listed
            self.read = read
            self.failed = failed
            self.error = error
        }
    }

    /// Opens the archive at `path`.
    /// - Throws: `DocumentError` when the file is no Outlook data file or its header is damaged.
    public init(path: String, limits: PSTFile.Limits = PSTFile.Limits(), reader: OutlookReader = OutlookReader()) throws(DocumentError) {
        file = try PSTFile(path: path, limits: limits)
        self.reader = reader
        names = OutlookNamedProperties(file: file)
    }

    /// An archive over an open file.
    public init(file: PSTFile, reader: OutlookReader = OutlookReader()) {
        self.file = file
        self.reader = reader
        names = OutlookNamedProperties(file: file)
    }

    /// The same archive with caches of its own (the named-property map is shared), for
    /// reading messages on another thread.
    /// - Throws: `DocumentError` when the file's header can no longer be read.
    public func withOwnCaches() throws(DocumentError) -> OutlookArchive {
        var copy = self
        copy.file = try file.withOwnCaches()
        return copy
    }

    /// The messages, folder by folder (depth first, in the order of the hierarchy tables);
    /// only those in `folder` and the folders below it when one is named. A folder is named
    /// by its path or the end of it ("Projects", "Inbox/Projects" or "Top of Personal
    /// Folders/Inbox/Projects"), without regard to case; every folder whose path has those
    /// names in a run is taken.
    public func messages(folder: String? = nil) -> Messages {
        Messages(archive: self, selection: folder)
    }

    /// The message in node `nid`.
    /// - Throws: `DocumentError` when there is no such node or it cannot be read.
    public func message(nid: UInt32) throws(DocumentError) -> MailMessage {
        guard let node = try file.node(nid) else {
            throw DocumentError(.corrupt, file: file.file, message: "message node 0x\(String(nid, radix: 16)) is not in the file.")
        }
        return try reader.message(OutlookItem(node: node, in: file, names: names), depth: 0)
    }

    /// The messages of a walk, each read: `Locations` with every message read in its turn.
    public struct Messages: IteratorProtocol, Sendable {
        private var locations: Locations
        private let archive: OutlookArchive
        private var tallies: [(read: Int, failed: Int)] = []

        init(archive: OutlookArchive, selection: String?) {
            self.archive = archive
            locations = Locations(archive: archive, selection: selection)
        }

        /// Each folder visited so far, with its counts (complete once `next()` returns nil).
        public var folders: [FolderCount] {
            locations.folders.enumerated().map { k, folder in
                var folder = folder
                if k < tallies.count { (folder.read, folder.failed) = tallies[k] }
                return folder
            }
        }

        /// The path of every folder visited, selected or not.
        public var paths: [String] { locations.paths }

        /// The next message, or nil after the last.
        public mutating func next() -> Entry? {
            guard let location = locations.next() else { return nil }
            while tallies.count <= location.folderIndex { tallies.append((0, 0)) }
            let result: Result<MailMessage, DocumentError>
            do throws(DocumentError) {
                result = .success(try archive.message(nid: location.nid))
                tallies[location.folderIndex].read += 1
            } catch {
                result = .failure(error)
                tallies[location.folderIndex].failed += 1
            }
            return Entry(folder: location.folder, index: location.index, nid: location.nid, result: result)
        }
    }

    /// Where the messages of the selected folders are, without reading them: for callers
    /// that read them elsewhere (on other threads) and keep the counts themselves.
    public func locations(folder: String? = nil) -> Locations {
        Locations(archive: self, selection: folder)
    }
}
