public import QuireImport
import QuireMail
public import QuireModel
public import QuireRender

/// Content a task works on: one file, cut into sections at its natural boundaries
/// (headings of a document, sheets of a workbook, messages of a mailbox), each rendered as
/// the Markdown prompts use. Long content is packed into chunks section by section.
public struct TaskContent: Sendable {
    /// What a file (or a set of messages) is, which decides how a task words its prompt.
    public enum Kind: String, Sendable {
        /// A Word document.
        case document
        /// An Excel workbook.
        case workbook
        /// One message.
        case mail
        /// The messages of an mbox.
        case mailbox
        /// The messages of one thread, in order.
        case thread
        /// A digest of many messages (one section each).
        case digest
        /// Plain text.
        case text
    }

    /// One part of the content: a heading and what follows it up to the next heading, a
    /// sheet, a message.
    public struct Section: Sendable, Equatable {
        /// The heading, sheet name or message subject that opens it.
        public var title: String?
        /// The section as Markdown.
        public var markdown: String
        /// For a document section, the headings it is under, outermost first, ending with its
        /// own (`["Annual report", "Finance", "Revenue"]`); empty for sheets and messages.
        public var headingPath: [String]
        /// The heading levels of `headingPath`, 1 for the outermost Markdown level.
        var headingLevels: [Int]

        /// A section; `headingPath` when it sits under headings (documents).
        public init(title: String?, markdown: String, headingPath: [String] = []) {
            self.title = title
            self.markdown = markdown
            self.headingPath = headingPath
            self.headingLevels = Array(1...max(1, headingPath.count)).prefix(headingPath.count).map { $0 }
        }

        init(title: String?, markdown: String, headings: [(level: Int, text: String)]) {
            self.init(title: title, markdown: markdown, headingPath: headings.map(\.text))
            headingLevels = headings.map(\.level)
        }

        /// The headings above this section's own, with their Markdown levels.
        var ancestors: [(level: Int, text: String)] {
            Array(zip(headingLevels, headingPath).dropLast().map { (level: $0.0, text: $0.1) })
        }
    }

    /// How the file is named in prompts and output (its path as given).
    public var name: String
    /// What the content is.
    public var kind: Kind
    /// The content in sections, in order.
    public var sections: [Section]
    /// What the reader noticed (an unreadable mailbox entry, an unknown charset).
    public var warnings: [String]
    /// The content as read, for the tasks that need more than Markdown.
    public var imported: ImportedContent?

    /// Content from its parts.
    public init(name: String, kind: Kind, sections: [Section], warnings: [String] = [], imported: ImportedContent? = nil) {
        self.name = name
        self.kind = kind
        self.sections = sections
        self.warnings = warnings
        self.imported = imported
    }

    /// All sections as one Markdown text.
    public var markdown: String { sections.map(\.markdown).joined(separator: "\n") }
}

/// Reads files into `TaskContent`.
public struct ContentLoader: Sendable {
    /// Reads the files (its limits, parallelism and plugins apply).
    public var importer: Importer
    /// How documents, sheets and mail are rendered as Markdown.
    public var renderOptions: RenderOptions
    /// Markdown of a sheet stops after this many rows (a summary needs the shape, the
    /// analysis computes its profile over every row anyway).
    public var maxSheetRows: Int?

    /// A loader; `maxSheetRows` stops a sheet's Markdown after that many rows.
    public init(importer: Importer = Importer(), renderOptions: RenderOptions = RenderOptions(), maxSheetRows: Int? = nil) {
        self.importer = importer
        self.renderOptions = renderOptions
        self.maxSheetRows = maxSheetRows
    }

    /// A task's input as read, before it is cut into sections.
    public enum Input: Sendable {
        /// A file read as a document, a workbook or a message.
        case content(ImportedContent)
        /// The messages of an mbox, and the entries that could not be read.
        case mailbox([MailMessage], warnings: [String])
    }

    /// Reads `path` (a DOCX, XLSX, EML or mbox file) and cuts it into sections.
    public func load(path: String) throws(DocumentError) -> TaskContent {
        sections(of: try read(path: path), name: path)
    }

    /// Content held in memory.
    public func load(bytes: [UInt8], name: String) throws(DocumentError) -> TaskContent {
        sections(of: try read(bytes: bytes, name: name), name: name)
    }

