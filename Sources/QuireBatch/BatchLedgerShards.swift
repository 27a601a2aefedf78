import QuireInternalThreads

/// Merging the ledgers of shards, and the reconciliation per source.
extension BatchLedger {
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
