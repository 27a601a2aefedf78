import QuireModel

/// An Excel number format code (`#,##0.00`, `d-mmm-yy`, `0.0%;[Red]-0.0%`), parsed once and
/// applied to many values: it tells whether a number is a date and renders the text Excel
/// would show.
public struct NumberFormat: Sendable {
    /// The format code as stored (`#,##0.00;[Red]-#,##0.00`).
    public let code: String
    private let sections: [Section]
    /// Whether numbers under this format are dates or times of day.
    public let isDate: Bool
    /// Whether numbers under this format are elapsed times (`[h]:mm`, `[mm]:ss`).
    public let isDuration: Bool

    struct Section: Sendable {
        var tokens: [Token]
        var condition: (op: String, value: Double)?
        var isDate: Bool
        var isText: Bool
        var isGeneral: Bool
    }

    enum Token: Sendable, Equatable {
        case literal(String)
        case digits(String)  // a run of 0 # ? , . E+ E- / placeholders
        case date(String)  // y, m, d, h, s, AM/PM, [h] …
        case text  // @
        case general
    }

    /// Parses `code` into sections; a code that cannot be parsed shows values as General.
    public init(code: String) {
        self.code = code
        sections = NumberFormat.split(code).map(NumberFormat.parseSection)
        let first = sections.first
        isDuration = first?.tokens.contains { if case .date(let code) = $0 { code.hasPrefix("[") } else { false } } ?? false
        isDate = (first?.isDate ?? false) && !isDuration
    }

    /// The format Excel numbers `id` with, or nil for an id that is not built in.
    public static func builtIn(_ id: Int) -> String? { builtInCodes[id] }

    static let builtInCodes: [Int: String] = [
        0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 5: "$#,##0_);($#,##0)", 6: "$#,##0_);[Red]($#,##0)",
        7: "$#,##0.00_);($#,##0.00)", 8: "$#,##0.00_);[Red]($#,##0.00)", 9: "0%", 10: "0.00%", 11: "0.00E+00",
        12: "# ?/?", 13: "# ??/??", 14: "m/d/yyyy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
        19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yyyy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
        39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss", 47: "mmss.0",
        48: "##0.0E+0", 49: "@",
    ]

    /// Excel's General format.
    public static let general = NumberFormat(code: "General")

    // MARK: Parsing

    static func split(_ code: String) -> [String] {
        var sections: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        var bracket = false
        for c in code {
            if escaped {
                current.append(c)
                escaped = false
                continue
            }
            switch c {
            case "\\":
                escaped = true
                current.append(c)
            case "\"":
                quoted.toggle()
                current.append(c)
            case "[" where !quoted:
                bracket = true
                current.append(c)
            case "]" where !quoted:
                bracket = false
                current.append(c)
            case ";" where !quoted && !bracket:
                sections.append(current)
                current = ""
            default: current.append(c)
            }
        }
        sections.append(current)
        return sections
    }

    static func parseSection(_ text: String) -> Section {
        var parser = SectionParser(Array(text))
        return parser.parse()
    }

    /// Reads one section of a format code into tokens, a character at a time.
    struct SectionParser {
        let chars: [Character]
        var i = 0
        var tokens: [Token] = []
        var condition: (String, Double)?
        var literal = ""
        var digits = ""
        var isDate = false
        var isText = false
        var isGeneral = false

        init(_ chars: [Character]) { self.chars = chars }

        mutating func parse() -> Section {
            while i < chars.count {
                step(chars[i])
                i += 1
            }
            flushLiteral()
            flushDigits()
            if tokens.isEmpty { isGeneral = true }
            return Section(tokens: tokens, condition: condition, isDate: isDate, isText: isText, isGeneral: isGeneral)
        }

        mutating func flushLiteral() {
            if !literal.isEmpty {
                tokens.append(.literal(literal))
                literal = ""
            }
        }

        mutating func flushDigits() {
            if !digits.isEmpty {
                tokens.append(.digits(digits))
                digits = ""
            }
        }

        /// A token that stands alone: what was gathered before it is flushed first.
        mutating func append(_ token: Token) {
            flushLiteral()
            flushDigits()
            tokens.append(token)
        }

