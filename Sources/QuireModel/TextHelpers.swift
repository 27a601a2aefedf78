// Small text helpers the model, the renderers and the readers share.

extension String {
    /// The text escaped for XML element content or a double-quoted attribute value (`"`
    /// escaped when `quotes`); characters XML 1.0 does not allow (controls other than tab,
    /// line feed and carriage return; U+FFFE, U+FFFF) are dropped.
    package func xmlEscaped(quotes: Bool = true) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    package func replacingNewlines(with replacement: String = " ") -> String {
        guard contains(where: \.isNewline) else { return self }
        return split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: replacement)
    }

    /// Without leading and trailing spaces and tabs (line ends kept).
    package func trimmingBlanks() -> String {
        let utf8 = self.utf8
        guard let first = utf8.first, let last = utf8.last else { return self }
        func blank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        if !blank(first) && !blank(last) { return self }
        let leading = utf8.prefix(while: blank).count
        if leading == utf8.count { return "" }
        let trailing = utf8.reversed().prefix(while: blank).count
        let start = utf8.index(utf8.startIndex, offsetBy: leading)
        let end = utf8.index(utf8.endIndex, offsetBy: -trailing)
        return String(self[start..<end])
    }

    package var isGFMOrderedMarker: Bool {
        guard let last = last, last == "." || last == ")" else { return false }
        let digits = dropLast()
        return !digits.isEmpty && digits.count <= 9 && digits.allSatisfy(\.isASCIIDigit)
    }

    package var isBulletGlyph: Bool {
        count == 1 && !(first!.isLetter || first!.isNumber)
    }

    /// Every occurrence of `target` replaced (a byte-exact search, no Foundation).
    package func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        out += rest
        return out
    }
}

extension Character {
    package var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Array where Element == Block {
    package func paragraphTexts(_ view: ChangeView) -> [String] {
        flatMap { $0.paragraphTexts(view) }
    }
}

extension Array where Element == Block {
    /// Neighbouring code blocks (one per source paragraph) joined into one.
    package func joiningCode() -> [Block] {
        guard count > 1 else { return self }
        var out: [Block] = []
        out.reserveCapacity(count)
        for block in self {
            if case .code(let text) = block, case .code(let previous)? = out.last {
                out[out.count - 1] = .code(previous + "\n" + text)
            } else {
                out.append(block)
            }
        }
        return out
    }
}

extension StringProtocol {
    /// Without the characters of `set` at either end (compared by scalar, so `"\r\n"`
    /// counts as the two it is made of).
    package func trimmingCharacters(in set: String) -> String {
        func trimmed(_ ch: Character) -> Bool { ch.unicodeScalars.allSatisfy { set.unicodeScalars.contains($0) } }
        var text = Substring(self)
        while let first = text.first, trimmed(first) { text = text.dropFirst() }
        while let last = text.last, trimmed(last) { text = text.dropLast() }
        return String(text)
    }
}
