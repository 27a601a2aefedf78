import QuireDOCX
import QuireInternalThreads
import QuireMail
public import QuireModel
import QuireRender
import QuireXLSX

/// Mail threads and whole mailboxes.
extension Extractor {
    /// Groups the messages of `paths` (messages, mailboxes) into threads and renders each:
    /// Markdown and text show each message's new text in date order (quoted history and
    /// signatures left out); JSON gives `quire.thread` objects (one per line when compact).
    /// A file that cannot be read is passed to `failed` and the others go on.
    public func extractThreads(
        paths: [String], write: @escaping @Sendable (String) -> Void, failed: (String, DocumentError) -> Void
    ) throws(DocumentError) {
        if format == .csv {
            throw DocumentError(
                .unsupportedFormat, file: paths.first ?? "",
                message: "CSV output is for spreadsheets; threads are mail (use --format markdown, text, json or jsonl).")
        }
        // Messages are held, read, while they total less than `threadHoldLimit` bytes. Past
        // that, only what threading needs (ids, references, subject, date) and where each
        // message is are kept, and each thread's messages are read again when it is written:
        // a mailbox of a million messages is never held whole.
        var input = ThreadInput()
        let reader = MailReader()
        for path in paths {
            do throws(DocumentError) {
                switch importer.detect(path: path) {
                case .mbox: try collectMailbox(path, into: &input, reader: reader, failed: failed)
                case .mail: try collectMessage(path, into: &input, reader: reader)
                default:
                    throw DocumentError(.unsupportedFormat, file: path, message: "--threads reads mail (.eml, mbox, Maildir); this is not a message.")
                }
            } catch {
                failed(path, error)
            }
        }
        let groups = Threader.groups(keys: input.keys)
        input.keys = []
        writeThreads(groups, of: input, write: write, failed: failed)
    }

    /// The first pass of `extractThreads`: every message's threading key and place, and the
    /// messages themselves while they are few enough to hold.
    struct ThreadInput {
        var keys: [Threader.Key] = []
        var places: [(path: String, offset: Int?, index: Int?, length: Int)] = []
        var held: [MailMessage]? = []
        var heldBytes = 0
    }

    /// The messages of an mbox into `input`; one that cannot be read goes to `failed`.
    func collectMailbox(
        _ path: String, into input: inout ThreadInput, reader: MailReader, failed: (String, DocumentError) -> Void
    ) throws(DocumentError) {
        do {
            try importer.mboxReader.forEachMessage(path: path) { entry in
                let place = (path, entry.offset, entry.index, entry.bytes.count + entry.droppedBytes)
                input.heldBytes += entry.bytes.count
                if input.heldBytes > threadHoldLimit { input.held = nil }
                guard input.held != nil else {
                    let header = entry.bytes.withUnsafeBufferPointer { reader.readHeaders($0, fields: []).message }
                    input.keys.append(Threader.Key(header))
                    input.places.append(place)
                    return
                }
                do throws(DocumentError) {
                    let message = try importer.readMail(entry: entry, of: path)
                    input.keys.append(Threader.Key(message))
                    input.places.append(place)
                    input.held?.append(message)
                } catch {
                    // Said, not dropped: the other messages go on.
                    failed(
                        path, DocumentError(error.code, file: path, message: "message \(entry.index + 1) at byte \(entry.offset): \(error.message)")
                    )
                }
            }
        } catch let error as DocumentError {
            throw error
        } catch {
            throw DocumentError(.corrupt, file: path, message: "\(error)")
        }
    }

    /// A message file into `input`.
    func collectMessage(_ path: String, into input: inout ThreadInput, reader: MailReader) throws(DocumentError) {
        input.heldBytes += Importer.fileSize(path)
        if input.heldBytes > threadHoldLimit { input.held = nil }
        if input.held != nil {
            let message = try importer.readMailFile(path: path)
            input.keys.append(Threader.Key(message))
            input.held?.append(message)
        } else {
            let (bytes, _) = try Importer.contents(path: path, upTo: 256 << 10)
            input.keys.append(Threader.Key(bytes.withUnsafeBufferPointer { reader.readHeaders($0, fields: []).message }))
        }
        input.places.append((path, nil, nil, 0))
    }

