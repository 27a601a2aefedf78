public import ArgumentParser
import Foundation
import QuireBatch
import QuireDOCX
import QuireImport
import QuireLLM
import QuireMail
import QuireModel
import QuireRender
import QuireRouter
public import QuireTasks

extension TaskOptions.Length: ExpressibleByArgument {}
extension TaskOptions.Style: ExpressibleByArgument {}

/// A task that cannot run, said in one sentence (no usage text after it), with its exit
/// status (1 by default: the input is not what the task needs).
struct TaskFailure: Error, CustomStringConvertible {
    var description: String
    var status: Int32
    init(_ description: String, status: Int32 = Quire.Status.failed) {
        self.description = description
        self.status = status
    }
}

/// The message for a failed file: a reader's error already names the file; one that hit a
/// limit says which option raises it.
func failureMessage(_ error: any Error, file: String) -> String {
    if error is DocumentError { return "quire: error: \(LimitOptions.describe(error))" }
    return "quire: error: \(file): \(LimitOptions.describe(error))"
}

/// Warnings of the input, each once (with how often it occurred).
func printWarnings(_ warnings: [String]) {
    var counts: [String: Int] = [:]
    var order: [String] = []
    for warning in warnings {
        if counts[warning] == nil { order.append(warning) }
        counts[warning, default: 0] += 1
    }
    for warning in order {
        let times = counts[warning]!
        printError("quire: warning: \(warning)" + (times > 1 ? " (\(times) times)" : ""))
    }
}

/// How a file is named in a prompt: its name, never the local path that leads to it.
func promptName(_ path: String) -> String {
    path == "-" ? "standard input" : (path.split(separator: "/").last.map(String.init) ?? path)
}

/// The loader tasks read files with: the limits given, reviewers' comments only when asked
/// for; the readers may use every core (a library caller's default is one thread).
func taskLoader(_ limits: LimitOptions, includeComments: Bool = false) -> ContentLoader {
    ContentLoader(importer: commandLineImporter(limits), renderOptions: RenderOptions(includeComments: includeComments))
}

/// The importer of the command line: the limits given, and the readers may use every core.
func commandLineImporter(_ limits: LimitOptions) -> Importer {
    limits.importer(parallelism: ProcessInfo.processInfo.activeProcessorCount)
}

/// Reads a task's input file ('-' for standard input), cut into sections for a prompt.
func loadContent(_ path: String, loader: ContentLoader) throws -> TaskContent {
    loader.sections(of: try readInput(path, loader: loader), name: promptName(path))
}

/// Reads a task's input file without rendering it.
func readInput(_ path: String, loader: ContentLoader) throws -> ContentLoader.Input {
    if path == "-" {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return try loader.read(bytes: [UInt8](data), name: "standard input")
    }
    return try loader.read(path: path)
}

/// What the input is, for a message saying it is the wrong kind.
func kindName(_ input: ContentLoader.Input) -> String {
    switch input {
    case .content(.document): "document"
    case .content(.workbook): "workbook"
    case .content(.mail): "mail message"
    case .mailbox: "mailbox"
    }
}

