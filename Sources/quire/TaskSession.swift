import ArgumentParser
import Foundation
import QuireBackends
import QuireInternalThreads
import QuireKit
import QuireLLM
import QuireModel
import QuireRender
import QuireRouter
import QuireTasks

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Options every task command has.
struct TaskCommonOptions: ParsableArguments {
    @OptionGroup var picker: PickerOptions

    @Option(help: "Use this backend (a name or alias of the config, or 'builtin') instead of the task's route.")
    var model: String?

    @Flag(help: "Print the exact requests as JSON (keys redacted) and send nothing.")
    var dryRun = false

    @Flag(help: "Print the result as JSON: text, route, backend that answered, parts, usage and cost.")
    var json = false

    @Flag(inversion: .prefixedNo, help: "Stream the answer as it is written (default: on when standard output is a terminal).")
    var stream: Bool?

    @Flag(help: "Log each request, retry and fallback on standard error (never a key).")
    var verbose = false

    @OptionGroup(title: "Limits")
    var limits: LimitOptions
}

/// One task command's run: the route from the model picker, the backends behind it, the
/// usage meter, and the output.
final class TaskSession: Sendable {
    let options: TaskCommonOptions
    let picker: ModelPicker
    let resolved: ModelPicker.ResolvedRoute
    let route: Route
    let http: [HTTPChatBackend]
    let meter: UsageMeter
    let answeredBy = Locked<[String]>([])

    init(task routeName: String, options: TaskCommonOptions) throws {
        self.options = options
        picker = try options.picker.picker()
        if let model = options.model, !picker.isConfigured(model) {
            throw TaskFailure(
                "--model \(model) is not configured; use one of: \(picker.configuredNames.joined(separator: ", ")) (see 'quire models').",
                status: Quire.Status.config)
        }
        // A backend whose key is missing would fail after the content was sent nowhere: it is
        // left out before anything is sent, said once, and the route goes on with the rest.
        guard
            let built = RouteBackends(
                picker.route(for: routeName, override: options.model), configHint: picker.configHint, rateLimited: false,
                leftOut: { step, warning in
                    printError("quire: \(step.name) is left out of the route of '\(routeName)': \(warning)")
                })
        else {
            throw TaskFailure(
                "no backend of the route of '\(routeName)' can be used (see above); set the key, or add builtin to the route in \(picker.config?.source ?? "the config").",
                status: Quire.Status.config)
        }
        resolved = built.resolved
        http = built.http
        meter = UsageMeter(prices: built.prices)
        route = built.route
        if options.verbose {
            for step in built.resolved.steps {
                printError("quire: route \(routeName): \(step.name) (\(step.why))" + (step.warning.map { " — \($0)" } ?? ""))
            }
        }
    }

    /// Whether answers stream to the terminal.
    var streams: Bool { options.stream ?? (isatty(1) != 0) }

    func runner() -> TaskRunner {
        let verbose = options.verbose
        let router = Router(meter: meter) { note in
            switch note {
            case .answeredBy(let backend):
                self.answeredBy.withLock { $0.append(backend) }
                if verbose { printError("quire: answered by \(backend)") }
            case .retrying(let backend, let attempt, let after, let code):
                printError("quire: \(backend): \(code.rawValue); retry \(attempt) in \(String(format: "%.1f", after)) s")
            case .fallingBack(let from, let to, let reason):
                printError("quire: \(from) failed, falling back to \(to): \(reason)")
            }
        }
        let taskName = route.task
        return TaskRunner(router: router, route: route) { request in
            guard verbose else { return }
            let content = request.messages.reduce(0) { $0 + TokenEstimate.tokens($1.content) }
            var line = "quire: request \(request.metadata[TaskMetadata.task] ?? taskName)"
            if let step = request.metadata[TaskMetadata.step] { line += " (\(step))" }
            line += ": ~\(content + TokenEstimate.tokens(request.system ?? "")) tokens in"
            if let max = request.maxOutputTokens { line += ", at most \(max) out" }
            if request.stream { line += ", streamed" }
            printError(line)
        }
    }

    /// Runs `task`: the answer goes to `sink` (streamed when it streams), then a note when
    /// the content was cut into parts, and the usage line on standard error.
    /// `pretty`: one indented JSON object (else one compact object per line, for several files).
    func run(_ task: some QuireTask, file: String?, sink: TaskOutput, pretty: Bool = true) async throws -> TaskRunner.Outcome? {
        let runner = runner()
        if options.dryRun {
            sink.write(dryRun(task.plan(runner.budget), runner: runner))
            return nil
        }
        let streaming = streams && !options.json && sink.isTerminalStream
        let outcome = try await runner.run(task) { piece in if streaming { sink.stream(piece) } }
        if options.json {
            sink.write(json(outcome, file: file, pretty: pretty))
        } else {
            var text = streaming ? "" : outcome.text
            if !outcome.text.hasSuffix("\n") { text += "\n" }
            if outcome.parts > 0 {
                text +=
                    "\n*Note: the content was too long for one request to \(route.backends.first?.name ?? "the model") (context window \(runner.budget.contextWindow) tokens), so it was processed in \(outcome.parts) parts at section boundaries, then combined.*\n"
            }
            for line in outcome.review { text += "\n" + line + "\n" }
            sink.write(text)
        }
        return outcome
    }