    /// Reads `path` without rendering it (for the tasks that work on the model itself).
    public func read(path: String) throws(DocumentError) -> Input {
        let format = importer.detect(path: path)
        if format == .pst { return try outlookArchive(path) }
        guard format == .mbox else { return .content(try importer.read(path: path)) }
        var messages: [MailMessage] = []
        var warnings: [String] = []
        do {
            try importer.mboxReader.forEachMessage(path: path) { add($0, of: path, to: &messages, &warnings) }
        } catch let error as DocumentError {
            throw error
        } catch {
            throw DocumentError(.io, file: path, message: "\(error)")
        }
        return .mailbox(messages, warnings: warnings)
    }

    /// Every message of an Outlook archive (PST/OST), folder by folder; a message that
    /// cannot be read is a warning naming its folder.
    func outlookArchive(_ path: String) throws(DocumentError) -> Input {
        var messages: [MailMessage] = []
        let warnings = try forEachArchiveMessage(path) { messages.append($0) }
        return .mailbox(messages, warnings: warnings)
    }

    private func forEachArchiveMessage(_ path: String, _ body: (MailMessage) -> Void) throws(DocumentError) -> [String] {
        var warnings: [String] = []
        var walk = try importer.outlookArchive(path: path).messages()
        while let entry = walk.next() {
            do throws(DocumentError) {
                body(try importer.readMail(entry: entry, of: path))
            } catch {
                warnings.append("\(path): a message in '\(entry.folder)' skipped: \(error.message)")
            }
        }
        return warnings
    }

    /// The messages of a mailbox file (mbox, Outlook PST/OST) handed to `body` one at a time,
    /// none kept: for callers that need each message once. Returns the warnings (messages
    /// that could not be read), or nil when `path` is no mailbox — `read(path:)` reads that.
    public func forEachMessage(path: String, _ body: (MailMessage) -> Void) throws(DocumentError) -> [String]? {
        let format = importer.detect(path: path)
        if format == .pst { return try forEachArchiveMessage(path, body) }
        guard format == .mbox else { return nil }
        var warnings: [String] = []
        do {
            try importer.mboxReader.forEachMessage(path: path) { entry in
                do throws(DocumentError) {
                    body(try importer.readMail(entry: entry, of: path))
                } catch {
                    warnings.append("\(path): message \(entry.index + 1) at byte \(entry.offset) skipped: \(error.message)")
                }
            }
        } catch let error as DocumentError {
            throw error
        } catch {
            throw DocumentError(.io, file: path, message: "\(error)")
        }
        return warnings
    }

    /// Bytes held in memory, without rendering them.
    public func read(bytes: [UInt8], name: String) throws(DocumentError) -> Input {
        guard importer.detect(bytes: bytes) == .mbox else { return .content(try importer.read(bytes: bytes, name: name)) }
        var messages: [MailMessage] = []
        var warnings: [String] = []
        for entry in importer.mboxReader.messages(in: bytes) { add(entry, of: name, to: &messages, &warnings) }
        return .mailbox(messages, warnings: warnings)
    }

    /// One mbox entry read (attachments too), or a warning naming its place.
    func add(_ entry: MboxReader.Entry, of name: String, to messages: inout [MailMessage], _ warnings: inout [String]) {
        do throws(DocumentError) {
            messages.append(try importer.readMail(entry: entry, of: name))
        } catch {
            warnings.append("\(name): message \(entry.index + 1) at byte \(entry.offset) skipped: \(error.message)")
        }
    }

    /// Read input cut into sections.
    public func sections(of input: Input, name: String) -> TaskContent {
        switch input {
        case .content(let content): sections(of: content, name: name)
        case .mailbox(let messages, let warnings): mailbox(messages, name: name, warnings: warnings)
        }
    }

    func mailbox(_ messages: [MailMessage], name: String, warnings: [String]) -> TaskContent {
        let renderer = MailRenderer(options: renderOptions, workbookOptions: WorkbookRenderOptions(maxRows: maxSheetRows))
        // Thread by thread, so a chunk holds whole conversations where it can.
        var sections: [TaskContent.Section] = []
        for thread in Threader.threads(messages) {
            if thread.messages.count == 1 {
                let message = thread.messages[0]
                sections.append(.init(title: message.subject, markdown: Self.tidyBlankLines(renderer.markdown(Self.markingHistory(message)))))
            } else {
                sections.append(.init(title: thread.subject, markdown: Self.threadMarkdown(thread)))
            }
        }
        return TaskContent(name: name, kind: .mailbox, sections: sections, warnings: warnings)
    }

