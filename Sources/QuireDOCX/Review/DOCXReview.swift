public import QuireModel
import QuireOOXML
public import QuireZip

/// A Word document opened for review: its paragraphs as a reviewer reads them, and
/// ``apply(_:author:date:)``, which writes the same package back with edits as tracked
/// changes (`w:ins`/`w:del`, accepted or rejected one by one in Word and LibreOffice) and
/// their reasons as comments. Only the main document part, the comments part and — when
/// the document had no comments — its relationships and content types change; every other
/// part is copied as it was stored, byte for byte. An edit whose text is not found, is
/// ambiguous or cannot be changed in place (inside a field, across a hyperlink, already a
/// tracked change) is reported and never applied anywhere else.
public struct DOCXReview: Sendable {
    /// A paragraph as the reviewer sees it.
    public struct Paragraph: Sendable, Equatable {
        /// Its number, from 1 in document order (body paragraphs, table cells included).
        public var number: Int
        /// Its style id (`Heading1`), if any.
        public var style: String?
        /// Whether it is a heading or title.
        public var isHeading: Bool
        /// Its text with tracked changes accepted and field codes left out.
        public var text: String
        /// Whether it is in a table cell.
        public var isInTable: Bool

        /// A paragraph from its parts (to build a review request without a document).
        public init(number: Int, style: String?, isHeading: Bool, text: String, isInTable: Bool = false) {
            self.number = number
            self.style = style
            self.isHeading = isHeading
            self.text = text
            self.isInTable = isInTable
        }
    }

    /// The file's path or label.
    public let file: String
    /// The body's paragraphs.
    public let paragraphs: [Paragraph]
    let package: OPCPackage
    let mainPart: String
    let layout: ReviewLayout

    /// Opens the document at `path`.
    public init(path: String, limits: ZipLimits = .default) throws(DocumentError) {
        try self.init(package: OPCPackage(path: path, limits: limits))
    }

    /// Opens a document held in memory; `name` labels it in errors.
    public init(bytes: [UInt8], name: String, limits: ZipLimits = .default) throws(DocumentError) {
        try self.init(package: OPCPackage(bytes: bytes, name: name, limits: limits))
    }

    init(package: OPCPackage) throws(DocumentError) {
        self.package = package
        file = package.file
        mainPart = try package.mainPart(fallback: "word/document.xml")
        guard let bytes = try package.bytes(of: mainPart) else {
            throw DocumentError(.missingPart, file: package.file, location: mainPart, message: "the document has no main part.")
        }
        layout = try Self.layout(bytes, file: package.file, part: mainPart)
        paragraphs = layout.paragraphs.map { paragraph in
            var text = ""
            text.unicodeScalars.append(contentsOf: paragraph.text)
            return Paragraph(number: paragraph.number, style: paragraph.style, isHeading: paragraph.isHeading, text: text, isInTable: paragraph.isInTable)
        }
    }

