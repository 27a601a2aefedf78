import QuireInternalThreads

/// Work on a stream of items done on two threads and handed back in the order the items
/// came: what `quire extract` does to the messages of an mbox or an Outlook archive, which
/// are read on this thread (in order) and parsed and rendered on the others.
///
/// With `parallel` false, or when no thread can be started, each item is done here when it
/// is submitted. At most eight items are in flight, so memory holds eight results at most.
final class OrderedWorkers<Item: Sendable, Output: Sendable> {
    private static var workers: Int { 2 }
    private static var perWorker: Int { 4 }
    private let jobs: [BoundedChannel<Item>]
    private let results: [BoundedChannel<Output>]
    private let threads: [BackgroundThread]?
    private let work: @Sendable (Item) -> Output
    private let done: (Item, Output) -> Void
    private var inFlight: [(worker: Int, item: Item)] = []
    private var dispatched = 0

    /// `work` runs on the threads; `done` runs here, with each item and its output, in order.
    init(parallel: Bool, name: String, work: @escaping @Sendable (Item) -> Output, done: @escaping (Item, Output) -> Void) {
        let jobs = (0..<Self.workers).map { _ in BoundedChannel<Item>(capacity: Self.perWorker) }
        let results = (0..<Self.workers).map { _ in BoundedChannel<Output>(capacity: Self.perWorker) }
        self.jobs = jobs
        self.results = results
        self.work = work
        self.done = done
        threads =
            parallel
            ? BackgroundThread.start(
                count: Self.workers, name: name, stop: { Self.stop(jobs, results) },
                { k in
                    defer { results[k].close() }
                    while let item = jobs[k].take() {
                        guard results[k].put(work(item)) else { return }
                    }
                }) : nil
    }

    deinit {
        Self.stop(jobs, results)
        for thread in threads ?? [] { thread.join() }
    }

    private static func stop(_ jobs: [BoundedChannel<Item>], _ results: [BoundedChannel<Output>]) {
        for channel in jobs { channel.close() }
        for channel in results { channel.cancel() }
    }

    /// Hands `item` to a thread (or does it here); earlier items that are done are passed on.
    func submit(_ item: Item) {
        guard threads != nil else {
            done(item, work(item))
            return
        }
        while inFlight.count >= Self.workers * Self.perWorker { collect() }
        let worker = dispatched % Self.workers
        dispatched += 1
        inFlight.append((worker, item))
        _ = jobs[worker].put(item)
    }

    /// Waits for every item submitted and passes each on.
    func finish() {
        while !inFlight.isEmpty { collect() }
    }

    private func collect() {
        let (worker, item) = inFlight.removeFirst()
        if let output = results[worker].take() { done(item, output) }
    }
}
