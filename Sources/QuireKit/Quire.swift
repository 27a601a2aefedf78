import Foundation
@_exported public import QuireBackends
@_exported public import QuireBatch
@_exported public import QuireDOCX
@_exported public import QuireImport
import QuireInternalThreads
@_exported public import QuireLLM
@_exported public import QuireMail
@_exported public import QuireModel
@_exported public import QuireRender
@_exported public import QuireRouter
@_exported public import QuireTasks
@_exported public import QuireXLSX
@_exported public import QuireZip

/// One-line entry points over the whole of Quire: open any file, stream a mailbox's messages
/// or a sheet's rows, run a task on the configured backends.
///
/// ```swift
/// import QuireKit
///
/// let content = try await Quire.open("report.docx")           // read by content, not by name
/// print(try await Quire.markdown(of: "budget.xlsx"))
/// for await message in Quire.messages(in: "export.mbox") { print(message.subject ?? "") }
/// for try await row in Quire.rows(of: "sales.xlsx", sheet: "Data") { print(row.cells.count) }
/// let summary = try await Quire.summarise("report.docx")      // the config's backends, or offline
/// print(summary.text)
/// ```
///
/// `open` and `markdown` come in two forms. The synchronous one reads on the caller's thread.
/// The async one — and `summarise` — reads on one thread of its own while the calling task
/// waits, so that reading a large file does not hold a thread of the cooperative pool. The
/// sequences read one message, or one slice of rows, per step on the calling task. Beyond
/// that, no threads are started unless the `importer` passed asks for them
/// (`Importer(parallelism:)`).
public enum Quire {
    /// Reads the file at `path` by its content — a Word document, an Excel workbook, a mail
    /// message, or a format of one of the importer's plugins.
    /// - Throws: `DocumentError` naming the file, and the part and line where known.
    public static func open(_ path: String, importer: Importer = Importer()) throws(DocumentError) -> ImportedContent {
        try importer.read(path: path)
    }

    /// The file at `path` (any format `quire extract` reads, an mbox too) as Markdown.
    /// - Throws: `DocumentError` naming the file.
    public static func markdown(of path: String, importer: Importer = Importer()) throws(DocumentError) -> String {
        try Extractor(format: .markdown, importer: importer).extract(path: path)
    }

    /// `open(_:importer:)` for async code: the file is read on a thread of its own while
    /// the calling task is suspended, so a long read does not hold one of the few threads of
    /// the cooperative pool. The read runs to its end once started.
    /// - Throws: `DocumentError` naming the file, and the part and line where known.
    public static func open(_ path: String, importer: Importer = Importer()) async throws(DocumentError) -> ImportedContent {
        try await offPool { () throws(DocumentError) in try importer.read(path: path) }
    }

    /// `markdown(of:importer:)` for async code, read on a thread of its own as the async
    /// `open(_:importer:)` does.
    /// - Throws: `DocumentError` naming the file.
    public static func markdown(of path: String, importer: Importer = Importer()) async throws(DocumentError) -> String {
        try await offPool { () throws(DocumentError) in try Extractor(format: .markdown, importer: importer).extract(path: path) }
    }

