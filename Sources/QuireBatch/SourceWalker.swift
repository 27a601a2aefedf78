import QuireImport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A source as the user named it: a path, or the paths listed on standard input.
public struct BatchSource: Sendable, Equatable {
    /// How the source is named in the reconciliation (the path, or "standard input").
    public var label: String
    /// The files and folders it stands for.
    public var paths: [String]

    /// A source of several paths (a list on standard input), named `label`.
    public init(label: String, paths: [String]) {
        self.label = label
        self.paths = paths
    }

    /// A source of one file or folder, named by its path.
    public init(path: String) {
        self.init(label: path, paths: [path])
    }
}

/// A file or folder found under a source, by what its bytes say it is.
enum FoundContainer: Equatable {
    case mbox(String, folder: String?)
    /// A Maildir folder (with cur/ and new/), and its folder name.
    case maildir(String, folder: String?)
    case eml(String, folder: String?)
    case emlx(String, folder: String?)
    /// An Outlook .msg file.
    case msg(String, folder: String?)
    /// An Outlook archive (.pst): a mailbox of folders, read message by message.
    case pst(String, folder: String?)
    case document(String)

    var path: String {
        switch self {
        case .mbox(let p, _), .maildir(let p, _), .eml(let p, _), .emlx(let p, _), .msg(let p, _), .pst(let p, _), .document(let p): p
        }
    }
}

/// Walks sources: folders recursively in name order, each file recognised by its content
/// (an mbox by its `From ` line, whatever its name — Thunderbird's have none; a message by
/// its header fields; an Apple Mail .emlx by its byte-count line; Word and Excel files by
/// their package), Maildir and Maildir++ folders by their cur/ and new/ (never tmp/, which
/// holds unfinished deliveries). A folder reached twice through symbolic links is walked
/// once and reported.
///
/// The walk is lazy: ``next()`` lists a folder when it reaches it and sniffs a file when it
/// gets to it, so the first container comes at once and memory holds only the listings of
/// the folders on the current path, whatever the size of the tree.
struct SourceWalker {
    var importer = Importer()
    /// Files that are none of these (Thunderbird's .msf indexes, images…).
    var skipped = 0
    var warnings: [String] = []
    /// Files and folders that could not be opened or read (each also has a warning).
    var unreadable = 0
    private var visited = Set<[UInt64]>()
    /// What is left to do, last first: paths to walk and containers already found.
    private var pending: [Step] = []

    private enum Step {
        /// A file or folder to walk, with the folder name it gets and its depth.
        case walk(String, folder: String?, depth: Int)
        /// An entry of a plain folder, whose folder name depends on what it turns out to be.
        case entry(parent: String, name: String, folder: String?, depth: Int)
        case found(FoundContainer)
    }

    init() {}

    /// Queues `path` to be walked after whatever is still pending.
    mutating func add(_ path: String) {
        pending.insert(.walk(path, folder: nil, depth: 0), at: 0)
    }

    /// Every container under `path`, walked at once (after whatever is still pending).
    mutating func containers(of path: String) -> [FoundContainer] {
        add(path)
        var out: [FoundContainer] = []
        while let container = next() { out.append(container) }
        return out
    }

