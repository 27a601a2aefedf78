import CFuzzer
import QuireMail

/// Any bytes as an mbox: split into messages (a small size limit, so the cut path runs too).
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let entries = MboxReader(maxMessageBytes: 4_096).messages(in: bytes)
    var total = 0
    for entry in entries { total += entry.bytes.count + entry.droppedBytes }
    // Every byte of the file is in a message, an envelope line or a separator.
    precondition(entries.allSatisfy { $0.bytes.count <= 4_096 })
    _ = total
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_mbox_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
