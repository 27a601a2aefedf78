import QuireModel
import QuireOOXML
import QuireXML

/// The WordprocessingML elements the body builder acts on.
///
/// The parser resolves local names to ids once per distinct name (`localNames`), so telling
/// elements apart costs two integer comparisons, not string matching.
enum Tag: Int32 {
    case p, pPr, pStyle, numPr, numId, ilvl, outlineLvl, sectPr, headerReference, footerReference
    case r, rPr, rStyle, rFonts, b, i, strike, dstrike, u, vertAlign, vanish
    case t, delText, instrText, mathText, tab, ptab, br, cr, noBreakHyphen, sym
    case fldChar, fldSimple, hyperlink, ins, del, moveFrom, moveTo
    case footnoteReference, endnoteReference, commentRangeStart, commentRangeEnd, commentReference
    case drawing, pict, object, docPr, cNvPr, blip, imagedata, shape, txbxContent
    case tbl, tr, trPr, tblHeader, gridBefore, tc, tcPr, gridSpan, vMerge
    case footnote, endnote, comment
    /// Content imported from another part (an embedded document, HTML or text).
    case altChunk
    /// Subtrees whose content is not document text (properties, old formatting, fallbacks).
    case skipped
    case other

    /// Local names of the `w:` elements, by the tag they stand for.
    private static let wordNames: [String: Tag] = {
        var names: [String: Tag] = [:]
        let tags: [Tag] = [
            .p, .pPr, .pStyle, .numPr, .numId, .ilvl, .outlineLvl, .sectPr, .headerReference, .footerReference,
            .r, .rPr, .rStyle, .rFonts, .b, .i, .strike, .dstrike, .u, .vertAlign, .vanish,
            .t, .delText, .instrText, .tab, .ptab, .br, .cr, .noBreakHyphen, .sym,
            .fldChar, .fldSimple, .hyperlink, .ins, .del, .moveFrom, .moveTo,
            .footnoteReference, .endnoteReference, .commentRangeStart, .commentRangeEnd, .commentReference,
            .drawing, .pict, .object, .txbxContent,
            .tbl, .tr, .trPr, .tblHeader, .gridBefore, .tc, .tcPr, .gridSpan, .vMerge,
            .footnote, .endnote, .comment, .altChunk,
        ]
        for tag in tags { names[String(describing: tag)] = tag }
        for name in [
            "sdtPr", "sdtEndPr", "tblPr", "tblGrid", "tblPrEx", "fldData", "rPrChange", "pPrChange", "tblPrChange",
            "trPrChange", "tcPrChange", "sectPrChange", "numberingChange", "delInstrText",
        ] {
            names[name] = .skipped
        }
        return names
    }()

    // Ids for local names of other namespaces; above every Tag raw value.
    private static let docPrID: Int32 = 1001
    private static let cNvPrID: Int32 = 1002
    private static let blipID: Int32 = 1003
    private static let imagedataID: Int32 = 1004
    private static let shapeID: Int32 = 1005
    private static let fallbackID: Int32 = 1006

    /// The local-name table handed to the XML parser.
    static let localNames: [String: Int32] = {
        var table = wordNames.mapValues(\.rawValue)
        table["docPr"] = docPrID
        table["cNvPr"] = cNvPrID
        table["blip"] = blipID
        table["imagedata"] = imagedataID
        for shape in ["shape", "rect", "roundrect", "oval"] { table[shape] = shapeID }
        table["Fallback"] = fallbackID
        return table
    }()

    init(_ name: XMLName) {
        let id = name.localID
        switch name.namespace {
        case NS.w: self = id < 1000 ? (Tag(rawValue: id) ?? .other) : .other
        case NS.m: self = id == Tag.t.rawValue ? .mathText : .other
        case NS.wp: self = id == Tag.docPrID ? .docPr : .other
        case NS.pic: self = id == Tag.cNvPrID ? .cNvPr : .other
        case NS.a: self = id == Tag.blipID ? .blip : .other
        case NS.v:
            if id == Tag.imagedataID { self = .imagedata } else if id == Tag.shapeID { self = .shape } else { self = .other }
        case NS.mc: self = id == Tag.fallbackID ? .skipped : .other
        default: self = .other
        }
    }
}

