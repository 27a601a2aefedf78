internal import CLibXML2
import QuireInternalThreads

/// A streaming XML parser over libxml2's SAX2 interface, fed with chunks of bytes, that
/// calls a value-type ``XMLSink``.
///
/// Safe for untrusted input: no network access, no DTD loading, no entity substitution,
/// and any entity declaration is refused outright, so external-entity (XXE) and
/// entity-expansion (billion laughs) documents fail at their first declaration without
/// reading a file or growing memory. Nesting is bounded by `maxDepth`.
/// The encoding (UTF-8, UTF-16 with or without BOM) is detected from the first bytes.
///
/// The parser owns the sink from `init` until ``finish()`` hands it back. With
/// `concurrentSink`, the sink runs on a second thread: this thread only tokenises and
/// records compact events, the other replays them into the sink, in order and never
/// concurrently with itself; `finish()` waits for it to be done.
///
/// ```swift
/// let parser = XMLPushParser(part: "a.xml", namespaces: [:], sink: ElementCounter())
/// try parser.feed(chunk)
/// let counter = try parser.finish()
/// ```
public final class XMLPushParser<Sink: XMLSink> {
    /// The part being parsed, for errors.
    public let part: String
    private let state: SinkState<Sink>
    private var context: xmlParserCtxtPtr?
    private var finished = false

    /// - Parameters:
    ///   - part: names the input in errors (`word/document.xml`).
    ///   - namespaces: URI → id table; ids must be ≥ 1 (`XMLName` reserves 0 and -1).
    ///   - localNames: local name → id table (ids ≥ 0) for `XMLName.localID`; may be empty.
    ///   - sink: receives the content; ``finish()`` returns it.
    ///   - maxDepth: the deepest element nesting accepted (bounds the sink's stacks).
    ///   - concurrentSink: run the sink on another thread (see above). When no thread can
    ///     be started, the parse calls the sink itself.
    public init(
        part: String, namespaces: [String: Int32], localNames: [String: Int32] = [:], sink: Sink, maxDepth: Int = 512,
        concurrentSink: Bool = false
    ) {
        self.part = part
        state = SinkState(
            sink: sink, part: part, namespaces: namespaces, localNames: localNames, maxDepth: maxDepth, concurrent: concurrentSink)
    }

    deinit {
        // A parse abandoned part-way (the caller threw) must still stop the sink's thread,
        // and must not feed the sink any more.
        state.replayer?.abandon()
        if let context {
            // A document with a DOCTYPE makes libxml2's SAX2 handlers build a document for
            // its DTD; freeing the context does not free it.
            if let document = context.pointee.myDoc {
                xmlFreeDoc(document)
                context.pointee.myDoc = nil
            }
            xmlFreeParserCtxt(context)
        }
    }

