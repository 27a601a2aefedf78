internal import CLibXML2

/// A streaming XML parser over libxml2's SAX2 interface, fed with chunks of bytes.
///
/// Safe for untrusted input: no network access, no DTD loading, no entity substitution,
/// and any entity declaration is refused outright, so external-entity (XXE) and
/// entity-expansion (billion laughs) documents fail at their first declaration without
/// reading a file or growing memory. Nesting is bounded by libxml2's default depth limit.
/// The encoding (UTF-8, UTF-16 with or without BOM) is detected from the first bytes.
public final class XMLPushParser {
    public let part: String
    private let state: ParserState
    private var context: xmlParserCtxtPtr?
    private var finished = false

    /// - Parameters:
    ///   - part: names the input in errors (`word/document.xml`).
    ///   - namespaces: URI → id table; ids must be ≥ 1 (`XMLName` reserves 0 and -1).
    ///   - handler: receives the content.
    ///   - localNames: local name → id table (ids ≥ 0) for `XMLName.localID`; may be empty.
    ///   - maxDepth: the deepest element nesting accepted (bounds the handler's stacks).
    public init(
        part: String, namespaces: [String: Int32], localNames: [String: Int32] = [:], handler: any XMLContentHandler,
        maxDepth: Int = 512
    ) {
        self.part = part
        state = ParserState(
            handler: handler, namespaces: NamespaceCache(namespaces), localNames: LocalNameCache(localNames), maxDepth: maxDepth)
    }

    deinit {
        if let context {
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
        let status = xmlParseChunk(context, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count), 0)
        try check(status)
    }

    /// Ends the input; throws if the document is incomplete.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        guard let context else {
            throw XMLError(.malformed, part: part, line: 1, column: 1, message: "the part is empty; an XML document was expected.")
        }
        let status = xmlParseChunk(context, nil, 0, 1)
        try check(status)
    }

    /// Parses a whole document held in memory.
    public static func parse(
        _ bytes: UnsafeRawBufferPointer, part: String, namespaces: [String: Int32], localNames: [String: Int32] = [:],
        handler: any XMLContentHandler
    ) throws {
        let parser = XMLPushParser(part: part, namespaces: namespaces, localNames: localNames, handler: handler)
        var offset = 0
        // Feed in pieces so the parser never needs the input as one C string.
        while offset < bytes.count {
            let n = min(1 << 20, bytes.count - offset)
            try parser.feed(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
            offset += n
        }
        try parser.finish()
    }

    private func start(with bytes: UnsafeRawBufferPointer) throws {
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
        if let error = state.error {
            state.error = nil
            if var xmlError = error as? XMLError {
                if xmlError.part.isEmpty { xmlError.part = part }
                throw xmlError
            }
            throw XMLError(
                .handler, part: part, line: state.failureLine, column: state.failureColumn,
                message: "\(error)")
        }
        if status != 0 {
            var line = 0, column = 0
            var message = "the XML is not well-formed (libxml2 error \(status))."
            if let last = xmlCtxtGetLastError(context) {
                line = Int(last.pointee.line)
                column = Int(last.pointee.int2)
                if let text = last.pointee.message {
                    message = String(cString: text).trimmingTrailingNewlines()
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

/// What the C callbacks reach through libxml2's user-data pointer.
final class ParserState {
    let handler: any XMLContentHandler
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

    init(handler: any XMLContentHandler, namespaces: NamespaceCache, localNames: LocalNameCache, maxDepth: Int) {
        self.handler = handler
        self.namespaces = namespaces
        self.localNames = localNames
        flags = .allocate(capacity: 1)
        flags.initialize(to: (false, 0))
        self.maxDepth = maxDepth
    }

    deinit {
        flags.deallocate()
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
        var line = 0, column = 0
        if let context = state.context {
            line = Int(xmlSAX2GetLineNumber(context))
            column = Int(xmlSAX2GetColumnNumber(context))
        }
        state.fail(
            XMLError(
                .tooDeep, part: "", line: line, column: column,
                message: "elements nest more than \(state.maxDepth) deep; refusing to go further."))
        return
    }
    let name = makeName(state, local, uri)
    let attrs = XMLAttributes(raw: attributes, count: count, namespaces: Unmanaged.passUnretained(state.namespaces))
    do {
        try state.handler.startElement(name, attributes: attrs)
    } catch {
        state.fail(error)
    }
}

private let saxEndElement: endElementNsSAX2Func = { ctx, local, _, uri in
    Unmanaged<ParserState>.fromOpaque(ctx!)._withUnsafeGuaranteedRef { state in
        let flags = state.flags
        guard !flags.pointee.failed else { return }
        flags.pointee.depth -= 1
        do {
            try state.handler.endElement(makeName(state, local, uri))
        } catch {
            state.fail(error)
        }
    }
}

private let saxCharacters: charactersSAXFunc = { ctx, text, length in
    Unmanaged<ParserState>.fromOpaque(ctx!)._withUnsafeGuaranteedRef { state in
        guard !state.flags.pointee.failed, let text, length > 0 else { return }
        do {
            try state.handler.characters(UnsafeRawBufferPointer(start: text, count: Int(length)))
        } catch {
            state.fail(error)
        }
    }
}

private let saxEntityDeclaration: entityDeclSAXFunc = { ctx, name, _, _, systemID, _ in
    let state = ParserState.from(ctx)
    let entity = name.map { String(cString: $0) } ?? "?"
    let external = systemID != nil ? " (an external entity: this is how XXE attacks read local files)" : ""
    var line = 0, column = 0
    if let context = state.context {
        line = Int(xmlSAX2GetLineNumber(context))
        column = Int(xmlSAX2GetColumnNumber(context))
    }
    state.fail(
        XMLError(
            .entityDeclaration, part: "", line: line, column: column,
            message: "the document declares the entity '\(entity)'\(external); entity declarations are refused for safety."))
}
