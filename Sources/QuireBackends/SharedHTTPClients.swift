import AsyncHTTPClient
import NIOCore
import QuireInternalThreads

/// The HTTP clients every backend of the process shares, one per timeout setting. They live
/// as long as the process: no backend has to be shut down, and an error thrown between
/// making a backend and using it can no longer leave a client behind (AsyncHTTPClient traps
/// on a client that is released without a shutdown).
enum SharedHTTPClients {
    private struct Key: Hashable {
        var connectMilliseconds: Int64
        var readMilliseconds: Int64
    }

    private static let clients = Locked<[Key: HTTPClient]>([:])

    /// The client for these timeouts (seconds), made on first use.
    static func client(connect: Double, read: Double) -> HTTPClient {
        let key = Key(connectMilliseconds: milliseconds(connect), readMilliseconds: milliseconds(read))
        return clients.withLock { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.timeout = HTTPClient.Configuration.Timeout(
                connect: .milliseconds(key.connectMilliseconds), read: .milliseconds(key.readMilliseconds))
            // A refused connection fails at once (the route falls back), instead of being
            // tried again until the connect timeout.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    /// Seconds as whole milliseconds, kept within what a timeout can be (1 ms to a day).
    private static func milliseconds(_ seconds: Double) -> Int64 {
        guard seconds.isFinite else { return 86_400_000 }
        return Int64(min(max(seconds, 0.001), 86_400) * 1000)
    }
}
