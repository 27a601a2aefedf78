import QuireLLM
import QuireModel
import QuireRender

/// The built-in backend's extraction: no model to read the text, so only values the text
/// labels are taken — a line `Invoice no: 1042` or `- **Total:** 4,200.50`, a two-column
/// table row `| Due | 2024-03-31 |`, or a table whose header names the field (its first row's
/// value) — each read as the field's type (a number without its currency and separators, a
/// date in ISO form from `31 March 2024` or `March 31, 2024`); null for the rest. The field
/// name is matched as words, `_no` also as "number" and "#".
enum OfflineFields {
    static func answer(_ request: ChatRequest) -> String {
        guard let text = request.metadata[ExtractFieldsTask.schemaKey], let schema = try? FieldSchema.parse(jsonSchema: text) else { return "{}" }
        let content = ContentFence.blocks(in: request.messages.first?.content ?? "").map(\.content).joined(separator: "\n")
        let lines = content.split(separator: "\n").map { String($0) }
        var values: [String: FieldSchema.Value] = [:]
        for field in schema.fields {
            let labels = Self.labels(field.name)
            let raw = labelled(lines, labels: labels) ?? tableColumn(lines, labels: labels)
            values[field.name] = raw.flatMap { value($0, as: field.type, allowed: field.allowed) } ?? .null
        }
        var w = JSONWriter(pretty: false)
        schema.write(values, to: &w)
        return w.takeOutput()
    }

    /// The ways a field name may be written as a label, lower-cased: `invoice_no` is
    /// "invoice no", "invoice number", "invoice #", "invoiceno".
    static func labels(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in name {
            if character == "_" || character == "-" || character == " " || (character.isUppercase && !current.isEmpty) {
                if !current.isEmpty { words.append(current) }
                current = character.isLetter || character.isNumber ? String(character).lowercased() : ""
            } else {
                current += String(character).lowercased()
            }
        }
        if !current.isEmpty { words.append(current) }
        var out = [words.joined(separator: " "), words.joined()]
        if let last = words.last, ["no", "nr", "num", "number", "id"].contains(last) {
            let head = words.dropLast().joined(separator: " ")
            out += ["number", "no", "no.", "#", "nr", "id"].map { head + " " + $0 }
        }
        return Array(Set(out)).sorted { $0.count > $1.count }
    }

    /// The value after `label:` (or `=`) on a line, list markers and bold around the label
    /// allowed; or the second cell of a table row whose first cell is the label.
    static func labelled(_ lines: [String], labels: [String]) -> String? {
        for line in lines {
            var rest = Substring(line.lowercased())
            let original = Substring(line)
            var dropped = 0
            while let first = rest.first, " \t-*>|".contains(first) {
                rest = rest.dropFirst()
                dropped += 1
            }
            for label in labels where rest.hasPrefix(label) {
                var after = original.dropFirst(dropped + label.count)
                while let first = after.first, "*_ \t".contains(first) { after = after.dropFirst() }
                if let first = after.first, first == ":" || first == "=" || first == "|" {
                    var value = after.dropFirst()
                    while let first = value.first, "* \t".contains(first) { value = value.dropFirst() }
                    if first == "|" { value = value.prefix { $0 != "|" } }
                    let cleaned = value.trimmingSpaces()
                    if !cleaned.isEmpty { return cleaned }
                }
            }
        }
        return nil
    }

    /// A Markdown table whose header row names the field: the first data row's cell.
    static func tableColumn(_ lines: [String], labels: [String]) -> String? {
        func cells(_ line: String) -> [String] {
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { $0.trimmingSpaces() }
        }
        for (k, line) in lines.enumerated() where line.hasPrefix("|") && k + 2 < lines.count && lines[k + 1].hasPrefix("| ---") {
            let header = cells(line).map { $0.lowercased().replacingAll("*", with: "") }
            guard let column = header.firstIndex(where: { labels.contains($0) }) else { continue }
            let row = cells(lines[k + 2])
            if column < row.count, !row[column].isEmpty { return row[column] }
        }
        return nil
    }

    /// `text` read as `type`, or nil when it is not one.
    static func value(_ text: String, as type: FieldSchema.FieldType, allowed: [String]?) -> FieldSchema.Value? {
        switch type {
        case .string:
            if let allowed { return allowed.first { $0.lowercased() == text.lowercased() }.map { .string($0) } }
            return .string(text)
        case .number, .integer:
            guard let number = NumberCheck.found(in: text).first?.value else { return nil }
            if type == .integer && number != number.rounded() { return nil }
            return .number(number)
        case .boolean:
            switch text.lowercased() {
            case "yes", "true", "y", "x", "✓", "ja", "oui": return .boolean(true)
            case "no", "false", "n", "nein", "non": return .boolean(false)
            default: return nil
            }
        case .date:
            return isoDate(text).map { .string($0) }
        case .array(let item):
            let parts = text.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            let values = parts.compactMap { value($0, as: item, allowed: nil) }
            return values.count == parts.count && !values.isEmpty ? .array(values) : nil
        }
    }

    /// A date written `2024-03-31`, `31 March 2024`, `31 Mar 2024` or `March 31, 2024`, in ISO form.
    static func isoDate(_ text: String) -> String? {
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "-" }).map(String.init)
        if let iso = words.first(where: { $0.count == 10 && TriageRules.days(ofISO: $0) != nil }) { return iso }
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        guard let m = words.firstIndex(where: { word in word.count >= 3 && months.contains(String(word.prefix(3))) }),
            let month = months.firstIndex(of: String(words[m].prefix(3))), let year = words.compactMap({ Int($0) }).first(where: { $0 >= 1900 && $0 <= 2200 })
        else { return nil }
        let neighbours = [m > 0 ? words[m - 1] : "", m + 1 < words.count ? words[m + 1] : ""]
        guard let day = neighbours.compactMap({ Int($0.prefix { $0.isNumber }) }).first(where: { (1...31).contains($0) }) else { return nil }
        let iso = "\(year)-" + (month < 9 ? "0\(month + 1)" : "\(month + 1)") + "-" + (day < 10 ? "0\(day)" : "\(day)")
        return TriageRules.days(ofISO: iso) != nil ? iso : nil
    }
}
