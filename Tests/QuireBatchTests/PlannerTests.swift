import Foundation
import QuireBatch
import QuireInternalThreads
import QuireModel
import QuireTestSupport
import Testing

/// Sources found by content, items, dedup and selection, on the exports that
/// `TestDocuments/make_batch_fixtures.py` wrote.
struct PlannerTests {
    static let batch = Fixtures.path("batch")

    static func plan(
        _ sources: [BatchSource] = [BatchSource(path: batch)], per: BatchGranularity? = nil, selection: BatchSelection = BatchSelection()
    ) throws -> (items: [BatchItem], report: BatchPlanner.Report) {
        var items: [BatchItem] = []
        let report = try BatchPlanner(per: per, selection: selection).plan(sources) { items.append($0) }
        return (items, report)
    }

    @Test("every export kind is found by its content; tmp/ and the .msf index are not mail")
    func everyKind() throws {
        let (items, report) = try Self.plan(per: .message)
        let ids = Set(items.map(\.id))
        for id in [
            "msg:t1@example.org", "msg:t2@example.org", "msg:t3@example.org", "msg:rd1@example.org", "msg:rd2@example.org", "msg:cl1@example.org",
            "msg:cl2@example.org", "msg:g1@example.org", "msg:g2@example.org", "msg:tb1@example.org", "msg:md1@example.org", "msg:md2@example.org",
            "msg:md3@example.org", "msg:ap1@example.org", "msg:ap2@example.org", "msg:e1@example.org", "msg:msg-dup@example.org",
        ] {
            #expect(ids.contains(id), "\(id) missing")
        }
        #expect(!ids.contains("msg:md-tmp@example.org"), "a message in tmp/ is an unfinished delivery")
        #expect(items.count == 18)
        #expect(report.skippedFiles == 1, "Thunderbird's .msf index is not mail")
        let tally = try #require(report.tallies.first)
        #expect(tally.found == 20)
        #expect(tally.duplicates == 2)
        #expect(tally.items == 18)
        #expect(tally.filtered == 0)
    }

    @Test("Outlook .msg files are mail: one message each, threaded with .eml replies; other compound files are failing file items")
    func outlookMessages() throws {
        let dir = NSTemporaryDirectory() + "quire-batch-msg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["plain-utf16.msg", "codepage-1251.msg", "legacy-word.doc"] {
            try FileManager.default.copyItem(atPath: Fixtures.path("outlook/" + name), toPath: dir + "/" + name)
        }
        let reply =
            "From: Grace Hopper <grace@example.org>\r\nTo: ada@example.org\r\nSubject: Re: Q3 report\r\n"
            + "Message-ID: <reply@example.org>\r\nIn-Reply-To: <q3-report@example.org>\r\nDate: Tue, 8 Oct 2024 10:00:00 +0000\r\n\r\nLooks good.\r\n"
        try reply.write(toFile: dir + "/reply.eml", atomically: true, encoding: .utf8)

        let (messages, report) = try Self.plan([BatchSource(path: dir)], per: .message)
        #expect(Set(messages.filter { $0.kind == .message }.map(\.id)) == ["msg:q3-report@example.org", "msg:cp1251@example.ru", "msg:reply@example.org"])
        #expect(messages.first { $0.id == "msg:q3-report@example.org" }?.messages.first?.container == .msg)
        #expect(messages.filter { $0.kind == .file }.map { ($0.file as NSString?)?.lastPathComponent } == ["legacy-word.doc"])
        #expect(report.tallies[0].found == 4)

