public import QuireModel
public import QuireZip

/// Writes the content model as a Word document (WordprocessingML in an OPC package):
/// headings with Word's built-in heading styles, paragraphs, bullet and numbered lists
/// with their levels, tables (header rows repeated, spans), block quotes, code, links,
/// and bold/italic/underline/strikethrough/code runs. Output opens in Word and
/// LibreOffice and reads back through `DOCXReader`.
public struct DOCXWriter: Sendable {
    /// A writer with Word's defaults.
    public init() {}

    /// The .docx file's bytes.
    public func write(_ document: Document) throws(ZipError) -> [UInt8] {
        var state = State()
        var body = ""
        for block in document.blocks { state.emit(block, into: &body) }
        let documentXML = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:document xmlns:w="\(Self.w)" xmlns:r="\(Self.r)"><w:body>\(body)<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>\
            <w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>
            """
        var rels = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
            <Relationship Id="rIdNumbering" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/>
            """
        for (id, url) in state.links {
            rels +=
                "<Relationship Id=\"\(id)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"\(Self.escape(url, attribute: true))\" TargetMode=\"External\"/>"
        }
        rels += "</Relationships>"
        let title =
            document.metadata.title ?? document.blocks.lazy.compactMap { block -> String? in
                if case .heading(let h) = block { return h.content.plainText() } else { return nil }
            }.first ?? ""
        var zip = ZipWriter()
        try zip.add("[Content_Types].xml", text: Self.contentTypes)
        try zip.add("_rels/.rels", text: Self.packageRels)
        try zip.add("word/document.xml", text: documentXML)
        try zip.add("word/_rels/document.xml.rels", text: rels)
        try zip.add("word/styles.xml", text: Self.styles)
        try zip.add("word/numbering.xml", text: state.numberingXML())
        try zip.add("docProps/core.xml", text: Self.core(title: title, authors: document.metadata.authors, created: document.metadata.created))
        return zip.finish()
    }

    static let w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    static let r = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    struct State {
        var links: [(String, String)] = []
        /// List id → (numId, level formats: ordered or not per level).
        var lists: [String: Int] = [:]
        var listLevels: [Int: [Int: Bool]] = [:]
        /// Items without a list id: each run of them, between other blocks, is one list.
        var anonymousLists = 0
        var afterListItem = false

        mutating func emit(_ block: Block, into out: inout String, style: String? = nil) {
            let isListItem: Bool
            if case .listItem = block { isListItem = true } else { isListItem = false }
            if isListItem && !afterListItem { anonymousLists += 1 }
            defer { afterListItem = isListItem }
            switch block {
            case .heading(let h):
                let name = h.isTitle ? "Title" : "Heading\(min(max(h.level, 1), 6))"
                out += "<w:p><w:pPr><w:pStyle w:val=\"\(name)\"/></w:pPr>" + runs(h.content, base: "") + "</w:p>"
            case .paragraph(let p):
                out += "<w:p>" + (style.map { "<w:pPr><w:pStyle w:val=\"\($0)\"/></w:pPr>" } ?? "") + runs(p.content, base: "") + "</w:p>"
            case .listItem(let item):
                let key = item.listID ?? "list\(anonymousLists)"
                let numId: Int
                if let known = lists[key] {
                    numId = known
                } else {
                    numId = lists.count + 1
                    lists[key] = numId
                }
                let level = min(max(item.level, 0), 8)
                if listLevels[numId, default: [:]][level] == nil { listLevels[numId, default: [:]][level] = item.isOrdered }
                out +=
                    "<w:p><w:pPr><w:pStyle w:val=\"ListParagraph\"/><w:numPr><w:ilvl w:val=\"\(level)\"/><w:numId w:val=\"\(numId)\"/></w:numPr></w:pPr>"
                    + runs(item.content, base: "") + "</w:p>"
            case .table(let table):
                let columns = max(table.columnCount, 1)
                out += "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/></w:tblPr><w:tblGrid>"
                out += String(repeating: "<w:gridCol w:w=\"\(9000 / columns)\"/>", count: columns) + "</w:tblGrid>"
                for (index, row) in table.rows.enumerated() {
                    let header = index < table.headerRowCount
                    out += "<w:tr>" + (header ? "<w:trPr><w:tblHeader/></w:trPr>" : "")
                    for cell in row.cells {
                        out += "<w:tc><w:tcPr>" + (cell.columnSpan > 1 ? "<w:gridSpan w:val=\"\(cell.columnSpan)\"/>" : "") + "</w:tcPr>"
                        var inner = ""
                        for b in cell.blocks {
                            if header, case .paragraph(var p) = b {
                                p.content = p.content.map { inline in if case .text(let t, let s) = inline { .text(t, s.union(.bold)) } else { inline } }
                                self.emit(Block.paragraph(p), into: &inner)
                            } else {
                                self.emit(b, into: &inner)
                            }
                        }
                        // A cell must end with a paragraph.
                        if !inner.hasSuffix("</w:p>") { inner += "<w:p/>" }
                        out += inner + "</w:tc>"
                    }
                    out += "</w:tr>"
                }
                out += "</w:tbl>"
            case .quote(let blocks):
                for b in blocks {
                    if case .paragraph = b { emit(b, into: &out, style: "Quote") } else { emit(b, into: &out) }
                }
            case .code(let code):
                out += "<w:p><w:pPr><w:pStyle w:val=\"Code\"/></w:pPr>"
                for (i, line) in code.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    if i > 0 { out += "<w:r><w:br/></w:r>" }
                    if !line.isEmpty { out += "<w:r><w:t xml:space=\"preserve\">\(DOCXWriter.escape(String(line)))</w:t></w:r>" }
                }
                out += "</w:p>"
            case .image(let image):
                if !image.altText.isEmpty { out += "<w:p><w:r><w:t xml:space=\"preserve\">[\(DOCXWriter.escape(image.altText))]</w:t></w:r></w:p>" }
            case .pageBreak:
                out += "<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>"
            case .sectionBreak:
                break
            }
        }

