package import QuireModel
package import QuireXML
package import QuireZip

/// An Open Packaging Conventions package (DOCX, XLSX, PPTX): a ZIP archive with content
/// types and relationships. Resolves part names, reads parts as XML, and turns every
/// lower-level failure into a `DocumentError` that names the file and the part.
package struct OPCPackage: Sendable {
    package let archive: ZipArchive
    /// The path or label used in errors.
    package let file: String
    /// Every part goes to libxml2, the byte scanner not tried (the tests compare the two).
    package var generalParserOnly = false

    package init(path: String, limits: ZipLimits) throws(DocumentError) {
        do {
            archive = try ZipArchive(path: path, limits: limits)
        } catch {
            throw DocumentError(zip: error)
        }
        file = path
    }

    package init(bytes: [UInt8], name: String, limits: ZipLimits) throws(DocumentError) {
        do {
            archive = try ZipArchive(bytes: bytes, name: name, limits: limits)
        } catch {
            throw DocumentError(zip: error)
        }
        file = name
    }

    package func hasPart(_ name: String) -> Bool { archive.entry(name) != nil }

    /// The bytes of a part, or nil when absent.
    package func bytes(of part: String) throws(DocumentError) -> [UInt8]? {
        do {
            return try archive.contents(ofPath: part)
        } catch {
            throw DocumentError(zip: error)
        }
    }

    /// Parses a part as a small tree, or nil when absent.
    package func tree(of part: String) throws(DocumentError) -> XMLElement? {
        guard let bytes = try bytes(of: part) else { return nil }
        do {
            return try XMLTreeBuilder.parse(bytes, part: part, namespaces: NS.table)
        } catch {
            throw DocumentError(xml: error, file: file, part: part)
        }
    }

    /// Streams a part through `sink` without holding it in memory and returns the sink, or
    /// nil when the part is absent.
    ///
    /// Parts are read by QuireXML's byte scanner on this thread; parts of `parallelThreshold`
    /// bytes or more (uncompressed) are inflated ahead on another. The few parts the scanner
    /// hands back before the sink has seen anything (another encoding than UTF-8, or a
    /// document type declaration) are read again by libxml2, and then, when big, the sink
    /// runs on another thread: it is called in order, never concurrently, and is done when
    /// this returns.
    package func stream<Sink: XMLSink>(
        _ part: String, into sink: Sink, localNames: [String: Int32] = [:], parallelThreshold: Int64 = 1 << 20
    ) throws(DocumentError) -> Sink? {
        guard let entry = archive.entry(part) else { return nil }
        let big = entry.uncompressedSize >= parallelThreshold
        // The scanner does only what the grammar needs, which is far less work than libxml2
        // does for the same part: the part's thread keeps up with the inflating.
        if !generalParserOnly {
            var scanner = ByteScanner(sink: sink, part: entry.path, namespaces: NS.table, localNames: localNames)
            do {
                try read(entry, prefetched: big) { chunk in try scanner.feed(chunk) }
                try scanner.finish()
                return scanner.sink
            } catch let error as ZipError {
                throw DocumentError(zip: error)
            } catch {
                guard scanner.needsGeneralParser else { throw DocumentError(xml: error, file: file, part: entry.path) }
            }
        }
        // Without a thread to be had, the parser calls the sink itself: slower, never failing.
        let parser = XMLPushParser(part: entry.path, namespaces: NS.table, localNames: localNames, sink: sink, concurrentSink: big)
        do {
            try read(entry, prefetched: big) { chunk in try parser.feed(chunk) }
            return try parser.finish()
        } catch let error as ZipError {
            throw DocumentError(zip: error)
        } catch {
            throw DocumentError(xml: error, file: file, part: entry.path)
        }
    }

    /// An entry's inflated bytes in order; `prefetched`: another thread inflates ahead, so
    /// zlib's time comes off the parsing core.
    private func read(_ entry: ZipEntry, prefetched: Bool, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if prefetched {
            try archive.forEachChunkPrefetched(of: entry, body)
        } else {
            try archive.forEachChunk(of: entry, chunkSize: 256 * 1024, body)
        }
    }

    /// Hands a part's inflated bytes to `body` in order, without holding the part; parts of
    /// `prefetchThreshold` bytes or more are inflated ahead on another thread. Errors from
    /// `body` that are not already `DocumentError`s are reported at `part`. Returns false
    /// when the part is absent.
    @discardableResult
    package func forEachChunk(
        of part: String, prefetchThreshold: Int64 = 1 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws(DocumentError) -> Bool {
        guard let entry = archive.entry(part) else { return false }
        do {
            try read(entry, prefetched: entry.uncompressedSize >= prefetchThreshold, body)
        } catch let error as ZipError {
            throw DocumentError(zip: error)
        } catch {
            throw DocumentError(xml: error, file: file, part: entry.path)
        }
        return true
    }

    /// The relationships of `part` (`""` for the package's own `_rels/.rels`), by id.
    package func relationships(of part: String) throws(DocumentError) -> Relationships {
        let relsPath: String
        let base: String
        if part.isEmpty {
            relsPath = "_rels/.rels"
            base = ""
        } else {
            let (directory, name) = OPCPackage.split(part)
            relsPath = (directory.isEmpty ? "" : directory + "/") + "_rels/" + name + ".rels"
            base = directory
        }
        guard let root = try tree(of: relsPath) else { return Relationships(items: []) }
        var items: [Relationship] = []
        for element in root.children where element.name.local == "Relationship" {
            guard let id = element.attribute("Id"), let type = element.attribute("Type"),
                let target = element.attribute("Target")
            else { continue }
            let external = element.attribute("TargetMode")?.lowercased() == "external"
            let resolved = external ? target : OPCPackage.resolve(target, from: base)
            items.append(Relationship(id: id, type: type, target: resolved, isExternal: external))
        }
        return Relationships(items: items)
    }

    /// Splits `word/document.xml` into (`word`, `document.xml`).
    package static func split(_ part: String) -> (String, String) {
        let path = part.replacingBackslashes()
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        return (String(path[..<slash]), String(path[path.index(after: slash)...]))
    }

    /// Resolves a relationship target against the source part's folder: absolute targets,
    /// `..` segments, backslashes and %-escapes are all handled.
    package static func resolve(_ target: String, from base: String) -> String {
        let cleaned = percentDecoded(target.replacingBackslashes())
        var segments: [Substring] = cleaned.hasPrefix("/") ? [] : base.split(separator: "/")
        for segment in cleaned.split(separator: "/") {
            if segment == "." { continue }
            if segment == ".." {
                if !segments.isEmpty { segments.removeLast() }
                continue
            }
            segments.append(segment)
        }
        return segments.joined(separator: "/")
    }

    static func percentDecoded(_ s: String) -> String {
        guard s.contains("%") else { return s }
        var bytes: [UInt8] = []
        let utf8 = Array(s.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
                let hi = hexValue(utf8[i + 1]), let lo = hexValue(utf8[i + 2])
            {
                bytes.append(hi << 4 | lo)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// The content type of each part named in `[Content_Types].xml` overrides, and the defaults by extension.
    package func contentTypes() throws(DocumentError) -> ContentTypes {
        guard let root = try tree(of: "[Content_Types].xml") else { return ContentTypes(overrides: [:], defaults: [:]) }
        var overrides: [String: String] = [:]
        var defaults: [String: String] = [:]
        for element in root.children {
            if element.name.local == "Override", let part = element.attribute("PartName"), let type = element.attribute("ContentType") {
                overrides[ZipArchive.normalisedKey(part)] = type
            } else if element.name.local == "Default", let ext = element.attribute("Extension"), let type = element.attribute("ContentType") {
                defaults[ext.lowercased()] = type
            }
        }
        return ContentTypes(overrides: overrides, defaults: defaults)
    }

    /// The main part (`officeDocument` relationship), whatever its path.
    package func mainPart(fallback: String) throws(DocumentError) -> String {
        let rels = try relationships(of: "")
        if let main = rels.first(typeSuffix: "/officeDocument"), hasPart(main.target) {
            return main.target
        }
        return fallback
    }

    /// Core and extended properties (title, authors, dates, producing application).
    package func metadata(format: DocumentFormat) throws(DocumentError) -> DocumentMetadata {
        var metadata = DocumentMetadata(sourcePath: file, format: format)
        let rels = try relationships(of: "")
        let corePath = rels.first(typeSuffix: "/core-properties")?.target ?? "docProps/core.xml"
        if let core = try? tree(of: corePath) {
            for element in core.children {
                let value = element.allText.trimmingWhitespace()
                guard !value.isEmpty else { continue }
                switch element.name.local {
                case "title": metadata.title = value
                case "subject": metadata.subject = value
                case "creator": metadata.authors = [value]
                case "lastModifiedBy": metadata.lastModifiedBy = value
                case "created": metadata.created = value
                case "modified": metadata.modified = value
                case "keywords": metadata.keywords = value
                case "description": metadata.description = value
                default: break
                }
            }
        }
        let appPath = rels.first(typeSuffix: "/extended-properties")?.target ?? "docProps/app.xml"
        if let app = try? tree(of: appPath) {
            let name = app.child("Application")?.allText.trimmingWhitespace() ?? ""
            let version = app.child("AppVersion")?.allText.trimmingWhitespace() ?? ""
            if !name.isEmpty { metadata.producer = version.isEmpty ? name : name + " " + version }
        }
        return metadata
    }
}

package struct Relationship: Sendable {
    package var id: String
    package var type: String
    /// A part name (resolved) or, for external targets, the URL as written.
    package var target: String
    package var isExternal: Bool
}

package struct Relationships: Sendable {
    package var items: [Relationship]
    package init(items: [Relationship]) { self.items = items }
    package subscript(id id: String) -> Relationship? { items.first { $0.id == id } }
    /// Transitional and Strict relationship types differ in their prefix only.
    package func first(typeSuffix: String) -> Relationship? { items.first { $0.type.hasSuffix(typeSuffix) } }
    package func all(typeSuffix: String) -> [Relationship] { items.filter { $0.type.hasSuffix(typeSuffix) } }
}

package struct ContentTypes: Sendable {
    package var overrides: [String: String]
    package var defaults: [String: String]
    package func type(of part: String) -> String? {
        let key = ZipArchive.normalisedKey(part)
        if let type = overrides[key] { return type }
        guard let dot = key.lastIndex(of: ".") else { return nil }
        return defaults[String(key[key.index(after: dot)...])]
    }
}

extension String {
    package func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
