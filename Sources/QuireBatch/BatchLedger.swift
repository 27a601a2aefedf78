import QuireInternalThreads

/// The state of a batch run, kept in SQLite (WAL) beside the results file: every item with
/// its state, and — for every finished item — the exact line written for it, in the order
/// written. The results file is a projection of the ledger: a line is committed here
/// before it is appended there, so after any crash the file can be brought back to exactly
/// the committed lines (a torn last line cut off, missing lines appended). Nothing is ever
/// in the file that the ledger does not know, so no item appears twice.
public final class BatchLedger: @unchecked Sendable {
    // @unchecked: the connection is only used under `lock`.
    private let lock = Locked<Void>(())
    private let db: SQLiteConnection
    /// The ledger's file.
    public let path: String
    /// The last written line's number and end, once read (renumbering forgets it).
    private var outputTail: (seq: Int, end: Int)?

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
    private func locked<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
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
    private func renumberLines() throws {
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

    // MARK: Provider batches

    /// A provider batch as the ledger knows it.
    public struct ProviderBatch: Sendable, Equatable {
        /// The ledger's own number for the batch.
        public var ref: Int
        /// The backend (config name) it was sent to.
        public var backend: String
        /// The provider's id (nil while the batch is being created, or when creating it failed).
        public var providerID: String?
        /// `creating`, `open` (sent, results not collected), `collected`.
        public var state: String
        /// Requests it holds.
        public var requests: Int
    }

    /// Records a batch about to be created, with its items (state `submitted`), before the
    /// provider is asked: a run killed in between finds the batch without a provider id.
    public func beginProviderBatch(backend: String, items: [(id: String, customID: String)]) throws(LedgerError) -> Int {
        try locked { () throws(LedgerError) in
            do {
                return try db.transaction {
                    try db.run("INSERT INTO provider_batches(backend, state, requests) VALUES (?, 'creating', ?)", [.text(backend), .int(Int64(items.count))])
                    let ref = try db.rows("SELECT last_insert_rowid()").first?[0].int ?? 0
                    for (id, customID) in items {
                        try db.run(
                            "UPDATE items SET state = 'submitted', custom_id = ?, batch_ref = ? WHERE id = ?", [.text(customID), .int(Int64(ref)), .text(id)])
                    }
                    return ref
                }
            } catch {
                throw (error as? LedgerError) ?? LedgerError(path: path, message: "\(error)")
            }
        }
    }

    /// The provider accepted the batch.
    public func openProviderBatch(_ ref: Int, providerID: String) throws(LedgerError) {
        try locked { () throws(LedgerError) in
            try db.run("UPDATE provider_batches SET provider_id = ?, state = 'open' WHERE ref = ?", [.text(providerID), .int(Int64(ref))])
        }
    }

    /// The batch is done with: its items that got no result go back to pending.
    /// Returns how many went back.
    @discardableResult
    public func closeProviderBatch(_ ref: Int) throws(LedgerError) -> Int {
        try locked { () throws(LedgerError) in
            do {
                return try db.transaction {
                    let back = try db.run(
                        "UPDATE items SET state = 'pending', custom_id = NULL, batch_ref = NULL WHERE batch_ref = ? AND state = 'submitted'", [.int(Int64(ref))]
                    )
                    try db.run("UPDATE provider_batches SET state = 'collected' WHERE ref = ?", [.int(Int64(ref))])
                    return back
                }
            } catch {
                throw (error as? LedgerError) ?? LedgerError(path: path, message: "\(error)")
            }
        }
    }

    /// Batches not yet collected (`creating` or `open`).
    public func openProviderBatches() throws(LedgerError) -> [ProviderBatch] {
        try locked { () throws(LedgerError) in
            try db.rows("SELECT ref, backend, provider_id, state, requests FROM provider_batches WHERE state != 'collected' ORDER BY ref").map {
                ProviderBatch(ref: $0[0].int ?? 0, backend: $0[1].text ?? "", providerID: $0[2].text, state: $0[3].text ?? "", requests: $0[4].int ?? 0)
            }
        }
    }

    /// The item of batch `ref` that a result's custom id names, if it still waits for one
    /// (an item sent again in a later batch is not the earlier batch's to settle).
    public func submitted(customID: String, batch ref: Int) throws(LedgerError) -> Entry? {
        try locked { () throws(LedgerError) in
            try db.rows(
                "SELECT \(Self.entryColumns) FROM items WHERE custom_id = ? AND state = 'submitted' AND batch_ref = ?", [.text(customID), .int(Int64(ref))]
            ).first.map(entry)
        }
    }

    /// The item at `seq` (custom ids of exported requests are `q<seq>`).
    public func entry(seq: Int) throws(LedgerError) -> Entry? {
        try locked { () throws(LedgerError) in try db.rows("SELECT \(Self.entryColumns) FROM items WHERE seq = ?", [.int(Int64(seq))]).first.map(entry) }
    }

    /// Items sent back to pending (an errored or expired request to send again).
    public func release(ids: [String]) throws(LedgerError) {
        try locked { () throws(LedgerError) in
            do {
                try db.transaction {
                    for id in ids {
                        try db.run("UPDATE items SET state = 'pending', custom_id = NULL, batch_ref = NULL WHERE id = ? AND state = 'submitted'", [.text(id)])
                    }
                }
            } catch {
                throw (error as? LedgerError) ?? LedgerError(path: path, message: "\(error)")
            }
        }
    }

    // MARK: Merging shards

    /// Joins the ledgers of shards (`--shard K/N` runs) into this empty ledger: every item
    /// once (an id found in two shards counts once, the finished one kept), the lines in
    /// shard order, and per source the figures the shards share (found, duplicates,
    /// unreadable and filtered: each shard scanned everything and applied the same filters)
    /// with the items summed. Returns the ids that were in more than one shard.
    public func merge(_ shards: [BatchLedger]) throws(LedgerError) -> [String] {
        var twice: [String] = []
        var tallies: [String: SourceTally] = [:]
        var order: [String] = []
        var settings: [String: String] = [:]
        for shard in shards {
            let (rows, sources, meta) = try shard.locked { () throws(LedgerError) in
                (
                    try shard.db.rows(
                        "SELECT id, kind, source, subject, date, file, messages, state, attempts, error_code, backend, input_tokens, output_tokens, cost, line FROM items ORDER BY COALESCE(out_seq, 1e18), seq"
                    ),
                    try shard.db.rows("SELECT label, found, duplicates, filtered, unreadable, items, other_shards FROM sources ORDER BY rowid"),
                    try shard.db.rows("SELECT key, value FROM meta")
                )
            }
            for row in meta {
                guard let key = row[0].text, let value = row[1].text, key != "selection", key != "command", key != "directory" else { continue }
                if settings[key] == nil { settings[key] = value }
            }
            for row in sources {
                let label = row[0].text ?? ""
                if tallies[label] == nil {
                    order.append(label)
                    var tally = SourceTally(source: label)
                    tally.found = row[1].int ?? 0
                    tally.duplicates = row[2].int ?? 0
                    tally.filtered = row[3].int ?? 0
                    tally.unreadable = row[4].int ?? 0
                    tallies[label] = tally
                }
                tallies[label]!.items += row[5].int ?? 0
            }
            try locked { () throws(LedgerError) in
                do {
                    try db.transaction {
                        var seq = (try db.rows("SELECT COALESCE(MAX(seq), 0) FROM items").first?[0].int ?? 0)
                        for row in rows {
                            let id = row[0]
                            if let existing = try db.rows("SELECT state FROM items WHERE id = ?", [id]).first {
                                twice.append(id.text ?? "")
                                // Keep a finished item over an unfinished one.
                                guard existing[0].text != "done", row[7].text == "done" else { continue }
                                try db.run("DELETE FROM items WHERE id = ?", [id])
                            }
                            seq += 1
                            try db.run(
                                """
                                INSERT INTO items(id, seq, kind, source, subject, date, file, messages, state, attempts, error_code, backend,
                                    input_tokens, output_tokens, cost, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                                """,
                                [id, .int(Int64(seq))] + Array(row[1...7]).map { $0 == .text("submitted") ? .text("pending") : $0 } + Array(row[8...]))
                        }
                    }
                } catch {
                    throw (error as? LedgerError) ?? LedgerError(path: path, message: "\(error)")
                }
            }
        }
        try locked { () throws(LedgerError) in
            do {
                try db.transaction {
                    // Lines in order: the rows that have one, numbered afresh.
                    try db.run("UPDATE items SET out_seq = seq WHERE line IS NOT NULL")
                    try renumberLines()
                    for (key, value) in settings { try db.run("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [.text(key), .text(value)]) }
                }
            } catch {
                throw (error as? LedgerError) ?? LedgerError(path: path, message: "\(error)")
            }
        }
        try saveTallies(order.map { tallies[$0]! })
        return twice
    }

    // MARK: Reconciliation

    /// Stores what the planning found per source (replacing the previous figures).
    public func saveTallies(_ tallies: [SourceTally]) throws(LedgerError) {
        try locked { () throws(LedgerError) in
            do {
                try db.transaction {
                    for tally in tallies {
                        try db.run(
                            "INSERT OR REPLACE INTO sources(label, found, duplicates, filtered, unreadable, items, other_shards) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            [
                                .text(tally.source), .int(Int64(tally.found)), .int(Int64(tally.duplicates)), .int(Int64(tally.filtered)),
                                .int(Int64(tally.unreadable)), .int(Int64(tally.items)), .int(Int64(tally.otherShards)),
                            ])
                    }
                }
            } catch {
                throw (error as? LedgerError) ?? LedgerError(path: path, message: "\(error)")
            }
        }
    }

    /// Per source: what was found and what became of the items.
    public func reconciliation() throws(LedgerError) -> [BatchReconciliation] {
        try locked { () throws(LedgerError) in
            var out: [String: BatchReconciliation] = [:]
            var order: [String] = []
            for row in try db.rows("SELECT label, found, duplicates, filtered, unreadable, items, other_shards FROM sources ORDER BY rowid") {
                let label = row[0].text ?? ""
                order.append(label)
                out[label] = BatchReconciliation(
                    source: label, found: row[1].int ?? 0, duplicates: row[2].int ?? 0, filtered: row[3].int ?? 0, unreadable: row[4].int ?? 0,
                    items: row[5].int ?? 0)
                out[label]!.otherShards = row[6].int ?? 0
            }
            let rows = try db.rows(
                """
                SELECT source, state, COALESCE(error_code, ''), COUNT(*), SUM(input_tokens), SUM(output_tokens), SUM(cost), COUNT(cost)
                FROM items WHERE kind != 'digest' GROUP BY source, state, error_code
                """)
            for row in rows {
                let label = row[0].text ?? ""
                if out[label] == nil {
                    order.append(label)
                    out[label] = BatchReconciliation(source: label)
                }
                let count = row[3].int ?? 0
                switch State(rawValue: row[1].text ?? "") {
                case .done: out[label]!.done += count
                case .failed:
                    out[label]!.failed += count
                    out[label]!.failures[row[2].text ?? "", default: 0] += count
                case .submitted: out[label]!.submitted += count
                default: out[label]!.pending += count
                }
                out[label]!.inputTokens += row[4].int ?? 0
                out[label]!.outputTokens += row[5].int ?? 0
                if (row[7].int ?? 0) > 0 { out[label]!.cost = (out[label]!.cost ?? 0) + (row[6].double ?? 0) }
            }
            return order.compactMap { out[$0] }
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
