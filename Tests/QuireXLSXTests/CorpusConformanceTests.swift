import Foundation
import QuireModel
import QuireTestSupport
import QuireXLSX
import Testing

/// Reads every XLSX of ../shared/corpus and compares cell values with python-calamine and
/// openpyxl where those two agree with each other.
struct XLSXCorpusConformanceTests {
    static func files() -> [String] {
        guard let corpus = Fixtures.corpus,
            let text = try? String(contentsOfFile: corpus + "/MANIFEST.tsv", encoding: .utf8)
        else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return fields.count >= 2 && fields[1] == "xlsx" ? fields[0] : nil
        }
    }

    /// A comparable form of a reference value: numbers as numbers, dates as ISO text,
    /// durations as seconds, empty as nil.
    static func normalise(_ value: Any?) -> String? {
        switch value {
        case nil, is NSNull: return nil
        case let string as String: return string.isEmpty ? nil : "s:" + string
        case let number as NSNumber:
            // JSON booleans decode as NSNumber too; their type says which they are.
            if String(describing: type(of: number)).contains("Boolean") { return "b:" + (number.boolValue ? "1" : "0") }
            return "n:" + format(number.doubleValue)
        case let tagged as [String: Any]:
            let kind = tagged["t"] as? String ?? ""
            if kind == "timedelta" {
                let seconds = (tagged["v"] as? Double) ?? (tagged["v"] as? Int).map(Double.init)
                if let seconds { return "n:" + format(seconds / 86_400) }
            }
            guard var text = tagged["v"] as? String else { return nil }
            if text.hasSuffix("T00:00:00") { text.removeLast(9) }
            // Python writes microseconds (`.894000`); compare milliseconds.
            if let dot = text.lastIndex(of: "."), text[dot...].count == 7 {
                var fraction = String(text[text.index(after: dot)...].prefix(3))
                while fraction.hasSuffix("0") { fraction.removeLast() }
                text = String(text[..<dot]) + (fraction.isEmpty ? "" : "." + fraction)
            }
            if text.hasPrefix("1899-12-31T") || text.hasPrefix("1899-12-30T") { text = String(text.dropFirst(11)) }
            return "d:" + text
        default: return "?"
        }
    }

    static func format(_ number: Double) -> String {
        let rounded = (number * 1e9).rounded() / 1e9
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? String(Int64(rounded)) : String(rounded)
    }

    static func ours(_ cell: Cell?) -> String? {
        guard let cell else { return nil }
        switch cell.value {
        case .empty: return nil
        case .string(let s): return s.isEmpty ? nil : "s:" + s
        case .number(let n): return "n:" + format(n)
        case .bool(let b): return "b:" + (b ? "1" : "0")
        case .error(let e): return "s:" + e
        case .duration(let seconds): return "n:" + format(seconds / 86_400)
        case .date(let d):
            if d.isTimeOnly, let serial = d.serial, serial < 1 {
                var text = d.description
                if text.count == 5 { text += ":00" }
                return "d:" + text
            }
            return "d:" + d.description
        }
    }

    @Test(
        "every corpus XLSX is read or cleanly rejected, and cells agree with calamine and openpyxl",
        .enabled(if: Fixtures.corpus != nil, "../shared/corpus is not present"))
    func corpus() throws {
        let files = Self.files()
        let corpus = try #require(Fixtures.corpus)
        #expect(!files.isEmpty, "the corpus manifest lists no workbook")
        var compared = 0
        var matched = 0
        var rejected: [String] = []
        var mismatches: [String] = []
        for file in files {
            let path = corpus + "/" + file
            let workbook: Workbook
            do {
                workbook = try XLSXReader().read(path: path)
            } catch {
                #expect(error.description.contains(path), "error does not name the file: \(error)")
                rejected.append("\(file): \(error.message)")
                continue
            }
            guard let data = FileManager.default.contents(atPath: corpus + "/reference/" + file + ".json"),
                let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let calamine = (json["calamine"] as? [String: Any])?["sheets"] as? [[String: Any]],
                let openpyxl = (json["openpyxl"] as? [String: Any])?["sheets"] as? [[String: Any]]
            else { continue }
            for sheet in workbook.sheets where sheet.kind == .worksheet {
                guard let a = calamine.first(where: { $0["name"] as? String == sheet.name })?["rows"] as? [[Any]],
                    let b = openpyxl.first(where: { $0["name"] as? String == sheet.name })?["rows"] as? [[Any]]
                else { continue }
                var grid: [Int: [Int: Cell]] = [:]
                for row in sheet.rows { for cell in row.cells { grid[row.index - 1, default: [:]][cell.column] = cell } }
                for r in 0..<min(a.count, b.count) {
                    for c in 0..<min(a[r].count, b[r].count) {
                        let x = Self.normalise(a[r][c])
                        let y = Self.normalise(b[r][c])
                        guard x == y, x != nil else { continue }
                        compared += 1
                        let mine = Self.ours(grid[r]?[c])
                        if mine == x {
                            matched += 1
                        } else if mismatches.count < 40 {
                            mismatches.append("\(file) \(sheet.name)!\(CellReference(row: r, column: c)): reference \(x ?? "nil"), Quire \(mine ?? "nil")")
                        }
                    }
                }
            }
        }
        let rate = compared == 0 ? 1 : Double(matched) / Double(compared)
        print(
            "XLSX conformance: \(files.count) files, \(rejected.count) rejected cleanly; cell agreement \(matched)/\(compared) = \(String(format: "%.2f", rate * 100))% where calamine and openpyxl agree"
        )
        for line in rejected { print("  rejected: \(line)") }
        for line in mismatches { print("  differs: \(line)") }
        #expect(rate >= 0.98)
    }
}
