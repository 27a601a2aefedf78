import Foundation
import QuireModel
import QuireTestSupport
import Testing

@testable import QuireMail

func mail(_ name: String) throws -> MailMessage {
    let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("mail/" + name))))
    return try MailReader().read(bytes: bytes, name: name)
}

struct MailFixtureTests {
    @Test("a modern message: encoded names, a group, plain and HTML alternatives, office attachments")
    func report() throws {
        let message = try mail("report-with-attachments.eml")
        #expect(message.subject == "Quarterly report — figures attached ✓")
        #expect(message.from == [MailAddress(name: "Zoë Müller", address: "zoe.mueller@example.com")])
        #expect(message.to.map(\.address) == ["ada@example.org", "team@example.org"])
        #expect(
            message.cc == [
                MailAddress(name: nil, address: "bob@example.org", group: "Finance"),
                MailAddress(name: nil, address: "carol@example.org", group: "Finance"),
            ])
        #expect(message.date?.iso8601 == "2024-03-01T09:30:00+01:00")
        #expect(message.messageID == "report-2024-q1@example.com")
        #expect(message.textBody?.contains("Revenue grew by 12 %.\n\n-- \nZoë\n") == true)
        #expect(message.htmlText == nil)  // there is a plain body
        let html = MailReader.text(ofHTML: try #require(message.htmlBody))
        #expect(html.contains("the report for the first quarter is attached (online copy (https://example.com/q1))."))
        #expect(html.contains("- Revenue +12 %\n- Costs flat"))
        #expect(!html.contains("alert"))
        #expect(message.attachments.map(\.filename) == ["Q1 report.docx", "Umsätze 2024.xlsx"])
        let docx = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("sample-report.docx")))
        #expect(message.attachments[0].data == Array(docx))
        #expect(message.warnings.isEmpty)
    }

    @Test("legacy charsets, encoded words, RFC 2231 names, quoted-printable, base64 with junk, uuencode")
    func legacy() throws {
        let message = try mail("legacy-charsets.eml")
        #expect(message.from == [MailAddress(name: "山田太郎", address: "yamada@example.jp")])
        #expect(message.to.first == MailAddress(name: "Smith, John", address: "john@example.com"))
        #expect(message.subject == "Café au lait  and more")
        #expect(message.date?.iso8601 == "2003-07-01T10:52:00-05:00")
        #expect(message.inReplyTo == ["parent@example.jp"])
        #expect(message.references == ["root@example.jp", "parent@example.jp"])
        #expect(message.textBody == "会議の議事録")  // the line break before a boundary belongs to it
        #expect(message.attachments.map(\.filename) == ["添付ファイル.txt", "notes.txt", "hello.txt"])
        #expect(Charset.decode(message.attachments[0].data, label: "koi8-r") == "Привет, мир")
        #expect(Charset.decode(message.attachments[1].data, label: "iso-8859-1") == "Grüße aus Köln, this line is soft broken.")
        #expect(message.attachments[2].data == Array("hi!".utf8))
    }

    @Test("broken structure is read with a warning, never lost")
    func broken() throws {
        let noSeparator = try mail("no-separator.eml")
        #expect(noSeparator.subject == "no blank line")
        // A NUL byte (never text) stands as a space: the words stay apart.
        #expect(noSeparator.textBody == "This line starts the body.\nSecond line.\n")
        #expect(noSeparator.warnings.contains { $0.contains("no blank line") })

        let badBoundary = try mail("bad-boundaries.eml")
        #expect(badBoundary.textBody == "Just text, no parts at all.\n")
        #expect(badBoundary.warnings.contains { $0.contains("boundary never occurs") })

        let unclosed = try mail("unclosed-multipart.eml")
        #expect(unclosed.textBody == "plain part")
        #expect(unclosed.htmlBody.map(MailReader.text(ofHTML:)) == "html part\n")
        #expect(unclosed.warnings.contains { $0.contains("closing boundary is missing") })

        let deep = try mail("deep-nesting.eml")
        #expect(deep.warnings.contains { $0.contains("deeper than 24 levels") })
        #expect(deep.parts.count <= 26)
        #expect(deep.attachments.count == 1)  // what lies deeper, kept as bytes
        #expect(String(decoding: deep.attachments[0].data, as: UTF8.self).contains("inner text"))
    }

    @Test("an empty file is a clear error")
    func empty() {
        let error = #expect(throws: DocumentError.self) { try MailReader().read(bytes: Array("\r\n \n".utf8), name: "empty.eml") }
        #expect(error?.code == .empty)
        #expect(error?.description.contains("empty.eml") == true)
    }

    @Test("an mbox thread: >From unescaped, a body 'From ' line kept, Content-Length honoured, CRLF and BOM")
    func mbox() throws {
        var entries: [MboxReader.Entry] = []
        try MboxReader().forEachMessage(path: Fixtures.path("mail/thread.mbox")) { entries.append($0) }
        #expect(
            entries.map(\.envelope) == [
                "From ada@example.org Tue Mar  5 09:00:00 2024", "From bob@example.org Tue Mar  5 10:15:00 2024",
                "From carol@example.org Tue Mar  5 11:30:00 2024",
            ])
        let messages = entries.map { entry in entry.bytes.withUnsafeBufferPointer { MailReader().message($0) } }
        #expect(messages[0].textBody == "Here is the plan.\nFrom the top: design, build, ship.\nFrom Russia with love\n")
        #expect(messages[1].textBody == "Looks good.\n\nFrom here I would add a test week.\n\n> Here is")
        #expect(messages[1].inReplyTo == ["m1@example.org"])
        #expect(messages[2].textBody == "Agreed.\n")
        #expect(messages[2].references == ["m1@example.org", "m2@example.org"])
        #expect(entries[1].offset > entries[0].offset && entries[2].offset > entries[1].offset)
        // The same split from bytes in memory.
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("mail/thread.mbox"))))
        #expect(MboxReader().messages(in: bytes).map(\.bytes) == entries.map(\.bytes))
    }
}

