import QuireInternalThreads

/// The state of a batch run, kept in SQLite (WAL) beside the results file: every item with
/// its state, and — for every finished item — the exact line written for it, in the order
/// written. The results file is a projection of the ledger: a line is committed here
/// before it is appended there, so after any crash the file can be brought back to exactly
/// the committed lines (a torn last line cut off, missing lines appended). Nothing is ever
/// in the file that the ledger does not know, so no item appears twice.
public final class BatchLedger: @unchecked Sendable {
    // @unchecked: the connection is only used under `lock`.
    let lock = Locked<Void>(())
    let db: SQLiteConnection
    /// The ledger's file.
    public let path: String
    /// The last written line's number and end, once read (renumbering forgets it).
    var outputTail: (seq: Int, end: Int)?

    /// Where an item stands.
    public enum State: String, Sendable {
        /// Not done yet (or to be tried again).
        case pending
        /// Sent in a provider batch, its result not yet collected.
        case submitted
        /// Done: its result line is in the ledger.
        case done
        /// Failed for good: its failure line is in the ledger.
        case failed
    }

    /// The ledger beside a results file.
    public static func path(forResults results: String) -> String { results + ".ledger" }

    /// Opens (or creates) the ledger at `path`, creating its tables on first use.
    /// - Throws: `LedgerError` when SQLite cannot open or migrate it.
    public init(path: String) throws(LedgerError) {
        self.path = path
        db = try SQLiteConnection(path: path)
        try db.execute(
            """
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=NORMAL;
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS items (
                id TEXT PRIMARY KEY,
                seq INTEGER NOT NULL,
                kind TEXT NOT NULL,
                source TEXT NOT NULL,
                subject TEXT,
                date INTEGER,
                file TEXT,
                messages TEXT NOT NULL DEFAULT '',
                state TEXT NOT NULL DEFAULT 'pending',
                attempts INTEGER NOT NULL DEFAULT 0,
                error_code TEXT,
                backend TEXT,
                input_tokens INTEGER NOT NULL DEFAULT 0,
                output_tokens INTEGER NOT NULL DEFAULT 0,
                cost REAL,
                line TEXT,
                out_seq INTEGER,
                out_end INTEGER,
                custom_id TEXT,
                batch_ref INTEGER
            );
            CREATE INDEX IF NOT EXISTS items_custom ON items(custom_id) WHERE custom_id IS NOT NULL;
            CREATE TABLE IF NOT EXISTS provider_batches (
                ref INTEGER PRIMARY KEY AUTOINCREMENT, backend TEXT NOT NULL, provider_id TEXT, state TEXT NOT NULL, requests INTEGER NOT NULL
            );
            CREATE UNIQUE INDEX IF NOT EXISTS items_seq ON items(seq);
            CREATE INDEX IF NOT EXISTS items_out ON items(out_end) WHERE out_end IS NOT NULL;
            CREATE TABLE IF NOT EXISTS sources (
                label TEXT PRIMARY KEY, found INTEGER, duplicates INTEGER, filtered INTEGER, unreadable INTEGER, items INTEGER,
                other_shards INTEGER NOT NULL DEFAULT 0
            );
            """)
    }