        /// `c` as literal text (ending a digit run).
        mutating func appendLiteral(_ c: Character) {
            flushDigits()
            literal.append(c)
        }

        /// The character at `i`; `i` is left on the last character it used.
        mutating func step(_ c: Character) {
            switch c {
            case "\"":
                flushDigits()
                i += 1
                while i < chars.count && chars[i] != "\"" {
                    literal.append(chars[i])
                    i += 1
                }
            case "\\":
                flushDigits()
                if i + 1 < chars.count { literal.append(chars[i + 1]) }
                i += 1
            case "_":
                // Space as wide as the next character.
                flushDigits()
                literal.append(" ")
                i += 1
            case "*":
                // Repeat-to-fill: nothing to fill in text output.
                flushDigits()
                i += 1
            case "[":
                bracket()
            case "@":
                append(.text)
                isText = true
            case "0", "#", "?", ".", ",", "%", "/":
                placeholder(c)
            case "E", "e":
                exponentOrEra(c)
            case "G", "g":
                if String(chars[i...].prefix(7)).lowercased() == "general" {
                    append(.general)
                    isGeneral = true
                    i += 6
                } else {
                    appendLiteral(c)
                }
            case "y", "Y", "m", "M", "d", "D", "h", "H", "s", "S":
                flushLiteral()
                flushDigits()
                let lower = Character(c.lowercased())
                var run = String(lower)
                while i + 1 < chars.count, Character(chars[i + 1].lowercased()) == lower {
                    run.append(lower)
                    i += 1
                }
                tokens.append(.date(run))
                isDate = true
            case "A", "a":
                amPm(c)
            default:
                appendLiteral(c)
            }
        }

        /// `[…]`: elapsed time (`[h]`), a condition (`[>=100]`), a currency (`[$€-407]`);
        /// colours and other tags change nothing in text.
        mutating func bracket() {
            var inner = ""
            i += 1
            while i < chars.count && chars[i] != "]" {
                inner.append(chars[i])
                i += 1
            }
            let lower = inner.lowercased()
            if ["h", "hh", "m", "mm", "s", "ss"].contains(lower) {
                append(.date("[" + lower + "]"))
                isDate = true
            } else if let first = inner.first, "<>=".contains(first) {
                var op = String(first)
                var rest = inner.dropFirst()
                if let second = rest.first, "<>=".contains(second) {
                    op.append(second)
                    rest = rest.dropFirst()
                }
                if let value = Double(rest.trimmingSpaces()) { condition = (op, value) }
            } else if inner.hasPrefix("$") {
                // Currency and locale: `[$€-407]` shows `€`.
                flushDigits()
                let symbol = inner.dropFirst().prefix(while: { $0 != "-" })
                literal += symbol
            }
        }

        /// Digit placeholders, and the punctuation that belongs to a number pattern only
        /// next to them.
        mutating func placeholder(_ c: Character) {
            guard c == "." || c == "," || c == "/" || c == "%" else {
                flushLiteral()
                if c == "0", isDate, let last = tokens.last, case .date(let d) = last, d.hasPrefix(".") {
                    tokens[tokens.count - 1] = .date(d + "0")
                } else {
                    digits.append(c)
                }
                return
            }
            let previousIsDigit = !digits.isEmpty
            let nextIsDigit = i + 1 < chars.count && "0#?".contains(chars[i + 1])
            if c == "%" {
                if previousIsDigit { digits.append(c) } else { appendLiteral(c) }
            } else if previousIsDigit || (nextIsDigit && c != "/") || (c == "/" && previousIsDigit) {
                flushLiteral()
                digits.append(c)
            } else if c == "." && isDate {
                flushLiteral()
                tokens.append(.date("."))
            } else {
                appendLiteral(c)
            }
        }

        /// `E+`/`E-` after digits: scientific notation; a lone `e`: the year.
        mutating func exponentOrEra(_ c: Character) {
            if !digits.isEmpty, i + 1 < chars.count, chars[i + 1] == "+" || chars[i + 1] == "-" {
                digits.append("E")
                digits.append(chars[i + 1])
                i += 1
            } else if c == "e" {
                flushDigits()
                flushLiteral()
                tokens.append(.date("yyyy"))
                isDate = true
            } else {
                appendLiteral(c)
            }
        }