struct HeaderParsingTests {
    @Test(
        "addresses",
        arguments: [
            ("Ada <ada@x.org>", [MailAddress(name: "Ada", address: "ada@x.org")]),
            ("\"Doe, Jane\" <jane@x.org>, bob@x.org", [MailAddress(name: "Doe, Jane", address: "jane@x.org"), MailAddress(name: nil, address: "bob@x.org")]),
            ("bob@x.org (Bob Smith)", [MailAddress(name: "Bob Smith", address: "bob@x.org")]),
            (
                "Team: a@x.org, B <b@x.org>;, c@x.org",
                [
                    MailAddress(name: nil, address: "a@x.org", group: "Team"), MailAddress(name: "B", address: "b@x.org", group: "Team"),
                    MailAddress(name: nil, address: "c@x.org"),
                ]
            ),
            ("=?UTF-8?B?SsO8cmdlbg==?= <j@x.de>", [MailAddress(name: "Jürgen", address: "j@x.de")]),
            ("<@route.example:ada@x.org>", [MailAddress(name: nil, address: "ada@x.org")]),
            ("undisclosed-recipients:;", []),
        ])
    func addresses(_ text: String, _ expected: [MailAddress]) {
        #expect(AddressList.parse(text) == expected)
    }

    @Test(
        "dates",
        arguments: [
            ("Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T10:52:37+02:00"),
            ("1 Jul 03 10:52 EST", "2003-07-01T10:52:00-05:00"),
            ("Wed, 20 Dec 95 19:59 CST", "1995-12-20T19:59:00-06:00"),
            ("Thu, 6 Jun 1996 15:50:39 +0400 (MOW DST)", "1996-06-06T15:50:39+04:00"),
            ("2005-05-08 14:09:11 -0500", "2005-05-08T14:09:11-05:00"),
            ("Mon Jan  5 10:00:00 2004", "2004-01-05T10:00:00"),
            ("Fri, 01 Mar 2024 09:30:00 -0000", "2024-03-01T09:30:00"),
            ("8-May-2005 14:09 GMT", "2005-05-08T14:09:00+00:00"),
        ])
    func dates(_ text: String, _ iso: String) {
        #expect(DateParser.parse(text).iso8601 == iso)
    }

