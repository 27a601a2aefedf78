import QuireInternalThreads

/// The provider batches a run has submitted, and the items in each.
extension BatchLedger {
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
}
