import Foundation
import QuireBatch
import QuireMail
import QuireModel
import QuireTestSupport
import Testing

struct MailSourceReaderTests {
    static func all(_ paths: [String]) -> (found: [MailSourceReader.Found], reader: MailSourceReader) {
        let reader = MailSourceReader(paths: paths)
        var found: [MailSourceReader.Found] = []
        while let next = reader.next() { found.append(next) }
        return (found, reader)
    }

    @Test("every kind of source: mbox, Maildir (cur and new, never tmp), Maildir++ folders, .emlx, .eml folders")
    func everyKind() throws {
        let root = Fixtures.path("batch")
        let (found, reader) = Self.all([root])
        // Expected counts, each from the files themselves.
        var mboxCount = 0
        for name in ["groups.mbox", "mboxcl.mbox", "mboxrd.mbox", "takeout.mbox", "Thunderbird/Inbox"] {
            mboxCount += MboxReader().messages(in: try #require(Fixtures.bytes(root + "/" + name))).count
        }
        let fromMboxes = found.filter { $0.message.origin?.index != nil }
        #expect(fromMboxes.count == mboxCount)
        let maildir = found.filter { $0.message.origin?.file.contains("/Maildir/") == true }
        #expect(maildir.count == 4)
        #expect(!maildir.contains { $0.message.origin?.file.contains("/tmp/") == true })
        #expect(maildir.contains { $0.folder?.hasSuffix("Work/Clients") == true })
        let emlx = found.filter { $0.message.origin?.file.hasSuffix(".emlx") == true }
        #expect(emlx.count == 2)
        #expect(emlx.allSatisfy { $0.folder == "AppleMail/Inbox" })
        #expect(found.filter { $0.message.origin?.file.hasSuffix(".eml") == true }.count == 3)
        #expect(found.count == mboxCount + 4 + 2 + 3)
        #expect(reader.failed == 0)
        #expect(reader.skipped >= 1)  // Thunderbird's .msf index
        #expect(reader.next() == nil)
    }

    @Test("messages come read: subjects and bodies as MailReader gives them, in file order")
    func messagesRead() throws {
        let path = Fixtures.path("mail/thread.mbox")
        let (found, _) = Self.all([path])
        let expected = MboxReader().messages(in: try #require(Fixtures.bytes(path))).map { try? MailReader().read(bytes: $0.bytes, name: path) }
        #expect(found.map(\.message.subject) == expected.map { $0?.subject })
        #expect(found.map { $0.message.origin?.index } == Array(0..<expected.count))
    }

    @Test("a file that cannot be read is counted and described, and the rest go on")
    func failures() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quire-source-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = "From: a@example.org\nSubject: fine\n\nHello.\n"
        for name in ["a.eml", "b.eml", "c.eml"] {
            try good.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let reader = MailSourceReader(paths: [dir.path, dir.path + "/missing.mbox"])
        // Gone between the walk and the read (a mail client moving it, say).
        try FileManager.default.removeItem(at: dir.appendingPathComponent("b.eml"))
        var subjects: [String?] = []
        while let found = reader.next() { subjects.append(found.message.subject) }
        #expect(subjects == ["fine", "fine"])
        #expect(reader.failed == 1)
        #expect(reader.warnings.contains { $0.contains("b.eml") })
        #expect(reader.warnings.contains { $0.contains("missing.mbox") })
    }
}
