import QuireModel
import QuireRender
import QuireTestSupport
import QuireXLSX
import Testing

struct DamagedSidePartTests {
    @Test("damaged comments, table and styles parts cost those parts, each named in a warning; every cell is read")
    func sideParts() throws {
        let damaged = try XLSXReader().read(path: Fixtures.path("damaged-side-parts.xlsx"))
        let intact = try XLSXReader().read(path: Fixtures.path("links-tables-comments.xlsx"))
        #expect(damaged.sheets.map(\.name) == intact.sheets.map(\.name))
        for (a, b) in zip(damaged.sheets, intact.sheets) {
            #expect(a.rows.map { $0.cells.map(\.value) } == b.rows.map { $0.cells.map(\.value) }, "\(a.name)")
        }
        #expect(damaged.sheets[0].comments.isEmpty && !intact.sheets[0].comments.isEmpty)
        #expect(damaged.sheets[0].tables.isEmpty && !intact.sheets[0].tables.isEmpty)
        #expect(damaged.warnings.count == 3)
        #expect(damaged.warnings.contains { $0.hasPrefix("xl/comments1.xml:") && $0.contains("comments of sheet 'Orders'") })
        #expect(damaged.warnings.contains { $0.hasPrefix("xl/tables/table1.xml:") })
        #expect(damaged.warnings.contains { $0.hasPrefix("xl/styles.xml:") && $0.contains("General") })
        #expect(intact.warnings.isEmpty)
        #expect(WorkbookRenderer().json(damaged, pretty: false).contains(#""warnings":["xl/"#))
    }
}
