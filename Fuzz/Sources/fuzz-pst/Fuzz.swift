import CFuzzer
import QuireMail
import QuireModel
import QuirePST
import QuireRender

/// Any bytes as an Outlook archive (PST): the header, the node and block B-trees, block
/// encodings, data and subnode trees, heaps, property and table contexts, the folder walk and
/// every message — read with small limits, then written as JSON.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = PSTFile.Limits(maxValueBytes: 4 << 20, maxTableRows: 20_000, maxSubnodes: 20_000)
    guard let file = try? PSTFile(bytes: bytes, name: "fuzz.pst", limits: limits) else { return 0 }
    var messages = OutlookArchive(file: file, reader: OutlookReader(maxDepth: 6)).messages()
    let renderer = MailRenderer()
    var count = 0
    while let entry = messages.next(), count < 200 {
        count += 1
        if case .success(let message) = entry.result { _ = renderer.json(message, pretty: false) }
    }
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_pst_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
