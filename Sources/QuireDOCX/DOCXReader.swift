public import QuireModel
package import QuireOOXML
import QuireXML
public import QuireZip

/// Reads Word documents (.docx, .docm, .dotx; Transitional and Strict) into a `Document`.
///
/// The body is streamed: its XML is parsed as it is inflated, never held whole. Styles,
/// numbering, notes and comments are read first so the body can be resolved in one pass.
/// Tracked changes are all kept in the model; the renderers choose the view.
public struct DOCXReader: Sendable {
    /// What the reader may cost and how many threads it may use.
    public struct Options: Sendable {
        /// Bounds on the ZIP container (zip bombs, huge entries).
        public var limits: ZipLimits
        /// With `parallelism` above 1, parts at least this big (uncompressed bytes) are
        /// inflated ahead on another thread while the calling thread reads them. (A part in
        /// another encoding than UTF-8, which libxml2 reads, also has its model built, and a
        /// streaming `body` closure called, on a third.)
        public var parallelThreshold: Int64
        /// Threads the reader may use: 1 (the default) reads on the calling thread only.
        public var parallelism: Int
        /// Options from their values.
        public init(limits: ZipLimits = .default, parallelThreshold: Int64 = 1 << 20, parallelism: Int = 1) {
            self.limits = limits
            self.parallelThreshold = parallelThreshold
            self.parallelism = parallelism
        }
    }

    /// The reader's options.
    public var options: Options

    /// A reader with `options` (by default: the standard limits, one thread).
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Reads the document at `path`.
    ///
    /// - Throws: `DocumentError` naming the file and, where there is one, the part and line:
    ///   `.encrypted`, `.legacyFormat`, `.truncated`, `.corrupt`, `.limitExceeded`,
    ///   `.malformedXML`, `.unsafeXML`, `.missingPart`, `.unsupportedFormat`, `.empty`, `.io`.
    public func read(path: String) throws(DocumentError) -> Document {
        try read(OPCPackage(path: path, limits: options.limits))
    }

    /// Reads a document held in memory; `name` labels it in errors and metadata.
    public func read(bytes: [UInt8], name: String) throws(DocumentError) -> Document {
        try read(OPCPackage(bytes: bytes, name: name, limits: options.limits))
    }

    /// Reads the document at `path`, handing each top-level body block to `body` as soon as
    /// it is complete instead of keeping it, so the body is never held whole.
    ///
    /// `body` is called on the calling thread, in order. (For a large body in another
    /// encoding than UTF-8, `Options.parallelThreshold`, on another thread while this one
    /// waits: still in order, never concurrently.)
    ///
    /// - Returns: the document without its body (`blocks` is empty): metadata, notes,
    ///   comments, headers and footers. Blocks already handed over before an error was
    ///   found stay handed over.
    /// - Throws: as `read(path:)`.
    public func read(path: String, streamingBody body: (Block) -> Void) throws(DocumentError) -> Document {
        try read(package: OPCPackage(path: path, limits: options.limits), streamingBody: body)
    }

    /// As `read(path:streamingBody:)`, for a document held in memory.
    public func read(bytes: [UInt8], name: String, streamingBody body: (Block) -> Void) throws(DocumentError) -> Document {
        try read(package: OPCPackage(bytes: bytes, name: name, limits: options.limits), streamingBody: body)
    }

    /// Reads an already opened package (the importer opens it once to tell the format).
    package func read(package: OPCPackage) throws(DocumentError) -> Document {
        try read(package)
    }

    /// As `read(path:streamingBody:)`, for an already opened package.
    package func read(package: OPCPackage, streamingBody body: (Block) -> Void) throws(DocumentError) -> Document {
        try withoutActuallyEscaping(body) { (escapable) throws(DocumentError) -> Document in
            try read(package, sink: escapable)
        }
    }

