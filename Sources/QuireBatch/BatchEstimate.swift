import QuireLLM
import QuireRouter
import QuireTasks

/// What a run would send and cost, computed without sending anything: every pending item
/// is read and planned exactly as the run would plan it.
public struct BatchEstimate: Sendable, Equatable {
    /// Pending items the run would do.
    public var items = 0
    /// Requests, counting the parts and combining requests of items too long for one.
    public var requests = 0
    /// Input tokens, estimated on the high side (~3.5 ASCII bytes or one other character per token).
    public var inputTokens = 0
    /// Output tokens at most: the answer limit of every request.
    public var maxOutputTokens = 0
    /// Items that could not be read or do not fit the task (they would fail).
    public var unusable = 0
    /// The cost with the primary backend's prices, sent one by one (nil: no prices).
    public var cost: Double?
    /// The same through the provider's batch API, at its discount (nil: no prices or no batch API).
    public var batchCost: Double?

    /// An empty estimate.
    public init() {}
}

extension BatchRunner {
    /// Estimates the pending items of `ledger`, reading `jobs` items at once.
    /// `batchDiscount`: the share of the price a provider batch charges (0.5: half), nil when
    /// the primary backend has no batch API.
    public func estimate(ledger: BatchLedger, batchDiscount: Double?) async throws -> BatchEstimate {
        let pages = AsyncThrowingStream<[BatchItem], any Error> { continuation in
            do {
                var cursor = 0
                while true {
                    let page = try ledger.pending(after: cursor, limit: 256)
                    guard let last = page.last else { break }
                    cursor = last.seq
                    continuation.yield(page.map(\.item))
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        return try await estimate(pages: pages, batchDiscount: batchDiscount)
    }

    /// Estimates items as they come (the planner may still be finding more: reading and
    /// planning then overlap).
    public func estimate(pages: some AsyncSequence<[BatchItem], any Error>, batchDiscount: Double?) async throws -> BatchEstimate {
        var estimate = BatchEstimate()
        let outputFallback = route.map { TaskRunner(router: Router(), route: $0).budget.maxOutputTokens } ?? 0
        typealias Figures = (requests: Int, input: Int, output: Int, usable: Bool)
        try await withThrowingTaskGroup(of: Figures.self) { group in
            var inFlight = 0
            func add(_ figures: Figures) {
                estimate.items += 1
                if !figures.usable { estimate.unusable += 1 }
                estimate.requests += figures.requests
                estimate.inputTokens += figures.input
                estimate.maxOutputTokens += figures.output
            }
            for try await page in pages {
                for item in page {
                    if inFlight >= jobs * 4, let done = try await group.next() {
                        inFlight -= 1
                        add(done)
                    }
                    inFlight += 1
                    group.addTask {
                        let (requests, usable) = self.plannedRequests(item)
                        var figures: Figures = (requests.count, 0, 0, usable)
                        for request in requests {
                            figures.input += RequestSize.inputTokens(request)
                            figures.output += request.maxOutputTokens ?? outputFallback
                        }
                        return figures
                    }
                }
            }
            while let done = try await group.next() { add(done) }
        }
        if let route, let primary = route.backends.first {
            let usage = Usage(inputTokens: estimate.inputTokens, outputTokens: estimate.maxOutputTokens)
            if primary.name == "builtin" {
                estimate.cost = 0
            } else if let price = prices[primary.name] {
                estimate.cost = price.cost(usage)
                if let batchDiscount { estimate.batchCost = price.cost(usage) * batchDiscount }
            }
        } else {
            estimate.cost = 0
        }
        return estimate
    }

    /// The requests an item's task would send (none for extract), and whether it can run.
    func plannedRequests(_ item: BatchItem) -> (requests: [ChatRequest], usable: Bool) {
        guard let route else { return ([], (try? loader.load(item)) != nil) }
        guard let loaded = try? loader.load(item), let quireTask = try? loader.task(task, for: item, loaded: loaded) else { return ([], false) }
        let runner = TaskRunner(router: Router(), route: route)
        return (Self.requests(quireTask.plan(runner.budget), runner: runner), true)
    }
}
