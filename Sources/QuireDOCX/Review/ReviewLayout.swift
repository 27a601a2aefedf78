/// document.xml as review edits it: its paragraphs, each with its text as a reader sees it
/// (tracked changes accepted, field codes left out) and the runs, containers and markup that
/// hold that text, with their byte ranges in the part.
struct ReviewLayout {
    /// Where a piece of run content sits in the paragraph's text.
    enum Atom {
        /// `w:t` text, decoded.
        case text([Unicode.Scalar])
        /// Anything else, kept as bytes: a tab or break (counted as `"\t"`/`"\n"` in the
        /// text), deleted text and field codes (not counted), or an object (a drawing, a
        /// note reference) that a reader of the text never sees.
        case raw(Range<Int>, text: [Unicode.Scalar], isObject: Bool)

        var width: Int {
            switch self {
            case .text(let scalars): scalars.count
            case .raw(_, let text, _): text.count
            }
        }
    }

    struct Run {
        var startTag: Range<Int>
        var properties: Range<Int>?
        var atoms: [Atom] = []
        /// A field character or field code is in the run.
        var isField = false
        /// Field begin characters minus field end characters in the run.
        var fieldBalance = 0
        /// The run's properties carry a tracked formatting change (`w:rPrChange`).
        var hasTrackedFormatting = false
    }

    enum ItemKind {
        case run(Run)
        /// An element with no text of its own: a bookmark, a comment range, a proofing mark.
        case markup(isObject: Bool)
        /// A container of runs (hyperlink, content control, tracked change): its index.
        case container(Int)
    }

    struct Item {
        var kind: ItemKind
        var range: Range<Int>
        var container: Int
        /// The item's text, as offsets into the paragraph's text.
        var start: Int
        var end: Int
    }

    struct Container {
        /// The element's local name (`p` for the paragraph itself).
        var name: String
        /// Whether its runs may be split and wrapped in tracked changes.
        var isEditable: Bool
        var parent: Int?
    }

    struct Paragraph {
        var number: Int
        var range: Range<Int>
        var startTagEnd: Int
        var properties: Range<Int>?
        /// The token index of `w:pPr`.
        var propertiesToken: Int?
        /// The token index of the paragraph's own start tag and of its end tag.
        var tokens: ClosedRange<Int>
        var style: String?
        var isHeading = false
        /// Inside a table cell.
        var isInTable = false
        var endsSection = false
        var text: [Unicode.Scalar] = []
        var items: [Item] = []
        var containers: [Container] = []
        /// Whether the next element after the paragraph is another paragraph (its mark may
        /// then be deleted, joining the two).
        var nextIsParagraph = false
    }

    let xml: PartXML
    /// The prefix of the WordprocessingML namespace (`w`), `""` for the default namespace.
    let prefix: String
    let isStrict: Bool
    private(set) var paragraphs: [Paragraph] = []
    /// The largest `w:id` in the part: new annotation ids start above it.
    private(set) var largestID = 0
    /// Complex fields open at this point of the walk (a field may span paragraphs).
    private var fieldDepth = 0

    static let transitional = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    static let strict = "http://purl.oclc.org/ooxml/wordprocessingml/main"

    struct Unsupported: Error { var message: String }

    init(_ xml: PartXML) throws(Unsupported) {
        self.xml = xml
        guard let prefix = xml.rootPrefix(for: [Self.transitional, Self.strict]) else {
            throw Unsupported(message: "its root element does not declare the WordprocessingML namespace")
        }
        self.prefix = prefix
        isStrict = xml.tokens.first { $0.kind == .start }?.attributes.contains { $0.value == Self.strict } ?? false
        let idName = qualified("id")
        for token in xml.tokens where token.kind == .start || token.kind == .empty {
            if let value = token.attribute(idName), let id = Int(value), id > largestID, id < Int(Int32.max) { largestID = id }
        }
        var k = 0
        var inBody = false
        var cells = 0
        while k < xml.tokens.count {
            let token = xml.tokens[k]
            if token.kind == .start && token.name == qualified("body") { inBody = true }
            if token.name == qualified("tc") { cells += token.kind == .start ? 1 : token.kind == .end ? -1 : 0 }
            guard inBody, token.kind == .start || token.kind == .empty, token.name == qualified("p") else {
                k += 1
                continue
            }
            let end = xml.close(of: k)
            var paragraph = paragraphLayout(from: k, to: end)
            paragraph.nextIsParagraph = nextSibling(after: end).map { xml.tokens[$0].name == qualified("p") } ?? false
            paragraph.isInTable = cells > 0
            paragraphs.append(paragraph)
            k = end + 1
        }
    }

    func qualified(_ local: String) -> String { prefix.isEmpty ? local : prefix + ":" + local }

    func local(_ name: String) -> String? {
        if prefix.isEmpty { return name.contains(":") ? nil : name }
        guard name.hasPrefix(prefix), name.utf8.count > prefix.utf8.count,
            name.utf8[name.utf8.index(name.utf8.startIndex, offsetBy: prefix.utf8.count)] == UInt8(ascii: ":")
        else { return nil }
        return String(name.dropFirst(prefix.count + 1))
    }

    private func nextSibling(after index: Int) -> Int? {
        var k = index + 1
        while k < xml.tokens.count {
            switch xml.tokens[k].kind {
            case .text, .other: k += 1
            case .start, .empty: return k
            case .end: return nil
            }
        }
        return nil
    }

