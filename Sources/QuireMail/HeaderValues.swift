import QuireModel

/// `type/subtype; name=value; …` (Content-Type, Content-Disposition) with RFC 2231
/// parameters: continuations (`name*0`, `name*1`), charsets (`name*=UTF-8''%E2%82%AC`).
struct ParameterizedValue {
    /// The value before the first `;`, lower-cased and trimmed.
    var value: String
    /// Parameters by lower-cased name, decoded.
    var parameters: [String: String]

    subscript(_ name: String) -> String? { parameters[name] }

    init(_ text: String) {
        // Split at `;` outside quotes, over the UTF-8 bytes (the delimiters are ASCII).
        var items: [String] = []
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
                items.append(String(decoding: bytes[start..<i], as: UTF8.self))
                start = i + 1
            }
        }
        items.append(String(decoding: bytes[start...], as: UTF8.self))
        value = ParameterizedValue.stripComments(items.first ?? "").trimmingCharacters(in: " \t\r\n").lowercased()
        var simple: [String: String] = [:]
        var extended: [String: [(Int, String, Bool)]] = [:]
        for item in items.dropFirst() {
            guard let eq = item.firstIndex(of: "=") else { continue }
            var name = item[..<eq].trimmingCharacters(in: " \t\r\n").lowercased()
            var raw = item[item.index(after: eq)...].trimmingCharacters(in: " \t\r\n")
            if raw.hasPrefix("\"") {
                raw = ParameterizedValue.unquote(raw)
            }
            // name*N* / name*N / name* (RFC 2231).
            let encoded = name.hasSuffix("*")
            if encoded { name.removeLast() }
            if let star = name.firstIndex(of: "*"), let index = Int(name[name.index(after: star)...]) {
                extended[String(name[..<star]), default: []].append((index, raw, encoded))
            } else if encoded {
                extended[name, default: []].append((0, raw, true))
            } else if simple[name] == nil {
                simple[name] = raw
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
            simple[name] = charset.flatMap { Charset.decode(bytes, label: $0) } ?? Charset.text(bytes)
        }
        // Encoded words inside parameters are not allowed, but many mailers write them.
        parameters = simple.mapValues { ByteSearch.contains($0, "=?") ? EncodedWords.decode($0) : $0 }
    }

    static func unquote(_ text: String) -> String {
        var out = ""
        var escaped = false
        for ch in text.unicodeScalars.dropFirst() {
            if escaped {
                out.unicodeScalars.append(ch)
                escaped = false
            } else if ch == "\\" {
                escaped = true
            } else if ch == "\"" {
                break
            } else {
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }

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
        guard text.contains("(") else { return text }
        var out = ""
        var depth = 0
        var inQuotes = false
        var escaped = false
        for ch in text.unicodeScalars {
            if escaped {
                if depth == 0 { out.unicodeScalars.append(ch) }
                escaped = false
                continue
            }
            if ch == "\\" {
                escaped = true
                if depth == 0 { out.unicodeScalars.append(ch) }
                continue
            }
            if ch == "\"" && depth == 0 { inQuotes.toggle() }
            if !inQuotes {
                if ch == "(" {
                    depth += 1
                    continue
                }
                if ch == ")" && depth > 0 {
                    depth -= 1
                    continue
                }
            }
            if depth == 0 { out.unicodeScalars.append(ch) }
        }
        return out
    }
}

