import QuireLLM
import QuireModel

/// Draft a new document from a brief, grounded on reference files. Reference material
/// too long for one request is first condensed part by part (what is relevant to the
/// brief, facts quoted exactly), then the draft is written from those notes.
public struct DraftTask: QuireTask {
    public let routeName = "draft"
    /// What to write, in the user's words.
    public var brief: String
    /// Files whose content the draft may use (quoted between content fences).
    public var references: [TaskContent]
    /// Length, tone, language and the other common options.
    public var options: TaskOptions

    /// A draft of `brief`, drawing on `references`.
    public init(brief: String, references: [TaskContent] = [], options: TaskOptions = TaskOptions()) {
        self.brief = brief
        self.references = references
        self.options = options
    }

    /// The length a brief asks for in its own words ("a one-page note", "two pages",
    /// "about 200 words"), which wins over the default length; nil when it says none.
    public static func length(inBrief brief: String) -> TaskOptions.Length? {
        let text = " " + brief.lowercased().replacingAll("-", with: " ") + " "
        let words = text.split { !$0.isLetter && !$0.isNumber }.map(String.init)
        for (i, word) in words.enumerated() where i > 0 && (word == "words" || word == "word") {
            if let n = Int(words[i - 1]) { return n <= 400 ? .short : n <= 1000 ? .medium : .long }
        }
        let short = [
            " one page ", " 1 page ", " single page ", " half a page ", " half page ", " one paragraph ", " a paragraph ", " short note ", " brief note ",
            " a few lines ",
        ]
        let medium = [" two pages ", " 2 pages ", " two page ", " 2 page "]
        let long = [" three pages ", " 3 pages ", " four pages ", " five pages ", " detailed report ", " full report ", " in depth "]
        if short.contains(where: { text.contains($0) }) { return .short }
        if medium.contains(where: { text.contains($0) }) { return .medium }
        if long.contains(where: { text.contains($0) }) { return .long }
        return nil
    }

    var size: String {
        switch options.length {
        case .short: "about one page (300 words)"
        case .medium: "about two pages (700 words)"
        case .long: "a full document of 1,500 words or more, every section developed"
        }
    }

    var answerTokens: Int {
        switch options.length {
        case .short: 1200
        case .medium: 2500
        case .long: 6000
        }
    }

    func system(_ fence: ContentFence) -> String {
        """
        You are Quire, drafting a new document for the user.

        \(fence.rule)

        Write the document the brief asks for, as Markdown: the title as "# Title", sections as \
        "## Heading", bullet or numbered lists, tables as GitHub tables, **bold** and *italic* for \
        emphasis. Quire turns this Markdown into a Word document, so use no HTML and no code fences \
        around the whole text.
        Ground every fact in the reference files when there are any; never invent figures, names, \
        dates or quotations — where the document needs a fact that is not given, write \
        [TODO: what is needed].
        Length: \(size). Tone: \(options.tone ?? "clear and professional"). \
        Write in \(options.language ?? "the language of the brief").
        Output only the document.
        """
    }

    /// One request; references too long for it are condensed first.
    public func plan(_ budget: PromptBudget) -> TaskPlan {
        let texts = references.map(\.markdown)
        let fence = ContentFence(for: texts + [brief])
        let overhead = TokenEstimate.tokens(system(fence) + brief) + 200
        let room = PromptBudget(contextWindow: budget.contextWindow, maxOutputTokens: answerTokens).contentTokens(overhead: overhead)
        let total = texts.reduce(0) { $0 + TokenEstimate.tokens($1) + 30 }
        if total <= room {
            let blocks = zip(references, texts).map { fence.wrap($1, attributes: [("kind", "reference"), ("name", $0.name)]) }
            return .single(request(blocks, fence: fence, step: nil))
        }
        // Condense the references first, section by section.
        var sections: [TaskContent.Section] = []
        for reference in references {
            for section in reference.sections {
                sections.append(.init(title: reference.name + (section.title.map { " — " + $0 } ?? ""), markdown: section.markdown))
            }
        }
        let partOutput = 1200
        let partRoom = PromptBudget(contextWindow: budget.contextWindow, maxOutputTokens: partOutput).contentTokens(overhead: overhead)
        let chunks = Chunker.chunks(sections, budget: max(partRoom, 200))
        let brief = self.brief
        return .mapReduce(
            TaskPlan.MapReduce(
                chunks: chunks,
                part: { chunk, index, count in
                    let fence = ContentFence(for: [chunk.text, brief])
                    let system = """
                        You are Quire, preparing notes for a document the user asked for.

                        \(fence.rule)

                        From the part of the reference files below, list everything relevant to the brief: \
                        facts, figures, names, dates, decisions and short quotations, each exactly as written, \
                        as Markdown bullets under the section they come from. Leave out what is irrelevant. \
                        Do not write the document itself.
                        """
                    let block = fence.wrap(
                        chunk.text,
                        attributes: [
                            ("kind", "reference"), ("part", "\(index + 1) of \(count)"), ("sections", chunk.titles.prefix(12).joined(separator: " | ")),
                        ])
                    return ChatRequest(
                        system: system, messages: [.user("The brief: \(brief)\n\n" + block)], maxOutputTokens: partOutput, stream: false,
                        metadata: [TaskMetadata.task: "draft", TaskMetadata.step: "part \(index + 1)/\(count)"])
                },
                combine: { notes in
                    let fence = ContentFence(for: notes + [brief])
                    let blocks = notes.enumerated().map { fence.wrap($1, attributes: [("kind", "reference-notes"), ("part", "\($0 + 1) of \(notes.count)")]) }
                    return self.request(blocks, fence: fence, step: "combine \(notes.count)")
                },
                combineBudget: room))
    }

    func request(_ blocks: [String], fence: ContentFence, step: String?) -> ChatRequest {
        var user = "The brief: \(brief)"
        if !blocks.isEmpty { user += "\n\nReference material:\n\n" + blocks.joined(separator: "\n\n") }
        var metadata = [TaskMetadata.task: routeName, TaskMetadata.length: options.length.rawValue]
        if let step { metadata[TaskMetadata.step] = step }
        return ChatRequest(system: system(fence), messages: [.user(user)], maxOutputTokens: answerTokens, stream: options.stream, metadata: metadata)
    }
}

extension DraftTask {
    /// The draft without a code fence a model may have put around the whole answer.
    public static func cleaned(_ answer: String) -> String {
        var lines = answer.split(separator: "\n", omittingEmptySubsequences: false)
        while lines.first?.trimmingSpaces().isEmpty == true { lines.removeFirst() }
        while lines.last?.trimmingSpaces().isEmpty == true { lines.removeLast() }
        if let first = lines.first, first.hasPrefix("```"), lines.count >= 2, lines.last?.trimmingSpaces() == "```" {
            lines.removeFirst()
            lines.removeLast()
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