        mutating func runs(_ inlines: [Inline], base: String) -> String {
            var out = ""
            for inline in inlines {
                switch inline {
                case .text(let text, let style):
                    out += "<w:r>" + properties(style, base: base) + "<w:t xml:space=\"preserve\">\(DOCXWriter.escape(text))</w:t></w:r>"
                case .link(let link):
                    switch link.target {
                    case .url(let url) where DOCXWriter.isSafeLink(url):
                        let id = "rIdLink\(links.count + 1)"
                        links.append((id, url))
                        out += "<w:hyperlink r:id=\"\(id)\">" + runs(link.content, base: "<w:rStyle w:val=\"Hyperlink\"/>") + "</w:hyperlink>"
                    case .url(let url):
                        // A model's answer is untrusted: a javascript:, file:, data: or UNC link
                        // is not made clickable; its text stays, with the target shown.
                        out += runs(link.content, base: base)
                        let shown = link.content.plainText()
                        if shown != url { out += runs([.text(" (" + url + ")", [])], base: base) }
                    case .anchor(let anchor):
                        out +=
                            "<w:hyperlink w:anchor=\"\(DOCXWriter.escape(anchor, attribute: true))\">"
                            + runs(link.content, base: "<w:rStyle w:val=\"Hyperlink\"/>") + "</w:hyperlink>"
                    }
                case .lineBreak: out += "<w:r><w:br/></w:r>"
                case .tab: out += "<w:r><w:tab/></w:r>"
                case .image(let image):
                    if !image.altText.isEmpty { out += "<w:r><w:t xml:space=\"preserve\">[\(DOCXWriter.escape(image.altText))]</w:t></w:r>" }
                case .noteReference, .commentReference: break
                case .change(let change):
                    if change.kind.isKeptWhenAccepted { out += runs(change.content, base: base) }
                }
            }
            return out
        }

        func properties(_ style: TextStyle, base: String) -> String {
            var p = base
            if style.contains(.code) && base.isEmpty { p += "<w:rStyle w:val=\"VerbatimChar\"/>" }
            if style.contains(.bold) { p += "<w:b/>" }
            if style.contains(.italic) { p += "<w:i/>" }
            if style.contains(.strikethrough) { p += "<w:strike/>" }
            if style.contains(.underline) { p += "<w:u w:val=\"single\"/>" }
            if style.contains(.superscript) {
                p += "<w:vertAlign w:val=\"superscript\"/>"
            } else if style.contains(.subscript) {
                p += "<w:vertAlign w:val=\"subscript\"/>"
            }
            return p.isEmpty ? "" : "<w:rPr>" + p + "</w:rPr>"
        }

