import Foundation
import QuireImport
import QuireModel
import QuireTestSupport
import Testing

@testable import QuireRender
@testable import QuireTasks

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The elements of an SVG document, parsed by Foundation's XML parser (which fails on
/// anything that is not well-formed XML).
final class SVGElements: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var text: [String: String] = [:]
    private var current: String?

    static func parse(_ svg: String) throws -> SVGElements {
        let parser = XMLParser(data: Data(svg.utf8))
        let collected = SVGElements()
        parser.delegate = collected
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
        return collected
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        elements.append((name, attributes))
        current = attributes["id"]
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let current { text[current, default: ""] += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { current = nil }
}

struct ChartTests {
    static func orders() throws -> Sheet {
        guard case .workbook(let workbook) = try Importer().read(path: Fixtures.path("sales.xlsx")) else {
            throw DocumentError(.corrupt, file: "sales.xlsx", message: "not a workbook")
        }
        return workbook.sheets[0]
    }

    /// Sums of column `measure` by the key `key(row)` straight from the cells (rows below the header, row 3).
    static func sums(_ sheet: Sheet, measure: Int, key: (SheetRow) -> String?) -> [String: Double] {
        var out: [String: Double] = [:]
        for row in sheet.rows where row.index > 3 {
            guard let k = key(row), case .number(let x)? = row.cells.first(where: { $0.column == measure })?.value else { continue }
            out[k, default: 0] += x
        }
        return out
    }

    @Test("totals by the column the question names: one bar per group, heights proportional to the totals computed from the cells")
    func bars() throws {
        let sheet = try Self.orders()
        let chart = try TableChart.chart(sheet, question: "What are the amounts by region?").get()
        #expect(chart.kind == .bars && chart.title == "Sum of Amount by Region" && chart.xLabel == "Region")
        let expected = Self.sums(sheet, measure: 6) { $0.cells.first { $0.column == 2 }?.formatted }
        #expect(Dictionary(uniqueKeysWithValues: chart.points.map { ($0.label, $0.value) }) == expected)
        let svg = try SVGElements.parse(ChartSVG.render(chart))
        #expect(svg.elements.first?.name == "svg" && svg.elements.first?.attributes["role"] == "img")
        #expect(svg.text["chart-title"] == "Sum of Amount by Region")
        #expect(svg.text["chart-desc"]?.contains("South: 24,326") == true)
        let bars = svg.elements.filter { $0.attributes["class"] == "bar" }
        #expect(bars.count == 4)
        let ratios = bars.compactMap { bar -> Double? in
            guard let height = Double(bar.attributes["height"] ?? ""), let value = Double(bar.attributes["data-value"] ?? ""), value > 0 else { return nil }
            return height / value
        }
        #expect(ratios.count == 4)
        #expect(ratios.allSatisfy { abs($0 - ratios[0]) / ratios[0] < 0.002 }, "\(ratios)")
    }

    @Test("with a date column and no named grouping: the measure's monthly totals as a line, months in order")
    func line() throws {
        let sheet = try Self.orders()
        let chart = try TableChart.chart(sheet).get()
        #expect(chart.kind == .line && chart.title == "Sum of Amount by month of Date")
        let expected = Self.sums(sheet, measure: 6) { row in
            guard case .date(let d)? = row.cells.first(where: { $0.column == 1 })?.value else { return nil }
            return "\(d.year)-" + (d.month < 10 ? "0\(d.month)" : "\(d.month)")
        }
        #expect(chart.points.map(\.label) == expected.keys.sorted())
        #expect(chart.points.map(\.value) == expected.keys.sorted().map { expected[$0]! })
        let svg = try SVGElements.parse(ChartSVG.render(chart))
        #expect(svg.elements.filter { $0.attributes["class"] == "point" }.count == 12)
        #expect(svg.elements.contains { $0.name == "polyline" })
    }

    @Test("a short table of named rows: one bar per row, the totals row left out")
    func namedRows() throws {
        guard case .workbook(let workbook) = try Importer().read(path: Fixtures.path("totals-row.xlsx")) else {
            Issue.record("not a workbook")
            return
        }
        let chart = try TableChart.chart(workbook.sheets[0]).get()
        #expect(chart.title == "Spend by Team")
        #expect(
            chart.points == [
                .init(label: "Design", value: 1200), .init(label: "Sales", value: 3400), .init(label: "Support", value: 800), .init(label: "Legal", value: 450),
                .init(label: "Ops", value: 2150),
            ])
        #expect(chart.note?.contains("the totals row left out") == true)
    }

    @Test("labels are text, never markup; figures grouped; round ticks through zero; negative bars below the zero line")
    func safety() throws {
        let chart = Chart(
            kind: .bars, title: "A & B <script>alert(1)</script>", xLabel: "Key \"q\"", yLabel: "Sum",
            points: [.init(label: "</text><script>", value: -1500), .init(label: "ok", value: 2_250.5)])
        let text = ChartSVG.render(chart)
        #expect(!text.contains("<script>"))
        let svg = try SVGElements.parse(text)
        #expect(svg.text["chart-title"] == "A & B <script>alert(1)</script>")
        let bars = svg.elements.filter { $0.attributes["class"] == "bar" }
        let negative = try #require(bars.first)
        let zeroLine = try #require(svg.elements.first { $0.name == "line" && $0.attributes["stroke"] == "#333333" })
        #expect(Double(negative.attributes["y"] ?? "") == Double(zeroLine.attributes["y1"] ?? ""))
        #expect(ChartSVG.figure(1_234_567.891) == "1,234,567.89" && ChartSVG.figure(-0.5) == "-0.5" && ChartSVG.figure(12) == "12")
        #expect(ChartSVG.ticks(min: -1500, max: 2250.5) == (-2000, 3000, 1000))
        #expect(ChartSVG.ticks(min: 0, max: 0) == (0, 1, 1))
    }

    static let rsvg = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("rsvg-convert renders the chart to a PNG", .enabled(if: rsvg != nil, "rsvg-convert (librsvg2-bin) is not installed"))
    func renders() async throws {
        let chart = try TableChart.chart(try Self.orders(), question: "amounts by region").get()
        let dir = NSTemporaryDirectory() + "quire-chart-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ChartSVG.render(chart).write(toFile: dir + "/c.svg", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.rsvg))
        process.arguments = ["-o", dir + "/c.png", dir + "/c.svg"]
        try process.run()
        try await offThePool { [process] in process.waitUntilExit() }
        #expect(process.terminationStatus == 0)
        let png = try #require(Fixtures.bytes(dir + "/c.png"))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] && png.count > 5_000)
    }
}
