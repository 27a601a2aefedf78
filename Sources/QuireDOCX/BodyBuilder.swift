import QuireModel
import QuireOOXML
import QuireXML

/// Streams WordprocessingML block content (a body, a header, notes, comments) into blocks.
///
/// One value reads one part: an `XMLSink` the push parser owns for the parse and hands back.
/// Paragraph, table, text-box, field, hyperlink and tracked-change nesting are kept on
/// stacks, so arbitrarily nested content is handled in one pass without building a DOM.
struct BodyBuilder: XMLSink {
    // Inputs shared with the reader.
    var styles: StyleSheet
    var numbering: Numbering
    let relationships: Relationships
    var noteLabels: NoteLabels

    // Outputs.
    var blocks: [Block] = []
    var notes: [String: [Block]] = [:]
    var comments: [Comment] = []
    var commentAnchors: [String: String] = [:]
    var headerFooterReferences: [(id: String, kind: HeaderFooter.Kind, pages: String)] = []

    // State.
    var elements: [(tag: Tag, pushedFrame: Bool)] = []
    var skipDepth: Int?
    var containers: [[Block]] = [[]]
    var paragraphs: [ParagraphState] = []
    var tables: [TableState] = []
    var fields: [FieldState] = []
    var drawings: [DrawingState] = []
    var capturing: Capture = .none
    var scratch: [UInt8] = []
    var runStyle: TextStyle = []
    var runFont: String?
    var spareBuffer: [UInt8] = []
    /// Receives top-level blocks as they complete, instead of keeping them (streaming).
    var onBlock: ((Block) -> Void)?
    /// Reads the part an `altChunk` names (by relationship id) into blocks.
    var altChunk: ((String) -> [Block])?
    /// The ids of the comments that were read; references to others (a comments part that
    /// could not be read) are left out rather than pointing at nothing. Nil: keep every one.
    var commentIDs: Set<String>?
    var activeComments: [String: String] = [:]
    var currentNote: (kind: Note.Kind, id: String)?
    var currentComment: Comment?

    enum Capture { case none, text, instruction }

    init(styles: StyleSheet, numbering: Numbering, relationships: Relationships, noteLabels: NoteLabels) {
        self.styles = styles
        self.numbering = numbering
        self.relationships = relationships
        self.noteLabels = noteLabels
        scratch.reserveCapacity(256)
    }

    // MARK: Events

    mutating func startElement(_ name: XMLName, attributes: XMLAttributes) {
        if skipDepth != nil {
            elements.append((.other, false))
            return
        }
        let tag = Tag(name)
        let parent = elements.last?.tag ?? .other
        var pushedFrame = false
        switch tag {
        case .skipped:
            skipDepth = elements.count
        case .p:
            paragraphs.append(ParagraphState(buffer: spareBuffer))
            spareBuffer = []
        case .pStyle, .numId, .ilvl, .outlineLvl, .sectPr, .headerReference, .footerReference, .rFonts, .rStyle, .b, .i, .strike, .dstrike,
            .vanish, .u, .vertAlign, .tblHeader, .gridBefore, .gridSpan, .vMerge:
            startProperty(tag, parent: parent, attributes)
        case .t, .delText, .mathText, .instrText, .tab, .ptab, .br, .cr, .noBreakHyphen, .sym:
            startRunContent(tag, parent: parent, attributes)
        case .fldChar, .fldSimple, .hyperlink, .ins, .del, .moveFrom, .moveTo:
            pushedFrame = startMarkup(tag, parent: parent, attributes)
        default:
            startStructure(tag, attributes)
        }
        elements.append((tag, pushedFrame))
    }

