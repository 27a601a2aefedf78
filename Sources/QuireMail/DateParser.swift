import QuireModel

/// Dates as real mail writes them: RFC 5322 (`Tue, 1 Jul 2003 10:52:37 +0200`) with or
/// without the weekday and seconds, two- and three-digit years, zone names (`GMT`, `EST`,
/// `PDT`, military letters), comments (`(CEST)`), ISO 8601 (`2005-05-08 14:09:11`), asctime
/// (`Mon Jan  5 10:00:00 2004`), dots and dashes (`8-May-2005`). Unreadable dates keep
/// their text with no timestamp.
enum DateParser {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360,
        "pst": -480, "pdt": -420, "cet": 60, "cest": 120, "met": 60, "mest": 120, "eet": 120, "eest": 180, "bst": 60,
        "ist": 330, "jst": 540, "kst": 540, "hkt": 480, "wet": 0, "west": 60, "msk": 180, "aest": 600, "aedt": 660,
    ]

    static func parse(_ raw: String) -> MailDate {
        let text = ParameterizedValue.stripComments(raw)
        let bytes = Array(text.utf8)
        var fields = Fields()
        forEachWord(bytes) { fields.take($0) }
        let (day, month, year) = fields.dayMonthYear()
        let (hour, minute, second) = (fields.hour, fields.minute, fields.second)
        guard var y = year, let m = month, let d = day, (1...12).contains(m), (1...31).contains(d),
            (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else {
            return MailDate(raw: raw, timestamp: nil)
        }
        if y < 50 { y += 2000 } else if y < 1000 { y += 1900 }
        let days = CivilCalendar.days(year: y, month: m, day: d)
        // No zone, or -0000 ("the local time is unknown"): the time as written, zone unknown.
        let unknownZone = fields.offset == nil || (fields.offset == 0 && ByteSearch.contains(text, "-0000"))
        let zone = fields.offset ?? 0
        let timestamp = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(zone * 60)
        return MailDate(raw: raw, timestamp: timestamp, offsetMinutes: zone, zoneKnown: !unknownZone)
    }

    static func isLetter(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A }
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static let plus = UInt8(ascii: "+")
    static let minus = UInt8(ascii: "-")
    static let colon = UInt8(ascii: ":")
    static let dot = UInt8(ascii: ".")

    /// The words of a date, in order: runs of letters, runs of digits (with the colons and
    /// dots inside them), signs kept with the digits that follow; over UTF-8 bytes
    /// (everything a date is made of is ASCII).
    static func forEachWord(_ bytes: [UInt8], _ body: (ArraySlice<UInt8>) -> Void) {
        var start = -1
        func push(_ end: Int) {
            if start >= 0, end > start { body(bytes[start..<end]) }
            start = -1
        }
        for (i, ch) in bytes.enumerated() {
            let last: UInt8? = start >= 0 && i > start ? bytes[i - 1] : nil
            if isLetter(ch) {
                if let last, !isLetter(last) { push(i) }
                if start < 0 { start = i }
            } else if isDigit(ch) {
                if let last, !isDigit(last), last != plus, last != minus, last != colon, last != dot { push(i) }
                if start < 0 { start = i }
            } else if ch == plus || ch == minus {
                push(i)
                start = i
            } else if ch == colon || ch == dot {
                if let last, isDigit(last) {
                    // kept inside the word
                } else {
                    push(i)
                }
            } else {
                push(i)
            }
        }
        push(bytes.count)
    }

    /// The values of the first `limit` non-empty runs of `word` between colons (each the
    /// digits it starts with), passed with their place: `10:52:37` gives 10, 52 and 37.
    static func colonFields(_ word: ArraySlice<UInt8>, limit: Int, _ body: (_ place: Int, _ value: Int) -> Void) {
        var place = 0
        var start = word.startIndex
        while start < word.endIndex, place < limit {
            let end = word[start...].firstIndex(of: colon) ?? word.endIndex
            if end > start {
                body(place, leadingNumber(word[start..<end]).value)
                place += 1
            }
            start = end + 1
        }
    }

    /// The value of the digits that start `slice` (at most 9), and how many there were.
    static func leadingNumber(_ slice: ArraySlice<UInt8>) -> (value: Int, count: Int) {
        var value = 0
        var count = 0
        for b in slice {
            guard isDigit(b), count < 9 else { break }
            value = value * 10 + Int(b - 0x30)
            count += 1
        }
        return (value, count)
    }

    /// What the words of a date say, taken one at a time.
    struct Fields {
        var month: Int?
        var hour = 0
        var minute = 0
        var second = 0
        var offset: Int?
        var sawTime = false
        /// The plain numbers, in order: day, year (and month, in ISO order).
        var numbers: [Int] = []

        mutating func take(_ word: ArraySlice<UInt8>) {
            guard let first = word.first else { return }
            if isLetter(first) {
                // (Up to 15 bytes a String is held inline: no allocation for a month or zone.)
                let lower = String(unsafeUninitializedCapacity: word.count) { out in
                    for (k, byte) in word.enumerated() { out[k] = byte | 0x20 }
                    return word.count
                }
                if lower.utf8.count >= 3, let m = months.firstIndex(where: { lower.hasPrefix($0) }) {
                    month = m + 1
                } else if offset == nil, let zone = zones[lower] {
                    offset = zone
                }
                return
            }
            if !sawTime && word.contains(colon) {
                (hour, minute, second) = (0, 0, 0)
                colonFields(word, limit: 3) { place, value in
                    switch place {
                    case 0: hour = value
                    case 1: minute = value
                    default: second = value
                    }
                }
                sawTime = true
                return
            }
            if first == plus || first == minus, sawTime, offset == nil, let zone = Self.zoneOffset(word) {
                offset = zone
                return
            }
            // The word's digits as one number (ISO 2005-05-08: the dashes are separators, the
            // numbers plain); a word of more than nine digits is none.
            var value = 0
            var count = 0
            for byte in word where isDigit(byte) {
                count += 1
                guard count <= 9 else { return }
                value = value * 10 + Int(byte - 0x30)
            }
            guard count > 0 else { return }
            numbers.append(value)
        }

        /// `+0200`, `-05`, `+5:30` as minutes east of UTC; nil for a word that is none.
        static func zoneOffset(_ word: ArraySlice<UInt8>) -> Int? {
            let sign = word.first == minus ? -1 : 1
            let rest = word.dropFirst()
            // The first non-empty run between colons: hours (or hhmm); the second: minutes.
            let start = rest.firstIndex(where: { $0 != colon }) ?? rest.endIndex
            let (value, count) = leadingNumber(rest[start...])
            if count == 4 { return sign * (value / 100 * 60 + value % 100) }
            if count >= 1 && count <= 2 {
                var minutes = 0
                colonFields(rest, limit: 2) { place, number in if place == 1 { minutes = number } }
                return sign * (value * 60 + minutes)
            }
            return nil
        }

        /// Day, month and year from the numbers: ISO order (year first) or day month year.
        func dayMonthYear() -> (day: Int?, month: Int?, year: Int?) {
            var day: Int?
            var month = self.month
            var year: Int?
            if let first = numbers.first, first > 31 || (1000...9999).contains(first) {
                year = first
                if month == nil {
                    if numbers.count >= 3 {
                        month = numbers[1]
                        day = numbers[2]
                    }
                } else if numbers.count >= 2 {
                    day = numbers[1]
                }
            } else {
                for n in numbers {
                    if day == nil && n >= 1 && n <= 31 {
                        day = n
                    } else if month == nil && n >= 1 && n <= 12 && day != nil && year == nil && numbers.count >= 3 {
                        month = n
                    } else if year == nil {
                        year = n
                    }
                }
            }
            return (day, month, year)
        }
    }
}