        /// One abstract numbering per list, its levels bullets or numbers as the list's items are.
        func numberingXML() -> String {
            var abstracts = ""
            var nums = ""
            let bullets = ["•", "◦", "▪"]
            let numberFormats = ["decimal", "lowerLetter", "lowerRoman"]
            for numId in lists.values.sorted() {
                let levels = listLevels[numId] ?? [:]
                abstracts += "<w:abstractNum w:abstractNumId=\"\(numId)\"><w:multiLevelType w:val=\"hybridMultilevel\"/>"
                for level in 0..<9 {
                    let ordered = levels[level] ?? levels.filter { $0.key < level }.max { $0.key < $1.key }?.value ?? false
                    let indent = 720 * (level + 1)
                    if ordered {
                        abstracts +=
                            "<w:lvl w:ilvl=\"\(level)\"><w:start w:val=\"1\"/><w:numFmt w:val=\"\(numberFormats[level % 3])\"/><w:lvlText w:val=\"%\(level + 1).\"/><w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"\(indent)\" w:hanging=\"360\"/></w:pPr></w:lvl>"
                    } else {
                        abstracts +=
                            "<w:lvl w:ilvl=\"\(level)\"><w:start w:val=\"1\"/><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"\(bullets[level % 3])\"/><w:lvlJc w:val=\"left\"/><w:pPr><w:ind w:left=\"\(indent)\" w:hanging=\"360\"/></w:pPr></w:lvl>"
                    }
                }
                abstracts += "</w:abstractNum>"
                nums += "<w:num w:numId=\"\(numId)\"><w:abstractNumId w:val=\"\(numId)\"/></w:num>"
            }
            return "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:numbering xmlns:w=\"\(DOCXWriter.w)\">" + abstracts + nums
                + "</w:numbering>"
        }
    }

    /// XML text: the five escapes, and characters XML 1.0 forbids dropped.
    /// Whether a link may become a clickable hyperlink in a written document: web and mail
    /// addresses only (`http:`, `https:`, `mailto:`), never `javascript:`, `file:`, `data:`,
    /// a UNC path or a relative target.
    static func isSafeLink(_ url: String) -> Bool {
        let lower = String(url.drop { $0 == " " || $0 == "\t" }).lowercased()
        return lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:")
    }

    static func escape(_ text: String, attribute: Bool = false) -> String { text.xmlEscaped(quotes: attribute) }

    static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>\
        <Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>\
        <Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/>\
        <Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>\
        </Types>
        """

    static let packageRels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>\
        <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>\
        </Relationships>
        """

    static func core(title: String, authors: [String], created: String?) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
            xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            """
        if !title.isEmpty { xml += "<dc:title>\(escape(title))</dc:title>" }
        xml += "<dc:creator>\(escape(authors.isEmpty ? "Quire" : authors.joined(separator: "; ")))</dc:creator>"
        if let created { xml += "<dcterms:created xsi:type=\"dcterms:W3CDTF\">\(escape(created))</dcterms:created>" }
        return xml + "</cp:coreProperties>"
    }

    static var styles: String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <w:styles xmlns:w="\(w)"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/>\
            <w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-US"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="259" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>\
            <w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>\
            <w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>\
            <w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr><w:spacing w:after="240"/></w:pPr><w:rPr><w:sz w:val="56"/><w:szCs w:val="56"/></w:rPr></w:style>
            """
        let sizes = [32, 28, 26, 24, 22, 22]
        for level in 1...6 {
            xml +=
                "<w:style w:type=\"paragraph\" w:styleId=\"Heading\(level)\"><w:name w:val=\"heading \(level)\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:uiPriority w:val=\"9\"/><w:qFormat/>"
            xml +=
                "<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before=\"\(level == 1 ? 360 : 200)\" w:after=\"80\"/><w:outlineLvl w:val=\"\(level - 1)\"/></w:pPr>"
            xml +=
                "<w:rPr><w:b/><w:bCs/>" + (level >= 4 ? "<w:i/>" : "")
                + "<w:color w:val=\"1F3864\"/><w:sz w:val=\"\(sizes[level - 1])\"/><w:szCs w:val=\"\(sizes[level - 1])\"/></w:rPr></w:style>"
        }
        xml += """
            <w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="34"/><w:qFormat/><w:pPr><w:spacing w:after="60"/><w:ind w:left="720"/><w:contextualSpacing/></w:pPr></w:style>\
            <w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="29"/><w:qFormat/><w:pPr><w:ind w:left="864" w:right="864"/></w:pPr><w:rPr><w:i/><w:iCs/><w:color w:val="404040"/></w:rPr></w:style>\
            <w:style w:type="paragraph" w:customStyle="1" w:styleId="Code"><w:name w:val="Code"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:cs="Consolas"/><w:sz w:val="20"/></w:rPr></w:style>\
            <w:style w:type="character" w:customStyle="1" w:styleId="VerbatimChar"><w:name w:val="Verbatim Char"/><w:basedOn w:val="DefaultParagraphFont"/><w:rPr><w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:cs="Consolas"/><w:sz w:val="20"/></w:rPr></w:style>\
            <w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>\
            <w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>\
            <w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="39"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:tblPr><w:tblBorders>\
            <w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:left w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/>\
            <w:right w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="auto"/>\
            </w:tblBorders></w:tblPr></w:style></w:styles>
            """
        return xml
    }
}
