import Foundation
public import QuireDOCX
import QuireLLM

/// Review a Word document: the model reads its paragraphs, numbered, and proposes edits as
/// JSON — replace, delete, insert, insert_paragraph or comment, each with the exact text it
/// applies to and a reason — which `DOCXReview` (QuireDOCX) writes as tracked changes and comments. A
/// long document is reviewed in groups of paragraphs, one request each.
public struct ReviewTask: QuireTask {
    /// The file's name as the prompt gives it.
    public var name: String
    /// The paragraphs this request reviews.
    public var paragraphs: [DOCXReview.Paragraph]
    /// What the reviewer is asked to do.
    public var instructions: String
    /// Which group of how many this is (1 of 1 for a short document).
    public var group: (index: Int, count: Int)
    /// `review`: the route in the config.
    public let routeName = "review"

    /// What `quire review` asks when no instructions are given.
    public static let defaultInstructions =
        "Correct spelling, grammar and punctuation, and make unclear or wordy sentences clear and direct. Keep the author's meaning, voice, facts, names and numbers."

    /// A request reviewing `paragraphs` of `name`.
    public init(name: String, paragraphs: [DOCXReview.Paragraph], instructions: String, group: (index: Int, count: Int) = (1, 1)) {
        self.name = name
        self.paragraphs = paragraphs
        self.instructions = instructions
        self.group = group
    }

    /// The JSON Schema of the answer (strict: every key required, no others).
    public static let schema = """
        {"type":"object","properties":{"edits":{"type":"array","items":{"type":"object","properties":{\
        "action":{"type":"string","enum":["replace","delete","insert","insert_paragraph","comment"]},\
        "paragraph":{"type":"string","description":"the paragraph's label, p12"},\
        "find":{"type":"string","description":"text copied exactly from that paragraph"},\
        "text":{"type":"string","description":"the new text; empty for delete and comment"},\
        "reason":{"type":"string","description":"why, in one sentence"}},\
        "required":["action","paragraph","find","text","reason"],"additionalProperties":false}}},\
        "required":["edits"],"additionalProperties":false}
        """

    /// The paragraphs as the prompt lists them: `[p12] text`, `[p3 heading] text`, `[p9
    /// cell] text` (in a table); empty paragraphs left out, breaks and tabs as spaces.
    public static func listing(_ paragraphs: [DOCXReview.Paragraph]) -> String {
        paragraphs.compactMap { paragraph in
            guard !paragraph.text.allSatisfy(\.isWhitespace) else { return nil }
            let text = String(paragraph.text.map { $0 == "\n" || $0 == "\t" || $0 == "\r" ? " " : $0 })
            return "[p\(paragraph.number)\(paragraph.isHeading ? " heading" : "")\(paragraph.isInTable ? " cell" : "")] " + text
        }.joined(separator: "\n")
    }

    func system(_ fence: ContentFence) -> String {
        [
            "You are Quire, an editor reviewing a Word document. Your edits become tracked changes the author accepts or rejects one by one, each with your reason as a comment.",
            fence.rule,
            "The document's paragraphs are listed one per line, each after its label ([p12]; \"heading\" and \"cell\" — a table cell's paragraph — say what it is). Answer with one JSON object and nothing else: {\"edits\": [{\"action\", \"paragraph\", \"find\", \"text\", \"reason\"}]}.",
            "action: \"replace\" (find becomes text), \"delete\" (find goes), \"insert\" (text goes right after find), \"insert_paragraph\" (text becomes a new paragraph after the paragraph; find empty) or \"comment\" (a remark on find, nothing changed). paragraph: the label, as \"p12\". find: a phrase or sentence copied character for character from that paragraph, long enough to occur there only once; empty means the whole paragraph. text: the new text (empty for delete and comment). reason: why, in one short sentence.",
            "Edit at the level of words, phrases and sentences; do not rewrite a whole paragraph unless the instructions ask for it. Never change facts, names, dates or numbers unless the instructions ask for it. When nothing needs changing, answer {\"edits\": []}.",
            "The instructions: " + instructions,
        ].joined(separator: "\n\n")
    }

