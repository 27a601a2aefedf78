import QuireModel
import QuireOOXML
import QuireXML

/// The start-element handlers of the body, by kind of element.
extension BodyBuilder {
    /// Paragraph, run, row and cell properties, and the section and header/footer references.
    mutating func startProperty(_ tag: Tag, parent: Tag, _ attributes: XMLAttributes) {
        switch tag {
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
        case .tblHeader where parent == .trPr:
            if let value = attributes.value("val"), !StyleSheet.isTrue(value) {} else { tables.lastRow?.isHeader = true }
        case .gridBefore where parent == .trPr:
            tables.lastRow?.gridBefore = attributes.value("val").flatMap { Int($0) } ?? 0
        case .gridSpan where parent == .tcPr:
            tables.lastCell?.span = max(1, attributes.value("val").flatMap { Int($0) } ?? 1)
        case .vMerge where parent == .tcPr:
            tables.lastCell?.merge = attributes.value("val") == "restart" ? .restart : .continuation
        default:
            break
        }
    }

    /// What a run holds: text, field instructions, tabs, breaks and symbols.
    mutating func startRunContent(_ tag: Tag, parent: Tag, _ attributes: XMLAttributes) {
        switch tag {
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
        default:
            break
        }
    }

    /// Fields, hyperlinks and tracked changes; true when a frame was opened in the paragraph.
    mutating func startMarkup(_ tag: Tag, parent: Tag, _ attributes: XMLAttributes) -> Bool {
        var pushedFrame = false
        switch tag {
        case .fldChar:
            switch attributes.value("fldCharType") {
            case "begin": fields.append(FieldState())
            case "separate":
                if !fields.isEmpty {
                    fields[fields.count - 1].inResult = true
                    if let target = BodyBuilder.hyperlinkTarget(fields[fields.count - 1].instruction), textVisible,
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
            if let target = BodyBuilder.hyperlinkTarget(field.instruction), !paragraphs.isEmpty {
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
        default:
            break
        }
        return pushedFrame
    }

    /// Runs, containers and references: imported chunks, notes, comments, drawings, text
    /// boxes and tables.
    mutating func startStructure(_ tag: Tag, _ attributes: XMLAttributes) {
        switch tag {
        case .r:
            runStyle = []
            runFont = nil
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
        case .tc:
            tables.lastRow?.cells.append(CellState())
            containers.append([])
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
    }
}
