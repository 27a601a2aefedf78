import QuireModel

/// The markup of a small XML part (document.xml, comments.xml, a relationships part) as
/// tokens that know their byte ranges, so that a change can be spliced into the original
/// bytes and everything around it stays as it was. Only what editing needs: tags with their
/// attributes, text, and the rest (comments, processing instructions) passed over. A
/// document type declaration is refused (OOXML parts have none; it is how entity attacks
/// start), and so is anything malformed, with the line where it is.
struct PartXML {
    struct Token {
        enum Kind: Equatable { case start, end, empty, text, other }
        var kind: Kind
        /// The token's bytes in the part.
        var range: Range<Int>
        /// The qualified name of a tag (`w:p`); empty for text and other tokens.
        var name: String = ""
        /// A tag's attributes in order, values with their entities resolved.
        var attributes: [(name: String, value: String)] = []
        /// CDATA text is raw; other text has entity references.
        var isCDATA = false

        func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }
    }

    struct Malformed: Error {
        var message: String
        var line: Int
    }

    let bytes: [UInt8]
    private(set) var tokens: [Token] = []
    /// For each start tag, the index of its end tag (and each token's own index otherwise).
    private var matching: [Int] = []

    init(_ bytes: [UInt8]) throws(Malformed) {
        self.bytes = bytes
        var i = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        let n = bytes.count
        while i < n {
            if bytes[i] != UInt8(ascii: "<") {
                var j = i
                while j < n && bytes[j] != UInt8(ascii: "<") { j += 1 }
                tokens.append(Token(kind: .text, range: i..<j))
                i = j
                continue
            }
            if matches("<!--", at: i) {
                let end = try find("-->", from: i + 4, what: "a comment", start: i)
                tokens.append(Token(kind: .other, range: i..<end))
                i = end
            } else if matches("<![CDATA[", at: i) {
                let end = try find("]]>", from: i + 9, what: "a CDATA section", start: i)
                tokens.append(Token(kind: .text, range: i..<end, isCDATA: true))
                i = end
            } else if matches("<?", at: i) {
                let end = try find("?>", from: i + 2, what: "a processing instruction", start: i)
                tokens.append(Token(kind: .other, range: i..<end))
                i = end
            } else if matches("<!", at: i) {
                throw Malformed(message: "a document type declaration, which OOXML parts never have, is refused", line: line(at: i))
            } else {
                let token = try tag(at: i)
                tokens.append(token)
                i = token.range.upperBound
            }
        }
        try checkNesting()
    }

    /// End tags match their start tags, every element is closed, and text holds only
    /// references XML defines; `matching` pairs the tags.
    private mutating func checkNesting() throws(Malformed) {
        matching = Array(tokens.indices)
        var open: [Int] = []
        for (index, token) in tokens.enumerated() {
            switch token.kind {
            case .start: open.append(index)
            case .end:
                guard let top = open.popLast(), tokens[top].name == token.name else {
                    throw Malformed(message: "the end tag </\(token.name)> does not match the element open there", line: line(at: token.range.lowerBound))
                }
                matching[top] = index
            case .text where !token.isCDATA:
                _ = try Self.unescape(bytes[token.range], line: line(at: token.range.lowerBound))
            default: break
            }
        }
        if let top = open.last { throw Malformed(message: "the element <\(tokens[top].name)> is not closed", line: line(at: tokens[top].range.lowerBound)) }
    }

    private func matches(_ literal: StaticString, at i: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { buffer in
            for k in 0..<count where bytes[i + k] != buffer[k] { return false }
            return true
        }
    }

    /// The offset just past `literal`, searching from `from`.
    private func find(_ literal: StaticString, from: Int, what: String, start: Int) throws(Malformed) -> Int {
        var i = from
        while i < bytes.count {
            if matches(literal, at: i) { return i + literal.utf8CodeUnitCount }
            i += 1
        }
        throw Malformed(message: "\(what) is not closed", line: line(at: start))
    }

    func line(at offset: Int) -> Int {
        var line = 1
        for k in 0..<min(offset, bytes.count) where bytes[k] == 0x0A { line += 1 }
        return line
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    private func tag(at start: Int) throws(Malformed) -> Token {
        var i = start + 1
        let closing = i < bytes.count && bytes[i] == UInt8(ascii: "/")
        if closing { i += 1 }
        let nameStart = i
        while i < bytes.count, !Self.isSpace(bytes[i]), bytes[i] != UInt8(ascii: ">"), bytes[i] != UInt8(ascii: "/") { i += 1 }
        guard i > nameStart else { throw Malformed(message: "a tag has no name", line: line(at: start)) }
        var token = Token(kind: closing ? .end : .start, range: start..<start, name: String(decoding: bytes[nameStart..<i], as: UTF8.self))
        while true {
            while i < bytes.count, Self.isSpace(bytes[i]) { i += 1 }
            guard i < bytes.count else { throw Malformed(message: "the tag <\(token.name)> is not closed", line: line(at: start)) }
            if bytes[i] == UInt8(ascii: ">") {
                token.range = start..<(i + 1)
                return token
            }
            if bytes[i] == UInt8(ascii: "/"), !closing, i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") {
                token.kind = .empty
                token.range = start..<(i + 2)
                return token
            }
            guard !closing else { throw Malformed(message: "the end tag </\(token.name)> has attributes", line: line(at: start)) }
            let attributeStart = i
            while i < bytes.count, !Self.isSpace(bytes[i]), bytes[i] != UInt8(ascii: "="), bytes[i] != UInt8(ascii: ">") { i += 1 }
            let name = String(decoding: bytes[attributeStart..<i], as: UTF8.self)
            while i < bytes.count, Self.isSpace(bytes[i]) { i += 1 }
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else {
                throw Malformed(message: "the attribute \(name) of <\(token.name)> has no value", line: line(at: start))
            }
            i += 1
            while i < bytes.count, Self.isSpace(bytes[i]) { i += 1 }
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                throw Malformed(message: "the attribute \(name) of <\(token.name)> is not quoted", line: line(at: start))
            }
            let quote = bytes[i]
            i += 1
            let valueStart = i
            while i < bytes.count, bytes[i] != quote {
                guard bytes[i] != UInt8(ascii: "<") else {
                    throw Malformed(message: "the attribute \(name) of <\(token.name)> holds '<'", line: line(at: start))
                }
                i += 1
            }
            guard i < bytes.count else { throw Malformed(message: "the attribute \(name) of <\(token.name)> is not closed", line: line(at: start)) }
            token.attributes.append((name, try Self.unescape(bytes[valueStart..<i], line: line(at: start))))
            i += 1
        }
    }

    /// The text of a text token: entity and character references resolved (CDATA as is).
    func text(_ token: Token) throws(Malformed) -> String {
        if token.isCDATA { return String(decoding: bytes[(token.range.lowerBound + 9)..<(token.range.upperBound - 3)], as: UTF8.self) }
        return try Self.unescape(bytes[token.range], line: line(at: token.range.lowerBound))
    }

    /// Bytes with the five predefined entities and character references resolved; any
    /// other reference is an error (a DTD would be needed to define it).
    static func unescape(_ slice: ArraySlice<UInt8>, line: Int) throws(Malformed) -> String {
        guard slice.contains(UInt8(ascii: "&")) else { return String(decoding: slice, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(slice.count)
        var i = slice.startIndex
        while i < slice.endIndex {
            guard slice[i] == UInt8(ascii: "&") else {
                out.append(slice[i])
                i += 1
                continue
            }
            guard let semicolon = slice[i...].firstIndex(of: UInt8(ascii: ";")), semicolon - i <= 12 else {
                throw Malformed(message: "an '&' that starts no reference", line: line)
            }
            let name = String(decoding: slice[(i + 1)..<semicolon], as: UTF8.self)
            switch name {
            case "amp": out.append(UInt8(ascii: "&"))
            case "lt": out.append(UInt8(ascii: "<"))
            case "gt": out.append(UInt8(ascii: ">"))
            case "quot": out.append(UInt8(ascii: "\""))
            case "apos": out.append(UInt8(ascii: "'"))
            default:
                let hex = name.hasPrefix("#x") || name.hasPrefix("#X")
                guard name.hasPrefix("#"), let value = UInt32(name.dropFirst(hex ? 2 : 1), radix: hex ? 16 : 10), let scalar = Unicode.Scalar(value) else {
                    throw Malformed(message: "the reference &\(name); is not one XML defines", line: line)
                }
                out += Array(String(Character(scalar)).utf8)
            }
            i = semicolon + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` escaped for element content or a double-quoted attribute value.
    static func escape(_ text: String) -> String { text.xmlEscaped() }

    /// The index of the end token matching the start token at `index` (itself for any other).
    func close(of index: Int) -> Int { matching[index] }

    /// The elements directly inside tokens `from..<to` (text, comments and deeper elements
    /// passed over): each start (or empty) tag's index, its end tag's index, and its bytes.
    func children(from: Int, to: Int) -> [(start: Int, end: Int, range: Range<Int>)] {
        var out: [(start: Int, end: Int, range: Range<Int>)] = []
        var k = from
        while k < to {
            guard tokens[k].kind == .start || tokens[k].kind == .empty else {
                k += 1
                continue
            }
            let end = close(of: k)
            out.append((k, end, tokens[k].range.lowerBound..<tokens[end].range.upperBound))
            k = end + 1
        }
        return out
    }

    /// The index of the token that starts at byte `offset`, if one does.
    func tokenIndex(at offset: Int) -> Int? {
        var low = 0
        var high = tokens.count
        while low < high {
            let mid = (low + high) / 2
            if tokens[mid].range.lowerBound < offset { low = mid + 1 } else { high = mid }
        }
        return low < tokens.count && tokens[low].range.lowerBound == offset ? low : nil
    }

    /// The bytes of `range` as text.
    func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// The prefix bound to one of `namespaces` on the root element (`""` when it is the
    /// default namespace), or nil.
    func rootPrefix(for namespaces: [String]) -> String? {
        guard let root = tokens.first(where: { $0.kind == .start || $0.kind == .empty }) else { return nil }
        for (name, value) in root.attributes where namespaces.contains(value) {
            if name == "xmlns" { return "" }
            if name.hasPrefix("xmlns:") { return String(name.dropFirst(6)) }
        }
        return nil
    }
}
