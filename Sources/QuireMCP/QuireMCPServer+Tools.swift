public import MCP
import QuireImport
import QuireKit
import QuireMail
import QuireModel
import QuireRender
import QuireTasks

extension QuireMCPServer {
    /// The tools, with their input schemas.
    public static var tools: [Tool] {
        func schema(_ properties: [String: Value], required: [String]) -> Value {
            .object(["type": "object", "properties": .object(properties), "required": .array(required.map { .string($0) })])
        }
        let path: Value = .object(["type": "string", "description": "A file under the server's roots: a path (relative to the first root) or a file:// URI."])
        let length: Value = .object(["type": "string", "enum": ["short", "medium", "long"]])
        let readOnly = Tool.Annotations(readOnlyHint: true, destructiveHint: false, openWorldHint: false)
        return [
            Tool(
                name: "extract", description: "A Word, Excel or mail file (EML, MSG, mbox) as Markdown, or as Quire's JSON.",
                inputSchema: schema(["path": path, "format": .object(["type": "string", "enum": ["markdown", "json"]])], required: ["path"]),
                annotations: readOnly),
            Tool(
                name: "summarise", description: "A summary of a document, workbook, message or mailbox.",
                inputSchema: schema(["path": path, "length": length, "focus": .object(["type": "string"])], required: ["path"]), annotations: readOnly),
            Tool(
                name: "analyse",
                description:
                    "A workbook's table profiled over every row by Quire (totals, groups, dates) and described; the figures are computed, not guessed.",
                inputSchema: schema(["path": path, "question": .object(["type": "string"]), "sheet": .object(["type": "string"])], required: ["path"]),
                annotations: readOnly),
            Tool(
                name: "ask",
                description:
                    "An answer from the files with numbered citations resolved to file, stable anchor and quoted text; 'Not in the documents.' otherwise.",
                inputSchema: schema(
                    ["paths": .object(["type": "array", "items": path]), "question": .object(["type": "string"])], required: ["paths", "question"]),
                annotations: readOnly),
            Tool(
                name: "extract_fields",
                description: "One JSON record of the named fields from a file, checked against them (fields: \"invoice_no, total:number, due:date\").",
                inputSchema: schema(["path": path, "fields": .object(["type": "string"])], required: ["path", "fields"]), annotations: readOnly),
            Tool(
                name: "triage", description: "A mailbox triaged per thread: category, priority, needs-reply, actions with owners and days, one line each.",
                inputSchema: schema(
                    ["path": path, "me": .object(["type": "string", "description": "The reader's address."]), "labels": .object(["type": "string"])],
                    required: ["path"]),
                annotations: readOnly),
            Tool(
                name: "reply_draft", description: "The text of a reply to a message (EML or MSG), returned as a draft: nothing is written or sent.",
                inputSchema: schema(["path": path, "instructions": .object(["type": "string"]), "tone": .object(["type": "string"])], required: ["path"]),
                annotations: readOnly),
        ]
    }

    /// The text of tool `name`'s answer.
    func run(_ name: String, _ arguments: Arguments) async throws -> String {
        let loader = ContentLoader(importer: Importer())
        let confinement = try await current()
        let relative = { (path: String) in Self.relative(path, confinement) }
        switch name {
        case "extract":
            let path = try confinement.file(try arguments.string("path"))
            if try arguments.optional("format") == "json" {
                return try Extractor(format: .json(pretty: true)).render(try Importer().read(path: path), file: relative(path))
            }
            return try loader.load(path: path).markdown
        case "summarise":
            let path = try confinement.file(try arguments.string("path"))
            let length = try arguments.optional("length").flatMap(TaskOptions.Length.init(rawValue:)) ?? .medium
            let options = TaskOptions(length: length, focus: try arguments.optional("focus"), stream: false)
            return try await Quire.summarise(path, options: options, backends: backends).text
        case "analyse":
            return try await analyse(arguments, confinement)
        case "ask":
            let paths = try arguments.strings("paths").map { try confinement.file($0) }
            let question = try arguments.string("question")
            let passages = try paths.flatMap { Passages.of(try loader.read(path: $0), file: relative($0)) }
            let task = AskTask(question: question, index: PassageIndex(passages), options: TaskOptions(length: .short, stream: false))
            guard !task.sources.isEmpty else { return AskTask.notFound }
            let answer = try await Quire.run(task, backends: backends).outcome
            return answer.text + (answer.text.hasSuffix("\n") ? "" : "\n") + AskTask.sourcesText(task.citations(in: answer.text))
                + answer.review.map { "\n" + $0 + "\n" }.joined()
        case "extract_fields":
            return try await extractFields(arguments, confinement)
        case "triage":
            return try await triage(arguments, confinement)
        case "reply_draft":
            let path = try confinement.file(try arguments.string("path"))
            guard case .content(.mail(let message)) = try loader.read(path: path) else {
                throw ToolFailure(message: "\(relative(path)) is not one message: reply_draft answers an EML or MSG file.")
            }
            let options = TaskOptions(length: .short, tone: try arguments.optional("tone"), instructions: try arguments.optional("instructions"), stream: false)
            return try await Quire.run(ReplyTask(file: relative(path), message: message, options: options), backends: backends).text
        default:
            throw ToolFailure(message: "no tool '\(name)'; the tools are: " + Self.tools.map(\.name).joined(separator: ", ") + ".")
        }
    }

