import QuireModel
import QuireTestSupport
import Testing

@testable import QuireMail

struct QuoteSplitterTests {
    @Test("Gmail attribution wrapped over two lines; the quote and the blank line before it go to history")
    func gmail() {
        let parts = QuoteSplitter.split(
            "Sounds good, see you then.\n\nOn Tue, Mar 5, 2024 at 9:00 AM Ada Lovelace <ada@example.org>\nwrote:\n> Shall we meet at ten?\n> Ada\n")
        #expect(parts.newText == "Sounds good, see you then.\n")
        #expect(parts.quoted == "On Tue, Mar 5, 2024 at 9:00 AM Ada Lovelace <ada@example.org>\nwrote:\n> Shall we meet at ten?\n> Ada\n")
        #expect(parts.signature == nil)
    }

    @Test("Outlook header blocks in English and German, and the Original Message separator")
    func outlook() {
        let english = QuoteSplitter.split(
            "Approved.\n\nBest regards,\nBob Smith\nHead of Finance\n\nFrom: Ada Lovelace <ada@example.org>\nSent: Tuesday, March 5, 2024 9:00 AM\nTo: Bob Smith\nSubject: Budget\n\nPlease approve.\n"
        )
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

    @Test("interleaved answers keep their order and the question they answer; '-- ' and device lines start signatures; nothing is lost")
    func inline() {
        let body = "> Can you do Friday?\nYes, Friday works.\n> And the room?\nRoom 4.\n\n-- \nCarol\nhttps://carol.example\n"
        let parts = QuoteSplitter.split(body)
        #expect(parts.newText == "> Can you do Friday?\nYes, Friday works.\n> And the room?\nRoom 4.\n")
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

struct BottomPostingTests {
    @Test("a bottom-posted reply: the attribution and the quote above are history, the text below is new")
    func bottom() {
        let parts = QuoteSplitter.split(
            "Nicu wrote:\n> Daniel wrote:\n>> no CD here\n> what did you do with the image?\n\nUse a 1.44 floppy with bootnet.img.\nThen type linux rescue.\n")
        #expect(parts.newText == "Use a 1.44 floppy with bootnet.img.\nThen type linux rescue.\n")
        #expect(parts.quoted == "Nicu wrote:\n> Daniel wrote:\n>> no CD here\n> what did you do with the image?\n")
    }

    @Test("text above and below one quote is all new, in order; an attribution without > lines still takes everything below")
    func aboveAndBelow() {
        let parts = QuoteSplitter.split("Short answer: yes.\n\nOn Mon, Ada wrote:\n> Is it ready?\n\nLonger answer: the build passed this morning.\n")
        #expect(parts.newText == "Short answer: yes.\n\nLonger answer: the build passed this morning.\n")
        let unmarked = QuoteSplitter.split("Fine by me.\n\nOn Mon, 1 Jan 2024, Ada <ada@example.org> wrote:\nIs it ready?\nAda\n")
        #expect(unmarked.newText == "Fine by me.\n")
        #expect(unmarked.quoted == "On Mon, 1 Jan 2024, Ada <ada@example.org> wrote:\nIs it ready?\nAda\n")
    }

    @Test("a mailing list's footer is furniture: not new text, not a signature")
    func footers() {
        let romanian = QuoteSplitter.split("Merge acum.\n\n---\nPentru dezabonare, trimiteti mail la\nlistar@lug.ro cu subiectul 'unsubscribe rlug'.\n")
        #expect(romanian.newText == "Merge acum.\n")
        #expect(romanian.footer?.hasPrefix("---\nPentru dezabonare") == true)
        let mailman = QuoteSplitter.split(
            "Patch attached.\n\nBob\n_______________________________________________\ndev mailing list\ndev@lists.example.org\nhttps://lists.example.org/mailman/listinfo/dev\n"
        )
        #expect(mailman.newText == "Patch attached.\n\nBob\n")
        #expect(mailman.footer?.contains("listinfo") == true)
        let groups = QuoteSplitter.split(
            "See you there.\n\n-- \nYou received this message because you are subscribed to the Google Groups \"team\" group.\nTo unsubscribe from this group, send an email to team+unsubscribe@googlegroups.com.\n"
        )
        #expect(groups.newText == "See you there.\n")
        #expect(groups.footer?.hasPrefix("You received this message") == true)
        // A plain rule in the text is not a footer.
        let rule = QuoteSplitter.split("Part one.\n---\nPart two.\n")
        #expect(rule.newText == "Part one.\n---\nPart two.\n" && rule.footer == nil)
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

struct ListThreadTests {
    @Test("a list thread: bottom-posted and interleaved replies keep their new text; the list footer is set apart")
    func listThread() throws {
        let bytes = try #require(Fixtures.bytes(Fixtures.path("mail/list-thread.mbox")))
        let messages = MboxReader().messages(in: bytes).map { $0.bytes.withUnsafeBufferPointer { MailReader().message($0) } }
        #expect(messages.count == 3)
        let parts = messages.map { $0.textParts }
        #expect(parts[0]?.newText == "The nightly build fails on ARM since Friday.\nDoes anyone know why?\n")
        #expect(parts[1]?.newText == "The compiler was upgraded to version 14 on Friday.\nPinning it to 13 fixes the build.\n")
        #expect(parts[1]?.quoted == "Ana wrote:\n> The nightly build fails on ARM since Friday.\n> Does anyone know why?\n")
        #expect(
            parts[2]?.newText
                == "> The compiler was upgraded to version 14 on Friday.\nI will revert the upgrade today.\n> Pinning it to 13 fixes the build.\nAgreed, pin it until the fix lands in May.\n"
        )
        for part in parts {
            #expect(part?.footer?.hasPrefix("---\nTo unsubscribe") == true)
            #expect(part?.signature == nil)
            #expect(part?.newText.contains("unsubscribe") == false)
        }
    }
}
