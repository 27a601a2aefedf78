import QuireModel
import QuireXML

/// An HTML mail body as readable text: paragraphs and line breaks kept, links as
/// `text (url)`, list items as `- item` (or `1. item`), table cells separated by tabs;
/// scripts, styles and the head dropped. Parsed by QuireXML (`HTMLTree`, libxml2's HTML parser), which never
/// loads anything from the network.
enum HTMLText {
    static func convert(_ html: String) -> String {
        guard let root = HTMLTree.parse(Array(html.utf8)) else { return "" }
        var writer = TextWriter()
        writer.element(root, depth: 0, afterSibling: false)
        return writer.finish()
    }

    struct TextWriter {
        var out = ""
        /// Blank lines owed before the next text (0, 1 = new line, 2 = paragraph break).
        var pendingBreak = 0
        var lists: [(ordered: Bool, count: Int)] = []
        var inPre = 0

        mutating func breakLine(_ strength: Int) {
            if !out.isEmpty { pendingBreak = max(pendingBreak, strength) }
        }

        mutating func text(_ raw: String) {
            var piece = raw
            if inPre == 0 {
                // Collapse white space as a browser does.
                var collapsed = ""
                var lastSpace = out.isEmpty || out.last == " " || out.last == "\n" || pendingBreak > 0
                for ch in raw {
                    if ch.isWhitespace {
                        if !lastSpace { collapsed.append(" ") }
                        lastSpace = true
                    } else {
                        collapsed.append(ch)
                        lastSpace = false
                    }
                }
                piece = collapsed
                if piece.isEmpty || (piece == " " && pendingBreak > 0) { return }
            }
            if pendingBreak > 0 {
                while out.last == " " { out.removeLast() }
                out += String(repeating: "\n", count: pendingBreak)
                pendingBreak = 0
                if piece.first == " " { piece.removeFirst() }
            }
            out += piece
        }

        /// Text written as is (a tab between table cells).
        mutating func raw(_ piece: String) {
            if pendingBreak > 0 {
                out += String(repeating: "\n", count: pendingBreak)
                pendingBreak = 0
            }
            out += piece
        }

