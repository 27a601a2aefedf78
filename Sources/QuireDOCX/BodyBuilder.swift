import QuireModel
import QuireOOXML
import QuireXML

/// Streams WordprocessingML block content (a body, a header, notes, comments) into blocks.
///
/// One instance reads one part. Paragraph, table, text-box, field, hyperlink and tracked-
/// change nesting are kept on stacks, so arbitrarily nested content is handled in one pass
/// without building a DOM.
final class BodyBuilder: XMLContentHandler {
    // All state lives in one struct behind a pointer: the callbacks run hundreds of
    // thousands of times, and a class's stored properties would cost a run-time
    // exclusivity check on every access. The builder is used from one thread only.
    private let storage: UnsafeMutablePointer<BodyState>

    init(styles: StyleSheet, numbering: Numbering, relationships: Relationships, noteLabels: NoteLabels) {
        storage = .allocate(capacity: 1)
        storage.initialize(to: BodyState(styles: styles, numbering: numbering, relationships: relationships, noteLabels: noteLabels))
    }

    deinit {
        storage.deinitialize(count: 1)
        storage.deallocate()
    }

    var state: BodyState {
        get { storage.pointee }
        _modify { yield &storage.pointee }
    }

    func startElement(_ name: XMLName, attributes: XMLAttributes) throws {
        storage.pointee.startElement(name, attributes: attributes)
    }

    func endElement(_ name: XMLName) throws {
        storage.pointee.endElement(name)
    }

    func characters(_ text: UnsafeRawBufferPointer) throws {
        storage.pointee.characters(text)
    }

    var notes: [String: [Block]] { storage.pointee.notes }
    var comments: [Comment] { storage.pointee.comments }
    var commentAnchors: [String: String] { storage.pointee.commentAnchors }
    var headerFooterReferences: [(id: String, kind: HeaderFooter.Kind, pages: String)] { storage.pointee.headerFooterReferences }
    var noteLabels: NoteLabels { storage.pointee.noteLabels }
    func finish() -> [Block] { storage.pointee.finish() }
}

/// The body builder's state and logic.
struct BodyState {
    // Inputs shared with the reader.
    var styles: StyleSheet
    var numbering: Numbering
    let relationships: Relationships
    var noteLabels: NoteLabels

    // Outputs.
    private(set) var blocks: [Block] = []
    private(set) var notes: [String: [Block]] = [:]
    private(set) var comments: [Comment] = []
    private(set) var commentAnchors: [String: String] = [:]
    private(set) var headerFooterReferences: [(id: String, kind: HeaderFooter.Kind, pages: String)] = []

    // State.
    private var elements: [(tag: Tag, pushedFrame: Bool)] = []
    private var skipDepth: Int?
    private var containers: [[Block]] = [[]]
    private var paragraphs: [ParagraphState] = []
    private var tables: [TableState] = []
    private var fields: [FieldState] = []
    private var drawings: [DrawingState] = []
    private var capturing: Capture = .none
    private var scratch: [UInt8] = []
    private var runStyle: TextStyle = []
    private var runFont: String?
    private var spareBuffer: [UInt8] = []
    /// Receives top-level blocks as they complete, instead of keeping them (streaming).
    var sink: ((Block) -> Void)?
    /// Reads the part an `altChunk` names (by relationship id) into blocks.
    var altChunk: ((String) -> [Block])?
    /// The ids of the comments that were read; references to others (a comments part that
    /// could not be read) are left out rather than pointing at nothing. Nil: keep every one.
    var commentIDs: Set<String>?
    private var activeComments: [String: String] = [:]
    private var currentNote: (kind: Note.Kind, id: String)?
    private var currentComment: Comment?

