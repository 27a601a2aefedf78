/// One server-sent event.
package struct SSEEvent: Sendable, Equatable {
    package var event: String?
    package var data: String
    package var id: String?

    package init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }
}

/// Incremental decoder for `text/event-stream` (the WHATWG server-sent events format)
/// over bytes as they arrive: lines end in LF, CR LF or CR; `data:` lines join with LF;
/// a blank line dispatches the event; `:` lines are comments; a leading byte order mark is
/// skipped. An event is handed out as soon as its blank line arrives, never later.
package struct SSEDecoder: Sendable {
    /// A line longer than this is an error (a hostile or broken server).
    package var maxLineBytes: Int
    private var line: [UInt8] = []
    private var sawCR = false
    private var started = false
    private var event: String?
    private var data: [String] = []
    private var hasData = false
    private var id: String?

    package struct LineTooLong: Error {}

    package init(maxLineBytes: Int = 4 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    /// Feeds bytes; returns the events they complete.
    package mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [SSEEvent] {
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
    package var hasPartialEvent: Bool { !line.isEmpty || hasData || event != nil }

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
package struct NDJSONDecoder: Sendable {
    package var maxLineBytes: Int
    private var line: [UInt8] = []

    package init(maxLineBytes: Int = 4 << 20) {
        self.maxLineBytes = maxLineBytes
    }

    package mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [[UInt8]] {
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
    package mutating func finish() -> [UInt8]? {
        defer { line = [] }
        return line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) ? nil : line
    }

    package var hasPartialLine: Bool { !line.isEmpty }
}
