import CFuzzer
import QuireMail

/// Any bytes as an mbox: split into messages (a small size limit, so the cut path runs too).
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let entries = MboxReader(maxMessageBytes: 4_096).messages(in: bytes)
    // No message keeps more than the limit, whatever the input.
    precondition(entries.allSatisfy { $0.bytes.count <= 4_096 })
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_mbox_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
