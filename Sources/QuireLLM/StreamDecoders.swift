/// One server-sent event.
public struct SSEEvent: Sendable, Equatable {
    public var event: String?
    public var data: String
    public var id: String?

    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}

/// Incremental decoder for `text/event-stream` (the WHATWG server-sent events format)
/// over bytes as they arrive: lines end in LF, CR LF or CR; `data:` lines join with LF;
/// a blank line dispatches the event; `:` lines are comments; a leading byte order mark is
/// skipped. An event is handed out as soon as its blank line arrives, never later.
public struct SSEDecoder: Sendable {
    /// A line longer than this is an error (a hostile or broken server).
    public var maxLineBytes: Int
    private var line: [UInt8] = []
    private var sawCR = false
    private var started = false
    private var event: String?
    private var data: [String] = []
    private var hasData = false
    private var id: String?

    public struct LineTooLong: Error {}

    public init(maxLineBytes: Int = 4 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds bytes; returns the events they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [SSEEvent] {
        var events: [SSEEvent] = []
        for byte in bytes {
            if byte == 0x0A {
                if sawCR {
                    sawCR = false
                    continue  // the LF of a CR LF
                }
                if let event = endLine() { events.append(event) }
            } else if byte == 0x0D {
                sawCR = true
                if let event = endLine() { events.append(event) }
            } else {
                sawCR = false
                line.append(byte)
                if line.count > maxLineBytes { throw LineTooLong() }
            }
        }
        return events
    }

    /// Whether part of an event has arrived without its blank line (a stream cut mid-event).
    public var hasPartialEvent: Bool { !line.isEmpty || hasData || event != nil }

    private mutating func endLine() -> SSEEvent? {
        var bytes = line
        line.removeAll(keepingCapacity: true)
        if !started {
            started = true
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }  // a byte order mark
        }
        if bytes.isEmpty {
            // Dispatch.
            defer {
                event = nil
                data = []
                hasData = false
            }
            guard hasData else { return nil }
            return SSEEvent(event: event, data: data.joined(separator: "\n"), id: id)
        }
        if bytes.first == UInt8(ascii: ":") { return nil }
        let field: [UInt8]
        var value: ArraySlice<UInt8>
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            field = Array(bytes[..<colon])
            value = bytes[(colon + 1)...]
            if value.first == 0x20 { value = value.dropFirst() }
        } else {
            field = bytes
            value = []
        }
        let text = String(decoding: value, as: UTF8.self)
        switch String(decoding: field, as: UTF8.self) {
        case "data":
            data.append(text)
            hasData = true
        case "event":
            event = text
        case "id":
            id = text
        default:
            break
        }
        return nil
    }
}

/// Incremental decoder for newline-delimited JSON: hands out each complete line.
public struct NDJSONDecoder: Sendable {
    public var maxLineBytes: Int
    private var line: [UInt8] = []

    public init(maxLineBytes: Int = 4 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    public mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for byte in bytes {
            if byte == 0x0A {
                if line.last == 0x0D { line.removeLast() }
                if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { lines.append(line) }
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
                if line.count > maxLineBytes { throw SSEDecoder.LineTooLong() }
            }
        }
        return lines
    }

    /// What is left at the end of the stream (a last line without its newline).
    public mutating func finish() -> [UInt8]? {
        defer { line = [] }
        return line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) ? nil : line
    }

    public var hasPartialLine: Bool { !line.isEmpty }
}
