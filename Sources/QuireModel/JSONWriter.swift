/// Builds JSON text by appending, with keys in the order written (stable output).
package struct JSONWriter {
    package private(set) var output = ""
    private var needsComma: [Bool] = [false]
    private let pretty: Bool

    package init(pretty: Bool = false) {
        self.pretty = pretty
    }

    private mutating func beforeValue() {
        if needsComma[needsComma.count - 1] { output += "," }
        needsComma[needsComma.count - 1] = true
    }

    /// Whether anything was written (output may have been taken since).
    private var started = false

    /// Text written as is (a final newline).
    package mutating func appendRaw(_ text: String) { output += text }

    /// What was written since the last call; the writer carries on where it was.
    package mutating func takeOutput() -> String {
        defer { output = "" }
        return output
    }

    private mutating func newline() {
        if pretty && started {
            output += "\n" + String(repeating: "  ", count: needsComma.count - 1)
        }
    }

    package mutating func key(_ key: String) {
        beforeValue()
        newline()
        JSONWriter.appendString(key, to: &output)
        output += pretty ? ": " : ":"
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
        JSONWriter.appendString(value, to: &output)
    }

    package mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    package mutating func number(_ value: Int) {
        valuePrefix()
        output += String(value)
    }

    package mutating func number(_ value: Double) {
        valuePrefix()
        if value.isFinite {
            if value == value.rounded(), abs(value) < 1e15 {
                output += String(Int64(value))
            } else {
                output += "\(value)"
            }
        } else {
            output += "null"
        }
    }

    package mutating func bool(_ value: Bool) {
        valuePrefix()
        output += value ? "true" : "false"
    }

    package mutating func null() {
        valuePrefix()
        output += "null"
    }

    package mutating func beginObject() {
        valuePrefix()
        started = true
        output += "{"
        needsComma.append(false)
    }

    package mutating func endObject() {
        let hadMembers = needsComma.removeLast()
        if hadMembers { newline() }
        output += "}"
    }

    package mutating func beginArray() {
        valuePrefix()
        started = true
        output += "["
        needsComma.append(false)
    }

    package mutating func endArray() {
        let hadMembers = needsComma.removeLast()
        if hadMembers { newline() }
        output += "]"
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

    package static func appendString(_ value: String, to out: inout String) {
        out += "\""
        var plainStart = value.utf8.startIndex
        let utf8 = value.utf8
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let byte = utf8[i]
            if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out += String(value[plainStart..<i])
                switch byte {
                case UInt8(ascii: "\""): out += "\\\""
                case UInt8(ascii: "\\"): out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                default:
                    let hex = String(byte, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                }
                plainStart = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        out += String(value[plainStart..<utf8.endIndex])
        out += "\""
    }
}