    /// The next container of the walk, or nil when everything added has been walked.
    mutating func next() -> FoundContainer? {
        while let step = pending.popLast() {
            switch step {
            case .found(let container):
                return container
            case .walk(let path, let folder, let depth):
                if let container = walk(path, folder: folder, depth: depth) { return container }
            case .entry(let parent, let name, let folder, let depth):
                let sub = parent + "/" + name
                var childFolder = folder
                if Self.isDirectory(sub) {
                    // Apple Mail: `Inbox.mbox/…/Messages/*.emlx`; the mailbox names the folder,
                    // the UUID and Data/Messages levels inside it do not.
                    if name.hasSuffix(".mbox") || name.hasSuffix(".imapmbox") {
                        let base = name.hasSuffix(".mbox") ? String(name.dropLast(5)) : String(name.dropLast(9))
                        childFolder = (folder.map { $0 + "/" } ?? "") + base
                    } else if folder == nil || !Self.insideAppleMailbox(folder!, parent) {
                        childFolder = (folder.map { $0 + "/" } ?? "") + name
                    }
                }
                if let container = walk(sub, folder: childFolder, depth: depth) { return container }
            }
        }
        return nil
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func names(in directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func isMaildir(_ directory: String) -> Bool {
        isDirectory(directory + "/cur") && isDirectory(directory + "/new")
    }

    /// A file's container, or nil for a folder (whose contents are queued) and for what is skipped.
    private mutating func walk(_ path: String, folder: String?, depth: Int) -> FoundContainer? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            warnings.append("\(path): cannot open: \(String(cString: strerror(errno))).")
            unreadable += 1
            return nil
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            return (info.st_mode & S_IFMT) == S_IFREG ? file(path, folder: folder) : nil
        }
        guard visited.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else {
            warnings.append("\(path): this folder was already walked (a symbolic link loops back to it); skipped.")
            return nil
        }
        guard depth < 64 else {
            warnings.append("\(path): folders nested deeper than 64 levels are not walked.")
            return nil
        }
        let names = Self.names(in: path)
        var steps: [Step] = []
        if Self.isMaildir(path) {
            steps.append(.found(.maildir(path, folder: folder ?? "INBOX")))
            // Maildir++: sub-folders are `.Name` and `.Name.Sub` beside cur/new/tmp.
            for name in names where name.hasPrefix(".") && name.count > 1 {
                let sub = path + "/" + name
                guard Self.isMaildir(sub) else { continue }
                let subFolder = name.dropFirst().split(separator: ".").joined(separator: "/")
                steps.append(.found(.maildir(sub, folder: folder.map { $0 + "/" + subFolder } ?? subFolder)))
            }
            for name in names where !["cur", "new", "tmp"].contains(name) && !name.hasPrefix(".") {
                let sub = path + "/" + name
                if Self.isDirectory(sub) {
                    steps.append(.walk(sub, folder: (folder.map { $0 + "/" } ?? "") + name, depth: depth + 1))
                }
            }
        } else {
            for name in names where !name.hasPrefix(".") {
                steps.append(.entry(parent: path, name: name, folder: folder, depth: depth + 1))
            }
        }
        pending.append(contentsOf: steps.reversed())
        return nil
    }

    /// Below an Apple Mail `.mbox` folder the folder name stays that of the mailbox.
    static func insideAppleMailbox(_ folder: String, _ path: String) -> Bool {
        path.split(separator: "/").contains { $0.hasSuffix(".mbox") || $0.hasSuffix(".imapmbox") }
    }

    private mutating func file(_ path: String, folder: String?) -> FoundContainer? {
        guard let head = Importer.head(path: path, count: 512) else {
            warnings.append("\(path): cannot read: \(String(cString: strerror(errno))).")
            unreadable += 1
            return nil
        }
        switch Self.sniff(head) {
        case .mbox: return .mbox(path, folder: folder)
        case .pst: return .pst(path, folder: folder)
        case .emlx: return .emlx(path, folder: folder)
        case .eml: return .eml(path, folder: folder)
        case .zip:
            let format = importer.detect(path: path)
            if format == .docx || format == .xlsx || (format == .zip && importer.packageFails(path: path)) { return .document(path) }
            skipped += 1
            return nil
        case .ole:
            // An Outlook .msg is mail. A password-protected Office file or a legacy .doc/.xls
            // is an item that fails with the reader's own words, never skipped without a word.
            if importer.detect(path: path) == .msg { return .msg(path, folder: folder) }
            return .document(path)
        case .other:
            skipped += 1
            return nil
        }
    }

    enum Sniffed { case mbox, pst, emlx, eml, zip, ole, other }

