import QuireXML
import Testing

/// Records what the parser reports, as lines, into a log the test keeps (so that what was
/// seen before a failure can be checked; the sink itself stays inside the failed parser).
struct Recorder: XMLSink {
    final class Log {
        var events: [String] = []
        var text = ""
    }
    let log = Log()
    var failOn: String?

    var events: [String] { log.events }
    var text: String { log.text }

    mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws {
        if name.local == failOn { throw Refused() }
        let attrs = attributes.all().map { "\($0.namespace):\($0.local)=\($0.value)" }.joined(separator: ",")
        log.events.append("start \(name.namespace):\(name.local)" + (attrs.isEmpty ? "" : " [\(attrs)]"))
    }

    mutating func endElement(_ name: XMLName) throws {
        log.events.append("end \(name.local)")
    }

    mutating func characters(_ bytes: UnsafeRawBufferPointer) throws {
        log.text += String(decoding: bytes, as: UTF8.self)
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String { "refused by the handler" }
    }
}

/// Hands `bytes` to `body` in pieces of `size` (the last one shorter), as a reader gets a
/// part from an inflater.
func forEachPiece(of bytes: [UInt8], size: Int, _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
    var i = 0
    while i < bytes.count {
        let n = min(size, bytes.count - i)
        try bytes[i..<(i + n)].withUnsafeBytes { try body($0) }
        i += n
    }
}

/// A sink that is a plain value: what it counted comes back from `finish()`.
struct Counter: XMLSink {
    var elements = 0
    var depth = 0
    var deepest = 0
    var textBytes = 0

    mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws {
        elements += 1
        depth += 1
        deepest = max(deepest, depth)
    }

    mutating func endElement(_ name: XMLName) throws { depth -= 1 }

    mutating func characters(_ text: UnsafeRawBufferPointer) throws { textBytes += text.count }
}

struct XMLPushParserTests {
    let namespaces: [String: Int32] = ["urn:a": 1, "urn:b": 2]

    func parse(_ xml: String, handler: Recorder = Recorder(), chunk: Int = 1 << 20) throws -> Recorder {
        let parser = XMLPushParser(part: "test.xml", namespaces: namespaces, sink: handler)
        let bytes = Array(xml.utf8)
        try forEachPiece(of: bytes, size: chunk) { try parser.feed($0) }
        try parser.finish()
        return handler
    }

