import ArgumentParser
import Foundation
import QuireInternalThreads
import QuireLLM
import QuireRender
import QuireTasks

struct Ask: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ask",
        abstract: "Answer a question from documents, workbooks and mail, citing the passages it rests on.",
        discussion: """
            The files are cut into passages — a document's paragraphs and table rows, a sheet's \
            rows, each message's own paragraphs — and the passages that share most words with \
            the question (BM25; no embedding model) go to the backend the model picker routes \
            'ask' to, numbered. The answer cites them as [n]; under it, Quire lists each cited \
            passage with its file, its stable anchor (b12, Sales!A5:D5, <message-id>) and its \
            text, and flags a number or a quotation that is not in the passages. 'Not in the \
            documents.' when they do not answer it; offline, the built-in backend quotes the \
            passages that hold most of the question's words.
            """)

    @Argument(help: "The files (DOCX, XLSX, EML, MSG, mbox, Outlook PST; '-' for standard input), then the question.")
    var arguments: [String]

    @Option(help: "short, medium or long.")
    var length: TaskOptions.Length = .short

    @Option(help: "The language to answer in (default: the question's).")
    var language: String?

    @Option(help: "Passages retrieved for the question, at most (those that fit the model's window are sent).")
    var passages = 20

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the answer to this file.")
    var output: String?

    @OptionGroup var common: TaskCommonOptions

    func validate() throws {
        guard arguments.count >= 2 else { throw ValidationError("give one file or more, then the question (quire ask report.docx \"What changed in Q3?\").") }
        guard passages >= 1 else { throw ValidationError("--passages must be 1 or more.") }
        let question = arguments.last!
        if FileManager.default.fileExists(atPath: question) || question.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("the question comes last, after the files ('\(question)' is a file, or empty).")
        }
    }

    func run() async throws {
        let files = Array(arguments.dropLast())
        let question = arguments.last!
        var index = PassageIndex(focusedOn: question)
        var failures = 0
        let loader = taskLoader(common.limits)
        for file in files {
            do {
                // A mailbox is read one message at a time: only the passages that hold a
                // word of the question are kept.
                var position = 0
                if file != "-",
                    let warnings = try loader.forEachMessage(
                        path: file,
                        { message in
                            for passage in Passages.of(message, index: position, file: file) { index.add(passage) }
                            position += 1
                        })
                {
                    printWarnings(warnings)
                    continue
                }
                let input = try readInput(file, loader: loader)
                if case .mailbox(_, let warnings) = input { printWarnings(warnings) }
                for passage in Passages.of(input, file: file == "-" ? "standard input" : file) { index.add(passage) }
            } catch {
                failures += 1
                printError(failureMessage(error, file: file))
            }
        }
        if failures == files.count { throw ExitCode(1) }
        let options = TaskOptions(length: length, language: language, stream: false)
        var task = AskTask(question: question, index: index, limit: passages, options: options)
        let session = try TaskSession(task: "ask", options: common)
        task.options.stream = session.streams
        let sink = try TaskOutput(path: output, inputs: files)
        try await session.complete(sink) {
            if common.dryRun {
                sink.write(session.dryRun(task.plan(session.runner().budget), runner: session.runner()))
                return
            }
            guard !task.sources.isEmpty else {
                // Nothing to send: no passage holds a word of the question.
                let words = PassageIndex.queryWords(question).sorted().map { "'\($0)'" }.joined(separator: ", ")
                printError(
                    "quire: no passage of \(files.joined(separator: ", ")) holds any of the words \(words.isEmpty ? "(none left once the common ones are set aside)" : words)"
                )
                sink.write(common.json ? json(task, question: question, answer: AskTask.notFound, outcome: nil, session: session) : AskTask.notFound + "\n")
                return
            }
            let streaming = session.streams && !common.json && sink.isTerminalStream
            let outcome = try await session.runner().run(task) { piece in if streaming { sink.stream(piece) } }
            if common.json {
                sink.write(json(task, question: question, answer: outcome.text, outcome: outcome, session: session))
            } else {
                var text = streaming ? "" : outcome.text
                if !outcome.text.hasSuffix("\n") { text += "\n" }
                text += AskTask.sourcesText(task.citations(in: outcome.text))
                for line in outcome.review { text += "\n" + line + "\n" }
                sink.write(text)
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    func json(_ task: AskTask, question: String, answer: String, outcome: TaskRunner.Outcome?, session: TaskSession) -> String {
        var w = JSONWriter(pretty: true)
        w.beginObject()
        w.field("task", "ask")
        w.field("question", question)
        w.field("found", !AskTask.isNotFound(answer))
        w.field("result", answer)
        w.key("citations")
        w.beginArray()
        for citation in task.citations(in: answer) {
            w.beginObject()
            w.field("n", citation.key)
            w.field("file", citation.passage.file)
            w.field("anchor", citation.passage.anchor)
            w.field("location", citation.passage.location)
            w.field("text", citation.passage.text)
            w.endObject()
        }
        w.endArray()
        w.field("passages", task.sources.count)
        w.key("answered_by")
        if let last = session.answeredBy.withLock({ $0 }).last { w.string(last) } else { w.null() }
        w.key("usage")
        w.beginObject()
        w.field("input_tokens", outcome?.usage.inputTokens ?? 0)
        w.field("output_tokens", outcome?.usage.outputTokens ?? 0)
        w.endObject()
        w.key("cost")
        if let cost = session.meter.total.cost, outcome != nil { w.number(cost) } else { w.null() }
        w.key("review")
        w.beginArray()
        for line in outcome?.review ?? [] { w.string(line) }
        w.endArray()
        w.endObject()
        return w.takeOutput() + "\n"
    }
}
