public import QuireModel

extension NumberFormat {
    // MARK: General

    /// Excel's `General`: integers as they are, other numbers to about ten significant
    /// digits, very large or small ones in scientific notation.
    static func general(_ value: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if value == value.rounded() && magnitude < 1e11 { return String(Int64(value)) }
        if magnitude >= 1e11 || magnitude < 1e-9 {
            return scientific(value, decimals: 5, exponentDigits: 2, trimZeros: true)
        }
        let integerDigits = magnitude < 1 ? 1 : String(Int64(magnitude)).count
        let decimals = max(0, 10 - integerDigits)
        var text = fixed(magnitude, decimals: decimals)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return (value < 0 ? "-" : "") + text
    }

    /// `magnitude` with exactly `decimals` digits after the point (no grouping).
    static func fixed(_ magnitude: Double, decimals: Int) -> String {
        let scale = power10(decimals)
        let scaled = (magnitude * scale).rounded()
        if scaled >= 9e18 {
            // Beyond Int64: fall back on the shortest representation.
            return "\(magnitude)"
        }
        let whole = Int64(scaled)
        let integer = whole / Int64(scale)
        let fraction = whole % Int64(scale)
        if decimals == 0 { return String(integer) }
        var fractionText = String(fraction)
        fractionText = String(repeating: "0", count: decimals - fractionText.count) + fractionText
        return String(integer) + "." + fractionText
    }

    static func power10(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<max(0, min(n, 18)) { result *= 10 }
        return result
    }

    static func scientific(_ value: Double, decimals: Int, exponentDigits: Int, trimZeros: Bool = false) -> String {
        guard value.isFinite else { return "#NUM!" }
        var exponent = 0
        var mantissa = abs(value)
        if mantissa != 0 {
            while mantissa >= 10 {
                mantissa /= 10
                exponent += 1
            }
            while mantissa < 1 {
                mantissa *= 10
                exponent -= 1
            }
        }
        var text = fixed(mantissa, decimals: decimals)
        if text.hasPrefix("10") && (text.count == 2 || text.dropFirst(2).first == ".") {
            // Rounding carried into a new digit (9.9999 → 10.000, or 9.6 → 10 with no decimals).
            exponent += 1
            text = fixed(mantissa / 10, decimals: decimals)
        }
        if trimZeros, text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        var exponentText = String(abs(exponent))
        exponentText = String(repeating: "0", count: max(0, exponentDigits - exponentText.count)) + exponentText
        return (value < 0 ? "-" : "") + text + "E" + (exponent < 0 ? "-" : "+") + exponentText
    }

    // MARK: Number patterns

    static func render(number value: Double, _ tokens: [Token]) -> String {
        let patterns = tokens.compactMap { token -> String? in
            if case .digits(let pattern) = token { return pattern }
            return nil
        }
        if patterns.isEmpty {
            // Literal-only section (`"none"`): the literal stands for the number.
            return tokens.map { if case .literal(let t) = $0 { t } else { "" } }.joined()
        }
        if patterns.contains(where: { $0.contains("/") }) {
            return renderFraction(value, tokens)
        }
        var out = ""
        var placed = false
        for token in tokens {
            switch token {
            case .literal(let text):
                out += text
            case .digits(let pattern):
                guard !placed else { continue }
                placed = true
                let text = renderPattern(abs(value), pattern)
                if value < 0 && text.contains(where: { $0 != "0" && $0 != "." && $0 != "," && $0 != "%" && $0 != " " }) {
                    out += "-"
                }
                out += text
            case .general:
                out += general(value)
            case .text, .date:
                break
            }
        }
        return out
    }