    mutating func endElement(_ name: XMLName) {
        let (tag, pushedFrame) = elements.removeLast()
        if let depth = skipDepth {
            if elements.count == depth { skipDepth = nil }
            return
        }
        switch tag {
        case .t, .delText, .mathText:
            if capturing == .text {
                capturing = .none
                if let font = runFont, SymbolFonts.isSymbolFont(font) {
                    appendText(SymbolFonts.translate(String(decoding: scratch, as: UTF8.self), font: font))
                } else {
                    appendScratch()
                }
            }
        case .instrText:
            if capturing == .instruction, !fields.isEmpty {
                fields[fields.count - 1].instruction += String(decoding: scratch, as: UTF8.self)
            }
            capturing = .none
        case .p:
            finishParagraph()
        case .hyperlink, .ins, .del, .moveFrom, .moveTo:
            if pushedFrame, !paragraphs.isEmpty { paragraphs[paragraphs.count - 1].close() }
        case .fldSimple:
            fields.removeLast()
            if pushedFrame, !paragraphs.isEmpty { paragraphs[paragraphs.count - 1].close() }
        case .drawing, .pict, .object:
            if let drawing = drawings.popLast(), let image = drawing.image(relationships) {
                append(.image(image))
            }
        case .txbxContent:
            let inner = containers.removeLast()
            if !paragraphs.isEmpty {
                paragraphs[paragraphs.count - 1].pendingBlocks.append(contentsOf: inner)
            } else {
                containers[containers.count - 1].append(contentsOf: inner)
                drainRoot()
            }
        case .tc:
            let inner = containers.removeLast()
            tables.lastCell?.blocks = inner
        case .tbl:
            if let table = tables.popLast() {
                containers[containers.count - 1].append(.table(table.build()))
                drainRoot()
            }
        case .footnote, .endnote:
            if let note = currentNote {
                notes["\(note.kind.rawValue):\(note.id)"] = containers.removeLast()
                currentNote = nil
            }
        case .comment:
            if var comment = currentComment {
                comment.blocks = containers.removeLast()
                comments.append(comment)
                currentComment = nil
            }
        default:
            break
        }
    }

    mutating func characters(_ text: UnsafeRawBufferPointer) {
        if capturing != .none { scratch.append(contentsOf: text) }
    }

    /// Blocks collected at the top level (for a body, header or footer part).
    mutating func finish() -> [Block] {
        while paragraphs.count > 0 { finishParagraph() }
        if let onBlock {
            for block in containers[0] { onBlock(block) }
            containers[0].removeAll()
        }
        return containers.first ?? []
    }

    /// When streaming, hands finished top-level blocks to `onBlock`, keeping the last one
    /// back because the next paragraph may still merge into it (a run of quotes).
    mutating func drainRoot() {
        guard let onBlock, containers.count == 1, containers[0].count > 1 else { return }
        let ready = containers[0].count - 1
        for block in containers[0][..<ready] { onBlock(block) }
        containers[0].removeFirst(ready)
    }

    // MARK: Helpers

    var textVisible: Bool {
        for field in fields where !field.inResult { return false }
        return true
    }

    mutating func set(_ style: TextStyle, _ attributes: XMLAttributes) {
        if let value = attributes.value("val"), !StyleSheet.isTrue(value) {
            runStyle.remove(style)
        } else {
            runStyle.insert(style)
        }
    }

    mutating func append(_ inline: Inline) {
        guard !paragraphs.isEmpty, textVisible else { return }
        paragraphs[paragraphs.count - 1].append(inline)
    }

    /// Appends the captured text bytes without making a String of them.
    mutating func appendScratch() {
        guard !scratch.isEmpty, !paragraphs.isEmpty, textVisible else { return }
        let style = runStyle
        scratch.withUnsafeBufferPointer { paragraphs[paragraphs.count - 1].appendText($0, style: style) }
        if !activeComments.isEmpty, !paragraphs[paragraphs.count - 1].insideDeletion {
            let text = String(decoding: scratch, as: UTF8.self)
            for key in activeComments.keys { activeComments[key]! += text }
        }
    }

