import Foundation
import QuireCFB
import QuireModel
import QuireRender
import QuireTestSupport
import Testing

@testable import QuireMail
@testable import QuirePST

struct OutlookReaderTests {
    /// The Outlook files of the corpus manifest and their reference JSON (extract-msg).
    static func corpusMessages() throws -> [(path: String, reference: [String: Any])] {
        guard let corpus = Fixtures.corpus else { return [] }
        let manifest = try String(contentsOfFile: corpus + "/MANIFEST.tsv", encoding: .utf8)
        var out: [(String, [String: Any])] = []
        for line in manifest.split(separator: "\n") {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count > 1, columns[1] == "msg" else { continue }
            let data = try Data(contentsOf: URL(fileURLWithPath: corpus + "/reference/" + columns[0] + ".json"))
            let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            out.append((corpus + "/" + columns[0], json?["msg"] as? [String: Any] ?? [:]))
        }
        return out
    }

    static func words(_ text: String?) -> [Substring] {
        (text ?? "").replacingAll("\0", with: "").split(whereSeparator: { $0.isWhitespace })
    }

    @Test(
        "corpus .msg files: subject, date, body, attachments and embedded messages agree with extract-msg",
        .enabled(if: Fixtures.corpus != nil, "../shared/corpus is not present"))
    func conformance() throws {
        let files = try Self.corpusMessages()
        #expect(files.count >= 20)
        var bodies = 0
        for (path, reference) in files {
            let message = try OutlookReader().read(path: path)
            let name = path.split(separator: "/").last.map(String.init) ?? path
            #expect(Self.words(message.subject) == Self.words(reference["subject"] as? String), "\(name)")
            if let date = reference["date"] as? String, let iso = message.date?.iso8601 {
                // The same instant: the reference is in UTC, Quire keeps the sender's zone.
                let utc = try #require(message.date?.timestamp)
                let expected = try #require(Self.timestamp(date))
                #expect(utc == expected, "\(name): \(iso) against \(date)")
            }
            let body = Self.words(reference["body"] as? String)
            if !body.isEmpty {
                #expect(Array(Self.words(message.bestText).prefix(60)) == Array(body.prefix(60)), "\(name)")
                bodies += 1
            }
            let attachments = (reference["attachments"] as? [[String: Any]]) ?? []
            #expect(message.attachments.map { $0.filename ?? "" }.sorted() == attachments.map { $0["name"] as? String ?? "" }.sorted(), "\(name)")
            for (attachment, expected) in zip(message.attachments, attachments) where expected["embedded_message"] as? Bool == true {
                guard case .message = attachment.content else {
                    Issue.record("\(name): embedded message \(attachment.filename ?? "") not read")
                    continue
                }
            }
        }
        #expect(bodies >= 15)
    }

    /// Seconds since 1970 of "2016-12-03 18:08:54+00:00".
    static func timestamp(_ text: String) -> Int64? {
        let digits = text.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        guard digits.count >= 6 else { return nil }
        let days = CivilCalendar.days(year: digits[0], month: digits[1], day: digits[2])
        return Int64(days) * 86_400 + Int64(digits[3] * 3600 + digits[4] * 60 + digits[5])
    }

    @Test(
        "the compressed RTF of every corpus message passes its CRC, and its text carries the plain body's words",
        .enabled(if: Fixtures.corpus != nil, "../shared/corpus is not present"))
    func rtfAgainstPlainBodies() throws {
        var compared = 0
        for (path, _) in try Self.corpusMessages() {
            let file = try CompoundFile(path: path)
            let properties = try OutlookProperties(file: file, storage: file.root, kind: .message)
            guard let compressed = try properties.binary(0x1009) else { continue }
            let rtf = try CompressedRTF.decompress(compressed, limit: 64 << 20)
            #expect(rtf.starts(with: Array("{\\rtf1".utf8)), "\(path)")
            let text: String
            switch RTFText.content(of: rtf) {
            case .html(let html): text = HTMLText.convert(html)
            case .text(let plain): text = plain
            }
            let plain = Self.words(try properties.string(0x1000))
            guard plain.count >= 3 else { continue }
            let got = Set(Self.words(text).prefix(400))
            let wanted = plain.prefix(40)
            let found = wanted.filter { got.contains($0) }.count
            #expect(found * 10 >= wanted.count * 8, "\(path): \(found) of \(wanted.count) words")
            compared += 1
        }
        #expect(compared >= 8)
    }