struct Summarise: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summarise",
        abstract: "Summarise documents, workbooks, messages or whole mailboxes.",
        discussion: """
            Each FILE (DOCX, XLSX, EML, MSG, mbox, Outlook PST; '-' for standard input) is summarised by the \
            backend the model picker routes 'summarise' to — offline, with no config, by the \
            built-in extractive summariser. Content longer than the model's context window is \
            summarised in parts cut at headings, sheets or messages, then combined; the output \
            says so.
            """,
        aliases: ["summarize"])

    @Argument(help: "Documents, workbooks, messages or mailboxes.")
    var files: [String]

    @Option(help: "short, medium or long.")
    var length: TaskOptions.Length = .medium

    @Option(help: "bullets or prose.")
    var format: TaskOptions.Style = .bullets

    @Option(help: "What the summary should concentrate on.")
    var focus: String?

    @Option(help: "The language to write the summary in (default: the content's).")
    var language: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the summary to this file.")
    var output: String?

    @Flag(help: "Give the model the reviewers' comments of documents too (left out by default: they are not the document).")
    var includeComments = false

    @OptionGroup var common: TaskCommonOptions

    func run() async throws {
        let session = try TaskSession(task: "summarise", options: common)
        let sink = try TaskOutput(path: output, inputs: files)
        var failures = 0
        try await session.complete(sink) {
            for (index, file) in files.enumerated() {
                do {
                    let content = try loadContent(file, loader: taskLoader(common.limits, includeComments: includeComments))
                    printWarnings(content.warnings)
                    if files.count > 1 && !common.json && !common.dryRun { sink.write((index > 0 ? "\n" : "") + "## \(file)\n\n") }
                    let options = TaskOptions(length: length, style: format, focus: focus, language: language, stream: session.streams)
                    _ = try await session.run(SummariseTask(content: content, options: options), file: file, sink: sink, pretty: files.count == 1)
                } catch let failure as LLMError {
                    // A backend that fails for one file fails for the next: stop (exit 4 or 3).
                    throw failure
                } catch {
                    failures += 1
                    printError(failureMessage(error, file: file))
                }
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

struct Analyse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyse",
        abstract: "Analyse a table of a workbook: Quire computes the figures, the model writes about them.",
        discussion: """
            Quire profiles the sheet over every row — column types, counts, blanks, distinct \
            values, sum/mean/median/min/max, top categories, date ranges, and totals grouped by \
            the columns the question names. The model gets that profile and the first rows, is \
            told not to compute, and every number in its answer is checked against the profile: \
            numbers that are not there are flagged under the answer. Offline, the built-in \
            backend writes the profile out as prose and tables.
            """,
        aliases: ["analyze"])

    @Argument(help: "The workbook (XLSX).")
    var file: String

    @Option(help: "The sheet, by name or 1-based position (default: the first visible sheet with data).")
    var sheet: String?

    @Option(help: "What to find out; name columns to get totals grouped by them.")
    var question: String?

    @Option(help: "short, medium or long.")
    var length: TaskOptions.Length = .medium

    @Option(help: "The language to write in.")
    var language: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the analysis to this file.")
    var output: String?

    @Option(help: "Also draw the figures Quire computed as an SVG chart (totals by group as bars, a monthly series as a line).")
    var chart: String?

    @OptionGroup var common: TaskCommonOptions

    func run() async throws {
        if let chart, let output, chart == output { throw ValidationError("--chart and -o name the same file.") }
        let input = try readInput(file, loader: ContentLoader(importer: commandLineImporter(common.limits)))
        guard case .content(.workbook(let workbook)) = input else {
            throw TaskFailure("\(file) is a \(kindName(input)), not a workbook: analyse reads XLSX files.")
        }
        let chosen: Sheet
        if let sheet {
            chosen = try Extractor.select(sheet, in: workbook, file: file)
        } else if let first = workbook.sheets.first(where: { $0.visibility == .visible && $0.rows.contains { !$0.cells.isEmpty } }) {
            chosen = first
        } else {
            throw TaskFailure("\(file): no visible sheet holds data.")
        }
        if let chart { try Self.writeChart(of: chosen, question: question, to: chart) }
        let session = try TaskSession(task: "analyse-table", options: common)
        let sink = try TaskOutput(path: output, inputs: [file])
        let options = TaskOptions(length: length, language: language, stream: session.streams)
        try await session.complete(sink) {
            _ = try await session.run(AnalyseTask(file: promptName(file), sheet: chosen, question: question, options: options), file: file, sink: sink)
        }
    }
}

extension Analyse {
    /// The chart of the sheet's figures, written to `path` (replaced whole, never half-written).
    static func writeChart(of sheet: Sheet, question: String?, to path: String) throws {
        switch TableChart.chart(sheet, question: question) {
        case .success(let chart):
            do {
                try FileBytes.replace(path, with: Array(ChartSVG.render(chart).utf8))
            } catch {
                throw TaskFailure("\(path): the chart could not be written: \(error)")
            }
            printError("quire: chart: \(path) (\(chart.kind == .bars ? "bars" : "a line"): \(chart.title), \(chart.points.count) values)")
        case .failure(let failure):
            throw TaskFailure("--chart: \(failure.message)")
        }
    }
}

struct Reply: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reply",
        abstract: "Write a reply to a message (EML, or the latest message of an mbox).",
        discussion: """
            The model gets the message's new text, its quoted history and signature in separate \
            blocks (and, for an mbox, the earlier messages of its thread) plus your instructions, \
            and writes the reply text. With -o reply.eml Quire writes a ready RFC 5322 message: \
            'Re:' subject, In-Reply-To and References, To from Reply-To or From (--all adds the \
            other recipients as Cc), the original quoted below. Needs a generative model: the \
            built-in backend says which config to write.
            """)

    @Argument(help: "The message (EML) or a mailbox (mbox: its latest message).")
    var file: String

    @Option(help: "The tone, e.g. 'warm', 'formal', 'brief and direct'.")
    var tone: String?

    @Option(help: "short, medium or long.")
    var length: TaskOptions.Length = .short

    @Option(help: "What the reply should say (decisions, dates, answers).")
    var instructions: String?

    @Option(help: "The language to write in (default: the message's).")
    var language: String?

    @Flag(help: "Reply to all: the original's other recipients go in Cc.")
    var all = false

    @Option(help: "Your address for the From header (default: $QUIRE_FROM, $EMAIL, else the original's first To address).")
    var from: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the reply here: a .eml file gets the whole message, any other file the text.")
    var output: String?

    @OptionGroup var common: TaskCommonOptions

    func run() async throws {
        let message: MailMessage
        var earlier: [MailMessage] = []
        switch try readInput(file, loader: ContentLoader(importer: commandLineImporter(common.limits))) {
        case .content(.mail(let one)):
            message = one
        case .mailbox(let messages, let warnings) where !messages.isEmpty:
            printWarnings(warnings)
            // The latest message by date, with the earlier messages of its thread.
            let threads = Threader.threads(messages)
            let latest = threads.flatMap(\.messages).max { ($0.date?.timestamp ?? Int64.min) < ($1.date?.timestamp ?? Int64.min) }!
            let thread = threads.first { $0.messages.contains { $0.messageID == latest.messageID && $0.subject == latest.subject } }
            message = latest
            earlier = (thread?.messages ?? []).filter { $0.messageID != latest.messageID || $0.subject != latest.subject }
        case .mailbox(_, let warnings):
            printWarnings(warnings)
            throw TaskFailure("\(file): the mailbox holds no message that could be read.")
        case let input:
            throw TaskFailure("\(file) is a \(kindName(input)), not a message: reply reads EML or mbox files.")
        }
        let session = try TaskSession(task: "reply", options: common)
        let writesMessage = output.map { $0.lowercased().hasSuffix(".eml") } ?? false
        if let output { try OutputSink.refuseOverwriting([file], with: output) }
        // Who it is from is settled before the model is paid for.
        let sender = writesMessage ? try Self.sender(given: from, for: message) : nil
        let sink = try TaskOutput(path: writesMessage ? nil : output, inputs: [file])
        let options = TaskOptions(length: length, language: language, tone: tone, instructions: instructions, stream: session.streams && !writesMessage)
        let task = ReplyTask(file: promptName(file), message: message, earlier: earlier, options: options)
        try await session.complete(sink) {
            if writesMessage && !common.dryRun {
                let outcome = try await session.runner().run(task) { _ in }
                let eml = ReplyComposer(from: sender!, replyAll: all).compose(reply: outcome.text, to: message)
                try FileBytes.replace(output!, with: Array(eml.utf8))
                printError("quire: wrote \(output!) (\(ReplyComposer.replySubject(message.subject)))")
                if common.json { sink.write(session.json(outcome, file: file)) }
            } else {
                _ = try await session.run(task, file: file, sink: sink)
            }
        }
    }

    /// The reply's From: --from, $QUIRE_FROM, $EMAIL, else the original's first recipient.
    /// A value with a line break (which would add a header such as Bcc) is refused.
    static func sender(given: String?, for message: MailMessage) throws -> MailAddress {
        let environment = ProcessInfo.processInfo.environment
        let sources: [(String, String?)] = [("--from", given), ("$QUIRE_FROM", environment["QUIRE_FROM"]), ("$EMAIL", environment["EMAIL"])]
        if let (source, value) = sources.first(where: { !($0.1 ?? "").isEmpty }), let value {
            if value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                throw TaskFailure(
                    "\(source) holds a line break or another control character; give one address, such as 'Ada <ada@example.org>'.",
                    status: Quire.Status.usage)
            }
            let address = Self.address(value)
            guard address.address.contains("@"), !address.address.contains(where: { $0 == " " || $0 == "," || $0 == "<" || $0 == ">" }) else {
                throw TaskFailure(
                    "\(source) is not one mail address: '\(value)' (write 'Ada <ada@example.org>' or ada@example.org).", status: Quire.Status.usage)
            }
            return address
        }
        if let me = message.to.first {
            printError("quire: From: \(me.description) (the original's first recipient; set --from or $QUIRE_FROM to choose)")
            return me
        }
        throw TaskFailure("no address for the From header: give --from you@example.com (or set $QUIRE_FROM).", status: Quire.Status.usage)
    }

    /// "Name <a@b>" or "a@b".
    static func address(_ text: String) -> MailAddress {
        if let open = text.lastIndex(of: "<"), let close = text.lastIndex(of: ">"), open < close {
            var name = text[..<open].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
            return MailAddress(name: name.isEmpty ? nil : name, address: String(text[text.index(after: open)..<close]))
        }
        return MailAddress(name: nil, address: text.trimmingCharacters(in: .whitespaces))
    }
}

