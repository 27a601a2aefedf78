import Foundation
import QuireInternalThreads
public import QuireLLM
import QuireRouter
public import QuireTasks

/// The roll-up of a finished batch (`--digest`): one more request over every item's
/// result — decisions, open questions, owners and dates across the whole export — kept in
/// the ledger like any item, written as the last line of the results. When the items it
/// covers have not changed, the digest is not asked for again; when they have, the old
/// digest line is replaced.
public struct BatchDigestOutcome: Sendable {
    /// The digest's Markdown.
    public var text: String
    /// Whether a new digest was made in this run (false: the stored one still covers every item).
    public var fresh: Bool
    /// How many item results it covers.
    public var items: Int
    /// What making it took in this run (nothing when the stored one stood).
    public var usage = Usage()
    /// Its cost in this run, when the backend has prices.
    public var cost: Double?
}

extension BatchRunner {
    static let digestPrefix = "digest:"

    /// An item's summary as digest content: a per-message label line (`**Message 2 of 3:
    /// Re: x** — Bob <bob@x>, 2024-…`, as the offline summary writes them) becomes the
    /// speaker of the points under it (`- Bob: …`), so that a point keeps who made it when
    /// it stands alone in the digest.
    static func digestLines(_ summary: String) -> String {
        var speaker: String?
        var out: [String] = []
        for raw in summary.split(separator: "\n") {
            let line = raw.trimmingSpaces()
            if line.hasPrefix("**"), let close = line.dropFirst(2).range(of: "**") {
                let rest = line[close.upperBound...].trimmingSpaces()
                if rest.hasPrefix("—") {
                    let byline = rest.dropFirst().trimmingSpaces()
                    let name = byline.prefix { $0 != "<" && $0 != "," }.trimmingSpaces()
                    speaker = name.isEmpty ? nil : name
                    continue
                }
                speaker = nil
            }
            if line.hasPrefix("- ") || line.hasPrefix("* ") {
                out.append("- " + (speaker.map { $0 + ": " } ?? "") + line.dropFirst(2))
            } else if !line.isEmpty {
                out.append(line)
            }
        }
        return out.joined(separator: "\n")
    }

    /// Makes (or finds) the digest of every finished item. `results` is the results file's
    /// path; it is reopened, since an earlier digest's line may have to leave it.
    public func digest(ledger: BatchLedger, resultsPath: String, options: TaskOptions) async throws -> BatchDigestOutcome? {
        guard let route else { return nil }
        // Oldest conversation first (items finish in any order); undated ones at the end.
        var dated: [(date: String?, section: TaskContent.Section)] = []
        var ids: [String] = []
        for (id, line) in try ledger.doneLines(excludingPrefix: Self.digestPrefix) {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                var text = object["result"] as? String
            else { continue }
            ids.append(id)
            // The built-in backend's label says how each summary was made; once is enough.
            if text.hasPrefix("*Extractive summary") || text.hasPrefix("*Table profile") {
                text = String(text.drop { $0 != "\n" }).trimmingSpaces()
            }
            let subject = object["subject"] as? String ?? "(no subject)"
            var heading = "### " + subject
            if let date = object["date"] as? String { heading += " — " + date.prefix(10) }
            dated.append((object["date"] as? String, .init(title: subject, markdown: heading + "\n\n" + Self.digestLines(text) + "\n")))
        }
        let sections = dated.enumerated().sorted { a, b in
            switch (a.element.date, b.element.date) {
            case (let x?, let y?) where x != y: return x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.offset < b.offset
            }
        }.map(\.element.section)
        guard !sections.isEmpty else { return nil }
        let id = Self.digestPrefix + Digest.hex(Digest.fnv64(Array(ids.sorted().joined(separator: "\n").utf8)))
        if let line = try ledger.doneLine(id: id),
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any], let text = object["result"] as? String
        {
            return BatchDigestOutcome(text: text, fresh: false, items: ids.count)
        }
        try ledger.removeItems(prefix: Self.digestPrefix)
        let item = BatchItem(id: id, kind: .digest, source: "all sources", subject: "Digest of \(ids.count) item\(ids.count == 1 ? "" : "s")")
        try ledger.add([item])
        let content = TaskContent(name: "digest of \(ids.count) results", kind: .digest, sections: sections)
        let meter = UsageMeter(prices: prices)
        let answered = Locked<String?>(nil)
        let router = Router(policy: retryPolicy, clock: retryClock, meter: meter) { note in
            if case .answeredBy(let backend) = note { answered.withLock { $0 = backend } }
        }
        var options = options
        options.stream = false
        let outcome = try await TaskRunner(router: router, route: route, concurrency: jobs).run(SummariseTask(content: content, options: options)) { _ in }
        var line = ResultLine(item: item, task: "digest")
        line.route = route.backends.map(\.name)
        line.usage = meter.total.usage
        line.cost = meter.total.cost
        line.parts = outcome.parts
        line.answeredBy = answered.withLock { $0 }
        let results = try ResultsFile(path: resultsPath, ledger: ledger)
        let bytes = try ledger.record([
            BatchLedger.Outcome(
                id: id, state: .done, line: line.json(result: .text(outcome.text), warnings: []), attempts: 1, backend: line.answeredBy,
                inputTokens: line.usage.inputTokens, outputTokens: line.usage.outputTokens, cost: line.cost)
        ])
        try results.append(bytes)
        results.close()
        return BatchDigestOutcome(text: outcome.text, fresh: true, items: ids.count, usage: line.usage, cost: line.cost)
    }
}
