public import QuireImport
import QuireMail
import QuireModel
import QuireTasks

/// Turns sources into items: finds every message and file, drops duplicates and what the
/// selection leaves out, groups messages into threads when asked, and hands each item on
/// as soon as it is known (per message, an export of any size streams through in constant
/// memory; per thread, only each message's ids, subject and date are held until the
/// threads are known).
public struct BatchPlanner: Sendable {
    /// nil: threads for mail, files for documents.
    public var per: BatchGranularity?
    /// Which messages and files to take (labels, folders, dates, senders, a limit, a shard).
    public var selection: BatchSelection
    /// Recognises and scans the files (its ZIP limits and message size apply).
    public var importer: Importer

    /// A planner making items `per` message, thread or file (nil: threads for mail, files for
    /// documents), reading with `importer`.
    public init(per: BatchGranularity? = nil, selection: BatchSelection = BatchSelection(), importer: Importer = Importer()) {
        self.per = per
        self.selection = selection
        self.importer = importer
    }

    /// The outcome of planning: what each source held, and what was said about it.
    public struct Report: Sendable {
        /// What each source held and what became of it.
        public var tallies: [SourceTally]
        /// Problems met on the way (unreadable files, folders walked twice).
        public var warnings: [String]
        /// Files under the sources that are neither mail nor documents.
        public var skippedFiles: Int
    }

    /// A message found while scanning: where it is and the header facts that matter.
    struct Found {
        var location: MessageLocation
        var key: String
        var subject: String?
        var date: Int64?
        var inReplyTo: [String]
        var references: [String]
        var gmailThread: String?
        var source: Int
        /// Left out by `--from` (read no further).
        var excluded = false
    }