    /// Formats a non-negative number with one placeholder run (`#,##0.00`, `0%`, `0.0E+00`).
    static func renderPattern(_ magnitude: Double, _ pattern: String) -> String {
        var pattern = pattern
        var value = magnitude
        let percents = pattern.filter { $0 == "%" }.count
        for _ in 0..<percents { value *= 100 }
        pattern.removeAll { $0 == "%" }
        // Trailing commas scale by a thousand each.
        while pattern.hasSuffix(",") {
            pattern.removeLast()
            value /= 1000
        }
        // Percent signs can scale the largest doubles past infinity: nothing to show then.
        guard value.isFinite else { return "#NUM!" }
        let suffix = String(repeating: "%", count: percents)
        if let e = pattern.firstIndex(of: "E") {
            let mantissaPattern = pattern[..<e]
            let exponentPattern = pattern[pattern.index(e, offsetBy: 2)...]
            let decimals = mantissaPattern.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first?.count ?? 0
            return scientific(value, decimals: decimals, exponentDigits: exponentPattern.count) + suffix
        }
        let parts = pattern.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integerPattern = String(parts[0])
        let fractionPattern = parts.count > 1 ? String(parts[1]) : ""
        let grouping = integerPattern.contains(",")
        let decimalPlaces = fractionPattern.filter { "0#?".contains($0) }.count
        let text = fixed(value, decimals: decimalPlaces)
        let split = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var integer = String(split[0])
        var fraction = split.count > 1 ? String(split[1]) : ""
        // Integer digits: '0' forces a digit, '#' does not, '?' pads with a space.
        let required = integerPattern.filter { $0 == "0" }.count
        let padded = integerPattern.filter { $0 == "?" }.count
        if integer == "0" && required == 0 { integer = "" }
        if integer.count < required { integer = String(repeating: "0", count: required - integer.count) + integer }
        if grouping && integer.count > 3 {
            var grouped = ""
            for (i, c) in integer.enumerated() {
                if i > 0 && (integer.count - i) % 3 == 0 { grouped.append(",") }
                grouped.append(c)
            }
            integer = grouped
        }
        if integer.count < required + padded { integer = String(repeating: " ", count: required + padded - integer.count) + integer }
        // Fraction digits: trailing '#' drop zeros, trailing '?' turn them into spaces.
        let fractionPlaceholders = Array(fractionPattern.filter { "0#?".contains($0) })
        var chars = Array(fraction)
        var index = chars.count - 1
        while index >= 0 && chars[index] == "0" && index < fractionPlaceholders.count && fractionPlaceholders[index] != "0" {
            chars[index] = fractionPlaceholders[index] == "?" ? " " : "\0"
            index -= 1
        }
        fraction = String(chars.filter { $0 != "\0" })
        var result = integer
        if !fractionPattern.isEmpty || pattern.hasSuffix(".") {
            if !fraction.isEmpty || fractionPattern.isEmpty { result += "." + fraction } else if fractionPlaceholders.isEmpty { result += "." }
        }
        return result + suffix
    }

    static func renderFraction(_ value: Double, _ tokens: [Token]) -> String {
        let magnitude = abs(value)
        let patterns = tokens.compactMap { token -> String? in
            if case .digits(let pattern) = token { return pattern }
            return nil
        }
        guard let fractionPattern = patterns.first(where: { $0.contains("/") }) else { return general(value) }
        // Past 2^53 a double has no fraction left to show, and past 2^63 no Int64 to hold it.
        guard magnitude < 9e15 else { return general(value) }
        let hasInteger = patterns.first.map { !$0.contains("/") } ?? false
        let sides = fractionPattern.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let denominatorPattern = sides.count > 1 ? String(sides[1]) : "?"
        var integer = hasInteger ? Int64(magnitude) : 0
        let rest = magnitude - Double(integer)
        var numerator: Int64
        var denominator: Int64
        if let fixedDenominator = Int64(denominatorPattern) {
            // `?/0` or a numerator past Int64 has nothing sensible to show but the number.
            guard fixedDenominator > 0, rest * Double(fixedDenominator) < 9e18 else { return general(value) }
            denominator = fixedDenominator
            numerator = Int64((rest * Double(fixedDenominator)).rounded())
        } else {
            let limit = Int64(power10(max(1, denominatorPattern.count))) - 1
            (numerator, denominator) = bestFraction(rest, limit: limit)
        }
        if numerator == denominator && hasInteger {
            integer += 1
            numerator = 0
        }
        var out = value < 0 ? "-" : ""
        if hasInteger {
            if integer != 0 || numerator == 0 { out += String(integer) }
            if numerator != 0 { out += (integer != 0 ? " " : "") + "\(numerator)/\(denominator)" }
        } else {
            out += "\(numerator)/\(denominator)"
        }
        return out
    }

