import Foundation
import QuireBackends
import QuireImport
import QuireLLM
import QuireModel
import QuireRouter
import QuireTestServer
import QuireTestSupport
import Testing

@testable import QuireTasks

struct AnalyseTests {
    static func orders() throws -> Sheet {
        guard case .workbook(let workbook) = try Importer().read(path: Fixtures.path("sales.xlsx")) else {
            throw DocumentError(.corrupt, file: "sales.xlsx", message: "not a workbook")
        }
        return workbook.sheets[0]
    }

    /// Column values straight from the sheet's cells, to check the profiler against.
    static func numbers(_ sheet: Sheet, column: Int) -> [Double] {
        sheet.rows.filter { $0.index > 3 }.compactMap { row in
            row.cells.first { $0.column == column }.flatMap { if case .number(let x) = $0.value { x } else { nil } }
        }
    }

    @Test("the profile: header found below a title line, types, blanks, identifier, sums and medians over every row")
    func profile() throws {
        let sheet = try Self.orders()
        let profile = TableProfiler.profile(sheet)
        #expect(profile.headerRow == 3)
        #expect(profile.rows == 120)
        #expect(profile.columns.map(\.name) == ["Order", "Date", "Region", "Product", "Units", "Unit price", "Amount"])
        #expect(profile.columns.map(\.type) == ["identifier", "date", "text", "text", "number", "number", "number"])
        let amount = profile.columns[6]
        let values = Self.numbers(sheet, column: 6)
        #expect(amount.values == values.count && amount.blanks == 120 - values.count)
        #expect(amount.sum == TableProfile.tidy(values.reduce(0, +)))
        let sorted = values.sorted()
        #expect(amount.median == (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2)
        #expect(amount.min == sorted.first && amount.max == sorted.last)
        #expect(profile.columns[0].sum == nil)
        #expect(profile.columns[1].earliest == "2024-01-02")
        #expect(profile.columns[2].distinct == 4)
        #expect(profile.columns[2].top.map(\.count).reduce(0, +) == 120)
    }