    private enum Capture { case none, text, instruction }

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
        case .pStyle where parent == .pPr:
            paragraphs.top?.styleID = attributes.value("val")
        case .numId where parent == .numPr:
            paragraphs.top?.numberingID = attributes.value("val")
        case .ilvl where parent == .numPr:
            paragraphs.top?.numberingLevel = attributes.value("val").flatMap { Int($0) }
        case .outlineLvl where parent == .pPr:
            paragraphs.top?.outlineLevel = attributes.value("val").flatMap { Int($0) }
        case .sectPr:
            if parent == .pPr { paragraphs.top?.endsSection = true }
        case .headerReference, .footerReference:
            if let id = attributes.value("id", namespace: NS.r) {
                let kind: HeaderFooter.Kind = tag == .headerReference ? .header : .footer
                headerFooterReferences.append((id, kind, attributes.value("type", namespace: NS.w) ?? "default"))
            }
        case .r:
            runStyle = []
            runFont = nil
        case .rFonts where parent == .rPr:
            runFont = attributes.value("ascii") ?? attributes.value("hAnsi")
        case .rStyle where parent == .rPr:
            if let id = attributes.value("val") { runStyle.formUnion(styles.characterStyle(id)) }
        case .b where parent == .rPr:
            set(.bold, attributes)
        case .i where parent == .rPr:
            set(.italic, attributes)
        case .strike where parent == .rPr, .dstrike where parent == .rPr:
            set(.strikethrough, attributes)
        case .vanish where parent == .rPr:
            set(.hidden, attributes)
        case .u where parent == .rPr:
            if let value = attributes.value("val"), value == "none" { runStyle.remove(.underline) } else { runStyle.insert(.underline) }
        case .vertAlign where parent == .rPr:
            switch attributes.value("val") {
            case "superscript": runStyle.insert(.superscript)
            case "subscript": runStyle.insert(.subscript)
            default: break
            }
        case .t, .delText, .mathText:
            if textVisible {
                capturing = .text
                scratch.removeAll(keepingCapacity: true)
            }
        case .instrText:
            capturing = .instruction
            scratch.removeAll(keepingCapacity: true)
        case .tab where parent == .r, .ptab where parent == .r:
            append(.tab)
        case .br where parent == .r:
            switch attributes.value("type") {
            case "page":
                if let p = paragraphs.last {
                    if p.isEmpty {
                        paragraphs[paragraphs.count - 1].pageBreakBefore = true
                    } else {
                        paragraphs[paragraphs.count - 1].pageBreakAfter = true
                    }
                }
            case "column": break
            default: append(.lineBreak)
            }
        case .cr where parent == .r:
            append(.lineBreak)
        case .noBreakHyphen:
            appendText("-")
        case .sym:
            if let code = attributes.value("char").flatMap({ UInt32($0, radix: 16) }) {
                if let mapped = SymbolFonts.character(font: attributes.value("font"), code: code) {
                    appendText(String(mapped))
                } else if let scalar = Unicode.Scalar(code) {
                    appendText(String(Character(scalar)))
                }
            }
        case .fldChar:
            switch attributes.value("fldCharType") {
            case "begin": fields.append(FieldState())
            case "separate":
                if !fields.isEmpty {
                    fields[fields.count - 1].inResult = true
                    if let target = BodyState.hyperlinkTarget(fields[fields.count - 1].instruction), textVisible,
                        !paragraphs.isEmpty
                    {
                        paragraphs[paragraphs.count - 1].open(.link(target))
                        fields[fields.count - 1].openedLink = true
                    }
                }
            case "end":
                if let field = fields.popLast(), field.openedLink, let p = paragraphs.last, p.topIsLink {
                    paragraphs[paragraphs.count - 1].close()
                }
            default: break
            }
        case .fldSimple:
            var field = FieldState()
            field.inResult = true
            field.instruction = attributes.value("instr") ?? ""
            if let target = BodyState.hyperlinkTarget(field.instruction), !paragraphs.isEmpty {
                paragraphs[paragraphs.count - 1].open(.link(target))
                pushedFrame = true
            }
            fields.append(field)
        case .hyperlink:
            if !paragraphs.isEmpty {
                let anchor = attributes.value("anchor")
                var target: Link.Target?
                if let id = attributes.value("id", namespace: NS.r), let rel = relationships[id: id] {
                    target = .url(rel.target + (anchor.map { "#" + $0 } ?? ""))
                } else if let anchor {
                    target = .anchor(anchor)
                }
                if let target {
                    paragraphs[paragraphs.count - 1].open(.link(target))
                    pushedFrame = true
                }
            }
        case .ins where parent == .rPr && elements.count >= 2 && elements[elements.count - 2].tag == .pPr,
            .del where parent == .rPr && elements.count >= 2 && elements[elements.count - 2].tag == .pPr:
            // The paragraph mark's own properties: the mark (the split after this paragraph)
            // was inserted or deleted.
            paragraphs.top?.mark = Change(
                kind: tag == .ins ? .insertion : .deletion, author: attributes.value("author"), date: attributes.value("date"), content: [])
        case .ins, .del, .moveFrom, .moveTo:
            if parent != .rPr && parent != .pPr && parent != .trPr && parent != .tcPr && !paragraphs.isEmpty {
                let kind: Change.Kind =
                    switch tag {
                    case .ins: .insertion
                    case .del: .deletion
                    case .moveFrom: .moveFrom
                    default: .moveTo
                    }
                paragraphs[paragraphs.count - 1].open(
                    .change(kind, author: attributes.value("author"), date: attributes.value("date")))
                pushedFrame = true
            }
        case .altChunk:
            // Imported content: read where it stands (or a line saying what could not be read).
            if let id = attributes.value("id", namespace: NS.r) ?? attributes.value("id"), let blocks = altChunk?(id), !blocks.isEmpty {
                containers[containers.count - 1].append(contentsOf: blocks)
                drainRoot()
            }
        case .footnoteReference, .endnoteReference:
            if let id = attributes.value("id") {
                let kind: Note.Kind = tag == .footnoteReference ? .footnote : .endnote
                append(.noteReference(kind, id: noteLabels.label(kind, id)))
            }
        case .commentRangeStart:
            if let id = attributes.value("id") { activeComments[id] = "" }
        case .commentRangeEnd:
            if let id = attributes.value("id"), let text = activeComments.removeValue(forKey: id) {
                commentAnchors[id] = text
            }
        case .commentReference:
            if let id = attributes.value("id"), commentIDs?.contains(id) ?? true { append(.commentReference(id: id)) }
        case .drawing, .pict, .object:
            drawings.append(DrawingState())
        case .docPr, .cNvPr:
            if !drawings.isEmpty {
                drawings[drawings.count - 1].note(alt: attributes.value("descr"), title: attributes.value("title"))
            }
        case .blip:
            if !drawings.isEmpty, drawings[drawings.count - 1].relationshipID == nil {
                drawings[drawings.count - 1].relationshipID =
                    attributes.value("embed", namespace: NS.r) ?? attributes.value("link", namespace: NS.r)
            }
        case .imagedata:
            if !drawings.isEmpty {
                if drawings[drawings.count - 1].relationshipID == nil {
                    drawings[drawings.count - 1].relationshipID = attributes.value("id", namespace: NS.r)
                }
                drawings[drawings.count - 1].note(alt: nil, title: attributes.value("title", namespace: NS.o))
            }
        case .shape:
            if !drawings.isEmpty { drawings[drawings.count - 1].note(alt: attributes.value("alt"), title: nil) }
        case .txbxContent:
            containers.append([])
        case .tbl:
            tables.append(TableState())
        case .tr:
            tables.top?.rows.append(RowState())
        case .tblHeader where parent == .trPr:
            if let value = attributes.value("val"), !StyleSheet.isTrue(value) {} else { tables.lastRow?.isHeader = true }
        case .gridBefore where parent == .trPr:
            tables.lastRow?.gridBefore = attributes.value("val").flatMap { Int($0) } ?? 0
        case .tc:
            tables.lastRow?.cells.append(CellState())
            containers.append([])
        case .gridSpan where parent == .tcPr:
            tables.lastCell?.span = max(1, attributes.value("val").flatMap { Int($0) } ?? 1)
        case .vMerge where parent == .tcPr:
            tables.lastCell?.merge = attributes.value("val") == "restart" ? .restart : .continuation
        case .footnote, .endnote:
            let type = attributes.value("type") ?? "normal"
            if type != "normal" {
                skipDepth = elements.count
            } else if let id = attributes.value("id") {
                currentNote = (tag == .footnote ? .footnote : .endnote, id)
                containers.append([])
            }
        case .comment:
            currentComment = Comment(
                id: attributes.value("id") ?? "\(comments.count)", author: attributes.value("author"),
                initials: attributes.value("initials"), date: attributes.value("date"), blocks: [], anchoredText: "")
            containers.append([])
        default:
            break
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
        if let sink {
            for block in containers[0] { sink(block) }
            containers[0].removeAll()
        }
        return containers.first ?? []
    }

    /// When streaming, hands finished top-level blocks to the sink, keeping the last one
    /// back because the next paragraph may still merge into it (a run of quotes).
    private mutating func drainRoot() {
        guard let sink, containers.count == 1, containers[0].count > 1 else { return }
        let ready = containers[0].count - 1
        for block in containers[0][..<ready] { sink(block) }
        containers[0].removeFirst(ready)
    }

    // MARK: Helpers

    private var textVisible: Bool {
        for field in fields where !field.inResult { return false }
        return true
    }

    private mutating func set(_ style: TextStyle, _ attributes: XMLAttributes) {
        if let value = attributes.value("val"), !StyleSheet.isTrue(value) {
            runStyle.remove(style)
        } else {
            runStyle.insert(style)
        }
    }

    private mutating func append(_ inline: Inline) {
        guard !paragraphs.isEmpty, textVisible else { return }
        paragraphs[paragraphs.count - 1].append(inline)
    }

    /// Appends the captured text bytes without making a String of them.
    private mutating func appendScratch() {
        guard !scratch.isEmpty, !paragraphs.isEmpty, textVisible else { return }
        let style = runStyle
        scratch.withUnsafeBufferPointer { paragraphs[paragraphs.count - 1].appendText($0, style: style) }
        if !activeComments.isEmpty, !paragraphs[paragraphs.count - 1].insideDeletion {
            let text = String(decoding: scratch, as: UTF8.self)
            for key in activeComments.keys { activeComments[key]! += text }
        }
    }

    private mutating func appendText(_ text: String) {
        guard !text.isEmpty, !paragraphs.isEmpty, textVisible else { return }
        paragraphs[paragraphs.count - 1].appendText(text, style: runStyle)
        if !activeComments.isEmpty, !paragraphs[paragraphs.count - 1].insideDeletion {
            for key in activeComments.keys { activeComments[key]! += text }
        }
    }

    private mutating func finishParagraph() {
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

/// Field instructions split into words, with quoted arguments kept whole.
enum FieldTokens {
    static func split(_ instruction: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var quoted = false
        var hadQuote = false
        for c in instruction {
            if c == "\"" {
                quoted.toggle()
                hadQuote = true
                continue
            }
            if c.isWhitespace && !quoted {
                if !current.isEmpty || hadQuote { tokens.append(current) }
                current = ""
                hadQuote = false
                continue
            }
            current.append(c)
        }
        if !current.isEmpty || hadQuote { tokens.append(current) }
        return tokens
    }
}

/// Assigns footnote and endnote labels (1, 2, …) in order of first reference.
struct NoteLabels {
    private(set) var order: [(kind: Note.Kind, id: String, label: String)] = []
    private var labels: [String: String] = [:]
    private var counts: [Note.Kind: Int] = [:]

    mutating func label(_ kind: Note.Kind, _ id: String) -> String {
        let key = "\(kind.rawValue):\(id)"
        if let label = labels[key] { return label }
        let n = (counts[kind] ?? 0) + 1
        counts[kind] = n
        labels[key] = "\(n)"
        order.append((kind, id, "\(n)"))
        return "\(n)"
    }
}
