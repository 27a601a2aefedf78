import QuireModel

/// The text of an RTF body, or the HTML it encapsulates ([MS-OXRTFEX]: Outlook keeps an
/// HTML mail as RTF with `\fromhtml1`, the markup in `\*\htmltag` groups and RTF-only
/// renderings between `\htmlrtf` and `\htmlrtf0`).
///
/// Text is decoded in the document's code page (`\ansicpg`) or its font's character set
/// (`\fcharset`), `\uN` characters taken with their fallbacks skipped; font tables,
/// styles, pictures, field instructions and other ignorable destinations are left out.
struct RTFText {
    /// What the RTF holds.
    enum Content: Equatable {
        /// HTML recovered from encapsulating RTF.
        case html(String)
        /// Text converted from RTF.
        case text(String)
    }

    /// The content of `rtf`.
    static func content(of rtf: [UInt8]) -> Content {
        let head = rtf.prefix(2048)
        let fromHTML = ByteSearch.contains(String(decoding: head, as: UTF8.self), "\\fromhtml1")
        var converter = RTFText(bytes: rtf, fromHTML: fromHTML)
        converter.run()
        let text = converter.finished()
        return fromHTML ? .html(text) : .text(text)
    }

    struct GroupState {
        /// Inside a destination whose text is not content.
        var skip = false
        /// Fallback characters after `\uN`.
        var unicodeSkip = 1
        /// Inside `\htmlrtf` (RTF-only rendering of encapsulated HTML).
        var htmlRTF = false
        /// Inside `\*\htmltag`: encapsulated HTML markup.
        var htmlTag = false
        /// Inside the font table.
        var fontTable = false
        /// The current font (its character set may set the code page of `\'hh` bytes).
        var font = -1
    }

    let bytes: [UInt8]
    let fromHTML: Bool
    var out: [UInt8] = []
    /// 8-bit bytes waiting to be decoded together (a multi-byte code page needs them whole).
    var pending: [UInt8] = []
    var pendingPage = 1252
    var state = GroupState()
    var stack: [GroupState] = []
    /// Groups opened past the depth limit, counted instead of stacked.
    var overflow = 0
    var codepage = 1252
    var fontPages: [Int: Int] = [:]
    var fontBeingDefined = -1
    /// Fallback characters still to skip after `\uN`.
    var skipCount = 0
    /// A `{` was just read: the next control word may name a destination.
    var groupStart = false
    /// `\*` was just read: an ignorable destination.
    var ignorable = false
    /// A UTF-16 high surrogate from `\uN`, waiting for its pair.
    var highSurrogate: UInt16?

    static let maxDepth = 512
    static let skippedDestinations: Set<String> = [
        "fonttbl", "colortbl", "stylesheet", "info", "pict", "object", "fldinst", "themedata", "colorschememapping", "latentstyles",
        "datastore", "xmlnstbl", "listtable", "listoverridetable", "rsidtbl", "generator", "filetbl", "revtbl", "pgdsctbl", "header",
        "footer", "headerl", "headerr", "headerf", "footerl", "footerr", "footerf", "mmathPr", "xe", "tc", "bkmkstart", "bkmkend",
    ]

    init(bytes: [UInt8], fromHTML: Bool) {
        self.bytes = bytes
        self.fromHTML = fromHTML
    }

    /// Whether text read now is content.
    var emitting: Bool {
        if state.htmlTag { return true }
        return !state.skip && !(fromHTML && state.htmlRTF)
    }

