#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads XML parts straight from their UTF-8 bytes into an ``XMLSink``: no libxml2, no
/// per-element objects. Quire uses it for the two big parts of a workbook, worksheets and
/// the shared strings; it feeds the same sinks as ``XMLPushParser``.
///
/// A worksheet of a large workbook is almost all `<row><c r s t><v>…</v></c></row>`, and a
/// general parser spends most of its time on what such markup never uses (interning names,
/// building attribute arrays, line counting). This scanner does only what the grammar needs
/// and checks what it reads: element nesting (end tags must match), attribute syntax,
/// character and predefined entity references, namespace prefixes (declared anywhere),
/// comments, processing instructions and CDATA. Its rules are libxml2's as the push parser
/// uses it: the same depth limit (`maxDepth`, error code `tooDeep`), the five predefined
/// entities and character references to XML characters only, anything else an error.
/// Character data is read only while the sink's ``XMLSink/wantsText`` is true. Errors
/// name the part and the line and column.
///
/// What it does not read it hands back before reporting anything: a part in another
/// encoding than UTF-8 (UTF-16 parts exist) or with a document type declaration throws
/// `NeedsGeneralParser` and sets `needsGeneralParser`; libxml2 reads those (and refuses
/// their entity declarations).
public struct ByteScanner<Sink: XMLSink> {
    /// The sink, as the scan has left it (after ``finish()``: with the whole part).
    @inlinable public var sink: Sink { currentSink }
    @usableFromInline var currentSink: Sink
    @usableFromInline let part: String
    @usableFromInline let namespaceTable: [String: Int32]
    @usableFromInline let localNames: ScanNameTable
    /// The bytes of a token cut by the end of a chunk, kept for the next one.
    @usableFromInline var pending: [UInt8] = []
    /// Open elements, innermost last.
    @usableFromInline var open: [OpenElement] = []
    /// Namespace prefixes declared by open elements, innermost last.
    /// (with the attributes of the tag being read: see `ScanScratch`)
    @usableFromInline var scratch = ScanScratch()
    /// The depth of the innermost element that declared a prefix (0: none).
    @usableFromInline var bindingDepth = 0
    /// The namespace of unprefixed element names inside the open elements.
    @inlinable public var defaultNamespace: Int32 { currentDefaultNamespace }
    @usableFromInline var currentDefaultNamespace = XMLName.noNamespace
    @usableFromInline var sawRoot = false
    @usableFromInline var rootClosed = false
    @usableFromInline var atStart = true
    /// Lines and the offset where the current line starts, over bytes already consumed.
    @usableFromInline var line = 1
    @usableFromInline var consumed = 0
    @usableFromInline var lineStart = 0
    @usableFromInline var attributeCount = 0
    /// The last element-name prefix resolved (up to 8 bytes, packed little-endian; length -1:
    /// none) and its namespace. Nearly every element of an OOXML part has the same prefix
    /// (`w:`, `x:`), and the root declares dozens: one comparison instead of a walk over
    /// them. Forgotten whenever the bindings change.
    @usableFromInline var lastPrefix: UInt64 = 0
    @usableFromInline var lastPrefixLength = -1
    @usableFromInline var lastPrefixNamespace: Int32 = 0

    /// The part needs a general XML parser; nothing has been reported.
    public typealias NeedsGeneralParser = ScannerNeedsGeneralParser

    /// The deepest element nesting accepted, as ``XMLPushParser``'s default.
    @inlinable public static var maxDepth: Int { 512 }

    /// - Parameters:
    ///   - sink: receives the content; `sink` holds it after the scan.
    ///   - part: names the input in errors.
    ///   - namespaces: URI → id table, as for ``XMLPushParser``.
    ///   - localNames: local name → id table for `XMLName.localID`.
    @inlinable public init(sink: Sink, part: String, namespaces: [String: Int32], localNames: [String: Int32]) {
        self.currentSink = sink
        self.part = part
        self.namespaceTable = namespaces
        self.localNames = ScanNameTable(localNames)
    }

    /// Set when the part needs a general XML parser (see above).
    @inlinable public var needsGeneralParser: Bool { handedBack }
    @usableFromInline var handedBack = false

    /// How deep the scan is: the number of open elements.
    @inlinable public var depth: Int { open.count }
    /// Whether bytes of a cut-off token wait for the next chunk.
    @inlinable public var hasPending: Bool { !pending.isEmpty }
    /// Whether a comment, CDATA section or processing instruction was seen inside the root.
    @inlinable public var sawMarkupDeclaration: Bool { sawDeclaration }
    @usableFromInline var sawDeclaration = false