/// An open inline container: the paragraph itself, a hyperlink, or a tracked change.
struct InlineFrame {
    enum Kind {
        case root
        case link(Link.Target)
        case change(Change.Kind, author: String?, date: String?)
    }
    var kind: Kind
    var content: [Inline] = []
}

struct ParagraphState {
    var styleID: String?
    var numberingID: String?
    var numberingLevel: Int?
    var outlineLevel: Int?
    /// A tracked insertion or deletion of the paragraph mark (`w:pPr/w:rPr/w:ins|w:del`).
    var mark: Change?
    var endsSection = false
    var pageBreakBefore = false
    var pageBreakAfter = false
    var pendingBlocks: [Block] = []
    /// The paragraph's own inlines; `frames` holds open hyperlinks and changes above them
    /// (usually none, so a plain paragraph allocates nothing for them).
    private var root: [Inline] = []
    private var frames: [InlineFrame] = []
    private(set) var deletionDepth = 0
    // Text of consecutive runs with the same style is gathered as bytes and becomes one
    // String when something else arrives: one allocation per text span, not per run.
    private var pendingText: [UInt8]
    private var pendingStyle: TextStyle = []

    /// `buffer`: an emptied byte buffer to reuse for pending text.
    init(buffer: [UInt8] = []) {
        pendingText = buffer
    }

    var isEmpty: Bool { frames.isEmpty && root.isEmpty && pendingText.isEmpty }
    var insideDeletion: Bool { deletionDepth > 0 }
    var topIsLink: Bool {
        if case .link? = frames.last?.kind { return true }
        return false
    }

    private mutating func appendToTop(_ inline: Inline) {
        if frames.isEmpty {
            root.append(inline)
        } else {
            frames[frames.count - 1].content.append(inline)
        }
    }

    private mutating func flushText() {
        guard !pendingText.isEmpty else { return }
        appendToTop(.text(String(decoding: pendingText, as: UTF8.self), pendingStyle))
        pendingText.removeAll(keepingCapacity: true)
    }

    mutating func open(_ kind: InlineFrame.Kind) {
        flushText()
        if case .change(let change, _, _) = kind, !change.isKeptWhenAccepted { deletionDepth += 1 }
        frames.append(InlineFrame(kind: kind))
    }

    mutating func close() {
        guard !frames.isEmpty else { return }
        flushText()
        let frame = frames.removeLast()
        let inline: Inline
        switch frame.kind {
        case .root: return
        case .link(let target):
            guard !frame.content.isEmpty else { return }
            inline = .link(Link(target: target, content: frame.content))
        case .change(let kind, let author, let date):
            if !kind.isKeptWhenAccepted { deletionDepth -= 1 }
            guard !frame.content.isEmpty else { return }
            inline = .change(Change(kind: kind, author: author, date: date, content: frame.content))
        }
        appendToTop(inline)
    }

    mutating func append(_ inline: Inline) {
        flushText()
        appendToTop(inline)
    }

    mutating func appendText(_ text: String, style: TextStyle) {
        var text = text
        text.withUTF8 { appendText($0, style: style) }
    }

    mutating func appendText(_ bytes: UnsafeBufferPointer<UInt8>, style: TextStyle) {
        if style != pendingStyle {
            flushText()
            pendingStyle = style
        }
        pendingText.append(contentsOf: bytes)
    }

    /// Closes every open frame and returns the paragraph's inlines.
    mutating func finish() -> [Inline] {
        flushText()
        while !frames.isEmpty { close() }
        return root
    }