    /// Parses the next chunk; throws the first error found.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "XMLPushParser.feed after finish")
        guard !bytes.isEmpty else { return }
        if context == nil {
            try start(with: bytes)
            return
        }
        LibXMLErrors.silenceOnThisThread()
        let status = xmlParseChunk(context, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count), 0)
        try check(status)
    }

    /// Lets `body` look at or change the sink between chunks — to take what it has gathered
    /// so far. Only for a parser whose sink runs on this thread (no `concurrentSink`).
    public func updateSink<R>(_ body: (inout Sink) throws -> R) rethrows -> R {
        precondition(state.replayer == nil, "XMLPushParser.updateSink with a concurrent sink")
        return try body(&state.sink.pointee)
    }

    /// Ends the input and returns the sink; throws if the document is incomplete.
    @discardableResult
    public func finish() throws -> Sink {
        guard !finished else { return state.sink.pointee }
        finished = true
        guard let context else {
            throw XMLError(.malformed, part: part, line: 1, column: 1, message: "the part is empty; an XML document was expected.")
        }
        LibXMLErrors.silenceOnThisThread()
        let status = xmlParseChunk(context, nil, 0, 1)
        if let replayer = state.replayer {
            if state.error == nil { state.ship() }
            replayer.stop()
            if let failure = replayer.failure { throw failure }
        }
        try check(status)
        return state.sink.pointee
    }

    /// Parses a whole document held in memory into `sink` and returns it.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, part: String, namespaces: [String: Int32], localNames: [String: Int32] = [:],
        sink: Sink
    ) throws -> Sink {
        let parser = XMLPushParser(part: part, namespaces: namespaces, localNames: localNames, sink: sink)
        var offset = 0
        // Feed in pieces so the parser never needs the input as one C string.
        while offset < bytes.count {
            let n = min(1 << 20, bytes.count - offset)
            try parser.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
            offset += n
        }
        return try parser.finish()
    }

    private func start(with bytes: UnsafeRawBufferPointer) throws {
        LibXMLErrors.silenceOnThisThread()
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = saxStartElement
        sax.endElementNs = saxEndElement
        sax.characters = saxCharacters
        sax.cdataBlock = saxCharacters
        sax.ignorableWhitespace = saxCharacters
        sax.entityDecl = saxEntityDeclaration
        let opaque = Unmanaged.passUnretained(state).toOpaque()
        // The first bytes let libxml2 detect the encoding; hand over at most 4 here.
        let first = min(4, bytes.count)
        guard let ctxt = xmlCreatePushParserCtxt(&sax, opaque, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(first), part) else {
            throw XMLError(.malformed, part: part, line: 0, column: 0, message: "libxml2 could not create a parser.")
        }
        context = ctxt
        state.context = ctxt
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        xmlCtxtUseOptions(ctxt, options)
        if bytes.count > first {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[first...])
            let status = xmlParseChunk(ctxt, rest.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(rest.count), 0)
            try check(status)
        } else {
            try check(0)
        }
    }

    private func check(_ status: Int32) throws {
        if let failure = state.replayer?.failure {
            throw failure
        }
        if let error = state.error {
            state.error = nil
            if var xmlError = error as? XMLError {
                if xmlError.part.isEmpty { xmlError.part = part }
                throw xmlError
            }
            throw XMLError(
                .handler, part: part, line: state.failureLine, column: state.failureColumn,
                message: "\(error)", underlying: error)
        }
        if status != 0 {
            var line = 0
            var column = 0
            var message =
                status == Int32(XML_ERR_INVALID_ENCODING.rawValue)
                ? "its bytes do not match the character encoding it declares: the file is damaged or was written by a broken exporter; re-save it as UTF-8 from its application"
                : "the XML is not well-formed (libxml2 error \(status))."
            if let last = xmlCtxtGetLastError(context) {
                line = Int(last.pointee.line)
                column = Int(last.pointee.int2)
                if let text = last.pointee.message {
                    message = XMLError.actionable(String(cString: text).trimmingTrailingNewlines())
                }
            }
            throw XMLError(.malformed, part: part, line: line, column: column, message: message)
        }
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last.isNewline || last == " " { s.removeLast() }
        return String(s)
    }
}

/// What the C callbacks reach through libxml2's user-data pointer. Not generic, so that the
/// callbacks can be plain C functions; `SinkState` adds the sink.
class ParserState {
    let namespaces: NamespaceCache
    let localNames: LocalNameCache
    var context: xmlParserCtxtPtr?
    var error: (any Error)? {
        didSet { flags.pointee.failed = error != nil }
    }
    /// Checked on every callback, so kept in raw memory (no exclusivity check per access).
    let flags: UnsafeMutablePointer<(failed: Bool, depth: Int)>
    var failureLine = 0
    var failureColumn = 0
    let maxDepth: Int

    /// Set when the sink runs on another thread: events are recorded here instead.
    var replayer: Replayer?
    var batch: UnsafeMutablePointer<XMLEventBatch>?

    init(namespaces: NamespaceCache, localNames: LocalNameCache, maxDepth: Int) {
        self.namespaces = namespaces
        self.localNames = localNames
        flags = .allocate(capacity: 1)
        flags.initialize(to: (false, 0))
        self.maxDepth = maxDepth
    }

    deinit {
        flags.deallocate()
        if let batch {
            batch.deinitialize(count: 1)
            batch.deallocate()
        }
    }

    /// Turns on recording for `replayer`.
    func record(into replayer: Replayer) {
        self.replayer = replayer
        let batch = UnsafeMutablePointer<XMLEventBatch>.allocate(capacity: 1)
        batch.initialize(to: XMLEventBatch())
        batch.pointee.reserve()
        self.batch = batch
    }

    // The sink's three calls; `SinkState` implements them.
    func startElement(_ name: XMLName, attributes: XMLAttributes) throws { fatalError("abstract") }
    func endElement(_ name: XMLName) throws { fatalError("abstract") }
    func characters(_ text: UnsafeRawBufferPointer) throws { fatalError("abstract") }

    var line: Int32 {
        guard let context else { return 0 }
        return Int32(truncatingIfNeeded: xmlSAX2GetLineNumber(context))
    }

    /// Hands the recorded events to the sink's thread and starts a new batch.
    func ship() {
        guard let batch, let replayer else { return }
        if batch.pointee.events.isEmpty { return }
        var full = replayer.recycledBatch()
        swap(&full, &batch.pointee)
        if !replayer.send(full) {
            // The sink failed; stop tokenising (its error is reported by the parser).
            fail(HandlerStopped())
        }
    }

    /// Fails with an error of the parser's own at the current position.
    func failHere(_ code: XMLError.Code, _ message: String) {
        var line = 0
        var column = 0
        if let context {
            line = Int(xmlSAX2GetLineNumber(context))
            column = Int(xmlSAX2GetColumnNumber(context))
        }
        fail(XMLError(code, part: "", line: line, column: column, message: message))
    }

