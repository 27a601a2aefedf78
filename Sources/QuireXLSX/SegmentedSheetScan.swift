import QuireInternalThreads
import QuireModel
import QuireOOXML
import QuireXML
import QuireZip

/// The text rows of a large worksheet read on both cores: the rows are cut into segments at
/// `<row` boundaries and two threads scan alternate segments, while this thread places their
/// rows in order (`TextRowState.merge`), so the rows are exactly what one scanner gives.
/// Without `parallel` it is the one scanner.
///
/// Cutting at a byte pattern is only safe where the pattern is a tag; inside a comment or a
/// CDATA section it is not. A segment is therefore accepted only when its scan ended
/// cleanly between rows, with no cut-off token, no comment, CDATA or processing
/// instruction, and no error. Anything else — including an error, which may be real — sends
/// that segment and everything after it through the single scanner, which reports errors
/// with their true position.
struct SegmentedSheetScan {
    /// Segments are cut once this many bytes are waiting.
    private let segmentSize: Int
    static let workers = 2
    /// Segments per worker in flight: bounds memory and keeps channel puts from blocking.
    static let perWorker = 2

    private var scanner: ByteScanner<TextRowState>
    private var mode = Mode.sequential
    private var waiting: [UInt8] = []
    private var inFlight: [(bytes: [UInt8], worker: Int)] = []
    private var next = 0
    private let jobs: [BoundedChannel<SegmentJob>]
    private let results: [BoundedChannel<SegmentResult>]
    private var threads: [BackgroundThread] = []

    private enum Mode { case sequential, segmented, fallback }

    /// Whether to scan on two threads at all (`parallelism` above 1); without, this is the
    /// one scanner.
    private let parallel: Bool

    init(sink: TextRowState, part: String, segmentSize: Int = 1 << 20, parallel: Bool = true) {
        self.segmentSize = segmentSize
        self.parallel = parallel
        scanner = ByteScanner(sink: sink, part: part, namespaces: NS.table, localNames: SheetState.Tag.localNames)
        jobs = (0..<Self.workers).map { _ in BoundedChannel(capacity: Self.perWorker) }
        results = (0..<Self.workers).map { _ in BoundedChannel(capacity: Self.perWorker) }
    }

    var sink: TextRowState { scanner.sink }

    /// Lets `body` look at or change the sink between chunks (to take its rows).
    mutating func updateSink(_ body: (inout TextRowState) -> Void) { scanner.updateSink(body) }
    var needsGeneralParser: Bool { scanner.needsGeneralParser }

