import CFuzzer
import QuireDOCX
import QuireModel
import QuireRender

/// Any text as a model's Markdown draft: parsed, rendered back, and written as a .docx.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: min(size, 1 << 16)), as: UTF8.self)
    let document = MarkdownParser().parse(text)
    _ = MarkdownRenderer().render(document)
    _ = try? DOCXWriter().write(document)
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_markdown_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