    @Test("elements, namespaces and attributes arrive in order, with ids from the table")
    func events() throws {
        let xml = #"<a:root xmlns:a="urn:a" xmlns:b="urn:b" xmlns:c="urn:c"><b:item b:key="v" plain="p"/><c:other/></a:root>"#
        let recorder = try parse(xml)
        #expect(
            recorder.events == [
                "start 1:root", "start 2:item [2:key=v,0:plain=p]", "end item", "start -1:other", "end other", "end root",
            ])
    }

    @Test("a document fed one byte at a time parses the same")
    func byteByByte() throws {
        let xml = #"<?xml version="1.0"?><a:r xmlns:a="urn:a"><a:t>héllo &amp; wörld</a:t></a:r>"#
        let whole = try parse(xml)
        let bytewise = try parse(xml, chunk: 1)
        #expect(bytewise.events == whole.events)
        #expect(bytewise.text == "héllo & wörld")
    }

    @Test("predefined entities are decoded in text and in attribute values")
    func predefinedEntities() throws {
        let recorder = try parse(#"<r v="a&amp;b &lt;c&gt; &quot;d&quot; &#38;#38;">x &lt;&amp;&gt; y</r>"#)
        #expect(recorder.events.first == #"start 0:r [0:v=a&b <c> "d" &#38;]"#)
        #expect(recorder.text == "x <&> y")
    }

    @Test("UTF-16 with a byte-order mark is detected")
    func utf16() throws {
        let xml = #"<?xml version="1.0" encoding="UTF-16"?><r>ünï ✓</r>"#
        let bytes: [UInt8] = [0xFF, 0xFE] + xml.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let recorder = try bytes.withUnsafeBytes { try XMLPushParser.parse($0, part: "u.xml", namespaces: [:], sink: Recorder()) }
        #expect(recorder.text == "ünï ✓")
    }

    @Test("an external entity (XXE) is refused before any file is read")
    func xxe() throws {
        let xml = #"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#
        let recorder = Recorder()
        let error = #expect(throws: XMLError.self) { _ = try parse(xml, handler: recorder) }
        #expect(error?.code == .entityDeclaration)
        #expect(error?.part == "test.xml")
        #expect(!recorder.text.contains("root:"))
        #expect(recorder.events.isEmpty)
    }

    @Test("a billion-laughs document fails at its first entity declaration")
    func billionLaughs() throws {
        var entities = #"<!ENTITY l0 "lol">"#
        for i in 1...9 {
            entities += "<!ENTITY l\(i) \"" + String(repeating: "&l\(i - 1);", count: 10) + "\">"
        }
        let xml = "<?xml version=\"1.0\"?><!DOCTYPE r [\(entities)]><r>&l9;</r>"
        let recorder = Recorder()
        let error = #expect(throws: XMLError.self) { _ = try parse(xml, handler: recorder) }
        #expect(error?.code == .entityDeclaration)
        #expect(recorder.text.isEmpty)
    }

    @Test("a DOCTYPE without entity declarations is tolerated")
    func harmlessDoctype() throws {
        let recorder = try parse(#"<?xml version="1.0"?><!DOCTYPE r><r>fine</r>"#)
        #expect(recorder.text == "fine")
    }

    @Test("malformed XML reports the part, line and column")
    func malformed() throws {
        let error = #expect(throws: XMLError.self) { _ = try parse("<r>\n<a>\n</b></r>") }
        #expect(error?.code == .malformed)
        #expect(error?.line == 3)
        #expect(error?.description.hasPrefix("test.xml:3:") == true)
    }

    @Test("bytes that are not UTF-8, and an encoding nobody can convert, are said as what to do")
    func encodings() throws {
        let parser = XMLPushParser(part: "word/document.xml", namespaces: namespaces, sink: Recorder())
        let bad: [UInt8] = Array("<r>caf".utf8) + [0xE9, 0x20, 0xFF] + Array("</r>".utf8)
        let error = #expect(throws: XMLError.self) {
            try bad.withUnsafeBytes { try parser.feed($0) }
            try parser.finish()
        }
        #expect(error?.description.hasPrefix("word/document.xml:1:") == true)
        #expect(error?.message.hasPrefix("not valid UTF-8 (bytes E9 20") == true, "\(error?.message ?? "")")
        #expect(error?.message.hasSuffix("the file is damaged or was written by a broken exporter; re-save it from its application") == true)
        let unknown = #expect(throws: XMLError.self) { _ = try parse("<?xml version=\"1.0\" encoding=\"x-nowhere\"?><r/>") }
        #expect(unknown?.message == "declares the character encoding 'x-nowhere', which this system cannot convert; re-save the file as UTF-8")
    }

    @Test("an empty or unfinished document is an error")
    func incomplete() throws {
        #expect(throws: XMLError.self) { _ = try parse("") }
        #expect(throws: XMLError.self) { _ = try parse("<r><a>") }
    }

    @Test("an error thrown by the handler stops the parse and carries the line")
    func handlerError() throws {
        var recorder = Recorder()
        recorder.failOn = "bad"
        let error = #expect(throws: XMLError.self) { _ = try parse("<r>\n\n<ok/>\n<bad/><never/></r>", handler: recorder) }
        #expect(error?.code == .handler)
        #expect(error?.line == 4)
        #expect(error?.message == "refused by the handler")
        #expect(!recorder.events.contains("start 0:never"))
    }

    @Test("the sink is a value: finish() hands back what it gathered, and the caller's copy is untouched")
    func valueSink() throws {
        let start = Counter()
        let bytes = Array("<r><a>xy</a><b><c/></b>z</r>".utf8)
        let parser = XMLPushParser(part: "v.xml", namespaces: [:], sink: start)
        try bytes.withUnsafeBytes { try parser.feed($0) }
        let counted = try parser.finish()
        #expect(counted.elements == 4)
        #expect(counted.deepest == 3)
        #expect(counted.textBytes == 3)
        #expect(counted.depth == 0)
        #expect(start.elements == 0)
        let whole = try bytes.withUnsafeBytes { try XMLPushParser.parse($0, part: "v.xml", namespaces: [:], sink: Counter()) }
        #expect(whole.elements == 4)
    }

    @Test("nesting deeper than the limit fails with its own code")
    func deepNesting() throws {
        let depth = 100_000
        let xml = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        let error = #expect(throws: XMLError.self) { _ = try parse(xml) }
        #expect(error?.code == .tooDeep)
        let shallow = String(repeating: "<a>", count: 500) + String(repeating: "</a>", count: 500)
        #expect(try parse(shallow).events.count == 1000)
    }
}

