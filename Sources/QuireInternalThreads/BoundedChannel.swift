import Dispatch

/// A bounded, single-producer single-consumer hand-off between two threads.
///
/// The producer blocks while `capacity` items wait; the consumer blocks while none do.
/// Either side can stop the other: `close()` (producer done) makes `take()` return nil
/// once drained, `cancel()` (consumer gone) makes `put` return false.
package final class BoundedChannel<Item: Sendable>: Sendable {
    private let free: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)
    private let state = Locked<State>(State())

    private struct State {
        // At most `capacity` items: removing from the front is cheap, and a taken item
        // must not stay referenced here (it would keep its buffers from being reused).
        var items: [Item] = []
        var closed = false
        var cancelled = false
    }

    package init(capacity: Int) {
        // Start at zero and signal up: libdispatch traps when a semaphore is freed with a
        // value below its initial one, which an early stop would otherwise leave.
        free = DispatchSemaphore(value: 0)
        for _ in 0..<max(capacity, 1) { free.signal() }
    }

    /// Hands `item` over, waiting for room; false when the consumer has cancelled.
    package func put(_ item: Item) -> Bool {
        free.wait()
        let accepted = state.withLock { state -> Bool in
            if state.cancelled { return false }
            state.items.append(item)
            return true
        }
        if accepted {
            filled.signal()
        } else {
            free.signal()  // let a later put see the cancel too
        }
        return accepted
    }

    /// The next item, waiting for one; nil once the channel is closed and drained.
    package func take() -> Item? {
        filled.wait()
        let item = state.withLock { state -> Item? in
            state.items.isEmpty ? nil : state.items.removeFirst()
        }
        if item != nil {
            free.signal()
        } else {
            filled.signal()  // closed: keep later takes from blocking
        }
        return item
    }

    /// No more items will come; a waiting consumer wakes and gets nil after the last one.
    package func close() {
        state.withLock { $0.closed = true }
        filled.signal()
    }

    /// The consumer stops; a waiting or later `put` returns false.
    package func cancel() {
        state.withLock { $0.cancelled = true }
        free.signal()
    }
}
