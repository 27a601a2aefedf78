import CFuzzer
import QuireXML

/// Every event as a line: element names with their namespace ids, attributes sorted, and
/// the text between two tags as one piece (each parser cuts text where it likes).
struct Log: XMLSink {
    var events: [String] = []
    var text: [UInt8] = []
    /// A name that breaks the namespace rules (`p:.x`, `a:b:c`): libxml2 reports it after a
    /// namespace error it goes on from, split its own way, and the logs are not compared.
    var oddName = false

    mutating func check(_ local: String) {
        guard let first = local.utf8.first else {
            oddName = true
            return
        }
        let start = (first | 0x20) >= UInt8(ascii: "a") && (first | 0x20) <= UInt8(ascii: "z") || first == UInt8(ascii: "_") || first >= 0x80
        if !start || local.utf8.contains(UInt8(ascii: ":")) { oddName = true }
    }

    mutating func flush() {
        // libxml2's push parser keeps a CDATA section's line ends as written; XML 1.0 (2.11)
        // makes them LF, as the scanner does.
        let line = String(decoding: text, as: UTF8.self).replacing("\r\n", with: "\n").replacing("\r", with: "\n")
        if !text.isEmpty { events.append("text " + line) }
        text.removeAll(keepingCapacity: true)
    }

    mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws {
        flush()
        check(name.local)
        for attribute in attributes.all() { check(attribute.local) }
        let pairs = attributes.all().map { "\($0.namespace):\($0.local)=\($0.value)" }.sorted()
        events.append("start \(name.namespace):\(name.local) " + pairs.joined(separator: " "))
    }

    mutating func endElement(_ name: XMLName) throws {
        flush()
        events.append("end \(name.namespace):\(name.local)")
    }

    mutating func characters(_ bytes: UnsafeRawBufferPointer) throws { text += bytes }
}

/// Any bytes as an XML part, fed in two pieces (a cut anywhere must not matter), through
/// libxml2's push parser and through the byte scanner. The OOXML readers take the scanner's
/// word for any part it does not hand back, so wherever both parsers accept the bytes, the
/// scanner must report what libxml2 reports; the run stops on any difference.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let namespaces: [String: Int32] = ["urn:a": 1, "http://schemas.openxmlformats.org/wordprocessingml/2006/main": 2]
    let cut = size / 3
    var general: Log?
    let parser = XMLPushParser(part: "fuzz.xml", namespaces: namespaces, sink: Log())
    do {
        try parser.feed(UnsafeRawBufferPointer(rebasing: bytes[..<cut]))
        try parser.feed(UnsafeRawBufferPointer(rebasing: bytes[cut...]))
        general = try parser.finish()
    } catch {}
    var scanned: Log?
    var scanner = ByteScanner(sink: Log(), part: "fuzz.xml", namespaces: namespaces, localNames: ["a": 0, "row": 1])
    do {
        try scanner.feed(UnsafeRawBufferPointer(rebasing: bytes[..<cut]))
        try scanner.feed(UnsafeRawBufferPointer(rebasing: bytes[cut...]))
        try scanner.finish()
        scanned = scanner.sink
    } catch {}
    if var general, var scanned, !general.oddName, !scanned.oddName {
        general.flush()
        scanned.flush()
        if general.events != scanned.events {
            let first = zip(general.events, scanned.events).first { $0 != $1 }
            fatalError("libxml2 and the byte scanner differ: \(first.map { "\($0) / \($1)" } ?? "\(general.events.count) / \(scanned.events.count) events")")
        }
    }
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_xml_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
