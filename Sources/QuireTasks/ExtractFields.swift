import QuireLLM
import QuireRender

/// Extract named fields from one file or message into one JSON object following a
/// ``FieldSchema``: the provider's structured output (OpenAI `json_schema`, Anthropic tool
/// use, Ollama `format`) with the schema, and the answer checked locally by
/// ``FieldSchema/check(_:)``. A long input is read part by part, each part's record merged
/// by a last request. ``retry(after:errors:)`` asks once more with what was wrong.
public struct ExtractFieldsTask: QuireTask {
    /// What to extract from.
    public var content: TaskContent
    /// The fields.
    public var schema: FieldSchema
    /// An earlier answer and what was wrong with it, for the one retry.
    public var previous: (answer: String, errors: [String])?
    /// `extract-fields`: the route in the config.
    public let routeName = "extract-fields"

    /// The metadata keys the built-in backend reads: the schema (JSON Schema text).
    public static let schemaKey = "schema"

    /// A task extracting `schema`'s fields from `content`.
    public init(content: TaskContent, schema: FieldSchema) {
        self.content = content
        self.schema = schema
    }

    /// The same task, asked again with the answer that did not follow the schema.
    public func retry(after answer: String, errors: [String]) -> ExtractFieldsTask {
        var again = self
        again.previous = (answer, errors)
        return again
    }

    func system(_ fence: ContentFence, partial: Bool) -> String {
        var lines = [
            "You are Quire, an assistant that extracts data from office documents, spreadsheets and email.", fence.rule,
            "Answer with one JSON object with exactly these keys, and nothing else:",
        ]
        for field in schema.fields {
            var line = "- \"\(field.name)\": \(field.type.name)"
            if let description = field.description { line += " — \(description)" }
            if let allowed = field.allowed { line += " (one of: \(allowed.joined(separator: ", ")))" }
            lines.append(line)
        }
        lines.append(
            "Take each value from the data as written: use null when the data does not state it; never guess or compute a value. Numbers as plain JSON numbers (no currency signs, units or thousands separators); dates as YYYY-MM-DD."
        )
        if partial { lines.append("You are given one part of a longer file: use null for whatever this part does not state.") }
        return lines.joined(separator: "\n")
    }

    func request(_ text: String, attributes: [(String, String)], partial: Bool, step: String?) -> ChatRequest {
        let fence = ContentFence(for: [text])
        let block = fence.wrap(text, attributes: [("kind", content.kind.rawValue)] + attributes)
        var messages: [ChatRequest.Message] = [.user("Extract the fields from this \(content.kind.rawValue).\n\n" + block)]
        if let previous {
            messages.append(.assistant(previous.answer))
            messages.append(
                .user("That answer does not follow the schema: " + previous.errors.joined(separator: "; ") + ". Answer again with one corrected JSON object."))
        }
        var metadata = [TaskMetadata.task: routeName, TaskMetadata.file: content.name, Self.schemaKey: schema.wireSchema]
        if let step { metadata[TaskMetadata.step] = step }
        return ChatRequest(
            system: system(fence, partial: partial), messages: messages, maxOutputTokens: 2000, temperature: 0,
            responseFormat: .jsonSchema(name: schema.name, schema: schema.wireSchema), stream: false, metadata: metadata)
    }

    /// The record: the answer `ask` gives for this task, checked, and — when it breaks the
    /// schema — the answer to the one retry with what was wrong. `ask` sends a task along a
    /// route (a `TaskRunner`, the batch runner, `Quire.run`).
    public func extract(_ ask: (ExtractFieldsTask) async throws -> String) async throws -> (checked: FieldSchema.Checked, retried: Bool) {
        let answer = try await ask(self)
        let checked = schema.check(answer)
        guard !checked.isValid else { return (checked, false) }
        return (schema.check(try await ask(retry(after: answer, errors: checked.errors))), true)
    }

    /// A record as one JSON object: `fields` in the schema's order, `valid`, `errors`, then
    /// `retried` when given; `about` comes first (`file`, `id`).
    package func json(_ checked: FieldSchema.Checked, about: [(String, String)], retried: Bool?, pretty: Bool) -> String {
        var w = JSONWriter(pretty: pretty)
        w.beginObject()
        for (key, value) in about { w.field(key, value) }
        w.key("fields")
        schema.write(checked.values, to: &w)
        w.field("valid", checked.isValid)
        w.key("errors")
        w.beginArray()
        for error in checked.errors { w.string(error) }
        w.endArray()
        if let retried { w.field("retried", retried) }
        w.endObject()
        return w.takeOutput()
    }

    /// One request, or one per part and a last one merging the parts' records.
    public func plan(_ budget: PromptBudget) -> TaskPlan {
        let whole = content.markdown
        let overhead = TokenEstimate.tokens(system(ContentFence(for: []), partial: true) + schema.wireSchema) + 300
        let room = budget.contentTokens(overhead: overhead)
        if TokenEstimate.tokens(whole) <= room || previous != nil {
            return .single(request(whole, attributes: [("name", content.name)], partial: false, step: nil))
        }
        let chunks = Chunker.chunks(content.sections, budget: max(room, 200))
        let name = content.name
        return .mapReduce(
            TaskPlan.MapReduce(
                chunks: chunks,
                part: { chunk, index, count in
                    self.request(
                        chunk.text, attributes: [("name", name), ("part", "\(index + 1) of \(count)")], partial: true, step: "part \(index + 1)/\(count)")
                },
                combine: { records in
                    let text = records.enumerated().map { "Record from part \($0.offset + 1):\n\($0.element)" }.joined(separator: "\n\n")
                    var merge = self.request(text, attributes: [("name", name), ("kind", "records")], partial: false, step: "combine \(records.count)")
                    merge.messages[0] = .user(
                        "These records were extracted from the parts of one file, in order. Merge them into one record: for each key, the value the parts state (the first when they differ); null when none does.\n\n"
                            + ContentFence(for: [text]).wrap(text, attributes: [("name", name)]))
                    return merge
                },
                combineBudget: room))
    }
}
