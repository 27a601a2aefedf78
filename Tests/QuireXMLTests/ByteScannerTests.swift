import Testing

@testable import QuireXML

/// The byte scanner and libxml2's push parser feed the same sink: the same events, the same
/// text, the same refusals.
struct ByteScannerSinkTests {
    static let namespaces: [String: Int32] = ["urn:a": 1, "urn:b": 2]

    static func scanned(_ xml: String, chunk: Int = 1 << 20) throws -> Recorder {
        var scanner = ByteScanner(sink: Recorder(), part: "s.xml", namespaces: namespaces, localNames: ["item": 5])
        let bytes = Array(xml.utf8)
        try forEachPiece(of: bytes, size: chunk) { try scanner.feed($0) }
        try scanner.finish()
        return scanner.sink
    }

    static func parsed(_ xml: String) throws -> Recorder {
        try Array(xml.utf8).withUnsafeBytes {
            try XMLPushParser.parse($0, part: "s.xml", namespaces: namespaces, localNames: ["item": 5], sink: Recorder())
        }
    }

    static let documents = [
        #"<a:root xmlns:a="urn:a" xmlns:b="urn:b" xmlns:c="urn:c"><b:item b:key="v" plain="p"/><c:other/></a:root>"#,
        #"<?xml version="1.0" encoding="UTF-8"?><r xmlns="urn:a" xmlns:r="urn:b"><item r="A1" r:id="rId1">x &lt;&amp;&gt; &#233;&#x1F600;</item></r>"#,
        "<r>\r\nline\rtwo\r\n<![CDATA[<raw> & \r\n]]><!-- note --><?pi data?></r>",
        #"<r v="a&amp;b &lt;c&gt; &quot;d&quot; &#38;#38;" w='single'>  <x/>  </r>"#,
        #"<o:r xmlns:o="urn:a"><o:item xmlns:o="urn:b" o:k="1"/><o:item/></o:r>"#,
        // Prefixes nobody declared: no namespace, as libxml2 reports them (found by fuzz-xml);
        // `xml:` is bound by the spec, to a namespace the table does not list.
        #"<r xmlns:a="urn:a"><a:item q:k="1" xml:space="preserve"/><z:e z:v="2">t</z:e></r>"#,
        // The scanner remembers the last element prefix it resolved: a prefix one byte longer,
        // one rebound inside and restored after, and one longer than eight bytes.
        #"<p:r xmlns:p="urn:a" xmlns:pq="urn:b" xmlns:longprefix9="urn:b"><p:item><pq:item/><p:item xmlns:p="urn:b"><p:item/></p:item><p:item/><longprefix9:item/><longprefix9:item xmlns:longprefix9="urn:a"/><p:item/></p:item></p:r>"#,
    ]

    @Test("same events and text as libxml2, whole and cut into pieces of every size")
    func sameEvents() throws {
        for xml in Self.documents {
            let reference = try Self.parsed(xml)
            // libxml2's push parser keeps CR LF inside CDATA; XML 1.0 (2.11) says every line
            // end is LF by the time a parser reports text, and the scanner does that.
            let expectedText = reference.text.replacing("\r\n", with: "\n")
            for chunk in [1, 2, 3, 7, 1 << 20] {
                let scanned = try Self.scanned(xml, chunk: chunk)
                #expect(scanned.events == reference.events, "\(xml) in pieces of \(chunk)")
                #expect(scanned.text == expectedText, "\(xml) in pieces of \(chunk)")
                #expect(!scanned.text.unicodeScalars.contains("\r"))
            }
        }
    }