    func read(_ package: OPCPackage, sink: ((Block) -> Void)? = nil) throws(DocumentError) -> Document {
        let main = try package.mainPart(fallback: "word/document.xml")
        guard package.hasPart(main) else {
            throw DocumentError(
                .missingPart, file: package.file, location: main,
                message: "the package has no main document part; it is not a Word document (or it is damaged).")
        }
        let rels = try package.relationships(of: main)
        var metadata = try package.metadata(format: .docx)

        var side = try readSideParts(of: package, relationships: rels)
        let styles = side.styles
        var body = BodyBuilder(styles: styles, numbering: side.numbering, relationships: rels, noteLabels: side.labels)
        let options = self.options
        body.altChunk = { id in AltChunk.blocks(id, relationships: rels, package: package, options: options) }
        if side.commentsLost { body.commentIDs = [] }
        var firstHeading: Heading?
        if let sink {
            body.onBlock = { block in
                if firstHeading == nil, case .heading(let heading) = block { firstHeading = heading }
                sink(block)
            }
        }
        // The part is there (checked above).
        body =
            try package.stream(
                main, into: body, localNames: Tag.localNames, parallelThreshold: options.parallelism > 1 ? options.parallelThreshold : .max)
            ?? body
        let blocks = body.finish()
        if sink == nil, case .heading(let heading)? = blocks.first(where: { if case .heading = $0 { true } else { false } }) {
            firstHeading = heading
        }
        let labels = body.noteLabels

        let notes = labels.order.map { entry in
            Note(kind: entry.kind, id: entry.label, blocks: side.noteBlocks["\(entry.kind.rawValue):\(entry.id)"] ?? [])
        }
        var comments = side.comments
        for i in comments.indices {
            comments[i].anchoredText = body.commentAnchors[comments[i].id]?.trimmingWhitespace() ?? ""
        }
        let parts = try readHeadersAndFooters(body.headerFooterReferences, of: package, relationships: rels, styles: styles, warnings: &side.warnings)

        if metadata.title == nil, let heading = firstHeading, heading.isTitle {
            metadata.title = heading.content.plainText()
        }
        var document = Document(metadata: metadata, blocks: blocks, notes: notes, comments: comments, headersAndFooters: parts)
        document.warnings = side.warnings
        return document
    }

    /// What the body refers to, read before it: styles, numbering, notes, comments.
    struct SideParts {
        var styles = StyleSheet()
        var numbering = Numbering()
        var labels = NoteLabels()
        var noteBlocks: [String: [Block]] = [:]
        var comments: [Comment] = []
        /// The comments part could not be read: references to comments are left out.
        var commentsLost = false
        var warnings: [String] = []
    }

    /// A damaged part beside the body (styles, numbering, notes, comments, headers and
    /// footers) costs that part, said in a warning, not the document; a hostile one (over a
    /// limit, declaring entities) still refuses the whole file.
    func aside<T>(
        _ part: String, _ what: String, warnings: inout [String], _ read: () throws(DocumentError) -> T
    ) throws(DocumentError) -> T? {
        try SidePart.read("the " + what, part: part, still: "the rest of the document is read", into: &warnings, read)
    }

    func readSideParts(of package: OPCPackage, relationships rels: Relationships) throws(DocumentError) -> SideParts {
        var side = SideParts()
        if let part = rels.first(typeSuffix: "/styles")?.target, package.hasPart(part) {
            side.styles =
                try aside(part, "styles (headings and character formats from them)", warnings: &side.warnings) { () throws(DocumentError) in
                    try StyleSheet(streaming: package, part: part)
                } ?? StyleSheet()
        }
        if let part = rels.first(typeSuffix: "/numbering")?.target {
            side.numbering =
                try aside(part, "list numbers", warnings: &side.warnings) { () throws(DocumentError) -> Numbering in
                    try package.tree(of: part).map(Numbering.init) ?? Numbering()
                } ?? Numbering()
        }
        // Notes and comments first: the body refers to them.
        let styles = side.styles
        let labels = side.labels
        for type in ["/footnotes", "/endnotes"] {
            guard let part = rels.first(typeSuffix: type)?.target else { continue }
            let builder = try aside(part, type == "/footnotes" ? "footnotes" : "endnotes", warnings: &side.warnings) { () throws(DocumentError) in
                try parse(part, in: package, styles: styles, numbering: Numbering(), labels: labels)
            }
            if let builder { side.noteBlocks.merge(builder.notes) { a, _ in a } }
        }
        if let part = rels.first(typeSuffix: "/comments")?.target {
            let read = try aside(part, "comments", warnings: &side.warnings) { () throws(DocumentError) in
                try parse(part, in: package, styles: styles, numbering: Numbering(), labels: labels).comments
            }
            side.comments = read ?? []
            side.commentsLost = read == nil
        }
        return side
    }

