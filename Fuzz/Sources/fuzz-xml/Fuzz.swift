import CFuzzer
import QuireXML

struct Sink: XMLSink {
    var events = 0
    mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws { events += 1 }
    mutating func endElement(_ name: XMLName) throws { events += 1 }
    mutating func characters(_ text: UnsafeRawBufferPointer) throws { events += 1 }
}

/// Any bytes as an XML part, fed in two pieces (a cut anywhere must not matter), through
/// libxml2's push parser and through the byte scanner.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let parser = XMLPushParser(part: "fuzz.xml", namespaces: ["urn:a": 1], sink: Sink())
    let cut = size / 3
    do {
        try parser.feed(UnsafeRawBufferPointer(rebasing: bytes[..<cut]))
        try parser.feed(UnsafeRawBufferPointer(rebasing: bytes[cut...]))
        try parser.finish()
    } catch {}
    var scanner = ByteScanner(sink: Sink(), part: "fuzz.xml", namespaces: ["urn:a": 1], localNames: ["a": 0, "row": 1])
    do {
        try scanner.feed(UnsafeRawBufferPointer(rebasing: bytes[..<cut]))
        try scanner.feed(UnsafeRawBufferPointer(rebasing: bytes[cut...]))
        try scanner.finish()
    } catch {}
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_xml_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
