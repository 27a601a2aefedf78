public import QuireImport
import QuireLLM
import QuireMail
public import QuireModel
import QuireRender
public import QuireTasks

/// The task a batch runs on every item.
public enum BatchTask: Sendable {
    /// A summary of each item.
    case summarise(TaskOptions)
    /// The reply text to the item's latest message (a thread's earlier messages as context).
    case reply(TaskOptions)
    /// A workbook's first visible sheet with data (or `sheet`), analysed for `question`.
    case analyse(question: String?, sheet: String?, TaskOptions)
    /// No model: the item as structured JSON (`quire.mail`, `quire.thread`, `quire.document`, `quire.workbook`).
    case extract
    /// A task of the user's config (`quire run`): its prompts and the `--var` values.
    case custom(name: String, system: String?, prompt: String, variables: [String: String])
    /// One record of the schema's fields per item, checked (`quire extract-fields`).
    case extractFields(FieldSchema)

    /// The config route it is sent along (nil: no model).
    public var routeName: String? {
        switch self {
        case .summarise: "summarise"
        case .reply: "reply"
        case .analyse: "analyse-table"
        case .extract: nil
        case .custom(let name, _, _, _): name
        case .extractFields: "extract-fields"
        }
    }

    /// The name in results and reports.
    public var name: String {
        switch self {
        case .summarise: "summarise"
        case .reply: "reply"
        case .analyse: "analyse"
        case .extract: "extract"
        case .custom(let name, _, _, _): name
        case .extractFields: "extract-fields"
        }
    }
}

/// A failure of one item, classified for the results line and the reconciliation.
public struct ItemFailure: Error, Sendable {
    /// `unreadable`, `wrong_kind`, `empty`, or the model error's code (`rate_limited`, `timeout`, …).
    public var code: String
    /// What went wrong, naming the file and the place.
    public var message: String

    /// A failure from its code and message.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }
}

/// What an item turns into before a model sees it: its messages or file, read.
public enum LoadedItem: Sendable {
    /// The messages of a message or thread item, oldest first.
    case messages([MailMessage])
    /// A file item, read.
    case file(ImportedContent)
}

/// Reads items back from their sources and builds their tasks.
public struct ItemLoader: Sendable {
    /// Reads the files (its limits and plugins apply).
    public var importer: Importer

    /// A loader reading with `importer`.
    public init(importer: Importer = Importer()) {
        self.importer = importer
    }

    /// The name an item has in prompts: its file's name (never the absolute path) and place.
    public static func label(_ item: BatchItem) -> String {
        func base(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }
        if let file = item.file { return base(file) }
        guard let first = item.messages.first else { return item.id }
        var label = base(first.file)
        if let index = first.index { label += " message \(index + 1)" }
        if item.kind == .thread { label += " (thread of \(item.messages.count) message\(item.messages.count == 1 ? "" : "s"))" }
        return label
    }

    /// Reads the item's messages (attached files too) or its file.
    public func load(_ item: BatchItem) throws(ItemFailure) -> LoadedItem {
        if let file = item.file {
            do {
                let loaded = try ContentLoader(importer: importer).read(path: file)
                switch loaded {
                case .content(let content): return .file(content)
                case .mailbox(let messages, _): return .messages(messages)
                }
            } catch {
                throw ItemFailure(code: "unreadable", message: error.description)
            }
        }
        var messages: [MailMessage] = []
        for location in item.messages {
            if location.container == .pst {
                do throws(DocumentError) {
                    let archive = try importer.outlookArchive(path: location.file)
                    let nid = UInt32(clamping: location.offset ?? 0)
                    let entry = OutlookArchive.Entry(
                        folder: location.folder ?? "", index: location.index ?? 0, nid: nid, result: .success(try archive.message(nid: nid)))
                    messages.append(try importer.readMail(entry: entry, of: location.file))
                } catch {
                    throw ItemFailure(code: "unreadable", message: error.description)
                }
                continue
            }
            if location.container == .msg {
                do throws(DocumentError) {
                    guard case .mail(var message) = try importer.read(path: location.file) else {
                        throw DocumentError(.unsupportedFormat, file: location.file, message: "no longer holds an Outlook message.")
                    }
                    message.origin = .file(location.file)
                    messages.append(message)
                } catch {
                    throw ItemFailure(code: "unreadable", message: error.description)
                }
                continue
            }
            let bytes: [UInt8]
            let truncation: String?
            do {
                (bytes, truncation) = try Self.message(at: location, limit: importer.maxMessageBytes)
            } catch {
                throw ItemFailure(code: "unreadable", message: "\(error)")
            }
            do {
                var message = try importer.readMail(bytes: bytes, name: location.file + (location.index.map { " message \($0 + 1)" } ?? ""))
                if let truncation { message.warnings.append(truncation) }
                message.origin =
                    location.container == .mbox
                    ? MailOrigin(file: location.file, index: location.index, offset: location.offset) : .file(location.file)
                messages.append(message)
            } catch {
                throw ItemFailure(code: "unreadable", message: error.description)
            }
        }
        return .messages(messages)
    }

    /// The raw bytes of one message, its first `MailReader.Limits.defaultMessageBytes` only.
    public static func bytes(of location: MessageLocation) throws -> [UInt8] {
        try message(at: location, limit: MailReader.Limits.defaultMessageBytes).bytes
    }

