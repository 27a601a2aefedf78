#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The results file (JSON Lines), kept equal to the lines the ledger has committed.
///
/// Opening it reconciles the two: when the file ends exactly where a committed line ends
/// and holds that line, the lines committed after it are appended (a run killed between
/// its commit and its write); otherwise — a torn last line, a file edited or lost — it is
/// written anew from the ledger into a temporary file that is renamed over it. Appends
/// then follow commits, one `write` per group of lines.
public final class ResultsFile {
    /// The results file.
    public let path: String
    private var fd: Int32

    /// Opens the results file at `path`, first reconciling it with `ledger` (see above).
    /// - Throws: when the file cannot be read, written or renamed.
    public init(path: String, ledger: BatchLedger) throws {
        self.path = path
        try Self.reconcile(path: path, ledger: ledger)
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BatchReadError(path: path, message: "cannot open for writing: \(String(cString: strerror(errno))).") }
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    /// Appends bytes already committed to the ledger.
    public func append(_ bytes: [UInt8]) throws {
        try Self.write(bytes, to: fd, path: path)
    }

    /// All of `bytes`, however many `write` calls it takes.
    static func write(_ bytes: [UInt8], to fd: Int32, path: String) throws {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw BatchReadError(path: path, message: "cannot write: \(String(cString: strerror(errno))).")
            }
            written += n
        }
    }

    /// Flushes the file to disk (`fsync`) and closes it.
    public func close() {
        if fd >= 0 {
            fsync(fd)
            Glibc.close(fd)
            fd = -1
        }
    }

    static func size(_ path: String) -> Int? {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : nil
    }

    /// The last `count` bytes before `end` of the file.
    static func bytes(_ path: String, end: Int, count: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: count)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(end - count)) }
        return n == count ? buffer : nil
    }

    static func reconcile(path: String, ledger: BatchLedger) throws {
        let expected = try ledger.outputEnd()
        let size = self.size(path) ?? -1
        if size == expected && expected == 0 { return }
        if size >= 0 && size <= expected {
            // The file must end on a committed line and hold it.
            let boundary = size == 0 ? "" : try ledger.line(endingAt: size)
            if let boundary, size == 0 || bytes(path, end: size, count: boundary.utf8.count) == Array(boundary.utf8) {
                guard size < expected else { return }
                let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw BatchReadError(path: path, message: "cannot open for writing: \(String(cString: strerror(errno))).") }
                defer { Glibc.close(fd) }
                try copy(ledger, after: size, to: fd, path: path)
                fsync(fd)
                return
            }
        }
        // Write the whole file anew beside it, then put it in place (a device or pipe in place).
        let temporary = FileBytes.isSpecial(path) ? path : path + ".quire-tmp"
        let fd = open(temporary, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BatchReadError(path: temporary, message: "cannot open for writing: \(String(cString: strerror(errno))).") }
        do {
            try copy(ledger, after: 0, to: fd, path: temporary)
            fsync(fd)
            Glibc.close(fd)
        } catch {
            Glibc.close(fd)
            if temporary != path { unlink(temporary) }
            throw error
        }
        guard temporary == path || rename(temporary, path) == 0 else {
            throw BatchReadError(path: path, message: "cannot replace the results file: \(String(cString: strerror(errno))).")
        }
    }

    private static func copy(_ ledger: BatchLedger, after start: Int, to fd: Int32, path: String) throws {
        var end = start
        while true {
            let page = try ledger.lines(after: end, limit: 2_000)
            guard !page.isEmpty else { return }
            var bytes: [UInt8] = []
            for (lineEnd, line) in page {
                bytes.append(contentsOf: line.utf8)
                end = lineEnd
            }
            try write(bytes, to: fd, path: path)
        }
    }
}