struct Draft: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draft",
        abstract: "Draft a new document from a brief, grounded on reference files.",
        discussion: """
            The model writes Markdown; with -o out.docx Quire turns it into a Word document \
            (headings, lists, tables, bold and italic) through its own DOCX writer. Reference \
            files too long for the model are condensed part by part first. Needs a generative \
            model: the built-in backend says which config to write.
            """)

    @Argument(help: "What to write, e.g. \"A one-page project update for the board\".")
    var brief: String

    @Option(name: .customLong("ref"), help: "A reference file (DOCX, XLSX, EML, mbox); repeat for several.")
    var references: [String] = []

    @Option(help: "The tone, e.g. 'formal', 'friendly', 'persuasive'.")
    var tone: String?

    @Option(help: "short, medium or long (default: what the brief says — 'a one-page note', 'two pages', '200 words' — else medium).")
    var length: TaskOptions.Length?

    @Flag(help: "Give the model the reviewers' comments of the reference files too (left out by default).")
    var includeComments = false

    @Option(help: "The language to write in (default: the brief's).")
    var language: String?

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the draft here: out.docx (a Word document) or out.md.")
    var output: String?

    @OptionGroup var common: TaskCommonOptions

    func run() async throws {
        let references = try self.references.map { try loadContent($0, loader: taskLoader(common.limits, includeComments: includeComments)) }
        let session = try TaskSession(task: "draft", options: common)
        let writesWord = output.map { $0.lowercased().hasSuffix(".docx") } ?? false
        if let output { try OutputSink.refuseOverwriting(self.references, with: output) }
        let sink = try TaskOutput(path: writesWord ? nil : output, inputs: self.references)
        let length = self.length ?? DraftTask.length(inBrief: brief) ?? .medium
        let options = TaskOptions(length: length, language: language, tone: tone, stream: session.streams && !writesWord)
        let task = DraftTask(brief: brief, references: references, options: options)
        try await session.complete(sink) {
            if writesWord && !common.dryRun {
                let outcome = try await session.runner().run(task) { _ in }
                let markdown = DraftTask.cleaned(outcome.text)
                var document = MarkdownParser().parse(markdown)
                document.metadata.authors = ["Quire"]
                let bytes = try DOCXWriter().write(document)
                try FileBytes.replace(output!, with: bytes)
                printError("quire: wrote \(output!) (\(document.blocks.count) blocks)")
                if common.json { sink.write(session.json(outcome, file: nil)) }
            } else {
                _ = try await session.run(task, file: nil, sink: sink)
            }
        }
    }
}

