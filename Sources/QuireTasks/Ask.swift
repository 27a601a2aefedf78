import QuireLLM

/// Answer a question from files, citing the passages the answer rests on.
///
/// The passages come from lexical retrieval (``PassageIndex``, BM25): the best-scoring ones
/// that fit the route's budget go to the model, numbered, and the model answers from them
/// only, citing them as `[2]`, or says ``notFound``. ``citations(in:)`` resolves the numbers
/// of an answer to the passages — their file, anchor and text — and ``review(_:)`` flags a
/// number that was not given or a quotation that is not in the passage it cites.
///
/// ```swift
/// let input = try ContentLoader().read(path: "report.docx")
/// let index = PassageIndex(Passages.of(input, file: "report.docx"))
/// let task = AskTask(question: "Where did the new warehouses open?", index: index)
/// let outcome = try await runner.run(task) { _ in }
/// for citation in task.citations(in: outcome.text) { print(citation.key, citation.passage.anchor) }
/// ```
public struct AskTask: QuireTask {
    /// What is asked.
    public var question: String
    /// The passages retrieved for the question, best first; passage `k` is cited `[k+1]`.
    public var sources: [Passage]
    /// Language and the other common options.
    public var options: TaskOptions
    /// `ask`: the route in the config.
    public let routeName = "ask"

    /// The answer when the passages do not hold one.
    public static let notFound = "Not in the documents."
    /// The metadata key that carries the question (for the built-in backend).
    public static let questionKey = "question"

    /// A question over the passages of `index`: the `limit` best-scoring ones are the
    /// sources (the plan sends as many as the budget holds).
    public init(question: String, index: PassageIndex, limit: Int = 20, options: TaskOptions = TaskOptions()) {
        self.question = question
        self.sources = index.search(question, limit: limit).map { index.passages[$0.index] }
        self.options = options
    }

    /// A question over sources chosen already, best first.
    public init(question: String, sources: [Passage], options: TaskOptions = TaskOptions()) {
        self.question = question
        self.sources = sources
        self.options = options
    }

    func system(_ fence: ContentFence) -> String {
        [
            "You are Quire, an assistant that answers questions about office documents, spreadsheets and email from the passages it is given.",
            fence.rule,
            "Each passage has a number (n), the file it comes from and where in the file it stands. Answer the question from these passages only — not from what you know otherwise.",
            "After each statement, cite the passages it rests on by their numbers in square brackets, like [2] or [1][3]. When the exact words matter, quote them in double quotes, as the passage writes them.",
            "Keep names, dates and numbers exactly as the passages write them; never compute, estimate or invent a figure.",
            "If the passages do not answer the question, reply with exactly this sentence and nothing else: \(Self.notFound)",
            "Write in \(options.language ?? "the language of the question"); \(options.words).",
        ].joined(separator: "\n\n")
    }

    /// One request with the passages that fit the budget, best first.
    public func plan(_ budget: PromptBudget) -> TaskPlan {
        let overhead = TokenEstimate.tokens(system(ContentFence(for: [])) + question) + 200
        var room = budget.contentTokens(overhead: overhead)
        var given: [(Int, Passage)] = []
        for (k, passage) in sources.enumerated() {
            let cost = TokenEstimate.tokens(passage.text + passage.location) + 40
            // The best passage always goes, cut to the room if it must be.
            guard cost <= room || given.isEmpty else { break }
            room -= cost
            given.append((k, passage))
        }
        let texts = given.map(\.1.text)
        let fence = ContentFence(for: texts + [question])
        let blocks = given.map { k, passage in
            fence.wrap(
                passage.text, attributes: [("n", "\(k + 1)"), ("file", passage.file), ("where", passage.location), ("anchor", passage.anchor)])
        }
        let ask =
            "Question: \(question)\n\n"
            + (blocks.isEmpty ? "(No passage of the files mentions the words of the question.)" : "Passages:\n\n" + blocks.joined(separator: "\n\n"))
        var metadata = [TaskMetadata.task: routeName, Self.questionKey: question, TaskMetadata.length: options.length.rawValue]
        if let file = sources.first?.file { metadata[TaskMetadata.file] = file }
        return .single(
            ChatRequest(
                system: system(fence), messages: [.user(ask)], maxOutputTokens: options.outputTokens, stream: options.stream, metadata: metadata))
    }

