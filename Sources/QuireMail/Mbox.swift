import QuireModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits an mbox file into messages, streaming: memory holds one message at a time
/// (plus a read buffer), whatever the size of the file.
///
/// Separators are `From ` lines at the start of the file or after a blank line that look
/// like envelope lines (a sender, then a date with a time or a year: `From ada@x Mon Jan 1
/// 10:00:00 2024`, Gmail Takeout's `From 1234567@xxx …`, Thunderbird's `From - …`), so a
/// body line such as "From Russia with love" does not split a message. When a message
/// states a `Content-Length` (mboxcl2) that lands on the next separator or the end of the
/// file, it is trusted. Body lines escaped as `>From ` (mboxo/mboxrd) lose one `>`. CRLF
/// files and a byte order mark are handled.
public struct MboxReader: Sendable {
    /// One message of the mbox, with its place in the file.
    public struct Entry: Sendable {
        /// 0-based position in the mbox.
        public var index: Int
        /// Byte offset of the message's `From ` line.
        public var offset: Int
        /// The `From ` line, without its line ending.
        public var envelope: String
        /// The message bytes (envelope line removed, `>From ` unescaped).
        public var bytes: [UInt8]
        /// Bytes of the message past `maxMessageBytes`, not kept (0 for a whole message).
        public var droppedBytes = 0

        /// The warning a message cut at the size limit carries.
        public var truncationWarning: String? {
            guard droppedBytes > 0 else { return nil }
            return MailReader.Limits.truncationWarning(size: bytes.count + droppedBytes, kept: bytes.count)
        }
    }

    /// Bytes kept of one message; the rest of a longer one is skipped and counted.
    public var maxMessageBytes: Int

    /// A reader that keeps at most `maxMessageBytes` of one message.
    public init(maxMessageBytes: Int = MailReader.Limits.defaultMessageBytes) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Calls `body` with each message in order.
    /// - Throws: `DocumentError` when the file cannot be read, or what `body` throws.
    public func forEachMessage(path: String, _ body: (Entry) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw DocumentError(.io, file: path, message: "cannot open the file: \(String(cString: strerror(errno))).")
        }
        defer { close(fd) }
        var splitter = MboxSplitter(maxMessageBytes: maxMessageBytes)
        try Self.readChunks(fd, path: path, first: 1 << 20) { try splitter.feed($0, body) }
        try splitter.finish(body)
    }

    /// Reads `fd` to its end in pieces of `first` bytes, or growing pieces with `growing`.
    static func readChunks(_ fd: Int32, path: String, first: Int, growing: Bool = false, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        var chunk = [UInt8](repeating: 0, count: first)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw DocumentError(.io, file: path, message: "cannot read the file: \(String(cString: strerror(errno))).")
            }
            if n == 0 { return }
            try body(chunk[0..<n])
            if growing && chunk.count < 1 << 20 { chunk = [UInt8](repeating: 0, count: chunk.count * 2) }
        }
    }

    /// The message whose `From ` line starts at byte `offset` (as `Entry.offset` gave it),
    /// read without going through the messages before it; nil when none starts there.
    /// - Throws: `DocumentError` when the file cannot be read.
    public func message(path: String, at offset: Int) throws -> Entry? {
        try message(path: path, at: offset, sizeHint: nil)
    }

    /// As `message(path:at:)`; `sizeHint` (the message's size, when a first pass knows it)
    /// sizes the first read, so a small message costs one small read.
    package func message(path: String, at offset: Int, sizeHint: Int?) throws -> Entry? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw DocumentError(.io, file: path, message: "cannot open the file: \(String(cString: strerror(errno))).")
        }
        defer { close(fd) }
        guard lseek(fd, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw DocumentError(.io, file: path, message: "cannot go to byte \(offset): \(String(cString: strerror(errno))).")
        }
        struct Found: Error { var entry: Entry }
        var splitter = MboxSplitter(maxMessageBytes: maxMessageBytes)
        do {
            // Most messages are a few KB: read little first, more while the message goes on.
            let first = sizeHint.map { min(max($0 + 1_024, 4_096), 1 << 20) } ?? 1 << 14
            try Self.readChunks(fd, path: path, first: first, growing: true) { piece in try splitter.feed(piece) { throw Found(entry: $0) } }
            try splitter.finish { throw Found(entry: $0) }
        } catch let found as Found {
            var entry = found.entry
            entry.offset += offset
            return entry
        }
        return nil
    }

    /// The messages of an mbox held in memory.
    public func messages(in bytes: [UInt8]) -> [Entry] {
        var splitter = MboxSplitter(maxMessageBytes: maxMessageBytes)
        var entries: [Entry] = []
        splitter.feedAll(bytes[...]) { entries.append($0) }
        splitter.finishAll { entries.append($0) }
        return entries
    }

    static let fromPrefix: [UInt8] = Array("From ".utf8)

    /// Whether `line` (without its line ending) is an envelope line: `From ` then a sender
    /// that is an address, `-` (Thunderbird) or MAILER-DAEMON, or anything followed by a
    /// date with a time or a year. "From Russia with love" in a body is not one.
    static func isEnvelope(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.count >= 5, line.starts(with: fromPrefix) else { return false }
        let rest = line.dropFirst(5)
        let sender = rest.prefix { $0 != 0x20 && $0 != 0x09 }
        if sender.elementsEqual("-".utf8) || sender.contains(UInt8(ascii: "@")) || sender.elementsEqual("MAILER-DAEMON".utf8) {
            return true
        }
        // A time (hh:mm) or a four-digit year after the sender.
        var digits = 0
        for byte in rest.dropFirst(sender.count) {
            if byte >= 0x30 && byte <= 0x39 {
                digits += 1
                if digits == 4 { return true }
            } else {
                if byte == UInt8(ascii: ":") && digits >= 1 && digits <= 2 { return true }
                digits = 0
            }
        }
        return false
    }
}

