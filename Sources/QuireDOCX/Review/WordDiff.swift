/// The words a replacement changes: old and new text compared word by word (a longest
/// common subsequence over words and the spaces between them), so that "The the budget is
/// 4,500" → "The budget is 4,800" becomes two changes — "the " deleted, "4,500" replaced —
/// and the words in between stay as they are, with their formatting.
enum WordDiff {
    /// One change: `old` (offsets into the old text) becomes `new`.
    struct Hunk: Equatable {
        var old: Range<Int>
        var new: [Unicode.Scalar]
    }

    /// Words and the runs of white space between them.
    static func tokens(_ text: [Unicode.Scalar]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        var start = 0
        for i in text.indices where i > start && text[i].properties.isWhitespace != text[i - 1].properties.isWhitespace {
            out.append(start..<i)
            start = i
        }
        if start < text.count { out.append(start..<text.count) }
        return out
    }

    /// The changes from `old` to `new`; nil when a word-by-word comparison would not help
    /// (one change only, too many, or texts too long to compare).
    static func hunks(_ old: [Unicode.Scalar], _ new: [Unicode.Scalar]) -> [Hunk]? {
        let a = tokens(old)
        let b = tokens(new)
        guard a.count > 1 || b.count > 1, a.count <= 400, b.count <= 400 else { return nil }
        // lengths[i][j]: the longest common subsequence of a[i...] and b[j...].
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i][j] = old[a[i]] == new[b[j]] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        // Walk the table: equal tokens are kept, the others gathered into hunks.
        var hunks: [(old: Range<Int>, new: Range<Int>, keptAfter: Int)] = []
        var i = 0
        var j = 0
        var open: (oldStart: Int, newStart: Int)?
        func close(_ oldEnd: Int, _ newEnd: Int) {
            if let start = open { hunks.append((start.oldStart..<oldEnd, start.newStart..<newEnd, 0)) }
            open = nil
        }
        while i < a.count || j < b.count {
            let oldPosition = i < a.count ? a[i].lowerBound : old.count
            let newPosition = j < b.count ? b[j].lowerBound : new.count
            if i < a.count, j < b.count, old[a[i]] == new[b[j]] {
                close(oldPosition, newPosition)
                if !hunks.isEmpty, !old[a[i]].allSatisfy(\.properties.isWhitespace) { hunks[hunks.count - 1].keptAfter += 1 }
                i += 1
                j += 1
                continue
            }
            if open == nil { open = (oldPosition, newPosition) }
            if j < b.count && (i == a.count || lengths[i][j + 1] >= lengths[i + 1][j]) { j += 1 } else { i += 1 }
        }
        close(old.count, new.count)
        // Changes separated by less than two kept words read better as one.
        var merged: [(old: Range<Int>, new: Range<Int>)] = []
        var previousKept = Int.max
        for hunk in hunks {
            if let last = merged.last, previousKept < 2 {
                merged[merged.count - 1] = (last.old.lowerBound..<hunk.old.upperBound, last.new.lowerBound..<hunk.new.upperBound)
            } else {
                merged.append((hunk.old, hunk.new))
            }
            previousKept = hunk.keptAfter
        }
        guard merged.count > 1, merged.count <= 8 else { return nil }
        return merged.map { Hunk(old: $0.old, new: Array(new[$0.new])) }
    }
}
