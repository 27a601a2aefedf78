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

struct BatchReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "The reconciliation of a batch: per source, items found, duplicates, done, failed by reason, tokens and cost.")

    @Argument(help: "The results file of the batch (its ledger is beside it).")
    var results: String

    @Option(help: "Also draw the finished items and their cost over time (by the date of each item's mail) as an SVG chart.")
    var chart: String?

    func run() throws {
        let path = BatchLedger.path(forResults: results)
        guard FileManager.default.fileExists(atPath: path) else {
            printError("quire: error: \(results): no batch ledger beside it (\(path)); give the --out file of a 'quire batch' run.")
            throw ExitCode(Quire.Status.usage)
        }
        let ledger = try BatchLedger(path: path)
        let task = (try ledger.setting("task")) ?? "?"
        let per = (try ledger.setting("per")) ?? "default"
        print("batch: --task \(task), --per \(per) → \(results)")
        let rows = try ledger.reconciliation()
        print(BatchText.reconciliation(rows, results: results, summary: nil), terminator: "")
        if let chart { try Self.writeChart(BatchTimeline(try ledger.finishedDatesAndCosts()), to: chart) }
        if rows.contains(where: { $0.failed > 0 || $0.pending > 0 }) { throw ExitCode(Quire.Status.failed) }
    }
}

extension BatchReport {
    /// The items chart, and under it the cost chart when the backend had prices.
    static func writeChart(_ timeline: BatchTimeline, to path: String) throws {
        guard !timeline.periods.isEmpty else {
            throw TaskFailure("\(path): nothing to chart: no finished item has a date (\(timeline.undated) without one).")
        }
        let note = timeline.undated > 0 ? "\(timeline.undated) finished item\(timeline.undated == 1 ? "" : "s") without a date left out" : nil
        var charts = [
            Chart(
                kind: .bars, title: "Items finished by \(timeline.unit) of their mail", xLabel: timeline.unit.capitalized, yLabel: "Items",
                points: timeline.periods.map { Chart.Point(label: $0.label, value: Double($0.items)) }, note: note)
        ]
        if timeline.isPriced {
            charts.append(
                Chart(
                    kind: timeline.periods.count > 12 ? .line : .bars, title: "Cost by \(timeline.unit) of their mail", xLabel: timeline.unit.capitalized,
                    yLabel: "Cost (prices' currency)", points: timeline.periods.map { Chart.Point(label: $0.label, value: $0.cost ?? 0) }, note: note))
        }
        do {
            try FileBytes.replace(path, with: Array(ChartSVG.render(charts, title: "Batch: items and cost over time").utf8))
        } catch {
            throw TaskFailure("\(path): the chart could not be written: \(error)")
        }
        let total = timeline.periods.reduce(0) { $0 + $1.items }
        printError(
            "quire: chart: \(path) (\(total) items in \(timeline.periods.count) \(timeline.unit)s\(timeline.isPriced ? ", with their cost" : "; no cost: the backend has no prices"))"
        )
    }
}

/// `status` and `collect` act on the run that wrote a results file: its ledger holds the
/// command, the folder it ran in and the backend its batches went to.
struct ProviderBatchSession {
    let run: BatchRun
    let ledger: BatchLedger
    let results: String
    let batch: ProviderBatchRunner
    let client: HTTPBatchClient
    let routeSetup: BatchRoute

    init(results: String, picker override: PickerOptions) async throws {
        let path = BatchLedger.path(forResults: results)
        guard FileManager.default.fileExists(atPath: path) else {
            throw BatchFailure("\(results): no batch ledger beside it (\(path)); give the --out file of a 'quire batch' run.", status: Quire.Status.usage)
        }
        let ledger = try BatchLedger(path: path)
        guard let command = try ledger.setting("command"), let directory = try ledger.setting("directory"), let backend = try ledger.setting("via_backend")
        else {
            throw BatchFailure("\(results) was not made with --via provider-batch: there are no batches to look at.", status: Quire.Status.usage)
        }
        let absolute = results.hasPrefix("/") ? results : FileManager.default.currentDirectoryPath + "/" + results
        guard FileManager.default.changeCurrentDirectoryPath(directory) else {
            throw ValidationError("cannot enter \(directory), the folder the batch was started in.")
        }
        var run = try BatchRun.parse(Array(BatchRun.decodeCommand(command).dropFirst()))
        if override.config != nil { run.picker = override }
        let picker = try run.picker.picker()
        let task = try run.batchTask(picker)
        guard let routeName = task.routeName else { throw BatchFailure("extract has no batches.", status: Quire.Status.usage) }
        let setup = try BatchRoute(task: routeName, picker: picker, override: run.model, verbose: false)
        guard let step = setup.steps.first(where: { $0.name == backend }) else {
            throw BatchFailure("the batches went to '\(backend)', which the config no longer routes '\(routeName)' to.", status: Quire.Status.config)
        }
        client = try BatchClients.client(for: step, maxRequests: run.batchMaxRequests, maxBytes: run.batchMaxBytes)
        let runner = BatchRunner(task: task, route: setup.route, prices: setup.prices, jobs: run.jobs)
        batch = ProviderBatchRunner(runner: runner, client: client, priceFactor: step.batchPriceFactor ?? 0.5)
        self.run = run
        self.ledger = ledger
        self.results = absolute
        routeSetup = setup
    }

    func shutdown() async {
        try? await client.shutdown()
        await routeSetup.shutdown()
    }
}

