import Foundation
import QuireMail
import QuireModel
import QuireTestSupport
import Testing

/// The pull reader gives exactly the messages of the callback reader.
struct MboxMessageReaderTests {
    static func compare(_ path: String, maxMessageBytes: Int = MailReader.Limits.defaultMessageBytes) throws -> Int {
        let reader = MboxReader(maxMessageBytes: maxMessageBytes)
        var pushed: [MboxReader.Entry] = []
        try reader.forEachMessage(path: path) { pushed.append($0) }
        var pulled: [MboxReader.Entry] = []
        let messages = try reader.messages(path: path)
        while let entry = try messages.next() { pulled.append(entry) }
        #expect(try messages.next() == nil)
        #expect(pulled.count == pushed.count, "\(path)")
        for (a, b) in zip(pulled, pushed) {
            #expect(a.bytes == b.bytes && a.offset == b.offset && a.index == b.index && a.envelope == b.envelope, "\(path) #\(a.index)")
            #expect(a.droppedBytes == b.droppedBytes)
        }
        return pulled.count
    }

    @Test("fixture mailboxes: the same messages as forEachMessage", arguments: ["thread.mbox", "list-thread.mbox"])
    func fixtures(name: String) throws {
        #expect(try Self.compare(Fixtures.path("mail/" + name)) >= 3)
    }

    @Test("messages longer than the limit are cut the same way")
    func limit() throws {
        #expect(try Self.compare(Fixtures.path("mail/thread.mbox"), maxMessageBytes: 200) >= 3)
    }

    @Test("a mailbox larger than one read piece: messages across the piece boundaries come whole")
    func acrossPieces() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quire-mbox-pull-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = ""
        for i in 0..<3_000 {
            text += "From sender\(i)@example.org Mon Jan  1 10:00:00 2024\nSubject: message \(i)\n\n"
            text += String(repeating: "line of body text \(i)\n", count: 30) + "\n"
        }
        let path = dir.appendingPathComponent("big.mbox").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(text.utf8.count > 2 << 20)
        #expect(try Self.compare(path) == 3_000)
        let messages = try MboxReader().messages(path: path)
        let first = try messages.next()
        #expect(first.map { String(decoding: $0.bytes, as: UTF8.self) }?.hasPrefix("Subject: message 0\n") == true)
    }

    @Test("a missing file is an error naming it")
    func missing() {
        #expect {
            _ = try MboxReader().messages(path: "/nonexistent/box.mbox")
        } throws: { error in
            (error as? DocumentError)?.file == "/nonexistent/box.mbox"
        }
    }

    @Test("corpus mailboxes: the same messages as forEachMessage", .enabled(if: Fixtures.corpus != nil, "../shared/corpus is not present"))
    func corpus() throws {
        let text = try String(contentsOfFile: Fixtures.corpus! + "/MANIFEST.tsv", encoding: .utf8)
        let files = text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: "\t").map(String.init)
            return fields.count >= 2 && fields[1] == "mbox" ? fields[0] : nil
        }
        #expect(!files.isEmpty)
        for file in files { #expect(try Self.compare(Fixtures.corpus! + "/" + file) >= 1) }
    }
}
