internal import CSQLite

/// A failed SQLite call, with SQLite's own message and what Quire was doing.
public struct LedgerError: Error, Sendable, CustomStringConvertible {
    /// The ledger's file.
    public var path: String
    /// What failed, in SQLite's words and ours.
    public var message: String
    public var description: String { "\(path): \(message)" }

    /// An error for the ledger at `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// A value for a statement's parameter or read from a row.
enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
}

/// One SQLite connection (the C API, as `libsqlite3-dev` ships it). Not shared between
/// threads: the ledger guards it with a lock.
final class SQLiteConnection {
    private var db: OpaquePointer?
    let path: String
    private var cache: [String: OpaquePointer] = [:]

    init(path: String) throws(LedgerError) {
        self.path = path
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(handle)
            throw LedgerError(path: path, message: "cannot open the ledger: \(message).")
        }
        db = handle
        sqlite3_busy_timeout(handle, 5_000)
    }

    deinit {
        for statement in cache.values { sqlite3_finalize(statement) }
        sqlite3_close(db)
    }

    private func failure(_ what: String) -> LedgerError {
        LedgerError(path: path, message: "\(what): \(String(cString: sqlite3_errmsg(db))).")
    }

    /// Runs statements that take no parameters and return no rows.
    func execute(_ sql: String) throws(LedgerError) {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            throw LedgerError(path: path, message: "\(message) (in: \(sql.prefix(60)))")
        }
    }

    private func prepared(_ sql: String) throws(LedgerError) -> OpaquePointer {
        if let statement = cache[sql] {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            return statement
        }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw failure("cannot prepare \(sql.prefix(60))")
        }
        cache[sql] = statement
        return statement
    }

    private func bind(_ values: [SQLValue], to statement: OpaquePointer) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .null: sqlite3_bind_null(statement, index)
            case .int(let n): sqlite3_bind_int64(statement, index, n)
            case .double(let d): sqlite3_bind_double(statement, index, d)
            case .text(let s):
                var s = s
                s.withUTF8 { bytes in
                    _ = bytes.withMemoryRebound(to: CChar.self) { chars in
                        // An empty string has no base address; SQLite takes any pointer with length 0.
                        withUnsafePointer(to: CChar(0)) { empty in
                            quire_sqlite3_bind_text(statement, index, chars.baseAddress ?? empty, Int32(chars.count))
                        }
                    }
                }
            }
        }
    }

    /// Runs one statement with parameters; returns the rows changed.
    @discardableResult
    func run(_ sql: String, _ values: [SQLValue] = []) throws(LedgerError) -> Int {
        let statement = try prepared(sql)
        bind(values, to: statement)
        let status = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard status == SQLITE_DONE || status == SQLITE_ROW else { throw failure("cannot run \(sql.prefix(60))") }
        return Int(sqlite3_changes(db))
    }

    /// The rows of a query, each as its columns' values.
    func rows(_ sql: String, _ values: [SQLValue] = []) throws(LedgerError) -> [[SQLValue]] {
        let statement = try prepared(sql)
        bind(values, to: statement)
        defer { sqlite3_reset(statement) }
        var out: [[SQLValue]] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw failure("cannot read \(sql.prefix(60))") }
            let count = sqlite3_column_count(statement)
            var row: [SQLValue] = []
            row.reserveCapacity(Int(count))
            for column in 0..<count {
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: row.append(.int(sqlite3_column_int64(statement, column)))
                case SQLITE_FLOAT: row.append(.double(sqlite3_column_double(statement, column)))
                case SQLITE_NULL: row.append(.null)
                default:
                    if let text = sqlite3_column_text(statement, column) {
                        let length = Int(sqlite3_column_bytes(statement, column))
                        row.append(.text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self)))
                    } else {
                        row.append(.null)
                    }
                }
            }
            out.append(row)
        }
        return out
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }
}

extension SQLValue {
    var int: Int? {
        switch self {
        case .int(let n): Int(n)
        case .double(let d): Int(d)
        default: nil
        }
    }
    var double: Double? {
        switch self {
        case .int(let n): Double(n)
        case .double(let d): d
        default: nil
        }
    }
    var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }
    init(_ string: String?) { self = string.map { .text($0) } ?? .null }
    init(_ int: Int?) { self = int.map { .int(Int64($0)) } ?? .null }
    init(_ double: Double?) { self = double.map { .double($0) } ?? .null }
}