    /// A conversation as one section: its subject, who took part and when, then what each
    /// message added (its new text; the history it quotes is the earlier messages, here too).
    static func threadMarkdown(_ thread: MailThread) -> String {
        func who(_ message: MailMessage) -> String {
            message.from.first.map { $0.name.flatMap { $0.isEmpty ? nil : $0 } ?? $0.address } ?? "(unknown sender)"
        }
        func when(_ message: MailMessage) -> String? { message.date.map { ($0.iso8601 ?? $0.raw).replacingAll("T", with: " ") } }
        var participants: [String] = []
        for message in thread.messages where !participants.contains(who(message)) { participants.append(who(message)) }
        var lines = ["# " + (thread.subject.isEmpty ? "(no subject)" : thread.subject), ""]
        lines.append("- **From:** " + participants.prefix(12).joined(separator: ", ") + (participants.count > 12 ? ", … (\(participants.count) in all)" : ""))
        let dates = thread.messages.compactMap(when)
        if let first = dates.first, let last = dates.last {
            lines.append("- **Date:** " + (first == last ? first : first.prefix(16) + " – " + last.prefix(16)) + " (\(thread.messages.count) messages)")
        }
        for message in thread.messages {
            lines.append("")
            lines.append("- **Sender:** " + who(message) + (when(message).map { ", " + $0.prefix(16) } ?? ""))
            lines.append("")
            lines.append(addedText(message))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What one message of a conversation adds: its new text; for a message that is all
    /// quotation (or whose new text could not be told apart), its whole text less a list footer.
    static func addedText(_ message: MailMessage) -> String {
        var text = (message.textParts?.newText ?? message.bestText ?? "").trimmingSpaces()
        if text.isEmpty { text = (markingHistory(message).bestText ?? "").trimmingSpaces() }
        return text.isEmpty ? "(no text)" : tidyBlankLines(text)
    }

    /// Mail text as a prompt needs it: lines holding only blanks made empty, and a run of
    /// empty lines made one (mail from HTML editors spaces paragraphs with dozens of them,
    /// which cost tokens and say nothing); fenced code is left as written.
    package static func tidyBlankLines(_ text: String) -> String {
        var out: [Substring] = []
        var inCode = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { inCode.toggle() }
            let blank = !inCode && line.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\u{A0}" || $0 == "\r" }
            if blank {
                if out.last?.isEmpty == true { continue }
                out.append("")
            } else {
                out.append(line)
            }
        }
        return out.joined(separator: "\n")
    }

    /// Cuts read content into sections.
    public func sections(of content: ImportedContent, name: String) -> TaskContent {
        switch content {
        case .document(let document):
            return TaskContent(name: name, kind: .document, sections: sections(of: document), warnings: document.warnings, imported: content)
        case .workbook(let workbook):
            let renderer = WorkbookRenderer(options: WorkbookRenderOptions(maxRows: maxSheetRows))
            var sections: [TaskContent.Section] = []
            for sheet in workbook.sheets where sheet.visibility == .visible {
                var one = workbook
                one.sheets = [sheet]
                var markdown = renderer.markdown(one)
                if let facts = SheetFacts.sentences(sheet) {
                    markdown += (markdown.hasSuffix("\n") ? "\n" : "\n\n") + SheetFacts.marker + "\n" + facts + "\n"
                }
                sections.append(.init(title: sheet.name, markdown: markdown))
            }
            return TaskContent(name: name, kind: .workbook, sections: sections, warnings: workbook.warnings, imported: content)
        case .mail(let message):
            let renderer = MailRenderer(options: renderOptions, workbookOptions: WorkbookRenderOptions(maxRows: maxSheetRows))
            return TaskContent(
                name: name, kind: .mail,
                sections: [.init(title: message.subject, markdown: Self.tidyBlankLines(renderer.markdown(Self.markingHistory(message))))],
                warnings: message.warnings, imported: content)
        }
    }

    /// The message as a task shows it: its new text (wherever it stood: above, below or
    /// between quotes), then the quoted history as one Markdown block quote,
    /// so a model — and the offline summariser, which skips quotes — sees what this message
    /// adds; its signature and a mailing list's footer are left out. An interleaved reply is its answers with
    /// the questions they answer; a message that only quotes (a forward) is shown as it is.
    static func markingHistory(_ message: MailMessage) -> MailMessage {
        guard let parts = message.textParts, var body = message.bestText else { return message }
        var marked = message
        // A mailing list's footer is furniture: a model need not read it.
        if let footer = parts.footer?.trimmingSpaces(), !footer.isEmpty {
            let trimmed = body.trimmingSpaces()
            if trimmed.hasSuffix(footer) {
                body = String(trimmed.dropLast(footer.count)) + "\n"
                marked.textBody = body
            }
        }
        // A message that only quotes (a forward) is shown as it is: the quote is its content.
        guard !parts.newText.trimmingSpaces().isEmpty else { return marked }
        let quoted = parts.quoted.flatMap { $0.trimmingSpaces().isEmpty ? nil : $0 }
        guard quoted != nil || parts.signature != nil else { return marked }
        // An interleaved reply's new text holds the questions it answers: that is enough.
        let interleaved = parts.newText.split(separator: "\n").contains { $0.hasPrefix(">") }
        // The signature is left out: a contact block is not what a message says.
        var text = parts.newText
        if let quoted, !interleaved {
            text += (text.hasSuffix("\n") ? "" : "\n") + "\n"
            text += quoted.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? ">" : "> " + $0 }.joined(separator: "\n")
        }
        marked.textBody = text
        return marked
    }

