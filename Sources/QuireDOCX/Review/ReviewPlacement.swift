/// Where an edit's span lies among a paragraph's runs: the container whose runs it cuts
/// and the items from the first run it touches to the last.
struct ReviewPlacement {
    var edit: ReviewEdit
    /// The edit's position among those proposed.
    var order: Int
    var paragraph: Int
    var span: Range<Int>
    var container: Int
    /// Flattened item indices (`Paragraph.items`), nil for a paragraph with no runs.
    var items: ClosedRange<Int>?
    /// The run properties the inserted text takes.
    var properties: Range<Int>?
    /// A delete of the whole paragraph that also deletes its mark.
    var deletesMark = false
    /// Whether the edit's comment starts and ends here (a replacement placed word by word
    /// has one comment from its first changed stretch to its last).
    var opensComment = true
    var closesComment = true
    /// A comment whose text cannot be cut exactly (it crosses a hyperlink, holds a field):
    /// its range is put around the paragraph's own items that hold the text instead.
    var around: ClosedRange<Int>?

    var deletes: Bool { edit.action == .replace || edit.action == .delete }
    var inserts: Bool { edit.action == .replace || edit.action == .insert }

    /// The placement of `edit` at `span` of `paragraph`, or why it cannot be changed there.
    static func place(
        _ edit: ReviewEdit, order: Int, paragraph index: Int, span: Range<Int>, in paragraph: ReviewLayout.Paragraph
    ) -> Result<ReviewPlacement, ReviewAnchors.Problem> {
        var placement = ReviewPlacement(edit: edit, order: order, paragraph: index, span: span, container: 0)
        let runs = paragraph.items.indices.filter { if case .run = paragraph.items[$0].kind { return true } else { return false } }
        if span.isEmpty {
            guard let at = insertionRun(span.lowerBound, runs: runs, paragraph) else {
                guard runs.isEmpty, paragraph.tokens.lowerBound < paragraph.tokens.upperBound else {
                    return .failure(ReviewAnchors.Problem("there is no text in paragraph \(paragraph.number) to place it by"))
                }
                return .success(placement)
            }
            placement.items = at...at
        } else {
            let touched = runs.filter { paragraph.items[$0].start < span.upperBound && paragraph.items[$0].end > span.lowerBound }
            guard let first = touched.first, let last = touched.last else {
                return .failure(ReviewAnchors.Problem("its text is not in a run of paragraph \(paragraph.number)"))
            }
            placement.items = first...last
        }
        let items = placement.items!
        placement.container = paragraph.items[items.lowerBound].container
        if let problem = obstacle(items, span: span, container: placement.container, paragraph) { return .failure(ReviewAnchors.Problem(problem)) }
        let source = paragraph.items[span.isEmpty ? items.upperBound : items.lowerBound]
        if case .run(let run) = source.kind { placement.properties = run.properties }
        placement.deletesMark =
            edit.action == .delete && span == 0..<paragraph.text.count && paragraph.nextIsParagraph && !paragraph.endsSection
            && placement.container == 0
        return .success(placement)
    }

    /// A comment on `span` around the paragraph-level items (runs, hyperlinks, content
    /// controls, fields) that hold it: less exact, but never cutting into them.
    static func comment(
        _ edit: ReviewEdit, order: Int, paragraph index: Int, span: Range<Int>, in paragraph: ReviewLayout.Paragraph
    ) -> ReviewPlacement? {
        let top = paragraph.items.indices.filter { paragraph.items[$0].container == 0 && paragraph.items[$0].end > paragraph.items[$0].start }
        guard let first = top.first(where: { paragraph.items[$0].end > span.lowerBound }),
            let last = top.last(where: { paragraph.items[$0].start < span.upperBound }), first <= last
        else { return nil }
        var placement = ReviewPlacement(edit: edit, order: order, paragraph: index, span: span, container: 0)
        placement.around = first...last
        return placement
    }

    /// The bytes of the part the placement rewrites or writes beside.
    func bytes(in paragraph: ReviewLayout.Paragraph) -> ClosedRange<Int>? {
        guard let items = around ?? items else { return nil }
        return paragraph.items[items.lowerBound].range.lowerBound...paragraph.items[items.upperBound].range.upperBound
    }

    /// The run an insertion at `position` goes into: the one whose text ends there, else
    /// the one that starts there.
    private static func insertionRun(_ position: Int, runs: [Int], _ paragraph: ReviewLayout.Paragraph) -> Int? {
        runs.last { paragraph.items[$0].start < position && paragraph.items[$0].end >= position }
            ?? runs.first { paragraph.items[$0].start == position && paragraph.items[$0].end > position }
            ?? runs.first { paragraph.items[$0].start == position }
    }

    /// What keeps the runs `items` from being edited in place, if anything.
    private static func obstacle(_ items: ClosedRange<Int>, span: Range<Int>, container: Int, _ paragraph: ReviewLayout.Paragraph) -> String? {
        var current: Int? = container
        while let index = current {
            let box = paragraph.containers[index]
            guard box.isEditable else {
                return switch box.name {
                case "ins", "del", "moveFrom", "moveTo": "its text is already a tracked change"
                case "fldSimple": "its text is a field's result, which Word would overwrite"
                default: "its text is inside a w:\(box.name), which Quire does not edit"
                }
            }
            current = box.parent
        }
        for index in items {
            let item = paragraph.items[index]
            guard item.container == container else { return "its text crosses a hyperlink, content control or tracked change" }
            switch item.kind {
            case .container: return "its text crosses a hyperlink, content control or tracked change"
            case .markup(let isObject) where isObject && item.start > span.lowerBound && item.start < span.upperBound:
                return "its text holds an object (a drawing, an equation or a note) that the text does not show"
            case .run(let run):
                if run.isField { return "its text is part of a field (a page number, a reference, a table of contents)" }
                if run.hasTrackedFormatting { return "its text has a tracked formatting change" }
                var position = item.start
                for atom in run.atoms {
                    if case .raw(_, let text, let isObject) = atom, isObject, text.isEmpty, position > span.lowerBound, position < span.upperBound {
                        return "its text holds an object (a drawing, an equation or a note) that the text does not show"
                    }
                    position += atom.width
                }
            default: break
            }
        }
        return nil
    }
}