        /// The rows of a table whose cells hold only text (and inline markup), each cell's
        /// text with its white space collapsed; nil for a layout table.
        static func dataTable(_ table: HTMLElement) -> [[String]]? {
            var rows: [[String]] = []
            var cells = 0
            func text(_ node: HTMLElement, depth: Int) -> String? {
                guard depth < 32 else { return nil }
                var out = ""
                for child in node.children {
                    switch child {
                    case .text(let content):
                        out += content
                    case .element(let current):
                        let tag = current.name
                        if ["table", "p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"].contains(tag) { return nil }
                        if tag == "br" {
                            out += " "
                        } else if !["script", "style"].contains(tag) {
                            guard let inner = text(current, depth: depth + 1) else { return nil }
                            out += inner
                        }
                    }
                }
                return out
            }
            func collect(_ node: HTMLElement) -> Bool {
                for child in node.elements {
                    switch child.name {
                    case "thead", "tbody", "tfoot":
                        guard collect(child) else { return false }
                    case "tr":
                        var row: [String] = []
                        for cell in child.elements where ["td", "th"].contains(cell.name) {
                            guard let content = text(cell, depth: 0) else { return false }
                            row.append(content.split { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\u{00A0}" }.joined(separator: " "))
                            cells += 1
                        }
                        if !row.isEmpty { rows.append(row) }
                    case "caption", "colgroup", "col": continue
                    default: return false
                    }
                    if cells > 5_000 { return false }
                }
                return true
            }
            guard collect(table), rows.count >= 2, rows.contains(where: { $0.count >= 2 }) else { return nil }
            return rows
        }

        /// Rows as a GitHub table, the first row as its header.
        static func markdownTable(_ rows: [[String]]) -> String {
            let width = rows.map(\.count).max() ?? 0
            func line(_ cells: [String]) -> String {
                let padded = cells + Array(repeating: "", count: width - cells.count)
                return "| " + padded.map { $0.replacingOccurrencesOfPipe() }.joined(separator: " | ") + " |"
            }
            var out = [line(rows[0]), "|" + String(repeating: " --- |", count: width)]
            for row in rows.dropFirst() { out.append(line(row)) }
            return out.joined(separator: "\n")
        }

        /// Writes `node`; `afterSibling`: another element comes before it among its siblings.
        mutating func element(_ node: HTMLElement, depth: Int, afterSibling: Bool) {
            if leaf(node) { return }
            let tag = node.name
            let block = open(tag, afterSibling: afterSibling)
            // Only a link needs its text again (its byte offset: counting characters would
            // walk the whole output for every element).
            let before = tag == "a" ? out.utf8.count : 0
            var seenElement = false
            for child in node.children {
                switch child {
                case .element(let current):
                    element(current, depth: depth + 1, afterSibling: seenElement)
                    seenElement = true
                case .text(let content):
                    text(content)
                }
            }
            close(node, block: block, textFrom: before)
        }

        /// Elements written whole, without their children (or left out); false for the rest.
        mutating func leaf(_ node: HTMLElement) -> Bool {
            switch node.name {
            case "script", "style", "head", "title", "noscript", "template":
                return true
            case "br":
                if inPre > 0 {
                    out += "\n"
                } else {
                    while out.last == " " { out.removeLast() }
                    if pendingBreak > 0 {
                        out += String(repeating: "\n", count: pendingBreak)
                        pendingBreak = 0
                    }
                    out += "\n"
                }
                return true
            case "hr":
                breakLine(2)
                text("---")
                breakLine(2)
                return true
            case "img":
                if let alt = node.attribute("alt"), !alt.isEmpty { text("[\(alt)]") }
                return true
            case "table":
                // A table of data (cells of text) is written as a table; a layout table
                // (cells holding paragraphs, lists or tables) is walked as blocks.
                guard let rows = Self.dataTable(node), !rows.isEmpty else { return false }
                breakLine(2)
                raw(Self.markdownTable(rows))
                breakLine(2)
                return true
            default:
                return false
            }
        }

        /// What starts an element: line breaks before a block, a list item's marker, a
        /// cell's tab, a heading's `#`s. The line breaks the block ends with.
        mutating func open(_ tag: String, afterSibling: Bool) -> Int {
            let block: Int
            switch tag {
            case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "section", "article",
                "header", "footer", "address", "center", "dl":
                block = tag == "div" || tag == "center" ? 1 : 2
            case "tr", "li", "dt", "dd", "caption":
                block = 1
            default:
                block = 0
            }
            if tag == "ul" || tag == "ol" {
                if lists.isEmpty { breakLine(2) } else { breakLine(1) }
                lists.append((tag == "ol", 0))
            } else if block > 0 {
                breakLine(block)
            }
            if tag == "li" {
                let indent = String(repeating: "  ", count: max(0, lists.count - 1))
                if var list = lists.popLast() {
                    list.count += 1
                    lists.append(list)
                    text(indent + (list.ordered ? "\(list.count). " : "- "))
                } else {
                    text("- ")
                }
            }
            if tag == "pre" { inPre += 1 }
            if tag == "td" || tag == "th" {
                if afterSibling {
                    while out.last == " " { out.removeLast() }
                    raw("\t")
                }
            }
            if tag.count == 2, tag.first == "h", let level = Int(String(tag.last!)) {
                text(String(repeating: "#", count: level) + " ")
            }
            return block
        }

        /// What ends an element: a link's target after its text (written from `before` on),
        /// the end of a list or block.
        mutating func close(_ node: HTMLElement, block: Int, textFrom before: Int) {
            let tag = node.name
            if tag == "pre" { inPre -= 1 }
            if tag == "a", let href = node.attribute("href") {
                let shown = String(decoding: out.utf8.dropFirst(before), as: UTF8.self).trimmingCharacters(in: " \n")
                let target = href.hasPrefix("mailto:") ? String(href.dropFirst(7)) : href
                if !href.hasPrefix("#") && !href.lowercased().hasPrefix("javascript:") && shown != target && !target.isEmpty {
                    text(" (\(target))")
                }
            }
            if tag == "ul" || tag == "ol" {
                lists.removeLast()
                breakLine(lists.isEmpty ? 2 : 1)
            } else if block > 0 {
                breakLine(block)
            }
        }

        mutating func finish() -> String {
            var lines = out.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
                var line = line
                while line.last == " " { line = line.dropLast() }
                return line
            }
            while lines.last?.isEmpty == true { lines.removeLast() }
            // No more than one blank line in a row.
            var result: [Substring] = []
            for line in lines where !(line.isEmpty && result.last?.isEmpty == true) { result.append(line) }
            return result.joined(separator: "\n") + (result.isEmpty ? "" : "\n")
        }
    }
}

extension String {
    /// `|` escaped for a table cell.
    fileprivate func replacingOccurrencesOfPipe() -> String {
        guard contains("|") else { return self }
        return split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
