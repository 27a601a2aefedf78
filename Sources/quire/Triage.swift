import ArgumentParser
import Foundation
import QuireImport
import QuireLLM
import QuireMail
import QuireModel
import QuireRouter
import QuireTasks

struct Triage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Triage a mailbox: per thread or message, category, priority, needs-reply, actions with owners and days, one line.",
        discussion: """
            Offline (the built-in backend), rules decide: List-Id, List-Unsubscribe and \
            Precedence make list mail, Auto-Submitted, auto-reply headers and mailer daemons \
            automated mail (both low priority, no reply); To and Cc against --me say whether \
            it is addressed to you; the latest message's own text — its questions, requests \
            ("could you…", "please…"), promises ("I will…") and the days they name — says \
            whether it waits for a reply, what is to be done by whom and when; Importance, \
            urgent words or a day within three days make it high priority. A model on the \
            'triage' route gets each conversation with the rules' verdict and answers in JSON, \
            checked field by field. Markdown overview by default; --format jsonl for one JSON \
            object per item.
            """)

    enum Per: String, ExpressibleByArgument, CaseIterable { case thread, message }
    enum Format: String, ExpressibleByArgument, CaseIterable { case markdown, jsonl }

    @Argument(help: "Mailboxes and messages (mbox, Outlook PST, EML, MSG; '-' for standard input).")
    var files: [String]

    @Option(help: "thread (the latest message of each conversation decides) or message.")
    var per: Per = .thread

    @Option(help: "Categories to choose from, with words that point to them: \"legal: contract audit, finance: invoice budget, ops\".")
    var labels: String?

    @Option(help: "Your address (repeatable; default: $QUIRE_FROM, then $EMAIL): To, Cc and your own messages are judged by it.")
    var me: [String] = []

    @Option(help: "markdown (an overview) or jsonl (one object per item).")
    var format: Format = .markdown

    @Option(help: "Items asked of a model at once.")
    var jobs = 4

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the result to this file.")
    var output: String?

    @OptionGroup var common: TaskCommonOptions

    func validate() throws {
        guard (1...32).contains(jobs) else { throw ValidationError("--jobs must be 1 to 32.") }
        if let labels, TriageRules.Label.parse(labels).isEmpty { throw ValidationError("--labels names no label: write \"legal, finance: invoice budget\".") }
    }

    /// The reader's addresses: --me, else $QUIRE_FROM, else $EMAIL.
    func addresses() -> [String] {
        let environment = ProcessInfo.processInfo.environment
        let given = me.isEmpty ? [environment["QUIRE_FROM"], environment["EMAIL"]].compactMap { $0 }.prefix(1).map { $0 } : me
        return given.map { Reply.address($0).address }
    }

    func run() async throws {
        var messages: [MailMessage] = []
        var failures = 0
        let loader = taskLoader(common.limits)
        for file in files {
            do {
                switch try readInput(file, loader: loader) {
                case .mailbox(let found, let warnings):
                    printWarnings(warnings)
                    messages += found
                case ContentLoader.Input.content(ImportedContent.mail(let message)):
                    messages.append(message)
                case let input:
                    throw TaskFailure("\(file) is a \(kindName(input)), not mail: triage reads mbox, PST, EML and MSG files.")
                }
            } catch {
                failures += 1
                printError((error as? TaskFailure).map { "quire: error: \($0.description)" } ?? failureMessage(error, file: file))
            }
        }
        if failures == files.count { throw ExitCode(1) }
        let session = try TaskSession(task: "triage", options: common)
        let rules = TriageRules(me: addresses(), labels: try chosenLabels(session))
        let threads = per == .thread ? Threader.threads(messages) : messages.map { MailThread(subject: $0.subject ?? "", messages: [$0]) }
        let tasks = threads.map { TriageTask(thread: $0, rules: rules, options: TaskOptions(stream: false)) }
        let sink = try TaskOutput(path: output, inputs: files)
        try await session.complete(sink) {
            if common.dryRun {
                for task in tasks { sink.write(session.dryRun(task.plan(session.runner().budget), runner: session.runner())) }
                return
            }
            let results = try await triage(tasks, session: session)
            switch format {
            case .markdown: sink.write(TriageTask.overview(results))
            case .jsonl: for result in results { sink.write(TriageTask.json(result) + "\n") }
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// The labels: --labels, else the config's `tasks: triage: labels:`, else none (the
    /// rules' own categories).
    func chosenLabels(_ session: TaskSession) throws -> [TriageRules.Label] {
        if let labels { return TriageRules.Label.parse(labels) }
        guard let config = session.picker.config, let configured = config.tasks["triage"]?.labels else { return [] }
        let parsed = TriageRules.Label.parse(configured)
        if parsed.isEmpty {
            throw TaskFailure("\(config.source):\(config.tasks["triage"]!.line): 'labels' of task 'triage' names no label.", status: Quire.Status.config)
        }
        return parsed
    }

    /// Every item's result, in input order, `jobs` asked at once.
    func triage(_ tasks: [TriageTask], session: TaskSession) async throws -> [TriageResult] {
        var results = tasks.map(\.rules)
        let runner = session.runner()
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            var next = 0
            func launch() {
                let index = next
                next += 1
                group.addTask { (index, try await runner.run(tasks[index]) { _ in }.text) }
            }
            while next < min(jobs, tasks.count) { launch() }
            while let (index, answer) = try await group.next() {
                do {
                    results[index] = try tasks[index].result(from: answer)
                    if results[index] != tasks[index].rules { results[index].reasons.append("checked by a model") }
                } catch {
                    printError("quire: warning: '\(tasks[index].rules.subject)': the model's answer is not a JSON object; the rules' verdict stands")
                    results[index].reasons.append("the model's answer was not a JSON object")
                }
                if next < tasks.count { launch() }
            }
        }
        return results
    }
}
