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
    public let file: PSTFile
    /// Reads each message (embedded depth, quoted-text splitting).
    public var reader: OutlookReader

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
    }

    /// An archive over an open file.
    public init(file: PSTFile, reader: OutlookReader = OutlookReader()) {
        self.file = file
        self.reader = reader
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
        return try reader.message(OutlookItem(node: node, in: file), depth: 0)
    }

    /// Walks the folders and their messages one at a time.
    public struct Messages: IteratorProtocol, Sendable {
        let archive: OutlookArchive
        let selection: String?
        /// Folders still to visit: node id, path, depth.
        private var pending: [(nid: UInt32, path: [String])] = [(PSTFile.rootFolder, [])]
        private var visited: Set<UInt32> = []
        private var current: (path: String, ids: [UInt32], next: Int, count: Int)?
        /// Each folder visited so far, with its counts (complete once `next()` returns nil).
        public private(set) var folders: [FolderCount] = []
        /// The path of every folder visited, selected or not.
        public private(set) var paths: [String] = []

        init(archive: OutlookArchive, selection: String?) {
            self.archive = archive
            self.selection = selection.map { $0.trimmingCharacters(in: "/").lowercased() }
        }

        /// The next message, or nil after the last.
        public mutating func next() -> Entry? {
            while true {
                if var folder = current, folder.next < folder.ids.count {
                    let nid = folder.ids[folder.next]
                    let index = folder.next
                    folder.next += 1
                    current = folder
                    let result: Result<MailMessage, DocumentError>
                    do throws(DocumentError) {
                        result = .success(try archive.message(nid: nid))
                        folders[folder.count].read += 1
                    } catch {
                        result = .failure(error)
                        folders[folder.count].failed += 1
                    }
                    return Entry(folder: folder.path, index: index, nid: nid, result: result)
                }
                current = nil
                guard !pending.isEmpty else { return nil }
                open(pending.removeFirst())
            }
        }

        /// Reads a folder's name, subfolders and message list; queues the subfolders.
        private mutating func open(_ folder: (nid: UInt32, path: [String])) {
            // A folder listed twice (a damaged hierarchy) is visited once, and the walk ends.
            guard visited.insert(folder.nid).inserted else { return }
            guard folder.path.count < 64 else {
                let path = (folder.path + ["0x" + String(folder.nid, radix: 16)]).joined(separator: "/")
                folders.append(FolderCount(path: path, listed: 0, read: 0, failed: 0, error: "folders nested more than 64 deep are not read."))
                return
            }
            let file = archive.file
            var path = folder.path
            var count = FolderCount(path: "", listed: 0, read: 0, failed: 0)
            do throws(DocumentError) {
                guard let node = try file.node(folder.nid) else {
                    throw DocumentError(.corrupt, file: file.file, message: "folder node 0x\(String(folder.nid, radix: 16)) is not in the file.")
                }
                let properties = OutlookProperties(pst: try file.properties(of: node))
                if folder.nid != PSTFile.rootFolder {
                    path.append((try? properties.string(0x3001)).flatMap { $0.isEmpty ? nil : $0 } ?? "0x\(String(folder.nid, radix: 16))")
                }
                count.path = path.joined(separator: "/")
                paths.append(count.path)
                var children: [(nid: UInt32, path: [String])] = []
                if let hierarchy = try file.node(folder.nid & ~0x1F | 0x0D) {
                    // Only normal folders (type 2): search folders hold results, not messages.
                    children = try file.rowIDs(of: hierarchy).filter { $0 & 0x1F == 0x02 }.map { ($0, path) }
                }
                pending.insert(contentsOf: children, at: 0)
                guard selects(path) else { return }
                let ids = try file.node(folder.nid & ~0x1F | 0x0E).map { (contents) throws(DocumentError) in try file.rowIDs(of: contents) } ?? []
                count.listed = ids.count
                folders.append(count)
                current = (count.path, ids, 0, folders.count - 1)
            } catch {
                count.path = path.joined(separator: "/")
                count.error = error.location.map { $0 + ": " + error.message } ?? error.message
                folders.append(count)
            }
        }

        /// Whether messages of the folder at `path` are wanted: the selection's names appear
        /// in the path as a run (so a folder is chosen by its whole path or by the end of it,
        /// and the folders below it come too).
        func selects(_ path: [String]) -> Bool {
            guard let selection else { return true }
            let wanted = selection.split(separator: "/").map(String.init)
            let names = path.map { $0.lowercased() }
            guard !wanted.isEmpty, wanted.count <= names.count else { return wanted.isEmpty }
            return (0...(names.count - wanted.count)).contains { Array(names[$0..<($0 + wanted.count)]) == wanted }
        }
    }
}