    @Test("grouped totals for the columns a question names agree with the cells")
    func grouping() throws {
        let sheet = try Self.orders()
        let profile = TableProfiler.profile(sheet, question: "What are the amounts by region?")
        let grouping = try #require(profile.groupings.first)
        #expect(grouping.by == "Region" && grouping.measures == ["Amount"] && grouping.reason == "named in the question")
        var expected: [String: Double] = [:]
        for row in sheet.rows where row.index > 3 {
            guard let region = row.cells.first(where: { $0.column == 2 })?.formatted else { continue }
            if case .number(let x)? = row.cells.first(where: { $0.column == 6 })?.value { expected[region, default: 0] += x }
        }
        #expect(grouping.groups.count == 4)
        for group in grouping.groups { #expect(group.sums[0] == TableProfile.tidy(expected[group.key]!)) }
        #expect(grouping.groups.map(\.sums[0]) == grouping.groups.map(\.sums[0]).sorted(by: >))
        #expect(abs(grouping.groups.map(\.share).reduce(0, +) - 100) < 0.05)
    }

    @Test("numbers in text: separators, decimals, percentages, scale words; Q3, A1 and list markers are not numbers")
    func numberParsing() {
        let found = NumberCheck.found(in: "1. Sales were 76,839 in Q3 (about 76.8 thousand), up 12% in cell A1; 1,5 and -3.")
        #expect(found.map(\.value) == [76_839, 76_800, 12, 1.5, -3])
        #expect(found[1].tolerance == 50)
    }

    @Test("the check accepts figures from the profile, rounded ones too, and flags invented ones")
    func numberCheck() throws {
        let task = AnalyseTask(file: "sales.xlsx", sheet: try Self.orders())
        let good = task.review("Amount totals 76,839 (about 76.8 thousand); the mean order is 651.18 and South leads with 31.7%.")
        #expect(good.count == 1 && good[0].hasPrefix("*Checked"))
        let bad = task.review("Amount totals 76,839, which is 15% above last year's 66,800.")
        #expect(bad.count == 1 && bad[0].contains("15%") && bad[0].contains("66,800") && !bad[0].contains("76,839"))
    }

    @Test("the request to a model: profile and sample in fenced blocks, the rule not to compute, and a flagged answer")
    func modelRequest() async throws {
        let sheet = try Self.orders()
        try await withOpenAIServer(answer: { _, _ in (200, "South leads with 24,326 of 76,839; that is 40% more than West.") }) { server in
            let backend = openAIBackend(server)
            let runner = TaskRunner(router: Router(), route: Route(task: "analyse-table", backends: [backend]))
            let task = AnalyseTask(file: "sales.xlsx", sheet: sheet, question: "amount by region", options: TaskOptions(stream: false))
            let outcome = try await runner.run(task) { _ in }
            try await backend.shutdown()
            let body = jsonObject(try #require(server.received.first))
            #expect(body["model"] as? String == "gpt-test")
            #expect(body["temperature"] as? Double == 0.2)
            let messages = try #require(body["messages"] as? [[String: Any]])
            #expect(messages.first?["role"] as? String == "system")
            let system = messages.first?["content"] as? String ?? ""
            #expect(system.contains("Do not compute anything yourself"))
            let user = messages.last?["content"] as? String ?? ""
            #expect(user.hasPrefix("Question about the table: amount by region"))
            let blocks = ContentFence.blocks(in: user)
            #expect(blocks.map { $0.attributes["kind"] } == ["table-profile", "sample"])
            let decoded = try JSONDecoder().decode(TableProfile.self, from: Data(blocks[0].content.utf8))
            #expect(decoded == task.profile)
            #expect(blocks[1].content.contains("| 4 | 1001 |") || blocks[1].content.contains("| 4 | 1,001 |"))
            #expect(outcome.review.count == 1 && outcome.review[0].contains("40%"))
        }
    }

    @Test("offline: the built-in backend tells the profile, labelled, with the grouped totals")
    func offline() async throws {
        let runner = TaskRunner(router: Router(), route: Route(task: "analyse-table", backends: [BuiltinBackend(handlers: OfflineTasks.handlers)]))
        let task = AnalyseTask(file: "sales.xlsx", sheet: try Self.orders())
        let outcome = try await runner.run(task) { _ in }
        #expect(outcome.text.hasPrefix(OfflineAnalysis.label))
        #expect(outcome.text.contains("120 rows × 7 columns (column names in row 3)"))
        let grouping = try #require(task.profile.groupings.first)
        #expect(outcome.text.contains("**Amount, Unit price, Units by Region**"))
        #expect(outcome.text.contains("| \(grouping.groups[0].key) | \(grouping.groups[0].rows) | \(OfflineAnalysis.figure(grouping.groups[0].sums[0])) |"))
        #expect(outcome.review.isEmpty)
        // Everything it says is in the profile.
        let allowed = NumberCheck.numbers(in: task.profileJSON + task.sample)
        #expect(NumberCheck.unverified(in: outcome.text, allowed: allowed).isEmpty)
    }
}

struct DimensionTests {
    static func sheet() throws -> Sheet {
        guard case .workbook(let workbook) = try Importer().read(path: Fixtures.path("sales-by-year.xlsx")) else {
            throw DocumentError(.corrupt, file: "sales-by-year.xlsx", message: "not a workbook")
        }
        return workbook.sheets[0]
    }

    /// (country, year, sales) straight from the cells.
    static func rows(_ sheet: Sheet) -> [(String, Int, Double)] {
        sheet.rows.filter { $0.index > 1 }.compactMap { row in
            func cell(_ column: Int) -> CellValue? { row.cells.first { $0.column == column }?.value }
            guard case .string(let country) = cell(0), case .number(let year) = cell(1), case .number(let sales) = cell(5) else { return nil }
            return (country, Int(year), sales)
        }
    }

    @Test("years, quarters, postcodes and phone numbers are dimensions: never summed, years without separators")
    func dimensions() throws {
        let profile = TableProfiler.profile(try Self.sheet())
        for name in ["Year", "Quarter", "Postcode", "Phone"] {
            let column = try #require(profile.columns.first { $0.name == name })
            #expect(column.type == "dimension", "\(name)")
            #expect(column.sum == nil && column.mean == nil && column.median == nil, "\(name)")
        }
        #expect(profile.columns.first { $0.name == "Sales" }?.type == "number")
        let text = OfflineAnalysis.describe(profile, question: nil)
        #expect(text.contains("**Year** (dimension): 36 values, 3 distinct; from 2022 to 2024"))
        #expect(!text.contains("2,022") && !text.contains("2,024"))
    }

    @Test("'total sales by country and by year': totals by country, by year and by both, equal to sums over the cells")
    func groupedByQuestion() throws {
        let sheet = try Self.sheet()
        let profile = TableProfiler.profile(sheet, question: "What are the total sales by country and by year?")
        #expect(profile.groupings.map(\.by) == ["Country", "Year", "Country × Year"])
        let rows = Self.rows(sheet)
        #expect(rows.count == 36)
        func totals(_ key: ((String, Int, Double)) -> String) -> [String: Double] {
            rows.reduce(into: [:]) { $0[key($1), default: 0] += $1.2 }
        }
        let expected = [totals { $0.0 }, totals { String($0.1) }, totals { "\($0.0) / \($0.1)" }]
        for (grouping, sums) in zip(profile.groupings, expected) {
            #expect(grouping.measures == ["Sales"])
            #expect(Dictionary(uniqueKeysWithValues: grouping.groups.map { ($0.key, $0.sums[0]) }) == sums, "\(grouping.by)")
        }
        // Years in their own order; the largest named by value, not by place.
        #expect(profile.groupings[1].groups.map(\.key) == ["2022", "2023", "2024"])
        let largest = try #require(expected[1].max { $0.value < $1.value })
        #expect(profile.groupings[1].largest?.key == largest.key)
    }
}

struct FigureCheckTests {
    static func task() throws -> AnalyseTask {
        AnalyseTask(file: "sales-by-year.xlsx", sheet: try DimensionTests.sheet(), question: "total sales by country and by year")
    }

    @Test("a number must be a figure of the group or column its sentence names, not merely somewhere in the profile")
    func attached() throws {
        let task = try Self.task()
        let country = try #require(task.profile.groupings.first { $0.by == "Country" })
        let spain = try #require(country.groups.first { $0.key == "Spain" })
        let france = try #require(country.groups.first { $0.key == "France" })
        func figure(_ x: Double) -> String { OfflineAnalysis.figure(x) }
        let right = task.review("Spain sold the most: \(figure(spain.sums[0])) (\(figure(spain.share))%).\nFrance follows with \(figure(france.sums[0])).")
        #expect(right.first?.hasPrefix("*Checked") == true, "\(right)")
        // France's total said of Spain: it is in the profile, but not Spain's.
        let swapped = task.review("Spain sold \(figure(france.sums[0])) in all.")
        #expect(swapped.first?.contains(figure(france.sums[0])) == true, "\(swapped)")
        let share = task.review("Spain's share was \(figure(france.share))%.")
        #expect(share.first?.hasPrefix("**Warning") == true)
        // A sentence naming nothing is checked against the whole profile, as before; years label.
        let total = try #require(task.profile.columns.first { $0.name == "Sales" }?.sum)
        #expect(task.review("Across 2022 to 2024 the total was \(figure(total)).").first?.hasPrefix("*Checked") == true)
    }
}

struct TotalsRowTests {
    @Test("a totals row at the foot of a table is left out of every figure, and said")
    func totals() throws {
        guard case .workbook(let workbook) = try Importer().read(path: Fixtures.path("totals-row.xlsx")) else {
            throw DocumentError(.corrupt, file: "totals-row.xlsx", message: "not a workbook")
        }
        let sheet = workbook.sheets[0]
        let profile = TableProfiler.profile(sheet)
        #expect(profile.rows == 5)
        #expect(profile.totalsRow == 7)
        let spends = sheet.rows.filter { $0.index > 1 && $0.index < 7 }.compactMap { row in
            row.cells.first { $0.column == 2 }.flatMap { if case .number(let x) = $0.value { x } else { nil } }
        }
        #expect(profile.columns.first { $0.name == "Spend" }?.sum == spends.reduce(0, +))
        #expect(OfflineAnalysis.describe(profile, question: nil).contains("Row 7 is a totals row: it is left out of every figure below."))
    }
}
