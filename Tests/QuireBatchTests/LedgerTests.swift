import Foundation
import QuireBatch
import Testing

/// The ledger and the results file it projects: committed lines survive every way a run
/// can be cut short, each exactly once.
struct LedgerTests {
    static func temporary() -> String {
        let dir = NSTemporaryDirectory() + "quire-ledger-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/results.jsonl"
    }

    static func items(_ n: Int) -> [BatchItem] {
        (0..<n).map {
            BatchItem(
                id: "msg:\($0)@x", kind: .message, source: "s.mbox", messages: [MessageLocation(container: .mbox, file: "s.mbox", offset: $0 * 100, index: $0)])
        }
    }

    static func outcome(_ id: String, _ text: String, state: BatchLedger.State = .done) -> BatchLedger.Outcome {
        BatchLedger.Outcome(id: id, state: state, line: "{\"id\":\"\(id)\",\"result\":\"\(text)\"}", attempts: 1, errorCode: state == .failed ? "timeout" : nil)
    }

    static func contents(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    @Test("items are added once; their order and locations are kept")
    func addOnce() throws {
        let path = Self.temporary()
        let ledger = try BatchLedger(path: BatchLedger.path(forResults: path))
        #expect(try ledger.add(Self.items(5)) == 5)
        #expect(try ledger.add(Self.items(7)) == 2, "known items keep their place and state")
        let pending = try ledger.pending(after: 0, limit: 100)
        #expect(pending.map(\.item.id) == (0..<7).map { "msg:\($0)@x" })
        #expect(pending[3].item.messages.first?.offset == 300)
        #expect(pending[3].item.messages.first?.index == 3)
        #expect(try ledger.counts()[.pending] == 7)
    }

    @Test("settings of a run are stored once and a different run is told apart")
    func settings() throws {
        let ledger = try BatchLedger(path: BatchLedger.path(forResults: Self.temporary()))
        #expect(try ledger.checkSettings(["task": "summarise", "per": "thread"]) == nil)
        #expect(try ledger.checkSettings(["task": "summarise", "per": "thread"]) == nil)
        let mismatch = try #require(try ledger.checkSettings(["task": "reply", "per": "thread"]))
        #expect(mismatch.key == "task" && mismatch.stored == "summarise" && mismatch.given == "reply")
    }

    @Test("committed lines missing from the file (killed between commit and write) are appended")
    func appendsMissing() throws {
        let path = Self.temporary()
        let ledger = try BatchLedger(path: BatchLedger.path(forResults: path))
        try ledger.add(Self.items(3))
        let results = try ResultsFile(path: path, ledger: ledger)
        try results.append(try ledger.record([Self.outcome("msg:0@x", "a")]))
        _ = try ledger.record([Self.outcome("msg:1@x", "b"), Self.outcome("msg:2@x", "c")])  // never written
        results.close()
        _ = try ResultsFile(path: path, ledger: ledger)
        let lines = Self.contents(path).split(separator: "\n")
        #expect(lines == [#"{"id":"msg:0@x","result":"a"}"#, #"{"id":"msg:1@x","result":"b"}"#, #"{"id":"msg:2@x","result":"c"}"#])
    }

    @Test("a torn last line is cut and written whole; a line the ledger never committed is dropped")
    func tornLine() throws {
        let path = Self.temporary()
        let ledger = try BatchLedger(path: BatchLedger.path(forResults: path))
        try ledger.add(Self.items(3))
        let results = try ResultsFile(path: path, ledger: ledger)
        try results.append(try ledger.record([Self.outcome("msg:0@x", "a"), Self.outcome("msg:1@x", "b")]))
        results.close()
        // The file gets half of line 2 cut off, and an uncommitted line after a crash.
        var text = Self.contents(path)
        text.removeLast(6)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        _ = try ResultsFile(path: path, ledger: ledger)
        #expect(Self.contents(path) == "{\"id\":\"msg:0@x\",\"result\":\"a\"}\n{\"id\":\"msg:1@x\",\"result\":\"b\"}\n")
        try (Self.contents(path) + "{\"id\":\"msg:2@x\",\"result\":\"never committed\"}\n").write(toFile: path, atomically: false, encoding: .utf8)
        _ = try ResultsFile(path: path, ledger: ledger)
        #expect(Self.contents(path).split(separator: "\n").count == 2)
        // A deleted results file is written anew from the ledger.
        try FileManager.default.removeItem(atPath: path)
        _ = try ResultsFile(path: path, ledger: ledger)
        #expect(Self.contents(path).split(separator: "\n").count == 2)
    }

    @Test("--retry-failed: failed items are pending again and their lines leave the file")
    func retryFailed() throws {
        let path = Self.temporary()
        let ledger = try BatchLedger(path: BatchLedger.path(forResults: path))
        try ledger.add(Self.items(3))
        let results = try ResultsFile(path: path, ledger: ledger)
        try results.append(
            try ledger.record([Self.outcome("msg:0@x", "a"), Self.outcome("msg:1@x", "", state: .failed), Self.outcome("msg:2@x", "c")]))
        results.close()
        #expect(try ledger.counts()[.failed] == 1)
        #expect(try ledger.resetFailed() == 1)
        _ = try ResultsFile(path: path, ledger: ledger)
        #expect(Self.contents(path).split(separator: "\n").map { $0.contains("msg:1@x") } == [false, false])
        #expect(try ledger.pending(after: 0, limit: 10).map(\.item.id) == ["msg:1@x"])
        let again = try ResultsFile(path: path, ledger: ledger)
        try again.append(try ledger.record([Self.outcome("msg:1@x", "b")]))
        again.close()
        _ = try ResultsFile(path: path, ledger: ledger)
        #expect(Self.contents(path).split(separator: "\n").count == 3)
        #expect(try ledger.counts()[.done] == 3)
    }

    @Test("the reconciliation counts per source and failures by reason")
    func reconciliation() throws {
        let path = Self.temporary()
        let ledger = try BatchLedger(path: BatchLedger.path(forResults: path))
        try ledger.add(Self.items(4))
        var tally = SourceTally(source: "s.mbox")
        tally.found = 6
        tally.duplicates = 1
        tally.filtered = 1
        tally.items = 4
        try ledger.saveTallies([tally])
        var done = Self.outcome("msg:0@x", "a")
        done.inputTokens = 100
        done.outputTokens = 20
        done.cost = 0.5
        _ = try ledger.record([done, Self.outcome("msg:1@x", "", state: .failed)])
        let row = try #require(try ledger.reconciliation().first)
        #expect(row.found == 6 && row.duplicates == 1 && row.filtered == 1 && row.items == 4)
        #expect(row.done == 1 && row.failed == 1 && row.pending == 2)
        #expect(row.failures == ["timeout": 1])
        #expect(row.inputTokens == 100 && row.outputTokens == 20 && row.cost == 0.5)
    }
}