        let (threads, _) = try Self.plan([BatchSource(path: dir)])
        let thread = try #require(threads.first { $0.messages.count == 2 })
        #expect(thread.messages.map(\.container) == [.msg, .eml])
        // The runner reads the .msg as the importer does, attachments included.
        guard case .messages(let loaded) = try ItemLoader().load(thread) else {
            Issue.record("not messages")
            return
        }
        #expect(loaded.map(\.subject) == ["Q3 report – draft for review", "Re: Q3 report"])
        guard case .document = loaded[0].attachments.first?.content else {
            Issue.record("the .msg's attached report was not read")
            return
        }
        // Quire.messages(in:) walks the same way.
        let reader = MailSourceReader(paths: [dir])
        var subjects: [String] = []
        while let found = reader.next() { subjects.append(found.message.subject ?? "") }
        #expect(subjects.sorted() == ["Q3 report – draft for review", "Re: Q3 report", "Отчёт за квартал"])
    }

    @Test("an Outlook archive is a source like an mbox: each message with its folder and node, threads across folders, --folder, damage counted")
    func outlookArchive() throws {
        let archive = Fixtures.path("outlook/archive.pst")
        let (messages, report) = try Self.plan([BatchSource(path: archive)], per: .message)
        #expect(messages.count == 6)
        #expect(report.tallies[0].found == 6)
        let report1 = try #require(messages.first { $0.id == "msg:q3-report@example.org" })
        let location = try #require(report1.messages.first)
        #expect(location.container == .pst)
        #expect(location.folder == "Top of Personal Folders/Inbox")
        #expect(location.index == 0)
        // Messages without a Message-ID get a content key; each is its own.
        #expect(Set(messages.map(\.id)).count == 6)
        #expect(messages.filter { $0.id.hasPrefix("msg:sha:") }.count == 4)

        // The reply in Sent Items threads under the report in the Inbox.
        let (threads, _) = try Self.plan([BatchSource(path: archive)])
        let thread = try #require(threads.first { $0.messages.count == 2 })
        #expect(thread.messages.map { $0.folder ?? "" } == ["Top of Personal Folders/Inbox", "Top of Personal Folders/Sent Items"])
        guard case .messages(let loaded) = try ItemLoader().load(thread) else {
            Issue.record("not messages")
            return
        }
        #expect(loaded.map(\.subject) == ["Q3 report – draft for review", "Re: Q3 report"])
        #expect(loaded[0].origin?.folder == "Top of Personal Folders/Inbox")
        guard case .document = loaded[0].attachments.first?.content else {
            Issue.record("the archived message's attached report was not read")
            return
        }

        var selection = BatchSelection()
        selection.folders = ["projects"]
        let (projects, _) = try Self.plan([BatchSource(path: archive)], per: .message, selection: selection)
        #expect(projects.count == 2)

        let (damaged, damagedReport) = try Self.plan([BatchSource(path: Fixtures.path("outlook/hostile-lost-message.pst"))], per: .message)
        #expect(damaged.count == 4)
        #expect(damagedReport.tallies[0].unreadable == 1)
        #expect(damagedReport.warnings.contains { $0.contains("folder 'Top of Personal Folders/Inbox' message 2") })

        // Quire.messages(in:) walks the same way.
        let reader = MailSourceReader(paths: [Fixtures.path("outlook/hostile-lost-message.pst")])
        var subjects: [String] = []
        while let found = reader.next() { subjects.append(found.message.subject ?? "") }
        #expect(subjects == ["Message 0", "Message 2", "Message 3", "Message 4"])
        #expect(reader.failed == 1)
    }

    @Test("folders, labels and flags are kept with each message")
    func locations() throws {
        let (items, _) = try Self.plan(per: .message)
        func location(_ id: String) throws -> MessageLocation { try #require(items.first { $0.id == id }?.messages.first) }
        #expect(try location("msg:t3@example.org").labels == ["Friends, family", "Inbox"])
        #expect(try location("msg:t1@example.org").container == .mbox)
        #expect(try location("msg:md1@example.org").flags == "S")
        #expect(try location("msg:md2@example.org").flags == nil, "new/ messages have no flags yet")
        #expect(try location("msg:md3@example.org").folder == "Maildir/Work/Clients")
        #expect(try location("msg:md3@example.org").flags == "RS")
        #expect(try location("msg:ap1@example.org").container == .emlx)
        #expect(try location("msg:ap1@example.org").folder == "AppleMail/Inbox")
        #expect(try location("msg:e1@example.org").folder == "eml/2024")
        // A Maildir given as the source is the INBOX.
        let (direct, _) = try Self.plan([BatchSource(path: Self.batch + "/Maildir")], per: .message)
        #expect(direct.first { $0.id == "msg:md1@example.org" }?.messages.first?.folder == "INBOX")
        #expect(direct.first { $0.id == "msg:md3@example.org" }?.messages.first?.folder == "Work/Clients")
    }

    @Test("a message without Message-ID exported twice (LF and CRLF) is one message")
    func duplicateWithoutID() throws {
        let (items, report) = try Self.plan([BatchSource(path: Self.batch + "/eml")], per: .message)
        #expect(items.filter { $0.id.hasPrefix("msg:sha:") }.count == 1)
        #expect(report.tallies[0].duplicates == 1)
        #expect(report.tallies[0].found == 3)
    }

    @Test("the same Message-ID in two sources is done once and counted as a duplicate where it was seen again")
    func duplicateAcrossSources() throws {
        let sources = [BatchSource(path: Self.batch + "/Maildir"), BatchSource(path: Self.batch + "/takeout.mbox")]
        let (items, report) = try Self.plan(sources, per: .message)
        #expect(items.filter { $0.id == "msg:msg-dup@example.org" }.count == 1)
        #expect(report.tallies[0].duplicates == 0)
        #expect(report.tallies[1].duplicates == 1)
        #expect(report.tallies[1].items == 3)
    }

    @Test("threads: Gmail's X-GM-THRID where the export has it, References otherwise")
    func threads() throws {
        let (items, _) = try Self.plan(per: .thread)
        let budget = try #require(items.first { $0.id == "thread:gmail:1001" })
        #expect(budget.kind == .thread)
        #expect(budget.messages.map(\.messageID) == ["t1@example.org", "t2@example.org"])
        let group = try #require(items.first { $0.id == "thread:g1@example.org" })
        #expect(group.messages.map(\.messageID) == ["g1@example.org", "g2@example.org"])
        // Threads are ordered by their first message's date.
        let dates = items.compactMap(\.date)
        #expect(dates == dates.sorted())
        // Mail defaults to threads.
        let (defaults, _) = try Self.plan()
        #expect(defaults.map(\.id) == items.map(\.id))
    }

    @Test("--label, --folder, --since, --until and --from select; what they leave out is counted")
    func selection() throws {
        let work = try Self.plan(per: .message, selection: BatchSelection(labels: ["work"])).items.map(\.id)
        #expect(work == ["msg:t1@example.org", "msg:t2@example.org"])
        let clients = try Self.plan(per: .message, selection: BatchSelection(folders: ["Work"])).items.map(\.id)
        #expect(clients == ["msg:md3@example.org"])
        let day = Int64(1_704_672_000)  // 2024-01-08T00:00:00Z
        let since = try Self.plan(per: .message, selection: BatchSelection(since: day, until: day + 86_400))
        #expect(Set(since.items.map(\.id)) == ["msg:tb1@example.org", "msg:md1@example.org"])
        #expect(since.report.tallies[0].filtered == 16)
        let from = try Self.plan(per: .message, selection: BatchSelection(from: ["@example.org"], limit: 3))
        #expect(from.items.count == 3)
        let eve = try Self.plan(per: .message, selection: BatchSelection(from: ["eve@"])).items.map(\.id)
        #expect(eve == ["msg:rd1@example.org", "msg:rd2@example.org"])
    }

    @Test("shards are disjoint, cover everything, and never split a thread")
    func shards() throws {
        let all = try Self.plan().items.map(\.id)
        var union: [String] = []
        for k in 0..<3 {
            let part = try Self.plan(selection: BatchSelection(shard: (k, 3))).items.map(\.id)
            #expect(Set(part).isDisjoint(with: union))
            union += part
        }
        #expect(Set(union) == Set(all))
        #expect(union.count == all.count)
    }

    @Test("documents are file items with a content hash; a list of paths is one source")
    func documents() throws {
        let list = BatchSource(label: "standard input", paths: [Fixtures.path("sample-report.docx"), Fixtures.path("sales.xlsx")])
        let (items, report) = try Self.plan([list])
        #expect(items.count == 2)
        #expect(items.allSatisfy { $0.kind == .file && $0.id.hasPrefix("file:") && $0.id.contains("#") })
        #expect(items[0].file == Fixtures.path("sample-report.docx"))
        #expect(report.tallies[0].source == "standard input")
        #expect(report.tallies[0].found == 2)
    }

    @Test("--per file makes each mail file one item")
    func mailFiles() throws {
        let (items, _) = try Self.plan([BatchSource(path: Self.batch + "/takeout.mbox")], per: .file)
        #expect(items.count == 1)
        #expect(items[0].file == Self.batch + "/takeout.mbox")
    }
}