    /// What a file's first bytes say it is: Importer's detection, plus the two forms only a
    /// folder walk meets (an Office package to open, Apple Mail's `.emlx`).
    static func sniff(_ head: [UInt8]) -> Sniffed {
        var text = head[...]
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
        if text.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .zip }
        // emlx: a line holding only the message's byte count, then the message.
        let digits = text.prefix { $0 >= 0x30 && $0 <= 0x39 }
        if !digits.isEmpty, digits.count <= 12 {
            var rest = text.dropFirst(digits.count).drop { $0 == 0x20 || $0 == 0x09 }
            if rest.first == 0x0D { rest = rest.dropFirst() }
            if rest.first == 0x0A, Importer.detect(head: Array(rest.dropFirst())) == .mail { return .emlx }
        }
        switch Importer.detect(head: head) {
        case .oleCompound: return .ole
        case .pst: return .pst
        case .mbox: return .mbox
        case .mail: return .eml
        default: return .other
        }
    }
}

/// Whole-file reads and hashes, bounded, over one read loop.
package enum FileBytes {
    /// Whether `path` exists and is no regular file or folder — a character or block device,
    /// a FIFO or a socket, symbolic links followed. Output to such a path is written in
    /// place: putting a finished file in place with rename(2) would replace the device
    /// itself (`-o /dev/null` would leave a regular file at /dev/null).
    package static func isSpecial(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let kind = info.st_mode & S_IFMT
        return kind == S_IFCHR || kind == S_IFBLK || kind == S_IFIFO || kind == S_IFSOCK
    }

    /// Writes `bytes` to `path`: beside it and renamed into place (a reader never sees half
    /// a file, a failed write leaves the old one), or in place for a device or pipe.
    package static func replace(_ path: String, with bytes: [UInt8]) throws {
        if isSpecial(path) {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw BatchReadError(path: path, message: "cannot write: \(String(cString: strerror(errno))).") }
            defer { Glibc.close(fd) }
            var done = 0
            while done < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw BatchReadError(path: path, message: "cannot write: \(String(cString: strerror(errno))).") }
                done += n
            }
            return
        }
        let temporary = path + ".quire-tmp"
        let fd = open(temporary, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BatchReadError(path: temporary, message: "cannot open for writing: \(String(cString: strerror(errno))).") }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                Glibc.close(fd)
                unlink(temporary)
                throw BatchReadError(path: path, message: "cannot write: \(reason).")
            }
            done += n
        }
        fsync(fd)
        Glibc.close(fd)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw BatchReadError(path: path, message: "cannot put the file in place: \(reason).")
        }
    }

    /// Calls `body` with each piece of the file, in order.
    static func forEachChunk(_ path: String, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BatchReadError(path: path, message: "cannot open: \(String(cString: strerror(errno))).") }
        defer { close(fd) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw BatchReadError(path: path, message: "cannot read: \(String(cString: strerror(errno))).")
            }
            if n == 0 { return }
            try body(chunk[0..<n])
        }
    }

    /// The whole file; files over `limit` bytes are refused.
    static func read(_ path: String, limit: Int = 1 << 30) throws -> [UInt8] {
        var out: [UInt8] = []
        try forEachChunk(path) { piece in
            out.append(contentsOf: piece)
            if out.count > limit { throw BatchReadError(path: path, message: "larger than \(limit) bytes; not read.") }
        }
        return out
    }

    /// A stable hash of the file's content.
    static func contentHash(_ path: String) throws -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        var total: UInt64 = 0
        try forEachChunk(path) { piece in
            hash = Digest.fnv64(piece, seed: hash)
            total &+= UInt64(piece.count)
        }
        return Digest.hex(hash) + Digest.hex(total)
    }
}

/// A file of a source that could not be read.
public struct BatchReadError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// Why it could not be read.
    public var message: String
    public var description: String { "\(path): \(message)" }
}
