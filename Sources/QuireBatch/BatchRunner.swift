import QuireImport
import QuireInternalThreads
public import QuireLLM
import QuireModel
import QuireRender
public import QuireRouter
import QuireTasks

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How far a run is, for a progress line.
public struct BatchProgress: Sendable, Equatable {
    /// Items this run set out to do.
    public var total = 0
    /// Items done.
    public var done = 0
    /// Items failed for good.
    public var failed = 0
    /// Items being worked on now.
    public var inFlight = 0
    /// Input tokens so far.
    public var inputTokens = 0
    /// Output tokens so far.
    public var outputTokens = 0
    /// Cost so far, when the backends have prices.
    public var cost: Double?
    /// Seconds since the run began.
    public var elapsed = 0.0

    /// A run that has not started.
    public init() {}

    /// Items finished per second.
    public var rate: Double { elapsed > 0 ? Double(done + failed) / elapsed : 0 }
    /// Seconds left at the current rate.
    public var eta: Double? { rate > 0 ? Double(total - done - failed) / rate : nil }
}

/// How a run ended.
public struct BatchSummary: Sendable {
    /// Why a run stopped.
    public enum Stop: Sendable, Equatable {
        /// Every pending item was done (or failed).
        case finished
        /// `--max-cost` would have been passed by the next item.
        case budget
        /// Interrupted (Ctrl-C): the calls in flight were finished and recorded.
        case interrupted
    }

    /// Why it stopped.
    public var stop: Stop
    /// Where it stood when it stopped.
    public var progress: BatchProgress
    /// Seconds spent committing results to the ledger and writing them to the results file.
    public var ledgerSeconds: Double
}

/// Spending against `--max-cost`: what was spent plus what the calls in flight may spend
/// at most (their ceiling, replaced by the real cost when they finish).
final class BudgetGuard: Sendable {
    private let state = Locked<(spent: Double, reserved: Double, stopped: Bool)>((0, 0, false))
    let limit: Double?

    init(limit: Double?) { self.limit = limit }

    /// Whether an item that may cost up to `ceiling` can start.
    func reserve(_ ceiling: Double) -> Bool {
        state.withLock { s in
            guard let limit else { return true }
            if s.stopped || s.spent + s.reserved + ceiling > limit {
                s.stopped = true
                return false
            }
            s.reserved += ceiling
            return true
        }
    }

    func settle(reserved ceiling: Double, spent cost: Double) {
        state.withLock { s in
            s.reserved -= ceiling
            s.spent += cost
        }
    }

    var stopped: Bool { state.withLock { $0.stopped } }
}

/// Runs a task over a ledger's pending items: `jobs` items in flight (reading and parsing
/// inside each, so they overlap with the calls of the others), each result committed to
/// the ledger and then appended to the results file in groups.
public struct BatchRunner: Sendable {
    /// The task run on every item.
    public var task: BatchTask
    /// The route of the task (nil for `extract`).
    public var route: Route?
    /// Backend prices, for each item's cost and `--max-cost`.
    public var prices: [String: Pricing]
    /// Items worked on at once.
    public var jobs: Int
    /// Stop before an item would take the run's cost past this (dollars).
    public var maxCost: Double?
    /// Retries per backend: a batch waits out rate limits more patiently than one command.
    public var retryPolicy: RetryPolicy
    /// Waits between retries (a test clock in tests).
    public var retryClock: any RetryClock
    /// Reads items back from their sources.
    public var loader: ItemLoader

    /// A runner for `task` on `route`, `jobs` items at a time.
    public init(
        task: BatchTask, route: Route?, prices: [String: Pricing] = [:], jobs: Int = 4, maxCost: Double? = nil,
        retryPolicy: RetryPolicy = RetryPolicy(maxRetries: 6, maxRetryAfter: 300), retryClock: any RetryClock = SystemRetryClock(),
        loader: ItemLoader = ItemLoader()
    ) {
        self.task = task
        self.route = route
        self.prices = prices
        self.jobs = max(1, jobs)
        self.maxCost = maxCost
        self.retryPolicy = retryPolicy
        self.retryClock = retryClock
        self.loader = loader
    }

    /// The most an item's requests may cost with the primary backend's prices (nil: unpriced).
    func ceilingCost(_ requests: [ChatRequest]) -> Double? {
        guard let route, let primary = route.backends.first else { return nil }
        if primary.name == "builtin" { return 0 }
        guard let price = prices[primary.name] else { return nil }
        var usage = Usage()
        for request in requests {
            usage.inputTokens += RequestSize.inputTokens(request)
            usage.outputTokens += request.maxOutputTokens ?? primary.capabilities.maxOutputTokens
        }
        return price.cost(usage)
    }

