import QuireMail
import QuireModel
import QuireRender
import QuireTestSupport
import Testing

struct PartSectionTests {
    @Test("parts and attachments carry IMAP section numbers; the message anchor is its Message-ID")
    func sections() throws {
        let bytes = try #require(Fixtures.bytes(Fixtures.path("mail/report-with-attachments.eml")))
        let message = try MailReader().read(bytes: bytes, name: "report.eml")
        #expect(message.parts.map(\.section) == ["", "1", "1.1", "1.2", "2", "3"])
        #expect(message.attachments.map(\.section) == ["2", "3"])
        #expect(Anchor.message(message) == "<report-2024-q1@example.com>")
        let json = MailRenderer().json(message, pretty: false)
        #expect(json.contains(#""id":"<report-2024-q1@example.com>""#))
        #expect(json.contains(#""part":"2""#) && json.contains(#""part":"1.2""#))
    }

    @Test("a message that is not multipart has its body as part 1; nested multiparts number within their parent")
    func singleAndNested() throws {
        let single =
            "From: a@example.org\r\nMessage-ID: <s@x>\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\nJVBERi0=\r\n"
        let one = try MailReader().read(bytes: Array(single.utf8), name: "s.eml")
        #expect(one.attachments.map(\.section) == ["1"])
        let nested = """
            From: a@example.org\r
            Content-Type: multipart/mixed; boundary="o"\r
            \r
            --o\r
            Content-Type: text/plain\r
            \r
            Body.\r
            --o\r
            Content-Type: multipart/mixed; boundary="i"\r
            \r
            --i\r
            Content-Type: text/csv; name="a.csv"\r
            Content-Disposition: attachment; filename="a.csv"\r
            \r
            x,y\r
            --i\r
            Content-Type: text/csv; name="b.csv"\r
            Content-Disposition: attachment; filename="b.csv"\r
            \r
            z,w\r
            --i--\r
            --o--\r

            """
        let message = try MailReader().read(bytes: Array(nested.utf8), name: "n.eml")
        #expect(message.attachments.map { "\($0.filename ?? "?")=\($0.section ?? "?")" } == ["a.csv=2.1", "b.csv=2.2"])
        #expect(Anchor.message(message) == nil)  // no Message-ID and not read from a file
    }
}