    @Test("compressed RTF: literals and references expand, an uncompressed body passes through, a bad CRC and a short header are errors")
    func compressedRTF() throws {
        // [MS-OXRTFCP] 3.1.1's example: "{\rtf1\ansi\ansicpg1252\pard hello world}\r\n".
        let example: [UInt8] = [
            0x2D, 0x00, 0x00, 0x00, 0x2B, 0x00, 0x00, 0x00, 0x4C, 0x5A, 0x46, 0x75, 0xF1, 0xC5, 0xC7, 0xA7, 0x03, 0x00, 0x0A, 0x00, 0x72, 0x63, 0x70,
            0x67, 0x31, 0x32, 0x35, 0x42, 0x32, 0x0A, 0xF3, 0x20, 0x68, 0x65, 0x6C, 0x09, 0x00, 0x20, 0x62, 0x77, 0x05, 0xB0, 0x6C, 0x64, 0x7D, 0x0A,
            0x80, 0x0F, 0xA0,
        ]
        let expanded = try CompressedRTF.decompress(example, limit: 1 << 20)
        #expect(String(decoding: expanded, as: UTF8.self) == "{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n")
        var damaged = example
        damaged[30] ^= 0x01
        #expect(throws: CompressedRTF.Failure.self) { try CompressedRTF.decompress(damaged, limit: 1 << 20) }
        #expect(throws: CompressedRTF.Failure.self) { try CompressedRTF.decompress(Array(example.prefix(10)), limit: 1 << 20) }
        #expect(throws: CompressedRTF.Failure.self) { try CompressedRTF.decompress(example, limit: 10) }
        let raw = Array("{\\rtf1 plain}".utf8)
        let stored: [UInt8] = [UInt8(raw.count + 12), 0, 0, 0, UInt8(raw.count), 0, 0, 0, 0x4D, 0x45, 0x4C, 0x41, 0, 0, 0, 0] + raw
        #expect(try CompressedRTF.decompress(stored, limit: 1 << 20) == raw)
    }

    @Test("RTF text: code pages, \\u with fallbacks, destinations left out; encapsulated HTML recovered")
    func rtfText() {
        let rtf =
            #"{\rtf1\ansi\ansicpg1251{\fonttbl{\f0\fcharset0 Arial;}{\f1\fcharset238 Arial CE;}}{\*\generator Writer;}"#
            + #"\pard \'cf\'f0\'e8\'e2\'e5\'f2\par \f1 \'9a\'e1\f0\par \uc1\u8364?\u-3913?x\par {\pict 0102}Tab\tab end\emdash\par }"#
        #expect(RTFText.content(of: Array(rtf.utf8)) == .text("Привет\nšá\n€\u{F0B7}x\nTab\tend—\n"))
        let html =
            #"{\rtf1\ansi\ansicpg1252\fromhtml1 {\fonttbl{\f0 Arial;}}{\*\htmltag19 <html>}{\*\htmltag64 <p>}\htmlrtf {\htmlrtf0 "#
            + #"Caf\'e9 \{ok\}{\*\htmltag72 </p>}\htmlrtf }\htmlrtf0 \par{\*\htmltag27 </html>}}"#
        #expect(RTFText.content(of: Array(html.utf8)) == .html("<html><p>Café {ok}</p>\r\n</html>"))
    }

    static func fixture(_ name: String) throws -> MailMessage {
        try OutlookReader().read(path: Fixtures.path("outlook/" + name))
    }

