import QuireModel

/// Writes placed edits into document.xml as tracked changes: each touched run split where
/// an edit begins or ends, the old text wrapped in `w:del` (as `w:delText`), the new text in
/// `w:ins` with the run's properties, and the reason as a comment range with its reference.
/// Everything else keeps its bytes: the result is a list of splices into the original part.
struct ChangeWriter {
    let layout: ReviewLayout
    let author: String
    let date: String
    private(set) var nextID: Int
    /// The comments to add to the comments part, in order.
    private(set) var comments: [(id: Int, text: String)] = []
    private var commentIDs: [Int: Int] = [:]
    var splices: [(range: Range<Int>, text: String, order: Int)] = []

    init(layout: ReviewLayout, author: String, date: String, firstID: Int) {
        self.layout = layout
        self.author = author
        self.date = date
        self.nextID = firstID
    }

    private var xml: PartXML { layout.xml }
    func w(_ local: String) -> String { layout.qualified(local) }

    mutating func addSplice(_ range: Range<Int>, _ text: String, order: Int) {
        splices.append((range, text, order))
    }

    private mutating func newID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    mutating func revision(_ kind: String) -> String {
        "<\(w(kind)) \(w("id"))=\"\(newID())\" \(w("author"))=\"\(PartXML.escape(author))\" \(w("date"))=\"\(date)\""
    }

    /// The id of the edit's comment (one per edit, however many places it changes), or nil
    /// when it gives no reason.
    mutating func comment(_ placement: ReviewPlacement) -> Int? {
        let reason = placement.edit.reason.trimmingCharacters(in: " \n\t")
        guard !reason.isEmpty else { return nil }
        if let id = commentIDs[placement.order] { return id }
        let id = newID()
        commentIDs[placement.order] = id
        comments.append((id, reason))
        return id
    }

    func rangeMark(_ kind: String, _ id: Int) -> String { "<\(w(kind)) \(w("id"))=\"\(id)\"/>" }
    func reference(_ id: Int) -> String { "<\(w("r"))><\(w("commentReference")) \(w("id"))=\"\(id)\"/></\(w("r"))>" }