    mutating func appendText(_ text: String) {
        guard !text.isEmpty, !paragraphs.isEmpty, textVisible else { return }
        paragraphs[paragraphs.count - 1].appendText(text, style: runStyle)
        if !activeComments.isEmpty, !paragraphs[paragraphs.count - 1].insideDeletion {
            for key in activeComments.keys { activeComments[key]! += text }
        }
    }

    mutating func finishParagraph() {
        guard var paragraph = paragraphs.popLast() else { return }
        let content = paragraph.finish()
        spareBuffer = paragraph.takeBuffer()
        var role = styles.role(paragraph.styleID)
        if case .body = role.kind, let outline = paragraph.outlineLevel, (0...8).contains(outline) {
            role.kind = .heading(outline + 1)
        }
        let numberingID = paragraph.numberingID ?? role.numberingID
        let level = paragraph.numberingLevel ?? role.numberingLevel ?? 0
        var list: (marker: String, ordered: Bool)?
        if let numberingID { list = numbering.next(numID: numberingID, level: level) }

        if !activeComments.isEmpty {
            for key in activeComments.keys where !(activeComments[key]!.isEmpty) { activeComments[key]! += "\n" }
        }

        let top = containers.count - 1
        if paragraph.pageBreakBefore { containers[top].append(.pageBreak) }
        if content.hasVisibleContent {
            switch role.kind {
            case .heading(let headingLevel):
                let marker = list.flatMap { $0.ordered && !$0.marker.isEmpty ? $0.marker : nil }
                containers[top].append(.heading(Heading(level: headingLevel, content: content, marker: marker)))
            case .title:
                containers[top].append(.heading(Heading(level: 1, content: content, isTitle: true)))
            case .code:
                // One block per paragraph; the renderers join neighbouring code blocks.
                containers[top].append(.code(content.plainText(.accepted)))
            case .quote where list == nil:
                let block = Block.paragraph(Paragraph(content: content))
                if case .quote(let previous)? = containers[top].last, !paragraph.pageBreakBefore {
                    containers[top][containers[top].count - 1] = .quote(previous + [block])
                } else {
                    containers[top].append(.quote([block]))
                }
            default:
                if let list {
                    containers[top].append(
                        .listItem(
                            ListItem(level: level, isOrdered: list.ordered, marker: list.marker, content: content, listID: numberingID)))
                } else {
                    containers[top].append(.paragraph(Paragraph(content: content, style: role.notableStyleName, mark: paragraph.mark)))
                }
            }
        }
        if !paragraph.pendingBlocks.isEmpty { containers[top].append(contentsOf: paragraph.pendingBlocks) }
        if paragraph.pageBreakAfter { containers[top].append(.pageBreak) }
        if paragraph.endsSection { containers[top].append(.sectionBreak) }
        drainRoot()
    }

    /// Style names worth keeping on a paragraph (the rest are formatting only).
    static func notableStyle(_ name: String) -> String? {
        let lower = name.lowercased()
        if lower == "normal" || lower == "body text" || lower == "default" || lower.hasPrefix("normal ") || lower == "first paragraph"
            || lower == "compact" || lower == "list paragraph"
        {
            return nil
        }
        return name
    }

    /// The target of a `HYPERLINK` field instruction, or nil for other fields.
    static func hyperlinkTarget(_ instruction: String) -> Link.Target? {
        let tokens = FieldTokens.split(instruction)
        guard let first = tokens.first, first.uppercased() == "HYPERLINK" else { return nil }
        var url: String?
        var anchor: String?
        var i = 1
        while i < tokens.count {
            let token = tokens[i]
            if token == "\\l", i + 1 < tokens.count {
                anchor = tokens[i + 1]
                i += 2
                continue
            }
            if token.hasPrefix("\\") {
                // Switches with an argument: \o (tooltip), \t (target frame).
                if token == "\\o" || token == "\\t" { i += 1 }
                i += 1
                continue
            }
            if url == nil { url = token }
            i += 1
        }
        if let url { return .url(url + (anchor.map { "#" + $0 } ?? "")) }
        if let anchor { return .anchor(anchor) }
        return nil
    }
}
