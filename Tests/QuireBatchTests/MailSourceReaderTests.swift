import Foundation
import QuireBatch
import QuireImport
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
        #expect(!maildir.contains { $0.message.origin?.file.contains("/Maildir/tmp/") == true })
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
        var subjects = [reader.next()?.message.subject]
        // Gone after the folder was listed (a mail client moving it, say).
        try FileManager.default.removeItem(at: dir.appendingPathComponent("b.eml"))
        while let found = reader.next() { subjects.append(found.message.subject) }
        #expect(subjects == ["fine", "fine"])
        #expect(reader.failed == 2)
        #expect(reader.warnings.contains { $0.contains("b.eml") })
        #expect(reader.warnings.contains { $0.contains("missing.mbox") })
    }

    @Test("folders are walked as the messages are read, not listed up front")
    func lazyWalk() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quire-lazy-\(getpid())")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("a"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("b"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "From: a@example.org\nSubject: first\n\nHello.\n".write(
            to: dir.appendingPathComponent("a/1.eml"), atomically: true, encoding: .utf8)
        let reader = MailSourceReader(paths: [dir.path])
        let first = reader.next()
        #expect(first?.message.subject == "first")
        #expect(first?.folder == "a")
        // Written after the first message came: folder b/ has not been listed yet, so it is found.
        try "From: b@example.org\nSubject: second\n\nHello.\n".write(
            to: dir.appendingPathComponent("b/2.eml"), atomically: true, encoding: .utf8)
        let second = reader.next()
        #expect(second?.message.subject == "second")
        #expect(second?.folder == "b")
        #expect(reader.next() == nil)
        #expect(reader.failed == 0)
    }
}

struct BatchMessageLimitTests {
    @Test("a batch item's message longer than the importer's limit is cut with a warning, in an mbox, an .eml and an .emlx")
    func truncatedWithWarning() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quire-batch-limit-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let body = String(repeating: "A line of a long message body.\n", count: 200)
        let message = "From: a@example.org\nSubject: long\nMessage-ID: <long@x>\n\n" + body
        let mbox = dir.appendingPathComponent("box.mbox").path
        try ("From a@example.org Mon Jan  1 10:00:00 2024\n" + message).write(toFile: mbox, atomically: true, encoding: .utf8)
        let eml = dir.appendingPathComponent("m.eml").path
        try message.write(toFile: eml, atomically: true, encoding: .utf8)
        let emlx = dir.appendingPathComponent("1.emlx").path
        try ("\(message.utf8.count)\n" + message + "<?xml version=\"1.0\"?><plist/>").write(toFile: emlx, atomically: true, encoding: .utf8)
        let loader = ItemLoader(importer: Importer(maxMessageBytes: 1_000))
        for location in [
            MessageLocation(container: .mbox, file: mbox, offset: 0, index: 0), MessageLocation(container: .eml, file: eml),
            MessageLocation(container: .emlx, file: emlx),
        ] {
            let item = BatchItem(id: "msg:long@x", kind: .message, source: "s", subject: "long", date: nil, messages: [location], file: nil)
            guard case .messages(let messages) = try loader.load(item) else {
                Issue.record("not messages")
                continue
            }
            #expect(messages.first?.subject == "long", "\(location.container)")
            #expect(messages.first?.warnings.contains { $0.contains("only its first") } == true, "\(location.container)")
            #expect((messages.first?.textBody?.utf8.count ?? 0) < 1_000)
        }
        // Within the limit: no warning.
        let item = BatchItem(
            id: "msg:long@x", kind: .message, source: "s", subject: "long", date: nil, messages: [MessageLocation(container: .eml, file: eml)], file: nil)
        guard case .messages(let whole) = try ItemLoader().load(item) else {
            Issue.record("unexpected block or content: the checks below could not run")
            return
        }
        #expect(whole.first?.warnings.isEmpty == true)
    }
}
