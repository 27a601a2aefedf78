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

    @Test("a damaged sheet relationships part costs that sheet's tables, comments and link targets, with one warning; rows and layout still come")
    func sheetRelationships() throws {
        let damaged = try XLSXReader().read(path: Fixtures.path("damaged-sheet-rels.xlsx"))
        let intact = try XLSXReader().read(path: Fixtures.path("links-tables-comments.xlsx"))
        #expect(damaged.sheets.map(\.name) == intact.sheets.map(\.name))
        for (a, b) in zip(damaged.sheets, intact.sheets) {
            #expect(a.rows == b.rows, "\(a.name)")
            #expect(a.mergedRanges == b.mergedRanges)
        }
        let orders = damaged.sheets[0]
        #expect(orders.tables.isEmpty && orders.comments.isEmpty)
        // Links into the workbook need no relationship and stay; the external one is lost.
        #expect(intact.sheets[0].hyperlinks.contains { if case .url = $0.target { true } else { false } })
        #expect(!orders.hyperlinks.contains { if case .url = $0.target { true } else { false } })
        #expect(orders.hyperlinks.count == intact.sheets[0].hyperlinks.filter { if case .location = $0.target { true } else { false } }.count)
        #expect(damaged.warnings.count == 1)
        #expect(damaged.warnings.first?.hasPrefix("xl/worksheets/_rels/sheet1.xml.rels") == true)
        #expect(damaged.warnings.first?.contains("hyperlink targets of sheet 'Orders'") == true)

        // The pull reader reaches its last row and has the layout.
        let book = try XLSXReader().open(path: Fixtures.path("damaged-sheet-rels.xlsx"))
        let reader = try book.rows(ofSheet: 0)
        var count = 0
        while try reader.next() != nil { count += 1 }
        #expect(count == orders.rows.count)
        #expect(reader.layout?.dimension == orders.dimension)
    }
}
