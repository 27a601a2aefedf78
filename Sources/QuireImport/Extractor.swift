import Dispatch
public import QuireModel
import QuireDOCX
import QuireSync

/// Turns files into Markdown, plain text or JSON: what `quire extract` does.
///
/// For Markdown the body is streamed: the reader hands finished blocks to a second thread
/// that renders them while parsing goes on, so the two cores share the work and the body
/// is never held whole. The result is the same text `MarkdownRenderer` gives.
public struct Extractor: Sendable {
    public enum Format: Sendable, Equatable {
        case markdown
        case text
        /// `pretty`: indented over several lines; otherwise one line (for JSON Lines).
        case json(pretty: Bool)
    }

    public var format: Format
    public var options: RenderOptions
    public var importer: Importer

    public init(format: Format, options: RenderOptions = RenderOptions(), importer: Importer = Importer()) {
        self.format = format
        self.options = options
        self.importer = importer
    }

    /// The rendered content of the file at `path`.
    ///
    /// - Throws: `DocumentError` as `Importer.read(path:)`; nothing is returned for a file
    ///   that fails part-way, so no partial output reaches the caller.
    public func extract(path: String) throws(DocumentError) -> String {
        if format == .markdown, importer.detect(path: path) == .docx {
            let reader = DOCXReader(options: .init(limits: importer.limits))
            return try pipelined { body throws(DocumentError) in try reader.read(path: path, streamingBody: body) }
        }
        return render(try importer.read(path: path))
    }

    /// The rendered content of bytes held in memory; `name` labels them in errors.
    public func extract(bytes: [UInt8], name: String) throws(DocumentError) -> String {
        if format == .markdown, importer.detect(bytes: bytes) == .docx {
            let reader = DOCXReader(options: .init(limits: importer.limits))
            return try pipelined { body throws(DocumentError) in
                try reader.read(bytes: bytes, name: name, streamingBody: body)
            }
        }
        return render(try importer.read(bytes: bytes, name: name))
    }

    /// Renders already-read content in this extractor's format.
    public func render(_ content: ImportedContent) -> String {
        switch content {
        case .document(let document):
            switch format {
            case .markdown: return MarkdownRenderer(options: options).render(document)
            case .text: return PlainTextRenderer(options: options).render(document)
            case .json(let pretty): return JSONRenderer(pretty: pretty).render(document)
            }
        }
    }

    /// Reads on this thread and renders Markdown on another, handing blocks over in batches
    /// through a bounded channel (so a slow renderer holds the reader back instead of
    /// letting blocks pile up in memory).
    private func pipelined(
        _ read: ((Block) -> Void) throws(DocumentError) -> Document
    ) throws(DocumentError) -> String {
        let channel = BoundedChannel<RenderItem>(capacity: 8)
        let job = RenderJob(options: options)
        let done = DispatchGroup()
        DispatchQueue.global().async(group: done) {
            while let item = channel.take() {
                switch item {
                case .blocks(let blocks): job.render(blocks)
                case .rest(let document): job.finish(document)
                }
            }
        }
        var batch: [Block] = []
        batch.reserveCapacity(RenderJob.batchSize)
        let rest: Document
        do {
            rest = try read { block in
                batch.append(block)
                if batch.count == RenderJob.batchSize {
                    _ = channel.put(.blocks(batch))
                    batch.removeAll(keepingCapacity: true)
                }
            }
        } catch {
            channel.cancel()
            channel.close()
            done.wait()
            throw error
        }
        _ = channel.put(.blocks(batch))
        _ = channel.put(.rest(rest))
        channel.close()
        done.wait()
        return job.output
    }
}

private enum RenderItem: Sendable {
    case blocks([Block])
    case rest(Document)
}

/// The render side of a pipelined extraction.
///
/// `@unchecked Sendable`: between the start of a pipelined extraction and its `done.wait()`
/// only the render thread touches it; the caller reads `output` after that wait.
private final class RenderJob: @unchecked Sendable {
    static let batchSize = 64
    private var stream: MarkdownStream
    private(set) var output = ""

    init(options: RenderOptions) {
        stream = MarkdownStream(options: options)
    }

    func render(_ blocks: [Block]) {
        for block in blocks { stream.append(block) }
        output += stream.takeOutput()
    }

    func finish(_ document: Document) {
        stream.finish(document)
        output += stream.takeOutput()
    }
}
