import CFuzzer
import QuireCFB
import QuireMail
import QuireModel
import QuireRender

/// Any bytes as an Outlook .msg: the compound-file container (FAT, mini stream, directory
/// tree), the MAPI properties, compressed RTF and RTF text, attachments and embedded
/// messages — read with small limits, then written as Markdown and JSON.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let reader = OutlookReader(limits: CompoundFile.Limits(maxStreamBytes: 4 << 20, maxEntries: 20_000), maxDepth: 6)
    guard let message = try? reader.read(bytes: bytes, name: "fuzz.msg") else { return 0 }
    let renderer = MailRenderer()
    _ = renderer.markdown(message)
    _ = renderer.json(message, pretty: false)
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_msg_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