    @Test("an unreadable date keeps its text and has no instant")
    func badDate() {
        let date = DateParser.parse("sometime next week")
        #expect(date.timestamp == nil && date.raw == "sometime next week")
        #expect(DateParser.parse("Wed, 31 Feb 2024 27:00:00 +0000").timestamp == nil)
    }

    @Test(
        "encoded words",
        arguments: [
            ("=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard"),
            ("=?utf-8?q?a?= =?utf-8?q?b?=", "ab"),
            ("=?utf-8?q?a?=  \t =?utf-8?b?Yg==?= c", "ab c"),
            ("=?utf-8?q?broken", "=?utf-8?q?broken"),
            ("=?x-unknown?q?caf=E9?=", "café"),
            ("=?UTF-8*EN?Q?Hello_World?=", "Hello World"),
        ])
    func encodedWords(_ text: String, _ expected: String) {
        #expect(EncodedWords.decode(text) == expected)
    }

    @Test("RFC 2231 parameters: continuations, charsets, quoted values")
    func parameters() {
        let value = ParameterizedValue(#"attachment; filename*0*=UTF-8''%E2%82%AC%20; filename*1="rates.pdf"; size=12"#)
        #expect(value.value == "attachment")
        #expect(value["filename"] == "€ rates.pdf")
        #expect(value["size"] == "12")
        let type = ParameterizedValue(#"Text/Plain (comment); charset="us-ascii"; name="a;b.txt""#)
        #expect(type.value == "text/plain")
        #expect(type["name"] == "a;b.txt")
    }

    @Test("base64 of random data with line breaks decodes to the data, for every length")
    func base64RoundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<300 {
            let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let text = Data(data).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            #expect(TransferEncoding.base64(Array(text.utf8)) == data, "length \(length)")
        }
    }

    @Test("transfer encodings tolerate junk")
    func transfer() {
        #expect(TransferEncoding.base64(Array("SGVs\r\nbG8*!gd29y\nbGQ=".utf8)) == Array("Hello world".utf8))
        #expect(TransferEncoding.quotedPrintable(Array("a=3Db=\r\nc =ZZ end=".utf8)) == Array("a=bc =ZZ end".utf8))
    }

    @Test("the fast decoders agree with plain byte-at-a-time ones on random text made of the bytes that matter")
    func decodersAgreeWithReference() {
        // The plain decoders: one byte at a time, as the encodings are defined.
        func base64Reference(_ input: [UInt8]) -> [UInt8] {
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
            var out: [UInt8] = []
            var accumulator: UInt32 = 0
            var bits = 0
            for byte in input {
                if byte == UInt8(ascii: "=") {
                    (accumulator, bits) = (0, 0)
                    continue
                }
                let value: Int? =
                    byte == UInt8(ascii: "-") ? 62 : byte == UInt8(ascii: "_") ? 63 : alphabet.firstIndex(of: byte)
                guard let value else { continue }
                accumulator = accumulator << 6 | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    out.append(UInt8((accumulator >> UInt32(bits)) & 0xFF))
                }
                if bits == 0 { accumulator = 0 }
            }
            return out
        }
        func qpReference(_ input: [UInt8], header: Bool) -> [UInt8] {
            func hex(_ b: UInt8) -> UInt8? { UInt8(String(decoding: [b], as: UTF8.self), radix: 16) }
            var out: [UInt8] = []
            var i = 0
            while i < input.count {
                let byte = input[i]
                if byte == UInt8(ascii: "=") {
                    if i + 2 < input.count, let high = hex(input[i + 1]), let low = hex(input[i + 2]) {
                        out.append(high << 4 | low)
                        i += 3
                        continue
                    }
                    var j = i + 1
                    while j < input.count && (input[j] == 0x20 || input[j] == 0x09) { j += 1 }
                    if j < input.count && input[j] == 0x0D { j += 1 }
                    if j < input.count && input[j] == 0x0A || j == input.count {
                        i = min(j + 1, input.count)
                        continue
                    }
                }
                out.append(header && byte == UInt8(ascii: "_") ? 0x20 : byte)
                i += 1
            }
            return out
        }
        var generator = SystemRandomNumberGenerator()
        let base64Bytes = Array("QUJDZGVm+/-_=\r\n *".utf8)
        let qpBytes = Array("=A3fzZ_ \t\r\nxé".utf8)
        for length in 0..<400 {
            let b64 = (0..<length).map { _ in base64Bytes.randomElement(using: &generator)! }
            #expect(TransferEncoding.base64(b64) == base64Reference(b64), "\(String(decoding: b64, as: UTF8.self))")
            let qp = (0..<length).map { _ in qpBytes.randomElement(using: &generator)! }
            for header in [false, true] {
                #expect(TransferEncoding.quotedPrintable(qp, header: header) == qpReference(qp, header: header), "\(String(decoding: qp, as: UTF8.self))")
            }
        }
    }

