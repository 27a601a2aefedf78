public import QuireLLM
public import QuireRouter

/// Runs a task's plan along its route: one request, or the parts of a long input and then
/// the combining request. Only the final answer streams to the caller; partial answers are
/// collected. When a backend reports that the input overflows its context window, the
/// plan is made again for half the window (the content is then chunked), up to four times.
public struct TaskRunner: Sendable {
    /// Retries and fallbacks over the route's backends.
    public var router: Router
    /// The backends, in order.
    public var route: Route
    /// Part requests in flight at once.
    public var concurrency: Int
    /// Called before each request is sent (for `--verbose`).
    public var onRequest: @Sendable (ChatRequest) -> Void

    /// A runner; `concurrency` part requests of a map-reduce run at once; `onRequest` sees each request before it is sent.
    public init(router: Router, route: Route, concurrency: Int = 3, onRequest: @escaping @Sendable (ChatRequest) -> Void = { _ in }) {
        self.router = router
        self.route = route
        self.concurrency = concurrency
        self.onRequest = onRequest
    }

    /// What a finished task gives.
    public struct Outcome: Sendable {
        /// The final answer.
        public var text: String
        /// How many parts the content was cut into (0: it fitted in one request).
        public var parts: Int
        /// Rounds of combining partial answers (1 for plain map-reduce).
        public var combineRounds: Int
        /// Tokens read and written over every request.
        public var usage: Usage
        /// Why the final answer stopped (its end, or the output limit).
        public var stopReason: StopReason?
        /// The task's own checks of the answer.
        public var review: [String]
    }

    /// The budget this route gives: the primary backend's window and the answer room.
    public var budget: PromptBudget {
        let primary = route.backends.first?.capabilities
        let output = route.maxOutputTokens ?? min(primary?.maxOutputTokens ?? 4096, 4096)
        return PromptBudget(contextWindow: primary?.contextWindow ?? 128_000, maxOutputTokens: output)
    }

    /// Runs `task`'s plan, streaming the final answer's text to `onText`; a plan too big for the window is cut finer and tried again.
    public func run(_ task: some QuireTask, onText: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        var budget = self.budget
        var attempts = 0
        while true {
            do {
                var outcome = try await execute(task.plan(budget), onText: onText)
                outcome.review = task.review(outcome.text) + outcome.review
                return outcome
            } catch let error as LLMError where error.code == .contextLengthExceeded && attempts < 4 {
                attempts += 1
                budget.contextWindow = max(budget.maxOutputTokens + 1024, budget.contextWindow / 2)
            }
        }
    }

    /// A request with the route's answer limit applied (the config's limit wins over the task's).
    public func prepared(_ request: ChatRequest) -> ChatRequest {
        var request = request
        if let limit = route.maxOutputTokens { request.maxOutputTokens = limit }
        if let cap = route.backends.first?.capabilities.maxOutputTokens, let wanted = request.maxOutputTokens, wanted > cap { request.maxOutputTokens = cap }
        if request.temperature == nil { request.temperature = route.temperature }
        return request
    }

    func execute(_ plan: TaskPlan, onText: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        switch plan {
        case .single(let request):
            var prepared = prepared(request)
            var (text, usage, stop) = try await send(prepared, onText: onText)
            // An answer cut at the output limit is asked for once more with twice the room —
            // unless it already went to the caller piece by piece.
            if stop == .maxTokens && !prepared.stream, let limit = prepared.maxOutputTokens,
                limit * 2 <= (route.backends.first?.capabilities.maxOutputTokens ?? limit * 2)
            {
                prepared.maxOutputTokens = limit * 2
                let again = try await send(prepared, onText: onText)
                (text, stop) = (again.0, again.2)
                usage = usage + again.1
            }
            try Self.checkNotEmpty(text, route: route)
            var review: [String] = []
            if stop == .maxTokens {
                review.append(
                    "*Warning: the answer stopped at the output limit (\(prepared.maxOutputTokens ?? 0) tokens) and may be cut short; raise max_output_tokens for this task in the config.*"
                )
            }
            return Outcome(text: text, parts: 0, combineRounds: 0, usage: usage, stopReason: stop, review: review)
        case .mapReduce(let plan):
            var usage = Usage()
            var partials = try await parts(plan.chunks, plan, usage: &usage)
            var rounds = 1
            // Partial answers that do not fit the final request are condensed again, in rounds.
            while partials.count > 1, partials.reduce(0, { $0 + TokenEstimate.tokens($1) + 40 }) > plan.combineBudget, rounds < 6 {
                let sections = partials.enumerated().map { TaskContent.Section(title: "part \($0.offset + 1)", markdown: $0.element) }
                let regrouped = Chunker.chunks(sections, budget: max(plan.combineBudget / 2, 200))
                guard regrouped.count < partials.count else { break }
                partials = try await parts(regrouped, plan, usage: &usage)
                rounds += 1
            }
            let (text, finalUsage, stop) = try await send(prepared(plan.combine(partials)), onText: onText)
            usage = usage + finalUsage
            try Self.checkNotEmpty(text, route: route)
            var review: [String] = []
            if stop == .maxTokens {
                review.append("*Warning: the answer stopped at the output limit and may be cut short; raise max_output_tokens for this task in the config.*")
            }
            return Outcome(text: text, parts: plan.chunks.count, combineRounds: rounds, usage: usage, stopReason: stop, review: review)
        }
    }

    /// An empty answer is an error, never a result (an empty draft, a body-less reply).
    static func checkNotEmpty(_ text: String, route: Route) throws {
        guard text.allSatisfy({ $0.isWhitespace }) else { return }
        throw LLMError(.malformedResponse, backend: route.backends.first?.name ?? route.task, message: "the model gave an empty answer; nothing was written.")
    }

    /// The answers to every chunk's request, in chunk order, `concurrency` at a time.
    func parts(_ chunks: [Chunker.Chunk], _ plan: TaskPlan.MapReduce, usage: inout Usage) async throws -> [String] {
        var answers = [String](repeating: "", count: chunks.count)
        var total = Usage()
        try await withThrowingTaskGroup(of: (Int, String, Usage).self) { group in
            var next = 0
            func launch() {
                let index = next
                next += 1
                let request = prepared(plan.part(chunks[index], index, chunks.count))
                group.addTask {
                    let (text, usage, _) = try await self.send(request, onText: { _ in })
                    return (index, text, usage)
                }
            }
            while next < min(concurrency, chunks.count) { launch() }
            while let (index, text, usage) = try await group.next() {
                answers[index] = text
                total = total + usage
                if next < chunks.count { launch() }
            }
        }
        usage = usage + total
        return answers
    }

    func send(_ request: ChatRequest, onText: @escaping @Sendable (String) -> Void) async throws -> (String, Usage, StopReason?) {
        onRequest(request)
        var text = ""
        var usage = Usage()
        var stop: StopReason?
        for try await event in router.stream(request, on: route) {
            switch event {
            case .text(let piece):
                text += piece
                onText(piece)
            case .usage(let u): usage = usage + u
            case .stop(let reason): stop = reason
            }
        }
        return (text, usage, stop)
    }
}
