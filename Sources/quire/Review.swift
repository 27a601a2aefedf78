import ArgumentParser
import Foundation
import QuireBatch
import QuireDOCX
import QuireLLM
import QuireRender
import QuireTasks

struct Review: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Review a Word document: edits written into it as tracked changes, each with its reason as a comment.",
        discussion: """
            The backend the model picker routes 'review' to reads the document's paragraphs, \
            numbered, with --instructions, and proposes edits as JSON (replace, delete, insert, \
            insert_paragraph, comment — each with the exact text it applies to and a reason). \
            Quire finds each edit's text in its paragraph and writes the original document back \
            to -o with the edits as tracked changes (w:ins/w:del by --author, accepted or \
            rejected one by one in Word and LibreOffice) and the reasons as comments; every \
            other part of the package is copied byte for byte. An edit whose text is not found, \
            occurs more than once, or cannot be changed in place (inside a field, across a \
            hyperlink, already a tracked change) is reported and applied nowhere. Offline, the \
            built-in reviewer comments — never changes — doubled words, repeated sentences, \
            sentences over 40 words and numbers written two ways. --edits FILE applies edits \
            from a JSON file instead of asking a model. Without -o nothing is written: the \
            report shows what would be. Exit status 1 when an edit was not applied.
            """)

    @Argument(help: "The Word document (.docx).")
    var file: String

    @Option(help: "What the reviewer should do (default: correct spelling, grammar and unclear sentences, keeping facts and voice).")
    var instructions: String?

    @Option(help: "Apply the edits in this JSON file ({\"edits\": [...]}, as a model answers) instead of asking a model.")
    var edits: String?

    @Option(help: "The author of the tracked changes and comments.")
    var author = "Quire"

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the reviewed document here (.docx).")
    var output: String?

    @OptionGroup var common: TaskCommonOptions

    func validate() throws {
        if let output, !output.lowercased().hasSuffix(".docx") { throw ValidationError("-o must name a .docx file (the reviewed document).") }
        if author.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--author must not be empty.") }
    }

    func run() async throws {
        let review: DOCXReview
        do {
            review = try DOCXReview(path: file, limits: common.limits.zipLimits)
        } catch {
            throw TaskFailure(failureMessage(error, file: file).replacingOccurrences(of: "quire: error: ", with: ""), status: Quire.Status.failed)
        }
        if let output { try OutputSink.refuseOverwriting([file], with: output) }
        let proposed = try await proposedEdits(review)
        if common.dryRun { return }
        printWarnings(proposed.skipped.map { "the answer held an item that is not an edit: \($0)" })
        let (package, outcomes) = try review.apply(proposed.edits, author: author, date: Self.timestamp())
        if let output {
            try FileBytes.replace(output, with: package)
        }
        print(report(outcomes, json: common.json), terminator: "")
        if outcomes.contains(where: { !$0.isApplied }) { throw ExitCode(1) }
    }

    /// The edits: from --edits, or from the model (one request per group of paragraphs).
    func proposedEdits(_ review: DOCXReview) async throws -> (edits: [ReviewEdit], skipped: [String]) {
        if let edits {
            guard let text = try? String(contentsOfFile: edits, encoding: .utf8) else {
                throw TaskFailure("\(edits): cannot be read.", status: Quire.Status.usage)
            }
            do {
                return try ReviewTask.edits(from: text)
            } catch {
                throw TaskFailure("\(edits): \(error)", status: Quire.Status.usage)
            }
        }
        let session = try TaskSession(task: "review", options: common)
        let sink = try TaskOutput(path: nil)
        var all: [ReviewEdit] = []
        var skipped: [String] = []
        try await session.complete(sink) {
            let runner = session.runner()
            let groups = ReviewTask.groups(review.paragraphs, budget: runner.budget)
            for (index, group) in groups.enumerated() {
                let task = ReviewTask(
                    name: (file as NSString).lastPathComponent, paragraphs: group, instructions: instructions ?? ReviewTask.defaultInstructions,
                    group: (index + 1, groups.count))
                if common.dryRun {
                    sink.write(session.dryRun(task.plan(runner.budget), runner: runner))
                    continue
                }
                let answer = try await runner.run(task) { _ in }.text
                let found = try ReviewTask.edits(from: answer)
                all += found.edits
                skipped += found.skipped
            }
        }
        return (all, skipped)
    }

    static func timestamp() -> String {
        let environment = ProcessInfo.processInfo.environment
        let seconds = environment["SOURCE_DATE_EPOCH"].flatMap(TimeInterval.init) ?? Date().timeIntervalSince1970
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds.rounded(.down)))
    }

    func report(_ outcomes: [ReviewOutcome], json: Bool) -> String {
        let applied = outcomes.filter(\.isApplied).count
        if json {
            var w = JSONWriter(pretty: true)
            w.beginObject()
            w.field("file", file)
            w.field("output", output)
            w.field("applied", applied)
            w.field("not_applied", outcomes.count - applied)
            w.key("edits")
            w.beginArray()
            for outcome in outcomes {
                w.beginObject()
                w.field("action", outcome.edit.action.rawValue)
                w.key("paragraph")
                if let paragraph = outcome.paragraph ?? outcome.edit.paragraph { w.number(paragraph) } else { w.null() }
                w.field("find", outcome.edit.find)
                w.field("text", outcome.edit.text)
                w.field("reason", outcome.edit.reason)
                w.field("applied", outcome.isApplied)
                if let problem = outcome.problem { w.field("problem", problem) }
                w.endObject()
            }
            w.endArray()
            w.endObject()
            return w.takeOutput() + "\n"
        }
        let written = output.map { "written to \($0)" } ?? "not written (no -o)"
        var out = "\(file): \(applied) of \(outcomes.count) edit\(outcomes.count == 1 ? "" : "s") applied as tracked changes by \(author); \(written)\n"
        for outcome in outcomes {
            let edit = outcome.edit
            let place = (outcome.paragraph ?? edit.paragraph).map { "p\($0)" } ?? "p?"
            var line = "  \(outcome.isApplied ? "✓" : "✗") \(place) \(edit.action.rawValue)"
            if !edit.find.isEmpty {
                line += " “\(Self.short(edit.find))”"
            } else if edit.action != .insertParagraph {
                line += edit.action == .insert ? " (at the end of the paragraph)" : " (the whole paragraph)"
            }
            if !edit.text.isEmpty { line += " → “\(Self.short(edit.text))”" }
            if !edit.reason.isEmpty { line += " — \(edit.reason)" }
            if let problem = outcome.problem { line += "\n      not applied: \(problem)" }
            out += line + "\n"
        }
        return out
    }

    static func short(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return flat.count > 70 ? String(flat.prefix(67)) + "…" : flat
    }
}