    enum Finished: Sendable {
        case outcome(BatchLedger.Outcome)
        /// The item would pass the budget: it stays pending.
        case overBudget
    }

    /// Runs every pending item. `cancelled` is asked before each launch (Ctrl-C); items in
    /// flight are finished either way.
    public func run(
        ledger: BatchLedger, results: ResultsFile, cancelled: @escaping @Sendable () -> Bool = { false },
        onProgress: @escaping @Sendable (BatchProgress) -> Void = { _ in }
    ) async throws -> BatchSummary {
        let started = Self.now()
        var progress = BatchProgress()
        progress.total = (try ledger.counts())[.pending] ?? 0
        let budget = BudgetGuard(limit: maxCost)
        var buffer: [BatchLedger.Outcome] = []
        var lastFlush = started
        var cursor = 0
        var page: [BatchLedger.Entry] = []
        var pageIndex = 0
        var exhausted = false
        var stop = BatchSummary.Stop.finished

        func nextEntry() throws -> BatchLedger.Entry? {
            if pageIndex == page.count {
                guard !exhausted else { return nil }
                page = try ledger.pending(after: cursor, limit: 512)
                pageIndex = 0
                if page.isEmpty {
                    exhausted = true
                    return nil
                }
            }
            let entry = page[pageIndex]
            pageIndex += 1
            cursor = entry.seq
            return entry
        }
        var ledgerSeconds = 0.0
        func flush() throws {
            guard !buffer.isEmpty else { return }
            let start = Self.now()
            let bytes = try ledger.record(buffer)
            try results.append(bytes)
            buffer.removeAll(keepingCapacity: true)
            lastFlush = Self.now()
            ledgerSeconds += lastFlush - start
        }

        try await withThrowingTaskGroup(of: Finished.self) { group in
            var inFlight = 0
            func launch() throws {
                while inFlight < jobs {
                    if cancelled() {
                        stop = .interrupted
                        return
                    }
                    if budget.stopped {
                        stop = .budget
                        return
                    }
                    guard let entry = try nextEntry() else { return }
                    inFlight += 1
                    group.addTask { await self.process(entry, budget: budget) }
                }
            }
            try launch()
            progress.inFlight = inFlight
            onProgress(progress)
            while let finished = try await group.next() {
                inFlight -= 1
                switch finished {
                case .overBudget:
                    stop = .budget
                case .outcome(let outcome):
                    buffer.append(outcome)
                    if outcome.state == .done { progress.done += 1 } else { progress.failed += 1 }
                    progress.inputTokens += outcome.inputTokens
                    progress.outputTokens += outcome.outputTokens
                    if let cost = outcome.cost { progress.cost = (progress.cost ?? 0) + cost }
                }
                if buffer.count >= 256 || Self.now() - lastFlush > 0.05 || inFlight == 0 { try flush() }
                if stop == .finished { try launch() }
                progress.inFlight = inFlight
                progress.elapsed = Self.now() - started
                onProgress(progress)
            }
        }
        try flush()
        progress.elapsed = Self.now() - started
        return BatchSummary(stop: stop, progress: progress, ledgerSeconds: ledgerSeconds)
    }