    @discardableResult
    func locked<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        try lock.withLock { _ throws(LedgerError) in try body() }
    }

    // MARK: The run's settings

    /// Checks that this run asks for what the ledger's run did (task, granularity, options,
    /// selection); stores them on the first run. Returns the stored value that differs.
    public func checkSettings(_ settings: [String: String]) throws(LedgerError) -> (key: String, stored: String, given: String)? {
        try locked { () throws(LedgerError) in
            var stored: [String: String] = [:]
            for row in try db.rows("SELECT key, value FROM meta") {
                if let key = row[0].text, let value = row[1].text { stored[key] = value }
            }
            if stored.isEmpty {
                do {
                    try db.transaction {
                        for (key, value) in settings { try db.run("INSERT INTO meta(key, value) VALUES (?, ?)", [.text(key), .text(value)]) }
                    }
                } catch {
                    throw (error as? LedgerError) ?? LedgerError(path: path, message: "\(error)")
                }
                return nil
            }
            for key in settings.keys.sorted() where stored[key] != settings[key] {
                return (key, stored[key] ?? "(none)", settings[key] ?? "(none)")
            }
            return nil
        }
    }

    /// Stores a value that is not part of the settings check (how the run was sent).
    public func setSetting(_ key: String, _ value: String) throws(LedgerError) {
        try locked { () throws(LedgerError) in try db.run("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [.text(key), .text(value)]) }
    }

    /// A value stored with `setSetting(_:_:)`, or nil.
    public func setting(_ key: String) throws(LedgerError) -> String? {
        try locked { () throws(LedgerError) in try db.rows("SELECT value FROM meta WHERE key = ?", [.text(key)]).first?[0].text }
    }

    // MARK: Items

    /// Adds items not yet in the ledger (by id), after the ones it has; items it has keep
    /// their state. Returns how many were new.
    @discardableResult
    public func add(_ items: [BatchItem]) throws(LedgerError) -> Int {
        guard !items.isEmpty else { return 0 }
        return try locked { () throws(LedgerError) in
            var next = (try db.rows("SELECT COALESCE(MAX(seq), 0) FROM items").first?[0].int ?? 0) + 1
            var added = 0
            do {
                try db.transaction {
                    for item in items {
                        let changed = try db.run(
                            "INSERT OR IGNORE INTO items(id, seq, kind, source, subject, date, file, messages) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [
                                .text(item.id), .int(Int64(next)), .text(item.kind.rawValue), .text(item.source), SQLValue(item.subject),
                                item.date.map { .int($0) } ?? .null, SQLValue(item.file), .text(LocationCoding.encode(item.messages)),
                            ])
                        if changed > 0 {
                            next += 1
                            added += 1
                        }
                    }
                }
            } catch {
                throw (error as? LedgerError) ?? LedgerError(path: path, message: "\(error)")
            }
            return added
        }
    }

    /// An item as stored, with its state.
    public struct Entry: Sendable {
        /// Its position in the plan: results are written in this order.
        public var seq: Int
        /// The item.
        public var item: BatchItem
        /// Where it stands.
        public var state: State
        /// How many times it was tried.
        public var attempts: Int
    }

    func entry(_ row: [SQLValue]) -> Entry {
        let item = BatchItem(
            id: row[1].text ?? "", kind: BatchGranularity(rawValue: row[2].text ?? "") ?? .message, source: row[3].text ?? "",
            subject: row[4].text, date: row[5].int.map(Int64.init), messages: LocationCoding.decode(row[7].text ?? ""), file: row[6].text)
        return Entry(seq: row[0].int ?? 0, item: item, state: State(rawValue: row[8].text ?? "") ?? .pending, attempts: row[9].int ?? 0)
    }

    static let entryColumns = "seq, id, kind, source, subject, date, file, messages, state, attempts"

    /// Items still to do (pending; with `includeFailed`, failed ones too), in order, after `seq`.
    public func pending(after seq: Int, limit: Int, includeFailed: Bool = false) throws(LedgerError) -> [Entry] {
        try locked { () throws(LedgerError) in
            let states = includeFailed ? "('pending', 'failed')" : "('pending')"
            return try db.rows(
                "SELECT \(Self.entryColumns) FROM items WHERE seq > ? AND state IN \(states) ORDER BY seq LIMIT ?", [.int(Int64(seq)), .int(Int64(limit))]
            ).map(entry)
        }
    }

    /// The stored item with id `id`, or nil.
    public func entry(id: String) throws(LedgerError) -> Entry? {
        try locked { () throws(LedgerError) in try db.rows("SELECT \(Self.entryColumns) FROM items WHERE id = ?", [.text(id)]).first.map(entry) }
    }

    /// How many items are in each state.
    public func counts() throws(LedgerError) -> [State: Int] {
        try locked { () throws(LedgerError) in
            var out: [State: Int] = [:]
            for row in try db.rows("SELECT state, COUNT(*) FROM items GROUP BY state") {
                if let state = State(rawValue: row[0].text ?? "") { out[state] = row[1].int ?? 0 }
            }
            return out
        }
    }

    // MARK: Results

    /// A finished item: its line for the results file and what the report needs.
    public struct Outcome: Sendable {
        /// The item's id.
        public var id: String
        /// Done or failed.
        public var state: State
        /// Its line for the results file (JSON).
        public var line: String
        /// How many times it was tried.
        public var attempts: Int
        /// The failure's code, for a failed item.
        public var errorCode: String?
        /// The backend that answered.
        public var backend: String?
        /// Input tokens it took.
        public var inputTokens: Int
        /// Output tokens it took.
        public var outputTokens: Int
        /// What it cost, when the backend has prices.
        public var cost: Double?

        /// An outcome from its parts.
        public init(
            id: String, state: State, line: String, attempts: Int, errorCode: String? = nil, backend: String? = nil, inputTokens: Int = 0,
            outputTokens: Int = 0, cost: Double? = nil
        ) {
            self.id = id
            self.state = state
            self.line = line
            self.attempts = attempts
            self.errorCode = errorCode
            self.backend = backend
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.cost = cost
        }
    }

    /// Records finished items in one transaction, each with its place in the results file;
    /// returns the bytes to append there (the lines, in order).
    public func record(_ outcomes: [Outcome]) throws(LedgerError) -> [UInt8] {
        guard !outcomes.isEmpty else { return [] }
        return try locked { () throws(LedgerError) in
            if outputTail == nil {
                let last = try db.rows("SELECT COALESCE(MAX(out_seq), 0), COALESCE(MAX(out_end), 0) FROM items").first
                outputTail = (last?[0].int ?? 0, last?[1].int ?? 0)
            }
            var (outSeq, end) = outputTail!
            var bytes: [UInt8] = []
            do {
                try db.transaction {
                    for outcome in outcomes {
                        let line = outcome.line.hasSuffix("\n") ? outcome.line : outcome.line + "\n"
                        outSeq += 1
                        end += line.utf8.count
                        try db.run(
                            """
                            UPDATE items SET state = ?, line = ?, out_seq = ?, out_end = ?, attempts = ?, error_code = ?, backend = ?,
                                input_tokens = ?, output_tokens = ?, cost = ? WHERE id = ?
                            """,
                            [
                                .text(outcome.state.rawValue), .text(line), .int(Int64(outSeq)), .int(Int64(end)), .int(Int64(outcome.attempts)),
                                SQLValue(outcome.errorCode), SQLValue(outcome.backend), .int(Int64(outcome.inputTokens)),
                                .int(Int64(outcome.outputTokens)), SQLValue(outcome.cost), .text(outcome.id),
                            ])
                        bytes.append(contentsOf: line.utf8)
                    }
                }
            } catch {
                outputTail = nil
                throw (error as? LedgerError) ?? LedgerError(path: path, message: "\(error)")
            }
            outputTail = (outSeq, end)
            return bytes
        }
    }

    /// Failed items become pending again and lose their line (the results file is then
    /// rewritten without it). Returns how many.
    @discardableResult
    public func resetFailed() throws(LedgerError) -> Int {
        try locked { () throws(LedgerError) in
            do {
                return try db.transaction {
                    let reset = try db.run("UPDATE items SET state = 'pending', line = NULL, out_seq = NULL, out_end = NULL WHERE state = 'failed'")
                    if reset > 0 { try renumberLines() }
                    return reset
                }
            } catch {
                throw (error as? LedgerError) ?? LedgerError(path: path, message: "\(error)")
            }
        }
    }

    /// Removes the items whose id starts with `prefix` (an earlier digest), lines and all.
    public func removeItems(prefix: String) throws(LedgerError) {
        try locked { () throws(LedgerError) in
            do {
                try db.transaction {
                    let removed = try db.run("DELETE FROM items WHERE substr(id, 1, ?) = ?", [.int(Int64(prefix.utf8.count)), .text(prefix)])
                    if removed > 0 { try renumberLines() }
                }
            } catch {
                throw (error as? LedgerError) ?? LedgerError(path: path, message: "\(error)")
            }
        }
    }

    /// After lines were taken out, the lines left are renumbered so that their ends are the
    /// offsets of a file holding exactly them, in order: the results file no longer matches
    /// and is written anew when it is next opened. Runs inside a transaction, under the lock.
    func renumberLines() throws {
        outputTail = nil
        let rows = try db.rows("SELECT id, LENGTH(CAST(line AS BLOB)) FROM items WHERE out_seq IS NOT NULL ORDER BY out_seq")
        var end = 0
        for (index, row) in rows.enumerated() {
            end += row[1].int ?? 0
            try db.run("UPDATE items SET out_seq = ?, out_end = ? WHERE id = ?", [.int(Int64(index + 1)), .int(Int64(end)), row[0]])
        }
    }

    /// The lines of finished items (in the order written), leaving out ids with `prefix`.
    public func doneLines(excludingPrefix prefix: String) throws(LedgerError) -> [(id: String, line: String)] {
        try locked { () throws(LedgerError) in
            try db.rows(
                "SELECT id, line FROM items WHERE state = 'done' AND substr(id, 1, ?) != ? ORDER BY out_seq",
                [.int(Int64(prefix.utf8.count)), .text(prefix)]
            ).map { ($0[0].text ?? "", $0[1].text ?? "") }
        }
    }

    /// The committed result line of one done item, if it is done.
    public func doneLine(id: String) throws(LedgerError) -> String? {
        try locked { () throws(LedgerError) in
            try db.rows("SELECT line FROM items WHERE id = ? AND state = 'done'", [.text(id)]).first?[0].text
        }
    }

    /// The end of the committed output (the size the results file must have).
    func outputEnd() throws(LedgerError) -> Int {
        try locked { () throws(LedgerError) in try db.rows("SELECT COALESCE(MAX(out_end), 0) FROM items").first?[0].int ?? 0 }
    }

    /// The committed line that ends at byte `end` of the results file, if one does.
    func line(endingAt end: Int) throws(LedgerError) -> String? {
        try locked { () throws(LedgerError) in try db.rows("SELECT line FROM items WHERE out_end = ?", [.int(Int64(end))]).first?[0].text }
    }

    /// Committed lines ending after byte `end`, in order, a page at a time.
    func lines(after end: Int, limit: Int) throws(LedgerError) -> [(end: Int, line: String)] {
        try locked { () throws(LedgerError) in
            try db.rows("SELECT out_end, line FROM items WHERE out_end > ? ORDER BY out_end LIMIT ?", [.int(Int64(end)), .int(Int64(limit))]).map {
                ($0[0].int ?? 0, $0[1].text ?? "")
            }
        }
    }

}

