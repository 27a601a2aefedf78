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

struct Analyse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
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

    @OptionGroup var common: TaskCommonOptions

    func run() async throws {
        let content = try loadContent(file)
        guard case .workbook(let workbook) = content.imported else {
            throw ValidationError("\(file) is a \(content.kind.rawValue), not a workbook: analyse reads XLSX files.")
        }
        let chosen: Sheet
        if let sheet {
            chosen = try Extractor.select(sheet, in: workbook, file: file)
        } else if let first = workbook.sheets.first(where: { $0.visibility == .visible && $0.rows.contains { !$0.cells.isEmpty } }) {
            chosen = first
        } else {
            throw ValidationError("\(file): no visible sheet holds data.")
        }
        let session = try TaskSession(task: "analyse-table", options: common)
        let sink = try TaskOutput(path: output)
        let options = TaskOptions(length: length, language: language, stream: session.streams)
        do {
            _ = try await session.run(AnalyseTask(file: file, sheet: chosen, question: question, options: options), file: file, sink: sink)
        } catch {
            await session.shutdown()
            throw error
        }
        session.reportUsage()
        await session.shutdown()
        try sink.close()
    }
}