struct RunTask: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a task defined in the config (system, prompt with {{content}} and {{variables}}, route).",
        discussion: """
            In the config:
              tasks:
                translate:
                  use: [gpt]
                  system: You translate business documents faithfully.
                  prompt: "Translate into {{language}}:\\n\\n{{content}}"
            Then: quire run translate report.docx --var language=French
            Quire ships two templates, used when the config does not define them: rewrite \
            (--var style="shorter", "more formal", "friendlier", "in plain language"; numbers \
            added or lost are flagged) and coach (tone, clarity and missing asks of a draft \
            mail). quire config template NAME prints one to copy into the config and change.
            """)

    @Argument(help: "The task's name in the config.")
    var task: String

    @Argument(help: "Files for {{content}}.")
    var files: [String] = []

    @Option(name: .customLong("var"), help: "A template variable, name=value; repeat for several.")
    var variables: [String] = []

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the answer to this file.")
    var output: String?

    @OptionGroup var common: TaskCommonOptions

    func run() async throws {
        let picker = try common.picker.picker()
        // The config's own prompt for the task, else the template Quire ships under that name
        // (rewrite, coach), routed as the config routes the task or by default.
        let defined: QuireConfig.Task
        if let own = picker.config?.tasks[task], own.prompt != nil {
            defined = own
        } else if let shipped = QuireConfig.shippedTask(task) {
            defined = shipped
        } else {
            guard let config = picker.config else {
                throw TaskFailure(
                    "quire run needs a config that defines the task '\(task)' (quire config init writes a starter; see 'quire run --help'); Quire ships "
                        + QuireConfig.shippedTaskNames.joined(separator: " and ") + ".",
                    status: Quire.Status.config)
            }
            let own = config.tasks.values.filter { $0.prompt != nil }.map(\.name).sorted()
            let hint =
                "; the config defines: " + (own.isEmpty ? "none" : own.joined(separator: ", ")) + "; Quire ships "
                + QuireConfig.shippedTaskNames.joined(separator: " and ") + "."
            throw TaskFailure("\(config.source): no task '\(task)' with a prompt" + hint, status: Quire.Status.config)
        }
        let prompt = defined.prompt ?? ""
        let source =
            picker.config?.tasks[task]?.prompt != nil
            ? "\(picker.config?.source ?? ""):\(defined.line)" : "Quire's template, which 'quire config template \(task)' prints"
        var given: [String: String] = [:]
        for pair in variables {
            guard let eq = pair.firstIndex(of: "=") else { throw ValidationError("--var \(pair): write name=value.") }
            given[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        let missing = CustomTask.missing(in: [defined.system, prompt], given: given)
        if !missing.isEmpty {
            throw TaskFailure(
                "task '\(task)' (\(source)) uses " + missing.map { "{{\($0)}}" }.joined(separator: ", ") + ": give "
                    + missing.map { "--var \($0)=…" }.joined(separator: " "), status: Quire.Status.usage)
        }
        let loader = taskLoader(common.limits)
        let contents = try files.map { try loadContent($0, loader: loader) }
        let session = try TaskSession(task: task, options: common)
        let sink = try TaskOutput(path: output, inputs: files)
        try await session.complete(sink) {
            var custom = CustomTask(name: task, system: defined.system, prompt: prompt, contents: contents, variables: given, stream: session.streams)
            custom.checksNumbers = defined.checksNumbers
            _ = try await session.run(custom, file: files.first, sink: sink)
        }
    }
}
