import QuireLLM

/// The text the offline summariser works on: furniture lines, inline Markdown, sentences and words.
extension OfflineSummary {
    /// Lines that are mail furniture, never content: a bare link (tracking and "view in
    /// browser" links), unsubscribe and preference lines.
    static func isFurniture(_ text: String) -> Bool {
        // Most sentences hold no link and none of the phrases: a look at the bytes first.
        guard
            text.utf8.contains(where: {
                $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "u") || $0 | 0x20 == UInt8(ascii: "v")
                    || $0 | 0x20 == UInt8(ascii: "m")
            }),
            Self.mentionsLinkOrList(text)
        else { return false }
        let lower = text.lowercased()
        let phrases = [
            "unsubscribe", "view in browser", "view this email in your browser", "manage your preferences", "update your preferences", "email preferences",
        ]
        if phrases.contains(where: { lower.contains($0) }) { return true }
        // What is left once links are taken out: a line that is (almost) only a link.
        let rest = lower.split(separator: " ").filter { !$0.contains("://") && !$0.hasPrefix("www.") && !$0.hasPrefix("<http") && !$0.hasPrefix("(http") }
        return rest.count < 3 && rest.count < lower.split(separator: " ").count
    }

    /// Whether the text holds "://", "www." or an unsubscribe, browser or preferences phrase
    /// (ASCII, case-insensitive), without lower-casing the whole text.
    static func mentionsLinkOrList(_ text: String) -> Bool {
        let needles: [[UInt8]] = ["://", "www.", "unsubscri", "browser", "preferences"].map { Array($0.utf8) }
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.count >= 3 else { return false }
            for start in 0..<bytes.count {
                for needle in needles where start + needle.count <= bytes.count {
                    var k = 0
                    while k < needle.count, bytes[start + k] | (bytes[start + k] >= 0x41 && bytes[start + k] <= 0x5A ? 0x20 : 0) == needle[k] { k += 1 }
                    if k == needle.count { return true }
                }
            }
            return false
        }
    }

    /// After a statement Quire computed (a sheet's totals), never quoted from the file.
    static let computedMark = " *(computed by Quire)*"

    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix(while: { $0 == "#" }).count
        guard hashes >= 1, hashes <= 6, line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }

    static func listItemText(_ line: String) -> String? {
        if line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ") { return String(line.dropFirst(2)).trimmingSpaces() }
        let digits = line.prefix(while: \.isNumber)
        if !digits.isEmpty, digits.count <= 3 {
            let rest = line.dropFirst(digits.count)
            if rest.hasPrefix(". ") || rest.hasPrefix(") ") { return String(rest.dropFirst(2)).trimmingSpaces() }
        }
        return nil
    }

    /// The scalar that starts at byte `i` of UTF-8 text, and its length in bytes.
    static func scalar(_ bytes: [UInt8], _ i: Int) -> (Unicode.Scalar, Int) {
        let b0 = bytes[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        var length = b0 >= 0xF0 ? 4 : (b0 >= 0xE0 ? 3 : 2)
        length = min(length, bytes.count - i)
        var value = UInt32(b0) & (length == 4 ? 0x07 : (length == 3 ? 0x0F : 0x1F))
        for k in 1..<max(length, 1) { value = value << 6 | (UInt32(bytes[i + k]) & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", max(length, 1))
    }

    static func isWordByte(_ b: UInt8) -> Bool { b >= 0x80 || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) || (b >= 0x30 && b <= 0x39) }

    /// Markdown emphasis, links and escapes removed. Markdown's markers are ASCII, so this
    /// works on UTF-8 bytes.
    static func inlineText(_ text: String) -> String {
        let chars = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(chars.count)
        let open = UInt8(ascii: "[")
        let close = UInt8(ascii: "]")
        let paren = UInt8(ascii: "(")
        let endParen = UInt8(ascii: ")")
        let caret = UInt8(ascii: "^")
        let star = UInt8(ascii: "*")
        let tick = UInt8(ascii: "`")
        let under = UInt8(ascii: "_")
        let tilde = UInt8(ascii: "~")
        let slash = UInt8(ascii: "\\")
        var i = 0
        while i < chars.count {
            let c = chars[i]
            // Links: [label](target) → label; footnote references [^1] vanish.
            if c == open, let closing = chars[i...].firstIndex(of: close) {
                if closing + 1 < chars.count, chars[closing + 1] == paren, let end = chars[(closing + 1)...].firstIndex(of: endParen) {
                    if i + 1 < chars.count, chars[i + 1] == caret {
                        i = end + 1
                        continue
                    }
                    out += chars[(i + 1)..<closing].filter { $0 != star && $0 != tick }
                    i = end + 1
                    continue
                }
                if i + 1 < chars.count, chars[i + 1] == caret {
                    i = closing + 1
                    continue
                }
            }
            if c == slash, i + 1 < chars.count, chars[i + 1] < 0x80 {
                out.append(chars[i + 1])
                i += 2
                continue
            }
            if c == star || c == tick || (c == under && (i == 0 || i + 1 == chars.count || !isWordByte(chars[i - 1]) || !isWordByte(chars[i + 1]))) {
                i += 1
                continue
            }
            if c == tilde, i + 1 < chars.count, chars[i + 1] == tilde {
                i += 2
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self).trimmingSpaces()
    }

    static let abbreviations: Set<String> = [
        "e.g", "i.e", "mr", "mrs", "ms", "dr", "prof", "no", "vs", "etc", "inc", "ltd", "fig", "st", "approx", "cf", "jan", "feb", "mar", "apr",
        "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ]

    /// Sentences of a paragraph: cut after . ! ? (and their closing quotes) before a
    /// capital or digit, but not after common abbreviations or initials; after 。！？ always.
    static func sentences(_ paragraph: String) -> [String] {
        let chars = Array(paragraph.utf8)
        func text(_ range: Range<Int>) -> String { String(decoding: chars[range], as: UTF8.self).trimmingSpaces() }
        let closers: Set<Unicode.Scalar> = ["\"", "'", ")", "]", "”", "’"]
        let openers: Set<Unicode.Scalar> = ["\"", "(", "“", "‘"]
        var out: [String] = []
        var start = 0
        var i = 0
        while i < chars.count {
            let (c, length) = scalar(chars, i)
            let wide = c == "。" || c == "！" || c == "？"
            guard c == "." || c == "!" || c == "?" || wide else {
                i += length
                continue
            }
            var end = i + length
            while end < chars.count {
                let (q, n) = scalar(chars, end)
                guard closers.contains(q) else { break }
                end += n
            }
            var next = end
            while next < chars.count, chars[next] == 0x20 { next += 1 }
            var boundary = wide || next == chars.count
            if !boundary, next > end {
                let (n, _) = scalar(chars, next)
                boundary = n.properties.isUppercase || (n.value >= 0x30 && n.value <= 0x39) || openers.contains(n)
            }
            if boundary, c == "." {
                var w = i - 1
                while w >= start, chars[w] >= 0x80 || (chars[w] | 0x20 >= 0x61 && chars[w] | 0x20 <= 0x7A) || chars[w] == 0x2E { w -= 1 }
                let word = String(decoding: chars[(w + 1)..<i], as: UTF8.self).lowercased()
                if abbreviations.contains(word) || (i - w - 1 == 1 && chars[i - 1] >= 0x41 && chars[i - 1] <= 0x5A) {
                    i += 1
                    continue
                }
            }
            if boundary {
                let sentence = text(start..<end)
                if !sentence.isEmpty { out.append(sentence) }
                start = next
                i = next
                continue
            }
            i += length
        }
        if start < chars.count {
            let last = text(start..<chars.count)
            if !last.isEmpty { out.append(last) }
        }
        return out
    }

    static let stopwords: Set<String> = [
        "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was", "one", "our", "out", "has", "have", "his",
        "how", "its", "may", "new", "now", "own", "see", "two", "who", "did", "get", "him", "let", "say", "she", "too", "use", "that", "with",
        "this", "from", "they", "will", "would", "there", "their", "what", "about", "which", "when", "were", "been", "also", "into", "than",
        "then", "them", "these", "those", "some", "such", "only", "over", "very", "just", "more", "most", "other", "could", "should", "after",
        "before", "while", "where", "each", "both", "your", "yours", "here", "being", "does", "done", "well", "upon", "under", "again",
        "les", "des", "une", "est", "pour", "dans", "par", "sur", "der", "die", "das", "und", "ist", "mit", "von", "den", "ein", "eine",
    ]

    /// The content words of a text, lowercased: ASCII letters and digits byte by byte,
    /// other scripts by their Unicode properties; stopwords and words under three letters
    /// dropped (numbers and CJK kept).
    static func words(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        var out: [String] = []
        var start = -1
        var hasWide = false
        var hasUpper = false
        func finish(_ end: Int) {
            defer {
                start = -1
                hasWide = false
                hasUpper = false
            }
            guard start >= 0 else { return }
            let slice = bytes[start..<end]
            var w = String(decoding: slice, as: UTF8.self)
            if hasUpper { w = w.lowercased() }
            let count = slice.count
            if (count >= 3 || hasWide || (bytes[start] >= 0x30 && bytes[start] <= 0x39)) && !stopwords.contains(w) { out.append(w) }
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                let lower = b | 0x20
                if (lower >= 0x61 && lower <= 0x7A) || (b >= 0x30 && b <= 0x39) {
                    if start < 0 { start = i }
                    if b >= 0x41 && b <= 0x5A { hasUpper = true }
                } else {
                    finish(i)
                }
                i += 1
                continue
            }
            let (c, length) = scalar(bytes, i)
            if c.properties.isAlphabetic || c.properties.numericType != nil {
                if start < 0 { start = i }
                if c.value > 0x2E80 { hasWide = true }
                hasUpper = true  // lowercase the whole word: cheap enough for the rare non-ASCII one
            } else {
                finish(i)
            }
            i += length
        }
        finish(bytes.count)
        return out
    }
}