    @Test("UTF-16 properties: sender, recipients by type, date, ids, body, attachments by value with their bytes")
    func plainUnicode() throws {
        let message = try Self.fixture("plain-utf16.msg")
        #expect(message.subject == "Q3 report – draft for review")
        #expect(message.from == [MailAddress(name: "Ada Lovelace", address: "ada@example.org")])
        #expect(message.to.map(\.address) == ["grace@example.org", "alan@example.org"])
        #expect(message.cc.map(\.address) == ["finance@example.org"])
        #expect(message.bcc.map(\.address) == ["archive@example.org"])
        #expect(message.date?.iso8601 == "2024-10-07T09:30:00+00:00")
        #expect(message.messageID == "q3-report@example.org")
        #expect(message.inReplyTo == ["planning@example.org"])
        #expect(message.textBody?.hasPrefix("Hi team,\n\nThe Q3 report is attached.") == true)
        #expect(message.textParts?.signature == nil || message.textParts?.newText.contains("Revenue rose") == true)
        #expect(message.attachments.map(\.filename) == ["Q3 report.docx", "notes.txt"])
        #expect(message.attachments[0].data == Fixtures.bytes(Fixtures.path("sample-report.docx")))
        #expect(message.attachments[0].contentType == "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        #expect(message.attachments[1].contentType == "text/plain")
        #expect(message.attachments.map(\.section) == ["1", "2"])
        // The categories: a multi-valued named property (one stream per value), found
        // through the file's named-property map.
        #expect(message.header("Keywords") == "Finance, Q3 review")
        #expect(MailRenderer().markdown(message).contains("- **Keywords:** Finance, Q3 review\n"))
        #expect(message.warnings.isEmpty)
    }

    @Test("8-bit properties in the message's code page; an Exchange sender gets the transport headers' SMTP address and zone")
    func codepage() throws {
        let message = try Self.fixture("codepage-1251.msg")
        #expect(message.subject == "Отчёт за квартал")
        #expect(message.from == [MailAddress(name: "Петров", address: "petrov@example.ru")])
        #expect(message.to == [MailAddress(name: "Команда", address: "team@example.ru")])
        #expect(message.textBody == "Коллеги, отчёт готов.\nСрок — пятница.\n")
        #expect(message.date?.iso8601 == "2024-10-07T12:30:00+03:00")
        #expect(message.messageID == "cp1251@example.ru")
        #expect(message.header("Received") == "from mail.example.ru")
        #expect(message.header("Keywords") == "Отчёты")
        // A message without categories gets no field.
        #expect(try Self.fixture("rtf-only.msg").header("Keywords") == nil)
    }

    @Test("multi-valued values: fixed-size runs, the PST count-and-offsets layout, and layouts that do not add up")
    func multipleValues() throws {
        func value(_ type: UInt16, _ bytes: [UInt8]) -> OutlookProperties {
            OutlookProperties(pst: [0x8000: PSTFile.Value(type: type, bytes: bytes)])
        }
        // Two strings: count 2, offsets 12 and 16, then "ab" and "c" in UTF-16.
        let strings: [UInt8] = [2, 0, 0, 0, 12, 0, 0, 0, 16, 0, 0, 0, 0x61, 0, 0x62, 0, 0x63, 0]
        #expect(try value(0x101F, strings).strings(0x8000) == ["ab", "c"])
        #expect(try value(0x101F, [0, 0, 0, 0]).strings(0x8000) == [])
        #expect(try value(0x1003, [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]).multiple(0x8000, type: 0x1003) == [[1, 0, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF]])
        #expect(try value(0x101F, strings).strings(0x8001) == nil)
        // A count larger than the value, an offset before the offsets' end or past the next
        // value, a fixed-size run that is not whole: each an error naming the property.
        for (type, bytes) in [
            (UInt16(0x101F), [9, 0, 0, 0, 8, 0, 0, 0] as [UInt8]), (0x101F, [1, 0, 0, 0, 2, 0, 0, 0]),
            (0x101F, [2, 0, 0, 0, 16, 0, 0, 0, 12, 0, 0, 0, 0x61, 0]),
            (0x101F, [1, 0]), (0x1003, [1, 0, 0]),
        ] {
            #expect(throws: DocumentError.self, "\(bytes)") { try value(type, bytes).multiple(0x8000, type: type) }
            do {
                _ = try value(type, bytes).multiple(0x8000, type: type)
            } catch {
                #expect(error.message.hasPrefix("property 0x8000"), "\(error.message)")
            }
        }
    }

