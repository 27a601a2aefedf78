#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The folders an MCP client may read from, and the check every path goes through: a
/// path (or a `file://` URI) is resolved — `..`, `.` and every symlink on the way — before it
/// is compared with the roots, themselves resolved; anything outside them, or that does not
/// exist, is refused with a message that says why. Nothing is ever written.
public struct Confinement: Sendable {
    /// The roots, resolved (absolute, no symlink, no trailing `/`).
    public let roots: [String]
    /// The largest file a call may read, in bytes.
    public var maxFileBytes: Int

    /// Why a path was refused.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// What was asked for and why it is refused.
        public var message: String
        /// The message.
        public var description: String { message }
    }

    /// Roots from paths (each must exist and be a folder).
    /// - Throws: ``Refusal`` for a root that does not exist or is not a folder.
    public init(roots given: [String], maxFileBytes: Int = 64 << 20) throws(Refusal) {
        var resolved: [String] = []
        for root in given {
            guard let real = Self.realPath(root), Self.isDirectory(real) else {
                throw Refusal(message: "root '\(root)' is not a folder that exists.")
            }
            resolved.append(real == "/" ? "" : real)
        }
        guard !resolved.isEmpty else { throw Refusal(message: "no root given: name the folders the client may read (quire mcp --root DIR).") }
        roots = resolved
        self.maxFileBytes = maxFileBytes
    }

    /// The real path of `path` (relative paths are taken from the first root), or a refusal.
    public func resolve(_ path: String) throws(Refusal) -> String {
        var text = path
        if text.hasPrefix("file://") {
            text = String(text.dropFirst(7))
            guard text.hasPrefix("/") else { throw Refusal(message: "'\(path)': only file:///absolute/path URIs are read.") }
            text = Self.percentDecoded(text)
        } else if text.contains("://") {
            throw Refusal(message: "'\(path)': only files under the roots are read, not other URIs.")
        }
        guard !text.isEmpty, !text.contains("\0") else { throw Refusal(message: "an empty path names no file.") }
        let absolute = text.hasPrefix("/") ? text : (roots[0].isEmpty ? "" : roots[0]) + "/" + text
        guard let real = Self.realPath(absolute) else { throw Refusal(message: "'\(path)' does not exist.") }
        guard roots.contains(where: { real == $0 || real.hasPrefix($0 + "/") || $0.isEmpty }) else {
            throw Refusal(message: "'\(path)' is outside the roots this server may read (\(roots.map { $0.isEmpty ? "/" : $0 }.joined(separator: ", "))).")
        }
        return real
    }

    /// A file to read: resolved, confined, a regular file within the size limit.
    public func file(_ path: String) throws(Refusal) -> String {
        let real = try resolve(path)
        var info = stat()
        guard stat(real, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw Refusal(message: "'\(path)' is not a regular file.") }
        guard Int(info.st_size) <= maxFileBytes else {
            throw Refusal(message: "'\(path)' is \(info.st_size) bytes, more than this server reads in one call (\(maxFileBytes)).")
        }
        return real
    }

    static func realPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// `%20` and the like decoded; an invalid escape is kept as written.
    static func percentDecoded(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.first {
            utf8 = utf8.dropFirst()
            if byte == UInt8(ascii: "%"), utf8.count >= 2, let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The readable files under the roots (office and mail files by their extension),
    /// symlinks not followed, at most `limit`, sorted.
    public func files(limit: Int = 500) -> [String] {
        let kinds: Set<String> = ["docx", "xlsx", "eml", "msg", "mbox", "pst", "txt", "md"]
        var out: [String] = []
        func walk(_ dir: String, depth: Int) {
            guard depth < 12, out.count < limit, let handle = opendir(dir.isEmpty ? "/" : dir) else { return }
            defer { closedir(handle) }
            var names: [String] = []
            while let entry = readdir(handle) {
                let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
                if name != "." && name != ".." && !name.hasPrefix(".") { names.append(name) }
            }
            for name in names.sorted() where out.count < limit {
                let path = dir + "/" + name
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: walk(path, depth: depth + 1)
                case S_IFREG:
                    if let dot = name.lastIndex(of: "."), kinds.contains(name[name.index(after: dot)...].lowercased()) { out.append(path) }
                default: continue
                }
            }
        }
        for root in roots { walk(root, depth: 0) }
        return out
    }
}
