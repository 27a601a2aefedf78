public import ArgumentParser
import Foundation
import QuireImport
import QuireModel
public import QuireTasks

extension TaskOptions.Length: ExpressibleByArgument {}
extension TaskOptions.Style: ExpressibleByArgument {}

/// Reads a task's input file ('-' for standard input).
func loadContent(_ path: String, loader: ContentLoader = ContentLoader()) throws -> TaskContent {
    if path == "-" {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return try loader.load(bytes: [UInt8](data), name: "standard input")
    }
    return try loader.load(path: path)
}

struct Summarise: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise documents, workbooks, messages or whole mailboxes.",
        discussion: """
            Each FILE (DOCX, XLSX, EML, mbox; '-' for standard input) is summarised by the \
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

    @OptionGroup var common: TaskCommonOptions

    func run() async throws {
        let session = try TaskSession(task: "summarise", options: common)
        let sink = try TaskOutput(path: output)
        var failures = 0
        for (index, file) in files.enumerated() {
            do {
                let content = try loadContent(file)
                for warning in content.warnings { printError("quire: warning: \(warning)") }
                if files.count > 1 && !common.json && !common.dryRun { sink.write((index > 0 ? "\n" : "") + "## \(file)\n\n") }
                let options = TaskOptions(length: length, style: format, focus: focus, language: language, stream: session.streams)
                _ = try await session.run(SummariseTask(content: content, options: options), file: file, sink: sink)
            } catch {
                failures += 1
                printError("quire: error: \(file): \(error)")
            }
        }
        session.reportUsage()
        await session.shutdown()
        try sink.close()
        if failures > 0 { throw ExitCode(1) }
    }
}