    @Test("the named-property map: string names in PS_PUBLIC_STRINGS, PS_MAPI and a GUID of the file; damaged entries skipped")
    func namedProperties() {
        let other: [UInt8] = Array(0x10..<0x20)
        func name(_ text: String) -> [UInt8] {
            let utf16 = text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
            return [UInt8(utf16.count), 0, 0, 0] + utf16 + Array(repeating: 0, count: (4 - utf16.count % 4) % 4)
        }
        let strings = name("Keywords") + name("Flag")  // "Keywords" at 0, "Flag" at 20
        func entry(_ nameOrNumber: UInt32, kind: UInt16, set: UInt16, index: UInt16) -> [UInt8] {
            let word = set << 1 | kind
            return [
                UInt8(nameOrNumber & 0xFF), UInt8(nameOrNumber >> 8 & 0xFF), 0, 0, UInt8(word & 0xFF), UInt8(word >> 8), UInt8(index & 0xFF), UInt8(index >> 8),
            ]
        }
        let entries =
            entry(0x8501, kind: 0, set: 3, index: 0)  // numbered: not looked up by name
            + entry(0, kind: 1, set: 2, index: 1)  // "Keywords", PS_PUBLIC_STRINGS → 0x8001
            + entry(20, kind: 1, set: 3, index: 2)  // "Flag" in the file's first GUID → 0x8002
            + entry(20, kind: 1, set: 1, index: 3)  // "Flag" in PS_MAPI → 0x8003
            + entry(400, kind: 1, set: 2, index: 4)  // a name past the end of the strings
            + entry(0, kind: 1, set: 9, index: 5)  // a GUID index past the GUIDs
        let map = OutlookNamedProperties(guids: other, entries: entries, strings: strings)
        #expect(map.keywords == 0x8001)
        #expect(map.id(of: "Flag", in: OutlookNamedProperties.PropertySet(bytes: other)) == 0x8002)
        #expect(map.id(of: "Flag", in: .mapi) == 0x8003)
        #expect(map.id(of: "Flag", in: .publicStrings) == nil)
        #expect(map.damaged == 2)
        #expect(OutlookNamedProperties().keywords == nil)
    }

    @Test("a body only in compressed RTF becomes text; stored RTF too; RTF holding HTML gives the HTML and its text")
    func rtfBodies() throws {
        let rtf = try Self.fixture("rtf-only.msg")
        #expect(rtf.textBody == "Dear all,\n\nThe café budget is 1,200 euros — approved.\nNext review: €500 in May.\n\nRegards,\nBob\n")
        #expect(try Self.fixture("rtf-uncompressed.msg").textBody == "Stored, not compressed.\n")
        let html = try Self.fixture("html-in-rtf.msg")
        #expect(html.textBody == nil)
        #expect(html.htmlBody?.contains("<p>Meeting moved to <b>Thursday</b>.</p>") == true)
        #expect(html.htmlBody?.contains("Room: Café 2 &amp; 3") == true)
        #expect(html.htmlText?.contains("Meeting moved to **Thursday**.") == true || html.htmlText?.contains("Meeting moved to Thursday.") == true)
        #expect(html.htmlText?.contains("Room: Café 2 & 3") == true)
        #expect(html.htmlText?.contains("margin") == false)
    }

    @Test("an embedded message is read with its own attachment; a reference is reported, not followed")
    func embedded() throws {
        let message = try Self.fixture("embedded.msg")
        #expect(message.attachments.map(\.filename) == ["Original request.msg", "Budget.xlsx"])
        guard case .message(let inner) = message.attachments[0].content else {
            Issue.record("the embedded message was not read")
            return
        }
        #expect(inner.subject == "Original request")
        #expect(inner.from.first?.address == "dan@example.org")
        #expect(inner.to.first?.address == "ada@example.org")
        #expect(inner.textBody == "Could you send the figures?\n")
        #expect(inner.attachments.first?.data == Array("region,total\nNorth,1200\nSouth,800\n".utf8))
        #expect(message.attachments[0].contentType == "message/rfc822")
        #expect(message.attachments[1].data.isEmpty)
        #expect(message.warnings == ["attachment 2 'Budget.xlsx' is a link to \\\\fileserver\\finance\\Budget.xlsx (attached by reference): not followed"])
    }