struct ConcurrentHandlerTests {
    let namespaces: [String: Int32] = ["urn:a": 1, "urn:b": 2]

    func parse(_ xml: String, handler: Recorder, concurrent: Bool, chunk: Int = 7) throws {
        let parser = XMLPushParser(
            part: "c.xml", namespaces: namespaces, localNames: ["item": 5], sink: handler, concurrentSink: concurrent)
        let bytes = Array(xml.utf8)
        try forEachPiece(of: bytes, size: chunk) { try parser.feed($0) }
        try parser.finish()
    }

    static func bigDocument() -> String {
        var xml = #"<a:root xmlns:a="urn:a" xmlns:b="urn:b">"#
        for i in 0..<20_000 {
            xml += #"<b:item b:n="\#(i)" x="&amp;\#(i % 7)">text \#(i) &lt;ü&gt;</b:item>"#
        }
        return xml + "</a:root>"
    }

    @Test("a sink run on another thread comes back from finish() with what it gathered")
    func concurrentValueSink() throws {
        let bytes = Array(Self.bigDocument().utf8)
        let parser = XMLPushParser(part: "c.xml", namespaces: namespaces, sink: Counter(), concurrentSink: true)
        try forEachPiece(of: bytes, size: 4096) { try parser.feed($0) }
        let counted = try parser.finish()
        #expect(counted.elements == 20_001)
        #expect(counted.deepest == 2)
        #expect(counted.depth == 0)
    }

    @Test("a handler on another thread sees exactly the events the serial one sees")
    func sameEvents() throws {
        let xml = Self.bigDocument()
        let serial = Recorder()
        let concurrent = Recorder()
        try parse(xml, handler: serial, concurrent: false, chunk: 4096)
        try parse(xml, handler: concurrent, concurrent: true, chunk: 4096)
        #expect(concurrent.events.count == 40_002)
        #expect(concurrent.events == serial.events)
        #expect(concurrent.text == serial.text)
        #expect(concurrent.events[1] == "start 2:item [2:n=0,0:x=&0]")
    }

    @Test("the handler thread's error stops the parse and carries its line")
    func handlerError() throws {
        var recorder = Recorder()
        recorder.failOn = "bad"
        let xml = "<r>\n" + String(repeating: "<ok/>\n", count: 30_000) + "<bad/>\n" + String(repeating: "<ok/>\n", count: 30_000) + "</r>"
        let error = #expect(throws: XMLError.self) { try parse(xml, handler: recorder, concurrent: true, chunk: 65536) }
        #expect(error?.code == .handler)
        #expect(error?.line == 30_002)
        #expect(error?.message == "refused by the handler")
        #expect(recorder.events.count == 60_001)  // <r>, then 30,000 × start+end, nothing after <bad/>
    }

    @Test("malformed XML and entity declarations fail the same way on the concurrent path")
    func tokeniserErrors() {
        let malformed = #expect(throws: XMLError.self) { try parse("<r>\n<a>\n</b></r>", handler: Recorder(), concurrent: true) }
        #expect(malformed?.code == .malformed)
        #expect(malformed?.line == 3)
        let xxe = #expect(throws: XMLError.self) {
            try parse(#"<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#, handler: Recorder(), concurrent: true)
        }
        #expect(xxe?.code == .entityDeclaration)
    }

    @Test("a parse dropped before finish stops its handler thread")
    func abandoned() throws {
        let recorder = Recorder()
        do {
            let parser = XMLPushParser(part: "a.xml", namespaces: [:], sink: recorder, concurrentSink: true)
            let bytes = Array(("<r>" + String(repeating: "<x>y</x>", count: 50_000)).utf8)
            try bytes.withUnsafeBytes { try parser.feed($0) }
        }
        let seen = recorder.events.count
        #expect(seen <= 100_001)
        // Nothing more arrives once the parser is gone.
        #expect(recorder.events.count == seen)
    }
}