    @Test("Windows-1252 is decoded without iconv exactly as iconv decodes it, byte for byte")
    func windows1252MatchesIconv() throws {
        for byte in UInt8.min...UInt8.max {
            let viaIconv = try #require(Charset.iconvDecode([byte, 0x41], name: "WINDOWS-1252"))
            #expect(Charset.windows1252([byte, 0x41]) == viaIconv, "byte \(byte)")
        }
        #expect(Charset.decode(Array("Gr\u{FC}\u{DF}e \u{80}5".unicodeScalars.map { UInt8($0.value & 0xFF) }), label: " \"ISO-8859-1\"") == "Grüße €5")
        #expect(Charset.isASCII(Array("0123456789abcdef".utf8)) && !Charset.isASCII(Array("0123456789abcdé".utf8)))
        #expect(!Charset.isASCII(Array("é0123456789".utf8)) && Charset.isASCII([]))
    }

    @Test("parameters: the first value of a name wins, RFC 2231 over plain, and a flood of names keeps the first few")
    func parameterList() {
        let value = ParameterizedValue(#"attachment; filename="plain.txt"; FILENAME="second.txt"; filename*=UTF-8''%E2%82%AC.txt; size=3"#)
        #expect(value["filename"] == "€.txt")
        #expect(value["size"] == "3")
        #expect(value.parameters.map(\.name) == ["filename", "size"])
        let flood = "text/plain" + (0..<20_000).map { "; p\($0)=v; q\($0)*=utf-8''x" }.joined()
        let parsed = ParameterizedValue(flood)
        #expect(parsed.parameters.count == 2 * ParameterizedValue.maxNames)
        #expect(parsed["p0"] == "v" && parsed["q0"] == "x" && parsed["p19999"] == nil)
    }

    @Test("a body text past the text limit is cut there, at a character boundary, with a warning — in every transfer encoding")
    func bodyTextLimit() throws {
        let text = String(repeating: "Grüße, €uro — ", count: 400)  // 6,800 bytes of 1–3 byte characters
        let reader = MailReader(limits: .init(maxTextBytes: 1_000))
        let encodings: [(String, String)] = [
            ("8bit", text),
            ("base64", Data(text.utf8).base64EncodedString(options: .lineLength76Characters)),
            ("quoted-printable", text.utf8.map { $0 < 0x80 && $0 != 0x3D ? String(UnicodeScalar($0)) : String(format: "=%02X", $0) }.joined()),
        ]
        for (encoding, body) in encodings {
            let raw = "Subject: long\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: \(encoding)\r\n\r\n\(body)"
            let message = try reader.read(bytes: Array(raw.utf8), name: "long.eml")
            let kept = try #require(message.textBody)
            #expect(kept.utf8.count <= 1_000 && kept.utf8.count > 990, "\(encoding)")
            #expect(text.hasPrefix(kept), "\(encoding): a prefix of the text, no character split")
            #expect(message.warnings.contains { $0.contains("the limit on body text") }, "\(encoding)")
        }
        let short = try reader.read(bytes: Array("Subject: s\r\n\r\nshort text".utf8), name: "short.eml")
        #expect(short.textBody == "short text" && short.warnings.isEmpty)
    }

    @Test("a header line past the header limit is cut there and ends the header, with a warning")
    func headerLineLimit() throws {
        let reader = MailReader(limits: .init(maxHeaderBytes: 4_096))
        let raw = "From: a@example.org\r\nSubject: " + String(repeating: "x", count: 50_000) + "\r\nTo: b@example.org\r\n\r\nthe body"
        let message = try reader.read(bytes: Array(raw.utf8), name: "huge.eml")
        let subject = try #require(message.subject)
        #expect(subject.count < 4_096 && subject.hasPrefix("xxx"))
        #expect(message.from.first?.address == "a@example.org")
        #expect(message.warnings.contains { $0.contains("the limit on a header") })
        #expect(!(message.textBody ?? "").contains(String(repeating: "x", count: 5_000)), "the rest of the line is dropped, not the body")
    }

    @Test("line ends: CR LF and lone CR become LF, NUL runs one space; text without them is kept as is")
    func lineEnds() {
        #expect(MailBody.normaliseLineEnds("a\r\nb\rc\u{0}\u{0}d\ne") == "a\nb\nc d\ne")
        let plain = String(repeating: "plain line\n", count: 100)
        #expect(MailBody.normaliseLineEnds(plain) == plain)
    }
}

extension MailFixtureTests {
    @Test("the mbox split is the same whatever the read sizes: runs of ordinary lines, F and > lines, blank lines across chunk ends")
    func mboxChunking() throws {
        var text =
            "\u{FEFF}From a@example.org Mon Jan  1 00:00:00 2024\r\nSubject: one\r\n\r\nFor the record:\r\n>From here\r\n>>From there\r\nFrom Russia with love\r\n\r\n"
        text += "From b@example.org Mon Jan  1 00:00:01 2024\nSubject: two\nContent-Length: 25\n\nFrom me@x 10:00 inside\n\n\n"
        text += "From - Tue Jan  2 00:00:00 2024\nSubject: three\n\nplain line\n Fold\n"
        for i in 0..<50 { text += "line \(i) of an ordinary body\n" }
        let bytes = Array(text.utf8)
        let whole = MboxReader().messages(in: bytes)
        #expect(
            whole.map(\.envelope) == [
                "From a@example.org Mon Jan  1 00:00:00 2024", "From b@example.org Mon Jan  1 00:00:01 2024", "From - Tue Jan  2 00:00:00 2024",
            ])
        #expect(String(decoding: whole[0].bytes, as: UTF8.self).contains("For the record:\r\nFrom here\r\n>From there\r\nFrom Russia with love\r\n"))
        #expect(String(decoding: whole[1].bytes, as: UTF8.self).contains("From me@x 10:00 inside"))
        for size in [1, 2, 3, 7, 16, 64, 1000] {
            var splitter = MboxSplitter()
            var entries: [MboxReader.Entry] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + size)
                splitter.feedAll(bytes[start..<end]) { entries.append($0) }
                start = end
            }
            splitter.finishAll { entries.append($0) }
            #expect(entries.map(\.bytes) == whole.map(\.bytes), "chunk size \(size)")
            #expect(entries.map(\.offset) == whole.map(\.offset), "chunk size \(size)")
        }
    }
}

