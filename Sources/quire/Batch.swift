public import ArgumentParser
import Dispatch
import Foundation
import QuireBackends
public import QuireBatch
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

extension BatchGranularity: ExpressibleByArgument {}

enum BatchVia: String, ExpressibleByArgument, CaseIterable {
    case sync
    case providerBatch = "provider-batch"
}

/// The provider batch client of a route step.
enum BatchClients {
    static func client(for step: ModelPicker.Step, maxRequests: Int?, maxBytes: Int?) throws -> HTTPBatchClient {
        guard let config = step.backend, HTTPBatchClient.supports(config.kind) else {
            throw BatchFailure(
                "--via provider-batch needs an OpenAI or Anthropic backend first in the route; '\(step.name)' has no batch API Quire speaks (use --export-requests for other runners).",
                status: Quire.Status.config)
        }
        return HTTPBatchClient(config: config, maxRequests: maxRequests, maxBytes: maxBytes)
    }
}

struct Batch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Run a task over every message, thread or file of mail exports and document folders.",
        discussion: """
            quire batch SOURCE... --task NAME --out results.jsonl
            Resumable and exactly-once: a ledger beside the results file (results.jsonl.ledger, SQLite) \
            records every item; a run stopped at any point continues with the same command, and every \
            item appears once in the results. Exit status: 0 all items done, 1 some failed (see their \
            lines or 'quire batch report'), 2 usage, 3 config, 5 stopped at --max-cost, 130 interrupted.
            """,
        subcommands: [BatchRun.self, BatchReport.self, BatchStatus.self, BatchCollect.self, BatchMerge.self], defaultSubcommand: BatchRun.self)
}

