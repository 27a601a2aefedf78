import QuireInternalThreads

/// An entry's inflated bytes pulled a chunk at a time, inflated on another thread up to
/// `depth` chunks ahead when asked — so a consumer that parses what it receives keeps one
/// core busy while zlib uses the other. Without `prefetch` (or when no thread can be had)
/// it inflates on the calling thread, as ``ZipEntryReader`` does.
///
/// Chunks come in order; ZIP errors (CRC, limits) are thrown as by ``ZipEntryReader``.
/// Dropping the reader stops the inflating thread.
public final class PrefetchingEntryReader {
    private let inline: ZipEntryReader?
    private let channel: BoundedChannel<PrefetchedChunk>?
    private let inflater: BackgroundThread?
    /// The chunk handed out last, kept so that its bytes stay valid until the next call.
    private var current: InflatedChunk?
    private var done = false

    /// A reader of `entry`'s bytes in chunks of about `chunkSize`; `prefetch` inflates ahead.
    public init(archive: ZipArchive, entry: ZipEntry, chunkSize: Int = 256 * 1024, depth: Int = 4, prefetch: Bool) throws(ZipError) {
        if prefetch {
            let channel = BoundedChannel<PrefetchedChunk>(capacity: depth)
            let started = BackgroundThread(name: "quire-inflate") {
                defer { channel.close() }
                do throws(ZipError) {
                    let reader = try archive.reader(for: entry, chunkSize: chunkSize)
                    while let chunk = try reader.next() {
                        guard channel.put(.chunk(InflatedChunk(copying: chunk))) else { return }
                    }
                } catch {
                    _ = channel.put(.failure(error))
                }
            }
            if let started {
                self.channel = channel
                inflater = started
                inline = nil
                return
            }
        }
        // No second thread wanted or to be had: inflate here, in turn.
        channel = nil
        inflater = nil
        inline = try archive.reader(for: entry, chunkSize: chunkSize)
    }

    deinit {
        channel?.cancel()
        inflater?.join()
    }

    /// The next chunk (valid until the next call), or nil after the last.
    public func next() throws(ZipError) -> UnsafeRawBufferPointer? {
        if let inline { return try inline.next() }
        guard !done, let channel else { return nil }
        switch channel.take() {
        case .chunk(let chunk):
            current = chunk
            return chunk.bytes
        case .failure(let error):
            done = true
            throw error
        case nil:
            done = true
            return nil
        }
    }
}

extension ZipArchive {
    /// Like `forEachChunk`, but inflates on another thread up to `depth` chunks ahead (see
    /// ``PrefetchingEntryReader``). `body` runs on the calling thread; if it throws,
    /// inflating stops and the error is rethrown.
    public func forEachChunkPrefetched(
        of entry: ZipEntry,
        chunkSize: Int = 256 * 1024,
        depth: Int = 4,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let reader = try PrefetchingEntryReader(archive: self, entry: entry, chunkSize: chunkSize, depth: depth, prefetch: true)
        while let chunk = try reader.next() { try body(chunk) }
    }
}

enum PrefetchedChunk: Sendable {
    case chunk(InflatedChunk)
    case failure(ZipError)
}

/// Inflated bytes handed from the inflating thread to the reader, which reads them in
/// place (an array would have to be copied again to give out a stable address). Written
/// once, before it is handed over, and only read after: `@unchecked Sendable` for that.
final class InflatedChunk: @unchecked Sendable {
    private let storage: UnsafeMutableRawBufferPointer
    private let count: Int

    init(copying chunk: UnsafeRawBufferPointer) {
        storage = .allocate(byteCount: max(chunk.count, 1), alignment: 16)
        count = chunk.count
        if !chunk.isEmpty { storage.copyMemory(from: chunk) }
    }

    deinit { storage.deallocate() }

    /// The bytes, valid while the chunk lives.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[..<count]) }
}
