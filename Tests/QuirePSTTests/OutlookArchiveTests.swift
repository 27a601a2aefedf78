import Foundation
import QuireMail
import QuireModel
import QuirePST
import QuireTestSupport
import Testing

/// The PST fixtures of make_pst_fixtures.py: written from [MS-PST] by the project's own
/// writer and read back by libpff there, read here by QuirePST and `OutlookArchive`.
struct OutlookArchiveTests {
    /// Every message of the archive at `name`, with the folder counts.
    static func read(_ name: String, folder: String? = nil) throws -> (entries: [OutlookArchive.Entry], folders: [OutlookArchive.FolderCount]) {
        let archive = try OutlookArchive(path: Fixtures.path("outlook/" + name))
        var messages = archive.messages(folder: folder)
        var entries: [OutlookArchive.Entry] = []
        while let entry = messages.next() { entries.append(entry) }
        return (entries, messages.folders)
    }

    static func message(_ entry: OutlookArchive.Entry) throws -> MailMessage { try entry.result.get() }

    @Test(
        "the archive in each layout and encoding: folders, messages, people, bodies, attachments",
        arguments: [
            ("archive.pst", PSTFile.Format.unicode, PSTFile.Encoding.permute), ("archive-ansi.pst", .ansi, .permute), ("archive-cyclic.pst", .unicode, .cyclic),
            ("archive-4k.ost", .unicode, .permute),
        ])
    func archive(name: String, format: PSTFile.Format, encoding: PSTFile.Encoding) throws {
        let file = try PSTFile(path: Fixtures.path("outlook/" + name))
        #expect(file.format == format)
        #expect(file.encoding == encoding)
        #expect(file.pageSize == (name.hasSuffix(".ost") ? 4096 : 512))
        let (entries, folders) = try Self.read(name)
        let top = "Top of Personal Folders"
        #expect(
            entries.map(\.folder) == [top + "/Inbox", top + "/Inbox", top + "/Inbox", top + "/Inbox/Projects", top + "/Inbox/Projects", top + "/Sent Items"])
        #expect(folders.map(\.path) == ["", top, top + "/Inbox", top + "/Inbox/Projects", top + "/Sent Items", top + "/Deleted Items"])
        #expect(folders.map(\.listed) == [0, 0, 3, 2, 1, 0])
        #expect(folders.map(\.read) == [0, 0, 3, 2, 1, 0])
        #expect(folders.allSatisfy { $0.failed == 0 && $0.error == nil })
        let messages = try entries.map(Self.message)
        #expect(
            messages.map { $0.subject ?? "" }.dropFirst() == ["Offsite booked", "Budget approved", "FW: Original request", "Minutes (long)", "Re: Q3 report"])

        let report = messages[0]
        #expect(report.subject == (format == .unicode ? "Q3 report – draft for review" : "Q3 report - draft for review"))
        #expect(report.from == [MailAddress(name: "Ada Lovelace", address: "ada@example.org")])
        #expect(report.to == [MailAddress(name: "Grace Hopper", address: "grace@example.org")])
        #expect(report.cc == [MailAddress(name: "Finance", address: "finance@example.org")])
        #expect(report.date?.timestamp == 1_728_293_400)
        #expect(report.messageID == "q3-report@example.org")
        #expect(report.textBody?.contains("Revenue rose to 4.2 million") == true)
        #expect(report.attachments.map { $0.filename ?? "" } == ["Q3 report.docx", "notes.txt"])
        #expect(report.attachments[0].data == Fixtures.bytes(Fixtures.path("sample-report.docx")))
        #expect(report.attachments[1].data == Array("Remember the appendix.\n".utf8))
        #expect(report.attachments[1].contentType == "text/plain")
        // The categories: a multi-valued named property, found through node 0x61's map.
        #expect(report.header("Keywords") == "Finance, Q3 review")
        #expect(report.warnings.isEmpty)
        #expect(messages.dropFirst().allSatisfy { $0.header("Keywords") == nil })

        #expect(messages[1].htmlBody?.contains("<b>offsite</b>") == true)
        #expect(messages[1].htmlText?.contains("The offsite is booked for 14 November.") == true)
        #expect(messages[2].textBody?.contains("The café budget is 1,200 euros.") == true)

        let forward = messages[3]
        #expect(forward.attachments.count == 1)
        guard case .message(let inner)? = forward.attachments.first?.content else {
            Issue.record("the embedded message was not read")
            return
        }
        #expect(inner.subject == "Original request")
        #expect(inner.from.first?.address == "dan@example.org")
        #expect(inner.attachments.first?.data == Array("region,total\nNorth,1200\nSouth,800\n".utf8))

        let minutes = messages[4]
        let lines = (minutes.textBody ?? "").split(separator: "\n").filter { $0.hasPrefix("Line ") }
        #expect(lines.count == 400)
        #expect(minutes.bcc.map(\.address) == ["archive@example.org"])
        let scan: [UInt8] = (0..<20000).map { (k: Int) -> UInt8 in UInt8((k * 7 + k / 251) % 256) }
        #expect(minutes.attachments.first?.data == scan)

        let sent = messages[5]
        #expect(sent.inReplyTo == ["q3-report@example.org"])
        #expect(sent.date?.offsetMinutes == 180)
        #expect(sent.headers.contains { $0.name == "Received" })
    }

    @Test("--folder: a whole path or the end of one, any case, with the folders below it")
    func folderSelection() throws {
        #expect(try Self.read("archive.pst", folder: "inbox").entries.count == 5)
        #expect(
            try Self.read("archive.pst", folder: "Inbox/Projects").entries.map(\.folder) == Array(repeating: "Top of Personal Folders/Inbox/Projects", count: 2)
        )
        #expect(try Self.read("archive.pst", folder: "Top of Personal Folders/Sent Items/").entries.count == 1)
        #expect(try Self.read("archive.pst", folder: "projects").entries.count == 2)
        #expect(try Self.read("archive.pst", folder: "Inbox/Proj").entries.isEmpty)
        #expect(try Self.read("archive.pst", folder: "Sent Items/Inbox").entries.isEmpty)
    }

    @Test("8-bit strings in the message's code page; a folder name in Cyrillic; an unencoded file")
    func codepages() throws {
        let (entries, _) = try Self.read("codepage.pst")
        #expect(entries.map(\.folder) == ["Top of Personal Folders/Входящие"])
        let message = try Self.message(entries[0])
        #expect(message.subject == "Отчёт за квартал")
        #expect(message.from.first?.name == "Петров")
        #expect(message.textBody == "Коллеги, отчёт готов.\n")
        #expect(message.to == [MailAddress(name: "Команда", address: "team@example.ru")])
        #expect(message.header("Keywords") == "Отчёты")
        let plain = try Self.read("archive-plain.pst")
        #expect(try PSTFile(path: Fixtures.path("outlook/archive-plain.pst")).encoding == PSTFile.Encoding.none)
        #expect(try plain.entries.map { try Self.message($0).subject ?? "" } == ["Message 0", "Message 1", "Message 2"])
    }

    @Test("600 messages: B-trees of several levels and a row matrix over several blocks, in table order")
    func manyMessages() throws {
        let (entries, folders) = try Self.read("many.pst")
        #expect(try entries.map { try Self.message($0).subject ?? "" } == (0..<600).map { "Message \($0)" })
        #expect(folders.last == OutlookArchive.FolderCount(path: "Top of Personal Folders/Inbox", listed: 600, read: 600, failed: 0))
    }

    @Test("400 attachments: the message's subnodes in an SIBLOCK over two SLBLOCKs, every attachment in order with its bytes")
    func manyAttachments() throws {
        let (entries, _) = try Self.read("many-attachments.pst")
        let message = try Self.message(#require(entries.first))
        #expect(message.attachments.count == 400)
        #expect(message.attachments.map { $0.filename ?? "" } == (0..<400).map { String(format: "file-%03d.txt", $0) })
        #expect(message.attachments[399].data == Array("attachment 399\n".utf8))
        #expect(message.warnings.isEmpty)
    }

    @Test("a message whose block lies past the end fails alone; the count says so")
    func lostMessage() throws {
        let (entries, folders) = try Self.read("hostile-lost-message.pst")
        #expect(entries.count == 5)
        let failures = entries.compactMap { if case .failure(let error) = $0.result { error } else { nil } }
        #expect(failures.count == 1)
        #expect(failures.first?.message.contains("beyond the end of the file") == true)
        #expect(entries[1].index == 1)
        if case .success = entries[1].result { Issue.record("the damaged message was read") }
        #expect(folders.last == OutlookArchive.FolderCount(path: "Top of Personal Folders/Inbox", listed: 5, read: 4, failed: 1))
    }

    @Test("a 4 KiB-page OST: a compressed block that does not inflate costs its message only, and the error says so")
    func damagedCompressedBlock() throws {
        let (entries, folders) = try Self.read("hostile-ost-inflate.ost")
        #expect(entries.count == 3)
        guard case .failure(let error) = entries[0].result else {
            Issue.record("the message with the damaged block was read")
            return
        }
        #expect(error.message.contains("does not inflate"), "\(error.message)")
        #expect(try Self.message(entries[1]).subject == "Message 1")
        #expect(folders.last == OutlookArchive.FolderCount(path: "Top of Personal Folders/Inbox", listed: 3, read: 2, failed: 1))
    }

    @Test("a heap item whose offsets lie outside its block costs the properties it holds: the message is read with a warning")
    func damagedHeap() throws {
        let (entries, folders) = try Self.read("hostile-heap.pst")
        #expect(entries.count == 3)
        let first = try Self.message(entries[0])
        #expect(!first.warnings.isEmpty)
        #expect(first.warnings.allSatisfy { $0.contains("could not be read") && $0.contains("heap item") }, "\(first.warnings)")
        #expect(try Self.message(entries[1]).warnings.isEmpty)
        #expect(folders.reduce(0) { $0 + $1.read } == 3)
    }

    @Test("an attachment whose data tree lists itself is left out with a warning; the message and its other attachment stay")
    func damagedAttachment() throws {
        let (entries, folders) = try Self.read("hostile-xblock-loop.pst")
        #expect(entries.count == 6)
        let report = try Self.message(entries[0])
        #expect(report.attachments.map { $0.filename ?? "" } == ["notes.txt"])
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("data tree") == true, "\(report.warnings)")
        #expect(folders.reduce(0) { $0 + $1.failed } == 0)
    }

    @Test("a body whose subnode is lost costs the body only: a warning names it, the rest of the message stays")
    func lostBody() throws {
        let (entries, folders) = try Self.read("hostile-body-subnode.pst")
        let minutes = try Self.message(#require(entries.first { $0.folder.hasSuffix("Projects") && $0.index == 1 }))
        #expect(minutes.subject == "Minutes (long)")
        #expect(minutes.textBody == nil)
        #expect(minutes.warnings.count == 1)
        #expect(minutes.warnings.first?.hasPrefix("the plain-text body could not be read: ") == true, "\(minutes.warnings)")
        #expect(minutes.warnings.first?.contains("not in the block B-tree") == true)
        #expect(minutes.attachments.map { $0.filename ?? "" } == ["scan.bin"])
        #expect(folders.reduce(0) { $0 + $1.failed } == 0)
        #expect(folders.reduce(0) { $0 + $1.read } == 6)
    }

    @Test("a node B-tree that loops, or a file cut short: the walk ends with the error on the root folder")
    func damagedTrees() throws {
        for (name, words) in [("hostile-nbt-loop.pst", "level"), ("hostile-truncated.pst", "end of the file")] {
            let (entries, folders) = try Self.read(name)
            #expect(entries.isEmpty, "\(name)")
            #expect(folders.first?.error?.contains(words) == true, "\(name): \(folders)")
        }
    }

    @Test("a B-tree root at an offset near the top of the 64-bit range is an error naming the page, not an overflow (found by fuzz-pst)")
    func rootFarAway() throws {
        let original = try Array(Data(contentsOf: URL(fileURLWithPath: Fixtures.path("outlook/archive.pst"))))
        for (field, offset) in [(224, UInt64(0x7FFF_FFFF_FFFF_FF00)), (240, 0x7FFF_FFFF_FFFF_FFFF), (240, 0xFFFF_FFFF_FFFF_FF00)] {
            var bytes = original
            for k in 0..<8 { bytes[field + k] = UInt8(truncatingIfNeeded: offset >> (8 * UInt64(k))) }
            let file = try PSTFile(bytes: bytes, name: "far.pst")
            let error = #expect(throws: DocumentError.self) {
                // The root folder's node, then its data through the block B-tree.
                let node = try #require(try file.node(0x122))
                _ = try file.data(of: node)
            }
            #expect(error?.message.contains("runs past the end of the file") == true, "field \(field): \(String(describing: error))")
        }
    }

    @Test("an OST of a version after 36 and a file that is no PST are refused with what they are; a PST that claims 4 KiB pages fails on its first page")
    func refused() throws {
        let ost = #expect(throws: DocumentError.self) { try PSTFile(path: Fixtures.path("outlook/hostile-ost-version.ost")) }
        #expect(ost?.code == .unsupportedFormat)
        #expect(ost?.message.contains("version 37") == true)
        let (entries, folders) = try Self.read("hostile-ost-4k.ost")
        #expect(entries.isEmpty)
        #expect(folders.first?.error?.contains("the node B-tree") == true, "\(folders)")
        let other = #expect(throws: DocumentError.self) { try PSTFile(bytes: Array(repeating: 0x41, count: 600), name: "x.pst") }
        #expect(other?.code == .unsupportedFormat)
        #expect(throws: DocumentError.self) { try PSTFile(bytes: Array("!BDN".utf8), name: "short.pst") }
    }

    @Test(
        "conformance with libpff: folders, subjects, senders, bodies and attachments as libpff reads the same files",
        arguments: [
            "archive.pst", "archive-ansi.pst", "archive-cyclic.pst", "archive-plain.pst", "many.pst", "many-attachments.pst", "archive-4k.ost", "many-4k.ost",
        ])
    func libpffReference(name: String) throws {
        let data = try #require(Fixtures.bytes(Fixtures.path("outlook/pst-reference-libpff.json")))
        let all = try #require(JSONSerialization.jsonObject(with: Data(data)) as? [String: [[String: Any]]])
        let expected = try #require(all[name])
        /// One message as both readers see it, comparable across their orders (libpff lists
        /// a folder's messages in its own order).
        func summary(folder: String, subject: String?, sender: String?, text: String?, html: Bool, files: [(String, Int)]) -> String {
            let attachments = files.map { "\($0.0):\($0.1)" }.joined(separator: ",")
            return [folder, subject ?? "-", sender ?? "-", text ?? "-", html ? "html" : "", attachments].joined(separator: "|")
        }
        var theirs: [String] = []
        // libpff gives no plain text for a body stored only as HTML or compressed RTF.
        var withoutText: Set<String> = []
        for message in expected {
            let files = (message["attachments"] as? [[String: Any]] ?? []).compactMap { a in (a["name"] as? String).map { ($0, a["size"] as? Int ?? -1) } }
            let folder = message["folder"] as? String ?? ""
            let subject = message["subject"] as? String
            let text = (message["text"] as? String).map { $0.replacingOccurrences(of: "\r\n", with: "\n") }
            if text == nil { withoutText.insert(folder + "|" + (subject ?? "")) }
            theirs.append(
                summary(
                    folder: folder, subject: subject, sender: message["sender"] as? String, text: text, html: message["html"] as? Bool ?? false, files: files))
        }
        var ours: [String] = []
        for entry in try Self.read(name).entries {
            let message = try Self.message(entry)
            let files = message.attachments.compactMap { a -> (String, Int)? in
                if case .message = a.content { return nil }  // libpff sizes an embedded message its own way
                return a.filename.map { ($0, a.size) }
            }
            var text = message.textBody
            if withoutText.contains(entry.folder + "|" + (message.subject ?? "")) {
                // An HTML-only body, or the RTF's text (which libpff leaves as RTF): text all the same.
                #expect((message.textBody ?? message.htmlText)?.isEmpty == false)
                text = nil
            }
            ours.append(
                summary(
                    folder: entry.folder, subject: message.subject, sender: message.from.first?.name, text: text, html: message.htmlBody != nil, files: files))
        }
        #expect(ours.sorted() == theirs.sorted())
    }

    /// The Outlook archives of ../shared/corpus (none today: the test is then skipped).
    static let corpusArchiveFiles: [String] = {
        guard let corpus = Fixtures.corpus, let walker = FileManager.default.enumerator(atPath: corpus) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.lowercased().hasSuffix(".pst") || $0.lowercased().hasSuffix(".ost") }.map { corpus + "/" + $0 }
    }()

    @Test(
        "corpus archives: every message read or counted as failed, the counts adding up",
        .enabled(if: !corpusArchiveFiles.isEmpty, "../shared/corpus holds no .pst or .ost file"))
    func corpusArchives() throws {
        for path in Self.corpusArchiveFiles {
            let archive = try OutlookArchive(path: path)
            var messages = archive.messages()
            var read = 0
            var failed = 0
            while let entry = messages.next() {
                if case .success = entry.result { read += 1 } else { failed += 1 }
            }
            #expect(messages.folders.reduce(0) { $0 + $1.listed } == read + failed, "\(path)")
            #expect(messages.folders.allSatisfy { $0.error == nil }, "\(path): \(messages.folders.compactMap(\.error))")
        }
    }

    @Test("a copy with caches of its own reads every message as the archive it was made from, the two used in turn")
    func ownCaches() throws {
        for name in ["archive.pst", "archive-ansi.pst", "archive-4k.ost"] {
            let archive = try OutlookArchive(path: Fixtures.path("outlook/" + name))
            let copy = try archive.withOwnCaches()
            #expect(copy.file !== archive.file)
            #expect(copy.file.file == archive.file.file && copy.file.format == archive.file.format && copy.file.pageSize == archive.file.pageSize)
            var locations = archive.locations()
            var count = 0
            while let location = locations.next() {
                // Alternating, as the two extract threads do: neither depends on the other's caches.
                let (first, second) = count % 2 == 0 ? (archive, copy) : (copy, archive)
                let a = try first.message(nid: location.nid)
                let b = try second.message(nid: location.nid)
                #expect(a.subject == b.subject && a.textBody == b.textBody && a.htmlBody == b.htmlBody, "\(name) \(location.nid)")
                #expect(a.attachments.map(\.data) == b.attachments.map(\.data) && a.from == b.from && a.to == b.to, "\(name) \(location.nid)")
                count += 1
            }
            #expect(count == 6, "\(name)")
        }
    }
}
