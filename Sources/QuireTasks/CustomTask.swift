import QuireLLM

/// A task the user defines in the config: a system prompt and a prompt template where
/// `{{content}}` stands for the files (each in its fenced block), `{{file}}` for their
/// names and `{{name}}` for a variable given on the command line. Content too long for
/// one request runs the template part by part, then once more over the part answers.
public struct CustomTask: QuireTask {
    public var routeName: String
    /// The system prompt; nil for none.
    public var system: String?
    /// The user prompt: a template with `{{content}}`, `{{file}}` and `{{name}}` placeholders.
    public var prompt: String
    /// The files the prompt is about, each put between content fences.
    public var contents: [TaskContent]
    /// Values for `{{name}}` placeholders of the template.
    public var variables: [String: String]
    /// Whether to ask for a streamed answer.
    public var stream: Bool
    /// Whether the answer must keep the files' numbers and add none (`check: numbers`):
    /// ``review(_:)`` flags numbers it adds and numbers it loses.
    public var checksNumbers = false

    /// A task named `name` (its route in the config) from a prompt template and the content it is about.
    public init(name: String, system: String?, prompt: String, contents: [TaskContent], variables: [String: String] = [:], stream: Bool = true) {
        routeName = name
        self.system = system
        self.prompt = prompt
        self.contents = contents
        self.variables = variables
        self.stream = stream
    }

    /// With `checksNumbers`: the numbers of the answer that are not in the files, and the
    /// numbers of the files that are not in the answer, each flagged.
    public func review(_ answer: String) -> [String] {
        guard checksNumbers else { return [] }
        let source = contents.map(\.markdown).joined(separator: "\n")
        var warnings: [String] = []
        let added = NumberCheck.unverified(in: answer, allowed: NumberCheck.numbers(in: source))
        if !added.isEmpty {
            warnings.append("**Warning: these numbers are not in the original: \(added.joined(separator: ", ")).**")
        }
        let lost = NumberCheck.unverified(in: source, allowed: NumberCheck.numbers(in: answer))
        if !lost.isEmpty {
            warnings.append("**Warning: these numbers of the original are missing from the answer: \(lost.joined(separator: ", ")).**")
        }
        return warnings
    }

    /// The variables the templates use that were not given (content and file are Quire's).
    public static func missing(in templates: [String?], given: [String: String]) -> [String] {
        var names: [String] = []
        for text in templates.compactMap({ $0 }) {
            var rest = Substring(text)
            while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
                let name = rest[open.upperBound..<close.lowerBound].trimmingSpaces()
                if name != "content" && name != "file" && given[name] == nil && !names.contains(name) { names.append(name) }
                rest = rest[close.upperBound...]
            }
        }
        return names
    }

    func fill(_ template: String, content: String, files: String) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
            out += rest[..<open.lowerBound]
            let name = rest[open.upperBound..<close.lowerBound].trimmingSpaces()
            switch name {
            case "content": out += content
            case "file": out += files
            default: out += variables[name] ?? ""
            }
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    func request(blocks: [String], fence: ContentFence, step: String?) -> ChatRequest {
        let files = contents.map(\.name).joined(separator: ", ")
        var content = blocks.joined(separator: "\n\n")
        // A template without {{content}} still gets the files, after it.
        let hasSlot = prompt.contains("{{content}}") || prompt.contains("{{ content }}")
        if !hasSlot && !content.isEmpty { content = "\n\n" + content }
        var user = fill(prompt, content: hasSlot ? content : "", files: files)
        if !hasSlot { user += content }
        let system = (self.system.map { fill($0, content: "", files: files) + "\n\n" } ?? "") + fence.rule
        var metadata = [TaskMetadata.task: routeName]
        if let step { metadata[TaskMetadata.step] = step }
        return ChatRequest(system: system, messages: [.user(user)], stream: stream && step?.hasPrefix("part") != true, metadata: metadata)
    }

    /// One request, or a map-reduce over chunks when the content does not fit the budget.
    public func plan(_ budget: PromptBudget) -> TaskPlan {
        let texts = contents.map(\.markdown)
        let fence = ContentFence(for: texts)
        let overhead = TokenEstimate.tokens((system ?? "") + prompt + fence.rule) + 100
        let room = budget.contentTokens(overhead: overhead)
        if texts.reduce(0, { $0 + TokenEstimate.tokens($1) + 30 }) <= room {
            let blocks = zip(contents, texts).map { fence.wrap($1, attributes: [("kind", $0.kind.rawValue), ("name", $0.name)]) }
            return .single(request(blocks: blocks, fence: fence, step: nil))
        }
        var sections: [TaskContent.Section] = []
        for content in contents {
            for section in content.sections {
                sections.append(.init(title: content.name + (section.title.map { " — " + $0 } ?? ""), markdown: section.markdown))
            }
        }
        let chunks = Chunker.chunks(sections, budget: max(room, 200))
        return .mapReduce(
            TaskPlan.MapReduce(
                chunks: chunks,
                part: { chunk, index, count in
                    let fence = ContentFence(for: [chunk.text])
                    let block = fence.wrap(chunk.text, attributes: [("kind", "part"), ("part", "\(index + 1) of \(count)")])
                    return self.request(blocks: [block], fence: fence, step: "part \(index + 1)/\(count)")
                },
                combine: { answers in
                    let fence = ContentFence(for: answers)
                    let blocks = answers.enumerated().map {
                        fence.wrap(
                            $1,
                            attributes: [
                                ("kind", "answer-for-part"), ("part", "\($0 + 1) of \(answers.count)"),
                                ("note", "the files were too long for one request; this is the answer for one part"),
                            ])
                    }
                    return self.request(blocks: blocks, fence: fence, step: "combine \(answers.count)")
                },
                combineBudget: room))
    }
}
