/// One edit a reviewer proposes for a document, found by its text: `find` is text of
/// paragraph `paragraph` (numbered from 1 in document order, as ``DOCXReview/paragraphs``
/// gives them), matched exactly or — when that fails — with quotes, dashes and spaces
/// compared loosely. Text found only in another paragraph is not taken; without a
/// paragraph, the text must occur once in the whole document.
public struct ReviewEdit: Sendable, Equatable {
    /// What to do with the text.
    public enum Action: String, Sendable, CaseIterable {
        /// `find` deleted, `text` inserted in its place.
        case replace
        /// `find` deleted; with an empty `find`, the whole paragraph and its mark.
        case delete
        /// `text` inserted after `find` (at the end of the paragraph when `find` is empty).
        case insert
        /// `text` inserted as a new paragraph after the paragraph (a blank line in `text`
        /// starts another).
        case insertParagraph = "insert_paragraph"
        /// Nothing changed: `reason` as a comment on `find`.
        case comment
    }

    /// What to do.
    public var action: Action
    /// The paragraph's number (from 1), or nil to look for `find` in the whole document.
    public var paragraph: Int?
    /// The text the edit applies to, as it stands in the paragraph; empty: the whole paragraph.
    public var find: String
    /// The new text (replace, insert, insert_paragraph).
    public var text: String
    /// Why: written as a comment on the change (none when empty).
    public var reason: String

    /// An edit; see the properties.
    public init(_ action: Action, paragraph: Int? = nil, find: String, text: String = "", reason: String = "") {
        self.action = action
        self.paragraph = paragraph
        self.find = find
        self.text = text
        self.reason = reason
    }
}

/// What became of one proposed edit.
public struct ReviewOutcome: Sendable, Equatable {
    /// The edit as proposed.
    public var edit: ReviewEdit
    /// The paragraph it was anchored in, when it was found.
    public var paragraph: Int?
    /// Why it was not applied; nil when it was.
    public var problem: String?
    /// Whether the edit is in the written document.
    public var isApplied: Bool { problem == nil }
}

/// Finding an edit's text in the paragraphs.
enum ReviewAnchors {
    /// Where `find` is in a paragraph's text: exact matches, else loose ones.
    static func occurrences(of find: [Unicode.Scalar], in text: [Unicode.Scalar]) -> [Range<Int>] {
        let exact = matches(find, in: text)
        if !exact.isEmpty { return exact }
        let (needle, _) = loose(find)
        let (haystack, origin) = loose(text)
        let trimmed = Array(needle.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
        guard !trimmed.isEmpty else { return [] }
        return matches(trimmed, in: haystack).map { origin[$0.lowerBound].lowerBound..<origin[$0.upperBound - 1].upperBound }
    }

    private static func matches(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> [Range<Int>] {
        guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
        var found: [Range<Int>] = []
        var i = 0
        let first = needle[0]
        while i + needle.count <= haystack.count {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) {
                found.append(i..<(i + needle.count))
                i += needle.count
            } else {
                i += 1
            }
        }
        return found
    }

    /// Text compared loosely: curly quotes as straight ones, dashes as `-`, any run of
    /// white space as one space, soft hyphens dropped; with each character's origin.
    static func loose(_ text: [Unicode.Scalar]) -> ([Unicode.Scalar], [Range<Int>]) {
        var out: [Unicode.Scalar] = []
        var origin: [Range<Int>] = []
        for (index, scalar) in text.enumerated() {
            let mapped: Unicode.Scalar?
            switch scalar {
            case "\u{2018}", "\u{2019}", "\u{201A}", "\u{2032}": mapped = "'"
            case "\u{201C}", "\u{201D}", "\u{201E}", "\u{2033}": mapped = "\""
            case "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2212}": mapped = "-"
            case "\u{00AD}", "\u{200B}": mapped = nil
            default: mapped = scalar.properties.isWhitespace ? " " : scalar
            }
            guard let mapped else { continue }
            if mapped == " ", out.last == " " {
                origin[origin.count - 1] = origin[origin.count - 1].lowerBound..<(index + 1)
                continue
            }
            out.append(mapped)
            origin.append(index..<(index + 1))
        }
        return (out, origin)
    }

    /// The paragraph (index) and span of `edit`, or why it cannot be found.
    static func locate(_ edit: ReviewEdit, in paragraphs: [ReviewLayout.Paragraph]) -> Result<(paragraph: Int, span: Range<Int>), Problem> {
        if let number = edit.paragraph, !paragraphs.indices.contains(number - 1) {
            return .failure(Problem("there is no paragraph \(number) (the document has \(paragraphs.count))"))
        }
        let needle = Array(edit.find.unicodeScalars)
        if edit.find.allSatisfy(\.isWhitespace) {
            guard let number = edit.paragraph else { return .failure(Problem("it names neither a paragraph nor text to find")) }
            let text = paragraphs[number - 1].text
            return .success((number - 1, edit.action == .insert ? text.count..<text.count : 0..<text.count))
        }
        if let number = edit.paragraph {
            let here = occurrences(of: needle, in: paragraphs[number - 1].text)
            if here.count == 1 { return .success((number - 1, here[0])) }
            if here.count > 1 { return .failure(Problem("“\(edit.find)” occurs \(here.count) times in paragraph \(number); quote more of it")) }
        }
        var found: [(Int, Range<Int>)] = []
        for (index, paragraph) in paragraphs.enumerated() {
            for span in occurrences(of: needle, in: paragraph.text) { found.append((index, span)) }
            if found.count > 8 { break }
        }
        let places = found.prefix(4).map { "\($0.0 + 1)" }.joined(separator: ", ")
        if let number = edit.paragraph {
            // The paragraph named is where the edit belongs: text found only elsewhere is
            // not taken for it (it may be another sentence that reads the same).
            return .failure(
                Problem(
                    "“\(edit.find)” is not in paragraph \(number)"
                        + (found.isEmpty ? " (nor anywhere else in the document)" : " (it is in paragraph \(places))")))
        }
        switch found.count {
        case 0:
            return .failure(Problem("“\(edit.find)” is not in the document"))
        case 1:
            return .success((found[0].0, found[0].1))
        default:
            return .failure(
                Problem("“\(edit.find)” occurs \(found.count > 8 ? "more than 8" : "\(found.count)") times (paragraphs \(places)); quote more of it"))
        }
    }

    struct Problem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }
}
