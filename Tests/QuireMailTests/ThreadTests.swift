import QuireModel
@testable import QuireMail
import Testing

struct QuoteSplitterTests {
    @Test("Gmail attribution wrapped over two lines; the quote and the blank line before it go to history")
    func gmail() {
        let parts = QuoteSplitter.split("Sounds good, see you then.\n\nOn Tue, Mar 5, 2024 at 9:00 AM Ada Lovelace <ada@example.org>\nwrote:\n> Shall we meet at ten?\n> Ada\n")
        #expect(parts.newText == "Sounds good, see you then.\n")
        #expect(parts.quoted == "On Tue, Mar 5, 2024 at 9:00 AM Ada Lovelace <ada@example.org>\nwrote:\n> Shall we meet at ten?\n> Ada\n")
        #expect(parts.signature == nil)
    }

    @Test("Outlook header blocks in English and German, and the Original Message separator")
    func outlook() {
        let english = QuoteSplitter.split("Approved.\n\nBest regards,\nBob Smith\nHead of Finance\n\nFrom: Ada Lovelace <ada@example.org>\nSent: Tuesday, March 5, 2024 9:00 AM\nTo: Bob Smith\nSubject: Budget\n\nPlease approve.\n")
        #expect(english.newText == "Approved.\n")
        #expect(english.signature == "Best regards,\nBob Smith\nHead of Finance\n")
        #expect(english.quoted?.hasPrefix("From: Ada Lovelace") == true)
        #expect(english.quoted?.hasSuffix("Please approve.\n") == true)
        let german = QuoteSplitter.split("Passt.\n\nVon: Ada Lovelace\nGesendet: Dienstag, 5. März 2024 09:00\nAn: Bob\nBetreff: Budget\n\nBitte freigeben.\n")
        #expect(german.newText == "Passt.\n")
        #expect(german.quoted?.contains("Bitte freigeben.") == true)
        let separator = QuoteSplitter.split("See below.\n-----Original Message-----\nFrom: x@example.org\nold text\n")
        #expect(separator.newText == "See below.\n")
        #expect(separator.quoted == "-----Original Message-----\nFrom: x@example.org\nold text\n")
    }

    @Test("inline replies keep their order; '-- ' and device lines start signatures; nothing is lost")
    func inline() {
        let body = "> Can you do Friday?\nYes, Friday works.\n> And the room?\nRoom 4.\n\n-- \nCarol\nhttps://carol.example\n"
        let parts = QuoteSplitter.split(body)
        #expect(parts.newText == "Yes, Friday works.\nRoom 4.\n")
        #expect(parts.quoted == "> Can you do Friday?\n> And the room?\n")
        #expect(parts.signature == "-- \nCarol\nhttps://carol.example\n")
        let phone = QuoteSplitter.split("On my way.\n\nSent from my iPhone\n")
        #expect(phone.newText == "On my way.\n" && phone.signature == "Sent from my iPhone\n")
        let last = QuoteSplitter.split("Please send it.\nThanks\n")
        #expect(last.newText == "Please send it.\n" && last.signature == "Thanks\n")
        let plain = QuoteSplitter.split("Thanks for the report, the numbers look right to me.\n")
        #expect(plain.newText == "Thanks for the report, the numbers look right to me.\n" && plain.quoted == nil && plain.signature == nil)
    }
}

struct ThreaderTests {
    static func message(_ id: String, _ subject: String, _ time: Int64?, inReplyTo: [String] = [], references: [String] = []) -> MailMessage {
        MailMessage(
            subject: subject, from: [MailAddress(name: nil, address: id + "@x")], date: time.map { MailDate(raw: "\($0)", timestamp: $0) },
            messageID: id, inReplyTo: inReplyTo, references: references)
    }

    @Test("references link replies, a missing parent holds its place, threads are in date order")
    func references() {
        let messages = [
            Self.message("c", "Re: Plan", 300, references: ["a", "b"]),
            Self.message("a", "Plan", 100),
            Self.message("other", "Lunch?", 150),
            // b is missing: c still belongs under a through it.
            Self.message("d", "Re: Plan", 200, inReplyTo: ["a"]),
        ]
        let threads = Threader.threads(messages)
        #expect(threads.map(\.subject) == ["Plan", "Lunch?"])
        #expect(threads[0].messages.map(\.messageID) == ["a", "d", "c"])
    }

    @Test("the subject joins a reply that lost its references; unrelated equal subjects stay apart")
    func subjects() {
        let threads = Threader.threads([
            Self.message("a", "Budget 2024", 100),
            Self.message("b", "RE: AW: Budget 2024", 200),
            Self.message("c", "[team] Re: Budget 2024", 300),
            Self.message("d", "Status", 400),
            Self.message("e", "Status", 500),
        ])
        #expect(threads.map { $0.messages.compactMap(\.messageID) } == [["a", "b", "c"], ["d"], ["e"]])
        #expect(Threader.baseSubject("Re[2]: Fwd:  [list] Hello   world") == "hello world")
    }

    @Test("reference cycles and duplicate ids do not hang or lose messages")
    func cycles() {
        let threads = Threader.threads([
            Self.message("a", "x", 1, references: ["b"]),
            Self.message("b", "x", 2, references: ["a"]),
            Self.message("a", "x", 3),
        ])
        #expect(threads.flatMap(\.messages).count == 3)
    }
}