/// Lines with no end in sight and messages past the size limit (issue 14): the splitter never
/// holds more than the limit, and the messages after are found as before.
struct MboxLimitTests {
    static func mbox(longLine: Int, contentLength: Int? = nil) -> [UInt8] {
        var text = "From a@example.org Mon Jan  1 00:00:00 2024\nSubject: long\n"
        if let contentLength { text += "Content-Length: \(contentLength)\n" }
        text += "\n>From the start of a long line "
        var bytes = Array(text.utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: longLine)
        bytes += Array("\nlast line\n\nFrom b@example.org Mon Jan  1 00:00:01 2024\nSubject: after\n\nsecond body\n".utf8)
        return bytes
    }

    static func split(_ bytes: [UInt8], chunk: Int, limit: Int) -> [MboxReader.Entry] {
        var splitter = MboxSplitter(maxMessageBytes: limit)
        var entries: [MboxReader.Entry] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + chunk)
            splitter.feedAll(bytes[start..<end]) { entries.append($0) }
            start = end
        }
        splitter.finishAll { entries.append($0) }
        return entries
    }

    @Test("a line longer than the wait is taken in pieces, unescaped, and splits as when read whole")
    func longLine() {
        let bytes = Self.mbox(longLine: 300_000)
        let whole = MboxReader().messages(in: bytes)
        #expect(whole.count == 2)
        #expect(String(decoding: whole[0].bytes, as: UTF8.self).contains("\n\nFrom the start of a long line xxx"))
        for chunk in [4_096, 70_000, 1 << 20] {
            let entries = Self.split(bytes, chunk: chunk, limit: 1 << 20)
            #expect(entries.map(\.bytes) == whole.map(\.bytes), "chunk \(chunk)")
            #expect(entries.map(\.offset) == whole.map(\.offset), "chunk \(chunk)")
            #expect(entries.allSatisfy { $0.droppedBytes == 0 && $0.truncationWarning == nil })
        }
    }

    @Test("a message past the size limit keeps its first bytes, counts the rest, and says so; the next message is whole")
    func sizeLimit() throws {
        for contentLength in [nil, 10_000_000] as [Int?] {
            let bytes = Self.mbox(longLine: 500_000, contentLength: contentLength)
            let whole = MboxReader().messages(in: bytes)
            let entries = Self.split(bytes, chunk: 8_192, limit: 100_000)
            #expect(entries.count == 2, "Content-Length \(contentLength ?? 0)")
            guard entries.count == 2, whole.count == 2 else { continue }
            #expect(entries[0].bytes.count == 100_000)
            #expect(entries[0].bytes == Array(whole[0].bytes.prefix(100_000)))
            #expect(entries[0].bytes.count + entries[0].droppedBytes >= whole[0].bytes.count)
            let warning = try #require(entries[0].truncationWarning)
            #expect(warning.hasPrefix("the message is 488 KB ("))
            #expect(warning.contains("only its first 98 KB were read"))
            #expect(entries[1].bytes == whole[1].bytes)
            #expect(entries[1].envelope == "From b@example.org Mon Jan  1 00:00:01 2024")
        }
    }
}

