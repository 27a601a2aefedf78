import Foundation
public import QuireLLM
import QuireRender
import QuireRouter
import QuireTasks

/// `--via provider-batch`: the items' requests go to the provider's batch API (half price,
/// results within a day) instead of one call each. `submit` sends the pending items in
/// batches within the provider's limits; `collect` writes the results of ended batches into
/// the same results file with the same exactly-once guarantee, and sends again only the
/// requests that errored or expired. An item too long for one request cannot go in a batch
/// (its parts depend on each other): it fails with `needs_parts`, to be run without
/// `--via provider-batch`.
public struct ProviderBatchRunner: Sendable {
    /// The run whose items, task and route are sent.
    public var runner: BatchRunner
    /// Speaks the provider's batch API.
    public var client: any ProviderBatchClient
    /// The share of the price a batch costs (0.5: half).
    public var priceFactor: Double

    /// A runner sending `runner`'s pending items through `client`; `priceFactor` is the batch discount.
    public init(runner: BatchRunner, client: any ProviderBatchClient, priceFactor: Double = 0.5) {
        self.runner = runner
        self.client = client
        self.priceFactor = priceFactor
    }

    /// What `submit` sent.
    public struct Submitted: Sendable, Equatable {
        /// The provider's ids of the batches created.
        public var batches: [String] = []
        /// Requests sent in them.
        public var requests = 0
        /// Items that failed before sending (unreadable, wrong kind, too long for one request).
        public var failed = 0
    }

    /// Errors that another try may not meet: such requests are sent again, not failed.
    static let transient: Set<String> = [
        LLMError.Code.rateLimited.snakeCase, LLMError.Code.overloaded.snakeCase, LLMError.Code.server.snakeCase, LLMError.Code.timeout.snakeCase,
    ]

    /// The custom id of the item at `seq`.
    public static func customID(_ seq: Int) -> String { "q\(seq)" }

    /// Requests for every pending item (failures recorded as lines), in ledger order.
    func requests(ledger: BatchLedger, results: ResultsFile) async throws -> [(id: String, request: ProviderBatchRequest)] {
        guard let route = runner.route else { return [] }
        var out: [(String, ProviderBatchRequest)] = []
        var cursor = 0
        while true {
            let page = try ledger.pending(after: cursor, limit: 512)
            guard let last = page.last else { break }
            cursor = last.seq
            let built = try await withThrowingTaskGroup(of: (Int, Result<ChatRequest, ItemFailure>).self) { group in
                var built: [(Int, Result<ChatRequest, ItemFailure>)] = []
                var next = 0
                func launch() {
                    let index = next
                    next += 1
                    group.addTask { (index, self.request(for: page[index].item, route: route)) }
                }
                while next < min(runner.jobs * 2, page.count) { launch() }
                while let one = try await group.next() {
                    built.append(one)
                    if next < page.count { launch() }
                }
                return built.sorted { $0.0 < $1.0 }
            }
            var failures: [BatchLedger.Outcome] = []
            for (index, result) in built {
                let entry = page[index]
                switch result {
                case .success(let request):
                    out.append((entry.item.id, ProviderBatchRequest(customID: Self.customID(entry.seq), request: request)))
                case .failure(let failure):
                    failures.append(runner.failure(entry.item, failure, attempts: entry.attempts + 1))
                }
            }
            try results.append(try ledger.record(failures))
        }
        return out
    }

    func request(for item: BatchItem, route: Route) -> Result<ChatRequest, ItemFailure> {
        do {
            let loaded = try runner.loader.load(item)
            let task = try runner.loader.task(runner.task, for: item, loaded: loaded)
            let taskRunner = TaskRunner(router: Router(), route: route)
            guard case .single(let request) = task.plan(taskRunner.budget) else {
                return .failure(
                    ItemFailure(
                        code: "needs_parts",
                        message:
                            "too long for one request to \(route.backends.first?.name ?? "the model"): its parts depend on each other, so it cannot go in a provider batch; run it without --via provider-batch."
                    ))
            }
            var prepared = taskRunner.prepared(request)
            prepared.stream = false
            return .success(prepared)
        } catch {
            return .failure(error)
        }
    }