    @Test("local names get the ids of the table, as libxml2's do")
    func localIDs() throws {
        struct IDs: XMLSink {
            var seen: [Int32] = []
            mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws { seen.append(name.localID) }
            mutating func endElement(_ name: XMLName) throws { seen.append(-10 - name.localID) }
            mutating func characters(_ text: UnsafeRawBufferPointer) throws {}
        }
        let xml = Array(#"<r xmlns:p="urn:a"><item/><p:item></p:item><items/></r>"#.utf8)
        var scanner = ByteScanner(sink: IDs(), part: "i.xml", namespaces: Self.namespaces, localNames: ["item": 5, "r": 0])
        try xml.withUnsafeBytes { try scanner.feed($0) }
        try scanner.finish()
        let parsed = try xml.withUnsafeBytes {
            try XMLPushParser.parse($0, part: "i.xml", namespaces: Self.namespaces, localNames: ["item": 5, "r": 0], sink: IDs())
        }
        #expect(scanner.sink.seen == [0, 5, -15, 5, -15, -1, -9, -10])
        #expect(parsed.seen == scanner.sink.seen)
    }

    @Test("attribute lookups agree: by local name, by namespace, raw, three at once; xmlns is not an attribute")
    func attributes() throws {
        struct Looker: XMLSink {
            var found: [String] = []
            mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws {
                guard name.local == "c" else { return }
                found.append("count \(attributes.count)")
                found.append("r \(attributes["r"] ?? "-") id \(attributes.value("id", namespace: 2) ?? "-") t \(attributes["t"] ?? "-")")
                found.append(attributes.withRawValue("s") { $0.map { String(decoding: $0, as: UTF8.self) } ?? "-" })
                found.append(
                    attributes.withRawValues("r", "t", "s") { r, t, s in
                        [r, t, s].map { $0.map { String(decoding: $0, as: UTF8.self) } ?? "-" }.joined(separator: ",")
                    })
            }
            mutating func endElement(_ name: XMLName) throws {}
            mutating func characters(_ text: UnsafeRawBufferPointer) throws {}
        }
        let xml = Array(
            (#"<w xmlns="urn:a" xmlns:r="urn:b"><c r="B2" r:id="rId7" s="3"/><c xmlns:r="urn:a" r="A&amp;1" t="s"/>"#
                + #"<c t="n" s="1&#50;"/><c r:t="str" r="C3"/></w>"#).utf8)
        var scanner = ByteScanner(sink: Looker(), part: "a.xml", namespaces: Self.namespaces, localNames: [:])
        try xml.withUnsafeBytes { try scanner.feed($0) }
        try scanner.finish()
        let parsed = try xml.withUnsafeBytes { try XMLPushParser.parse($0, part: "a.xml", namespaces: Self.namespaces, sink: Looker()) }
        #expect(
            scanner.sink.found == [
                "count 3", "r B2 id rId7 t -", "3", "B2,-,3",
                "count 2", "r A&1 id - t s", "-", "A&1,s,-",
                "count 2", "r - id - t n", "12", "-,n,12",
                "count 2", "r C3 id - t str", "-", "C3,str,-",
            ])
        // libxml2 hands raw values over with `&` as `&#38;`; everything else agrees.
        #expect(parsed.found.filter { !$0.contains("&") } == scanner.sink.found.filter { !$0.contains("&") })
    }

    @Test("the same refusals: depth, undefined entities, bad references, mismatched tags")
    func refusals() throws {
        let deep = String(repeating: "<a>", count: 600) + String(repeating: "</a>", count: 600)
        let tooDeep = #expect(throws: XMLError.self) { _ = try Self.scanned(deep) }
        #expect(tooDeep?.code == .tooDeep)
        let parserDeep = #expect(throws: XMLError.self) { _ = try Self.parsed(deep) }
        #expect(parserDeep?.code == .tooDeep)
        for bad in [
            "<r>&nbsp;</r>", "<r>&#0;</r>", "<r>&#xD800;</r>", "<r><a></b></r>", "<r a='1' a2=x/>", "<r>", "text",
            "<r a='&nbsp;'/>", "<r a='fish & chips'/>", "<r a='&#0;'/>", "<r a='&#x110000;'/>", "<r a='&#;'/>",
        ] {
            #expect(throws: XMLError.self, "\(bad)") { _ = try Self.scanned(bad) }
            #expect(throws: XMLError.self, "\(bad)") { _ = try Self.parsed(bad) }
        }
    }

    @Test("UTF-16 and a DOCTYPE are handed back before the sink sees anything")
    func handsBack() throws {
        for xml in [#"<?xml version="1.0" encoding="UTF-16"?><r/>"#, #"<!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>"#] {
            var scanner = ByteScanner(sink: Recorder(), part: "h.xml", namespaces: [:], localNames: [:])
            #expect(throws: ScannerNeedsGeneralParser.self) {
                try Array(xml.utf8).withUnsafeBytes { try scanner.feed($0) }
                try scanner.finish()
            }
            #expect(scanner.needsGeneralParser)
            #expect(scanner.sink.events.isEmpty)
        }
    }

    @Test("text the sink does not want is not decoded or handed over")
    func unwantedText() throws {
        struct Picky: XMLSink {
            var inside = false
            var text = ""
            var wantsText: Bool { inside }
            mutating func startElement(_ name: XMLName, attributes: XMLAttributes) throws { inside = name.local == "keep" }
            mutating func endElement(_ name: XMLName) throws { inside = false }
            mutating func characters(_ bytes: UnsafeRawBufferPointer) throws { text += String(decoding: bytes, as: UTF8.self) }
        }
        let xml = Array("<r>skip &amp; this<keep>yes &amp; this</keep>and not this</r>".utf8)
        var scanner = ByteScanner(sink: Picky(), part: "p.xml", namespaces: [:], localNames: [:])
        try xml.withUnsafeBytes { try scanner.feed($0) }
        try scanner.finish()
        #expect(scanner.sink.text == "yes & this")
    }
}
