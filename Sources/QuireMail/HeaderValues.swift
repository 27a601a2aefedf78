import QuireModel

/// `type/subtype; name=value; …` (Content-Type, Content-Disposition) with RFC 2231
/// parameters: continuations (`name*0`, `name*1`), charsets (`name*=UTF-8''%E2%82%AC`).
struct ParameterizedValue {
    /// The value before the first `;`, lower-cased and trimmed.
    var value: String
    /// Parameters by lower-cased name, decoded, in order (a name's first value; at most
    /// `maxNames` names, so a hostile header costs linear time). A handful in real mail: a
    /// list is cheaper to build and search than a dictionary.
    var parameters: [(name: String, value: String)]

    static let maxNames = 64

    subscript(_ name: String) -> String? { parameters.first { $0.name == name }?.value }

    init(_ text: String) {
        // Split at `;` outside quotes, over the UTF-8 bytes (the delimiters are ASCII).
        var items: [ArraySlice<UInt8>] = []
        let bytes = Array(text.utf8)
        var start = 0
        var inQuotes = false
        var escaped = false
        for (i, byte) in bytes.enumerated() {
            if escaped {
                escaped = false
                continue
            }
            if byte == UInt8(ascii: "\\") && inQuotes {
                escaped = true
                continue
            }
            if byte == UInt8(ascii: "\"") { inQuotes.toggle() }
            if byte == UInt8(ascii: ";") && !inQuotes {
                items.append(bytes[start..<i])
                start = i + 1
            }
        }
        items.append(bytes[start...])
        value = String(decoding: ParameterizedValue.lowercasedASCII(Bytes.trimmed(ParameterizedValue.stripComments(items[0])[...])), as: UTF8.self)
        var simple: [(name: String, value: String)] = []
        var extended: [(name: String, pieces: [(Int, String, Bool)])] = []
        for item in items.dropFirst() {
            guard let eq = item.firstIndex(of: UInt8(ascii: "=")) else { continue }
            var name = String(decoding: ParameterizedValue.lowercasedASCII(Bytes.trimmed(item[..<eq])), as: UTF8.self)
            let rawBytes = Bytes.trimmed(item[(eq + 1)...])
            let raw = rawBytes.first == UInt8(ascii: "\"") ? ParameterizedValue.unquote(rawBytes) : String(decoding: rawBytes, as: UTF8.self)
            // name*N* / name*N / name* (RFC 2231).
            let encoded = name.hasSuffix("*")
            if encoded { name.removeLast() }
            var piece = (0, raw, true)
            if let star = name.firstIndex(of: "*"), let index = Int(name[name.index(after: star)...]) {
                piece = (index, raw, encoded)
                name = String(name[..<star])
            } else if !encoded {
                if simple.count < ParameterizedValue.maxNames, !simple.contains(where: { $0.name == name }) { simple.append((name, raw)) }
                continue
            }
            if let k = extended.firstIndex(where: { $0.name == name }) {
                extended[k].pieces.append(piece)
            } else if extended.count < ParameterizedValue.maxNames {
                extended.append((name, [piece]))
            }
        }
        for (name, pieces) in extended {
            let sorted = pieces.sorted { $0.0 < $1.0 }
            var charset: String?
            var bytes: [UInt8] = []
            for (position, (_, raw, encoded)) in sorted.enumerated() {
                var text = Substring(raw)
                if encoded && position == 0 {
                    // charset'language'value
                    let parts = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                    if parts.count == 3 {
                        charset = String(parts[0])
                        text = parts[2]
                    }
                }
                bytes += encoded ? ParameterizedValue.percentDecode(text) : Array(text.utf8)
            }
            let decoded = charset.flatMap { Charset.decode(bytes, label: $0) } ?? Charset.text(bytes)
            // The RFC 2231 form wins over a plain one of the same name.
            if let k = simple.firstIndex(where: { $0.name == name }) { simple[k].value = decoded } else { simple.append((name, decoded)) }
        }
        // Encoded words inside parameters are not allowed, but many mailers write them.
        parameters = simple.map { ($0.name, ByteSearch.contains($0.value, "=?") ? EncodedWords.decode($0.value) : $0.value) }
    }