    mutating func feed(_ chunk: UnsafeRawBufferPointer) throws {
        let bytes = chunk.bindMemory(to: UInt8.self)
        switch mode {
        case .sequential:
            // Switch once the rows are under way, at the first row that starts in this chunk.
            if parallel, scanner.sink.canUseSegments, scanner.defaultNamespace == NS.spreadsheet, let cut = Self.firstRowTag(bytes) {
                try scanner.feed(UnsafeRawBufferPointer(rebasing: chunk[..<cut]))
                if scanner.depth == 2 && !scanner.hasPending && !scanner.sawMarkupDeclaration && startWorkers() {
                    mode = .segmented
                    waiting.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[cut...]))
                } else {
                    try scanner.feed(UnsafeRawBufferPointer(rebasing: chunk[cut...]))
                }
            } else {
                try scanner.feed(chunk)
            }
        case .segmented:
            waiting.append(contentsOf: bytes)
            if waiting.count >= segmentSize, let cut = Self.lastRowTag(waiting), cut > 0 {
                var segment = waiting
                waiting = Array(segment[cut...])
                segment.removeSubrange(cut...)
                try dispatch(segment)
            }
        case .fallback:
            if !waiting.isEmpty {
                let rest = waiting
                waiting = []
                try rest.withUnsafeBytes { try scanner.feed($0) }
            }
            try scanner.feed(chunk)
        }
    }

    /// Ends the part; returns the sink.
    mutating func finish() throws -> TextRowState {
        defer { stopWorkers() }
        while !inFlight.isEmpty { try collect() }
        let rest = waiting
        waiting = []
        try rest.withUnsafeBytes { try scanner.feed($0) }
        try scanner.finish()
        return scanner.sink
    }

    private mutating func dispatch(_ segment: [UInt8]) throws {
        while inFlight.count >= Self.workers * Self.perWorker { try collect() }
        if mode == .fallback {
            while !inFlight.isEmpty { try collect() }
            try segment.withUnsafeBytes { try scanner.feed($0) }
            return
        }
        let worker = next % Self.workers
        next += 1
        inFlight.append((segment, worker))
        _ = jobs[worker].put(SegmentJob(bytes: segment))
    }

    /// Places the oldest segment's rows, or on trouble rescans from it on this thread.
    private mutating func collect() throws {
        let (bytes, worker) = inFlight.removeFirst()
        let result = results[worker].take()
        if mode == .segmented, case .rows(var segment)? = result {
            scanner.updateSink { $0.merge(&segment) }
            segmentsMerged += 1
            bytes.withUnsafeBufferPointer { scanner.account(for: $0) }
            return
        }
        // This segment and all after it go through the one scanner.
        mode = .fallback
        try bytes.withUnsafeBytes { try scanner.feed($0) }
    }

    /// How many segments were placed from the workers (for tests).
    private(set) var segmentsMerged = 0

    /// Starts the two scanning threads; false (nothing started) when they cannot be had.
    private mutating func startWorkers() -> Bool {
        let template = ScannerBox(scanner: scanner.with(sink: scanner.sink.forSegment()))
        let (jobs, results) = (self.jobs, self.results)
        guard
            let started = BackgroundThread.start(
                count: Self.workers, name: "quire-rows",
                stop: {
                    for channel in jobs { channel.close() }
                    for channel in results { channel.cancel() }
                },
                { k in
                    defer { results[k].close() }
                    while let job = jobs[k].take() {
                        guard results[k].put(template.scan(job.bytes)) else { return }
                    }
                })
        else { return false }
        threads = started
        return true
    }

    /// Stops the scanning threads (for a reader dropped before the end of the part).
    mutating func stopWorkers() {
        for channel in jobs { channel.close() }
        for channel in results { channel.cancel() }
        for thread in threads { thread.join() }
        threads = []
    }

    /// Where the first `<row` tag of `bytes` starts.
    static func firstRowTag(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var k = 0
        while k + 5 < bytes.count {
            if bytes[k] == 0x3C, isRowTag(bytes, k) { return k }
            k += 1
        }
        return nil
    }

    /// Where the last `<row` tag of `bytes` starts.
    static func lastRowTag(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            var k = buffer.count - 6
            while k >= 0 {
                if buffer[k] == 0x3C, isRowTag(buffer, k) { return k }
                k -= 1
            }
            return nil
        }
    }

    @inline(__always) static func isRowTag(_ bytes: UnsafeBufferPointer<UInt8>, _ k: Int) -> Bool {
        guard k + 4 < bytes.count, bytes[k + 1] == UInt8(ascii: "r"), bytes[k + 2] == UInt8(ascii: "o"), bytes[k + 3] == UInt8(ascii: "w")
        else { return false }
        let next = bytes[k + 4]
        return next == 0x20 || next == UInt8(ascii: ">") || next == UInt8(ascii: "/") || next == 0x0A || next == 0x0D || next == 0x09
    }
}

struct SegmentJob: Sendable {
    let bytes: [UInt8]
}

enum SegmentResult: Sendable {
    /// The segment scanned cleanly: its rows.
    case rows(SheetTextRows)
    /// It did not: scan it again in line.
    case rescan
}

/// The scanner state a worker copies for each segment; each copy records into an output of
/// its own, so nothing is shared but the read-only tables.
final class ScannerBox: @unchecked Sendable {
    private let scanner: ByteScanner<TextRowState>

    init(scanner: ByteScanner<TextRowState>) {
        self.scanner = scanner
    }

    func scan(_ bytes: [UInt8]) -> SegmentResult {
        var copy = scanner
        copy.updateSink { $0 = $0.forSegment() }
        let depth = copy.depth
        do {
            try bytes.withUnsafeBytes { try copy.feed($0) }
        } catch {
            return .rescan
        }
        guard copy.depth == depth, !copy.hasPending, !copy.sawMarkupDeclaration else { return .rescan }
        var batch = SheetTextRows()
        copy.updateSink { $0.takeRows(into: &batch) }
        return .rows(batch)
    }
}