/// The splitting state: bytes of the message being gathered, line by line.
struct MboxSplitter {
    private var pending: [UInt8] = []
    private var current: [UInt8] = []
    private var envelope: String?
    private var envelopeOffset = 0
    private var offset = 0
    private var index = 0
    private var previousBlank = true
    private var first = true
    private var headerDone = false
    /// Whether Content-Length may hold a split back (not when re-splitting a message whose
    /// stated length proved wrong).
    var trustLength = true
    /// Where the current message's stated Content-Length ends, in `current`'s bytes.
    private var statedEnd: Int?
    /// Bytes kept per message, and how many of the current one were not.
    let maxMessageBytes: Int
    private var dropped = 0
    /// Whether the bytes before the next line end continue a line already taken: a line too
    /// long to wait for is taken in pieces, so a file with no line ends is not held.
    private var midLine = false
    /// An unfinished line longer than this is taken as it is (no envelope line is so long).
    static let longestWaitingLine = 1 << 16

    init(maxMessageBytes: Int = MailReader.Limits.defaultMessageBytes) {
        self.maxMessageBytes = maxMessageBytes
    }

    mutating func feed(_ bytes: ArraySlice<UInt8>, _ body: (MboxReader.Entry) throws -> Void) throws {
        pending.append(contentsOf: bytes)
        let consumed = try scan(pending, body)
        pending.removeFirst(consumed)  // the scan's reference is gone: no copy
    }

