/// The header block of a message or MIME part, split from its body.
struct HeaderBlock {
    /// Fields in order: name and raw (unfolded, undecoded) value bytes.
    var fields: [(name: String, value: [UInt8])] = []
    /// Where the body starts in the entity's bytes.
    var bodyStart: Int
    /// The header had no blank line before the body (the first non-header line began it).
    var missingSeparator = false

    func raw(_ name: String) -> [UInt8]? {
        let wanted = name.lowercased()
        return fields.first { $0.name.lowercased() == wanted }?.value
    }

    func all(_ name: String) -> [[UInt8]] {
        let wanted = name.lowercased()
        return fields.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// Reads the header fields at the start of `bytes[range]`, up to the first empty line.
    ///
    /// Continuation lines (starting with space or tab) are unfolded; the line ending of a
    /// fold is removed, its white space kept. A line that is neither a field nor a
    /// continuation ends the header without a blank line (it belongs to the body), except a
    /// leading mbox `From ` line, which is skipped. At most `maxBytes` of header are read.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maxBytes: Int = 1 << 20) -> HeaderBlock {
        var block = HeaderBlock(bodyStart: bytes.count)
        var i = 0
        let n = bytes.count
        // A byte order mark before the first field.
        if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var currentName: String?
        var currentValue: [UInt8] = []
        func flush() {
            if let name = currentName { block.fields.append((name, currentValue)) }
            currentName = nil
            currentValue = []
        }
        var first = true
        while i < n {
            // The line [i, end) without its line ending; next is where the next line starts.
            var end = i
            while end < n && bytes[end] != 0x0A { end += 1 }
            let next = end < n ? end + 1 : n
            var lineEnd = end
            if lineEnd > i && bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            if lineEnd == i {
                // The blank line: the body follows.
                flush()
                block.bodyStart = next
                return block
            }
            if i > maxBytes {
                flush()
                block.bodyStart = i
                block.missingSeparator = true
                return block
            }
            let firstByte = bytes[i]
            if (firstByte == 0x20 || firstByte == 0x09) && currentName != nil {
                currentValue.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[i..<lineEnd]))
                i = next
                continue
            }
            if first && lineEnd - i >= 5 && bytes[i] == UInt8(ascii: "F") && bytes[i + 1] == UInt8(ascii: "r")
                && bytes[i + 2] == UInt8(ascii: "o") && bytes[i + 3] == UInt8(ascii: "m") && bytes[i + 4] == 0x20
            {
                first = false
                i = next
                continue
            }
            first = false
            // name ":" value; the name is printable ASCII without spaces (trailing blanks tolerated).
            var colon = i
            while colon < lineEnd && bytes[colon] != UInt8(ascii: ":") && bytes[colon] > 0x20 && bytes[colon] < 0x7F { colon += 1 }
            var nameEnd = colon
            while colon < lineEnd && (bytes[colon] == 0x20 || bytes[colon] == 0x09) { colon += 1 }
            guard colon < lineEnd, bytes[colon] == UInt8(ascii: ":"), nameEnd > i else {
                // Not a header line: the body starts here, without a blank line.
                flush()
                block.bodyStart = i
                block.missingSeparator = true
                return block
            }
            flush()
            currentName = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<nameEnd]), as: UTF8.self)
            var valueStart = colon + 1
            while valueStart < lineEnd && (bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09) { valueStart += 1 }
            currentValue = Array(UnsafeBufferPointer(rebasing: bytes[valueStart..<lineEnd]))
            nameEnd = 0
            i = next
        }
        flush()
        block.bodyStart = n
        return block
    }
}

/// RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?iso-8859-1?Q?…?=`) in unstructured text.
enum EncodedWords {
    /// Decodes a header value: raw bytes as text (UTF-8, else `fallback`, else Latin-1),
    /// encoded words decoded, white space between adjacent encoded words dropped. Malformed
    /// words are left as written.
    static func decode(_ raw: [UInt8], fallback: String? = nil) -> String {
        let text = Charset.text(raw, fallback: fallback)
        guard text.contains("=?") else { return text }
        return decode(text)
    }

    static func decode(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        var pendingSpace = ""
        var lastWasEncoded = false
        while let start = rest.firstRange(of: "=?") {
            let before = rest[rest.startIndex..<start.lowerBound]
            guard let (decoded, after) = word(rest[start.lowerBound...]) else {
                out += pendingSpace + before + "=?"
                pendingSpace = ""
                lastWasEncoded = false
                rest = rest[start.upperBound...]
                continue
            }
            if lastWasEncoded && before.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) {
                // White space between two encoded words is not part of the text.
            } else {
                out += pendingSpace + before
            }
            pendingSpace = ""
            out += decoded
            lastWasEncoded = true
            rest = after
        }
        out += pendingSpace + rest
        return out
    }

    /// One encoded word at the start of `text`: its text and what follows it.
    static func word(_ text: Substring) -> (String, Substring)? {
        // =?charset?encoding?encoded-text?=
        let afterOpen = text.index(text.startIndex, offsetBy: 2)
        guard let q1 = text[afterOpen...].firstIndex(of: "?") else { return nil }
        let charsetPart = text[afterOpen..<q1]
        let encodingStart = text.index(after: q1)
        guard encodingStart < text.endIndex, let q2 = text[encodingStart...].firstIndex(of: "?"),
            text.distance(from: encodingStart, to: q2) == 1
        else { return nil }
        let encoding = text[encodingStart].uppercased()
        let payloadStart = text.index(after: q2)
        guard let close = text[payloadStart...].firstRange(of: "?=") else { return nil }
        let payload = text[payloadStart..<close.lowerBound]
        guard !charsetPart.isEmpty, !payload.contains(" ") || encoding == "Q", payload.count < 2000 else { return nil }
        // RFC 2231 adds a language: charset*lang.
        let charset = String(charsetPart.split(separator: "*", maxSplits: 1).first ?? charsetPart)
        let bytes: [UInt8]
        switch encoding {
        case "B": bytes = TransferEncoding.base64(Array(payload.utf8))
        case "Q": bytes = TransferEncoding.quotedPrintable(Array(payload.utf8), header: true)
        default: return nil
        }
        let decoded = Charset.decode(bytes, label: charset) ?? Charset.text(bytes)
        return (decoded, text[close.upperBound...])
    }
}