struct PlannerSequenceTests {
    @Test("the items as an async sequence are those the callback gets, then the report")
    func sequence() async throws {
        let (expected, _) = try PlannerTests.plan(per: .message)
        let reported = ReportBox()
        var ids: [String] = []
        for try await item in BatchPlanner(per: .message).items([BatchSource(path: PlannerTests.batch)], report: { reported.set($0.tallies[0].items) }) {
            ids.append(item.id)
        }
        #expect(ids == expected.map(\.id))
        #expect(reported.value == expected.count)
    }
}

final class ReportBox: Sendable {
    private let box = Locked(0)
    var value: Int { box.withLock { $0 } }
    func set(_ n: Int) { box.withLock { $0 = n } }
}

struct OLESourceTests {
    @Test("an encrypted or legacy Office file in a source is an item that fails with the reader's words, never skipped unsaid")
    func oleFiles() async throws {
        let source = BatchSource(label: "list", paths: [Fixtures.path("encrypted.docx"), Fixtures.path("legacy-word97.doc")])
        let (items, report) = try PlannerTests.plan([source])
        #expect(items.count == 2 && report.skippedFiles == 0)
        let (ledger, results, path) = try RunnerTests.setUp([source])
        _ = try await BatchRunner(task: .extract, route: nil).run(ledger: ledger, results: results)
        results.close()
        let lines = try RunnerTests.lines(path)
        let messages = lines.compactMap { ($0["error"] as? [String: Any])?["message"] as? String }
        #expect(messages.count == 2)
        #expect(messages.contains { $0.contains("password-protected") })
        #expect(messages.contains { $0.contains("Word 97–2003 document (.doc)") })
    }
}
