import QuireModel
import QuireOOXML
import QuireXML

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads SpreadsheetML parts straight from their UTF-8 bytes: no libxml2, no events, no
/// per-element objects. Used for the two big parts of a workbook, worksheets (to CSV) and
/// the shared strings.
///
/// A worksheet of a large workbook is almost all `<row><c r s t><v>…</v></c></row>`, and a
/// general parser spends most of its time on what such markup never uses (interning names,
/// building attribute arrays, line counting). This scanner does only what the grammar needs
/// and checks what it reads: element nesting (end tags must match), attribute syntax,
/// character and predefined entity references in the text it keeps, namespace prefixes
/// (declared anywhere), comments, processing instructions and CDATA. Errors name the part
/// and the line and column.
///
/// What it does not read it hands back before writing anything: a part in another encoding
/// than UTF-8 (UTF-16 parts exist) or with a document type declaration goes through
/// libxml2 (`needsGeneralParser`), which refuses entity declarations.
struct ByteScanner<Client: ByteScanClient> {
    private(set) var client: Client
    private let part: String
    /// The bytes of a token cut by the end of a chunk, kept for the next one.
    private var pending: [UInt8] = []
    /// Open elements, innermost last.
    private var open: [OpenElement] = []
    /// Namespace prefixes declared by open elements, innermost last.
    private var bindings: [(prefix: [UInt8], namespace: Int32, depth: Int)] = []
    /// The depth of the innermost element that declared a prefix (0: none).
    private var bindingDepth = 0
    private var defaultNamespace = XMLName.noNamespace
    private var sawRoot = false
    private var rootClosed = false
    private var atStart = true
    /// Lines and the offset where the current line starts, over bytes already consumed.
    private var line = 1
    private var consumed = 0
    private var lineStart = 0
    /// The attributes of the tag being read: offsets into the bytes being scanned.
    private var attributes = [(name: Range<Int>, value: Range<Int>)](repeating: (0..<0, 0..<0), count: 16)
    private var attributeCount = 0
    private var scratch: [UInt8] = []

    /// The part needs a general XML parser; nothing has been written.
    typealias NeedsGeneralParser = ScannerNeedsGeneralParser

    static var maxDepth: Int { 512 }

    init(client: Client, part: String) {
        self.client = client
        self.part = part
    }

    private(set) var needsGeneralParser = false

    /// How deep the scan is: the number of open elements.
    var depth: Int { open.count }
    /// Whether bytes of a cut-off token wait for the next chunk.
    var hasPending: Bool { !pending.isEmpty }
    /// Whether a comment, CDATA section or processing instruction was seen inside the root.
    private(set) var sawMarkupDeclaration = false
    /// Whether unprefixed names inside the open elements are SpreadsheetML.
    var defaultIsSpreadsheet: Bool { defaultNamespace == NS.spreadsheet }

    /// This scan's state (open elements, namespaces) with another client.
    func with(client: Client) -> ByteScanner<Client> {
        var copy = self
        copy.client = client
        return copy
    }

    mutating func updateClient(_ body: (inout Client) -> Void) {
        body(&client)
    }

    /// Counts bytes scanned elsewhere (by a copy) into this scan's position.
    mutating func account(for bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        advance(base, bytes.count)
    }

    private mutating func needGeneralParser() -> NeedsGeneralParser {
        needsGeneralParser = true
        return NeedsGeneralParser()
    }