    @Test("damage costs only what it touches: a bad RTF CRC, a body chain that loops, an attachment without its storage, nesting past the limit")
    func damaged() throws {
        let crc = try Self.fixture("hostile-rtf-crc.msg")
        #expect(crc.subject == "Bad RTF")
        #expect(crc.bestText == nil)
        #expect(crc.warnings.count == 1 && crc.warnings[0].contains("fails its CRC check"))
        let attachments = try Self.fixture("hostile-attachments.msg")
        #expect(attachments.attachments.map(\.filename) == ["good.txt", "broken.docx", "also-good.txt"])
        #expect(attachments.warnings.contains { $0.hasPrefix("attachment 3 could not be read") && $0.contains("storage is missing") })
        let chain = try Self.fixture("hostile-body-chain.msg")
        #expect(chain.subject == "Body chain broken" && chain.from.first?.address == "eve@example.org")
        #expect(chain.textBody == nil)
        #expect(chain.attachments.first?.data == Array("still here\n".utf8))
        #expect(chain.warnings.count == 1 && chain.warnings[0].hasPrefix("the plain-text body could not be read") && chain.warnings[0].contains("a loop"))
        let deep = try Self.fixture("hostile-deep-embedding.msg")
        var level = deep
        var depth = 0
        while case .message(let inner)? = level.attachments.first?.content {
            level = inner
            depth += 1
        }
        #expect(depth == 8)
        #expect(level.warnings.contains { $0.contains("8 levels deep was not read") })
        #expect(deep.warnings.count == 1 && deep.warnings[0].hasPrefix("in attached message 1 'level 1': in attached message 1 'level 2'"))
    }

    @Test("UTF-16 properties to text: every plane, surrogate pairs, a lone surrogate as U+FFFD, terminating zeros dropped, an odd byte ignored")
    func utf16Properties() {
        func le(_ text: String) -> [UInt8] { text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
        let sample = "Aé€ 東京 😀 Ωmega\r\n"
        #expect(OutlookProperties.utf16(le(sample)) == sample)
        #expect(OutlookProperties.utf16(le(sample) + [0, 0, 0, 0]) == sample)
        #expect(OutlookProperties.utf16(le("ab") + [0x41]) == "ab")
        #expect(OutlookProperties.utf16([0x3D, 0xD8, 0x41, 0x00]) == "\u{FFFD}A")  // a high surrogate, then no low one
        #expect(OutlookProperties.utf16([0x00, 0xDC, 0x42, 0x00]) == "\u{FFFD}B")  // a low surrogate alone
        #expect(OutlookProperties.utf16(le("x") + [0x3D, 0xD8]) == "x\u{FFFD}")  // cut after a high surrogate
        #expect(OutlookProperties.utf16([]) == "")
        // A body's line ends in the same pass, as MailBody.normaliseLineEnds makes them.
        for text in ["a\r\nb\rc\n\r\n", "x\0\0\0y\r", "\r\r\n\0z", "plain"] {
            #expect(OutlookProperties.utf16(le(text), normalisingLineEnds: true) == MailBody.normaliseLineEnds(text), "\(text.debugDescription)")
        }
        // ASCII goes four code units at a time: a CR, a NUL or a non-ASCII unit at every
        // position of a run, and runs of every length, come out as one at a time would.
        for special in ["\r", "\r\n", "\0", "é", "\u{1}", "\u{0C}", "\u{0E}", "\u{7F}", "\u{80}"] {
            for position in 0..<9 {
                for length in position..<(position + 6) {
                    let text = String(repeating: "a", count: position) + special + String(repeating: "b", count: length - position)
                    var stored = text  // without the terminating zeros, which are dropped
                    while stored.hasSuffix("\0") { stored.removeLast() }
                    #expect(OutlookProperties.utf16(le(text)) == stored, "\(text.debugDescription)")
                    #expect(OutlookProperties.utf16(le(text), normalisingLineEnds: true) == MailBody.normaliseLineEnds(stored), "\(text.debugDescription)")
                }
            }
        }
        // The same as the standard library's decoding, over every BMP code unit and a few pairs.
        var units = (0..<0x10000).map { UInt16($0) }.filter { $0 != 0 }
        units += [0xD83D, 0xDE00, 0xDBFF, 0xDFFF]
        let bytes = units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(OutlookProperties.utf16(bytes) == String(decoding: units, as: UTF16.self))
    }
}