    /// A section starts at every heading; notes and comments come last, as their own section.
    func sections(of document: Document) -> [TaskContent.Section] {
        let renderer = MarkdownRenderer(options: renderOptions)
        var sections: [TaskContent.Section] = []
        var blocks: [Block] = []
        var title: String?
        // Each heading's rank (a title above every heading) and its Markdown level.
        var path: [(rank: Int, level: Int, text: String)] = []
        var sectionPath: [(level: Int, text: String)] = []
        func flush() {
            guard !blocks.isEmpty else { return }
            let part = Document(metadata: document.metadata, blocks: blocks)
            let markdown = renderer.render(part)
            if !markdown.isEmpty { sections.append(.init(title: title, markdown: markdown, headings: sectionPath)) }
            blocks = []
        }
        for block in document.blocks {
            if case .heading(let heading) = block {
                flush()
                title = heading.content.plainText()
                let level = min(max(heading.level, 1), 6)  // as the Markdown renderer writes it
                let rank = heading.isTitle ? 0 : level
                path.removeAll { $0.rank >= rank }
                path.append((rank, level, title ?? ""))
                sectionPath = path.map { (level: $0.level, text: $0.text) }
            }
            blocks.append(block)
        }
        flush()
        if !document.notes.isEmpty || !document.comments.isEmpty {
            let back = Document(metadata: document.metadata, blocks: [], notes: document.notes, comments: document.comments)
            let markdown = renderer.render(back)
            if !markdown.isEmpty { sections.append(.init(title: "Notes and comments", markdown: markdown)) }
        }
        return sections
    }
}

/// A few sentences of figures Quire computed over a sheet's rows, put under the sheet for
/// the summary: a model should not add up columns itself, and the offline summariser
/// quotes them as they are.
public enum SheetFacts {
    /// The line before the facts (an HTML comment: invisible when the Markdown is shown).
    public static let marker = "<!-- quire: figures computed over every row -->"

    /// A few sentences of figures computed over `sheet`'s rows, or nil for an empty sheet.
    public static func sentences(_ sheet: Sheet) -> String? {
        let profile = TableProfiler.profile(sheet)
        guard profile.rows > 0, !profile.columns.isEmpty else { return nil }
        let names = profile.columns.prefix(8).map(\.name).joined(separator: ", ") + (profile.columns.count > 8 ? ", …" : "")
        var out = [
            "Sheet “\(sheet.name)” has \(profile.rows) data row\(profile.rows == 1 ? "" : "s") in \(profile.columns.count) column\(profile.columns.count == 1 ? "" : "s") (\(names))."
        ]
        for column in profile.columns where column.type == "number" {
            guard let sum = column.sum, let low = column.min, let high = column.max else { continue }
            out.append(
                "\(column.name): total \(OfflineAnalysis.figure(sum)), from \(OfflineAnalysis.figure(low)) to \(OfflineAnalysis.figure(high)) over \(column.values) values."
            )
        }
        for column in profile.columns where column.type == "date" {
            if let first = column.earliest, let last = column.latest { out.append("\(column.name): from \(first) to \(last).") }
        }
        if let grouping = profile.groupings.first, let top = grouping.largest, let measure = grouping.measures.first, grouping.groups.count > 1 {
            out.append(
                "By \(grouping.by), \(top.key) has the largest \(measure) (\(OfflineAnalysis.figure(top.sums[0])), \(OfflineAnalysis.figure(top.share))%).")
        }
        return out.joined(separator: " ")
    }
}
