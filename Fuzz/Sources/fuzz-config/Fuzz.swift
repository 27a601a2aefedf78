import CFuzzer
import QuireRouter

/// Any bytes as a YAML config: parsed and validated, never run (no `api_key_cmd` is executed,
/// no route is resolved). A config is either accepted or refused with an error that names
/// the file; nothing traps, hangs or grows without bound.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let config = try QuireConfig.parse(text, source: "fuzz.yaml")
        precondition(config.source == "fuzz.yaml")
    } catch {
        precondition(error.description.hasPrefix("fuzz.yaml"))
    }
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_config_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