    private mutating func paragraphLayout(from start: Int, to end: Int) -> Paragraph {
        let startToken = xml.tokens[start]
        var paragraph = Paragraph(
            number: paragraphs.count + 1, range: startToken.range.lowerBound..<xml.tokens[end].range.upperBound, startTagEnd: startToken.range.upperBound,
            tokens: start...end)
        paragraph.containers.append(Container(name: "p", isEditable: true, parent: nil))
        if start < end { walk(from: start + 1, to: end, container: 0, into: &paragraph) }
        return paragraph
    }

    /// The local names of containers whose runs may be edited in place.
    static let editableContainers: Set<String> = ["hyperlink", "smartTag", "customXml", "sdtContent", "dir", "bdo"]
    /// Containers that hold runs but are read through (their children walked).
    static let containers: Set<String> = editableContainers.union(["sdt", "ins", "del", "moveFrom", "moveTo", "fldSimple"])

    private mutating func walk(from: Int, to: Int, container: Int, into paragraph: inout Paragraph) {
        for (k, close, range) in xml.children(from: from, to: to) {
            let token = xml.tokens[k]
            let name = local(token.name)
            let position = paragraph.text.count
            switch name {
            case "pPr" where container == 0:
                paragraph.properties = range
                paragraph.propertiesToken = k
                readProperties(k, close, into: &paragraph)
            case "r" where token.kind == .start:
                var run = readRun(k, close, deleted: isDeleted(container, paragraph))
                // A field's result (between its begin and end characters) is Word's to rewrite.
                if fieldDepth > 0 { run.isField = true }
                fieldDepth = max(0, fieldDepth + run.fieldBalance)
                for atom in run.atoms {
                    switch atom {
                    case .text(let scalars): paragraph.text += scalars
                    case .raw(_, let text, _): paragraph.text += text
                    }
                }
                paragraph.items.append(Item(kind: .run(run), range: range, container: container, start: position, end: paragraph.text.count))
            case let name? where Self.containers.contains(name) && token.kind == .start:
                let index = paragraph.containers.count
                paragraph.containers.append(Container(name: name, isEditable: Self.editableContainers.contains(name), parent: container))
                let item = paragraph.items.count
                paragraph.items.append(Item(kind: .container(index), range: range, container: container, start: position, end: position))
                walk(from: k + 1, to: close, container: index, into: &paragraph)
                paragraph.items[item].end = paragraph.text.count
            default:
                paragraph.items.append(Item(kind: .markup(isObject: close > k + 1), range: range, container: container, start: position, end: position))
            }
        }
    }

    private func isDeleted(_ container: Int, _ paragraph: Paragraph) -> Bool {
        var current: Int? = container
        while let index = current {
            if ["del", "moveFrom"].contains(paragraph.containers[index].name) { return true }
            current = paragraph.containers[index].parent
        }
        return false
    }

    private func readProperties(_ start: Int, _ end: Int, into paragraph: inout Paragraph) {
        guard start < end else { return }
        var depth = 0
        for k in (start + 1)..<end {
            let token = xml.tokens[k]
            if token.kind == .start { depth += 1 }
            if token.kind == .end { depth -= 1 }
            guard token.kind == .start || token.kind == .empty else { continue }
            switch local(token.name) {
            case "pStyle" where depth <= 1:
                paragraph.style = token.attribute(qualified("val"))
                let style = paragraph.style?.lowercased() ?? ""
                if style.contains("heading") || style.hasPrefix("title") { paragraph.isHeading = true }
            case "outlineLvl" where depth <= 1: paragraph.isHeading = true
            case "sectPr": paragraph.endsSection = true
            default: break
            }
        }
    }

    private func readRun(_ start: Int, _ end: Int, deleted: Bool) -> Run {
        var run = Run(startTag: xml.tokens[start].range)
        for (k, close, range) in xml.children(from: start + 1, to: end) {
            let token = xml.tokens[k]
            switch local(token.name) {
            case "rPr":
                run.properties = range
                run.hasTrackedFormatting = (k..<close).contains { local(xml.tokens[$0].name) == "rPrChange" }
            case "t":
                var scalars: [Unicode.Scalar] = []
                for inner in (k + 1)..<max(close, k + 1) where xml.tokens[inner].kind == .text {
                    scalars += ((try? xml.text(xml.tokens[inner])) ?? "").unicodeScalars
                }
                run.atoms.append(deleted ? .raw(range, text: [], isObject: false) : .text(scalars))
            case "tab", "ptab": run.atoms.append(.raw(range, text: deleted ? [] : ["\t"], isObject: false))
            case "br", "cr": run.atoms.append(.raw(range, text: deleted ? [] : ["\n"], isObject: false))
            case "noBreakHyphen": run.atoms.append(.raw(range, text: deleted ? [] : ["\u{2011}"], isObject: false))
            case "softHyphen", "lastRenderedPageBreak", "delText": run.atoms.append(.raw(range, text: [], isObject: false))
            case "fldChar", "instrText", "delInstrText":
                run.isField = true
                switch token.attribute(qualified("fldCharType")) {
                case "begin": run.fieldBalance += 1
                case "end": run.fieldBalance -= 1
                default: break
                }
                run.atoms.append(.raw(range, text: [], isObject: false))
            default: run.atoms.append(.raw(range, text: [], isObject: true))
            }
        }
        return run
    }
}
