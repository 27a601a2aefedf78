import QuireModel
import QuireOOXML
import QuireXML

/// Field instructions split into words, with quoted arguments kept whole.
enum FieldTokens {
    static func split(_ instruction: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var quoted = false
        var hadQuote = false
        for c in instruction {
            if c == "\"" {
                quoted.toggle()
                hadQuote = true
                continue
            }
            if c.isWhitespace && !quoted {
                if !current.isEmpty || hadQuote { tokens.append(current) }
                current = ""
                hadQuote = false
                continue
            }
            current.append(c)
        }
        if !current.isEmpty || hadQuote { tokens.append(current) }
        return tokens
    }
}

/// Assigns footnote and endnote labels (1, 2, …) in order of first reference.
struct NoteLabels {
    private(set) var order: [(kind: Note.Kind, id: String, label: String)] = []
    private var labels: [String: String] = [:]
    private var counts: [Note.Kind: Int] = [:]

    mutating func label(_ kind: Note.Kind, _ id: String) -> String {
        let key = "\(kind.rawValue):\(id)"
        if let label = labels[key] { return label }
        let n = (counts[kind] ?? 0) + 1
        counts[kind] = n
        labels[key] = "\(n)"
        order.append((kind, id, "\(n)"))
        return "\(n)"
    }
}