    /// Scans the next piece of the part.
    mutating func feed(_ chunk: UnsafeRawBufferPointer) throws {
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
    mutating func finish() throws {
        _ = try scanPending(atEnd: true)
        if !pending.isEmpty || !sawRoot || !rootClosed {
            let what = !sawRoot ? "no root element" : "the part ends inside <\(open.last?.name ?? "")>"
            throw error(at: pending.count, in: nil, "unexpected end of part: \(what)")
        }
    }

    /// Scans `pending`, drops what was used and returns how much that was.
    private mutating func scanPending(atEnd: Bool) throws -> Int {
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
    private mutating func advance(_ base: UnsafePointer<UInt8>, _ count: Int) {
        var p = UnsafeRawPointer(base)
        var left = count
        while left > 0, let hit = memchr(p, 0x0A, left) {
            let offset = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            line += 1
            lineStart = consumed + offset + 1
            p = UnsafeRawPointer(hit) + 1
            left = count - offset - 1
        }
        consumed += count
    }

    // MARK: - The scanner

    private static var lt: UInt8 { 0x3C }
    private static var gt: UInt8 { 0x3E }
    private static var slash: UInt8 { 0x2F }
    private static var amp: UInt8 { 0x26 }
    private static var cr: UInt8 { 0x0D }

    @inline(__always) private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

    /// Scans `base[0..<n]`; returns how many bytes were used (the rest is an unfinished token).
    private mutating func scan(_ base: UnsafePointer<UInt8>, _ n: Int, atEnd: Bool) throws -> Int {
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
                let stop = Self.find(Self.lt, base, from: i, to: n) ?? n
                let end = try text(base, i, stop, complete: stop < n || atEnd)
                i = end
                if end < stop { break }
                continue
            }
            guard i + 1 < n else { break }
            switch base[i + 1] {
            case Self.slash:
                guard let close = Self.find(Self.gt, base, from: i + 2, to: n) else { break }
                try endTag(base, i, close)
                i = close + 1
                continue
            case UInt8(ascii: "?"):
                guard let close = Self.find(sequence: "?>", base, from: i + 2, to: n) else { break }
                if !open.isEmpty { sawMarkupDeclaration = true }
                i = close + 2
                continue
            case UInt8(ascii: "!"):
                if Self.matches("<!--", base, i, n) {
                    guard let close = Self.find(sequence: "-->", base, from: i + 4, to: n) else { break }
                    if !open.isEmpty { sawMarkupDeclaration = true }
                    i = close + 3
                    continue
                }
                if Self.matches("<![CDATA[", base, i, n) {
                    guard let close = Self.find(sequence: "]]>", base, from: i + 9, to: n) else { break }
                    guard !open.isEmpty else { throw error(at: i, in: base, "CDATA outside the root element") }
                    sawMarkupDeclaration = true
                    if client.isCapturing { appendNormalisingLineEnds(base + i + 9, close - i - 9) }
                    i = close + 3
                    continue
                }
                if n - i < 9 && !atEnd { break }
                // A document type declaration (before the root, so nothing is written yet):
                // libxml2 reads it, and refuses the entity declarations it may hold.
                if !sawRoot && Self.matches("<!DOCTYPE", base, i, n) { throw needGeneralParser() }
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
    private mutating func prolog(_ base: UnsafePointer<UInt8>, _ n: Int, atEnd: Bool) throws -> Int? {
        if n < 6 && !atEnd { return nil }
        var i = 0
        if n >= 2, base[0] == 0xFE || base[0] == 0xFF || base[0] == 0 || base[1] == 0 { throw needGeneralParser() }
        if n >= 3, base[0] == 0xEF, base[1] == 0xBB, base[2] == 0xBF { i = 3 }
        guard Self.matches("<?xml", base, i, n), n - i > 5, Self.isSpace(base[i + 5]) else { return i }
        guard let close = Self.find(sequence: "?>", base, from: i, to: n) else {
            if atEnd { throw error(at: i, in: base, "unterminated XML declaration") }
            return nil
        }
        if let at = Self.find(sequence: "encoding", base, from: i, to: close) {
            var k = at + 8
            while k < close, Self.isSpace(base[k]) || base[k] == UInt8(ascii: "=") || base[k] == UInt8(ascii: "\"") || base[k] == UInt8(ascii: "'") { k += 1 }
            var end = k
            while end < close, base[end] != UInt8(ascii: "\""), base[end] != UInt8(ascii: "'"), !Self.isSpace(base[end]) { end += 1 }
            let name = String(decoding: UnsafeBufferPointer(start: base + k, count: end - k), as: UTF8.self).lowercased()
            if name != "utf-8" && name != "utf8" { throw needGeneralParser() }
        }
        return close + 2
    }

    /// Character data from `start` to `stop`; returns where it stopped using bytes (before
    /// an entity reference cut by the end of the buffer).
    private mutating func text(_ base: UnsafePointer<UInt8>, _ start: Int, _ stop: Int, complete: Bool) throws -> Int {
        if open.isEmpty {
            for k in start..<stop where !Self.isSpace(base[k]) {
                throw error(at: k, in: base, sawRoot ? "content after the root element" : "content before the root element")
            }
            return stop
        }
        guard client.isCapturing else { return stop }
        var k = start
        var run = start
        while k < stop {
            let byte = base[k]
            if byte == Self.amp {
                if k > run { appendNormalisingLineEnds(base + run, k - run) }
                guard let semicolon = Self.find(UInt8(ascii: ";"), base, from: k + 1, to: min(stop, k + 12)) else {
                    if !complete && stop - k < 12 { return k }
                    throw error(at: k, in: base, "malformed entity reference")
                }
                try reference(base, k, semicolon)
                k = semicolon + 1
                run = k
            } else {
                k += 1
            }
        }
        // A CR cut off from a possible LF waits for the next bytes.
        let end = !complete && stop > run && base[stop - 1] == Self.cr ? stop - 1 : stop
        if end > run { appendNormalisingLineEnds(base + run, end - run) }
        return end
    }

    /// Appends text with CR LF and lone CR as LF, as XML requires.
    private mutating func appendNormalisingLineEnds(_ start: UnsafePointer<UInt8>, _ count: Int) {
        let bytes = UnsafeBufferPointer(start: start, count: count)
        guard memchr(start, Int32(Self.cr), count) != nil else {
            client.characters(bytes)
            return
        }
        var k = 0
        while k < count {
            if bytes[k] == Self.cr {
                client.character(0x0A)
                if k + 1 < count, bytes[k + 1] == 0x0A { k += 1 }
            } else {
                client.character(bytes[k])
            }
            k += 1
        }
    }

    /// `&amp;`, `&#65;`, `&#x41;` …, from `start` (the `&`) to `semicolon`.
    private mutating func reference(_ base: UnsafePointer<UInt8>, _ start: Int, _ semicolon: Int) throws {
        let name = UnsafeBufferPointer(start: base + start + 1, count: semicolon - start - 1)
        if let byte = predefinedEntity(name) {
            client.character(byte)
            return
        }
        guard name.count >= 2, name[0] == UInt8(ascii: "#") else {
            throw error(at: start, in: base, "undefined entity &\(String(decoding: name, as: UTF8.self));")
        }
        let hex = name[1] == UInt8(ascii: "x")
        let digits = UnsafeBufferPointer(rebasing: name[(hex ? 2 : 1)...])
        var value: UInt32 = 0
        for d in digits {
            let v: UInt32
            switch d {
            case 0x30...0x39: v = UInt32(d - 0x30)
            case 0x61...0x66 where hex: v = UInt32(d - 0x61 + 10)
            case 0x41...0x46 where hex: v = UInt32(d - 0x41 + 10)
            default: throw error(at: start, in: base, "malformed character reference")
            }
            value = value * (hex ? 16 : 10) + v
            if value > 0x10FFFF { break }
        }
        guard !digits.isEmpty, isXMLCharacter(value), let scalar = Unicode.Scalar(value) else {
            throw error(at: start, in: base, "character reference to an invalid character")
        }
        for unit in String(scalar).utf8 { client.character(unit) }
    }

    /// A start tag at `start`; returns the offset after it, or nil when it is cut off.
    private mutating func startTag(_ base: UnsafePointer<UInt8>, _ start: Int, _ n: Int) throws -> Int? {
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
            guard let close = Self.find(quote, base, from: j + 1, to: n) else { return nil }
            if Self.find(Self.lt, base, from: j + 1, to: close) != nil { throw error(at: j, in: base, "'<' in an attribute value") }
            if attributeCount == attributes.count { attributes.append((0..<0, 0..<0)) }
            attributes[attributeCount] = (attributeStart..<attributeEnd, (j + 1)..<close)
            attributeCount += 1
            j = close + 1
        }
        try open(base, start, nameStart..<nameEnd, selfClosing: selfClosing)
        return j
    }

    @inline(__always) private static func isNameStart(_ b: UInt8) -> Bool {
        (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") || b == UInt8(ascii: "_") || b == UInt8(ascii: ":") || b >= 0x80
    }

    private mutating func open(_ base: UnsafePointer<UInt8>, _ start: Int, _ name: Range<Int>, selfClosing: Bool) throws {
        let depth = open.count + 1
        guard depth <= Self.maxDepth else { throw error(at: start, in: base, "elements nest deeper than \(Self.maxDepth) levels", code: .tooDeep) }
        sawRoot = true
        for a in 0..<attributeCount where base[attributes[a].name.lowerBound] == UInt8(ascii: "x") && Self.hasPrefix(base, attributes[a].name, "xmlns") {
            let attribute = attributes[a]
            let length = attribute.name.count
            guard length == 5 || base[attribute.name.lowerBound + 5] == UInt8(ascii: ":") else { continue }
            let prefix = length == 5 ? [] : Array(UnsafeBufferPointer(start: base + attribute.name.lowerBound + 6, count: length - 6))
            let uri = ScannedAttributes.decode(base, attribute.value)
            let namespace = uri.isEmpty ? XMLName.noNamespace : (NS.table[String(decoding: uri, as: UTF8.self)] ?? XMLName.unknownNamespace)
            bindings.append((prefix, namespace, depth))
            bindingDepth = depth
            if prefix.isEmpty { defaultNamespace = namespace }
        }
        let (namespace, local) = resolve(base, name)
        let tag = namespace == NS.spreadsheet ? Client.tag(base + local.lowerBound, local.count) : -1
        if tag >= 0 {
            try attributes.withUnsafeBufferPointer { items in
                try client.begin(tag, ScannedAttributes(base: base, items: UnsafeBufferPointer(rebasing: items[..<attributeCount])))
            }
        }
        if selfClosing {
            if tag >= 0 { try client.end(tag) }
            popBindings(depth: depth)
            if depth == 1 { rootClosed = true }
        } else {
            open.append(OpenElement(base + name.lowerBound, name.count, tag: tag))
        }
    }

    /// The namespace id and local name of a qualified name.
    private func resolve(_ base: UnsafePointer<UInt8>, _ name: Range<Int>) -> (Int32, Range<Int>) {
        var colon = name.lowerBound
        while colon < name.upperBound && base[colon] != UInt8(ascii: ":") { colon += 1 }
        guard colon < name.upperBound else { return (defaultNamespace, name) }
        let prefix = UnsafeBufferPointer(start: base + name.lowerBound, count: colon - name.lowerBound)
        for binding in bindings.reversed() where binding.prefix.count == prefix.count && binding.prefix.elementsEqual(prefix) {
            return (binding.namespace, (colon + 1)..<name.upperBound)
        }
        return (XMLName.unknownNamespace, (colon + 1)..<name.upperBound)
    }

    private mutating func endTag(_ base: UnsafePointer<UInt8>, _ start: Int, _ close: Int) throws {
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
        if top.tag >= 0 { try client.end(top.tag) }
        popBindings(depth: depth)
        if depth == 1 { rootClosed = true }
    }

    private mutating func popBindings(depth: Int) {
        guard bindingDepth >= depth else { return }
        while let last = bindings.last, last.depth >= depth { bindings.removeLast() }
        bindingDepth = bindings.last?.depth ?? 0
        defaultNamespace = bindings.last(where: { $0.prefix.isEmpty })?.namespace ?? XMLName.noNamespace
    }

    /// An error at offset `at` of the buffer being scanned (`base`; nil: of `pending`).
    private func error(at offset: Int, in base: UnsafePointer<UInt8>?, _ message: String, code: XMLError.Code = .malformed) -> XMLError {
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
