import QuireModel
import QuireOOXML
import QuireXML

/// The WordprocessingML elements the body builder acts on.
enum Tag: Equatable {
    case p, pPr, pStyle, numPr, numId, ilvl, outlineLvl, sectPr, headerReference, footerReference
    case r, rPr, rStyle, rFonts, b, i, strike, dstrike, u, vertAlign
    case t, delText, instrText, mathText, tab, ptab, br, cr, noBreakHyphen, sym
    case fldChar, fldSimple, hyperlink, ins, del, moveFrom, moveTo
    case footnoteReference, endnoteReference, commentRangeStart, commentRangeEnd, commentReference
    case drawing, pict, object, docPr, cNvPr, blip, imagedata, shape, txbxContent
    case tbl, tr, trPr, tblHeader, gridBefore, tc, tcPr, gridSpan, vMerge
    case footnote, endnote, comment
    /// Subtrees whose content is not document text (properties, old formatting, fallbacks).
    case skipped
    case other

    init(_ name: XMLName) {
        switch name.namespace {
        case NS.w: self = Tag.word(name.local)
        case NS.m: self = name.local == "t" ? .mathText : .other
        case NS.wp: self = name.local == "docPr" ? .docPr : .other
        case NS.pic: self = name.local == "cNvPr" ? .cNvPr : .other
        case NS.a: self = name.local == "blip" ? .blip : .other
        case NS.v:
            switch name.local {
            case "imagedata": self = .imagedata
            case "shape", "rect", "roundrect", "oval": self = .shape
            default: self = .other
            }
        case NS.mc: self = name.local == "Fallback" ? .skipped : .other
        default: self = .other
        }
    }

    static func word(_ local: String) -> Tag {
        switch local {
        case "p": return .p
        case "r": return .r
        case "t": return .t
        case "rPr": return .rPr
        case "pPr": return .pPr
        case "tab": return .tab
        case "b": return .b
        case "i": return .i
        case "pStyle": return .pStyle
        case "rStyle": return .rStyle
        case "rFonts": return .rFonts
        case "tc": return .tc
        case "tr": return .tr
        case "tcPr": return .tcPr
        case "trPr": return .trPr
        case "hyperlink": return .hyperlink
        case "br": return .br
        case "numPr": return .numPr
        case "numId": return .numId
        case "ilvl": return .ilvl
        case "ins": return .ins
        case "del": return .del
        case "delText": return .delText
        case "instrText": return .instrText
        case "fldChar": return .fldChar
        case "fldSimple": return .fldSimple
        case "strike": return .strike
        case "dstrike": return .dstrike
        case "u": return .u
        case "vertAlign": return .vertAlign
        case "outlineLvl": return .outlineLvl
        case "sectPr": return .sectPr
        case "headerReference": return .headerReference
        case "footerReference": return .footerReference
        case "ptab": return .ptab
        case "cr": return .cr
        case "noBreakHyphen": return .noBreakHyphen
        case "sym": return .sym
        case "moveFrom": return .moveFrom
        case "moveTo": return .moveTo
        case "footnoteReference": return .footnoteReference
        case "endnoteReference": return .endnoteReference
        case "commentRangeStart": return .commentRangeStart
        case "commentRangeEnd": return .commentRangeEnd
        case "commentReference": return .commentReference
        case "drawing": return .drawing
        case "pict": return .pict
        case "object": return .object
        case "txbxContent": return .txbxContent
        case "tbl": return .tbl
        case "tblHeader": return .tblHeader
        case "gridBefore": return .gridBefore
        case "gridSpan": return .gridSpan
        case "vMerge": return .vMerge
        case "footnote": return .footnote
        case "endnote": return .endnote
        case "comment": return .comment
        case "sdtPr", "sdtEndPr", "tblPr", "tblGrid", "tblPrEx", "fldData", "rPrChange", "pPrChange", "tblPrChange",
            "trPrChange", "tcPrChange", "sectPrChange", "numberingChange", "delInstrText":
            return .skipped
        default: return .other
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
    var endsSection = false
    var pageBreakBefore = false
    var pageBreakAfter = false
    var pendingBlocks: [Block] = []
    private var frames: [InlineFrame] = [InlineFrame(kind: .root)]
    private(set) var deletionDepth = 0

    var isEmpty: Bool { frames.count == 1 && frames[0].content.isEmpty }
    var insideDeletion: Bool { deletionDepth > 0 }
    var topIsLink: Bool {
        if case .link = frames[frames.count - 1].kind { return true }
        return false
    }

    mutating func open(_ kind: InlineFrame.Kind) {
        if case .change(let change, _, _) = kind, !change.isKeptWhenAccepted { deletionDepth += 1 }
        frames.append(InlineFrame(kind: kind))
    }

    mutating func close() {
        guard frames.count > 1 else { return }
        let frame = frames.removeLast()
        let inline: Inline
        switch frame.kind {
        case .root: return
        case .link(let target):
            inline = .link(Link(target: target, content: frame.content))
        case .change(let kind, let author, let date):
            if !kind.isKeptWhenAccepted { deletionDepth -= 1 }
            inline = .change(Change(kind: kind, author: author, date: date, content: frame.content))
        }
        if case .link(let link) = inline, link.content.isEmpty { return }
        if case .change(let change) = inline, change.content.isEmpty { return }
        frames[frames.count - 1].content.append(inline)
    }

    mutating func append(_ inline: Inline) {
        frames[frames.count - 1].content.append(inline)
    }

    mutating func appendText(_ text: String, style: TextStyle) {
        let top = frames.count - 1
        if case .text(let previous, let previousStyle)? = frames[top].content.last, previousStyle == style {
            frames[top].content[frames[top].content.count - 1] = .text(previous + text, style)
        } else {
            frames[top].content.append(.text(text, style))
        }
    }

    /// Closes every open frame and returns the paragraph's inlines.
    mutating func finish() -> [Inline] {
        while frames.count > 1 { close() }
        return frames[0].content
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
            case .text(let text, _): if text.contains(where: { !$0.isWhitespace }) { return true }
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
