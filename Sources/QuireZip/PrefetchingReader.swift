import QuireInternalThreads

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
        let channel = BoundedChannel<PrefetchedChunk>(capacity: depth)
        let archive = self
        let started = BackgroundThread(name: "quire-inflate") {
            defer { channel.close() }
            do {
                let reader = try archive.reader(for: entry, chunkSize: chunkSize)
                while let chunk = try reader.next() {
                    guard channel.put(.chunk(Array(chunk))) else { return }
                }
            } catch let error as ZipError {
                _ = channel.put(.failure(error))
            } catch {
                _ = channel.put(.failure(ZipError(.io, archive: archive.name, entry: entry.path, message: "\(error)")))
            }
        }
        guard let inflater = started else {
            // No second thread to be had: inflate here, in turn.
            try forEachChunk(of: entry, chunkSize: chunkSize, body)
            return
        }
        defer {
            channel.cancel()
            inflater.join()
        }
        while let item = channel.take() {
            switch item {
            case .chunk(let bytes):
                try bytes.withUnsafeBytes { try body($0) }
            case .failure(let error):
                throw error
            }
        }
    }
}

enum PrefetchedChunk: Sendable {
    case chunk([UInt8])
    case failure(ZipError)
}