    /// One item: read, plan, reserve its ceiling against the budget, send, and the line.
    func process(_ entry: BatchLedger.Entry, budget: BudgetGuard) async -> Finished {
        let item = entry.item
        let attemptsBefore = entry.attempts
        let loaded: LoadedItem
        do {
            loaded = try loader.load(item)
        } catch {
            return .outcome(failure(item, error, attempts: attemptsBefore + 1))
        }
        guard let route else {
            do {
                let json = try loader.extractJSON(item, loaded: loaded)
                let line = ResultLine(item: item, task: task.name).json(result: .json(json), warnings: warnings(loaded))
                return .outcome(BatchLedger.Outcome(id: item.id, state: .done, line: line, attempts: attemptsBefore + 1))
            } catch {
                return .outcome(failure(item, error, attempts: attemptsBefore + 1))
            }
        }
        let quireTask: any QuireTask
        do {
            quireTask = try loader.task(task, for: item, loaded: loaded)
        } catch {
            return .outcome(failure(item, error, attempts: attemptsBefore + 1))
        }
        let meter = UsageMeter(prices: prices)
        let notes = Locked<(answeredBy: String?, tries: Int)>((nil, 1))
        let router = Router(policy: retryPolicy, clock: retryClock, meter: meter) { note in
            notes.withLock { n in
                switch note {
                case .answeredBy(let backend): n.answeredBy = backend
                case .retrying, .fallingBack: n.tries += 1
                }
            }
        }
        let runner = TaskRunner(router: router, route: route, concurrency: 2)
        // The ceiling needs the plan's requests: only worked out when there is a budget.
        let ceiling = maxCost == nil ? 0 : ceilingCost(Self.requests(quireTask.plan(runner.budget), runner: runner)) ?? 0
        guard budget.reserve(ceiling) else { return .overBudget }
        do {
            var outcome = try await runner.run(quireTask) { _ in }
            // A record that breaks the schema is asked for once more, with what was wrong.
            var record: FieldSchema.Checked?
            if let fields = quireTask as? ExtractFieldsTask {
                var first: String? = outcome.text
                record = try await fields.extract { task in
                    if let answer = first.take() { return answer }
                    outcome = try await runner.run(task) { _ in }
                    return outcome.text
                }.checked
            }
            let total = meter.total
            budget.settle(reserved: ceiling, spent: total.cost ?? 0)
            let answered = notes.withLock { $0 }
            let text = outcome.text
            if text.trimmingSpaces().isEmpty {
                let error = ItemFailure(code: "empty_answer", message: "\(answered.answeredBy ?? "the model") gave an empty answer.")
                return .outcome(
                    failure(item, error, attempts: attemptsBefore + answered.tries, usage: total.usage, cost: total.cost, backend: answered.answeredBy))
            }
            var line = ResultLine(item: item, task: task.name)
            line.route = route.backends.map(\.name)
            line.answeredBy = answered.answeredBy
            line.usage = total.usage
            line.cost = total.cost
            line.attempts = attemptsBefore + answered.tries
            line.parts = outcome.parts
            line.review = outcome.review
            if outcome.stopReason == .maxTokens { line.warnings.append("the answer stopped at the output limit (max_output_tokens): it may be cut short") }
            var result = ResultLine.Result.text(text)
            if let record, let fields = quireTask as? ExtractFieldsTask {
                // The record in the schema's order; what does not follow it goes to the review.
                var w = JSONWriter(pretty: false)
                fields.schema.write(record.values, to: &w)
                result = .json(w.takeOutput())
                line.review = record.errors.map { "does not follow the schema: \($0)" }
            }
            return .outcome(
                BatchLedger.Outcome(
                    id: item.id, state: .done, line: line.json(result: result, warnings: warnings(loaded)), attempts: line.attempts,
                    backend: answered.answeredBy, inputTokens: total.usage.inputTokens, outputTokens: total.usage.outputTokens, cost: total.cost))
        } catch {
            let total = meter.total
            budget.settle(reserved: ceiling, spent: total.cost ?? 0)
            let answered = notes.withLock { $0 }
            return .outcome(failure(item, error, attempts: attemptsBefore + answered.tries, usage: total.usage, cost: total.cost, backend: answered.answeredBy))
        }
    }

    func warnings(_ loaded: LoadedItem) -> [String] {
        switch loaded {
        case .messages(let messages): return messages.flatMap(\.warnings)
        case .file(.mail(let message)): return message.warnings
        case .file: return []
        }
    }

    func failure(_ item: BatchItem, _ error: any Error, attempts: Int, usage: Usage = Usage(), cost: Double? = nil, backend: String? = nil)
        -> BatchLedger.Outcome
    {
        let code: String
        let message: String
        switch error {
        case let failure as ItemFailure:
            code = failure.code
            message = failure.message
        case let failure as LLMError:
            code = failure.code.snakeCase
            message = failure.description
        default:
            code = "error"
            message = "\(error)"
        }
        var line = ResultLine(item: item, task: task.name)
        line.route = route?.backends.map(\.name) ?? []
        line.answeredBy = nil
        line.usage = usage
        line.cost = cost
        line.attempts = attempts
        line.error = (code, message)
        return BatchLedger.Outcome(
            id: item.id, state: .failed, line: line.json(result: nil, warnings: []), attempts: attempts, errorCode: code, backend: backend,
            inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, cost: cost)
    }

    /// Every request a plan sends (part answers stand in as placeholders for the combine).
    static func requests(_ plan: TaskPlan, runner: TaskRunner) -> [ChatRequest] {
        switch plan {
        case .single(let request): return [runner.prepared(request)]
        case .mapReduce(let plan):
            var requests = plan.chunks.enumerated().map { runner.prepared(plan.part($1, $0, plan.chunks.count)) }
            let placeholder = String(repeating: "x", count: min(4000, (plan.part(plan.chunks[0], 0, plan.chunks.count).maxOutputTokens ?? 1000) * 3))
            requests.append(runner.prepared(plan.combine(plan.chunks.map { _ in placeholder })))
            return requests
        }
    }

    /// Seconds on the monotonic clock.
    public static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}

/// The estimated input tokens of a request (system prompt and messages).
enum RequestSize {
    static func inputTokens(_ request: ChatRequest) -> Int {
        request.messages.reduce(TokenEstimate.tokens(request.system ?? "") + 8) { $0 + TokenEstimate.tokens($1.content) + 4 }
    }
}