    /// The closest fraction to `value` (≥ 0, < 9e15) with a denominator up to `limit`: the last
    /// continued-fraction convergent within the limit, or the semiconvergent past it when that is
    /// closer. Logarithmic in the limit, so `??????` denominators cost no more than `?`.
    static func bestFraction(_ value: Double, limit: Int64) -> (Int64, Int64) {
        // (p0/q0, p1/q1) are the two latest convergents, starting from 0/1 and 1/0.
        var (p0, q0, p1, q1): (Int64, Int64, Int64, Int64) = (0, 1, 1, 0)
        var rest = value
        for _ in 0..<64 {
            let whole = rest.rounded(.down)
            guard whole < 9e15 else { break }
            let a = Int64(whole)
            guard let p2 = multiplyAdd(a, p1, p0), let q2 = multiplyAdd(a, q1, q0), q2 <= limit else {
                // The next convergent is past the limit: the semiconvergent may still be closer.
                let k = (limit - q0) / q1
                if k > 0, let ps = multiplyAdd(k, p1, p0), let qs = multiplyAdd(k, q1, q0),
                    abs(value - Double(ps) / Double(qs)) < abs(value - Double(p1) / Double(q1))
                {
                    return (ps, qs)
                }
                return (p1, q1)
            }
            (p0, q0, p1, q1) = (p1, q1, p2, q2)
            let fraction = rest - whole
            if fraction < 1e-12 || abs(value - Double(p1) / Double(q1)) < 1e-12 { break }
            rest = 1 / fraction
        }
        return (p1, q1)
    }

    /// `a * b + c`, or nil when it leaves Int64.
    private static func multiplyAdd(_ a: Int64, _ b: Int64, _ c: Int64) -> Int64? {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        let (sum, carry) = product.addingReportingOverflow(c)
        return overflow || carry ? nil : sum
    }

    // MARK: Dates

