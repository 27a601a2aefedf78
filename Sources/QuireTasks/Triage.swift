import Foundation
import QuireLLM
public import QuireMail
import QuireModel
import QuireRender

/// Triage one message or thread with a model: the thread as the prompts render it, the
/// labels to choose from, and the rules' own verdict as a starting point; the answer is one
/// JSON object, read by ``result(from:)``. The built-in backend answers with the rules'
/// verdict, so a route that falls back to it still gives every item a result.
public struct TriageTask: QuireTask {
    /// The thread (one message is a thread of one).
    public var thread: MailThread
    /// The rules' verdict.
    public var rules: TriageResult
    /// The labels to choose from (empty: the rules' categories).
    public var labels: [String]
    /// Language and the other common options.
    public var options: TaskOptions
    /// `triage`: the route in the config.
    public let routeName = "triage"

    /// The metadata key that carries the rules' verdict (JSON) to the built-in backend.
    public static let offlineKey = "triage-rules"

    /// A task for `thread`, judged first by `rules`.
    public init(thread: MailThread, rules: TriageRules, options: TaskOptions = TaskOptions()) {
        self.thread = thread
        self.rules = rules.triage(thread)
        self.labels = rules.labels.map(\.name)
        self.options = options
    }

    func system(_ fence: ContentFence) -> String {
        let categories =
            labels.isEmpty
            ? "one word for what it is (for example direct, cc, list, automated, or a topic)" : "exactly one of: " + labels.joined(separator: ", ") + ", other"
        return [
            "You are Quire, an assistant that triages email for a busy reader.", fence.rule,
            "Read the conversation and answer with one JSON object and nothing else, with these keys: \"category\" (\(categories)); \"priority\" (\"high\", \"normal\" or \"low\"); \"needs_reply\" (true when the latest message waits for an answer from the reader); \"actions\" (a list of objects with \"text\", \"owner\" — a name, or null — and \"due\" — a date as YYYY-MM-DD, or null); \"summary\" (one line, at most 25 words).",
            "Use only what the messages say; take dates from them, resolving weekdays from the date of the message that names them. Newsletters, list mail and automatic messages are low priority and need no reply.",
            "Write the summary in \(options.language ?? "the language of the messages").",
        ].joined(separator: "\n\n")
    }

    /// One request: the thread's Markdown, and the rules' verdict for the model to check.
    public func plan(_ budget: PromptBudget) -> TaskPlan {
        var text = ContentLoader.threadMarkdown(thread)
        let overhead = TokenEstimate.tokens(system(ContentFence(for: []))) + 400
        let room = budget.contentTokens(overhead: overhead)
        if TokenEstimate.tokens(text) > room {
            // The latest messages matter most: keep the end of the conversation.
            text = "…\n" + String(text.suffix(max(room, 200) * 3))
        }
        let fence = ContentFence(for: [text])
        let block = fence.wrap(text, attributes: [("kind", "thread"), ("messages", "\(thread.messages.count)")])
        let user = "Triage this conversation. The reader's own rules suggest: " + Self.json(rules, pretty: false) + "\n\n" + block
        return .single(
            ChatRequest(
                system: system(fence), messages: [.user(user)], maxOutputTokens: 800, stream: false,
                metadata: [TaskMetadata.task: routeName, Self.offlineKey: Self.json(rules, pretty: false)]))
    }