    func fail(_ error: any Error) {
        guard self.error == nil else { return }
        self.error = error
        if let context {
            failureLine = Int(xmlSAX2GetLineNumber(context))
            failureColumn = Int(xmlSAX2GetColumnNumber(context))
            xmlStopParser(context)
        }
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> ParserState {
        Unmanaged<ParserState>.fromOpaque(pointer!).takeUnretainedValue()
    }
}

/// The parser's state with its sink, which lives in raw memory: it is called for every
/// event, and a class's stored property would cost a run-time exclusivity check on each.
final class SinkState<Sink: XMLSink>: ParserState {
    let sink: UnsafeMutablePointer<Sink>

    init(sink: Sink, part: String, namespaces: [String: Int32], localNames: [String: Int32], maxDepth: Int, concurrent: Bool) {
        self.sink = .allocate(capacity: 1)
        self.sink.initialize(to: sink)
        super.init(namespaces: NamespaceCache(namespaces), localNames: LocalNameCache(localNames), maxDepth: maxDepth)
        if concurrent {
            if let replayer = Replayer(part: part, namespaces: namespaces, localNames: localNames, target: SinkPointer(self.sink)) {
                record(into: replayer)
            }
        }
    }

    deinit {
        sink.deinitialize(count: 1)
        sink.deallocate()
    }

    override func startElement(_ name: XMLName, attributes: XMLAttributes) throws {
        try sink.pointee.startElement(name, attributes: attributes)
    }

    override func endElement(_ name: XMLName) throws {
        try sink.pointee.endElement(name)
    }

    override func characters(_ text: UnsafeRawBufferPointer) throws {
        try sink.pointee.characters(text)
    }
}

private func makeName(_ state: ParserState, _ local: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?) -> XMLName {
    XMLName(namespace: state.namespaces.id(uri), localID: state.localNames.id(local), pointer: local)
}

// The hot callbacks borrow the state (+0) instead of retaining it: it outlives the parse.
private let saxStartElement: startElementNsSAX2Func = { ctx, local, _, uri, _, _, count, _, attributes in
    Unmanaged<ParserState>.fromOpaque(ctx!)._withUnsafeGuaranteedRef { state in
        start(state, local, uri, Int(count), attributes)
    }
}

private func start(
    _ state: ParserState, _ local: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?, _ count: Int,
    _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?
) {
    let flags = state.flags
    guard !flags.pointee.failed else { return }
    flags.pointee.depth += 1
    if flags.pointee.depth > state.maxDepth {
        state.failHere(.tooDeep, "elements nest more than \(state.maxDepth) deep; refusing to go further.")
        return
    }
    if let batch = state.batch {
        batch.pointee.start(name: local, uri: uri, line: state.line, attributes: attributes, count: count)
        if batch.pointee.isFull { state.ship() }
        return
    }
    let name = makeName(state, local, uri)
    let attrs = XMLAttributes(raw: attributes, count: count, namespaces: Unmanaged.passUnretained(state.namespaces))
    do {
        try state.startElement(name, attributes: attrs)
    } catch {
        state.fail(error)
    }
}

private let saxEndElement: endElementNsSAX2Func = { ctx, local, _, uri in
    Unmanaged<ParserState>.fromOpaque(ctx!)._withUnsafeGuaranteedRef { state in
        let flags = state.flags
        guard !flags.pointee.failed else { return }
        flags.pointee.depth -= 1
        if let batch = state.batch {
            batch.pointee.end(name: local, uri: uri, line: state.line)
            if batch.pointee.isFull { state.ship() }
            return
        }
        do {
            try state.endElement(makeName(state, local, uri))
        } catch {
            state.fail(error)
        }
    }
}

private let saxCharacters: charactersSAXFunc = { ctx, text, length in
    Unmanaged<ParserState>.fromOpaque(ctx!)._withUnsafeGuaranteedRef { state in
        guard !state.flags.pointee.failed, let text, length > 0 else { return }
        if let batch = state.batch {
            batch.pointee.text(UnsafeRawBufferPointer(start: text, count: Int(length)), line: state.line)
            if batch.pointee.isFull { state.ship() }
            return
        }
        do {
            try state.characters(UnsafeRawBufferPointer(start: text, count: Int(length)))
        } catch {
            state.fail(error)
        }
    }
}

private let saxEntityDeclaration: entityDeclSAXFunc = { ctx, name, _, _, systemID, _ in
    let state = ParserState.from(ctx)
    let entity = name.map { String(cString: $0) } ?? "?"
    let external = systemID != nil ? " (an external entity: this is how XXE attacks read local files)" : ""
    state.failHere(
        .entityDeclaration,
        "the document declares the entity '\(entity)'\(external); entity declarations are refused for safety.")
}
