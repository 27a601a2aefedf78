import QuireModel
import QuirePST

extension OutlookArchive {
    /// Walks the folders: each folder's name, subfolders and message list in turn.
    public struct Locations: IteratorProtocol, Sendable {
        /// One message's place: its folder path, its position there, its node id, and the
        /// index of its folder in `folders`.
        public struct Location: Sendable, Equatable {
            /// The folder path, names joined by "/".
            public var folder: String
            /// The message's position in its folder, from 0.
            public var index: Int
            /// The message's node id.
            public var nid: UInt32
            /// Its folder's position in `folders`.
            public var folderIndex: Int
        }

        let archive: OutlookArchive
        let selection: String?
        /// Folders still to visit: node id, path, depth.
        private var pending: [(nid: UInt32, path: [String])] = [(PSTFile.rootFolder, [])]
        private var visited: Set<UInt32> = []
        private var current: (path: String, ids: [UInt32], next: Int, count: Int)?
        /// Each folder visited so far, with the messages it lists (`read` and `failed` are left
        /// to the caller) or why it could not be read.
        public private(set) var folders: [FolderCount] = []
        /// The path of every folder visited, selected or not.
        public private(set) var paths: [String] = []

        init(archive: OutlookArchive, selection: String?) {
            self.archive = archive
            self.selection = selection.map { $0.trimmingCharacters(in: "/").lowercased() }
        }

        /// The next message's place, or nil after the last.
        public mutating func next() -> Location? {
            while true {
                if var folder = current, folder.next < folder.ids.count {
                    let nid = folder.ids[folder.next]
                    let index = folder.next
                    folder.next += 1
                    current = folder
                    return Location(folder: folder.path, index: index, nid: nid, folderIndex: folder.count)
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
                    path.append((try properties.string(0x3001)).flatMap { $0.isEmpty ? nil : $0 } ?? "0x\(String(folder.nid, radix: 16))")
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
