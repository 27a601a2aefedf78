import Foundation
import QuireModel
import QuireTestSupport
import Testing

@testable import QuireMail

/// Every EML of ../shared/corpus against Python's email package (policy default).
extension String {
    func commonPrefix(with other: String) -> String {
        var out = ""
        for (a, b) in zip(self, other) {
            guard a == b else { break }
            out.append(a)
        }
        return out
    }
}

struct MailConformanceTests {
    struct Tally {
        var agree = 0
        var total = 0
        var misses: [String] = []
        mutating func check(_ ok: Bool, _ what: @autoclosure () -> String) {
            total += 1
            if ok { agree += 1 } else { misses.append(what()) }
        }
    }

    static func collapse(_ s: String?) -> String? {
        s.map { $0.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ") }
    }

    static func addresses(_ text: String?) -> [String] {
        guard let text else { return [] }
        return AddressList.parse(text).map { $0.address.lowercased() }.filter { !$0.isEmpty }
    }

    @Test(
        "every corpus mail is read, and fields agree with Python's email where it is sound",
        .enabled(if: Fixtures.corpus != nil, "../shared/corpus is not present"))
    func conformance() throws {
        let corpus = try #require(Fixtures.corpus)
        let manifest = try String(contentsOfFile: corpus + "/MANIFEST.tsv", encoding: .utf8)
        var fields: [String: Tally] = [:]
        var read = 0
        var rejected = 0
        var files = 0
        var mboxes: [(String, String)] = []
        for line in manifest.split(separator: "\n").dropFirst() {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count > 10 else { continue }
            if columns[1] == "mbox" {
                mboxes.append((columns[0], columns[10]))
                continue
            }
            guard columns[1] == "eml" else { continue }
            files += 1
            let path = corpus + "/" + columns[0]
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
            let message: MailMessage
            do {
                message = try MailReader().read(bytes: bytes, name: columns[0])
                read += 1
            } catch {
                rejected += 1
                continue
            }
            guard columns[10] == "ok",
                let data = try? Data(contentsOf: URL(fileURLWithPath: corpus + "/reference/" + columns[0] + ".json")),
                let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let email = json["email"] as? [String: Any]
            else { continue }
            let name = columns[0]
            let subject = email["subject"] as? String
            fields["subject", default: Tally()].check(
                Self.collapse(subject) == Self.collapse(message.subject), "\(name): \(subject ?? "nil") | \(message.subject ?? "nil")")
            for (key, ours) in [("from", message.from), ("to", message.to), ("cc", message.cc)] {
                let theirs = Self.addresses(email[key] as? String)
                let mine = ours.map { $0.address.lowercased() }.filter { !$0.isEmpty }
                fields[key, default: Tally()].check(theirs == mine, "\(name): \(theirs) | \(mine)")
            }
            if let parsed = email["date_parsed"] as? String {
                fields["date", default: Tally()].check(
                    parsed == message.date?.iso8601, "\(name): \(parsed) | \(message.date?.iso8601 ?? "nil") (\(message.date?.raw ?? ""))")
            }
            let id = (email["message-id"] as? String).map { MessageIDs.parse($0).first ?? $0 }
            fields["message-id", default: Tally()].check(id == message.messageID, "\(name): \(id ?? "nil") | \(message.messageID ?? "nil")")
            if let body = email["text_body"] as? String {
                let theirs = MailBody.normaliseLineEnds(body)
                let mine = message.textBody ?? "nil"
                let same = theirs.commonPrefix(with: mine)
                fields["text_body", default: Tally()].check(
                    theirs == message.textBody,
                    "\(name) at \(same.count): \(theirs.dropFirst(same.count).prefix(60).debugDescription) | \(mine.dropFirst(same.count).prefix(60).debugDescription)"
                )
            }
            if let attachments = email["attachments"] as? [[String: Any]] {
                let theirs = attachments.compactMap { $0["filename"] as? String }.sorted()
                // Python lists the parts of the top multipart only.
                let mine = message.attachments.filter { $0.depth == 1 }.compactMap(\.filename).sorted()
                fields["attachments", default: Tally()].check(theirs == mine, "\(name): \(theirs) | \(mine)")
            }
        }
        // Mailboxes: the messages and their subjects and senders, in order.
        for (name, status) in mboxes {
            files += 1
            let path = corpus + "/" + name
            var messages: [MailMessage] = []
            try MboxReader().forEachMessage(path: path) { entry in
                messages.append(entry.bytes.withUnsafeBufferPointer { MailReader().message($0) })
            }
            read += 1
            guard status == "ok",
                let data = try? Data(contentsOf: URL(fileURLWithPath: corpus + "/reference/" + name + ".json")),
                let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let mbox = json["mbox"] as? [String: Any], let count = mbox["message_count"] as? Int,
                let references = mbox["messages"] as? [[String: Any]]
            else { continue }
            fields["mbox messages", default: Tally()].check(count == messages.count, "\(name): \(count) | \(messages.count)")
            for (reference, message) in zip(references, messages) {
                let subject = reference["subject"] as? String
                fields["mbox subject", default: Tally()].check(
                    Self.collapse(subject) == Self.collapse(message.subject), "\(name): \(subject ?? "nil") | \(message.subject ?? "nil")")
                let from = Self.addresses(reference["from"] as? String)
                fields["mbox from", default: Tally()].check(from == message.from.map { $0.address.lowercased() }, "\(name): \(from) | \(message.from)")
            }
        }
        var agree = 0
        var total = 0
        for (key, tally) in fields.sorted(by: { $0.key < $1.key }) {
            agree += tally.agree
            total += tally.total
            print("  \(key): \(tally.agree)/\(tally.total)")
            for miss in tally.misses.prefix(40) { print("    ✗ \(miss.prefix(300))") }
        }
        let rate = total == 0 ? 0 : Double(agree) / Double(total) * 100
        print(
            "Mail conformance: \(files) EML and mbox files, \(read) read, \(rejected) rejected cleanly; field agreement \(agree)/\(total) = \(String(format: "%.2f", rate))% on sound references"
        )
        #expect(read + rejected == files)
    }
}
