import ArgumentParser
import Dispatch
import Foundation
import QuireBackends
import QuireBatch
import QuireInternalThreads
import QuireKit
import QuireLLM
import QuireModel
import QuireRouter
import QuireTasks
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A batch that cannot start or go on, said in one sentence, with its exit status.
struct BatchFailure: Error {
    var message: String
    var status: Int32
    init(_ message: String, status: Int32) {
        self.message = message
        self.status = status
    }
}

/// The route of a batch's task: its backends (HTTP ones behind each backend's rate
/// limiter), prices, and the batch discount of the primary.
struct BatchRoute {
    let route: Route
    let steps: [ModelPicker.Step]
    let prices: [String: Pricing]
    let http: [HTTPChatBackend]

    /// `announce`: say which backends are left out of the route (once per route a run builds).
    init(task: String, picker: ModelPicker, override: String?, verbose: Bool, announce: Bool = true) throws {
        if let override, !picker.isConfigured(override) {
            throw BatchFailure(
                "--model \(override) is not configured; use one of: \(picker.configuredNames.joined(separator: ", ")).", status: Quire.Status.config)
        }
        let hint = picker.configHint
        // A backend whose key is missing would fail every item: it is left out, said once.
        guard
            let built = RouteBackends(
                picker.route(for: task, override: override), configHint: hint, rateLimited: true,
                leftOut: { step, warning in
                    if announce { printError("quire: batch: \(step.name) is left out of the route: \(warning)") }
                })
        else {
            throw BatchFailure("no backend of the route of '\(task)' can be used (see the lines above, and 'quire models').", status: Quire.Status.config)
        }
        if verbose {
            for step in built.resolved.steps { printError("quire: route \(task): \(step.name) (\(step.why))") }
        }
        if built.http.isEmpty && !BuiltinBackend.servedTasks.contains(task) {
            throw BatchFailure(
                "the built-in backend works offline and cannot do '\(task)' (it writes no new text): configure a model for '\(task)' in \(hint) (quire config init writes a starter).",
                status: Quire.Status.config)
        }
        route = built.route
        steps = built.resolved.steps
        prices = built.prices
        http = built.http
    }

    /// The primary backend has no prices (and is not the free built-in one).
    var unpriced: Bool {
        guard let first = steps.first else { return true }
        return first.backend != nil && prices[first.name] == nil
    }

    var batchPriceFactor: Double? { steps.first?.batchPriceFactor }

    func shutdown() async {
        for backend in http { try? await backend.shutdown() }
    }
}

/// The progress line: on a terminal rewritten in place; otherwise a line every 5 s.
final class ProgressPrinter: Sendable {
    private let state: Locked<(last: Double, shown: Bool)>
    let enabled: Bool
    let terminal: Bool

    init(enabled: Bool) {
        self.enabled = enabled
        terminal = isatty(2) != 0
        // Not a terminal: the first line after 5 s (a short run prints only its report).
        state = Locked((terminal ? 0 : BatchRunner.now(), false))
    }

    func update(_ progress: BatchProgress) {
        guard enabled else { return }
        let now = BatchRunner.now()
        let due = state.withLock { s -> Bool in
            let interval = terminal ? 0.1 : 5
            guard now - s.last >= interval else { return false }
            s.last = now
            s.shown = true
            return true
        }
        guard due else { return }
        let line = BatchText.progress(progress)
        if terminal { printProgress(line) } else { printError("quire: batch: " + line) }
    }

    func finish() {
        if enabled && terminal && state.withLock({ $0.shown }) { printProgress(nil) }
    }
}

/// The texts `quire batch` prints.
enum BatchText {
    static func count(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    static func money(_ value: Double?) -> String {
        guard let value else { return "no prices" }
        return String(format: "$%.4f", value)
    }

    static func progress(_ p: BatchProgress) -> String {
        let finished = p.done + p.failed
        let width = 24
        let filled = p.total > 0 ? min(width, finished * width / p.total) : 0
        var line = "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "] "
        line += "\(count(finished))/\(count(p.total)) items · \(String(format: "%.1f", p.rate))/s"
        if let eta = p.eta { line += " · ETA \(Int(eta.rounded())) s" }
        line += " · \(count(p.inputTokens)) in / \(count(p.outputTokens)) out"
        if let cost = p.cost { line += " · " + money(cost) }
        if p.failed > 0 { line += " · \(count(p.failed)) failed" }
        return line
    }

