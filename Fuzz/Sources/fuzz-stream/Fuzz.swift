import CFuzzer
@_spi(Fuzzing) import QuireLLM

/// Any bytes as a streamed model answer: the first byte says where the stream is cut in two
/// pieces, the rest go through the SSE decoder into the OpenAI and Anthropic stream states
/// and through the NDJSON decoder into Ollama's events. A hostile stream may be refused;
/// nothing traps, hangs or grows without bound.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let split = bytes.isEmpty ? 0 : Int(data[0]) * bytes.count / 256
    precondition(StreamFuzzing.run(bytes, split: split) >= 0)
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_stream_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