    func analyse(_ arguments: Arguments, _ confinement: Confinement) async throws -> String {
        let relative = { (path: String) in Self.relative(path, confinement) }
        let path = try confinement.file(try arguments.string("path"))
        guard case .content(.workbook(let workbook)) = try ContentLoader(importer: Importer()).read(path: path) else {
            throw ToolFailure(message: "\(relative(path)) is not a workbook: analyse reads XLSX files.")
        }
        let sheet: Sheet
        if let name = try arguments.optional("sheet") {
            sheet = try Extractor.select(name, in: workbook, file: relative(path))
        } else if let first = workbook.sheets.first(where: { $0.visibility == .visible && $0.rows.contains { !$0.cells.isEmpty } }) {
            sheet = first
        } else {
            throw ToolFailure(message: "\(relative(path)): no visible sheet holds data.")
        }
        let task = AnalyseTask(file: relative(path), sheet: sheet, question: try arguments.optional("question"), options: TaskOptions(stream: false))
        let answer = try await Quire.run(task, backends: backends).outcome
        return answer.text + answer.review.map { "\n\n" + $0 }.joined()
    }

    func extractFields(_ arguments: Arguments, _ confinement: Confinement) async throws -> String {
        let relative = { (path: String) in Self.relative(path, confinement) }
        let path = try confinement.file(try arguments.string("path"))
        let schema: FieldSchema
        do {
            schema = try FieldSchema.parse(fields: try arguments.string("fields"))
        } catch let invalid as FieldSchema.Invalid {
            throw ToolFailure(message: invalid.message)
        }
        let content = try ContentLoader(importer: Importer()).load(path: path)
        let task = ExtractFieldsTask(content: content, schema: schema)
        let (checked, _) = try await task.extract { try await Quire.run($0, backends: backends).text }
        return task.json(checked, about: [("file", relative(path))], retried: nil, pretty: true)
    }

    func triage(_ arguments: Arguments, _ confinement: Confinement) async throws -> String {
        let relative = { (path: String) in Self.relative(path, confinement) }
        let path = try confinement.file(try arguments.string("path"))
        let messages: [MailMessage]
        switch try ContentLoader(importer: Importer()).read(path: path) {
        case .mailbox(let found, _): messages = found
        case .content(.mail(let one)): messages = [one]
        default: throw ToolFailure(message: "\(relative(path)) is not mail: triage reads mbox, EML and MSG files.")
        }
        let rules = TriageRules(
            me: (try arguments.optional("me")).map { [$0] } ?? [], labels: (try arguments.optional("labels")).map(TriageRules.Label.parse) ?? [])
        let threads = Threader.threads(messages)
        var results: [TriageResult] = []
        for thread in threads.prefix(maxTriageItems) {
            let task = TriageTask(thread: thread, rules: rules, options: TaskOptions(stream: false))
            let answer = try await Quire.run(task, backends: backends).text
            results.append((try? task.result(from: answer)) ?? task.rules)
        }
        let note = threads.count > maxTriageItems ? "\n(The first \(maxTriageItems) of \(threads.count) threads.)\n" : ""
        return TriageTask.overview(results) + note
    }
}