    /// This scan's state (open elements, namespaces, position) with another sink.
    @inlinable public func with(sink: Sink) -> ByteScanner<Sink> {
        var copy = self
        copy.currentSink = sink
        return copy
    }

    /// Changes the sink between chunks.
    @inlinable public mutating func updateSink(_ body: (inout Sink) -> Void) {
        body(&currentSink)
    }

    /// Counts bytes scanned elsewhere (by a copy) into this scan's position.
    @inlinable public mutating func account(for bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        advance(base, bytes.count)
    }

    @inlinable mutating func needGeneralParser() -> NeedsGeneralParser {
        handedBack = true
        return NeedsGeneralParser()
    }

    /// Scans the next piece of the part, calling the sink for what it completes.
    /// - Throws: `XMLError` for markup that is not well-formed (with the line and column),
    ///   the sink's own error, or `NeedsGeneralParser` (before the sink has seen anything).
    @inlinable public mutating func feed(_ chunk: UnsafeRawBufferPointer) throws {
        let bytes = chunk.bindMemory(to: UInt8.self)
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        var offset = 0
        // A token cut by the last chunk: complete it from small pieces of this one, then scan
        // the rest in place (copying only what straddles the boundary).
        while !pending.isEmpty && offset < bytes.count {
            let take = min(4096, bytes.count - offset)
            let before = pending.count
            pending.append(contentsOf: UnsafeBufferPointer(start: base + offset, count: take))
            let used = try scanPending(atEnd: false)
            if used >= before {
                offset += used - before
                pending.removeAll(keepingCapacity: true)
            } else {
                offset += take
            }
        }
        guard offset < bytes.count else { return }
        let used = try scan(base + offset, bytes.count - offset, atEnd: false)
        advance(base + offset, used)
        if offset + used < bytes.count {
            pending.append(contentsOf: UnsafeBufferPointer(start: base + offset + used, count: bytes.count - offset - used))
        }
    }

    /// Ends the part: what is left must complete the document.
    /// - Throws: `XMLError` when the part ends inside an element or has no root element.
    @inlinable public mutating func finish() throws {
        _ = try scanPending(atEnd: true)
        if !pending.isEmpty || !sawRoot || !rootClosed {
            let what = !sawRoot ? "no root element" : "the part ends inside <\(open.last?.name ?? "")>"
            throw error(at: pending.count, in: nil, "unexpected end of part: \(what)")
        }
    }

    /// Scans `pending`, drops what was used and returns how much that was.
    @inlinable mutating func scanPending(atEnd: Bool) throws -> Int {
        guard !pending.isEmpty || atEnd else { return 0 }
        var buffer = pending
        pending = []
        defer { pending = buffer }
        guard !buffer.isEmpty else { return 0 }
        let used = try buffer.withUnsafeBufferPointer { bytes in
            let used = try scan(bytes.baseAddress!, bytes.count, atEnd: atEnd)
            advance(bytes.baseAddress!, used)
            return used
        }
        buffer.removeFirst(used)
        return used
    }

    /// Counts the lines of bytes that are done with, for error positions.
    @inlinable mutating func advance(_ base: UnsafePointer<UInt8>, _ count: Int) {
        var p = UnsafeRawPointer(base)
        var left = count
        while left > 0, let hit = cMemchr(p, 0x0A, left) {
            let offset = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            line += 1
            lineStart = consumed + offset + 1
            p = UnsafeRawPointer(hit) + 1
            left = count - offset - 1
        }
        consumed += count
    }

    // MARK: - The scanner

    @inlinable static var lt: UInt8 { 0x3C }
    @inlinable static var gt: UInt8 { 0x3E }
    @inlinable static var slash: UInt8 { 0x2F }
    @inlinable static var amp: UInt8 { 0x26 }
    @inlinable static var cr: UInt8 { 0x0D }

    @inlinable @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

