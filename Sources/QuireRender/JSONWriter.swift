/// Builds JSON text by appending, with keys in the order written (stable output).
///
/// Text is gathered as UTF-8 bytes: a large workbook is millions of small appends, which a
/// `String` makes several times slower.
package struct JSONWriter {
    private var bytes: [UInt8] = []
    /// What was written (since the last `takeOutput`).
    package var output: String { String(decoding: bytes, as: UTF8.self) }
    /// Its size in bytes.
    package var byteCount: Int { bytes.count }
    private var needsComma: [Bool] = [false]
    private let pretty: Bool

    package init(pretty: Bool = false) {
        self.pretty = pretty
    }

    private mutating func beforeValue() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    /// Whether anything was written (output may have been taken since).
    private var started = false

    /// A value that is already JSON text.
    package mutating func rawJSON(_ text: String) {
        valuePrefix()
        started = true
        bytes.append(contentsOf: text.utf8)
    }

    /// Text written as is (a final newline).
    package mutating func appendRaw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    /// What was written since the last call; the writer carries on where it was.
    package mutating func takeOutput() -> String {
        defer { bytes.removeAll(keepingCapacity: true) }
        return output
    }

    private mutating func newline() {
        if pretty && started {
            bytes.append(0x0A)
            bytes.append(contentsOf: repeatElement(0x20, count: 2 * (needsComma.count - 1)))
        }
    }

    package mutating func key(_ key: String) {
        beforeValue()
        newline()
        JSONWriter.appendString(key, to: &bytes)
        bytes.append(contentsOf: pretty ? [0x3A, 0x20] : [0x3A])
        needsComma[needsComma.count - 1] = false
        // The value that follows must not add a comma of its own.
        pendingKey = true
    }

    private var pendingKey = false

    private mutating func valuePrefix() {
        if pendingKey {
            pendingKey = false
            needsComma[needsComma.count - 1] = true
        } else {
            beforeValue()
            newline()
        }
    }

    package mutating func string(_ value: String) {
        valuePrefix()
        JSONWriter.appendString(value, to: &bytes)
    }

    package mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    package mutating func number(_ value: Int) {
        valuePrefix()
        bytes.append(contentsOf: String(value).utf8)
    }

    package mutating func number(_ value: Double) {
        valuePrefix()
        if value.isFinite {
            if value == value.rounded(), abs(value) < 1e15 {
                bytes.append(contentsOf: String(Int64(value)).utf8)
            } else {
                bytes.append(contentsOf: "\(value)".utf8)
            }
        } else {
            bytes.append(contentsOf: "null".utf8)
        }
    }

    package mutating func bool(_ value: Bool) {
        valuePrefix()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    package mutating func null() {
        valuePrefix()
        bytes.append(contentsOf: "null".utf8)
    }

    package mutating func beginObject() {
        valuePrefix()
        started = true
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    package mutating func endObject() {
        let hadMembers = needsComma.removeLast()
        if hadMembers { newline() }
        bytes.append(UInt8(ascii: "}"))
    }

    package mutating func beginArray() {
        valuePrefix()
        started = true
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    package mutating func endArray() {
        let hadMembers = needsComma.removeLast()
        if hadMembers { newline() }
        bytes.append(UInt8(ascii: "]"))
    }

    package mutating func field(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    package mutating func field(_ name: String, _ value: String?) {
        key(name)
        optionalString(value)
    }

    package mutating func field(_ name: String, _ value: Int) {
        key(name)
        number(value)
    }

    package mutating func field(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    package static func appendString(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { utf8 in
            out.append(UInt8(ascii: "\""))
            var plainStart = 0
            for i in 0..<utf8.count {
                let byte = utf8[i]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart..<i]))
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: [0x5C, 0x22])
                case UInt8(ascii: "\\"): out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
                case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
                case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                }
                plainStart = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainStart...]))
            out.append(UInt8(ascii: "\""))
        }
    }
}
