import QuireInternalThreads

/// Work on a stream of items done on two threads and handed back in the order the items
/// came: what `quire extract` does to the messages of an mbox or an Outlook archive, which
/// are read on this thread (in order) and parsed and rendered on the others.
///
/// Items travel in batches (of eight unless told): handing each one over on its own cost a
/// thread wake-up per message, about a tenth of the time of reading a short one. At most four
/// batches per thread are in flight, so memory holds eight batches' results at most.
///
/// With `parallel` false, or when no thread can be started, each item is done here when it
/// is submitted.
final class OrderedWorkers<Item: Sendable, Output: Sendable> {
    private static var workers: Int { 2 }
    private static var perWorker: Int { 4 }
    /// Items per batch.
    private let batchSize: Int
    private let jobs: [BoundedChannel<[Item]>]
    private let results: [BoundedChannel<[Output]>]
    private let threads: [BackgroundThread]?
    /// The work, when the items are done here (no threads).
    private let work: ((Item) -> Output)?
    private let done: (Item, Output) -> Void
    private var pending: [Item] = []
    private var inFlight: [(worker: Int, items: [Item])] = []
    private var dispatched = 0

    /// `work` runs on the threads; `done` runs here, with each item and its output, in order.
    convenience init(parallel: Bool, name: String, work: @escaping @Sendable (Item) -> Output, done: @escaping (Item, Output) -> Void) {
        self.init(parallel: parallel, name: name, workers: { _ in work }, done: done)
    }

    /// As `init(parallel:name:work:done:)`, with the work of each thread made for it by
    /// `workers` (called with 0 and 1, or only 0 when the items are done here): a worker that
    /// keeps state, such as caches of its own, shares it with no other thread. `batchSize`
    /// items go to a thread at a time: larger batches give each thread longer runs of
    /// neighbouring items (and of the file's bytes, when items are read where they lie).
    init(
        parallel: Bool, name: String, batchSize: Int = 8, workers: @escaping @Sendable (Int) -> (Item) -> Output,
        done: @escaping (Item, Output) -> Void
    ) {
        self.batchSize = max(1, batchSize)
        let jobs = (0..<Self.workers).map { _ in BoundedChannel<[Item]>(capacity: Self.perWorker) }
        let results = (0..<Self.workers).map { _ in BoundedChannel<[Output]>(capacity: Self.perWorker) }
        self.jobs = jobs
        self.results = results
        self.done = done
        threads =
            parallel
            ? BackgroundThread.start(
                count: Self.workers, name: name, stop: { Self.stop(jobs, results) },
                { k in
                    defer { results[k].close() }
                    let work = workers(k)
                    while let batch = jobs[k].take() {
                        guard results[k].put(batch.map(work)) else { return }
                    }
                }) : nil
        // Made here only when needed: with threads, each makes its own.
        work = threads == nil ? workers(0) : nil
        pending.reserveCapacity(self.batchSize)
    }

    deinit {
        Self.stop(jobs, results)
        for thread in threads ?? [] { thread.join() }
    }

    private static func stop(_ jobs: [BoundedChannel<[Item]>], _ results: [BoundedChannel<[Output]>]) {
        for channel in jobs { channel.close() }
        for channel in results { channel.cancel() }
    }

    /// Hands `item` to a thread (or does it here); earlier items that are done are passed on.
    func submit(_ item: Item) {
        if let work {
            done(item, work(item))
            return
        }
        pending.append(item)
        if pending.count == batchSize { dispatch() }
    }

    /// Waits for every item submitted and passes each on.
    func finish() {
        if !pending.isEmpty { dispatch() }
        while !inFlight.isEmpty { collect() }
    }

    private func dispatch() {
        while inFlight.count >= Self.workers * Self.perWorker { collect() }
        let worker = dispatched % Self.workers
        dispatched += 1
        inFlight.append((worker, pending))
        _ = jobs[worker].put(pending)
        pending.removeAll(keepingCapacity: true)
    }

    private func collect() {
        let (worker, items) = inFlight.removeFirst()
        guard let outputs = results[worker].take() else { return }
        for (item, output) in zip(items, outputs) { done(item, output) }
    }
}