    static func layout(_ bytes: [UInt8], file: String, part: String) throws(DocumentError) -> ReviewLayout {
        let head = String(decoding: bytes.prefix(120), as: UTF8.self).lowercased()
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) || head.contains("encoding=\"utf-16") || head.contains("encoding='utf-16") {
            throw DocumentError(
                .unsupportedFormat, file: file, location: part,
                message: "the part is UTF-16; review edits UTF-8 parts only (save the document again from Word).")
        }
        do {
            return try ReviewLayout(try PartXML(bytes))
        } catch let malformed as PartXML.Malformed {
            throw DocumentError(.malformedXML, file: file, location: "\(part):\(malformed.line)", message: malformed.message + ".")
        } catch let unsupported as ReviewLayout.Unsupported {
            throw DocumentError(.unsupportedFormat, file: file, location: part, message: unsupported.message + ".")
        } catch {
            throw DocumentError(.malformedXML, file: file, location: part, message: "\(error)")
        }
    }

    /// The package with `edits` written as tracked changes by `author` at `date` (ISO 8601,
    /// `2026-12-02T10:00:00Z`), and what became of each edit, in the order given. Edits
    /// that overlap one applied before them are not applied.
    public func apply(_ edits: [ReviewEdit], author: String = "Quire", date: String) throws(DocumentError) -> (package: [UInt8], outcomes: [ReviewOutcome]) {
        let existing = try existingComments()
        var writer = ChangeWriter(layout: layout, author: author, date: date, firstID: max(layout.largestID, existing?.largestID ?? 0) + 1)
        var outcomes: [ReviewOutcome] = []
        var placed: [Int: [ReviewPlacement]] = [:]
        for (order, edit) in edits.enumerated() {
            var outcome = ReviewOutcome(edit: edit)
            switch place(edit, order: order, among: placed) {
            case .success(let placements):
                outcome.paragraph = placements[0].paragraph + 1
                placed[placements[0].paragraph, default: []] += placements
            case .failure(let problem):
                outcome.problem = problem.message
            }
            outcomes.append(outcome)
        }
        for index in placed.keys.sorted() {
            writer.write(placed[index]!, in: layout.paragraphs[index], next: layout.paragraphs.indices.contains(index + 1) ? layout.paragraphs[index + 1] : nil)
        }
        let document: [UInt8]
        do {
            document = try writer.applied()
        } catch {
            throw DocumentError(.corrupt, file: file, location: mainPart, message: "the edits could not be written: \(error.message).")
        }
        let bytes = try write(document: document, comments: writer.comments, existing: existing, author: author, date: date)
        return (bytes, outcomes)
    }

    /// Where `edit` goes: one placement, or — for a replacement that changes words here and
    /// there — one per changed stretch, sharing one comment.
    private func place(_ edit: ReviewEdit, order: Int, among placed: [Int: [ReviewPlacement]]) -> Result<[ReviewPlacement], ReviewAnchors.Problem> {
        if edit.action != .insertParagraph && edit.action != .delete && edit.action != .comment && edit.text.isEmpty {
            return .failure(ReviewAnchors.Problem("it has no new text"))
        }
        if edit.action == .insertParagraph && ChangeWriter.blocks(edit.text).isEmpty { return .failure(ReviewAnchors.Problem("it has no new text")) }
        let located: (paragraph: Int, span: Range<Int>)
        switch ReviewAnchors.locate(edit, in: layout.paragraphs) {
        case .success(let found): located = found
        case .failure(let problem): return .failure(problem)
        }
        let paragraph = layout.paragraphs[located.paragraph]
        if edit.action == .insertParagraph {
            return .success([ReviewPlacement(edit: edit, order: order, paragraph: located.paragraph, span: located.span, container: 0)])
        }
        var edit = edit
        var span = located.span
        if edit.action == .replace {
            guard let narrowed = Self.narrowed(Array(paragraph.text[span]), Array(edit.text.unicodeScalars)) else {
                return .failure(ReviewAnchors.Problem("its new text is the text it replaces"))
            }
            span = (span.lowerBound + narrowed.start)..<(span.upperBound - narrowed.end)
            var text = ""
            text.unicodeScalars.append(contentsOf: narrowed.text)
            edit.text = text
        }
        let candidates: [ReviewPlacement]
        switch placements(edit, order: order, paragraph: located.paragraph, span: span) {
        case .success(let found): candidates = found
        case .failure(let problem): return .failure(problem)
        }
        for placement in candidates {
            for other in placed[located.paragraph] ?? [] where other.edit.action != .insertParagraph {
                let overlaps =
                    other.span.lowerBound < placement.span.upperBound && placement.span.lowerBound < other.span.upperBound
                    || (placement.span.isEmpty && other.span.lowerBound < placement.span.lowerBound && placement.span.lowerBound < other.span.upperBound)
                    || (other.span.isEmpty && placement.span.lowerBound < other.span.lowerBound && other.span.lowerBound < placement.span.upperBound)
                // A comment around whole items must not share bytes with an edit that rewrites them.
                let sharesBytes =
                    (placement.around != nil || other.around != nil)
                    && (placement.bytes(in: paragraph).flatMap { a in other.bytes(in: paragraph).map { a.overlaps($0) } } ?? false)
                if overlaps || sharesBytes { return .failure(ReviewAnchors.Problem("it overlaps edit \(other.order + 1), applied before it")) }
            }
        }
        return .success(candidates)
    }

    /// The placements of an edit at `span`: word by word for a replacement when every
    /// changed stretch can be placed, else whole; a comment that cannot be cut exactly goes
    /// around the items that hold its text.
    private func placements(_ edit: ReviewEdit, order: Int, paragraph index: Int, span: Range<Int>) -> Result<[ReviewPlacement], ReviewAnchors.Problem> {
        let paragraph = layout.paragraphs[index]
        if edit.action == .replace, let hunks = WordDiff.hunks(Array(paragraph.text[span]), Array(edit.text.unicodeScalars)) {
            var parts: [ReviewPlacement] = []
            for (k, hunk) in hunks.enumerated() {
                var part = edit
                part.text = ""
                part.text.unicodeScalars.append(contentsOf: hunk.new)
                let range = (span.lowerBound + hunk.old.lowerBound)..<(span.lowerBound + hunk.old.upperBound)
                guard case .success(var placement) = ReviewPlacement.place(part, order: order, paragraph: index, span: range, in: paragraph) else {
                    parts = []
                    break
                }
                placement.opensComment = k == 0
                placement.closesComment = k == hunks.count - 1
                parts.append(placement)
            }
            if !parts.isEmpty { return .success(parts) }
        }
        switch ReviewPlacement.place(edit, order: order, paragraph: index, span: span, in: paragraph) {
        case .success(let placement): return .success([placement])
        case .failure(let problem):
            if edit.action == .comment, let around = ReviewPlacement.comment(edit, order: order, paragraph: index, span: span, in: paragraph) {
                return .success([around])
            }
            return .failure(problem)
        }
    }

    /// A replacement narrowed to the words that differ: the words `old` and `new` begin and
    /// end with alike are left in place (so "budget is 4,500 dollars" → "budget is 4,800
    /// dollars" changes "4,500" only, keeping its formatting). Nil when nothing differs.
    static func narrowed(_ old: [Unicode.Scalar], _ new: [Unicode.Scalar]) -> (start: Int, end: Int, text: ArraySlice<Unicode.Scalar>)? {
        guard old != new else { return nil }
        var prefix = 0
        while prefix < old.count, prefix < new.count, old[prefix] == new[prefix] { prefix += 1 }
        while prefix > 0, !(old[prefix - 1].properties.isWhitespace && new[prefix - 1].properties.isWhitespace) { prefix -= 1 }
        var suffix = 0
        while suffix < old.count - prefix, suffix < new.count - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        // The kept ending starts a word: it begins with a space, or follows one in both texts.
        func startsWord(_ k: Int) -> Bool {
            k == 0 || (old[old.count - k].properties.isWhitespace && new[new.count - k].properties.isWhitespace)
                || (old.count - k - 1 >= 0 && new.count - k - 1 >= 0 && old[old.count - k - 1].properties.isWhitespace
                    && new[new.count - k - 1].properties.isWhitespace)
        }
        while suffix > 0, !startsWord(suffix) { suffix -= 1 }
        return (prefix, suffix, new[prefix..<(new.count - suffix)])
    }
}
