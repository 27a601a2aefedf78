import Dispatch
internal import Synchronization

extension ZipArchive {
    /// Like `forEachChunk`, but inflates on another thread up to `depth` chunks ahead, so a
    /// consumer that parses what it receives keeps one core busy while zlib uses the other.
    ///
    /// Chunks arrive in order; `body` runs on the calling thread. If `body` throws, inflating
    /// stops and the error is rethrown; ZIP errors (CRC, limits) are thrown as by `forEachChunk`.
    public func forEachChunkPrefetched(
        of entry: ZipEntry,
        chunkSize: Int = 256 * 1024,
        depth: Int = 4,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let channel = ChunkChannel(depth: max(depth, 1))
        let done = DispatchGroup()
        let archive = self
        DispatchQueue.global().async(group: done) {
            do {
                let reader = try archive.reader(for: entry, chunkSize: chunkSize)
                while let chunk = try reader.next() {
                    guard channel.put(.chunk(Array(chunk))) else { return }
                }
                _ = channel.put(.end)
            } catch let error as ZipError {
                _ = channel.put(.failure(error))
            } catch {
                _ = channel.put(.failure(ZipError(.io, archive: archive.name, entry: entry.path, message: "\(error)")))
            }
        }
        defer {
            channel.cancel()
            done.wait()
        }
        while true {
            switch channel.take() {
            case .chunk(let bytes):
                try bytes.withUnsafeBytes { try body($0) }
            case .end:
                return
            case .failure(let error):
                throw error
            }
        }
    }
}

/// A bounded, single-producer single-consumer hand-off of inflated chunks.
final class ChunkChannel: Sendable {
    enum Item: Sendable {
        case chunk([UInt8])
        case end
        case failure(ZipError)
    }

    private let free: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)
    private let state = Mutex<(items: [Item], cancelled: Bool)>(([], false))

    init(depth: Int) {
        // Start at zero and signal up: libdispatch traps when a semaphore is freed with a
        // value below its initial one, which an early cancel would otherwise leave.
        free = DispatchSemaphore(value: 0)
        for _ in 0..<depth { free.signal() }
    }

    /// Blocks while the channel is full; false once the consumer has gone away.
    func put(_ item: Item) -> Bool {
        free.wait()
        let accepted = state.withLock { state -> Bool in
            if state.cancelled { return false }
            state.items.append(item)
            return true
        }
        if accepted { filled.signal() }
        return accepted
    }

    func take() -> Item {
        filled.wait()
        let item = state.withLock { $0.items.removeFirst() }
        free.signal()
        return item
    }

    /// Stops the producer: it finds the channel cancelled at its next `put`.
    func cancel() {
        state.withLock { $0.cancelled = true }
        free.signal()
    }
}