    /// The usage and cost of the command, on standard error (nothing when only the offline backend ran).
    func reportUsage() {
        let lines = meter.report.filter { $0.backend != "builtin" }
        guard !lines.isEmpty, !options.json else { return }
        for line in meter.summary.split(separator: "\n") where !line.hasPrefix("builtin:") { printError("quire: usage: \(line)") }
    }

    func shutdown() async {
        for backend in http { try? await backend.shutdown() }
    }

    /// Runs a command's work, then reports the usage and closes the backends and the
    /// output — the backends also when the work fails.
    func complete(_ sink: TaskOutput, _ work: () async throws -> Void) async throws {
        do {
            try await work()
        } catch {
            await shutdown()
            throw error
        }
        reportUsage()
        await shutdown()
        try sink.close()
    }

    // MARK: JSON

    func json(_ outcome: TaskRunner.Outcome, file: String?, pretty: Bool = true) -> String {
        var w = JSONWriter(pretty: pretty)
        w.beginObject()
        w.field("task", route.task)
        if let file { w.field("file", file) }
        w.field("result", outcome.text)
        w.key("route")
        w.beginArray()
        for step in resolved.steps { w.string(step.name) }
        w.endArray()
        w.key("answered_by")
        let answered = answeredBy.withLock { $0 }
        if let last = answered.last { w.string(last) } else { w.null() }
        w.field("parts", outcome.parts)
        w.key("usage")
        w.beginObject()
        w.field("input_tokens", outcome.usage.inputTokens)
        w.field("output_tokens", outcome.usage.outputTokens)
        w.field("cached_input_tokens", outcome.usage.cachedInputTokens)
        w.endObject()
        w.key("cost")
        let total = meter.total
        if let cost = total.cost { w.number(cost) } else { w.null() }
        w.key("review")
        w.beginArray()
        for line in outcome.review { w.string(line) }
        w.endArray()
        w.endObject()
        return w.takeOutput() + "\n"
    }

    /// The requests a plan would send, as the primary backend would put them on the wire.
    func dryRun(_ plan: TaskPlan, runner: TaskRunner) -> String {
        var requests: [ChatRequest] = []
        switch plan {
        case .single(let request):
            requests = [runner.prepared(request)]
        case .mapReduce(let plan):
            for (i, chunk) in plan.chunks.enumerated() { requests.append(runner.prepared(plan.part(chunk, i, plan.chunks.count))) }
            requests.append(runner.prepared(plan.combine(plan.chunks.indices.map { "[the answer to part \($0 + 1)]" })))
        }
        var w = JSONWriter(pretty: true)
        w.beginArray()
        for request in requests {
            w.beginObject()
            if let step = request.metadata[TaskMetadata.step] { w.field("step", step) }
            if let backend = http.first, route.backends.first is HTTPChatBackend {
                let wire = backend.wireRequest(request)
                w.field("backend", backend.name)
                w.field("url", BackendConfig.redactingCredentials(wire.url))
                w.key("headers")
                w.beginObject()
                for (name, value) in wire.headers { w.field(name, BackendConfig.isSecretHeader(name) ? "[redacted]" : value) }
                w.endObject()
                w.key("body")
                w.rawJSON(String(decoding: wire.body, as: UTF8.self))
            } else {
                w.field("backend", "builtin")
                w.key("request")
                w.beginObject()
                if let system = request.system { w.field("system", system) }
                w.key("messages")
                w.beginArray()
                for message in request.messages {
                    w.beginObject()
                    w.field("role", message.role.rawValue)
                    w.field("content", message.content)
                    w.endObject()
                }
                w.endArray()
                if let max = request.maxOutputTokens { w.field("max_output_tokens", max) }
                if let t = request.temperature {
                    w.key("temperature")
                    w.number(t)
                }
                w.field("stream", request.stream)
                w.key("metadata")
                w.beginObject()
                for (key, value) in request.metadata.sorted(by: { $0.key < $1.key }) { w.field(key, value) }
                w.endObject()
                w.endObject()
            }
            w.endObject()
        }
        w.endArray()
        return w.takeOutput() + "\n"
    }
}

/// Where a task's answer goes: standard output (streamed piece by piece, flushed at once)
/// or a file.
final class TaskOutput: @unchecked Sendable {
    private let sink: OutputSink
    let isTerminalStream: Bool
    private let lock = Locked<Void>(())

    init(path: String?, inputs: [String] = []) throws {
        sink = try OutputSink(path: path, inputs: inputs)
        isTerminalStream = path == nil || path == "-"
    }

    func write(_ text: String) {
        lock.withLock { _ in sink.write(text) }
    }

    /// A piece of a streamed answer: written and flushed, so the reader sees it now.
    func stream(_ text: String) {
        lock.withLock { _ in
            sink.write(text)
            sink.flush()
        }
    }

    func close() throws { try sink.close() }
}