struct HeaderQuirkTests {
    @Test("a raw 8-bit byte inside an encoded word is decoded once, by the word's charset")
    func eightBitInWord() throws {
        let message = try mail("rfc2047-8bit-in-word.eml")
        #expect(message.subject == "Die Hasen und die Frösche")
        #expect(message.header("X-Note") == "grüß  und schön")
    }

    @Test("obsolete syntax: blanks before the colon and folded address lists are read, as GMime and Python read them")
    func obsoleteSyntax() throws {
        let message = try mail("obsolete-header-syntax.eml")
        #expect(message.subject == "Obsolete spacing")
        #expect(message.from == [MailAddress(name: "Ada", address: "ada@example.org")])
        #expect(message.to.map(\.address) == ["b@example.org", "c@example.org"])
        #expect(message.date?.iso8601 == "2024-01-01T10:00:00+00:00")
        #expect(message.textBody == "Body text.\n")
    }
}

struct HTMLTableTests {
    @Test("a data table in an HTML mail is a table; a layout table's cells stay blocks")
    func tables() {
        let data = MailReader.text(
            ofHTML:
                "<p>Figures:</p><table><tr><th>Region</th><th>Q3</th></tr><tr><td>North</td><td>1,720</td></tr><tr><td>So|uth</td><td><b>980</b></td></tr></table><p>Done.</p>"
        )
        #expect(data == "Figures:\n\n| Region | Q3 |\n| --- | --- |\n| North | 1,720 |\n| So\\|uth | 980 |\n\nDone.\n")
        let layout = MailReader.text(ofHTML: "<table><tr><td><p>First block.</p><p>Second block.</p></td><td><p>Side.</p></td></tr></table>")
        #expect(!layout.contains("|"))
        #expect(layout.contains("First block.") && layout.contains("Second block."))
    }
}