/// RFC 5322 address lists: display names (quoted or encoded), angle addresses, groups,
/// comments, obsolete routes; tolerant of what real mail contains.
enum AddressList {
    static func parse(_ text: String) -> [MailAddress] {
        // Every delimiter is ASCII, so the list is split over its UTF-8 bytes; text becomes a
        // String only per entry.
        var result: [MailAddress] = []
        var group: String?
        var tokens: [UInt8] = []
        var inQuotes = false
        var escaped = false
        var depth = 0
        var angle = false
        var comment: [UInt8] = []
        var lastComment: [UInt8]?
        func finish() {
            let entry = String(decoding: tokens, as: UTF8.self).trimmingCharacters(in: " \t\r\n")
            tokens.removeAll(keepingCapacity: true)
            defer { lastComment = nil }
            guard !entry.isEmpty else { return }
            var addresses = parseEntry(entry, group: group)
            if addresses.count == 1, addresses[0].name == nil, let lastComment, !lastComment.isEmpty {
                addresses[0].name = EncodedWords.decode(String(decoding: lastComment, as: UTF8.self))
            }
            result += addresses
        }
        let backslash = UInt8(ascii: "\\"), quote = UInt8(ascii: "\""), open = UInt8(ascii: "("), close = UInt8(ascii: ")")
        for byte in text.utf8 {
            if escaped {
                if depth > 0 { comment.append(byte) } else { tokens.append(byte) }
                escaped = false
                continue
            }
            if byte == backslash && (inQuotes || depth > 0) {
                escaped = true
                if depth == 0 { tokens.append(byte) }
                continue
            }
            if depth > 0 {
                if byte == open { depth += 1 }
                if byte == close {
                    depth -= 1
                    if depth == 0 {
                        lastComment = comment
                        comment.removeAll(keepingCapacity: true)
                        continue
                    }
                }
                comment.append(byte)
                continue
            }
            if byte == quote {
                inQuotes.toggle()
                tokens.append(byte)
                continue
            }
            if inQuotes {
                tokens.append(byte)
                continue
            }
            switch byte {
            case open:
                depth = 1
            case UInt8(ascii: "<"):
                angle = true
                tokens.append(byte)
            case UInt8(ascii: ">"):
                angle = false
                tokens.append(byte)
            case UInt8(ascii: ","):
                if angle { tokens.append(byte) } else { finish() }
            case UInt8(ascii: ":") where !angle && group == nil && !tokens.contains(UInt8(ascii: "@")) && !tokens.contains(UInt8(ascii: "<")):
                group = EncodedWords.decode(unquote(String(decoding: tokens, as: UTF8.self).trimmingCharacters(in: " \t\r\n")))
                tokens.removeAll(keepingCapacity: true)
            case UInt8(ascii: ";") where !angle && group != nil:
                finish()
                group = nil
            default:
                tokens.append(byte)
            }
        }
        finish()
        return result
    }

    /// One mailbox: `Name <addr>`, `"Name" <addr>`, `addr`, `<@route:addr>`.
    static func parseEntry(_ entry: String, group: String?) -> [MailAddress] {
        if let open = entry.lastIndex(of: "<") {
            let close = entry[open...].firstIndex(of: ">") ?? entry.endIndex
            var address = String(entry[entry.index(after: open)..<close]).trimmingCharacters(in: " \t\r\n")
            if address.hasPrefix("@"), let colon = address.firstIndex(of: ":") {
                address = String(address[address.index(after: colon)...])  // obsolete route
            }
            let rawName = entry[..<open].trimmingCharacters(in: " \t\r\n")
            let name = rawName.isEmpty ? nil : EncodedWords.decode(unquote(rawName))
            return [MailAddress(name: name, address: address.filter { $0 != " " }, group: group)]
        }
        let words = entry.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
        if words.count > 1, !entry.contains("\""), words.allSatisfy({ $0.contains("@") }) {
            // Addresses separated by blanks instead of commas.
            return words.map { MailAddress(name: nil, address: String($0), group: group) }
        }
        let address = entry.filter { !$0.isWhitespace }
        guard !address.isEmpty else { return [] }
        if !address.contains("@"), entry.contains(" ") {
            // A name without an address ("undisclosed recipients") is kept as a name.
            return [MailAddress(name: EncodedWords.decode(unquote(entry)), address: "", group: group)]
        }
        return [MailAddress(name: nil, address: unquote(address), group: group)]
    }

    /// Removes the quotes of quoted strings (joining a name written in several pieces).
    static func unquote(_ text: String) -> String {
        guard text.contains("\"") else { return text }
        var out = ""
        var inQuotes = false
        var escaped = false
        for ch in text.unicodeScalars {
            if escaped {
                out.unicodeScalars.append(ch)
                escaped = false
            } else if ch == "\\" && inQuotes {
                escaped = true
            } else if ch == "\"" {
                inQuotes.toggle()
            } else {
                out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}

/// Message ids (`<a@b>`) from Message-ID, In-Reply-To and References.
enum MessageIDs {
    static func parse(_ text: String) -> [String] {
        var ids: [String] = []
        let scalars = Array(ParameterizedValue.stripComments(text).unicodeScalars)
        var i = 0
        while i < scalars.count {
            guard scalars[i] == "<" else {
                i += 1
                continue
            }
            var close = i + 1
            while close < scalars.count && scalars[close] != ">" { close += 1 }
            guard close < scalars.count else { break }
            var id = String.UnicodeScalarView()
            for scalar in scalars[(i + 1)..<close] where !scalar.properties.isWhitespace { id.append(scalar) }
            if !id.isEmpty { ids.append(String(id)) }
            i = close + 1
        }
        if ids.isEmpty {
            // Ids written without brackets.
            ids = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" || $0 == "\n" || $0 == "\r\n" })
                .map(String.init).filter { $0.contains("@") }
        }
        return ids
    }
}