    /// The calendar date of an Excel serial number, with Excel's 1900 leap-year bug (serial
    /// 60 is the 29 February 1900 that never was); nil for serials Excel cannot show.
    public static func date(fromSerial serial: Double, uses1904Dates: Bool) -> DateTimeValue? {
        guard serial >= 0, serial < 2_958_466 else { return nil }
        var days = Int(serial.rounded(.down))
        var seconds = ((serial - Double(days)) * 86_400 * 1000).rounded() / 1000
        if seconds >= 86_400 {
            days += 1
            seconds -= 86_400
        }
        let hour = Int(seconds / 3600)
        let minute = Int((seconds - Double(hour) * 3600) / 60)
        let second = seconds - Double(hour) * 3600 - Double(minute) * 60
        let timeOnly = days == 0 && !uses1904Dates
        var date: (Int, Int, Int)
        if uses1904Dates {
            date = CivilCalendar.date(fromDays: days - 24_107)  // 1904-01-01 is 24,107 days before 1970-01-01
        } else if days == 60 {
            date = (1900, 2, 29)
        } else if days < 60 {
            date = days == 0 ? (1900, 1, 0) : CivilCalendar.date(fromDays: days - 25_568)  // 1899-12-31 + days
        } else {
            date = CivilCalendar.date(fromDays: days - 25_569)  // 1899-12-30 + days
        }
        return DateTimeValue(
            year: date.0, month: date.1, day: date.2, hour: hour, minute: minute, second: second, serial: serial,
            isTimeOnly: timeOnly)
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
    static let dayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    static func render(date: DateTimeValue, serial: Double, _ tokens: [Token]) -> String {
        let twelveHour = tokens.contains { if case .date(let d) = $0 { d == "AM/PM" || d == "A/P" } else { false } }
        // Fractional seconds shown: round to them, otherwise to whole seconds.
        var fractionDigits = 0
        for token in tokens { if case .date(let d) = token, d.hasPrefix(".") { fractionDigits = d.count - 1 } }
        var second = date.second
        var minute = date.minute
        var hour = date.hour
        if fractionDigits == 0 {
            second = second.rounded()
            if second >= 60 {
                second -= 60
                minute += 1
            }
            if minute >= 60 {
                minute -= 60
                hour += 1
            }
        }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var out = ""
        for (i, token) in tokens.enumerated() {
            switch token {
            case .literal(let text):
                out += text
            case .date(let code):
                switch code {
                case "yyyy", "yyy", "eeee": out += String(date.year)
                case "yy", "y": out += two(date.year % 100)
                case "m", "mm":
                    if isMinute(at: i, tokens) {
                        out += code == "mm" ? two(minute) : String(minute)
                    } else {
                        out += code == "mm" ? two(date.month) : String(date.month)
                    }
                case "mmm": out += String(monthNames[max(0, date.month - 1)].prefix(3))
                case "mmmmm": out += String(monthNames[max(0, date.month - 1)].prefix(1))
                case "d": out += String(date.day)
                case "dd": out += two(date.day)
                case "ddd": out += String(dayName(date).prefix(3))
                case "h", "hh":
                    var h = hour
                    if twelveHour { h = h % 12 == 0 ? 12 : h % 12 }
                    out += code == "hh" ? two(h) : String(h)
                case "s", "ss":
                    let whole = Int(second)
                    out += code == "ss" ? two(whole) : String(whole)
                case "AM/PM": out += hour < 12 ? "AM" : "PM"
                case "A/P": out += hour < 12 ? "A" : "P"
                case "[h]", "[hh]": out += String(Int((serial * 24).rounded(.down)))
                case "[m]", "[mm]": out += two(Int((serial * 1440).rounded(.down)))
                case "[s]", "[ss]": out += two(Int((serial * 86_400).rounded()))
                default:
                    if code.hasPrefix(".") {
                        let digits = code.count - 1
                        let fraction = second - second.rounded(.down)
                        let scaled = Int((fraction * power10(digits)).rounded())
                        let text = String(scaled)
                        out += "." + String(repeating: "0", count: max(0, digits - text.count)) + text
                    } else if code.hasPrefix("mmmm") {
                        out += monthNames[max(0, date.month - 1)]
                    } else if code.hasPrefix("dddd") {
                        out += dayName(date)
                    } else if code.hasPrefix("y") {
                        out += String(date.year)
                    } else if code.hasPrefix("h") {
                        out += two(hour)
                    } else if code.hasPrefix("s") {
                        out += two(Int(second))
                    } else if code.hasPrefix("d") {
                        out += two(date.day)
                    }
                }
            case .digits(let pattern):
                out += pattern
            case .general, .text:
                break
            }
        }
        return out
    }

    /// `m` means minutes right after an hour or right before a second.
    static func isMinute(at index: Int, _ tokens: [Token]) -> Bool {
        var i = index - 1
        while i >= 0 {
            if case .date(let code) = tokens[i] {
                return code.hasPrefix("h") || code.hasPrefix("[h")
            }
            i -= 1
        }
        i = index + 1
        while i < tokens.count {
            if case .date(let code) = tokens[i] {
                return code.hasPrefix("s") || code.hasPrefix("[s")
            }
            i += 1
        }
        return false
    }

    static func dayName(_ date: DateTimeValue) -> String {
        // Zeller-free: days from 1970-01-01 (a Thursday).
        guard date.year > 1900 || (date.year == 1900 && date.month > 2) else {
            return dayNames[(date.day + 6) % 7]  // Excel's 1900-01-01 is a Sunday by its own count
        }
        let days = CivilCalendar.days(year: date.year, month: date.month, day: date.day)
        return dayNames[((days % 7) + 11) % 7]
    }
}