    /// Run content for new text: tabs and line breaks as their elements.
    private func content(_ text: String, element: String = "t") -> String {
        var out = ""
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if index > 0 { out += "<\(w("br"))/>" }
            for (k, piece) in line.split(separator: "\t", omittingEmptySubsequences: false).enumerated() {
                if k > 0 { out += "<\(w("tab"))/>" }
                if !piece.isEmpty { out += "<\(w(element)) xml:space=\"preserve\">\(PartXML.escape(String(piece)))</\(w(element))>" }
            }
        }
        return out
    }

    /// Run or paragraph properties to copy onto new text: without tracked formatting
    /// changes or paragraph-mark revisions (their ids must stay unique).
    func copied(_ properties: Range<Int>?) -> String {
        guard let properties, let start = xml.tokenIndex(at: properties.lowerBound) else { return "" }
        var out = ""
        var cursor = properties.lowerBound
        var k = start + 1
        while k < xml.tokens.count, xml.tokens[k].range.upperBound <= properties.upperBound {
            let token = xml.tokens[k]
            if token.kind == .start || token.kind == .empty, let name = layout.local(token.name),
                ["rPrChange", "pPrChange", "ins", "del", "moveFrom", "moveTo"].contains(name)
            {
                let end = xml.close(of: k)
                out += xml.string(cursor..<token.range.lowerBound)
                cursor = xml.tokens[end].range.upperBound
                k = end + 1
                continue
            }
            k += 1
        }
        return out + xml.string(cursor..<properties.upperBound)
    }

    mutating func insertion(_ text: String, properties: Range<Int>?) -> String {
        revision("ins") + "><\(w("r"))>" + copied(properties) + content(text) + "</\(w("r"))></\(w("ins"))>"
    }

    /// Splices every placement of one paragraph: clusters of edits sharing runs, deleted
    /// paragraph marks and new paragraphs after it.
    mutating func write(_ placements: [ReviewPlacement], in paragraph: ReviewLayout.Paragraph, next: ReviewLayout.Paragraph?) {
        for placement in placements {
            guard let around = placement.around, let id = comment(placement) else { continue }
            let start = paragraph.items[around.lowerBound].range.lowerBound
            let end = paragraph.items[around.upperBound].range.upperBound
            addSplice(start..<start, rangeMark("commentRangeStart", id), order: placement.order)
            addSplice(end..<end, rangeMark("commentRangeEnd", id) + reference(id), order: placement.order)
        }
        let inline = placements.filter { $0.edit.action != .insertParagraph && $0.around == nil }.sorted {
            ($0.span.lowerBound, $0.order) < ($1.span.lowerBound, $1.order)
        }
        // Edits whose runs overlap are written together; the others each on their own.
        var clusters: [(placements: [ReviewPlacement], reach: Int?)] = []
        for placement in inline {
            if let last = clusters.last, last.placements[0].container == placement.container,
                last.reach == nil && placement.items == nil || (last.reach.map { placement.items.map { $0.lowerBound } ?? Int.max <= $0 } ?? false)
            {
                clusters[clusters.count - 1].placements.append(placement)
                clusters[clusters.count - 1].reach = max(last.reach ?? -1, placement.items?.upperBound ?? -1)
            } else {
                clusters.append(([placement], placement.items?.upperBound))
            }
        }
        for cluster in clusters { writeCluster(cluster.placements, in: paragraph) }
        for placement in inline where placement.deletesMark { deleteMark(of: paragraph, order: placement.order) }
        for placement in placements where placement.edit.action == .insertParagraph {
            insertParagraph(placement, after: paragraph, next: next)
        }
    }

    /// One piece of the runs being rewritten: a whole run as it was, part of a run, or markup.
    private struct Piece {
        var start: Int
        var width: Int
        var run: ReviewLayout.Run?
        var atoms: ArraySlice<ReviewLayout.Atom> = []
        var raw: Range<Int>?
    }

    private mutating func writeCluster(_ cluster: [ReviewPlacement], in paragraph: ReviewLayout.Paragraph) {
        var events: [(position: Int, xml: String)] = []
        for placement in cluster {
            let id = comment(placement)
            if let id, placement.opensComment { events.append((placement.span.lowerBound, rangeMark("commentRangeStart", id))) }
            if placement.inserts, !placement.edit.text.isEmpty {
                events.append((placement.span.upperBound, insertion(placement.edit.text, properties: placement.properties)))
            }
            if let id, placement.closesComment { events.append((placement.span.upperBound, rangeMark("commentRangeEnd", id) + reference(id))) }
        }
        let deleted = cluster.filter(\.deletes).map(\.span)
        let cuts = Set(cluster.flatMap { [$0.span.lowerBound, $0.span.upperBound] })
        var pieces: [Piece] = []
        let range: Range<Int>
        if let first = cluster.compactMap(\.items).map(\.lowerBound).min(), let last = cluster.compactMap(\.items).map(\.upperBound).max() {
            for item in paragraph.items[first...last] { pieces += Self.pieces(of: item, cuts: cuts) }
            range = paragraph.items[first].range.lowerBound..<paragraph.items[last].range.upperBound
        } else {
            let end = xml.tokens[paragraph.tokens.upperBound].range.lowerBound
            range = end..<end
        }
        var out = ""
        var open = false
        var next = 0
        func emit(through position: Int, inclusive: Bool) {
            while next < events.count, events[next].position < position || (inclusive && events[next].position == position) {
                if open {
                    out += "</\(w("del"))>"
                    open = false
                }
                out += events[next].xml
                next += 1
            }
        }
        for piece in pieces {
            emit(through: piece.start, inclusive: piece.width > 0)
            let isDeleted = deleted.contains {
                piece.width > 0
                    ? $0.lowerBound <= piece.start && piece.start + piece.width <= $0.upperBound : $0.lowerBound < piece.start && piece.start < $0.upperBound
            }
            if open && !isDeleted && (piece.width > 0 || piece.run != nil) {
                out += "</\(w("del"))>"
                open = false
            }
            if isDeleted && !open && piece.width > 0 {
                out += revision("del") + ">"
                open = true
            }
            out += serialise(piece, deleted: isDeleted)
        }
        emit(through: Int.max, inclusive: true)
        if open { out += "</\(w("del"))>" }
        addSplice(range, out, order: cluster[0].order)
    }

    /// A run split at the cut positions strictly inside it (whole when there are none), or markup.
    private static func pieces(of item: ReviewLayout.Item, cuts: Set<Int>) -> [Piece] {
        guard case .run(let run) = item.kind else { return [Piece(start: item.start, width: 0, raw: item.range)] }
        let inner = cuts.filter { $0 > item.start && $0 < item.end }.sorted()
        if inner.isEmpty { return [Piece(start: item.start, width: item.end - item.start, run: run, atoms: run.atoms[...], raw: item.range)] }
        var atoms: [ReviewLayout.Atom] = []
        var position = item.start
        var boundaries: [Int] = [0]
        var cutIndex = 0
        for atom in run.atoms {
            if case .text(let scalars) = atom {
                var rest = scalars[...]
                while cutIndex < inner.count, inner[cutIndex] < position + rest.count {
                    let take = inner[cutIndex] - position
                    if take > 0 { atoms.append(.text(Array(rest.prefix(take)))) }
                    rest = rest.dropFirst(take)
                    position += take
                    boundaries.append(atoms.count)
                    cutIndex += 1
                }
                if !rest.isEmpty { atoms.append(.text(Array(rest))) }
                position += rest.count
            } else {
                while cutIndex < inner.count, inner[cutIndex] <= position {
                    boundaries.append(atoms.count)
                    cutIndex += 1
                }
                atoms.append(atom)
                position += atom.width
            }
        }
        boundaries.append(atoms.count)
        var out: [Piece] = []
        var start = item.start
        for k in 0..<(boundaries.count - 1) where boundaries[k] < boundaries[k + 1] {
            let slice = atoms[boundaries[k]..<boundaries[k + 1]]
            let width = slice.reduce(0) { $0 + $1.width }
            out.append(Piece(start: start, width: width, run: run, atoms: slice))
            start += width
        }
        return out
    }

    private func serialise(_ piece: Piece, deleted: Bool) -> String {
        guard let run = piece.run else { return xml.string(piece.raw!) }
        if !deleted, let raw = piece.raw { return xml.string(raw) }
        var out = xml.string(run.startTag)
        if xml.bytes[run.startTag.upperBound - 2] == UInt8(ascii: "/") { out = String(out.dropLast(2)) + ">" }
        if let properties = run.properties { out += xml.string(properties) }
        for atom in piece.atoms {
            switch atom {
            case .text(let scalars):
                var text = ""
                text.unicodeScalars.append(contentsOf: scalars)
                out += content(text, element: deleted ? "delText" : "t")
            case .raw(let range, _, _): out += xml.string(range)
            }
        }
        return out + "</\(w("r"))>"
    }
}