    /// The bytes of one message, at most `limit` of them (the same limit for every container,
    /// as `quire extract` applies it), and the warning to give when there was more.
    static func message(at location: MessageLocation, limit: Int) throws -> (bytes: [UInt8], truncation: String?) {
        switch location.container {
        case .mbox:
            guard let offset = location.offset, let entry = try MboxReader(maxMessageBytes: limit).message(path: location.file, at: offset)
            else {
                throw BatchReadError(
                    path: location.file, message: "no message starts at byte \(location.offset ?? -1) any more (the mbox changed since it was planned).")
            }
            return (entry.bytes, entry.truncationWarning)
        case .pst:
            throw BatchReadError(path: location.file, message: "a message of an Outlook archive has no raw bytes of its own; read it with OutlookArchive.")
        case .maildir, .eml, .msg:
            // (For an Outlook .msg: the file's own bytes, a compound file.)
            let (bytes, size) = try Importer.contents(path: location.file, upTo: limit)
            return (bytes, size > bytes.count ? MailReader.Limits.truncationWarning(size: size, kept: bytes.count) : nil)
        case .emlx:
            // The byte-count line comes first: a little more than the limit holds it too.
            let (bytes, size) = try Importer.contents(path: location.file, upTo: limit + 64)
            guard let range = BatchPlanner.emlxMessage(bytes) else {
                throw BatchReadError(path: location.file, message: "not a readable .emlx file (its first line should give the message's length in bytes).")
            }
            let kept = range.clamped(to: range.lowerBound..<min(range.upperBound, range.lowerBound + limit))
            let stated = range.count + (size > bytes.count ? size - bytes.count : 0)
            let truncation = kept.count < stated ? MailReader.Limits.truncationWarning(size: stated, kept: kept.count) : nil
            return (Array(bytes[kept]), truncation)
        }
    }

    /// The model task for an item, or a failure when the task does not fit what it is.
    public func task(_ task: BatchTask, for item: BatchItem, loaded: LoadedItem) throws(ItemFailure) -> any QuireTask {
        let label = Self.label(item)
        switch (task, loaded) {
        case (.summarise(let options), _):
            return SummariseTask(content: content(item, loaded, label: label), options: options)
        case (.extractFields(let schema), _):
            return ExtractFieldsTask(content: content(item, loaded, label: label), schema: schema)
        case (.reply(let options), .messages(let messages)):
            guard let latest = messages.last else { throw ItemFailure(code: "empty", message: "the item holds no message.") }
            return ReplyTask(file: label, message: latest, earlier: Array(messages.dropLast()), options: options)
        case (.reply(let options), .file(.mail(let message))):
            return ReplyTask(file: label, message: message, options: options)
        case (.reply, _):
            throw ItemFailure(code: "wrong_kind", message: "\(label) is not mail: reply answers messages.")
        case (.analyse(let question, let sheetName, let options), .file(.workbook(let workbook))):
            let sheet: Sheet
            if let sheetName {
                do {
                    sheet = try Extractor.select(sheetName, in: workbook, file: label)
                } catch {
                    throw ItemFailure(code: "wrong_kind", message: error.description)
                }
            } else if let first = workbook.sheets.first(where: { $0.visibility == .visible && $0.rows.contains { !$0.cells.isEmpty } }) {
                sheet = first
            } else {
                throw ItemFailure(code: "empty", message: "\(label): no visible sheet holds data.")
            }
            return AnalyseTask(file: label, sheet: sheet, question: question, options: options)
        case (.analyse, _):
            throw ItemFailure(code: "wrong_kind", message: "\(label) is not a workbook: analyse reads XLSX files.")
        case (.custom(let name, let system, let prompt, let variables), _):
            return CustomTask(name: name, system: system, prompt: prompt, contents: [content(item, loaded, label: label)], variables: variables, stream: false)
        case (.extract, _):
            throw ItemFailure(code: "wrong_kind", message: "extract sends nothing to a model.")
        }
    }

    /// The item as task content: a thread's messages each with only their new text, a
    /// single message or file as `quire summarise` reads it.
    func content(_ item: BatchItem, _ loaded: LoadedItem, label: String) -> TaskContent {
        // As the task commands read files: reviewers' comments are not the document.
        let loader = ContentLoader(importer: importer, renderOptions: RenderOptions(includeComments: false), maxSheetRows: 200)
        switch loaded {
        case .messages(let messages) where item.kind == .thread:
            return TaskContent.thread(messages, name: label)
        case .messages(let messages) where messages.count == 1:
            return loader.sections(of: .content(.mail(messages[0])), name: label)
        case .messages(let messages):
            return loader.sections(of: .mailbox(messages, warnings: []), name: label)
        case .file(let content):
            return loader.sections(of: content, name: label)
        }
    }

    /// The item as JSON, for `--task extract`: one compact object.
    public func extractJSON(_ item: BatchItem, loaded: LoadedItem) throws(ItemFailure) -> String {
        switch loaded {
        case .messages(let messages) where item.kind == .thread || messages.count != 1:
            let subject = Threader.baseSubject(messages.first?.subject ?? "", lowercased: false)
            return MailRenderer().json(thread: subject, messages: messages, pretty: false).trimmingSpaces()
        case .messages(let messages):
            return MailRenderer().json(messages[0], pretty: false).trimmingSpaces()
        case .file(let content):
            do {
                return try Extractor(format: .json(pretty: false)).render(content, file: Self.label(item)).trimmingSpaces()
            } catch {
                throw ItemFailure(code: "unreadable", message: error.description)
            }
        }
    }
}