    /// Sends every pending item in batches within the client's limits.
    public func submit(ledger: BatchLedger, results: ResultsFile) async throws -> Submitted {
        var summary = Submitted()
        let pending = try await requests(ledger: ledger, results: results)
        summary.failed = (try ledger.counts())[.failed] ?? 0
        let groups = BatchSplitter.groups(pending.map(\.request), maxRequests: client.maxRequests, maxBytes: client.maxBytes, size: client.size)
        var offset = 0
        for group in groups {
            let members = pending[offset..<(offset + group.count)].map { ($0.id, $0.request.customID) }
            offset += group.count
            let ref = try ledger.beginProviderBatch(backend: client.backend, items: members)
            do {
                let id = try await client.submit(group)
                try ledger.openProviderBatch(ref, providerID: id)
                summary.batches.append(id)
                summary.requests += group.count
            } catch {
                // Not accepted: the items go back to pending for the next run.
                try ledger.closeProviderBatch(ref)
                throw error
            }
        }
        return summary
    }

    /// What `collect` took in.
    public struct Collected: Sendable, Equatable {
        /// Items whose results were collected.
        public var done = 0
        /// Items that failed for good.
        public var failed = 0
        /// Errored or expired requests sent again in a new batch.
        public var resubmitted = 0
        /// Batches the provider is still working on.
        public var running: [ProviderBatchStatus] = []
        /// Batches whose results were read in this call.
        public var ended: [ProviderBatchStatus] = []
    }

    /// The state of every open batch, as the provider reports it.
    public func status(ledger: BatchLedger) async throws -> [(batch: BatchLedger.ProviderBatch, status: ProviderBatchStatus?)] {
        var out: [(BatchLedger.ProviderBatch, ProviderBatchStatus?)] = []
        for batch in try ledger.openProviderBatches() {
            guard let id = batch.providerID else {
                out.append((batch, nil))
                continue
            }
            out.append((batch, try await client.status(id)))
        }
        return out
    }

    /// Reads the results of every ended batch into the results file (each item once; an
    /// item already written is skipped), then sends again what errored or expired.
    public func collect(ledger: BatchLedger, results: ResultsFile, resubmit: Bool = true) async throws -> Collected {
        var collected = Collected()
        for batch in try ledger.openProviderBatches() {
            guard let id = batch.providerID else {
                // Killed while it was being created: its items are pending again (the provider
                // may have the batch; its results then have no item waiting for them).
                try ledger.closeProviderBatch(batch.ref)
                continue
            }
            let status = try await client.status(id)
            if status.state == .running {
                collected.running.append(status)
                continue
            }
            collected.ended.append(status)
            var outcomes: [BatchLedger.Outcome] = []
            var again: [String] = []
            let lines = status.state == .failed ? [] : try await client.results(status)
            for (customID, result) in lines {
                guard let entry = try ledger.submitted(customID: customID, batch: batch.ref) else { continue }
                switch result {
                case .succeeded(let response):
                    outcomes.append(outcome(entry, response: response, batchID: id))
                case .errored(let code, _) where Self.transient.contains(code):
                    again.append(entry.item.id)
                case .errored(let code, let message):
                    outcomes.append(runner.failure(entry.item, ItemFailure(code: code, message: message), attempts: entry.attempts + 1))
                case .expired, .canceled:
                    again.append(entry.item.id)
                }
                if outcomes.count >= 256 {
                    try results.append(try ledger.record(outcomes))
                    outcomes.removeAll()
                }
            }
            try results.append(try ledger.record(outcomes))
            try ledger.release(ids: again)
            // Items with no line at all (a failed batch, a lost result) are pending again too.
            try ledger.closeProviderBatch(batch.ref)
        }
        let counts = try ledger.counts()
        collected.done = counts[.done] ?? 0
        collected.failed = counts[.failed] ?? 0
        if resubmit, (counts[.pending] ?? 0) > 0 {
            collected.resubmitted = try await submit(ledger: ledger, results: results).requests
        }
        return collected
    }

