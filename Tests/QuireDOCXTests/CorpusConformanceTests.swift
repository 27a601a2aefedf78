import Foundation
import QuireDOCX
import QuireModel
import QuireTestSupport
import Testing

/// Reads every DOCX of ../shared/corpus and compares paragraph texts with python-docx.
struct CorpusConformanceTests {
    struct Row {
        var file: String
        var status: String
    }

    static func rows() -> [Row] {
        guard let corpus = Fixtures.corpus,
            let text = try? String(contentsOfFile: corpus + "/MANIFEST.tsv", encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 11, fields[1] == "docx" else { return nil }
            return Row(file: fields[0], status: fields[10])
        }
    }

    static func normalise(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// Length of the longest common subsequence: paragraphs found in the same order.
    static func commonInOrder(_ a: [String], _ b: [String]) -> Int {
        guard !a.isEmpty, !b.isEmpty else { return 0 }
        var previous = [Int](repeating: 0, count: b.count + 1)
        var current = previous
        for x in a {
            for (j, y) in b.enumerated() {
                current[j + 1] = x == y ? previous[j] + 1 : max(previous[j + 1], current[j])
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    @Test(
        "every corpus DOCX is read or cleanly rejected, and paragraphs agree with python-docx",
        .enabled(if: Fixtures.corpus != nil, "../shared/corpus is not present"))
    func corpus() throws {
        let rows = Self.rows()
        let corpus = try #require(Fixtures.corpus)
        #expect(!rows.isEmpty, "the corpus manifest lists no document")
        var matched = 0
        var total = 0
        var lossyRicher = 0
        var lossyTotal = 0
        var rejected: [String] = []
        var weak: [(String, Int, Int)] = []
        for row in rows {
            let path = corpus + "/" + row.file
            let document: Document
            do {
                document = try DOCXReader().read(path: path)
            } catch {
                // A clean rejection must name the file.
                #expect(error.description.contains(path), "error does not name the file: \(error)")
                rejected.append("\(row.file): \(error.message)")
                continue
            }
            let referencePath = corpus + "/reference/" + row.file + ".json"
            guard let data = FileManager.default.contents(atPath: referencePath),
                let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let reference = json["python-docx"] as? [String: Any],
                let paragraphs = reference["paragraphs"] as? [String]
            else { continue }
            let expected = paragraphs.map(Self.normalise).filter { !$0.isEmpty }
            let ours = document.paragraphTexts().map(Self.normalise).filter { !$0.isEmpty }
            if row.status.hasPrefix("ok-lossy") {
                // python-docx drops text here; Quire must have at least as much.
                lossyTotal += 1
                let theirs = expected.joined().count
                let mine = ours.joined().count
                if mine > theirs { lossyRicher += 1 }
                #expect(mine >= theirs, "\(row.file): Quire has \(mine) characters, python-docx \(theirs)")
                continue
            }
            guard row.status == "ok" else { continue }
            let common = Self.commonInOrder(expected, ours)
            matched += common
            total += expected.count
            if common < expected.count { weak.append((row.file, common, expected.count)) }
        }
        let rate = total == 0 ? 1 : Double(matched) / Double(total)
        print(
            "DOCX conformance: \(rows.count) files, \(rejected.count) rejected cleanly; "
                + "paragraph agreement \(matched)/\(total) = \(String(format: "%.2f", rate * 100))% on sound references; "
                + "richer than python-docx on \(lossyRicher)/\(lossyTotal) lossy references")
        for (file, common, count) in weak {
            print("  partial: \(file): \(common)/\(count)")
        }
        for line in rejected { print("  rejected: \(line)") }
        #expect(rate >= 0.95)
    }
}