    /// The model's answer over the rules' verdict: the fields it gives, each checked (a
    /// category outside the labels, a priority that is none of the three, a date that is
    /// not YYYY-MM-DD are not taken). Throws when the answer holds no JSON object.
    public func result(from answer: String) throws -> TriageResult {
        guard let start = answer.firstIndex(of: "{"), let end = answer.lastIndex(of: "}"), start < end,
            let object = (try? JSONSerialization.jsonObject(with: Data(answer[start...end].utf8))) as? [String: Any]
        else {
            throw LLMError(.malformedResponse, backend: routeName, message: "the answer is not a JSON object: \(answer.prefix(120))")
        }
        var out = rules
        if let category = object["category"] as? String, !category.isEmpty, labels.isEmpty || labels.contains(category) || category == "other" {
            out.category = category
        }
        if let priority = (object["priority"] as? String).flatMap(TriageResult.Priority.init(rawValue:)) { out.priority = priority }
        if let needsReply = object["needs_reply"] as? Bool { out.needsReply = needsReply }
        if let actions = object["actions"] as? [[String: Any]] {
            out.actions = actions.compactMap { action in
                guard let text = action["text"] as? String, !text.isEmpty else { return nil }
                let due = (action["due"] as? String).flatMap { TriageRules.days(ofISO: $0) != nil ? $0 : nil }
                return TriageResult.Action(text: text, owner: action["owner"] as? String, due: due)
            }
        }
        if let summary = object["summary"] as? String, !summary.isEmpty { out.summary = summary }
        return out
    }

    /// A result as one JSON object (schema `quire.triage`).
    public static func json(_ result: TriageResult, pretty: Bool = false) -> String {
        var w = JSONWriter(pretty: pretty)
        w.beginObject()
        w.field("id", result.id)
        w.field("subject", result.subject)
        w.field("from", result.from)
        w.field("date", result.date)
        w.field("messages", result.messages)
        w.field("category", result.category)
        w.field("priority", result.priority.rawValue)
        w.field("needs_reply", result.needsReply)
        w.key("actions")
        w.beginArray()
        for action in result.actions {
            w.beginObject()
            w.field("text", action.text)
            w.field("owner", action.owner)
            w.field("due", action.due)
            w.endObject()
        }
        w.endArray()
        w.field("summary", result.summary)
        w.key("reasons")
        w.beginArray()
        for reason in result.reasons { w.string(reason) }
        w.endArray()
        w.endObject()
        return w.takeOutput()
    }

    /// The overview: items needing a reply first, then by priority and date (latest first),
    /// as a table, then every action with its owner and day.
    public static func overview(_ results: [TriageResult]) -> String {
        let order: [TriageResult.Priority: Int] = [.high: 0, .normal: 1, .low: 2]
        let sorted = results.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.needsReply != y.needsReply { return x.needsReply }
            if x.priority != y.priority { return order[x.priority]! < order[y.priority]! }
            if (x.date ?? "") != (y.date ?? "") { return (x.date ?? "") > (y.date ?? "") }
            return a.offset < b.offset
        }.map(\.element)
        let markdown = MarkdownRenderer()
        func cell(_ text: String) -> String { markdown.escape(text.replacingOccurrences(of: "\n", with: " "), inTable: true) }
        func escape(_ text: String) -> String { markdown.escape(text) }
        let waiting = results.filter(\.needsReply).count
        let high = results.filter { $0.priority == .high }.count
        var lines = ["# Triage", "", "\(results.count) items: \(waiting) waiting for a reply, \(high) of high priority.", ""]
        lines.append("| Priority | Reply? | Category | Subject | From | Date | Summary |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- |")
        for r in sorted {
            lines.append(
                "| \(r.priority.rawValue) | \(r.needsReply ? "yes" : "") | \(cell(r.category)) | \(cell(r.subject)) | \(cell(r.from)) | \(r.date.map { String($0.prefix(10)) } ?? "") | \(cell(r.summary)) |"
            )
        }
        let actions = sorted.flatMap { r in r.actions.map { (r, $0) } }
        if !actions.isEmpty {
            lines += ["", "## Actions", ""]
            for (r, action) in actions.sorted(by: { ($0.1.due ?? "9999") < ($1.1.due ?? "9999") }) {
                var line = "- " + escape(action.text)
                var facts: [String] = []
                if let owner = action.owner { facts.append("owner: " + escape(owner)) }
                if let due = action.due { facts.append("due: " + due) }
                facts.append("from “" + escape(r.subject) + "”")
                line += " (" + facts.joined(separator: "; ") + ")"
                lines.append(line)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The built-in backend's triage: the rules' verdict the request carries.
enum OfflineTriage {
    static func answer(_ request: ChatRequest) -> String {
        request.metadata[TriageTask.offlineKey] ?? "{}"
    }
}
