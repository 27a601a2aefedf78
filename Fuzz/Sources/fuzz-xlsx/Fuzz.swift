import CFuzzer
import QuireModel
import QuireRender
import QuireXLSX

/// Any bytes as an .xlsx: read, then written as Markdown, CSV and text; and every sheet read
/// by both row decoders — typed rows and text rows — which must agree on every row both read
/// (the typed rows' data text).
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let open = try? XLSXReader().open(bytes: bytes, name: "fuzz.xlsx") {
        for index in open.workbook.sheets.indices { compareDecoders(open, index) }
    }
    guard let workbook = try? XLSXReader().read(bytes: bytes, name: "fuzz.xlsx") else { return 0 }
    let renderer = WorkbookRenderer(options: WorkbookRenderOptions(includeHiddenSheets: true, maxRows: 1_000))
    _ = renderer.markdown(workbook)
    _ = renderer.text(workbook)
    for sheet in workbook.sheets { _ = renderer.csv(sheet) }
    return 0
}

/// Stops the fuzzer when the two decoders of sheet `index` disagree.
func compareDecoders(_ open: OpenWorkbook, _ index: Int) {
    var typed: [SheetTextRow] = []
    var typedFailed = false
    do {
        let reader = try open.rows(ofSheet: index, formatted: false)
        while let row = try reader.next() { typed.append(SheetTextRow(row)) }
    } catch {
        typedFailed = true
    }
    var text: [SheetTextRow] = []
    var textFailed = false
    do {
        let reader = try open.textRows(ofSheet: index)
        var rows = SheetTextRows()
        var writer = CSVSheetWriter()
        while try reader.next(rows: &rows) {
            for k in 0..<rows.count { text.append(rows.row(k)) }
            var next = 0
            while next < rows.count {
                next = writer.append(rows, from: next)
                repeat { _ = writer.takeOutput() } while writer.owesOutput
            }
        }
        _ = writer.finish()
    } catch {
        textFailed = true
    }
    // Rows read before a failure are rows all the same (a damaged end, or a sheet's layout
    // parts, may fail one reader later than the other): they must agree as far as both went.
    // fatalError, not precondition: an optimised build prints its message, so that a run in
    // CI says which row differed.
    let common = min(typed.count, text.count)
    if let k = (0..<common).first(where: { typed[$0] != text[$0] }) {
        fatalError("the decoders disagree on sheet \(index), row \(k): typed \(typed[k]), text \(text[k])")
    }
    if !typedFailed && !textFailed && typed.count != text.count {
        fatalError("the decoders read different rows on sheet \(index): typed \(typed.count), text \(text.count)")
    }
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_xlsx_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