    static func lowercasedASCII(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// The content of a quoted string that starts the text (escapes resolved).
    static func unquote(_ text: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var escaped = false
        for byte in text.dropFirst() {
            if escaped {
                out.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                break
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unquote(_ text: String) -> String { unquote(Array(text.utf8)[...]) }

    static func percentDecode(_ text: Substring) -> [UInt8] {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let value = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(value)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    /// Removes RFC 5322 comments `( … )` outside quoted strings.
    static func stripComments(_ text: String) -> String {
        guard text.utf8.contains(UInt8(ascii: "(")) else { return text }
        return String(decoding: stripComments(Array(text.utf8)[...]), as: UTF8.self)
    }

    static func stripComments(_ text: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let open = UInt8(ascii: "(")
        let close = UInt8(ascii: ")")
        let quote = UInt8(ascii: "\"")
        let backslash = UInt8(ascii: "\\")
        guard text.contains(open) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var depth = 0
        var inQuotes = false
        var escaped = false
        for byte in text {
            if escaped {
                if depth == 0 { out.append(byte) }
                escaped = false
                continue
            }
            if byte == backslash {
                escaped = true
                if depth == 0 { out.append(byte) }
                continue
            }
            if byte == quote && depth == 0 { inQuotes.toggle() }
            if !inQuotes {
                if byte == open {
                    depth += 1
                    continue
                }
                if byte == close && depth > 0 {
                    depth -= 1
                    continue
                }
            }
            if depth == 0 { out.append(byte) }
        }
        return out[...]
    }
}

/// RFC 5322 address lists: display names (quoted or encoded), angle addresses, groups,
/// comments, obsolete routes; tolerant of what real mail contains.
enum AddressList {
    static func parse(_ text: String) -> [MailAddress] {
        // Every delimiter is ASCII, so the list is split over its UTF-8 bytes; text becomes a
        // String only per entry.
        var splitter = Splitter()
        for byte in text.utf8 { splitter.take(byte) }
        splitter.finishEntry()
        return splitter.result
    }

    /// Splits an address list into entries, byte by byte: commas outside quotes, comments
    /// and angle brackets end an entry; `name:` opens a group and `;` closes it; a comment
    /// after a bare address becomes its display name.
    struct Splitter {
        var result: [MailAddress] = []
        var group: String?
        var tokens: [UInt8] = []
        var inQuotes = false
        var escaped = false
        /// Nesting of `(` comments.
        var depth = 0
        var angle = false
        var comment: [UInt8] = []
        var lastComment: [UInt8]?

        static let backslash = UInt8(ascii: "\\")
        static let quote = UInt8(ascii: "\"")
        static let open = UInt8(ascii: "(")
        static let close = UInt8(ascii: ")")

        mutating func finishEntry() {
            let entry = Bytes.trimmed(tokens[...])
            defer {
                tokens.removeAll(keepingCapacity: true)
                lastComment = nil
            }
            guard !entry.isEmpty else { return }
            var addresses = AddressList.parseEntry(entry, group: group)
            if addresses.count == 1, addresses[0].name == nil, let lastComment, !lastComment.isEmpty {
                addresses[0].name = EncodedWords.decode(String(decoding: lastComment, as: UTF8.self))
            }
            result += addresses
        }

        mutating func take(_ byte: UInt8) {
            if escaped {
                if depth > 0 { comment.append(byte) } else { tokens.append(byte) }
                escaped = false
            } else if byte == Self.backslash && (inQuotes || depth > 0) {
                escaped = true
                if depth == 0 { tokens.append(byte) }
            } else if depth > 0 {
                takeInComment(byte)
            } else if byte == Self.quote {
                inQuotes.toggle()
                tokens.append(byte)
            } else if inQuotes {
                tokens.append(byte)
            } else {
                takeOutside(byte)
            }
        }

        mutating func takeInComment(_ byte: UInt8) {
            if byte == Self.open { depth += 1 }
            if byte == Self.close {
                depth -= 1
                if depth == 0 {
                    lastComment = comment
                    comment.removeAll(keepingCapacity: true)
                    return
                }
            }
            comment.append(byte)
        }

        /// A byte outside quotes and comments.
        mutating func takeOutside(_ byte: UInt8) {
            switch byte {
            case Self.open:
                depth = 1
            case UInt8(ascii: "<"):
                angle = true
                tokens.append(byte)
            case UInt8(ascii: ">"):
                angle = false
                tokens.append(byte)
            case UInt8(ascii: ","):
                if angle { tokens.append(byte) } else { finishEntry() }
            case UInt8(ascii: ":") where !angle && group == nil && !tokens.contains(UInt8(ascii: "@")) && !tokens.contains(UInt8(ascii: "<")):
                group = EncodedWords.decode(AddressList.unquote(Bytes.trimmed(tokens[...])))
                tokens.removeAll(keepingCapacity: true)
            case UInt8(ascii: ";") where !angle && group != nil:
                finishEntry()
                group = nil
            default:
                tokens.append(byte)
            }
        }
    }

    /// One mailbox: `Name <addr>`, `"Name" <addr>`, `addr`, `<@route:addr>` (over UTF-8
    /// bytes; every delimiter is ASCII).
    static func parseEntry(_ entry: ArraySlice<UInt8>, group: String?) -> [MailAddress] {
        let lt = UInt8(ascii: "<")
        let gt = UInt8(ascii: ">")
        let at = UInt8(ascii: "@")
        let colon = UInt8(ascii: ":")
        let quote = UInt8(ascii: "\"")
        if let open = entry.lastIndex(of: lt) {
            let close = entry[open...].firstIndex(of: gt) ?? entry.endIndex
            var address = Bytes.trimmed(entry[(open + 1)..<close])
            if address.first == at, let c = address.firstIndex(of: colon) {
                address = address[(c + 1)...]  // obsolete route
            }
            let rawName = Bytes.trimmed(entry[..<open])
            let name = rawName.isEmpty ? nil : EncodedWords.decode(unquote(rawName))
            return [MailAddress(name: name, address: String(decoding: address.filter { $0 != 0x20 }, as: UTF8.self), group: group)]
        }
        let words = entry.split(whereSeparator: Bytes.isSpace)
        if words.count > 1, !entry.contains(quote), words.allSatisfy({ $0.contains(at) }) {
            // Addresses separated by blanks instead of commas.
            return words.map { MailAddress(name: nil, address: String(decoding: $0, as: UTF8.self), group: group) }
        }
        let address = entry.filter { !Bytes.isSpace($0) }
        guard !address.isEmpty else { return [] }
        if !address.contains(at), entry.contains(0x20) {
            // A name without an address ("undisclosed recipients") is kept as a name.
            return [MailAddress(name: EncodedWords.decode(unquote(entry)), address: "", group: group)]
        }
        return [MailAddress(name: nil, address: unquote(address[...]), group: group)]
    }

    /// Removes the quotes of quoted strings (joining a name written in several pieces).
    static func unquote(_ text: ArraySlice<UInt8>) -> String {
        let quote = UInt8(ascii: "\"")
        let backslash = UInt8(ascii: "\\")
        guard text.contains(quote) else { return String(decoding: text, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var inQuotes = false
        var escaped = false
        for byte in text {
            if escaped {
                out.append(byte)
                escaped = false
            } else if byte == backslash && inQuotes {
                escaped = true
            } else if byte == quote {
                inQuotes.toggle()
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unquote(_ text: String) -> String { unquote(Array(text.utf8)[...]) }
}

/// Small helpers over UTF-8 bytes.
enum Bytes {
    /// ASCII white space: space, tab, CR, LF.
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }
}

/// Message ids (`<a@b>`) from Message-ID, In-Reply-To and References.
enum MessageIDs {
    static func parse(_ text: String) -> [String] {
        var ids: [String] = []
        var stripped = ParameterizedValue.stripComments(text)
        stripped.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                guard bytes[i] == 0x3C else {  // <
                    i += 1
                    continue
                }
                var close = i + 1
                var spaced = false
                while close < bytes.count && bytes[close] != 0x3E {
                    if Bytes.isSpace(bytes[close]) { spaced = true }
                    close += 1
                }
                guard close < bytes.count else { break }
                let id = UnsafeBufferPointer(rebasing: bytes[(i + 1)..<close])
                if spaced {
                    let kept = id.filter { !Bytes.isSpace($0) }
                    if !kept.isEmpty { ids.append(String(decoding: kept, as: UTF8.self)) }
                } else if !id.isEmpty {
                    ids.append(String(decoding: id, as: UTF8.self))
                }
                i = close + 1
            }
        }
        if ids.isEmpty {
            // Ids written without brackets.
            ids = text.utf8.split(whereSeparator: { Bytes.isSpace($0) || $0 == 0x2C })
                .map { String(decoding: $0, as: UTF8.self) }.filter { $0.utf8.contains(0x40) }
        }
        return ids
    }
}