    /// Splits the complete lines of `buffer` and returns how many bytes they take. Only
    /// lines that start with F (an envelope?), > (an escaped From?) or a line end (a blank
    /// line) need a look; runs of other lines are appended to the message at once.
    private mutating func scan(_ buffer: [UInt8], _ body: (MboxReader.Entry) throws -> Void) throws -> Int {
        try buffer.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return 0 }
            var start = 0
            var runStart = 0
            if midLine {
                // The rest of a long line, up to its end.
                guard let hit = memchr(base, 0x0A, bytes.count) else {
                    appendRun(buffer[...])
                    return bytes.count
                }
                let newline = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                appendRun(buffer[...newline])
                midLine = false
                start = newline + 1
                runStart = start
            }
            while start < bytes.count {
                guard let hit = memchr(base + start, 0x0A, bytes.count - start) else { break }
                let newline = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                let b = bytes[start]
                if first || b == UInt8(ascii: "F") || b == UInt8(ascii: ">") || b == 0x0A || b == 0x0D {
                    if runStart < start { appendRun(buffer[runStart..<start]) }
                    try line(buffer[start...newline], body)
                    runStart = newline + 1
                }
                start = newline + 1
            }
            if runStart < start { appendRun(buffer[runStart..<start]) }
            if bytes.count - start > Self.longestWaitingLine {
                // A line with no end in sight: take what there is, and the rest as it comes.
                try line(buffer[start...], body, complete: false)
                midLine = true
                return bytes.count
            }
            return start
        }
    }

    /// Ordinary lines (none blank, none starting with F or >), appended as they are.
    private mutating func appendRun(_ run: ArraySlice<UInt8>) {
        offset += run.count
        keep(run)
        previousBlank = false
    }

    /// Adds bytes to the message, up to the size limit; past it they are only counted.
    private mutating func keep(_ bytes: ArraySlice<UInt8>) {
        let room = maxMessageBytes - current.count
        if bytes.count <= room {
            current.append(contentsOf: bytes)
        } else {
            if room > 0 { current.append(contentsOf: bytes.prefix(room)) }
            dropped += bytes.count - max(0, room)
        }
    }

    mutating func finish(_ body: (MboxReader.Entry) throws -> Void) throws {
        if !pending.isEmpty {
            if midLine { appendRun(pending[...]) } else { try line(pending[...], body) }
            pending = []
        }
        try emit(body)
    }

    mutating func feedAll(_ bytes: ArraySlice<UInt8>, _ body: (MboxReader.Entry) -> Void) {
        try? feed(bytes, body)
    }

    mutating func finishAll(_ body: (MboxReader.Entry) -> Void) {
        try? finish(body)
    }

    /// One line, with its line ending (or the start of one too long to wait for, when not
    /// `complete`: never an envelope line).
    private mutating func line(_ raw: ArraySlice<UInt8>, _ body: (MboxReader.Entry) throws -> Void, complete: Bool = true) throws {
        var line = raw
        let lineOffset = offset
        offset += raw.count
        if first {
            first = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
        }
        var content = line
        if content.last == 0x0A { content = content.dropLast() }
        if content.last == 0x0D { content = content.dropLast() }
        // Past the size limit the stated length can no longer be checked against the bytes: envelope lines split.
        let insideStatedLength = trustLength && dropped == 0 && (statedEnd.map { current.count < $0 } ?? false)
        if complete && MboxReader.isEnvelope(content) && !insideStatedLength {
            try emit(body, atSeparator: true)
            envelope = String(decoding: content, as: UTF8.self)
            envelopeOffset = lineOffset
            previousBlank = false
            return
        }
        previousBlank = content.isEmpty
        if envelope == nil && current.isEmpty && content.isEmpty { return }  // blank lines before the first message
        // >From, >>From … lose one '>'.
        if content.first == UInt8(ascii: ">") {
            let unquoted = content.drop { $0 == UInt8(ascii: ">") }
            if unquoted.starts(with: MboxReader.fromPrefix) { line = line.dropFirst() }
        }
        keep(line)
        if !headerDone && content.isEmpty {
            headerDone = true
            if let length = MboxSplitter.contentLength(current) { statedEnd = current.count + length }
        }
    }

    /// A `Content-Length` field in a header block.
    static func contentLength(_ header: [UInt8]) -> Int? {
        // Case-insensitive: the field name is lower-cased into a copy only where a line starts with c/C.
        var k = -1
        header.withUnsafeBufferPointer { bytes in
            var lineStart = 0
            while lineStart < bytes.count {
                if bytes.count - lineStart >= 15, bytes[lineStart] | 0x20 == UInt8(ascii: "c") {
                    let name = bytes[lineStart..<(lineStart + 15)].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
                    if name.elementsEqual("content-length:".utf8) {
                        k = lineStart + 15
                        return
                    }
                }
                guard let newline = memchr(bytes.baseAddress! + lineStart, 0x0A, bytes.count - lineStart) else { return }
                lineStart = UnsafeRawPointer(newline) - UnsafeRawPointer(bytes.baseAddress!) + 1
            }
        }
        guard k >= 0 else { return nil }
        while k < header.count, header[k] == 0x20 || header[k] == 0x09 { k += 1 }
        var value = 0
        var digits = 0
        while k < header.count, header[k] >= 0x30, header[k] <= 0x39, digits < 12 {
            value = value * 10 + Int(header[k] - 0x30)
            k += 1
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    private mutating func emit(_ body: (MboxReader.Entry) throws -> Void, atSeparator: Bool = false) throws {
        defer {
            current = []
            envelope = nil
            headerDone = false
            statedEnd = nil
            dropped = 0
        }
        guard envelope != nil || current.contains(where: { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 }) else { return }
        if let statedEnd, trustLength, dropped == 0, abs(current.count - statedEnd) > 2 {
            // The stated length held back splits but does not fit the message: split again
            // by envelope lines alone.
            var inner = MboxSplitter(maxMessageBytes: maxMessageBytes)
            inner.trustLength = false
            inner.first = false
            inner.offset = envelopeOffset
            inner.index = index
            let whole = Array((envelope ?? "").utf8) + [0x0A] + current
            try inner.feed(whole[...], body)
            try inner.finish(body)
            index = inner.index
            return
        }
        var bytes = current
        if let statedEnd, trustLength, statedEnd <= bytes.count {
            bytes.removeSubrange(statedEnd...)  // exactly the stated length
        } else if atSeparator {
            // The blank line before the next envelope belongs to the separator.
            if bytes.last == 0x0A { bytes.removeLast() }
            if bytes.last == 0x0D { bytes.removeLast() }
        }
        try body(MboxReader.Entry(index: index, offset: envelopeOffset, envelope: envelope ?? "", bytes: bytes, droppedBytes: dropped))
        index += 1
    }
}