    /// Scans `base[0..<n]`; returns how many bytes were used (the rest is an unfinished token).
    @inlinable mutating func scan(_ base: UnsafePointer<UInt8>, _ n: Int, atEnd: Bool) throws -> Int {
        var i = 0
        if atStart {
            guard let start = try prolog(base, n, atEnd: atEnd) else { return 0 }
            i = start
            atStart = false
        }
        // Inside the switch, `break` leaves the switch and reaches the `break` after it, which
        // ends the scan: that is how a token cut off by the end of the bytes stops it.
        while i < n {
            if base[i] != Self.lt {
                let stop = ByteScannerBytes.find(Self.lt, base, from: i, to: n) ?? n
                let end = try text(base, i, stop, complete: stop < n || atEnd)
                i = end
                if end < stop { break }
                continue
            }
            guard i + 1 < n else { break }
            switch base[i + 1] {
            case Self.slash:
                guard let close = ByteScannerBytes.find(Self.gt, base, from: i + 2, to: n) else { break }
                try endTag(base, i, close)
                i = close + 1
                continue
            case UInt8(ascii: "?"):
                guard let close = ByteScannerBytes.find(sequence: "?>", base, from: i + 2, to: n) else { break }
                if !open.isEmpty { sawDeclaration = true }
                i = close + 2
                continue
            case UInt8(ascii: "!"):
                if ByteScannerBytes.matches("<!--", base, i, n) {
                    guard let close = ByteScannerBytes.find(sequence: "-->", base, from: i + 4, to: n) else { break }
                    if !open.isEmpty { sawDeclaration = true }
                    i = close + 3
                    continue
                }
                if ByteScannerBytes.matches("<![CDATA[", base, i, n) {
                    guard let close = ByteScannerBytes.find(sequence: "]]>", base, from: i + 9, to: n) else { break }
                    guard !open.isEmpty else { throw error(at: i, in: base, "CDATA outside the root element") }
                    sawDeclaration = true
                    if currentSink.wantsText { try appendNormalisingLineEnds(base + i + 9, close - i - 9) }
                    i = close + 3
                    continue
                }
                if n - i < 9 && !atEnd { break }
                // A document type declaration (before the root, so nothing is written yet):
                // libxml2 reads it, and refuses the entity declarations it may hold.
                if !sawRoot && ByteScannerBytes.matches("<!DOCTYPE", base, i, n) { throw needGeneralParser() }
                throw error(at: i, in: base, "unexpected markup declaration")
            default:
                guard let end = try startTag(base, i, n) else { break }
                i = end
                continue
            }
            break
        }
        if atEnd && i < n {
            throw error(at: i, in: base, "unexpected end of part inside a tag")
        }
        return i
    }

    /// Checks the start of the part (byte order mark, XML declaration); returns where
    /// content begins, or nil to wait for more bytes.
    @inlinable mutating func prolog(_ base: UnsafePointer<UInt8>, _ n: Int, atEnd: Bool) throws -> Int? {
        if n < 6 && !atEnd { return nil }
        var i = 0
        if n >= 2, base[0] == 0xFE || base[0] == 0xFF || base[0] == 0 || base[1] == 0 { throw needGeneralParser() }
        if n >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF { i = 3 }
        guard ByteScannerBytes.matches("<?xml", base, i, n), n - i > 5, Self.isSpace(base[i + 5]) else { return i }
        guard let close = ByteScannerBytes.find(sequence: "?>", base, from: i, to: n) else {
            if atEnd { throw error(at: i, in: base, "unterminated XML declaration") }
            return nil
        }
        if let at = ByteScannerBytes.find(sequence: "encoding", base, from: i, to: close) {
            var k = at + 8
            while k < close, Self.isSpace(base[k]) || base[k] == UInt8(ascii: "=") || base[k] == UInt8(ascii: "\"") || base[k] == UInt8(ascii: "'") { k += 1 }
            var end = k
            while end < close, base[end] != UInt8(ascii: "\""), base[end] != UInt8(ascii: "'"), !Self.isSpace(base[end]) { end += 1 }
            let name = String(decoding: UnsafeBufferPointer(start: base + k, count: end - k), as: UTF8.self).lowercased()
            if name != "utf-8" && name != "utf8" { throw needGeneralParser() }
        }
        return close + 2
    }

