import QuireModel
import QuireOOXML
import QuireZip

extension DOCXReview {
    /// The document's comments part, when it has one.
    struct ExistingComments {
        var part: String
        var xml: PartXML
        var prefix: String
        var largestID: Int
    }

    static let commentsType = "/comments"
    static let commentsContentType = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"

    func existingComments() throws(DocumentError) -> ExistingComments? {
        guard let relationship = try package.relationships(of: mainPart).items.first(where: { $0.type.hasSuffix(Self.commentsType) && !$0.isExternal }),
            let bytes = try package.bytes(of: relationship.target)
        else { return nil }
        let xml = try Self.parse(bytes, file: file, part: relationship.target)
        guard let prefix = xml.rootPrefix(for: [ReviewLayout.transitional, ReviewLayout.strict]) else {
            throw DocumentError(
                .unsupportedFormat, file: file, location: relationship.target, message: "the comments part does not declare the WordprocessingML namespace.")
        }
        let idName = prefix.isEmpty ? "id" : prefix + ":id"
        var largest = 0
        for token in xml.tokens where token.kind == .start || token.kind == .empty {
            if let id = token.attribute(idName).flatMap({ Int($0) }), id > largest, id < Int(Int32.max) { largest = id }
        }
        return ExistingComments(part: relationship.target, xml: xml, prefix: prefix, largestID: largest)
    }

    static func parse(_ bytes: [UInt8], file: String, part: String) throws(DocumentError) -> PartXML {
        do {
            return try PartXML(bytes)
        } catch {
            throw DocumentError(.malformedXML, file: file, location: "\(part):\(error.line)", message: error.message + ".")
        }
    }

    private func commentElements(_ comments: [(id: Int, text: String)], prefix: String, author: String, date: String) -> String {
        let w = { (local: String) in prefix.isEmpty ? local : prefix + ":" + local }
        let initials = String(author.split(separator: " ").compactMap(\.first).prefix(3))
        var out = ""
        for comment in comments {
            out +=
                "<\(w("comment")) \(w("id"))=\"\(comment.id)\" \(w("author"))=\"\(PartXML.escape(author))\" \(w("date"))=\"\(date)\" \(w("initials"))=\"\(PartXML.escape(initials))\">"
            for (index, paragraph) in ChangeWriter.blocks(comment.text).enumerated() {
                out += "<\(w("p"))>"
                if index == 0 { out += "<\(w("r"))><\(w("annotationRef"))/></\(w("r"))>" }
                out += "<\(w("r"))><\(w("t")) xml:space=\"preserve\">\(PartXML.escape(paragraph))</\(w("t"))></\(w("r"))></\(w("p"))>"
            }
            out += "</\(w("comment"))>"
        }
        return out
    }

    /// `addition` spliced in before the root element's end tag (an empty root opened up).
    static func appendingToRoot(_ xml: PartXML, _ addition: String) -> [UInt8]? {
        guard let root = xml.tokens.firstIndex(where: { $0.kind == .start || $0.kind == .empty }) else { return nil }
        let token = xml.tokens[root]
        if token.kind == .empty {
            let open = xml.string(token.range.lowerBound..<(token.range.upperBound - 2)).trimmingCharacters(in: " \t\r\n")
            return Array(xml.bytes[..<token.range.lowerBound]) + Array((open + ">" + addition + "</\(token.name)>").utf8)
                + Array(xml.bytes[token.range.upperBound...])
        }
        let end = xml.tokens[xml.close(of: root)].range.lowerBound
        return Array(xml.bytes[..<end]) + Array(addition.utf8) + Array(xml.bytes[end...])
    }

    /// The package: the new main part, the comments added to the comments part (created,
    /// with its relationship and content type, when there was none), every other entry as stored.
    func write(document: [UInt8], comments: [(id: Int, text: String)], existing: ExistingComments?, author: String, date: String) throws(DocumentError)
        -> [UInt8]
    {
        var replaced: [String: [UInt8]] = [ZipArchive.normalisedKey(mainPart): document]
        var added: [(String, [UInt8])] = []
        if !comments.isEmpty {
            if let existing {
                guard let merged = Self.appendingToRoot(existing.xml, commentElements(comments, prefix: existing.prefix, author: author, date: date)) else {
                    throw DocumentError(.malformedXML, file: file, location: existing.part, message: "the comments part has no root element.")
                }
                replaced[ZipArchive.normalisedKey(existing.part)] = merged
            } else {
                try addCommentsPart(commentElements(comments, prefix: "w", author: author, date: date), replaced: &replaced, added: &added)
            }
        }
        var writer = ZipWriter()
        do {
            for entry in package.archive.entries {
                if let bytes = replaced[ZipArchive.normalisedKey(entry.path)] {
                    try writer.add(entry.path, bytes)
                } else {
                    try writer.addStored(entry, data: package.archive.storedData(of: entry))
                }
            }
            for (name, bytes) in added { try writer.add(name, bytes) }
        } catch {
            throw DocumentError(zip: error)
        }
        return writer.finish()
    }

    /// A new comments part beside the main part, its relationship and its content type.
    private func addCommentsPart(_ elements: String, replaced: inout [String: [UInt8]], added: inout [(String, [UInt8])]) throws(DocumentError) {
        let namespace = layout.isStrict ? ReviewLayout.strict : ReviewLayout.transitional
        let (directory, name) = OPCPackage.split(mainPart)
        let folder = directory.isEmpty ? "" : directory + "/"
        var partName = "comments.xml"
        var n = 1
        while package.hasPart(folder + partName) {
            n += 1
            partName = "comments\(n).xml"
        }
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<w:comments xmlns:w=\"\(namespace)\">" + elements + "</w:comments>"
        added.append((folder + partName, Array(xml.utf8)))

        let relsPath = folder + "_rels/" + name + ".rels"
        let relationshipType =
            (layout.isStrict
                ? "http://purl.oclc.org/ooxml/officeDocument/relationships" : "http://schemas.openxmlformats.org/officeDocument/2006/relationships")
            + Self.commentsType
        let ids = Set(try package.relationships(of: mainPart).items.map(\.id))
        var k = ids.count + 1
        while ids.contains("rId\(k)") { k += 1 }
        let relationship = "<Relationship Id=\"rId\(k)\" Type=\"\(relationshipType)\" Target=\"\(partName)\"/>"
        if let bytes = try package.bytes(of: relsPath) {
            guard let merged = Self.appendingToRoot(try Self.parse(bytes, file: file, part: relsPath), relationship) else {
                throw DocumentError(.malformedXML, file: file, location: relsPath, message: "the relationships part has no root element.")
            }
            replaced[ZipArchive.normalisedKey(relsPath)] = merged
        } else {
            let rels =
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                + relationship + "</Relationships>"
            added.append((relsPath, Array(rels.utf8)))
        }
        guard let types = try package.bytes(of: "[Content_Types].xml"),
            let merged = Self.appendingToRoot(
                try Self.parse(types, file: file, part: "[Content_Types].xml"),
                "<Override PartName=\"/\(folder + partName)\" ContentType=\"\(Self.commentsContentType)\"/>")
        else {
            throw DocumentError(.missingPart, file: file, location: "[Content_Types].xml", message: "the package has no content types part.")
        }
        replaced[ZipArchive.normalisedKey("[Content_Types].xml")] = merged
    }
}
