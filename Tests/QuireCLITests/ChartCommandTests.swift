import Foundation
import QuireTestSupport
import Testing

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
}