        /// `AM/PM` and `A/P`; any other `a` is literal.
        mutating func amPm(_ c: Character) {
            let rest = String(chars[i...].prefix(5)).uppercased()
            if rest.hasPrefix("AM/PM") {
                append(.date("AM/PM"))
                isDate = true
                i += 4
            } else if rest.hasPrefix("A/P") {
                append(.date("A/P"))
                isDate = true
                i += 2
            } else {
                appendLiteral(c)
            }
        }
    }

    // MARK: Applying

    /// The text Excel shows for `value` under this format.
    public func format(_ value: Double, uses1904Dates: Bool = false) -> String {
        guard value.isFinite else { return "#NUM!" }
        let (section, magnitudeOnly) = pick(value)
        if section.isDate && isDuration {
            // Elapsed time: the bracketed unit counts the total, the others the remainder.
            // Excel shows `#` for an elapsed time beyond its date range, as for a date.
            guard abs(value) < 2_958_466 else { return String(repeating: "#", count: 8) }
            let clock = NumberFormat.date(fromSerial: abs(value), uses1904Dates: false) ?? DateTimeValue(year: 1900, month: 1, day: 0)
            return (value < 0 ? "-" : "") + NumberFormat.render(date: clock, serial: abs(value), section.tokens)
        }
        if section.isDate {
            guard let date = NumberFormat.date(fromSerial: value, uses1904Dates: uses1904Dates) else {
                return String(repeating: "#", count: 8)
            }
            return NumberFormat.render(date: date, serial: value, section.tokens)
        }
        let number = magnitudeOnly ? abs(value) : value
        if section.isText && !section.tokens.contains(where: { if case .digits = $0 { true } else { false } }) {
            // A number under a text format (`@`) shows as General.
            return NumberFormat.general(value)
        }
        if section.isGeneral && section.tokens.allSatisfy({ if case .general = $0 { true } else if case .literal = $0 { true } else { false } }) {
            return section.tokens.map { token -> String in
                if case .literal(let text) = token { return text }
                return NumberFormat.general(number)
            }.joined()
        }
        return NumberFormat.render(number: number, section.tokens)
    }

    /// The text Excel shows for a string under this format (`@` sections add their literals).
    public func format(text: String) -> String {
        guard sections.count >= 4 || sections.contains(where: \.isText) else { return text }
        let section = sections.count >= 4 ? sections[3] : sections.first(where: \.isText)!
        return section.tokens.map { token -> String in
            switch token {
            case .literal(let literal): return literal
            case .text: return text
            default: return ""
            }
        }.joined()
    }

    /// The section for `value`, and whether it is a negative section (which shows the
    /// magnitude: its own literals carry the sign).
    private func pick(_ value: Double) -> (Section, Bool) {
        let numeric = sections.filter { !$0.isText || $0.tokens.contains(where: { if case .digits = $0 { true } else { false } }) }
        guard let first = numeric.first else { return (sections.first ?? NumberFormat.general.sections[0], false) }
        if numeric.contains(where: { $0.condition != nil }) {
            for (index, section) in numeric.enumerated() {
                if let condition = section.condition, NumberFormat.holds(condition, value) { return (section, index > 0 && value < 0) }
            }
            return (numeric.last(where: { $0.condition == nil }) ?? first, false)
        }
        switch numeric.count {
        case 1: return (first, false)
        case 2: return value < 0 ? (numeric[1], true) : (first, false)
        default:
            if value > 0 { return (first, false) }
            if value < 0 { return (numeric[1], true) }
            return (numeric[2], false)
        }
    }

    private static func holds(_ condition: (op: String, value: Double), _ value: Double) -> Bool {
        switch condition.op {
        case "<": return value < condition.value
        case "<=": return value <= condition.value
        case ">": return value > condition.value
        case ">=": return value >= condition.value
        case "=": return value == condition.value
        case "<>": return value != condition.value
        default: return false
        }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
