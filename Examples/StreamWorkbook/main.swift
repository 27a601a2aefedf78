// Pulls every sheet of a workbook row by row and sums each numeric column, holding one
// row at a time (the sheet is inflated and scanned only as far as the rows taken).
//
//     swift run example-stream-workbook TestDocuments/sales.xlsx
import QuireModel
import QuireXLSX

let path = CommandLine.arguments.dropFirst().first ?? "TestDocuments/sales.xlsx"
do {
    let book = try XLSXReader().open(path: path)
    for (index, sheet) in book.workbook.sheets.enumerated() where sheet.kind == .worksheet {
        var sums: [Int: Double] = [:]
        var rows = 0
        let reader = try book.rows(ofSheet: index)
        while let row = try reader.next() {
            rows += 1
            for cell in row.cells {
                if case .number(let value) = cell.value { sums[cell.column, default: 0] += value }
            }
        }
        print("\(sheet.name): \(rows) rows, used range \(reader.layout?.dimension ?? "unknown")")
        for (column, sum) in sums.sorted(by: { $0.key < $1.key }) {
            print("  column \(CellReference.columnName(column)): sum \(sum)")
        }
    }
} catch {
    print("error:", error)
}