extension BatchRun {
    init(parsing arguments: [String]) throws { self = try BatchRun.parse(arguments) }
}

struct BatchStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "How far the provider batches of a run are (--via provider-batch).")

    @Argument(help: "The results file of the run (its ledger is beside it).")
    var results: String

    @OptionGroup var picker: PickerOptions

    func run() async throws {
        let session = try await ProviderBatchSession(results: results, picker: picker)
        let statuses = try await session.batch.status(ledger: session.ledger)
        await session.shutdown()
        if statuses.isEmpty { print("no open batches: 'quire batch report \(results)' shows the reconciliation") }
        var running = false
        for (batch, status) in statuses {
            guard let status else {
                print(
                    "batch \(batch.ref): \(batch.requests) requests, never confirmed by \(batch.backend) (the run stopped while sending it); 'collect' sends its items again"
                )
                continue
            }
            running = running || status.state == .running
            print(
                "\(status.id) (\(batch.backend)): \(status.providerStatus) — \(status.succeeded) succeeded, \(status.failed) failed of \(max(status.total, batch.requests))"
                    + (status.message.map { " — \($0)" } ?? ""))
        }
        if running { throw ExitCode(Quire.Status.stillRunning) }
    }
}

struct BatchCollect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Write the results of a run's ended provider batches into its results file; send again what errored or expired.",
        discussion: "Exit status: 0 every item done, 1 some failed, 75 batches are still running (run collect again later).")

    @Argument(help: "The results file of the run (its ledger is beside it).")
    var results: String

    @Flag(help: "Do not send errored or expired requests again.") var noResubmit = false
    @Flag(help: "No reconciliation at the end.") var quiet = false
    @OptionGroup var picker: PickerOptions

    func run() async throws {
        let session = try await ProviderBatchSession(results: results, picker: picker)
        let file = try ResultsFile(path: session.results, ledger: session.ledger)
        let collected: ProviderBatchRunner.Collected
        do {
            collected = try await session.batch.collect(ledger: session.ledger, results: file, resubmit: !noResubmit)
        } catch {
            file.close()
            await session.shutdown()
            printError("quire: error: collecting failed: \(error) (run collect again: nothing is written twice)")
            throw ExitCode(Quire.Status.backend)
        }
        file.close()
        await session.shutdown()
        let rows = try session.ledger.reconciliation()
        if !quiet {
            for status in collected.ended { printError("quire: batch: \(status.id): \(status.providerStatus), results read") }
            for status in collected.running {
                printError(
                    "quire: batch: \(status.id): \(status.providerStatus) (\(status.succeeded + status.failed) of \(status.total) done); collect again later")
            }
            if collected.resubmitted > 0 {
                printError(
                    "quire: batch: \(collected.resubmitted) errored or expired request\(collected.resubmitted == 1 ? "" : "s") sent again in a new batch")
            }
            printError(BatchText.reconciliation(rows, results: results, summary: nil))
        }
        if !collected.running.isEmpty || collected.resubmitted > 0 { throw ExitCode(Quire.Status.stillRunning) }
        if rows.contains(where: { $0.failed > 0 || $0.pending > 0 || $0.submitted > 0 }) { throw ExitCode(Quire.Status.failed) }
    }
}

struct BatchMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Join the results and ledgers of shards (--shard K/N runs) into one, with the reconciliation across them.",
        discussion: "Exit status: 0 every item of every shard done, 1 some failed or pending (the merged ledger says which), 2 usage.")

    @Argument(help: "The shards' results files (their ledgers are beside them).")
    var shards: [String]

    @Option(help: "The merged results file (a new one; its ledger is written beside it).")
    var out: String

    @Flag(help: "No reconciliation.") var quiet = false

    func run() throws {
        let path = BatchLedger.path(forResults: out)
        guard !FileManager.default.fileExists(atPath: path), !FileManager.default.fileExists(atPath: out) else {
            printError("quire: error: \(out) or its ledger exists already: merge writes a new results file.")
            throw ExitCode(Quire.Status.usage)
        }
        var ledgers: [BatchLedger] = []
        for shard in shards {
            let shardLedger = BatchLedger.path(forResults: shard)
            guard FileManager.default.fileExists(atPath: shardLedger) else {
                printError("quire: error: \(shard): no batch ledger beside it (\(shardLedger)).")
                throw ExitCode(Quire.Status.usage)
            }
            ledgers.append(try BatchLedger(path: shardLedger))
        }
        let tasks = Set(try ledgers.map { try $0.setting("task") ?? "?" })
        guard tasks.count == 1 else {
            printError("quire: error: the shards ran different tasks (\(tasks.sorted().joined(separator: ", "))): merge joins shards of one run.")
            throw ExitCode(Quire.Status.usage)
        }
        let merged = try BatchLedger(path: path)
        let twice = try merged.merge(ledgers)
        let results = try ResultsFile(path: out, ledger: merged)
        results.close()
        let rows = try merged.reconciliation()
        if !quiet {
            if !twice.isEmpty {
                printError(
                    "quire: batch: \(twice.count) item\(twice.count == 1 ? " was" : "s were") in more than one shard (kept once): were the shards given the same N?"
                )
            }
            printError("quire: batch: merged \(shards.count) shards → \(out)")
            printError(BatchText.reconciliation(rows, results: out, summary: nil))
        }
        if rows.contains(where: { $0.failed > 0 || $0.pending > 0 || $0.submitted > 0 }) { throw ExitCode(Quire.Status.failed) }
    }
}