    /// The headers and footers the body's sections name, each part once.
    func readHeadersAndFooters(
        _ references: [(id: String, kind: HeaderFooter.Kind, pages: String)], of package: OPCPackage, relationships rels: Relationships,
        styles: StyleSheet, warnings: inout [String]
    ) throws(DocumentError) -> [HeaderFooter] {
        var parts: [HeaderFooter] = []
        var seen = Set<String>()
        for reference in references {
            guard let rel = rels[id: reference.id], seen.insert(rel.target).inserted else { continue }
            let read = try aside(rel.target, "\(reference.kind.rawValue) (\(reference.pages) pages)", warnings: &warnings) {
                () throws(DocumentError) -> [Block] in
                var body = try parse(rel.target, in: package, styles: styles, numbering: Numbering(), labels: NoteLabels())
                return body.finish()
            }
            if let read { parts.append(HeaderFooter(kind: reference.kind, pages: reference.pages, blocks: read)) }
        }
        return parts
    }

    private func parse(
        _ part: String, in package: OPCPackage, styles: StyleSheet, numbering: Numbering, labels: NoteLabels
    ) throws(DocumentError) -> BodyBuilder {
        let rels = try package.relationships(of: part)
        let builder = BodyBuilder(styles: styles, numbering: numbering, relationships: rels, noteLabels: labels)
        return try package.stream(part, into: builder, localNames: Tag.localNames) ?? builder
    }
}

/// `w:altChunk`: content a producer imported whole from another part of the package — a
/// Word document, HTML or plain text. Quire reads it where it stands; a part it cannot read
/// is named in a line of the body, never dropped without a word.
enum AltChunk {
    static func blocks(_ id: String, relationships: Relationships, package: OPCPackage, options: DOCXReader.Options) -> [Block] {
        guard let rel = relationships[id: id] else { return [note("an imported part (\(id)) that the package does not hold")] }
        let part = rel.target
        guard let bytes = (try? package.bytes(of: part)) ?? nil else { return [note("the imported part \(part), which cannot be read")] }
        let type = (try? package.contentTypes())?.type(of: part)?.lowercased() ?? ""
        let lower = part.lowercased()
        if type.contains("wordprocessingml") || lower.hasSuffix(".docx") {
            guard let document = try? DOCXReader(options: options).read(bytes: bytes, name: part) else {
                return [note("the imported Word document \(part), which is damaged")]
            }
            return document.blocks
        }
        if type.contains("html") || lower.hasSuffix(".htm") || lower.hasSuffix(".html") || lower.hasSuffix(".xhtml") {
            return paragraphs(HTMLLite.text(String(decoding: bytes, as: UTF8.self)))
        }
        if type.hasPrefix("text/plain") || lower.hasSuffix(".txt") {
            return paragraphs(String(decoding: bytes, as: UTF8.self))
        }
        return [note("the imported part \(part) (\(type.isEmpty ? "unknown type" : type)), which Quire does not read")]
    }

    static func note(_ what: String) -> Block {
        .paragraph(Paragraph(content: [.text("[Not shown: \(what).]", .italic)]))
    }

    /// Paragraphs at blank lines; lines within one joined.
    static func paragraphs(_ text: String) -> [Block] {
        var blocks: [Block] = []
        var current: [String] = []
        func flush() {
            if !current.isEmpty { blocks.append(.paragraph(Paragraph(content: [.text(current.joined(separator: " "), [])]))) }
            current = []
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw.drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
            if line.isEmpty { flush() } else { current.append(line) }
        }
        flush()
        return blocks
    }
}

/// Just enough HTML to text for imported chunks: scripts and styles dropped, tags removed,
/// block tags end paragraphs, the common entities decoded.
enum HTMLLite {
    static func text(_ html: String) -> String {
        var out = ""
        var rest = Substring(html)
        let blocks: Set<String> = ["p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote"]
        while let open = rest.firstIndex(of: "<") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            let tag = rest[rest.index(after: open)..<close].lowercased()
            let name = String(tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber })
            rest = rest[rest.index(after: close)...]
            if name == "script" || name == "style", !tag.hasPrefix("/") {
                // Everything up to the closing tag.
                let closing = "</" + name
                var found = false
                while let next = rest.firstIndex(of: "<") {
                    if rest[next...].prefix(closing.count).lowercased() == closing {
                        rest = rest[next...]
                        found = true
                        break
                    }
                    rest = rest[rest.index(after: next)...]
                }
                if !found { rest = "" }
                continue
            }
            if blocks.contains(name) { out += "\n\n" }
        }
        out += rest
        for (entity, character) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            out = out.replacingAll(entity, with: character)
        }
        return out
    }
}
