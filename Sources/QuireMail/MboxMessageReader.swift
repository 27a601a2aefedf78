public import QuireModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The messages of an mbox file, pulled one at a time: `while let entry = try messages.next() { … }`.
///
/// The file is read in pieces of 1 MiB as the messages asked for need them, on the calling
/// thread: memory stays flat for any mailbox size (one piece and the messages it completed),
/// and a caller that stops early reads no further. The same messages, in the same order, as
/// ``MboxReader/forEachMessage(path:_:)`` gives. Get one from ``MboxReader/messages(path:)``.
public final class MboxMessageReader {
    /// The file, for errors.
    public let path: String
    private var fd: Int32
    private var splitter: MboxSplitter
    private var queue: [MboxReader.Entry] = []
    private var head = 0
    private var finished = false
    private var chunk = [UInt8](repeating: 0, count: 1 << 20)

    init(path: String, maxMessageBytes: Int) throws(DocumentError) {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw DocumentError(.io, file: path, message: "cannot open the file: \(String(cString: strerror(errno))).")
        }
        splitter = MboxSplitter(maxMessageBytes: maxMessageBytes)
    }

    deinit { closeFile() }

    private func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    /// The next message, or nil after the last one.
    /// - Throws: `DocumentError` when the file cannot be read.
    public func next() throws(DocumentError) -> MboxReader.Entry? {
        while head == queue.count {
            if finished { return nil }
            queue.removeAll(keepingCapacity: true)
            head = 0
            try advance()
        }
        let entry = queue[head]
        head += 1
        return entry
    }

    /// Reads the next piece of the file (or ends it), queueing the messages it completes.
    private func advance() throws(DocumentError) {
        var n: Int
        repeat {
            n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        } while n < 0 && errno == EINTR
        if n < 0 {
            let reason = String(cString: strerror(errno))
            finished = true
            closeFile()
            throw DocumentError(.io, file: path, message: "cannot read the file: \(reason).")
        }
        if n == 0 {
            finished = true
            closeFile()
            splitter.finishAll { queue.append($0) }
            chunk = []
        } else {
            splitter.feedAll(chunk[0..<n]) { queue.append($0) }
        }
    }
}

extension MboxReader {
    /// A pull reader over the messages of the mbox at `path`; see ``MboxMessageReader``.
    /// - Throws: `DocumentError` when the file cannot be opened.
    public func messages(path: String) throws(DocumentError) -> MboxMessageReader {
        try MboxMessageReader(path: path, maxMessageBytes: maxMessageBytes)
    }
}
