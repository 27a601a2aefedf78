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
    enum Kind { case body, heading(Int), title, quote, code }
    var kind: Kind = .body
    var numberingID: String?
    var numberingLevel: Int?
    var styleName: String?
}

/// `styles.xml`: style ids to names, heading levels, numbering and character formatting.
struct StyleSheet {
    var styles: [String: StyleInfo] = [:]
    var defaultParagraphStyle: String?
    private var roleCache: [String: ParagraphRole] = [:]

    init() {}

    init(_ root: XMLElement) {
        for style in root.children("style", namespace: NS.w) {
            guard let id = style.attribute("styleId") else { continue }
            var info = StyleInfo(name: style.child("name", namespace: NS.w)?.attribute("val") ?? id)
            info.basedOn = style.child("basedOn", namespace: NS.w)?.attribute("val")
            if let pPr = style.child("pPr", namespace: NS.w) {
                if let level = pPr.child("outlineLvl", namespace: NS.w)?.attribute("val").flatMap({ Int($0) }) {
                    info.outlineLevel = level
                }
                if let numPr = pPr.child("numPr", namespace: NS.w) {
                    info.numberingID = numPr.child("numId", namespace: NS.w)?.attribute("val")
                    info.numberingLevel = numPr.child("ilvl", namespace: NS.w)?.attribute("val").flatMap { Int($0) }
                }
            }
            if let rPr = style.child("rPr", namespace: NS.w) {
                if rPr.child("b", namespace: NS.w).map(isOn) == true { info.characterStyle.insert(.bold) }
                if rPr.child("i", namespace: NS.w).map(isOn) == true { info.characterStyle.insert(.italic) }
                if rPr.child("strike", namespace: NS.w).map(isOn) == true { info.characterStyle.insert(.strikethrough) }
            }
            if StyleSheet.looksLikeCode(info.name) || StyleSheet.looksLikeCode(id) { info.characterStyle.insert(.code) }
            if style.attribute("type") == "paragraph", style.attribute("default").map(StyleSheet.isTrue) == true {
                defaultParagraphStyle = id
            }
            styles[id] = info
        }
    }

    private func isOn(_ element: XMLElement) -> Bool {
        element.attribute("val").map(StyleSheet.isTrue) ?? true
    }

    static func isTrue(_ value: String) -> Bool {
        !(value == "0" || value == "false" || value == "off" || value == "none")
    }

    static func looksLikeCode(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.contains("code") || lower.contains("verbatim") || lower == "html preformatted" || lower == "plain text"
            || lower.contains("source")
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
        if let cached = roleCache[id] { return cached }
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
        roleCache[id] = role
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
