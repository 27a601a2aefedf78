import QuireModel
import QuireOOXML
import QuireXML

/// What a paragraph or character style means for the content model.
struct StyleInfo {
    var name: String
    var basedOn: String?
    var outlineLevel: Int?
    var numberingID: String?
    var numberingLevel: Int?
    var characterStyle: TextStyle = []
}

/// The resolved meaning of a paragraph style, after following `basedOn`.
struct ParagraphRole {
    enum Kind {
        case body
        case heading(Int)
        case title, quote, code
    }
    var kind: Kind = .body
    var numberingID: String?
    var numberingLevel: Int?
    var styleName: String?
    /// The style name when it says something about the paragraph (not Normal, Body Text…).
    var notableStyleName: String?
}

/// `styles.xml`: style ids to names, heading levels, numbering and character formatting.
package struct StyleSheet {
    var styles: [String: StyleInfo] = [:]
    var defaultParagraphStyle: String?
    private var roleCache: [String: ParagraphRole] = [:]
    private var lastRole: (id: String, role: ParagraphRole)?

    init() {}

    /// Reads `styles.xml` as a stream (it is often hundreds of kilobytes of latent styles and
    /// formatting, of which a handful of elements matter).
    init(streaming package: OPCPackage, part: String) throws(DocumentError) {
        self = try package.stream(part, into: StylesReader())?.sheet ?? StyleSheet()
    }

    static func isTrue(_ value: String) -> Bool {
        !(value == "0" || value == "false" || value == "off" || value == "none")
    }

    /// Whether a style's name or id says it is for code ("Code", "HTML Preformatted",
    /// "SourceCode", …). ASCII case is folded byte by byte: the words are ASCII, and a styles
    /// part may hold hundreds of styles, which `String.lowercased` and `contains` made cost
    /// 57,000 instructions each.
    package static func looksLikeCode(_ name: String) -> Bool {
        var lower = Array(name.utf8)
        for i in lower.indices where lower[i] >= UInt8(ascii: "A") && lower[i] <= UInt8(ascii: "Z") { lower[i] |= 0x20 }
        func has(_ word: StaticString) -> Bool {
            let w = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard lower.count >= w.count else { return false }
            for start in 0...(lower.count - w.count) where lower[start] == w[0] {
                if lower[start..<(start + w.count)].elementsEqual(w) { return true }
            }
            return false
        }
        func equals(_ word: StaticString) -> Bool {
            lower.elementsEqual(UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
        }
        return has("code") || has("verbatim") || has("source") || equals("html preformatted") || equals("plain text")
    }

    /// Character formatting of a character style (following `basedOn`).
    func characterStyle(_ id: String) -> TextStyle {
        var result: TextStyle = []
        var current: String? = id
        var seen = 0
        while let key = current, let info = styles[key], seen < 16 {
            result.formUnion(info.characterStyle)
            current = info.basedOn
            seen += 1
        }
        return result
    }

    /// The role of a paragraph style: heading level, title, quote, code, numbering.
    mutating func role(_ id: String?) -> ParagraphRole {
        guard let id = id ?? defaultParagraphStyle else { return ParagraphRole() }
        // Neighbouring paragraphs mostly share a style: check the last one before hashing.
        if let last = lastRole, last.id == id { return last.role }
        if let cached = roleCache[id] {
            lastRole = (id, cached)
            return cached
        }
        var role = ParagraphRole()
        role.styleName = styles[id]?.name
        var current: String? = id
        var depth = 0
        var decided = false
        while let key = current, depth < 16 {
            let info = styles[key]
            let name = (info?.name ?? key)
            if !decided, let kind = StyleSheet.kind(name: name, id: key, outline: info?.outlineLevel) {
                role.kind = kind
                decided = true
            }
            if role.numberingID == nil, let numbering = info?.numberingID {
                role.numberingID = numbering
                role.numberingLevel = info?.numberingLevel
            }
            current = info?.basedOn
            depth += 1
        }
        role.notableStyleName = role.styleName.flatMap { BodyBuilder.notableStyle($0) }
        roleCache[id] = role
        lastRole = (id, role)
        return role
    }

    static func kind(name: String, id: String, outline: Int?) -> ParagraphRole.Kind? {
        let lower = name.lowercased()
        for candidate in [lower, id.lowercased()] {
            if candidate.hasPrefix("heading") {
                let digits = candidate.dropFirst("heading".count).filter { $0 != " " }
                if let level = Int(digits), (1...9).contains(level) { return .heading(level) }
            }
        }
        if lower == "title" { return .title }
        if lower == "quote" || lower == "intense quote" || lower == "block text" || lower == "block quote" { return .quote }
        if lower == "source code" || lower == "html preformatted" || lower == "code" || lower == "plain text" { return .code }
        if let outline, (0...8).contains(outline) { return .heading(outline + 1) }
        return nil
    }
}

/// Streams `styles.xml` into a `StyleSheet`, reading only the elements that carry meaning.
struct StylesReader: XMLSink {
    var sheet = StyleSheet()
    private var current: (id: String, info: StyleInfo, isDefaultParagraph: Bool)?
    private var path: [String] = []

    mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws {
        guard name.namespace == NS.w else {
            path.append("")
            return
        }
        let local = name.local
        let parent = path.last ?? ""
        path.append(local)
        if local == "style", parent == "styles" {
            guard let id = attributes.value("styleId") else { return }
            let isDefault =
                attributes.value("type") == "paragraph" && attributes.value("default").map(StyleSheet.isTrue) == true
            current = (id, StyleInfo(name: id), isDefault)
            return
        }
        guard current != nil, path.count >= 3, path[1] == "style" else { return }
        let value = attributes.value("val")
        switch (parent, local) {
        case ("style", "name"): if let value { current!.info.name = value }
        case ("style", "basedOn"): current!.info.basedOn = value
        case ("pPr", "outlineLvl"): current!.info.outlineLevel = value.flatMap { Int($0) }
        case ("numPr", "numId"): current!.info.numberingID = value
        case ("numPr", "ilvl"): current!.info.numberingLevel = value.flatMap { Int($0) }
        case ("rPr", "b"), ("rPr", "i"), ("rPr", "strike"), ("rPr", "vanish"):
            guard path.count == 4 else { return }  // style/rPr/x, not a table style's nested rPr
            let style: TextStyle = local == "b" ? .bold : (local == "i" ? .italic : (local == "vanish" ? .hidden : .strikethrough))
            if value.map(StyleSheet.isTrue) ?? true { current!.info.characterStyle.insert(style) }
        default: break
        }
    }

    mutating func endElement(_ name: XMLName) throws {
        let local = path.removeLast()
        if local == "style", path.count == 1, let style = current {
            var info = style.info
            if StyleSheet.looksLikeCode(info.name) || StyleSheet.looksLikeCode(style.id) { info.characterStyle.insert(.code) }
            if style.isDefaultParagraph { sheet.defaultParagraphStyle = style.id }
            sheet.styles[style.id] = info
            current = nil
        }
    }

    func characters(_ text: UnsafeRawBufferPointer) throws {}
}
