import ArgumentParser
import Foundation
import QuireImport
import QuireLLM
import QuireMail
import QuireModel
import QuireRender
import QuireTasks

struct ExtractFields: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract-fields",
        abstract: "Extract named fields from documents, workbooks and mail into one JSON object each (JSONL).",
        discussion: """
            The fields come from a JSON Schema (--schema: an object of properties of type string, \
            number, integer, boolean, string with format date, or arrays of those; enum, \
            description and required are used) or from --fields "invoice_no, total:number, \
            due:date, paid:boolean, tags:string[], id!" (! marks a required field). The backend \
            the picker routes 'extract-fields' to answers with structured output (OpenAI \
            json_schema, Anthropic tool use, Ollama format); every answer is checked here, and \
            one that does not follow the schema is asked again once with what was wrong. Each \
            file — each message of a mailbox — gives one line: {"file","id","fields",\
            "valid","errors","retried"}. Offline, the built-in backend takes only the values the \
            text labels (Total: 4,200.50; a table row or column named like the field).
            """)

    enum Per: String, ExpressibleByArgument, CaseIterable { case file, message }

    @Argument(help: "Documents, workbooks, messages, mailboxes ('-' for standard input).")
    var files: [String]

    @Option(help: "A JSON Schema file describing the fields.")
    var schema: String?

    @Option(help: "The fields instead of a schema: \"name, total:number, due:date, tags:string[], id!\".")
    var fields: String?

    @Option(help: "file (one object per file) or message (one per message of a mailbox; the default).")
    var per: Per = .message

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write the JSONL to this file.")
    var output: String?

    @OptionGroup var common: TaskCommonOptions

    func validate() throws {
        guard (schema == nil) != (fields == nil) else { throw ValidationError("give --schema FILE or --fields \"a, b:number\" (one of them).") }
    }

    func fieldSchema() throws -> FieldSchema {
        do {
            if let fields { return try FieldSchema.parse(fields: fields) }
            guard let text = try? String(contentsOfFile: schema!, encoding: .utf8) else {
                throw TaskFailure("\(schema!): cannot be read.", status: Quire.Status.usage)
            }
            return try FieldSchema.parse(jsonSchema: text)
        } catch let invalid as FieldSchema.Invalid {
            throw TaskFailure((schema.map { "\($0): " } ?? "") + invalid.message, status: Quire.Status.usage)
        }
    }

    func run() async throws {
        let schema = try fieldSchema()
        var items: [(file: String, id: String, content: TaskContent)] = []
        var failures = 0
        let loader = taskLoader(common.limits)
        for file in files {
            do {
                let input = try readInput(file, loader: loader)
                switch input {
                case .mailbox(let messages, let warnings) where per == .message:
                    printWarnings(warnings)
                    for (k, message) in messages.enumerated() {
                        let content = loader.sections(of: .content(.mail(message)), name: promptName(file))
                        items.append((file, Anchor.message(message) ?? "\(file)#\(k + 1)", content))
                    }
                default:
                    items.append((file, file, loader.sections(of: input, name: promptName(file))))
                }
            } catch {
                failures += 1
                printError(failureMessage(error, file: file))
            }
        }
        if failures == files.count { throw ExitCode(1) }
        let session = try TaskSession(task: "extract-fields", options: common)
        let sink = try TaskOutput(path: output, inputs: files)
        var invalid = 0
        try await session.complete(sink) {
            let runner = session.runner()
            for item in items {
                let task = ExtractFieldsTask(content: item.content, schema: schema)
                if common.dryRun {
                    sink.write(session.dryRun(task.plan(runner.budget), runner: runner))
                    continue
                }
                let (checked, retried) = try await task.extract { try await runner.run($0) { _ in }.text }
                if !checked.isValid { invalid += 1 }
                sink.write(task.json(checked, about: [("file", item.file), ("id", item.id)], retried: retried, pretty: false) + "\n")
            }
        }
        if failures > 0 || invalid > 0 { throw ExitCode(1) }
    }
}
