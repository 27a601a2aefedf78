import CFuzzer
import QuireMail
import QuireModel
import QuireRender

/// Any bytes as a mail message: read with small limits, then written as Markdown and JSON.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let reader = MailReader(limits: MailReader.Limits(maxDepth: 12, maxParts: 200, maxHeaderBytes: 64 << 10, maxMessageBytes: 1 << 20))
    guard let message = try? reader.read(bytes: bytes, name: "fuzz.eml") else { return 0 }
    let renderer = MailRenderer()
    _ = renderer.markdown(message)
    _ = renderer.json(message, pretty: false)
    if let html = message.htmlBody { _ = MailReader.text(ofHTML: html) }
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_mail_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