    /// A passage an answer cites, with its number and the words of it to show.
    public struct Citation: Sendable, Equatable {
        /// The number the answer cites (`[2]` is 2).
        public var key: Int
        /// The passage.
        public var passage: Passage
        /// Its text, cut at a sentence end near 400 characters when longer.
        public var quote: String
    }

    /// The passages `answer` cites, in the order it first cites them; numbers that name no
    /// passage are left out (``review(_:)`` flags them).
    public func citations(in answer: String) -> [Citation] {
        var seen: Set<Int> = []
        var out: [Citation] = []
        for key in Self.citedNumbers(answer) where !seen.contains(key) && key >= 1 && key <= sources.count {
            seen.insert(key)
            out.append(Citation(key: key, passage: sources[key - 1], quote: Self.shortened(sources[key - 1].text)))
        }
        return out
    }

    /// The cited passages as shown under an answer: number, file, anchor, where, then the
    /// text quoted; empty when nothing is cited.
    public static func sourcesText(_ citations: [Citation]) -> String {
        guard !citations.isEmpty else { return "" }
        var text = "\nSources:\n"
        for citation in citations {
            let passage = citation.passage
            text += "[\(citation.key)] \(passage.file) \(passage.anchor)" + (passage.location.isEmpty ? "" : " (\(passage.location))") + "\n"
            for line in citation.quote.split(separator: "\n") { text += "    > " + line + "\n" }
        }
        return text
    }

    /// Whether the answer says the files do not answer the question.
    public static func isNotFound(_ answer: String) -> Bool {
        answer.trimmingSpaces().lowercased().hasPrefix(notFound.lowercased().dropLast())
    }

    /// Warnings about the answer: a cited number that names no passage, a quotation that is
    /// not in any passage it cites, an answer that cites nothing.
    public func review(_ answer: String) -> [String] {
        guard !Self.isNotFound(answer) else { return [] }
        var warnings: [String] = []
        let numbers = Self.citedNumbers(answer)
        for key in Set(numbers).sorted() where key < 1 || key > sources.count {
            warnings.append("*Warning: the answer cites [\(key)], which is not one of the \(sources.count) passages it was given.*")
        }
        if numbers.isEmpty { warnings.append("*Warning: the answer cites no passage; check it against the files.*") }
        let cited = citations(in: answer).map { Self.comparable($0.passage.text) }
        for quote in Self.quotations(answer) where !cited.contains(where: { $0.contains(Self.comparable(quote)) }) {
            warnings.append("*Warning: the quotation \"\(quote)\" is not in the passages the answer cites.*")
        }
        return warnings
    }

    /// The numbers in square brackets, in order (`[2]`, `[1][3]`, `[1, 3]`).
    static func citedNumbers(_ text: String) -> [Int] {
        var out: [Int] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "]") else { break }
            let inside = after[..<close]
            let parts = inside.split(whereSeparator: { $0 == "," || $0 == " " })
            if !parts.isEmpty, inside.count <= 24, parts.allSatisfy({ Int($0) != nil }) { out += parts.compactMap { Int($0) } }
            rest = after[after.index(after: close)...]
        }
        return out
    }

    /// Text in double quotes (straight or curly) of three words or more.
    static func quotations(_ text: String) -> [String] {
        var out: [String] = []
        var current: String?
        for character in text {
            if character == "\"" || character == "“" || character == "”" {
                if let quote = current {
                    if quote.split(separator: " ").count >= 3 { out.append(quote) }
                    current = nil
                } else {
                    current = ""
                }
            } else if current != nil {
                current!.append(character)
            }
        }
        return out
    }

    /// Lower-cased, spaces and line ends collapsed, for comparing a quotation with a passage.
    static func comparable(_ text: String) -> String {
        var words = Substring(text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " "))
        while let last = words.last, ".,;:!?".contains(last) { words = words.dropLast() }
        while let first = words.first, ".,;:!?".contains(first) { words = words.dropFirst() }
        return String(words)
    }

    /// A passage's text as shown under an answer: whole up to 400 characters, else cut at
    /// the last sentence end (or space) before then, with an ellipsis.
    static func shortened(_ text: String) -> String {
        guard text.count > 400 else { return text }
        let head = text.prefix(400)
        if let end = head.lastIndex(where: { $0 == "." || $0 == "!" || $0 == "?" }), head.distance(from: head.startIndex, to: end) > 120 {
            return String(head[...end]) + " …"
        }
        return String(head[..<(head.lastIndex(of: " ") ?? head.endIndex)]) + " …"
    }
}