    /// Writes each thread of `groups` in this extractor's format, its messages held or read again.
    func writeThreads(
        _ groups: [[Int]], of input: ThreadInput, write: @escaping @Sendable (String) -> Void, failed: (String, DocumentError) -> Void
    ) {
        let renderer = MailRenderer(options: options, workbookOptions: workbookOptions)
        var written = 0
        for group in groups {
            var messages: [MailMessage] = []
            for member in group {
                if let held = input.held {
                    messages.append(held[member])
                    continue
                }
                let place = input.places[member]
                do throws(DocumentError) {
                    messages.append(try readAgain(place))
                } catch {
                    // Said, not dropped: the other messages go on.
                    let at = place.index.map { "message \($0 + 1)\(place.offset.map { " at byte \($0)" } ?? ""): " } ?? ""
                    failed(place.path, DocumentError(error.code, file: place.path, message: at + error.message))
                }
            }
            guard let first = messages.first else { continue }
            let subject = Threader.baseSubject(first.subject ?? "", lowercased: false)
            switch format {
            case .markdown: write((written > 0 ? "\n---\n\n" : "") + renderer.markdown(thread: subject, messages: messages))
            case .text: write((written > 0 ? "\n" : "") + renderer.text(thread: subject, messages: messages))
            case .json(let pretty): write(renderer.json(thread: subject, messages: messages, pretty: pretty))
            case .csv: break
            }
            written += 1
        }
    }

    /// A message found by the first pass of `extractThreads`, read in full (attachments too).
    func readAgain(_ place: (path: String, offset: Int?, index: Int?, length: Int)) throws(DocumentError) -> MailMessage {
        guard let offset = place.offset else { return try importer.readMailFile(path: place.path) }
        let entry: MboxReader.Entry?
        do {
            entry = try importer.mboxReader.message(path: place.path, at: offset, sizeHint: place.length)
        } catch let error as DocumentError {
            throw error
        } catch {
            throw DocumentError(.io, file: place.path, message: "\(error)")
        }
        guard var entry else {
            throw DocumentError(.corrupt, file: place.path, message: "no message starts there any more (the mbox changed while it was read).")
        }
        entry.index = place.index ?? 0  // a read from its offset counts from 0
        return try importer.readMail(entry: entry, of: place.path)
    }

    /// Renders the messages of an mbox one by one, as they are read (memory holds one).
    ///
    /// One message renders exactly as an .eml would. Several: Markdown and text separate
    /// them with a rule; pretty JSON is an array of messages; compact JSON (JSON Lines) is
    /// one message per line. A message that cannot be read is reported in the output with
    /// its position and byte offset, and the others go on.
    func extractMailbox(
        file: String, write: @escaping @Sendable (String) -> Void,
        _ messages: ((MboxReader.Entry) throws -> Void) throws -> Void
    ) throws(DocumentError) {
        if format == .csv {
            throw DocumentError(
                .unsupportedFormat, file: file, message: "CSV output is for spreadsheets; this is a mailbox (use --format markdown, text, json or jsonl).")
        }
        var output = MailboxOutput(format: format, write: write, progress: progress, size: Importer.fileSize(file))
        // Messages are parsed and rendered on two threads, written here in order.
        let renderer = MailboxRenderer(extractor: self, file: file)
        let workers = OrderedWorkers<MboxReader.Entry, String>(parallel: importer.parallelism > 1, name: "quire-mail", work: renderer.render) {
            output.emit($1, offset: $0.offset)
        }
        do {
            try messages { workers.submit($0) }
            workers.finish()
        } catch let error as DocumentError {
            throw error
        } catch {
            throw DocumentError(.corrupt, file: file, message: "\(error)")
        }
        try output.finish(file: file)
    }

    /// Whether the output shows quoted history apart (JSON does; Markdown and text show the
    /// whole text, so the mail reader need not split it).
    var rendersQuotedText: Bool {
        if case .json = format { return true }
        return false
    }
}

/// The rendered messages of a mailbox, written in order with separators between them (a JSON
/// array around them when pretty), and the progress reported every 500 messages.
struct MailboxOutput {
    let format: Extractor.Format
    let write: @Sendable (String) -> Void
    let progress: (@Sendable (Int, Int, Int) -> Void)?
    let size: Int
    /// The first message, held until a second shows whether this is a list.
    var first: String?
    var count = 0
    var lastReport = 0

    mutating func emit(_ text: String, offset: Int) {
        count += 1
        if let progress, count - lastReport >= 500 {
            lastReport = count
            progress(count, offset, size)
        }
        if count == 1 {
            first = text
            return
        }
        if let pending = first {
            first = nil
            write(format == .json(pretty: true) ? "[\n" + pending.trimmingTrailingNewlines() : pending)
        }
        write(separated(text))
    }

    static let rule = "\n" + String(repeating: "=", count: 72) + "\n\n"

    func separated(_ text: String) -> String {
        switch format {
        case .markdown: return "\n---\n\n" + text
        case .text: return Self.rule + text
        case .json(pretty: true): return ",\n" + text.trimmingTrailingNewlines()
        default: return text
        }
    }

    func finish(file: String) throws(DocumentError) {
        if let pending = first {
            write(pending)
        } else if count == 0 {
            throw DocumentError(.empty, file: file, message: "the mailbox holds no messages.")
        } else if format == .json(pretty: true) {
            write("\n]\n")
        }
    }
}
