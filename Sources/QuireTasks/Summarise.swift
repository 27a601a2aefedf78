import QuireLLM

/// Summarise a document, workbook, message or mailbox.
public struct SummariseTask: QuireTask {
    /// What to summarise.
    public var content: TaskContent
    /// Length, style, focus, language and the other common options.
    public var options: TaskOptions
    public let routeName = "summarise"

    /// A summary of `content`.
    public init(content: TaskContent, options: TaskOptions = TaskOptions()) {
        self.content = content
        self.options = options
    }

    var what: String {
        switch content.kind {
        case .document: "document"
        case .workbook: "workbook"
        case .mail: "email message"
        case .mailbox: "mailbox (messages grouped by thread)"
        case .thread: "email thread (each message's own new text, oldest first)"
        case .digest: "set of summaries, one per conversation of a mail export"
        case .text: "text"
        }
    }

    func system(_ fence: ContentFence, partial: Bool) -> String {
        var lines = [
            "You are Quire, an assistant that summarises office documents, spreadsheets and email for a busy reader.",
            fence.rule,
            "Use only what the data says. Keep names, dates and numbers exactly as they are written; never compute, estimate or invent a figure.",
        ]
        if partial {
            lines.append(
                "You are given one part of a longer \(what). Write a faithful, dense summary of this part only: keep its section headings as short labels, every key fact, decision, number and open question, so that a final summary of the whole can be written from the summaries of all parts."
            )
        } else {
            switch options.style {
            case .bullets:
                lines.append("Write the summary as Markdown bullet points, grouped under short bold labels when the content has sections; \(options.words).")
            case .prose:
                lines.append("Write the summary as short paragraphs of prose (no bullet points); \(options.words).")
            }
            lines.append("Start with the single most important point. Do not add a preamble such as \"Here is a summary\".")
            if content.kind == .mail || content.kind == .mailbox || content.kind == .thread {
                lines.append(
                    "For mail, say who asked for what, what was decided, and what is still open (with owners and dates when stated). Quoted history and signatures repeat earlier messages: do not summarise them twice."
                )
            }
            if content.kind == .digest {
                lines.append(
                    "Write a digest of the whole export, not one summary per conversation: the decisions taken, the questions still open, who owns which action, and the dates and deadlines — each with the subject of the conversation it comes from. Leave out conversations with nothing of the kind."
                )
            }
            if content.kind == .workbook {
                lines.append("For spreadsheets, describe what each sheet holds and the notable values as shown; do not total or average columns yourself.")
            }
        }
        if let focus = options.focus { lines.append("Focus on: \(focus). Mention other content only briefly.") }
        lines.append("Write in \(options.language ?? "the language of the content").")
        return lines.joined(separator: "\n\n")
    }

    func metadata(step: String?) -> [String: String] {
        var m = [
            TaskMetadata.task: routeName, TaskMetadata.length: options.length.rawValue, TaskMetadata.style: options.style.rawValue,
            TaskMetadata.file: content.name,
        ]
        if let focus = options.focus { m[TaskMetadata.focus] = focus }
        if let step { m[TaskMetadata.step] = step }
        return m
    }

    /// One request, or a map-reduce over chunks when the content does not fit the budget.
    public func plan(_ budget: PromptBudget) -> TaskPlan {
        let whole = content.markdown
        // Every fence name has the same length: an empty content's fence sizes the instructions.
        let overhead = TokenEstimate.tokens(system(ContentFence(for: []), partial: false)) + 200
        let room = budget.contentTokens(overhead: overhead)
        if TokenEstimate.tokens(whole) <= room {
            return .single(request(whole, attributes: [("name", content.name)], step: nil))
        }
        let partOutput = min(budget.maxOutputTokens, 1200)
        let partRoom = PromptBudget(contextWindow: budget.contextWindow, maxOutputTokens: partOutput).contentTokens(overhead: overhead)
        let chunks = Chunker.chunks(content.sections, budget: max(partRoom, 200))
        let name = content.name
        return .mapReduce(
            TaskPlan.MapReduce(
                chunks: chunks,
                part: { chunk, index, count in
                    var attributes = [("name", name), ("part", "\(index + 1) of \(count)")]
                    if !chunk.titles.isEmpty { attributes.append(("sections", chunk.titles.prefix(12).joined(separator: " | "))) }
                    var r = self.request(chunk.text, attributes: attributes, step: "part \(index + 1)/\(count)", partial: true)
                    r.maxOutputTokens = partOutput
                    return r
                },
                combine: { partials in self.combineRequest(partials) },
                combineBudget: room))
    }

    func request(_ text: String, attributes: [(String, String)], step: String?, partial: Bool = false) -> ChatRequest {
        let fence = ContentFence(for: [text])
        let block = fence.wrap(text, attributes: [("kind", content.kind.rawValue)] + attributes)
        let ask = partial ? "Summarise this part of the \(what)." : "Summarise this \(what)."
        return ChatRequest(
            system: system(fence, partial: partial), messages: [.user(ask + "\n\n" + block)], maxOutputTokens: options.outputTokens,
            stream: options.stream && !partial, metadata: metadata(step: step))
    }

    func combineRequest(_ partials: [String]) -> ChatRequest {
        let fence = ContentFence(for: partials)
        var blocks: [String] = []
        for (i, partial) in partials.enumerated() {
            blocks.append(fence.wrap(partial, attributes: [("kind", "summary"), ("name", content.name), ("part", "\(i + 1) of \(partials.count)")]))
        }
        var system = system(fence, partial: false)
        system +=
            "\n\nThe \(what) was too long for one request, so each of its \(partials.count) parts was summarised separately, in order. Combine those part summaries into one summary of the whole \(what); every part must be represented."
        return ChatRequest(
            system: system, messages: [.user("Write one summary of the whole \(what) from these part summaries.\n\n" + blocks.joined(separator: "\n\n"))],
            maxOutputTokens: options.outputTokens, stream: options.stream, metadata: metadata(step: "combine \(partials.count)"))
    }
}