    /// Runs the blocking `work` on a thread of its own and waits for it without blocking the
    /// caller's thread; when no thread can be started, runs it on the caller's thread.
    static func offPool<Value: Sendable, Failure: Error>(_ work: @escaping @Sendable () throws(Failure) -> Value) async throws(Failure) -> Value {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, Failure>, Never>) in
            let thread = BackgroundThread(name: "quire-read") {
                continuation.resume(returning: Result { () throws(Failure) in try work() })
            }
            if let thread {
                thread.detach()
            } else {
                continuation.resume(returning: Result { () throws(Failure) in try work() })
            }
        }
        return try result.get()
    }

    /// Every message of the mail sources at `paths` — mbox files, Maildir folders, .eml and
    /// .emlx files, folders of them — as an async sequence, read one at a time with their
    /// attachments (see `MailSourceReader`). A message or file that cannot be read is not
    /// dropped in silence: `onWarning` is told which and why, and the sequence goes on.
    public static func messages(
        in paths: String..., importer: Importer = Importer(), onWarning: @escaping @Sendable (String) -> Void = { _ in }
    ) -> MailMessages {
        MailMessages(paths: paths, importer: importer, onWarning: onWarning)
    }

    /// As the variadic `messages(in:importer:onWarning:)`, for a list of paths.
    public static func messages(
        in paths: [String], importer: Importer = Importer(), onWarning: @escaping @Sendable (String) -> Void = { _ in }
    ) -> MailMessages {
        MailMessages(paths: paths, importer: importer, onWarning: onWarning)
    }

    /// The rows of a sheet (`sheet` by name; the first worksheet when nil) as an async
    /// sequence, pulled from the file as they are asked for; see `SheetRowReader`.
    public static func rows(of path: String, sheet: String? = nil, limits: ZipLimits = .default) -> SheetRows {
        SheetRows(path: path, sheet: sheet, limits: limits)
    }

    /// Summarises the file at `path` (a document, a workbook, a message or an mbox) on the
    /// route of the `summarise` task; `onText` receives the answer as it streams.
    /// - Throws: `DocumentError` when the file cannot be read, `QuireConfig.Invalid` for a
    ///   broken config, ``Quire/Failure`` when no backend of the route can be used, and the
    ///   backends' `LLMError` when every one of them failed.
    public static func summarise(
        _ path: String, options: TaskOptions = TaskOptions(), backends: Backends = .configured(), importer: Importer = Importer(),
        onText: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> Answer {
        let content = try await offPool { try ContentLoader(importer: importer).load(path: path) }
        return try await run(SummariseTask(content: content, options: options), backends: backends, onText: onText)
    }

    /// Runs any task — one of Quire's, a `CustomTask` or your own `QuireTask` — on the route
    /// that `backends` gives for its `routeName`.
    public static func run(
        _ task: some QuireTask, backends: Backends = .configured(), onText: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> Answer {
        let resolved = try backends.route(for: task.routeName)
        let meter = UsageMeter(prices: resolved.prices)
        let outcome = try await TaskRunner(router: Router(meter: meter), route: resolved.route).run(task, onText: onText)
        var content = task.contentWarnings
        content.append(contentsOf: resolved.warnings)
        return Answer(outcome: outcome, warnings: content)
    }

    /// A task's answer.
    public struct Answer: Sendable {
        /// The runner's result: text, parts, usage, the answer's review notes.
        public var outcome: TaskRunner.Outcome
        /// Backends left out of the route (a missing key) and what was wrong with the content.
        public var warnings: [String]
        /// The final answer.
        public var text: String { outcome.text }
    }

    /// A failure of the umbrella's own: no backend of a route can be used.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        /// What went wrong and what to do.
        public var description: String
    }
}

extension QuireTask {
    /// The warnings of the content a Quire task was given (none for other tasks).
    var contentWarnings: [String] {
        switch self {
        case let task as SummariseTask: return task.content.warnings
        default: return []
        }
    }
}

/// Where a task's requests go: the configured route, the offline backend, or your own backends.
public struct Backends: Sendable {
    private enum Source: Sendable {
        case configured(path: String?, environment: [String: String]?)
        case fixed([any ChatBackend])
    }
    private let source: Source

    /// The routes of the YAML config at `configPath` — else `$QUIRE_CONFIG`, else
    /// `$XDG_CONFIG_HOME/quire/config.yaml` — with keys from `environment` (the process's when
    /// nil). With no config file, every task goes to the built-in offline backend.
    public static func configured(configPath: String? = nil, environment: [String: String]? = nil) -> Backends {
        Backends(source: .configured(path: configPath, environment: environment))
    }

    /// The built-in offline backend: an extractive summary, a table profile in prose.
    public static var offline: Backends { Backends(source: .fixed([BuiltinBackend(handlers: OfflineTasks.handlers)])) }

    /// These backends in order: the first, then each next one when the one before fails.
    public static func custom(_ backends: [any ChatBackend]) -> Backends { Backends(source: .fixed(backends)) }

    /// The route of task `name`, the steps left out of it (with why), and the prices of its backends.
    public struct Resolved: Sendable {
        /// The backends in order, for a `Router`.
        public var route: Route
        /// One line per backend left out of the route.
        public var warnings: [String]
        /// Prices per backend name.
        public var prices: [String: Pricing]
    }

    /// Resolves the route of task `name`.
    /// - Throws: `QuireConfig.Invalid` for a broken config, ``Quire/Failure`` when no backend
    ///   of the route can be used.
    public func route(for name: String) throws -> Resolved {
        switch source {
        case .fixed(let backends):
            guard !backends.isEmpty else { throw Quire.Failure(description: "no backends given for '\(name)'.") }
            return Resolved(route: Route(task: name, backends: backends), warnings: [], prices: [:])
        case .configured(let explicit, let given):
            let environment = given ?? ProcessInfo.processInfo.environment
            let picker: ModelPicker
            if let path = ModelPicker.configPath(explicit: explicit, environment: environment) {
                picker = ModelPicker(config: try ModelPicker.load(path: path), environment: environment)
            } else {
                picker = ModelPicker(config: nil, environment: environment)
            }
            var warnings: [String] = []
            guard
                let built = RouteBackends(
                    picker.route(for: name), configHint: picker.configHint, rateLimited: false,
                    leftOut: { step, why in warnings.append("\(step.name) is left out of the route of '\(name)': \(why)") })
            else {
                throw Quire.Failure(
                    description: "no backend of the route of '\(name)' can be used: \(warnings.joined(separator: "; ")); "
                        + "set the key, or add builtin to the route in \(picker.configHint).")
            }
            return Resolved(route: built.route, warnings: warnings, prices: built.prices)
        }
    }
}