/// One source's line of the reconciliation.
public struct BatchReconciliation: Sendable, Equatable {
    /// The source, as the user named it.
    public var source: String
    /// Messages (or files) found in it.
    public var found = 0
    /// Messages seen before in this or another source.
    public var duplicates = 0
    /// Left out by the selection (`--label`, `--since`, `--limit`…).
    public var filtered = 0
    /// Messages or files that could not be read at all.
    public var unreadable = 0
    /// Items planned (over all runs of this ledger).
    public var items = 0
    /// Items done.
    public var done = 0
    /// Items failed for good.
    public var failed = 0
    /// Failed items by error code.
    public var failures: [String: Int] = [:]
    /// Planned but not finished (the run stopped early: budget, Ctrl-C, a crash).
    public var pending = 0
    /// In a provider batch whose results are not collected yet.
    public var submitted = 0
    /// Messages or files left to the other shards (`--shard K/N`).
    public var otherShards = 0
    /// Input tokens over its items.
    public var inputTokens = 0
    /// Output tokens over its items.
    public var outputTokens = 0
    /// What its items cost, when the backends have prices.
    public var cost: Double?

    /// A line of the reconciliation from the planner's counts.
    public init(source: String, found: Int = 0, duplicates: Int = 0, filtered: Int = 0, unreadable: Int = 0, items: Int = 0) {
        self.source = source
        self.found = found
        self.duplicates = duplicates
        self.filtered = filtered
        self.unreadable = unreadable
        self.items = items
    }
}

