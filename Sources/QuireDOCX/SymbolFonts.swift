/// Maps characters of the Symbol and Wingdings fonts (stored by Word as U+F020–U+F0FF or
/// as plain bytes) to the Unicode characters they draw.
enum SymbolFonts {
    /// Adobe Symbol encoding, 0x20–0x7E.
    private static let symbolLow: [Character] = Array(
        " !∀#∃%&∋()∗+,−./0123456789:;<=>?≅ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ[∴]⊥_‾αβχδεφγηιϕκλμνοπθρστυϖωξψζ{|}∼")
    /// Adobe Symbol encoding, 0xA0–0xFE (bracket pieces drawn as their closest whole glyph).
    private static let symbolHigh: [Character] = Array(
        "€ϒ′≤⁄∞ƒ♣♦♥♠↔←↑→↓°±″≥×∝∂•÷≠≡≈…⏐⎯↵ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉∠∇®©™∏√⋅¬∧∨⇔⇐⇑⇒⇓◊〈®©™∑⎛⎜⎝⎡⎢⎣⎧⎨⎩⎪ 〉∫⌠⎮⌡⎞⎟⎠⎤⎥⎦⎫⎬⎭")
    private static let wingdings: [UInt32: Character] = [
        0x6C: "●", 0x6E: "■", 0x71: "❑", 0x76: "❖", 0x77: "◆", 0x9F: "•", 0xA7: "▪", 0xA8: "◻",
        0xD8: "➢", 0xE0: "➔", 0xE8: "➔", 0xF0: "⇨", 0xFB: "✗", 0xFC: "✓", 0xFE: "☑", 0xFD: "☒",
        0x4A: "☺", 0x4C: "☹", 0x21: "✏", 0x3F: "✍", 0x2A: "✉", 0x28: "☎",
    ]

    /// The character drawn by `code` in `font`; nil when unknown (keep the raw code then).
    static func character(font: String?, code: UInt32) -> Character? {
        let low = (0xF000...0xF0FF).contains(code) ? code - 0xF000 : code
        guard low <= 0xFF else { return nil }
        switch font?.lowercased() {
        case "symbol":
            if (0x20...0x7E).contains(low) { return symbolLow[Int(low - 0x20)] }
            if (0xA0...0xFE).contains(low) { return symbolHigh[Int(low - 0xA0)] }
            return nil
        case let name? where name.hasPrefix("wingdings"):
            return wingdings[low]
        default:
            return nil
        }
    }

    /// Whether text in this font may need translating (Symbol, Wingdings).
    static func isSymbolFont(_ font: String) -> Bool {
        guard let first = font.utf8.first, first | 0x20 == UInt8(ascii: "s") || first | 0x20 == UInt8(ascii: "w") else { return false }
        let lower = font.lowercased()
        return lower == "symbol" || lower.hasPrefix("wingdings")
    }

    /// Text of a run set in a symbol font: private-use characters mapped to what they draw.
    static func translate(_ text: String, font: String) -> String {
        guard text.unicodeScalars.contains(where: { (0xF020...0xF0FF).contains($0.value) }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if (0xF020...0xF0FF).contains(scalar.value), let mapped = character(font: font, code: scalar.value) {
                out.append(mapped)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
