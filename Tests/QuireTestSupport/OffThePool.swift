import QuireInternalThreads

/// Runs blocking work — waiting for a child process, reading a pipe to its end — on a thread
/// of its own and suspends the caller until it is done.
///
/// The tests run in parallel on Swift's cooperative pool, which has one thread per core: on
/// a two-core machine two tests that block there (one running `quire` twenty times in a row)
/// starve every other test's tasks for as long as they block, and a test that streams from a
/// local server then sees its client stop reading and time out. Blocking here leaves the pool
/// free.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        let run: @Sendable () -> Void = { continuation.resume(with: Result { try work() }) }
        // No thread to be had: do the work here rather than not at all.
        guard let thread = BackgroundThread(name: "quire-test-wait", run) else { return run() }
        thread.detach()
    }
}
