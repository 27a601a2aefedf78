import QuireInternalThreads

// The concurrent side of `XMLPushParser`: the thread that replays recorded event batches
// into the sink.

/// Where the replaying thread plays a batch.
protocol ReplayTarget: Sendable {
    /// Plays `batch` into the sink; on a sink error, returns it with the line.
    func replay(_ batch: borrowing XMLEventBatch, caches: ReplayCaches) -> (error: any Error, line: Int)?
}

/// The sink, for the thread that replays events.
///
/// `@unchecked Sendable`: during a concurrent parse only the replaying thread calls the
/// sink, and the parser reads it again only after `finish()` has waited for that thread
/// (or, abandoned, after `deinit` has), so its use is never concurrent.
struct SinkPointer<Sink: XMLSink>: ReplayTarget, @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Sink>
    init(_ pointer: UnsafeMutablePointer<Sink>) { self.pointer = pointer }

    func replay(_ batch: borrowing XMLEventBatch, caches: ReplayCaches) -> (error: any Error, line: Int)? {
        batch.replay(into: &pointer.pointee, namespaces: caches.namespaces, localNames: caches.localNames)
    }
}

/// Stops the tokeniser when the sink's thread has failed; never reported itself.
struct HandlerStopped: Error {}

/// The sink's thread of a concurrent parse: replays recorded batches in order.
final class Replayer: Sendable {
    private let channel = BoundedChannel<XMLEventBatch>(capacity: 4)
    private let thread = Locked<BackgroundThread?>(nil)
    private let failureSlot = FailureSlot()
    private let pool = BatchPool()
    private let stopped = Locked(false)

    /// Nil when no thread can be started: the parse then calls the sink itself.
    /// `target` plays each batch into the sink.
    init?(part: String, namespaces table: [String: Int32], localNames: [String: Int32], target: some ReplayTarget) {
        let channel = self.channel
        let failureSlot = self.failureSlot
        let pool = self.pool
        let started = BackgroundThread(name: "quire-xml-sink") {
            // Made on this thread, used by it alone (caches are not shared between threads).
            let caches = ReplayCaches(namespaces: table, localNames: localNames)
            while var batch = channel.take() {
                // An abandoned parse (its caller threw) only drains what is left.
                if failureSlot.abandoned.withLock({ $0 }) { continue }
                let result = target.replay(batch, caches: caches)
                // Hand the emptied buffers back: fresh large buffers would each cost page faults.
                batch.clear()
                pool.put(batch)
                if let (error, line) = result {
                    let failure: XMLFailure
                    if var xml = error as? XMLError {
                        if xml.part.isEmpty { xml.part = part }
                        failure = XMLFailure(error: xml)
                    } else {
                        failure = XMLFailure(
                            error: XMLError(
                                .handler, part: part, line: line, column: 0, message: "\(error)", underlying: error))
                    }
                    failureSlot.value.withLock { $0 = failure }
                    channel.cancel()
                    return
                }
            }
        }
        guard let worker = started else { return nil }
        thread.withLock { $0 = worker }
    }

    /// An empty batch for the tokeniser to fill: a replayed one when there is one.
    func recycledBatch() -> XMLEventBatch {
        if let batch = pool.take() { return batch }
        var batch = XMLEventBatch()
        batch.reserve()
        return batch
    }

    /// Queues a batch; false once the sink has failed.
    func send(_ batch: XMLEventBatch) -> Bool {
        channel.put(batch)
    }

    /// Ends the sink's thread without replaying what is still queued, and waits for it.
    func abandon() {
        failureSlot.abandoned.withLock { $0 = true }
        stop()
    }

    /// Ends the sink's thread and waits for it (idempotent).
    func stop() {
        let first = stopped.withLock { stopped -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if first {
            channel.close()
            thread.withLock { $0 }?.join()
        }
    }

    var failure: (any Error)? { failureSlot.value.withLock { $0?.error } }
}

/// The replaying thread's own name caches.
final class ReplayCaches {
    let namespaces: NamespaceCache
    let localNames: LocalNameCache
    init(namespaces: [String: Int32], localNames: [String: Int32]) {
        self.namespaces = NamespaceCache(namespaces)
        self.localNames = LocalNameCache(localNames)
    }
}

/// Replayed batches waiting to be filled again.
final class BatchPool: Sendable {
    private let batches = Locked<[XMLEventBatch]>([])

    func put(_ batch: XMLEventBatch) {
        batches.withLock { if $0.count < 8 { $0.append(batch) } }
    }

    func take() -> XMLEventBatch? {
        batches.withLock { $0.popLast() }
    }
}

final class FailureSlot: Sendable {
    let value = Locked<XMLFailure?>(nil)
    let abandoned = Locked(false)
}

/// A sink error, moved between threads (errors are `Sendable`).
struct XMLFailure: Sendable {
    let error: any Error
}