    /// Hands back the (emptied) text buffer for the next paragraph.
    mutating func takeBuffer() -> [UInt8] {
        var buffer: [UInt8] = []
        swap(&buffer, &pendingText)
        buffer.removeAll(keepingCapacity: true)
        return buffer
    }
}

struct FieldState {
    var instruction = ""
    var inResult = false
    var openedLink = false
}

struct DrawingState {
    var altText: String?
    var title: String?
    var relationshipID: String?

    mutating func note(alt: String?, title: String?) {
        if altText?.isEmpty ?? true, let alt, !alt.isEmpty { altText = alt }
        if self.title?.isEmpty ?? true, let title, !title.isEmpty { self.title = title }
    }

    func image(_ relationships: Relationships) -> Image? {
        guard relationshipID != nil || !(altText ?? "").isEmpty else { return nil }
        let media = relationshipID.flatMap { relationships[id: $0]?.target }
        return Image(altText: altText ?? "", title: title, mediaPath: media)
    }
}

struct CellState {
    enum Merge { case none, restart, continuation }
    var blocks: [Block] = []
    var span = 1
    var merge = Merge.none
}

struct RowState {
    var cells: [CellState] = []
    var isHeader = false
    var gridBefore = 0
}

struct TableState {
    var rows: [RowState] = []

    /// Resolves vertical merges into row spans on grid columns.
    func build() -> Table {
        var out: [TableRow] = []
        var owners: [Int: (row: Int, cell: Int)] = [:]
        for row in rows {
            var cells: [TableCell] = []
            var column = 0
            if row.gridBefore > 0 {
                cells.append(TableCell(blocks: [], columnSpan: row.gridBefore))
                column = row.gridBefore
            }
            for cell in row.cells {
                if cell.merge == .continuation, let owner = owners[column], owner.row < out.count {
                    out[owner.row].cells[owner.cell].rowSpan += 1
                    // Word leaves continuation cells empty; keep any text they do hold.
                    if cell.blocks.contains(where: { !$0.paragraphTexts().allSatisfy(\.isEmpty) }) {
                        out[owner.row].cells[owner.cell].blocks.append(contentsOf: cell.blocks)
                    }
                } else {
                    cells.append(TableCell(blocks: cell.blocks, columnSpan: cell.span))
                    for c in column..<(column + cell.span) {
                        owners[c] = cell.merge == .restart ? (out.count, cells.count - 1) : nil
                    }
                }
                column += cell.span
            }
            out.append(TableRow(cells: cells))
        }
        let headers = rows.prefix(while: \.isHeader).count
        return Table(rows: out, headerRowCount: headers)
    }
}

extension Array where Element == TableState {
    var lastRow: RowState? {
        get { last?.rows.last }
        set {
            guard let newValue, !isEmpty, !self[count - 1].rows.isEmpty else { return }
            self[count - 1].rows[self[count - 1].rows.count - 1] = newValue
        }
    }

    var lastCell: CellState? {
        get { lastRow?.cells.last }
        set {
            guard let newValue, var row = lastRow, !row.cells.isEmpty else { return }
            row.cells[row.cells.count - 1] = newValue
            lastRow = row
        }
    }
}

extension Array where Element == Inline {
    /// Whether a paragraph with these inlines shows anything (text, a picture, a reference).
    var hasVisibleContent: Bool {
        for inline in self {
            switch inline {
            case .text(let text, _):
                // Any byte other than ASCII blanks counts (non-ASCII spaces are rare enough).
                if text.utf8.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) { return true }
            case .image, .noteReference, .commentReference: return true
            case .link(let link): if link.content.hasVisibleContent { return true }
            case .change(let change): if change.content.hasVisibleContent { return true }
            case .lineBreak, .tab: continue
            }
        }
        return false
    }
}

extension Array {
    /// The last element, settable in place (setting nil does nothing).
    var top: Element? {
        get { last }
        set {
            guard let newValue, !isEmpty else { return }
            self[count - 1] = newValue
        }
    }
}
