import Foundation
import Testing

@testable import QuireImport

/// The two-thread pipeline of `quire extract`: items done on the threads, handed back in order.
struct OrderedWorkersTests {
    /// Which workers were made, kept where every thread can add to it.
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var made: [Int] = []
        func add(_ k: Int) { lock.withLock { made.append(k) } }
        var workers: [Int] { lock.withLock { made.sorted() } }
    }

    @Test(
        "with threads, each makes its own work (0 and 1) and the outputs come back in the order of the items, in batches of any size; without, one work is made here",
        arguments: [(true, 8), (true, 64), (true, 1), (false, 8)])
    func perThreadWork(parallel: Bool, batchSize: Int) {
        let log = Log()
        var seen: [(Int, String)] = []
        let workers = OrderedWorkers<Int, String>(
            parallel: parallel, name: "quire-test", batchSize: batchSize,
            workers: { k in
                log.add(k)
                return { item in "\(item * 2)" }
            },
            done: { item, output in seen.append((item, output)) })
        // 1,000 items: more than the batches in flight hold, whatever their size.
        for item in 0..<1000 { workers.submit(item) }
        workers.finish()
        #expect(seen.map(\.0) == Array(0..<1000))
        #expect(seen.map(\.1) == (0..<1000).map { "\($0 * 2)" })
        #expect(log.workers == (parallel ? [0, 1] : [0]))
    }
}
