import CFuzzer
import QuireModel
import QuireRender
import QuireXLSX

/// Any bytes as an .xlsx: read, then written as Markdown, CSV and text.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let workbook = try? XLSXReader().read(bytes: bytes, name: "fuzz.xlsx") else { return 0 }
    let renderer = WorkbookRenderer(options: WorkbookRenderOptions(includeHiddenSheets: true, maxRows: 1_000))
    _ = renderer.markdown(workbook)
    _ = renderer.text(workbook)
    for sheet in workbook.sheets { _ = renderer.csv(sheet) }
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_xlsx_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
