import Foundation
import QuireTestServer
import QuireTestSupport
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

struct ChartCommandTests {
    @Test("analyse --chart writes the SVG beside the analysis and says so; nothing to chart fails (exit 1); the same file as -o is refused (exit 2)")
    func chart() async throws {
        let dir = NSTemporaryDirectory() + "quire-chart-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let env = TaskCommandTests.cleanEnvironment()
        let run = try await quire(
            ["analyse", "TestDocuments/sales.xlsx", "--question", "What are the amounts by region?", "--chart", dir + "/regions.svg"], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("**Amount by Region** (named in the question)"))
        #expect(run.stderr.contains("quire: chart: \(dir)/regions.svg (bars: Sum of Amount by Region, 4 values)"))
        let svg = try String(contentsOfFile: dir + "/regions.svg", encoding: .utf8)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.components(separatedBy: "class=\"bar\"").count == 5)
        let nothing = try await quire(["analyse", "TestDocuments/number-formats.xlsx", "--chart", dir + "/none.svg"], environment: env)
        #expect(nothing.status == 1 && nothing.stderr.contains("nothing to chart"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/none.svg"))
        let same = try await quire(["analyse", "TestDocuments/sales.xlsx", "--chart", dir + "/x", "-o", dir + "/x"], environment: env)
        #expect(same.status == 2 && same.stderr.contains("--chart and -o name the same file"))
    }

    /// The `data-value` and height of every bar, in order.
    static func bars(_ svg: String) -> [(value: Double, height: Double)] {
        let pattern = try! NSRegularExpression(pattern: #"<rect class="bar" [^>]*height="([0-9.]+)"[^>]*data-value="([0-9.]+)""#)
        return pattern.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { match in
            let height = Double(svg[Range(match.range(at: 1), in: svg)!])!
            let value = Double(svg[Range(match.range(at: 2), in: svg)!])!
            return (value, height)
        }
    }

    @Test("batch report --chart: items and their cost by the day of their mail, through a priced local server; bars proportional to the counts")
    func batchReport() async throws {
        let dir = NSTemporaryDirectory() + "quire-chart-batch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try await TestHTTPServer.serving({ _ in TaskCommandTests.jsonReply("A summary.") }) { server in
            let config = try TaskCommandTests.config(server)
            let env = TaskCommandTests.cleanEnvironment(["QUIRE_TEST_KEY": TaskCommandTests.key])
            let mail = ["triage.mbox", "thread.mbox", "list-thread.mbox"].map { Fixtures.path("mail/" + $0) }
            let batch = try await quire(["batch"] + mail + ["--task", "summarise", "--config", config, "--out", dir + "/out.jsonl"], environment: env)
            #expect(batch.status == 0, "\(batch.stderr)")
            let report = try await quire(["batch", "report", dir + "/out.jsonl", "--chart", dir + "/batch.svg"], environment: env)
            #expect(report.status == 0, "\(report.stderr)")
            #expect(report.stderr.contains("quire: chart: \(dir)/batch.svg (10 items in 11 days, with their cost)"))
            let svg = try String(contentsOfFile: dir + "/batch.svg", encoding: .utf8)
            #expect(svg.components(separatedBy: "<svg y=").count == 3)
            #expect(XMLParser(data: Data(svg.utf8)).parse(), "the SVG is not well-formed XML")
            let bars = Self.bars(svg)
            #expect(bars.count == 22)
            let items = Array(bars.prefix(11))
            #expect(items.map(\.value) == [1, 1, 0, 0, 0, 0, 0, 2, 2, 2, 2])
            let unit = items[0].height
            #expect(unit > 0 && items.allSatisfy { abs($0.height - unit * $0.value) < 0.02 })
            let costs = Array(bars.suffix(11))
            #expect(costs[0].value > 0 && abs(costs[7].height - 2 * costs[0].height) < 0.02)
        }
    }
}