    /// One request with this group's paragraphs.
    public func plan(_ budget: PromptBudget) -> TaskPlan {
        let text = Self.listing(paragraphs)
        let fence = ContentFence(for: [text])
        var attributes = [("name", name), ("kind", "paragraphs")]
        if group.count > 1 { attributes.append(("part", "\(group.index) of \(group.count)")) }
        var metadata = [TaskMetadata.task: routeName, TaskMetadata.file: name]
        if group.count > 1 { metadata[TaskMetadata.step] = "part \(group.index)/\(group.count)" }
        return .single(
            ChatRequest(
                system: system(fence), messages: [.user("Review these paragraphs.\n\n" + fence.wrap(text, attributes: attributes))],
                maxOutputTokens: min(max(budget.maxOutputTokens, 1000), 8000), temperature: 0,
                responseFormat: .jsonSchema(name: "review_edits", schema: Self.schema), stream: false, metadata: metadata))
    }

    /// The paragraphs cut into groups whose listing fits `budget`, in order (one group for
    /// most documents).
    public static func groups(_ paragraphs: [DOCXReview.Paragraph], budget: PromptBudget) -> [[DOCXReview.Paragraph]] {
        let room = max(budget.contentTokens(overhead: 900), 300)
        var groups: [[DOCXReview.Paragraph]] = [[]]
        var used = 0
        for paragraph in paragraphs {
            let tokens = TokenEstimate.tokens(paragraph.text) + 4
            if used + tokens > room, !groups[groups.count - 1].isEmpty {
                groups.append([])
                used = 0
            }
            groups[groups.count - 1].append(paragraph)
            used += tokens
        }
        return groups
    }

    /// The edits in an answer: `{"edits": [...]}` or a bare array, `paragraph` as `"p12"`,
    /// `"12"` or `12`. Throws when the answer holds no such JSON; an item that is not an edit
    /// (no action Quire knows) is skipped and named in `skipped`.
    public static func edits(from answer: String) throws -> (edits: [ReviewEdit], skipped: [String]) {
        let trimmed = answer.trimmingCharacters(in: .whitespacesAndNewlines)
        let candidates = [trimmed, String(trimmed.drop { $0 != "{" && $0 != "[" })]
        var parsed: Any?
        for candidate in candidates where parsed == nil {
            var text = Substring(candidate)
            if let end = text.lastIndex(where: { $0 == "}" || $0 == "]" }) { text = text[...end] }
            parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8))
        }
        let items: [Any]
        if let object = parsed as? [String: Any], let list = object["edits"] as? [Any] {
            items = list
        } else if let list = parsed as? [Any] {
            items = list
        } else {
            throw LLMError(.malformedResponse, backend: "review", message: "the answer is not a JSON object with \"edits\": \(answer.prefix(160))")
        }
        var edits: [ReviewEdit] = []
        var skipped: [String] = []
        for item in items {
            guard let fields = item as? [String: Any], let name = fields["action"] as? String,
                let action = ReviewEdit.Action(rawValue: name.lowercased().replacingOccurrences(of: "-", with: "_"))
            else {
                skipped.append("\(item)".prefix(120).description)
                continue
            }
            edits.append(
                ReviewEdit(
                    action, paragraph: paragraphNumber(fields["paragraph"]), find: fields["find"] as? String ?? "", text: fields["text"] as? String ?? "",
                    reason: fields["reason"] as? String ?? ""))
        }
        return (edits, skipped)
    }

    static func paragraphNumber(_ value: Any?) -> Int? {
        if let number = value as? Int { return number }
        guard var text = (value as? String)?.trimmingCharacters(in: .whitespaces).lowercased() else { return nil }
        if text.hasPrefix("[") && text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text.hasPrefix("p") { text.removeFirst() }
        return Int(text.split(separator: " ").first ?? "")
    }
}
