import QuireLLM
import QuireModel
import QuireRender

/// The built-in reviewer: no model, so no new wording — only what rules can see, each as a
/// comment (never a change): a word written twice in a row ("the the"), a sentence that
/// repeats an earlier one, a sentence of more than 40 words, and numbers written two ways in
/// one document (4,500 here and 12000 there; 15% here and 15 percent there).
enum OfflineReview {
    static let longSentence = 40

    struct Line {
        var number: Int
        var text: String
    }

    static func answer(_ request: ChatRequest) -> String {
        let content = ContentFence.blocks(in: request.messages.first?.content ?? "").map(\.content).joined(separator: "\n")
        let lines = content.split(separator: "\n").compactMap(line)
        var comments: [(paragraph: Int, find: String, reason: String)] = []
        var seen: [String: Int] = [:]
        for line in lines {
            comments += doubledWords(line)
            for sentence in sentences(line.text) {
                let words = sentence.split(whereSeparator: \.isWhitespace)
                let key = words.map { $0.lowercased() }.joined(separator: " ")
                if words.count >= 5 {
                    if let first = seen[key] {
                        comments.append((line.number, sentence, "This sentence repeats one in paragraph \(first)."))
                    } else {
                        seen[key] = line.number
                    }
                }
                if words.count > longSentence {
                    comments.append((line.number, sentence, "This sentence has \(words.count) words; consider splitting it."))
                }
            }
        }
        comments += numberStyles(lines)
        var w = JSONWriter(pretty: false)
        w.beginObject()
        w.key("edits")
        w.beginArray()
        for comment in comments {
            w.beginObject()
            w.field("action", "comment")
            w.field("paragraph", "p\(comment.paragraph)")
            w.field("find", comment.find)
            w.field("text", "")
            w.field("reason", comment.reason)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.takeOutput()
    }

    /// `[p12] text` or `[p3 heading] text`.
    static func line(_ raw: Substring) -> Line? {
        guard raw.hasPrefix("[p"), let close = raw.firstIndex(of: "]") else { return nil }
        let label = raw[raw.index(raw.startIndex, offsetBy: 2)..<close].split(separator: " ").first ?? ""
        guard let number = Int(label) else { return nil }
        return Line(number: number, text: String(raw[raw.index(after: close)...].dropFirst()))
    }

    /// English words that are often right twice in a row ("he had had enough", "that that").
    static let rightTwice: Set<String> = ["had", "that"]

    /// Words of letters written twice in a row, as the text has them ("the the").
    static func doubledWords(_ line: Line) -> [(Int, String, String)] {
        var found: [(Int, String, String)] = []
        let words = wordRanges(line.text)
        for (a, b) in zip(words, words.dropFirst()) {
            let first = line.text[a]
            let second = line.text[b]
            guard first.lowercased() == second.lowercased(), first.allSatisfy(\.isLetter), line.text[a.upperBound..<b.lowerBound].allSatisfy({ $0 == " " }),
                !Self.rightTwice.contains(first.lowercased())
            else {
                continue
            }
            found.append((line.number, String(line.text[a.lowerBound..<b.upperBound]), "“\(first)” is written twice."))
        }
        return found
    }

    static func wordRanges(_ text: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var start: String.Index?
        for index in text.indices {
            let isWord = text[index].isLetter || text[index].isNumber || text[index] == "'" || text[index] == "’"
            if isWord, start == nil { start = index }
            if !isWord, let s = start {
                ranges.append(s..<index)
                start = nil
            }
        }
        if let start { ranges.append(start..<text.endIndex) }
        return ranges
    }

    /// Sentences: text up to `.`, `!` or `?` followed by a space (or the end); an
    /// abbreviation of one or two letters ("e.g.", "Mr.") does not end one.
    static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            current.append(character)
            guard ".!?".contains(character), index + 1 == characters.count || characters[index + 1] == " " else { continue }
            let lastWord = current.split(separator: " ").last ?? ""
            if character == ".", lastWord.count <= 3, lastWord.dropLast().allSatisfy(\.isLetter), index + 1 < characters.count { continue }
            let sentence = current.trimmingCharacters(in: " ")
            if !sentence.isEmpty { out.append(sentence) }
            current = ""
        }
        let rest = current.trimmingCharacters(in: " ")
        if !rest.isEmpty { out.append(rest) }
        return out
    }

    /// A number as written: with thousands separators, without them (four digits or more,
    /// not a year), or a percentage with `%` or with the word.
    enum NumberStyle: String { case separated, plain, percentSign, percentWord }

    static func numbers(_ text: String) -> [(style: NumberStyle, token: String)] {
        var found: [(NumberStyle, String)] = []
        let characters = Array(text)
        var i = 0
        while i < characters.count {
            guard characters[i].isASCII, characters[i].isNumber,
                i == 0 || !(characters[i - 1].isLetter || characters[i - 1].isNumber || "#/-.,".contains(characters[i - 1]))
            else {
                i += 1
                continue
            }
            func isDigit(_ k: Int) -> Bool { k < characters.count && characters[k].isASCII && characters[k].isNumber }
            var j = i
            while j < characters.count {
                if isDigit(j) {
                    j += 1
                } else if characters[j] == ",", isDigit(j + 1), isDigit(j + 2), isDigit(j + 3), !isDigit(j + 4) {
                    j += 4
                } else if characters[j] == ".", isDigit(j + 1), j > i {
                    j += 1
                    while isDigit(j) { j += 1 }
                    break
                } else {
                    break
                }
            }
            let token = String(characters[i..<j])
            let end = j
            let after = String(characters[end..<min(characters.count, end + 9)]).lowercased()
            let nextIsWordy =
                end < characters.count
                && (characters[end].isLetter || characters[end].isNumber || "/-".contains(characters[end])
                    || (characters[end] == "." && end + 1 < characters.count && characters[end + 1].isNumber))
            if after.hasPrefix("%") || after.hasPrefix(" %") {
                found.append((.percentSign, token + (after.hasPrefix("%") ? "%" : " %")))
            } else if after.hasPrefix(" percent") || after.hasPrefix(" per cent") {
                found.append((.percentWord, token + (after.hasPrefix(" percent") ? " percent" : " per cent")))
            } else if !nextIsWordy, token.contains(",") {
                found.append((.separated, token))
            } else if !nextIsWordy, token.count >= 5 || (token.count == 4 && !(1900...2100).contains(Int(token) ?? 0)) {
                found.append((.plain, token))
            }
            i = max(j, i + 1)
        }
        return found
    }

    /// Comments on the numbers written the less common way, when a document writes them both ways.
    static func numberStyles(_ lines: [Line]) -> [(paragraph: Int, find: String, reason: String)] {
        var seen: [NumberStyle: [(Int, String)]] = [:]
        for line in lines {
            for (style, token) in numbers(line.text) { seen[style, default: []].append((line.number, token)) }
        }
        var out: [(Int, String, String)] = []
        let kinds: [(NumberStyle, NumberStyle, String, String)] = [
            (.separated, .plain, "large numbers with thousands separators", "large numbers without separators"),
            (.percentSign, .percentWord, "percentages with %", "percentages in words"),
        ]
        for (a, b, what, otherwise) in kinds {
            guard let first = seen[a], let second = seen[b] else { continue }
            let (usual, odd) = first.count >= second.count ? (first, second) : (second, first)
            let example = usual[0]
            let description = first.count >= second.count ? what : otherwise
            for (paragraph, token) in odd.prefix(5) {
                out.append((paragraph, token, "Elsewhere the document writes \(description) (\(example.1) in paragraph \(example.0)); here “\(token)”."))
            }
        }
        return out
    }
}