    /// The line of a request the provider answered, costed at the batch price.
    func outcome(_ entry: BatchLedger.Entry, response: ChatResponse, batchID: String) -> BatchLedger.Outcome {
        let usage = response.usage ?? Usage()
        let cost = runner.prices[client.backend].map { $0.cost(usage) * priceFactor }
        var line = ResultLine(item: entry.item, task: runner.task.name)
        line.route = [client.backend]
        line.answeredBy = client.backend
        line.usage = usage
        line.cost = cost
        line.attempts = entry.attempts + 1
        line.providerBatch = batchID
        if response.stopReason == .maxTokens { line.warnings.append("the answer stopped at the output limit (max_output_tokens): it may be cut short") }
        if response.text.trimmingSpaces().isEmpty {
            line.error = ("empty_answer", "\(client.backend) gave an empty answer.")
            return BatchLedger.Outcome(
                id: entry.item.id, state: .failed, line: line.json(result: nil, warnings: []), attempts: line.attempts, errorCode: "empty_answer",
                backend: client.backend, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, cost: cost)
        }
        var result = ResultLine.Result.text(response.text)
        if case .extractFields(let schema) = runner.task {
            // The record, checked as in a run without batches; a batch has no second turn, so
            // what breaks the schema goes to the review (--retry-failed does not redo it).
            let record = schema.check(response.text)
            var w = JSONWriter(pretty: false)
            schema.write(record.values, to: &w)
            result = .json(w.takeOutput())
            line.review = record.errors.map { "does not follow the schema (not asked again in a provider batch): \($0)" }
        }
        return BatchLedger.Outcome(
            id: entry.item.id, state: .done, line: line.json(result: result, warnings: []), attempts: line.attempts,
            backend: client.backend, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, cost: cost)
    }
}

/// Requests and results in OpenAI's batch format, for any other runner (vLLM's
/// `run_batch`, gateways): `--export-requests` writes the pending items' requests,
/// `--import-results` reads that runner's output back with the same exactly-once guarantee.
extension ProviderBatchRunner {
    /// Writes the pending items' requests as OpenAI batch input lines; returns how many.
    public static func exportRequests(runner: BatchRunner, ledger: BatchLedger, results: ResultsFile, model: String, to path: String) async throws -> Int {
        let exporter = ProviderBatchRunner(runner: runner, client: ExportOnly())
        let requests = try await exporter.requests(ledger: ledger, results: results)
        var bytes: [UInt8] = []
        for (_, request) in requests { bytes += OpenAIBatchWire.line(request, model: model, maxTokensField: "max_tokens") }
        try FileBytes.replace(path, with: bytes)
        return requests.count
    }

    /// Reads OpenAI batch output lines (`custom_id` `q<seq>`) into the results; returns
    /// (written, already written or unknown).
    public static func importResults(runner: BatchRunner, ledger: BatchLedger, results: ResultsFile, backend: String, from path: String) throws -> (
        written: Int, skipped: Int
    ) {
        let bytes = try FileBytes.read(path)
        let importer = ProviderBatchRunner(runner: runner, client: ExportOnly(backend: backend), priceFactor: 1)
        var outcomes: [BatchLedger.Outcome] = []
        var skipped = 0
        for (customID, result) in OpenAIBatchWire.results(bytes, backend: backend) {
            guard customID.hasPrefix("q"), let seq = Int(customID.dropFirst()), let entry = try ledger.entry(seq: seq), entry.state != .done else {
                skipped += 1
                continue
            }
            switch result {
            case .succeeded(let response): outcomes.append(importer.outcome(entry, response: response, batchID: "import"))
            case .errored(let code, let message):
                outcomes.append(runner.failure(entry.item, ItemFailure(code: code, message: message), attempts: entry.attempts + 1))
            case .expired, .canceled: skipped += 1
            }
        }
        try results.append(try ledger.record(outcomes))
        return (outcomes.count, skipped)
    }
}

/// A client that sends nothing: for export and import, which only need the request builder.
struct ExportOnly: ProviderBatchClient {
    var backend = "export"
    var maxRequests = Int.max
    var maxBytes = Int.max
    func size(of request: ProviderBatchRequest) -> Int { 0 }
    func submit(_ requests: [ProviderBatchRequest]) async throws -> String { throw ItemFailure(code: "unsupported", message: "export only") }
    func status(_ id: String) async throws -> ProviderBatchStatus { throw ItemFailure(code: "unsupported", message: "export only") }
    func results(_ status: ProviderBatchStatus) async throws -> [(customID: String, result: ProviderBatchResult)] { [] }
}
