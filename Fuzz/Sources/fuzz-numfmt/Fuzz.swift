import CFuzzer
import QuireXLSX

/// A number format code and a value from the bytes: the first 8 bytes are the value's bit
/// pattern (every double: NaN, infinities, subnormals, ±0), the rest the code.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    guard size >= 8 else { return 0 }
    var bits: UInt64 = 0
    for i in 0..<8 { bits |= UInt64(data[i]) << (8 * UInt64(i)) }
    let value = Double(bitPattern: bits)
    let code = String(decoding: UnsafeBufferPointer(start: data + 8, count: min(size - 8, 256)), as: UTF8.self)
    let format = NumberFormat(code: code)
    _ = format.format(value)
    _ = format.format(value, uses1904Dates: true)
    _ = format.format(text: code)
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_numfmt_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
