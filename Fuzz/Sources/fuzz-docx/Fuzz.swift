import CFuzzer
import QuireDOCX
import QuireModel
import QuireRender

/// Any bytes as a .docx: read, then written as Markdown and JSON.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let document = try? DOCXReader().read(bytes: bytes, name: "fuzz.docx") else { return 0 }
    _ = MarkdownRenderer(options: RenderOptions(changes: .review, includeHeadersAndFooters: true)).render(document)
    _ = JSONRenderer(pretty: false).render(document)
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_docx_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
