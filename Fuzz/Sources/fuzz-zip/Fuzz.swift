import CFuzzer
import QuireZip

/// Any bytes as a ZIP archive: the directory parsed, every entry inflated within small limits.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = ZipLimits(maxEntrySize: 1 << 20, maxTotalSize: 4 << 20, maxEntryCount: 1_000)
    guard let archive = try? ZipArchive(bytes: bytes, name: "fuzz.zip", limits: limits) else { return 0 }
    for entry in archive.entries.prefix(50) { _ = try? archive.contents(of: entry) }
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_zip_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