/// Message locations as one text column: fields separated by U+001F, locations by U+001E,
/// labels by U+001D (characters that no path, label or Message-ID holds).
enum LocationCoding {
    static func encode(_ locations: [MessageLocation]) -> String {
        locations.map { l in
            [
                l.container.rawValue, l.file, l.offset.map(String.init) ?? "", l.index.map(String.init) ?? "", l.folder ?? "",
                l.labels.joined(separator: "\u{1D}"), l.flags ?? "", l.messageID ?? "",
            ].joined(separator: "\u{1F}")
        }.joined(separator: "\u{1E}")
    }

    static func decode(_ text: String) -> [MessageLocation] {
        guard !text.isEmpty else { return [] }
        return text.split(separator: "\u{1E}", omittingEmptySubsequences: false).compactMap { record in
            let f = record.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 8, let container = MessageLocation.Container(rawValue: f[0]) else { return nil }
            return MessageLocation(
                container: container, file: f[1], offset: Int(f[2]), index: Int(f[3]), folder: f[4].isEmpty ? nil : f[4],
                labels: f[5].isEmpty ? [] : f[5].split(separator: "\u{1D}").map(String.init), flags: f[6].isEmpty ? nil : f[6],
                messageID: f[7].isEmpty ? nil : f[7])
        }
    }
}