    /// A start tag at `start`; returns the offset after it, or nil when it is cut off.
    @inlinable mutating func startTag(_ base: UnsafePointer<UInt8>, _ start: Int, _ n: Int) throws -> Int? {
        if rootClosed { throw error(at: start, in: base, "content after the root element") }
        var j = start + 1
        let nameStart = j
        while j < n, !Self.isSpace(base[j]), base[j] != Self.gt, base[j] != Self.slash { j += 1 }
        guard j < n else { return nil }
        let nameEnd = j
        guard nameEnd > nameStart, Self.isNameStart(base[nameStart]) else { throw error(at: start, in: base, "malformed start tag") }
        attributeCount = 0
        var selfClosing = false
        while true {
            let gap = j
            while j < n, Self.isSpace(base[j]) { j += 1 }
            guard j < n else { return nil }
            let byte = base[j]
            if byte == Self.gt {
                j += 1
                break
            }
            if byte == Self.slash {
                guard j + 1 < n else { return nil }
                guard base[j + 1] == Self.gt else { throw error(at: j, in: base, "expected '>' after '/'") }
                selfClosing = true
                j += 2
                break
            }
            guard j > gap, Self.isNameStart(byte) else { throw error(at: j, in: base, "malformed attribute") }
            let attributeStart = j
            while j < n, base[j] != UInt8(ascii: "="), !Self.isSpace(base[j]), base[j] != Self.gt, base[j] != Self.slash { j += 1 }
            let attributeEnd = j
            while j < n, Self.isSpace(base[j]) { j += 1 }
            guard j < n else { return nil }
            guard base[j] == UInt8(ascii: "=") else { throw error(at: j, in: base, "expected '=' after an attribute name") }
            j += 1
            while j < n, Self.isSpace(base[j]) { j += 1 }
            guard j < n else { return nil }
            let quote = base[j]
            guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw error(at: j, in: base, "attribute value without quotes")
            }
            guard let close = ByteScannerBytes.find(quote, base, from: j + 1, to: n) else { return nil }
            try checkAttributeValue(base, (j + 1)..<close)
            if attributeCount == 0 && !isKnownUniquelyReferenced(&scratch) { scratch = scratch.copy() }
            if attributeCount == scratch.capacity { scratch.grow() }
            scratch.attributes[attributeCount] = ScannedAttribute(name: attributeStart..<attributeEnd, value: (j + 1)..<close)
            attributeCount += 1
            j = close + 1
        }
        try open(base, start, nameStart..<nameEnd, selfClosing: selfClosing)
        return j
    }

    /// An attribute value may hold no `<`, and only references that stand for something
    /// (libxml2 refuses the rest); values are short, so one loop looks for both.
    @inlinable @inline(__always) func checkAttributeValue(_ base: UnsafePointer<UInt8>, _ value: Range<Int>) throws {
        var k = value.lowerBound
        while k < value.upperBound {
            let byte = base[k]
            if byte == Self.lt { throw error(at: k, in: base, "'<' in an attribute value") }
            if byte == Self.amp {
                guard let semicolon = ByteScannerBytes.find(UInt8(ascii: ";"), base, from: k + 1, to: value.upperBound) else {
                    throw error(at: k, in: base, "'&' in an attribute value that starts no reference (write &amp;)")
                }
                let name = UnsafeBufferPointer(start: base + k + 1, count: semicolon - k - 1)
                if ScannedAttributes.referent(name) == nil { throw referenceError(name, at: k, in: base) }
                k = semicolon
            }
            k += 1
        }
    }

    @inlinable @inline(__always) static func isNameStart(_ b: UInt8) -> Bool {
        (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") || b == UInt8(ascii: "_") || b == UInt8(ascii: ":") || b >= 0x80
    }

    @inlinable mutating func open(_ base: UnsafePointer<UInt8>, _ start: Int, _ name: Range<Int>, selfClosing: Bool) throws {
        let depth = open.count + 1
        guard depth <= Self.maxDepth else { throw error(at: start, in: base, "elements nest deeper than \(Self.maxDepth) levels", code: .tooDeep) }
        sawRoot = true
        let attributes = scratch.attributes
        for a in 0..<attributeCount where ScannedAttributes.isNamespaceDeclaration(base, attributes[a].name) {
            let attribute = attributes[a]
            let length = attribute.name.count
            let prefix = length == 5 ? [] : Array(UnsafeBufferPointer(start: base + attribute.name.lowerBound + 6, count: length - 6))
            let uri = ScannedAttributes.decode(base, attribute.value)
            let namespace = uri.isEmpty ? XMLName.noNamespace : (namespaceTable[String(decoding: uri, as: UTF8.self)] ?? XMLName.unknownNamespace)
            if !isKnownUniquelyReferenced(&scratch) { scratch = scratch.copy() }
            scratch.bindings.append(ScanBinding(prefix: prefix, namespace: namespace, depth: depth))
            lastPrefixLength = -1
            bindingDepth = depth
            if prefix.isEmpty { currentDefaultNamespace = namespace }
        }
        let (namespace, local) = resolve(base, name)
        let (key, hash) = OpenElement.key(base + name.lowerBound, name.count)
        let localOffset = local.lowerBound - name.lowerBound
        // An unprefixed name is its own local name: its key serves the lookup too.
        let localID =
            localOffset == 0
            ? localNames.id(base + local.lowerBound, local.count, key: key, hash: hash)
            : localNames.id(base + local.lowerBound, local.count)
        let element = OpenElement(key: key, hash: hash, length: name.count, namespace: namespace, localID: localID, localOffset: localOffset)
        let xmlName = XMLName(namespace: namespace, localID: element.localID, pointer: base + local.lowerBound, length: local.count)
        try currentSink.startElement(
            xmlName,
            attributes: XMLAttributes(
                scanned: base, UnsafeBufferPointer(start: attributes, count: attributeCount), scratch: Unmanaged.passUnretained(scratch)))
        if selfClosing {
            try currentSink.endElement(xmlName)
            popBindings(depth: depth)
            if depth == 1 { rootClosed = true }
        } else {
            open.append(element)
        }
    }

    /// The namespace id and local name of a qualified name.
    @inlinable mutating func resolve(_ base: UnsafePointer<UInt8>, _ name: Range<Int>) -> (Int32, Range<Int>) {
        var colon = name.lowerBound
        var packed: UInt64 = 0
        while colon < name.upperBound && base[colon] != UInt8(ascii: ":") {
            if colon - name.lowerBound < 8 { packed |= UInt64(base[colon]) << (8 * UInt64(colon - name.lowerBound)) }
            colon += 1
        }
        guard colon < name.upperBound else { return (defaultNamespace, name) }
        let length = colon - name.lowerBound
        if length <= 8 && length == lastPrefixLength && packed == lastPrefix { return (lastPrefixNamespace, (colon + 1)..<name.upperBound) }
        let prefix = UnsafeBufferPointer(start: base + name.lowerBound, count: length)
        let namespace = ScanBinding.namespace(of: prefix, in: scratch.bindings)
        if length <= 8 {
            lastPrefix = packed
            lastPrefixLength = length
            lastPrefixNamespace = namespace
        }
        return (namespace, (colon + 1)..<name.upperBound)
    }

    @inlinable mutating func endTag(_ base: UnsafePointer<UInt8>, _ start: Int, _ close: Int) throws {
        var nameEnd = start + 2
        while nameEnd < close, !Self.isSpace(base[nameEnd]) { nameEnd += 1 }
        for k in nameEnd..<close where !Self.isSpace(base[k]) { throw error(at: k, in: base, "malformed end tag") }
        let length = nameEnd - start - 2
        guard let top = open.last else { throw error(at: start, in: base, "end tag without a start tag") }
        guard top.matches(base + start + 2, length) else {
            let found = String(decoding: UnsafeBufferPointer(start: base + start + 2, count: length), as: UTF8.self)
            throw error(at: start, in: base, "end tag </\(found)> does not match <\(top.name)>")
        }
        let depth = open.count
        open.removeLast()
        try currentSink.endElement(
            XMLName(namespace: top.namespace, localID: top.localID, pointer: base + start + 2 + top.localOffset, length: length - top.localOffset))
        popBindings(depth: depth)
        if depth == 1 { rootClosed = true }
    }

    @inlinable mutating func popBindings(depth: Int) {
        guard bindingDepth >= depth else { return }
        if !isKnownUniquelyReferenced(&scratch) { scratch = scratch.copy() }
        while let last = scratch.bindings.last, last.depth >= depth { scratch.bindings.removeLast() }
        lastPrefixLength = -1
        bindingDepth = scratch.bindings.last?.depth ?? 0
        currentDefaultNamespace = scratch.bindings.last(where: { $0.prefix.isEmpty })?.namespace ?? XMLName.noNamespace
    }

    /// An error at offset `at` of the buffer being scanned (`base`; nil: of `pending`).
    @inlinable func error(at offset: Int, in base: UnsafePointer<UInt8>?, _ message: String, code: XMLError.Code = .malformed) -> XMLError {
        var line = self.line
        var lineStart = self.lineStart
        let scan = { (p: UnsafePointer<UInt8>) in
            for k in 0..<offset where p[k] == 0x0A {
                line += 1
                lineStart = self.consumed + k + 1
            }
        }
        if let base {
            scan(base)
        } else {
            pending.withUnsafeBufferPointer { if let p = $0.baseAddress { scan(p) } }
        }
        return XMLError(code, part: part, line: line, column: consumed + offset - lineStart + 1, message: message)
    }
}
