import QuireMail
import QuireModel

/// The sentences of a message's text, and the requests, promises and days in them.
extension TriageRules {
    /// Sentences of `text`: split at `.`, `!` and `?` followed by a space or a line end, and
    /// at blank lines; greetings and sign-offs of one or two words are left out.
    static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        func flush() {
            let sentence = current.split(whereSeparator: { $0 == "\n" || $0 == "\t" }).joined(separator: " ").trimmingSpaces()
            current = ""
            guard !sentence.isEmpty else { return }
            let words = sentence.split(separator: " ")
            if words.count <= 2 && (sentence.hasSuffix(",") || !sentence.contains(where: { $0 == "?" })) { return }
            out.append(sentence)
        }
        var previous: Character = "\n"
        for character in text {
            if character == "\n" && previous == "\n" { flush() }
            if (character == " " || character == "\n") && (previous == "." || previous == "!" || previous == "?") { flush() }
            current.append(character)
            previous = character
        }
        flush()
        return out
    }

    /// The words of a sentence, lower-cased, apostrophes kept (`i'll`), for the phrase tests.
    static func lowerWords(_ sentence: String) -> [Substring] {
        sentence.lowercased().split(whereSeparator: { character in
            // ASCII first: most mail is, and Character.isLetter is slow.
            if let ascii = character.asciiValue { return !(ascii >= 97 && ascii <= 122 || ascii == 39) }
            return !(character.isLetter || character == "’")
        })
    }

    /// Whether `words` hold one of `phrases` (each a run of words) in a row.
    static func holds(_ words: [Substring], _ phrases: [[Substring]]) -> Bool {
        for start in words.indices {
            for phrase in phrases where words[start] == phrase[0] && start + phrase.count <= words.count {
                if phrase.indices.allSatisfy({ words[start + $0] == phrase[$0] }) { return true }
            }
        }
        return false
    }

    static let requestPhrases: [[Substring]] = [
        ["please"], ["kindly"], ["could", "you"], ["can", "you"], ["would", "you"], ["will", "you"], ["let", "me", "know"], ["make", "sure"],
        ["remember", "to"],
    ]
    static let promisePhrases: [[Substring]] = [
        ["i", "will"], ["i'll"], ["i’ll"], ["i", "am", "going", "to"], ["i'm", "going", "to"], ["i’m", "going", "to"],
    ]

    /// Whether the sentence asks the reader to do something.
    static func isRequest(_ sentence: String) -> Bool {
        holds(lowerWords(sentence), requestPhrases)
    }

    /// The actions in the sentences: requests (the reader's), promises ("I will": the
    /// sender's; "Dan will": Dan's), with the day each names.
    func actions(_ sentences: [String], in message: MailMessage, sender: String) -> [TriageResult.Action] {
        let reader: String? =
            message.to.first(where: { me.contains($0.address.lowercased()) }).map { Self.name($0) }
            ?? (message.to.count == 1 ? Self.name(message.to.first) : nil)
        var out: [TriageResult.Action] = []
        for sentence in sentences {
            let words = Self.lowerWords(sentence)
            var owner: String?
            if Self.holds(words, Self.requestPhrases) {
                owner = reader
            } else if Self.holds(words, Self.promisePhrases) {
                owner = sender
            } else if let named = Self.namedOwner(sentence) {
                owner = named
            } else {
                continue
            }
            let due = message.date.flatMap { Self.due(in: sentence, sent: $0) }
            out.append(TriageResult.Action(text: sentence.count > 200 ? String(sentence.prefix(197)) + "…" : sentence, owner: owner, due: due))
        }
        return out
    }

    /// "Dan will …", "Dan to …": the capitalised name before it (not a pronoun).
    static func namedOwner(_ sentence: String) -> String? {
        let words = sentence.split(separator: " ").map(String.init)
        for (k, word) in words.enumerated().dropLast() where words[k + 1] == "will" || words[k + 1] == "to" && k == 0 {
            guard let first = word.unicodeScalars.first, first.properties.isUppercase, word.count > 1,
                !["I", "We", "You", "They", "It", "This", "That", "He", "She", "Who", "What", "Which"].contains(word)
            else { continue }
            return word.trimmingCharacters(in: ",;:")
        }
        return nil
    }

    /// The day a sentence names for something to be done, as an ISO date: `by Friday` (the
    /// next Friday after the message), `today` (`now`, `asap`, `end of day`), `tomorrow`,
    /// `end of the week`, `next week`
    /// (its Monday), `2024-03-14`, `14 March`, `March 14` (the year of the message, or the
    /// next one when the day has passed).
    static func due(in sentence: String, sent: MailDate) -> String? {
        guard let today = day(sent) else { return nil }
        let lower = sentence.lowercased()
        let words = lower.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "-" }).map(String.init)
        let weekday = ((today % 7) + 7 + 3) % 7  // 0 Monday … 6 Sunday (1970-01-01 was a Thursday)
        func iso(_ days: Int) -> String {
            let (y, m, d) = CivilCalendar.date(fromDays: days)
            return "\(y)-" + (m < 10 ? "0\(m)" : "\(m)") + "-" + (d < 10 ? "0\(d)" : "\(d)")
        }
        for word in words {
            if word.count == 10, word.hasPrefix("20") || word.hasPrefix("19"), let days = Self.days(ofISO: word) { return iso(days) }
        }
        let now = ["today", "eod", "now", "asap", "immediately"]
        if now.contains(where: words.contains) || lower.contains("end of day") || lower.contains("end of the day") || lower.contains("right away") {
            return iso(today)
        }
        if words.contains("tomorrow") { return iso(today + 1) }
        if lower.contains("end of the week") || lower.contains("end of week") || words.contains("eow") { return iso(today + (4 - weekday + 7) % 7) }
        if lower.contains("next week") { return iso(today + 7 - weekday) }
        let days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        for (index, name) in days.enumerated() where words.contains(name) {
            let ahead = (index - weekday + 7) % 7
            return iso(today + (ahead == 0 ? 7 : ahead))
        }
        let months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
        for (k, word) in words.enumerated() {
            // A month's name or its three-letter form ("sept" too), next to a day number:
            // "14 March", "March 14th".
            guard let month = months.firstIndex(where: { $0 == word || (word.count >= 3 && word.count <= 4 && $0.hasPrefix(word)) }) else { continue }
            let number = [k > 0 ? words[k - 1] : "", k + 1 < words.count ? words[k + 1] : ""].compactMap { Int($0.prefix { $0.isNumber }) }.first
            guard let dayOfMonth = number, (1...31).contains(dayOfMonth) else { continue }
            let (year, _, _) = CivilCalendar.date(fromDays: today)
            var target = CivilCalendar.days(year: year, month: month + 1, day: dayOfMonth)
            if target < today - 31 { target = CivilCalendar.days(year: year + 1, month: month + 1, day: dayOfMonth) }
            return iso(target)
        }
        return nil
    }

    /// The day (from 1970-01-01) the message was written, in its own time zone.
    static func day(_ date: MailDate) -> Int? {
        guard let timestamp = date.timestamp else { return nil }
        let local = timestamp + Int64(date.offsetMinutes) * 60
        return Int(local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    /// The day of an ISO date `yyyy-mm-dd`; nil for a day the month does not have.
    static func days(ofISO text: String) -> Int? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), (1...31).contains(d) else {
            return nil
        }
        let days = CivilCalendar.days(year: y, month: m, day: d)
        // A day the month does not have (2024-02-31) comes back as another date.
        return CivilCalendar.date(fromDays: days) == (y, m, d) ? days : nil
    }
}
