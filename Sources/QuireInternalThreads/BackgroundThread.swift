#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A thread of its own for one pipeline stage, joined when its work is done.
///
/// Pipeline stages block on each other (a full or empty channel). On libdispatch's shared
/// pool a blocked stage can hold one of the few worker threads while the stage it waits for
/// sits queued behind it, which stalls for as long as the pool takes to grow; a dedicated
/// thread per stage cannot be starved that way.
package final class BackgroundThread: Sendable {
    private let thread: pthread_t

    /// Starts `body` on a new thread; `name` says which stage it is. Nil when the system
    /// cannot start one (a thread or memory limit): the caller then does the work on its own
    /// thread, more slowly but without failing.
    package init?(name: String = "quire-worker", _ body: @escaping @Sendable () -> Void) {
        let retained = Unmanaged.passRetained(ClosureBox(body, name: name))
        var thread = pthread_t()
        let status = pthread_create(
            &thread, nil,
            { argument in
                let box = Unmanaged<ClosureBox>.fromOpaque(argument!).takeRetainedValue()
                box.body()
                return nil
            }, retained.toOpaque())
        guard status == 0 else {
            retained.release()
            return nil
        }
        self.thread = thread
    }

    /// `count` threads running `body(k)`, or nil when one of them cannot start; then those
    /// already started are ended with `stop` (which must make their bodies return) and joined.
    package static func start(
        count: Int, name: String, stop: () -> Void, _ body: @escaping @Sendable (Int) -> Void
    ) -> [BackgroundThread]? {
        var threads: [BackgroundThread] = []
        for k in 0..<count {
            guard let thread = BackgroundThread(name: name, { body(k) }) else {
                stop()
                for started in threads { started.join() }
                return nil
            }
            threads.append(thread)
        }
        return threads
    }

    /// Waits for the thread to finish. Call exactly once, and not after `detach()`.
    package func join() {
        pthread_join(thread, nil)
    }

    /// Lets the thread end on its own, its resources freed when it does; for work whose
    /// end is awaited some other way. Call at most once, and not with `join()`.
    package func detach() {
        pthread_detach(thread)
    }
}

private final class ClosureBox: Sendable {
    let body: @Sendable () -> Void
    let name: String
    init(_ body: @escaping @Sendable () -> Void, name: String) {
        self.body = body
        self.name = name
    }
}