    /// The items of `sources` as an async sequence, planned on a thread of their own while
    /// the caller consumes them (the planner's report comes last, through `report`).
    public func items(
        _ sources: [BatchSource], report: @escaping @Sendable (Report) -> Void = { _ in }
    ) -> AsyncThrowingStream<BatchItem, any Error> {
        let (stream, continuation) = AsyncThrowingStream<BatchItem, any Error>.makeStream(bufferingPolicy: .unbounded)
        let planner = self
        let task = Task.detached {
            do {
                report(
                    try planner.plan(sources) { item in
                        try Task.checkCancellation()
                        continuation.yield(item)
                    })
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Plans `sources`, calling `onItem` with every item in order.
    public func plan(_ sources: [BatchSource], onItem: (BatchItem) throws -> Void) throws -> Report {
        var gate = Gate(tallies: sources.map { SourceTally(source: $0.label) }, selection: selection)
        var walker = SourceWalker()
        walker.importer = importer
        var threadInput: [Found] = []
        let granularity = per ?? .thread

        for (sourceIndex, source) in sources.enumerated() {
            for path in source.paths {
                for container in walker.containers(of: path) {
                    if case .document = container {
                    } else if granularity != .file {
                        var warnings: [String] = []
                        try scan(container, warnings: &warnings) { found in
                            var found = found
                            found.source = sourceIndex
                            guard gate.admits(found, selected: selected) else { return }
                            guard granularity == .message else { return threadInput.append(found) }
                            let item = BatchItem(
                                id: found.key, kind: .message, source: source.label, subject: found.subject, date: found.date, messages: [found.location])
                            if gate.admits(item, source: sourceIndex) { try onItem(item) }
                        } unreadable: {
                            gate.tallies[sourceIndex].found += 1
                            gate.tallies[sourceIndex].unreadable += 1
                        }
                        walker.warnings += warnings
                        continue
                    }
                    // Documents, and mail files with --per file: one item per file.
                    for file in Self.files(of: container) {
                        gate.tallies[sourceIndex].found += 1
                        if let item = fileItem(file, source: source.label, warnings: &walker.warnings) {
                            if gate.admits(item, source: sourceIndex) { try onItem(item) }
                        } else {
                            gate.tallies[sourceIndex].unreadable += 1
                        }
                    }
                }
            }
        }
        if granularity == .thread {
            for group in Self.threads(threadInput) {
                let first = threadInput[group[0]]
                let id = first.gmailThread.map { "thread:gmail:" + $0 } ?? "thread:" + first.key.dropFirst(4)
                let item = BatchItem(
                    id: id, kind: .thread, source: sources[first.source].label, subject: first.subject, date: first.date,
                    messages: group.map { threadInput[$0].location })
                if gate.admits(item, source: first.source) { try onItem(item) }
            }
        }
        return Report(tallies: gate.tallies, warnings: walker.warnings, skippedFiles: walker.skipped)
    }

    /// What a planning run has counted, and the checks an item or a found message passes
    /// before it goes out: not excluded, not seen before, selected, in this shard, within
    /// the limit.
    struct Gate {
        var tallies: [SourceTally]
        let selection: BatchSelection
        var seen = Set<String>()
        var emitted = 0

        /// Counts a found message; true when it is to be planned.
        mutating func admits(_ found: Found, selected: (Found) -> Bool) -> Bool {
            tallies[found.source].found += 1
            guard !found.excluded else {
                tallies[found.source].filtered += 1
                return false
            }
            guard seen.insert(found.key).inserted else {
                tallies[found.source].duplicates += 1
                return false
            }
            guard selected(found) else {
                tallies[found.source].filtered += 1
                return false
            }
            return true
        }

        /// Counts an item; true when it goes out (in this shard, within the limit).
        mutating func admits(_ item: BatchItem, source: Int) -> Bool {
            guard selection.inShard(item.id) else {
                tallies[source].otherShards += max(1, item.messages.count)
                return false
            }
            if let limit = selection.limit, emitted >= limit {
                tallies[source].filtered += max(1, item.messages.count)
                return false
            }
            emitted += 1
            tallies[source].items += 1
            return true
        }
    }

    /// Threads of the found messages: Gmail's own thread ids where the export has them
    /// (Takeout's `X-GM-THRID`), else References/In-Reply-To and subjects.
    static func threads(_ found: [Found]) -> [[Int]] {
        var byGmail: [String: [Int]] = [:]
        var gmailOrder: [String] = []
        var rest: [Int] = []
        for (index, message) in found.enumerated() {
            if let thread = message.gmailThread {
                if byGmail[thread] == nil { gmailOrder.append(thread) }
                byGmail[thread, default: []].append(index)
            } else {
                rest.append(index)
            }
        }
        var groups: [[Int]] = gmailOrder.map { thread in
            byGmail[thread]!.sorted { a, b in
                let da = found[a].date
                let db = found[b].date
                if let da, let db, da != db { return da < db }
                return a < b
            }
        }
        let stubs = rest.map { index in
            let f = found[index]
            var message = MailMessage(subject: f.subject, messageID: String(f.key.dropFirst(4)), inReplyTo: f.inReplyTo, references: f.references)
            if let date = f.date { message.date = MailDate(raw: "", timestamp: date) }
            return message
        }
        groups += Threader.groups(stubs).map { $0.map { rest[$0] } }
        // Threads in order of their first message's date, undated last, then as found.
        return groups.sorted { a, b in
            let da = found[a[0]].date ?? Int64.max
            let db = found[b[0]].date ?? Int64.max
            return da != db ? da < db : a[0] < b[0]
        }
    }

    func selected(_ found: Found) -> Bool {
        if !selection.labels.isEmpty {
            let labels = Set(found.location.labels.map { $0.lowercased() })
            guard selection.labels.contains(where: { labels.contains($0.lowercased()) }) else { return false }
        }
        if !selection.folders.isEmpty {
            guard let folder = found.location.folder?.lowercased() else { return false }
            guard selection.folders.contains(where: { Self.folder(folder, matches: $0.lowercased()) }) else { return false }
        }
        if selection.since != nil || selection.until != nil {
            guard let date = found.date else { return false }
            if let since = selection.since, date < since { return false }
            if let until = selection.until, date >= until { return false }
        }
        return true
    }

    /// Whether `wanted` names the folder or one of its parents, as whole path components
    /// anywhere in it: `Work` matches `Work`, `Work/Clients` and `Maildir/Work/Clients`.
    static func folder(_ folder: String, matches wanted: String) -> Bool {
        let have = folder.split(separator: "/")
        let want = wanted.split(separator: "/")
        guard !want.isEmpty, want.count <= have.count else { return false }
        for start in 0...(have.count - want.count) where Array(have[start..<(start + want.count)]) == want { return true }
        return false
    }

    // MARK: Scanning

    /// Every message of a mail container, with its header facts; `unreadable` for one that
    /// cannot be read at all.
    func scan(_ container: FoundContainer, warnings: inout [String], _ body: (Found) throws -> Void, unreadable: () -> Void) throws {
        let reader = MailReader(separatesQuotedText: false)
        func found(_ bytes: UnsafeBufferPointer<UInt8>, _ location: MessageLocation) throws {
            let (message, bodyStart) = reader.readHeaders(bytes, fields: Self.scannedFields)
            try found(message, location) { Self.contentKey(message, bytes, bodyStart: bodyStart) }
        }
        /// `contentKey`: the message's key when it has no Message-ID.
        func found(_ message: MailMessage, _ location: MessageLocation, contentKey: () throws -> String) throws {
            guard fromSelected(message) else {
                // Counted as found and filtered; the caller only sees selected messages.
                try body(Found(location: location, key: "", subject: nil, date: nil, inReplyTo: [], references: [], source: 0, excluded: true))
                return
            }
            var location = location
            location.messageID = message.messageID
            if let labels = message.header("X-Gmail-Labels") { location.labels = Self.labels(labels) }
            let key = try message.messageID.map { "msg:" + $0 } ?? "msg:sha:" + contentKey()
            try body(
                Found(
                    location: location, key: key, subject: message.subject, date: message.date?.timestamp, inReplyTo: message.inReplyTo,
                    references: message.references, gmailThread: message.header("X-GM-THRID").flatMap { $0.isEmpty ? nil : $0 }, source: 0))
        }
        switch container {
        case .mbox(let path, let folder):
            do {
                try importer.mboxReader.forEachMessage(path: path) { entry in
                    try entry.bytes.withUnsafeBufferPointer { bytes in
                        try found(bytes, MessageLocation(container: .mbox, file: path, offset: entry.offset, index: entry.index, folder: folder))
                    }
                }
            } catch let error as DocumentError {
                warnings.append(error.description)
                unreadable()
            }
        case .maildir(let directory, let folder):
            for sub in ["cur", "new"] {
                for name in SourceWalker.names(in: directory + "/" + sub) where !name.hasPrefix(".") {
                    let path = directory + "/" + sub + "/" + name
                    guard let bytes = readMessage(path, warnings: &warnings) else {
                        unreadable()
                        continue
                    }
                    let flags = Self.maildirFlags(name)
                    try bytes.withUnsafeBufferPointer {
                        try found($0, MessageLocation(container: .maildir, file: path, folder: folder, flags: flags))
                    }
                }
            }
        case .eml(let path, let folder):
            guard let bytes = readMessage(path, warnings: &warnings) else { return unreadable() }
            try bytes.withUnsafeBufferPointer { try found($0, MessageLocation(container: .eml, file: path, folder: folder)) }
        case .emlx(let path, let folder):
            guard let bytes = readMessage(path, warnings: &warnings) else { return unreadable() }
            guard let range = Self.emlxMessage(bytes) else {
                warnings.append("\(path): not a readable .emlx file (its first line should give the message's length in bytes).")
                return unreadable()
            }
            try bytes[range].withUnsafeBufferPointer { try found($0, MessageLocation(container: .emlx, file: path, folder: folder)) }
        case .msg(let path, let folder):
            do {
                let message = try OutlookReader(separatesQuotedText: false).read(path: path)
                try found(message, MessageLocation(container: .msg, file: path, folder: folder)) { try FileBytes.contentHash(path) }
            } catch let error as DocumentError {
                warnings.append(error.description)
                unreadable()
            }
        case .pst(let path, _):
            try scanArchive(path, warnings: &warnings, unreadable: unreadable) { message, location in
                try found(message, location) { Self.contentKey(message) }
            }
        case .document:
            break
        }
    }

    /// Every message of an Outlook archive, with its folder and node; a message or folder
    /// that cannot be read is a warning and an unreadable count.
    func scanArchive(
        _ path: String, warnings: inout [String], unreadable: () -> Void, _ found: (MailMessage, MessageLocation) throws -> Void
    ) throws {
        do {
            var messages = try importer.outlookArchive(path: path, separatesQuotedText: false).messages()
            while let entry = messages.next() {
                switch entry.result {
                case .success(let message):
                    try found(message, MessageLocation(container: .pst, file: path, offset: Int(entry.nid), index: entry.index, folder: entry.folder))
                case .failure(let error):
                    warnings.append("\(path): folder '\(entry.folder)' message \(entry.index + 1): \(error.location.map { $0 + ": " } ?? "")\(error.message)")
                    unreadable()
                }
            }
            for folder in messages.folders {
                guard let error = folder.error else { continue }
                warnings.append("\(path): folder '\(folder.path.isEmpty ? "(root)" : folder.path)' could not be read: \(error)")
                unreadable()
            }
        } catch let error as DocumentError {
            warnings.append(error.description)
            unreadable()
        }
    }

    /// The identity of an archived message without a Message-ID: its sender, recipients,
    /// date, subject and text.
    static func contentKey(_ message: MailMessage) -> String {
        let fields = [
            message.from.map(\.address).joined(separator: ","), message.to.map(\.address).joined(separator: ","),
            message.cc.map(\.address).joined(separator: ","), message.date?.timestamp.map(String.init) ?? "", message.subject ?? "",
            message.bestText ?? "",
        ]
        let bytes = Array(fields.joined(separator: "\n").utf8)
        return Digest.hex(Digest.fnv64(bytes)) + Digest.hex(UInt64(bytes.count))
    }

    /// The header fields a scan keeps besides subject, addresses, date and ids.
    static let scannedFields: Set<String> = ["x-gmail-labels", "x-gm-thrid"]

    func fromSelected(_ message: MailMessage) -> Bool {
        guard !selection.from.isEmpty else { return true }
        let senders = (message.from + message.sender).map { $0.address.lowercased() }
        return selection.from.contains { wanted in senders.contains { $0.contains(wanted.lowercased()) } }
    }

    func readMessage(_ path: String, warnings: inout [String]) -> [UInt8]? {
        do {
            return try FileBytes.read(path, limit: 256 << 20)
        } catch {
            warnings.append("\(error)")
            return nil
        }
    }

    /// The message bytes of an .emlx file: after the byte-count line, that many bytes
    /// (the property list that follows is Apple Mail's own data).
    static func emlxMessage(_ bytes: [UInt8]) -> Range<Int>? {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return nil }
        let digits = bytes[..<newline].filter { $0 >= 0x30 && $0 <= 0x39 }
        guard !digits.isEmpty, digits.count <= 12, let count = Int(String(decoding: digits, as: UTF8.self)) else { return nil }
        let start = newline + 1
        return start..<min(bytes.count, start + count)
    }

    /// The flags of a Maildir file name (`1700000000.x.host:2,FS` → `FS`).
    static func maildirFlags(_ name: String) -> String? {
        let bytes = Array(name.utf8)
        guard bytes.count >= 3 else { return nil }
        for i in stride(from: bytes.count - 3, through: 0, by: -1)
        where bytes[i] == UInt8(ascii: ":") && bytes[i + 1] == UInt8(ascii: "2") && bytes[i + 2] == UInt8(ascii: ",") {
            return String(decoding: bytes[(i + 3)...], as: UTF8.self)
        }
        return nil
    }

    /// Gmail's labels: comma-separated, a label with a comma in double quotes.
    static func labels(_ value: String) -> [String] {
        var labels: [String] = []
        var current = ""
        var quoted = false
        for character in value {
            if character == "\"" {
                quoted.toggle()
            } else if character == "," && !quoted {
                labels.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        labels.append(current)
        return labels.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
    }

    /// The identity of a message without a Message-ID: its sender, recipients, date and
    /// subject as parsed, and its body with line ends and trailing blanks normalised — so
    /// the same mail exported twice (CRLF or LF, re-folded headers) is one message.
    static func contentKey(_ message: MailMessage, _ bytes: UnsafeBufferPointer<UInt8>, bodyStart: Int) -> String {
        var normalised: [UInt8] = []
        let fields = [
            message.from.map(\.address).joined(separator: ","), message.to.map(\.address).joined(separator: ","),
            message.cc.map(\.address).joined(separator: ","), message.date?.timestamp.map(String.init) ?? message.date?.raw ?? "",
            message.subject ?? "",
        ]
        normalised.append(contentsOf: fields.joined(separator: "\n").utf8)
        normalised.append(0)
        var line: [UInt8] = []
        var pendingBlankLines = 0
        func flushLine() {
            while let last = line.last, last == 0x20 || last == 0x09 || last == 0x0D { line.removeLast() }
            if line.isEmpty {
                pendingBlankLines += 1
            } else {
                if !normalised.isEmpty && normalised.last != 0 { normalised.append(0x0A) }
                for _ in 0..<pendingBlankLines { normalised.append(0x0A) }
                pendingBlankLines = 0
                normalised.append(contentsOf: line)
            }
            line.removeAll(keepingCapacity: true)
        }
        var i = min(bodyStart, bytes.count)
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0x0A { flushLine() } else { line.append(byte) }
            i += 1
        }
        flushLine()
        return Digest.hex128(normalised)
    }

    // MARK: Files

    /// A file item (its id carries a hash of the content), or nil with a warning.
    func fileItem(_ file: String, source: String, warnings: inout [String]) -> BatchItem? {
        do {
            let hash = try FileBytes.contentHash(file)
            return BatchItem(id: "file:\(file)#\(hash)", kind: .file, source: source, subject: nil, file: file)
        } catch {
            warnings.append("\(error)")
            return nil
        }
    }

    /// The files a container is made of as items: a Maildir's message files, else the file.
    static func files(of container: FoundContainer) -> [String] {
        guard case .maildir(let directory, _) = container else { return [container.path] }
        return ["cur", "new"].flatMap { sub in
            SourceWalker.names(in: directory + "/" + sub).filter { !$0.hasPrefix(".") }.map { directory + "/" + sub + "/" + $0 }
        }
    }
}
