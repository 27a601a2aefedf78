#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A value guarded by a POSIX mutex: the state that Quire's threads and tasks share.
///
/// Used instead of `Synchronization.Mutex` because on Linux that type locks through futex
/// calls in the uninstrumented runtime, so ThreadSanitizer does not see the ordering it
/// gives and reports races that are not there; `pthread_mutex_lock` is intercepted by the
/// sanitizer, so a report under this lock is a real one.
package final class Locked<Value>: @unchecked Sendable {
    // The mutex needs a stable address: it is allocated once, never moved.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        #if os(Linux)
            // Adaptive: a thread that finds the lock taken spins briefly before it sleeps.
            // The sections held are a few loads and stores (a cache lookup), so two workers
            // meeting at one no longer pay a futex call each time (PTHREAD_MUTEX_ADAPTIVE_NP).
            pthread_mutexattr_settype(&attributes, 3)
        #endif
        let status = pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock; what `body` returns is passed on.
    package func withLock<Result, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
