extension ChangeWriter {
    /// Marks the paragraph's mark deleted (`w:pPr/w:rPr/w:del`): accepting the deletion
    /// then joins it to the next paragraph, so that no empty paragraph is left.
    mutating func deleteMark(of paragraph: ReviewLayout.Paragraph, order: Int) {
        markParagraph(paragraph, revision("del") + "/>", order: order)
    }

    /// Puts `mark` (an inserted or deleted paragraph mark) in the paragraph's `w:pPr/w:rPr`,
    /// creating either when missing; a mark that is already a tracked change is left alone.
    mutating func markParagraph(_ paragraph: ReviewLayout.Paragraph, _ mark: String, order: Int) {
        let xml = layout.xml
        guard let start = paragraph.propertiesToken, let properties = paragraph.properties else {
            let at = paragraph.startTagEnd
            addSplice(at..<at, "<\(w("pPr"))><\(w("rPr"))>\(mark)</\(w("rPr"))></\(w("pPr"))>", order: order)
            return
        }
        if xml.tokens[start].kind == .empty {
            addSplice(
                properties,
                "<\(w("pPr"))" + String(xml.string(xml.tokens[start].range).dropFirst(w("pPr").count + 1).dropLast(2))
                    + "><\(w("rPr"))>\(mark)</\(w("rPr"))></\(w("pPr"))>", order: order)
            return
        }
        let end = xml.close(of: start)
        var depth = 0
        var before: Int?
        for k in (start + 1)..<end {
            let token = xml.tokens[k]
            if depth == 0, token.kind == .start || token.kind == .empty {
                switch layout.local(token.name) {
                case "rPr" where token.kind == .empty:
                    addSplice(token.range, "<\(w("rPr"))>\(mark)</\(w("rPr"))>", order: order)
                    return
                case "rPr":
                    // A mark already inserted or deleted by a tracked change is left alone.
                    if ((k + 1)..<xml.close(of: k)).contains(where: { ["ins", "del", "moveFrom", "moveTo"].contains(layout.local(xml.tokens[$0].name) ?? "") })
                    {
                        return
                    }
                    addSplice(token.range.upperBound..<token.range.upperBound, mark, order: order)
                    return
                case "sectPr", "pPrChange":
                    if before == nil { before = token.range.lowerBound }
                default: break
                }
            }
            if token.kind == .start { depth += 1 }
            if token.kind == .end { depth -= 1 }
        }
        let at = before ?? xml.tokens[end].range.lowerBound
        addSplice(at..<at, "<\(w("rPr"))>\(mark)</\(w("rPr"))>", order: order)
    }

    /// New paragraphs after `paragraph`, inserted as tracked changes (their text and their
    /// marks). They take its style and list numbering — or, after a heading, the style of the
    /// paragraph that follows it — and the formatting of the text they follow. When no
    /// paragraph follows in the same place (the end of a table cell, before a table), it is
    /// the paragraph's own mark that is marked inserted and the last new paragraph that takes
    /// its properties: rejecting the change then leaves the paragraph exactly as it was.
    mutating func insertParagraph(_ placement: ReviewPlacement, after paragraph: ReviewLayout.Paragraph, next: ReviewLayout.Paragraph?) {
        let xml = layout.xml
        let model = paragraph.isHeading ? next.flatMap { $0.isHeading ? nil : $0 } : paragraph
        var style = ""
        if let model, let start = model.propertiesToken, xml.tokens[start].kind == .start {
            for k in (start + 1)..<xml.close(of: start) {
                let token = xml.tokens[k]
                guard token.kind == .start || token.kind == .empty, ["pStyle", "numPr"].contains(layout.local(token.name) ?? "") else { continue }
                style += xml.string(token.range.lowerBound..<xml.tokens[xml.close(of: k)].range.upperBound)
            }
        }
        var runProperties: Range<Int>?
        for item in (model?.items ?? []).reversed() {
            if case .run(let run) = item.kind, item.end > item.start {
                runProperties = run.properties
                break
            }
        }
        let keepsOwnMark = paragraph.nextIsParagraph || paragraph.endsSection
        if !keepsOwnMark { markParagraph(paragraph, revision("ins") + "/>", order: placement.order) }
        let blocks = Self.blocks(placement.edit.text)
        let id = comment(placement)
        var out = ""
        for (index, block) in blocks.enumerated() {
            let isLast = index == blocks.count - 1
            if isLast && !keepsOwnMark {
                out += "<\(w("p"))>" + (paragraph.properties.map { copied($0) } ?? "")
            } else {
                out += "<\(w("p"))><\(w("pPr"))>\(style)<\(w("rPr"))>\(revision("ins"))/></\(w("rPr"))></\(w("pPr"))>"
            }
            if index == 0, let id { out += rangeMark("commentRangeStart", id) }
            out += insertion(block, properties: runProperties)
            if isLast, let id { out += rangeMark("commentRangeEnd", id) + reference(id) }
            out += "</\(w("p"))>"
        }
        let at = paragraph.range.upperBound
        addSplice(at..<at, out, order: placement.order)
    }

    /// Text cut into paragraphs at blank lines (lines holding only white space).
    static func blocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = line.last == "\r" ? line.dropLast() : line
            if line.allSatisfy(\.isWhitespace) {
                if !current.isEmpty { blocks.append(current.joined(separator: "\n")) }
                current = []
            } else {
                current.append(line)
            }
        }
        if !current.isEmpty { blocks.append(current.joined(separator: "\n")) }
        return blocks
    }

    /// The part with every splice made, in order of position (insertions at one place in
    /// the order the edits were proposed).
    func applied() throws(ReviewAnchors.Problem) -> [UInt8] {
        let ordered = splices.sorted { ($0.range.lowerBound, $0.range.isEmpty ? 0 : 1, $0.order) < ($1.range.lowerBound, $1.range.isEmpty ? 0 : 1, $1.order) }
        var out: [UInt8] = []
        out.reserveCapacity(layout.xml.bytes.count + ordered.reduce(0) { $0 + $1.text.utf8.count })
        var cursor = 0
        for splice in ordered {
            guard splice.range.lowerBound >= cursor else { throw ReviewAnchors.Problem("two edits were placed over the same bytes") }
            out += layout.xml.bytes[cursor..<splice.range.lowerBound]
            out += Array(splice.text.utf8)
            cursor = splice.range.upperBound
        }
        out += layout.xml.bytes[cursor...]
        return out
    }
}