    static func estimate(_ e: BatchEstimate, report: BatchPlanner.Report, task: String, route: BatchRoute?) -> String {
        let tallies = report.tallies
        var lines = ["Estimate for --task \(task) (nothing was sent):"]
        lines.append("  sources:            \(tallies.count) (\(count(tallies.reduce(0) { $0 + $1.found })) messages or files found)")
        lines.append("  duplicates skipped: \(count(tallies.reduce(0) { $0 + $1.duplicates }))")
        lines.append("  left out by filters:\(String(repeating: " ", count: 1))\(count(tallies.reduce(0) { $0 + $1.filtered }))")
        lines.append("  items to do:        \(count(e.items))" + (e.unusable > 0 ? " (\(count(e.unusable)) cannot be read or do not fit the task)" : ""))
        lines.append("  requests:           \(count(e.requests))")
        lines.append("  input tokens:       \(count(e.inputTokens)) (estimated on the high side)")
        lines.append("  output tokens:      at most \(count(e.maxOutputTokens)) (each request's answer limit)")
        if let route, let primary = route.steps.first {
            lines.append("  route:              " + route.steps.map(\.name).joined(separator: " → "))
            if primary.backend == nil {
                lines.append("  cost:               $0 (the built-in backend works offline)")
            } else if let cost = e.cost {
                lines.append("  cost, one by one:   at most \(money(cost)) (\(primary.name)'s prices from the config)")
                if let batch = e.batchCost {
                    lines.append(
                        "  cost, provider batch: at most \(money(batch)) (--via provider-batch, \(Int(((primary.batchPriceFactor ?? 1) * 100).rounded()))% of the price)"
                    )
                } else {
                    lines.append("  cost, provider batch: n/a (\(primary.name) has no batch API)")
                }
            } else {
                lines.append("  cost:               unknown (give \(primary.name) input_price and output_price in the config)")
            }
        } else {
            lines.append("  cost:               $0 (extract sends nothing to a model)")
        }
        return lines.joined(separator: "\n")
    }

    static func reconciliation(_ rows: [BatchReconciliation], results: String, summary: BatchSummary?) -> String {
        var out = ""
        if let summary {
            let p = summary.progress
            out += "quire: batch: \(count(p.done)) done, \(count(p.failed)) failed this run in \(String(format: "%.1f", p.elapsed)) s → \(results)\n"
        }
        // "in batches": items sent in a provider batch, their results not collected yet.
        let batches = rows.contains { $0.submitted > 0 }
        let shards = rows.contains { $0.otherShards > 0 }
        var header = ["source", "found", "duplicates", "filtered"]
        if shards { header.append("other shards") }
        header += ["unreadable", "items", "done", "failed", "pending"]
        if batches { header.append("in batches") }
        header += ["tokens in", "tokens out", "cost"]
        var table = [header]
        for row in rows {
            var line = [row.source, count(row.found), count(row.duplicates), count(row.filtered)]
            if shards { line.append(count(row.otherShards)) }
            line += [count(row.unreadable), count(row.items), count(row.done), count(row.failed), count(row.pending)]
            if batches { line.append(count(row.submitted)) }
            line += [count(row.inputTokens), count(row.outputTokens), row.cost.map { money($0) } ?? "-"]
            table.append(line)
        }
        var widths = [Int](repeating: 0, count: header.count)
        for line in table { for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) } }
        for line in table {
            var text = ""
            for (i, cell) in line.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                text += i == 0 ? cell + pad : "  " + pad + cell
            }
            out += text + "\n"
        }
        var failures: [String: Int] = [:]
        for row in rows { for (code, n) in row.failures { failures[code, default: 0] += n } }
        if !failures.isEmpty {
            out += "failed by reason: " + failures.sorted { $0.value > $1.value }.map { "\($0.key) \(count($0.value))" }.joined(separator: ", ") + "\n"
            out += "(their lines in the results hold the errors; --retry-failed tries them again)\n"
        }
        return out
    }
}
