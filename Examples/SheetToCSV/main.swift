// Writes one sheet of a workbook as CSV on standard output, from its text rows: no cell
// objects, the rows taken a batch at a time, memory flat for any sheet size.
//
//     swift run example-sheet-to-csv TestDocuments/sales.xlsx [SHEET-NUMBER]
import Foundation
import QuireModel
import QuireRender
import QuireXLSX

let arguments = Array(CommandLine.arguments.dropFirst())
let path = arguments.first ?? "TestDocuments/sales.xlsx"
let index = arguments.count > 1 ? (Int(arguments[1]) ?? 1) - 1 : 0
do {
    let book = try XLSXReader(options: .init(parallelism: 2)).open(path: path)
    let reader = try book.textRows(ofSheet: index)
    var writer = CSVSheetWriter()
    var rows = SheetTextRows()
    var first = true
    while try reader.next(rows: &rows) {
        // The used range comes before the rows in the part: known with the first batch.
        if first, let dimension = reader.dimension { writer.setDimension(dimension) }
        first = false
        writer.append(rows) { FileHandle.standardOutput.write(Data($0)) }
    }
    writer.finish { FileHandle.standardOutput.write(Data($0)) }
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
