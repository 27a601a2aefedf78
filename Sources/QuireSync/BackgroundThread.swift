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

    /// Starts `body` on a new thread; `name` says which stage it is.
    package init(name: String = "quire-worker", _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(ClosureBox(body, name: name)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
            &thread, nil,
            { argument in
                let box = Unmanaged<ClosureBox>.fromOpaque(argument!).takeRetainedValue()
                box.body()
                return nil
            }, box)
        precondition(status == 0, "pthread_create failed (\(status))")
        self.thread = thread
    }

    /// Waits for the thread to finish. Call exactly once.
    package func join() {
        pthread_join(thread, nil)
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