struct BatchRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a task over every item of the sources (the default: 'quire batch SOURCE…' is 'quire batch run SOURCE…').")

    @Argument(
        help:
            "mbox files (any variant, any name), Maildir or Maildir++ folders, folders of .eml/.emlx (Apple Mail), Gmail Takeout, folders of DOCX/XLSX; '-' reads a list of paths from standard input."
    )
    var sources: [String]

    @Option(help: "summarise, reply, analyse, extract (no model: structured JSON), or a task of your config.")
    var task: String = "summarise"

    @Option(help: "The results file (JSON Lines, schema quire.batch); its ledger is kept beside it.")
    var out: String

    @Option(help: "message, thread or file (default: thread for mail, file for documents).")
    var per: BatchGranularity?

    @Option(help: "short, medium or long.") var length: TaskOptions.Length = .medium
    @Option(help: "bullets or prose (summarise).") var format: TaskOptions.Style = .bullets
    @Option(help: "What summaries concentrate on.") var focus: String?
    @Option(help: "The language to write in.") var language: String?
    @Option(help: "The question (analyse).") var question: String?
    @Option(help: "A JSON Schema file of the fields (extract-fields).") var schema: String?
    @Option(help: "The fields instead of a schema (extract-fields): \"a, b:number, c:date\".") var fields: String?
    @Option(help: "The sheet to analyse, by name or 1-based position.") var sheet: String?
    @Option(help: "The tone of replies.") var tone: String?
    @Option(help: "What replies should say.") var instructions: String?
    @Option(name: .customLong("var"), help: "A variable of your task, name=value; repeat for several.") var variables: [String] = []

    @Option(help: "Only messages with this Gmail label (repeat for several).") var label: [String] = []
    @Option(help: "Only messages in this folder or its sub-folders (repeat for several).") var folder: [String] = []
    @Option(help: "Only messages dated on or after this day (YYYY-MM-DD or an ISO date-time).") var since: String?
    @Option(help: "Only messages dated before this day.") var until: String?
    @Option(help: "Only messages from this sender (an address or part of one, such as @example.com; repeat for several).") var from: [String] = []
    @Option(help: "At most this many items.") var limit: Int?
    @Option(help: "Do shard K of N (1-based, e.g. 2/8): N machines given 1/N … N/N share the items without overlap, threads kept whole.") var shard: String?

    @Flag(help: "Read and plan everything, send nothing, and print the items, requests, tokens and cost.") var estimate = false
    @Option(
        help: "sync (one call per item, now) or provider-batch (the provider's batch API: half price, results within 24 h; then 'quire batch collect OUT').")
    var via: BatchVia = .sync
    @Option(help: "With --via provider-batch: at most this many requests per batch (default: the provider's limit).") var batchMaxRequests: Int?
    @Option(help: "With --via provider-batch: at most this many bytes per batch (default: the provider's limit).") var batchMaxBytes: Int?
    @Option(help: "Write the pending items' requests in OpenAI's batch format (JSONL) for another runner, and send nothing.") var exportRequests: String?
    @Option(help: "Read results in OpenAI's batch output format (from --export-requests run elsewhere) into --out.") var importResults: String?
    @Flag(
        help: "After the items, a roll-up over all their results (decisions, open questions, owners, dates): the last line of the results, and -o as Markdown.")
    var digest = false
    @Option(name: [.customShort("o"), .customLong("output")], help: "With --digest: write the digest here as Markdown.") var output: String?
    @Option(help: "Stop before the cost (from the config's prices) would pass this many dollars.") var maxCost: Double?
    @Option(help: "Items in flight at once.") var jobs: Int = 4
    @Flag(help: "Try again the items that failed in earlier runs.") var retryFailed = false
    @Flag(help: "No progress line.") var quiet = false
    @Option(help: "Use this backend (a name of the config, or 'builtin') instead of the task's route.") var model: String?
    @Flag(help: "Log the route and each fallback on standard error.") var verbose = false
    @OptionGroup var picker: PickerOptions
    @OptionGroup(title: "Limits") var limits: LimitOptions

    /// Reads the sources and items with the limits given; one reader thread per item, since
    /// `--jobs` items are read at once.
    var importer: Importer { limits.importer(parallelism: 1) }

    func validate() throws {
        if per == .digest { throw ValidationError("--per takes message, thread or file.") }
        if output != nil && !digest { throw ValidationError("-o writes the digest: give --digest too (the items' results go to --out).") }
        if digest && task == "extract" { throw ValidationError("--digest rolls up answers; extract sends nothing to a model.") }
        guard jobs >= 1 && jobs <= 256 else { throw ValidationError("--jobs must be from 1 to 256.") }
        if let maxCost, !(maxCost >= 0) || !maxCost.isFinite { throw ValidationError("--max-cost must be a number of dollars, 0 or more.") }
        if let limit, limit < 1 { throw ValidationError("--limit must be 1 or more.") }
        _ = try parsedShard()
        _ = try Self.day(since, option: "--since")
        _ = try Self.day(until, option: "--until")
    }

    func parsedShard() throws -> (index: Int, count: Int)? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, k >= 1, k <= n else {
            throw ValidationError("--shard takes K/N with 1 ≤ K ≤ N, such as 2/8.")
        }
        return (k - 1, n)
    }

    /// `YYYY-MM-DD` (midnight UTC) or a date-time mail would carry.
    static func day(_ text: String?, option: String) throws -> Int64? {
        guard let text else { return nil }
        let parts = text.split(separator: "-")
        if parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), (1...31).contains(d) {
            return Int64(CivilCalendar.days(year: y, month: m, day: d)) * 86_400
        }
        if let date = ISO8601DateFormatter().date(from: text) { return Int64(date.timeIntervalSince1970) }
        throw ValidationError("\(option) \(text): write a day as YYYY-MM-DD (or an ISO 8601 date-time).")
    }

    func batchTask(_ picker: ModelPicker) throws -> BatchTask {
        var given: [String: String] = [:]
        for pair in variables {
            guard let eq = pair.firstIndex(of: "=") else { throw ValidationError("--var \(pair): write name=value.") }
            given[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        let options = TaskOptions(
            length: length, style: format, focus: focus, language: language, tone: tone, instructions: instructions, stream: false)
        switch task {
        case "summarise", "summarize": return .summarise(options)
        case "reply": return .reply(options)
        case "analyse", "analyze": return .analyse(question: question, sheet: sheet, options)
        case "extract": return .extract
        case "extract-fields":
            guard (schema == nil) != (fields == nil) else {
                throw BatchFailure("--task extract-fields needs --schema FILE or --fields \"a, b:number\" (one of them).", status: Quire.Status.usage)
            }
            do {
                if let fields { return .extractFields(try FieldSchema.parse(fields: fields)) }
                guard let text = try? String(contentsOfFile: schema!, encoding: .utf8) else {
                    throw BatchFailure("\(schema!): cannot be read.", status: Quire.Status.usage)
                }
                return .extractFields(try FieldSchema.parse(jsonSchema: text))
            } catch let invalid as FieldSchema.Invalid {
                throw BatchFailure((schema.map { "\($0): " } ?? "") + invalid.message, status: Quire.Status.usage)
            }
        default:
            guard let config = picker.config, let defined = config.tasks[task], let prompt = defined.prompt else {
                let own = picker.config?.tasks.values.filter { $0.prompt != nil }.map(\.name).sorted() ?? []
                throw BatchFailure(
                    "no task '\(task)': use summarise, reply, analyse, extract, extract-fields"
                        + (own.isEmpty
                            ? ", or define one in the config (see 'quire run --help')." : " or one of the config's: " + own.joined(separator: ", ") + "."),
                    status: Quire.Status.usage)
            }
            let missing = CustomTask.missing(in: [defined.system, prompt], given: given)
            if !missing.isEmpty {
                throw BatchFailure(
                    "task '\(task)' (\(config.source):\(defined.line)) uses " + missing.map { "{{\($0)}}" }.joined(separator: ", ") + ": give "
                        + missing.map { "--var \($0)=…" }.joined(separator: " "), status: Quire.Status.usage)
            }
            return .custom(name: task, system: defined.system, prompt: prompt, variables: given)
        }
    }

    /// The settings a resumed run must share with the ledger's.
    func settings(_ task: BatchTask, sources: [BatchSource], selection: BatchSelection) -> [String: String] {
        [
            "task": task.name, "per": per?.rawValue ?? "default", "sources": sources.map(\.label).joined(separator: "\n"),
            "options": [
                "length=\(length.rawValue)", "format=\(format.rawValue)", "focus=\(focus ?? "")", "language=\(language ?? "")",
                "question=\(question ?? "")", "sheet=\(sheet ?? "")", "tone=\(tone ?? "")", "instructions=\(instructions ?? "")",
                "vars=\(variables.sorted().joined(separator: ","))", "model=\(model ?? "")",
            ].joined(separator: " ") + { if case .extractFields(let schema) = task { " fields=" + schema.wireSchema } else { "" } }(),
            "selection": selection.fingerprint,
        ]
    }

    /// The run's ledger, checked against these settings; failed items reset with --retry-failed.
    func openLedger(_ task: BatchTask, sources: [BatchSource], selection: BatchSelection) throws -> BatchLedger {
        let ledger: BatchLedger
        do {
            ledger = try BatchLedger(path: BatchLedger.path(forResults: out))
        } catch {
            throw BatchFailure("\(error)", status: Quire.Status.usage)
        }
        if let mismatch = try ledger.checkSettings(settings(task, sources: sources, selection: selection)) {
            throw BatchFailure(
                "\(out) belongs to a run with other settings (\(mismatch.key): \(mismatch.stored.replacingOccurrences(of: "\n", with: ", ")) — now \(mismatch.given.replacingOccurrences(of: "\n", with: ", "))). Use the same command to continue it, or another --out.",
                status: Quire.Status.usage)
        }
        if retryFailed {
            let reset = try ledger.resetFailed()
            if reset > 0 && !quiet { printError("quire: batch: \(reset) failed item\(reset == 1 ? "" : "s") will be tried again") }
        }
        return ledger
    }

    /// Plans every item into the ledger (items it already has keep their state) and says what
    /// the planner met; the seconds it took, and those of them spent in the ledger.
    func plan(_ sources: [BatchSource], selection: BatchSelection, into ledger: BatchLedger) throws -> (Double, Double) {
        var pending: [BatchItem] = []
        var planLedgerSeconds = 0.0
        let planStart = BatchRunner.now()
        func add() throws {
            let start = BatchRunner.now()
            try ledger.add(pending)
            pending.removeAll(keepingCapacity: true)
            planLedgerSeconds += BatchRunner.now() - start
        }
        let report = try BatchPlanner(per: per, selection: selection, importer: importer).plan(sources) { item in
            pending.append(item)
            if pending.count >= 2_000 { try add() }
        }
        try add()
        let planSeconds = BatchRunner.now() - planStart
        try ledger.saveTallies(report.tallies)
        printWarnings(report.warnings)
        if report.skippedFiles > 0 && !quiet {
            printError("quire: note: skipped \(report.skippedFiles) file(s) in the sources that are neither mail nor documents")
        }
        return (planSeconds, planLedgerSeconds)
    }

    /// Runs the pending items with a progress line; the first Ctrl-C stops after the calls in
    /// flight, the second at once.
    func runItems(_ runner: BatchRunner, ledger: BatchLedger, results: ResultsFile, routeSetup: BatchRoute?) async throws -> BatchSummary {
        let interrupted = Atomic<Int>(0)
        signal(SIGINT, SIG_IGN)
        let signals = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        signals.setEventHandler {
            if interrupted.add(1, ordering: .relaxed).newValue >= 2 { _exit(Quire.Status.interrupted) }
            printError("\nquire: batch: stopping — finishing the calls in flight (Ctrl-C again to quit at once; the same command continues)")
        }
        signals.resume()
        let progress = ProgressPrinter(enabled: !quiet)
        let summary: BatchSummary
        do {
            summary = try await runner.run(ledger: ledger, results: results, cancelled: { interrupted.load(ordering: .relaxed) > 0 }) {
                progress.update($0)
            }
        } catch {
            progress.finish()
            await routeSetup?.shutdown()
            results.close()
            throw BatchFailure("\(error)", status: Quire.Status.failed)
        }
        progress.finish()
        results.close()
        await routeSetup?.shutdown()
        signals.cancel()
        return summary
    }

    func run() async throws {
        let picker = try self.picker.picker()
        let task = try batchTask(picker)
        let selection = BatchSelection(
            labels: label, folders: folder, since: try Self.day(since, option: "--since"), until: try Self.day(until, option: "--until"),
            from: from, limit: limit, shard: try parsedShard())
        let sources = try readSources()
        let routeSetup = try task.routeName.map { try BatchRoute(task: $0, picker: picker, override: model, verbose: verbose) }
        if maxCost != nil, let setup = routeSetup, setup.unpriced {
            throw BatchFailure(
                "--max-cost needs the prices of '\(setup.route.backends.first?.name ?? "")': give it input_price and output_price (dollars per million tokens) in the config.",
                status: Quire.Status.config)
        }

        let ledger = try openLedger(task, sources: sources, selection: selection)
        let results = try ResultsFile(path: out, ledger: ledger)

        let runner = BatchRunner(
            task: task, route: routeSetup?.route, prices: routeSetup?.prices ?? [:], jobs: jobs, maxCost: maxCost,
            loader: ItemLoader(importer: importer))
        try ledger.setSetting("command", Self.encodeCommand(Array(CommandLine.arguments.dropFirst())))
        try ledger.setSetting("directory", FileManager.default.currentDirectoryPath)
        if estimate {
            try await printEstimate(runner, ledger: ledger, sources: sources, selection: selection, routeSetup: routeSetup)
            return
        }

        let (planSeconds, planLedgerSeconds) = try plan(sources, selection: selection, into: ledger)

        if exportRequests != nil || importResults != nil || via == .providerBatch {
            try await providerBatch(runner, ledger: ledger, results: results, routeSetup: routeSetup)
            return
        }

        let summary = try await runItems(runner, ledger: ledger, results: results, routeSetup: routeSetup)

        if verbose {
            let total = planSeconds + summary.progress.elapsed
            let ledgerTotal = planLedgerSeconds + summary.ledgerSeconds
            printError(
                String(
                    format: "quire: batch: planning %.2f s (ledger %.2f s), run %.2f s (ledger %.2f s): the ledger took %.1f%% of %.2f s",
                    planSeconds, planLedgerSeconds, summary.progress.elapsed, summary.ledgerSeconds, total > 0 ? ledgerTotal / total * 100 : 0, total))
        }
        let reconciliation = try ledger.reconciliation()
        if !quiet { printError(BatchText.reconciliation(reconciliation, results: out, summary: summary)) }
        switch summary.stop {
        case .interrupted: throw ExitCode(Quire.Status.interrupted)
        case .budget:
            printError("quire: batch: stopped before --max-cost $\(maxCost ?? 0) would be passed; the same command continues (raise --max-cost to go further).")
            throw ExitCode(Quire.Status.limit)
        case .finished:
            if digest, routeSetup != nil {
                // The digest is a summary: the summarise route (what it leaves out was said above when it is the task's own).
                try await writeDigest(
                    runner, ledger: ledger,
                    route: try BatchRoute(task: "summarise", picker: picker, override: model, verbose: false, announce: task.routeName != "summarise"))
            }
            let failed = reconciliation.reduce(0) { $0 + $1.failed + $1.pending }
            if failed > 0 { throw ExitCode(Quire.Status.failed) }
        }
    }

    /// The roll-up over every result: the last line of --out, and -o as Markdown.
    func writeDigest(_ runner: BatchRunner, ledger: BatchLedger, route setup: BatchRoute) async throws {
        var digester = runner
        digester.route = setup.route
        let options = TaskOptions(length: length, style: format, focus: focus, language: language, stream: false)
        let outcome: BatchDigestOutcome?
        do {
            outcome = try await digester.digest(ledger: ledger, resultsPath: out, options: options)
        } catch {
            await setup.shutdown()
            throw BatchFailure("the digest could not be made: \(error)", status: Quire.Status.failed)
        }
        await setup.shutdown()
        guard let outcome else { return }
        if let output {
            do {
                try FileBytes.replace(output, with: Array((outcome.text.hasSuffix("\n") ? outcome.text : outcome.text + "\n").utf8))
            } catch {
                throw BatchFailure("cannot write \(output): \(error)", status: Quire.Status.failed)
            }
        }
        if !quiet {
            // The items' table above was drawn before the digest: its tokens and cost are said here.
            var spent = ""
            if !outcome.fresh {
                spent = " (unchanged since the last run)"
            } else if outcome.usage.inputTokens + outcome.usage.outputTokens > 0 {
                spent =
                    " (\(outcome.usage.inputTokens) tokens in, \(outcome.usage.outputTokens) out" + (outcome.cost.map { String(format: ", $%.4f", $0) } ?? "")
                    + ")"
            }
            printError("quire: batch: digest of \(outcome.items) results" + spent + " → the last line of \(out)" + (output.map { " and \($0)" } ?? ""))
        }
    }

    /// `--estimate`: plans on one thread while the items found are read and planned on the
    /// others; items the ledger has already done are left out. Nothing is sent.
    func printEstimate(
        _ runner: BatchRunner, ledger: BatchLedger, sources: [BatchSource], selection: BatchSelection, routeSetup: BatchRoute?
    ) async throws {
        let (pages, continuation) = AsyncThrowingStream<[BatchItem], any Error>.makeStream()
        let planner = BatchPlanner(per: per, selection: selection, importer: importer)
        let planning = Task.detached { () throws -> BatchPlanner.Report in
            var page: [BatchItem] = []
            do {
                let report = try planner.plan(sources) { item in
                    if try ledger.entry(id: item.id)?.state == .done { return }
                    page.append(item)
                    if page.count == 256 {
                        continuation.yield(page)
                        page = []
                    }
                }
                continuation.yield(page)
                continuation.finish()
                return report
            } catch {
                continuation.finish(throwing: error)
                throw error
            }
        }
        let figures = try await runner.estimate(pages: pages, batchDiscount: routeSetup?.batchPriceFactor)
        let report = try await planning.value
        printWarnings(report.warnings)
        print(BatchText.estimate(figures, report: report, task: runner.task.name, route: routeSetup))
        await routeSetup?.shutdown()
    }

    /// `--via provider-batch`, `--export-requests`, `--import-results`.
    func providerBatch(_ runner: BatchRunner, ledger: BatchLedger, results: ResultsFile, routeSetup: BatchRoute?) async throws {
        guard let routeSetup, let primary = routeSetup.steps.first else {
            throw BatchFailure("extract sends nothing to a model: it has no requests to batch.", status: Quire.Status.usage)
        }
        defer { results.close() }
        if let exportRequests {
            let model = primary.backend?.model ?? primary.name
            let count = try await ProviderBatchRunner.exportRequests(runner: runner, ledger: ledger, results: results, model: model, to: exportRequests)
            await routeSetup.shutdown()
            if !quiet {
                printError(
                    "quire: batch: wrote \(count) request\(count == 1 ? "" : "s") to \(exportRequests) (OpenAI batch format; custom_id q<n>); read the results back with --import-results"
                )
            }
            return
        }
        if let importResults {
            let (written, skipped) = try ProviderBatchRunner.importResults(
                runner: runner, ledger: ledger, results: results, backend: primary.name, from: importResults)
            await routeSetup.shutdown()
            if !quiet {
                printError(
                    "quire: batch: \(written) result\(written == 1 ? "" : "s") written to \(out)"
                        + (skipped > 0 ? "; \(skipped) skipped (already written, expired or not of this run)" : ""))
                printError(BatchText.reconciliation(try ledger.reconciliation(), results: out, summary: nil))
            }
            if try ledger.reconciliation().contains(where: { $0.failed > 0 || $0.pending > 0 }) { throw ExitCode(Quire.Status.failed) }
            return
        }
        let client = try BatchClients.client(for: primary, maxRequests: batchMaxRequests, maxBytes: batchMaxBytes)
        try ledger.setSetting("via_backend", primary.name)
        let batch = ProviderBatchRunner(runner: runner, client: client, priceFactor: primary.batchPriceFactor ?? 0.5)
        let submitted: ProviderBatchRunner.Submitted
        do {
            submitted = try await batch.submit(ledger: ledger, results: results)
        } catch {
            try? await client.shutdown()
            await routeSetup.shutdown()
            throw BatchFailure("\(primary.name) did not take the batch: \(error)", status: Quire.Status.backend)
        }
        try? await client.shutdown()
        await routeSetup.shutdown()
        if !quiet {
            if submitted.requests == 0 {
                printError(
                    "quire: batch: nothing to send (every item is done or already in a batch); 'quire batch collect \(out)' reads the results of open batches")
            } else {
                printError(
                    "quire: batch: sent \(submitted.requests) request\(submitted.requests == 1 ? "" : "s") to \(primary.name) in \(submitted.batches.count) batch\(submitted.batches.count == 1 ? "" : "es") (\(submitted.batches.joined(separator: ", "))); 'quire batch status \(out)' shows how far they are, 'quire batch collect \(out)' writes the results"
                )
            }
        }
        if submitted.failed > 0 { throw ExitCode(Quire.Status.failed) }
    }

    /// The run's arguments, kept in the ledger so that `collect` can build requests again.
    static func encodeCommand(_ arguments: [String]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: arguments)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func decodeCommand(_ text: String) -> [String] {
        ((try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String]) ?? []
    }

    /// The sources; '-' is a list of paths on standard input, one per line.
    func readSources() throws -> [BatchSource] {
        var out: [BatchSource] = []
        for source in sources {
            if source == "-" {
                let text = String(decoding: readStandardInput(), as: UTF8.self)
                let paths = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init).filter { !$0.isEmpty }
                out.append(BatchSource(label: "standard input", paths: paths))
            } else {
                var info = stat()
                guard stat(source, &info) == 0 else {
                    throw BatchFailure("\(source): cannot open: \(String(cString: strerror(errno))).", status: Quire.Status.usage)
                }
                out.append(BatchSource(path: source))
            }
        }
        return out
    }
}