    mutating func run() {
        var i = 0
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            switch c {
            case UInt8(ascii: "{"):
                if stack.count < Self.maxDepth { stack.append(state) } else { overflow += 1 }
                groupStart = true
                ignorable = false
                i += 1
            case UInt8(ascii: "}"):
                if overflow > 0 { overflow -= 1 } else if let outer = stack.popLast() { state = outer }
                groupStart = false
                i += 1
            case UInt8(ascii: "\\"):
                i = controlSequence(at: i)
            case 0x0D, 0x0A:
                i += 1
            default:
                groupStart = false
                text(c)
                i += 1
            }
        }
        flush()
    }

    /// A control word, symbol or `\'hh` at `i`; returns where reading goes on.
    mutating func controlSequence(at i: Int) -> Int {
        let n = bytes.count
        guard i + 1 < n else { return n }
        let next = bytes[i + 1]
        if isLetter(next) {
            var j = i + 1
            while j < n, isLetter(bytes[j]), j - i < 40 { j += 1 }
            let word = String(decoding: bytes[(i + 1)..<j], as: UTF8.self)
            var parameter: Int?
            var k = j
            if k < n, bytes[k] == UInt8(ascii: "-") || isDigit(bytes[k]) {
                let negative = bytes[k] == UInt8(ascii: "-")
                if negative { k += 1 }
                var value = 0
                while k < n, isDigit(bytes[k]), k - j < 12 {
                    value = value * 10 + Int(bytes[k] - 0x30)
                    k += 1
                }
                parameter = negative ? -value : value
            }
            if k < n, bytes[k] == 0x20 { k += 1 }
            if word == "bin", let count = parameter, count > 0 { return min(n, k + count) }
            controlWord(word, parameter)
            return k
        }
        groupStart = false
        switch next {
        case UInt8(ascii: "'"):
            guard i + 3 < n, let byte = UInt8(String(decoding: bytes[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) else { return i + 2 }
            text(byte)
            return i + 4
        case UInt8(ascii: "*"):
            ignorable = true
            groupStart = true
        case UInt8(ascii: "\\"), UInt8(ascii: "{"), UInt8(ascii: "}"):
            text(next)
        case UInt8(ascii: "~"):
            unicode(0xA0)
        case UInt8(ascii: "_"):
            unicode(0x2011)
        case 0x0D, 0x0A:
            controlWord("par", nil)
        default:
            break
        }
        return i + 2
    }

    mutating func controlWord(_ word: String, _ parameter: Int?) {
        if groupStart {
            groupStart = false
            if ignorable && word == "htmltag" && fromHTML {
                state.htmlTag = true
                state.skip = false
                ignorable = false
                return
            }
            if word == "fonttbl" { state.fontTable = true }
            if ignorable || Self.skippedDestinations.contains(word) {
                state.skip = true
                ignorable = false
                if word != "fonttbl" { return }
            }
        }
        if state.fontTable {
            if word == "f", let parameter { fontBeingDefined = parameter }
            if word == "fcharset", let parameter, let page = Self.codepage(ofCharset: parameter) { fontPages[fontBeingDefined] = page }
            return
        }
        switch word {
        case "par", "line", "sect", "page", "row": newline()
        case "tab", "cell": if emitting { append(0x09) }
        case "u":
            guard let parameter else { return }
            unicode(UInt32(parameter < 0 ? parameter + 65_536 : parameter & 0xFFFF))
            skipCount = state.unicodeSkip
            return
        case "uc": state.unicodeSkip = max(0, min(parameter ?? 1, 8))
        case "ansicpg": if let parameter, parameter > 0 { codepage = parameter }
        case "htmlrtf": state.htmlRTF = (parameter ?? 1) != 0
        case "f": state.font = parameter ?? -1
        case "emdash": unicode(0x2014)
        case "endash": unicode(0x2013)
        case "bullet": unicode(0x2022)
        case "lquote": unicode(0x2018)
        case "rquote": unicode(0x2019)
        case "ldblquote": unicode(0x201C)
        case "rdblquote": unicode(0x201D)
        case "emspace", "enspace", "qmspace": unicode(0x20)
        default: break
        }
        skipCount = 0
    }

    /// A byte of text: ASCII goes out at once; 8-bit bytes wait to be decoded in the code page.
    mutating func text(_ byte: UInt8) {
        if skipCount > 0 {
            skipCount -= 1
            return
        }
        guard emitting else { return }
        if byte < 0x80 {
            append(byte)
            return
        }
        let page = fontPages[state.font] ?? codepage
        if !pending.isEmpty && page != pendingPage { flush() }
        pendingPage = page
        pending.append(byte)
    }

    mutating func unicode(_ scalar: UInt32) {
        guard emitting else { return }
        if scalar >= 0xD800 && scalar < 0xDC00 {
            highSurrogate = UInt16(scalar)
            return
        }
        var value = scalar
        if scalar >= 0xDC00 && scalar < 0xE000, let high = highSurrogate {
            value = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (scalar - 0xDC00)
        }
        highSurrogate = nil
        flush()
        out += Array(String(Unicode.Scalar(value).map(Character.init) ?? "\u{FFFD}").utf8)
    }

    mutating func newline() {
        guard emitting else { return }
        // Encapsulated HTML keeps its line ends as CRLF; text gets LF.
        if fromHTML { append(0x0D) }
        append(0x0A)
    }

    mutating func append(_ byte: UInt8) {
        flush()
        out.append(byte)
    }

    /// Decodes the waiting 8-bit bytes.
    mutating func flush() {
        guard !pending.isEmpty else { return }
        out += Array(OutlookProperties.decode(pending, codepage: pendingPage).utf8)
        pending.removeAll(keepingCapacity: true)
    }

    mutating func finished() -> String {
        flush()
        let text = String(decoding: out, as: UTF8.self)
        return fromHTML ? text : Self.tidy(text)
    }

    /// Text with trailing blanks cut from each line and runs of blank lines made one.
    static func tidy(_ text: String) -> String {
        var lines: [Substring] = []
        var blank = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
            let cut = line[line.startIndex..<line.index(line.startIndex, offsetBy: trimmed.count)]
            if cut.isEmpty {
                blank += 1
                if blank > 1 { continue }
            } else {
                blank = 0
            }
            lines.append(cut)
        }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }

    func isLetter(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) }
    func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// The Windows code page of an RTF `\fcharset` value.
    static func codepage(ofCharset charset: Int) -> Int? {
        switch charset {
        case 0: 1252
        case 77: 10000
        case 128: 932
        case 129: 949
        case 134: 936
        case 136: 950
        case 161: 1253
        case 162: 1254
        case 163: 1258
        case 177: 1255
        case 178: 1256
        case 186: 1257
        case 204: 1251
        case 222: 874
        case 238: 1250
        case 255: 437
        default: nil
        }
    }
}
