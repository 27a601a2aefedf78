public import QuireModel

/// Separates what a message says from the history it quotes and from its signature.
///
/// Quoted history is found by position. An Outlook separator ("-----Original Message-----"
/// and translations, a forwarded-message banner) or an Outlook header block ("From: … /
/// Sent: … / To: … / Subject: …" in several languages) starts history that runs to the end.
/// Above it, lines starting with `>` are quoted, with the attribution that opens them ("On …
/// wrote:" and its equivalents in German, French, Spanish, Italian, Dutch, Portuguese,
/// Polish, Swedish, Russian, Chinese, Japanese); every other run of text is new, whether it
/// stands above the quote, below it (bottom-posting) or between quotes — where an answer
/// keeps the quoted question just above it. An attribution not followed by `>` lines starts
/// history to the end. A mailing list's footer (a rule, then unsubscribe boilerplate) is set
/// apart as furniture. The
/// signature is what follows a `-- ` line, or a closing phrase ("Best regards,",
/// "Mit freundlichen Grüßen", "Sent from my iPhone" …) with at most a few short lines after
/// it, at the end of the new text. Nothing is dropped: the three parts together hold every
/// line of the body.
public enum QuoteSplitter {
    /// Splits a message's text into the new text, the quoted history, the signature and a list footer.
    public static func split(_ body: String) -> MailTextParts {
        var lines = QuoteSplitter.lines(body)
        // A mailing list's footer (a rule, then unsubscribe boilerplate) is furniture.
        var footer: [Substring] = []
        if let start = footerStart(lines) {
            footer = Array(lines[start...])
            lines = Array(lines[..<start])
        }
        // A separator or an Outlook header block: everything below is history, quoted or not.
        let hard = hardHistoryStart(lines)
        let head = hard.map { Array(lines[..<$0]) } ?? lines
        let (runs, quotedAbove, tail) = textRuns(head)
        var quoted = quotedAbove
        // Answers between quotes keep the question they answer (the quote just above them).
        var newLines: [Substring] = []
        let interleaved = runs.filter { !$0.quote.isEmpty }.count >= 2
        for run in runs {
            if interleaved && !run.quote.isEmpty {
                var context = Array(run.quote.suffix(8))
                while context.last?.trimmingCharacters(in: " \t\r").isEmpty == true { context.removeLast() }
                newLines += context
            }
            newLines += run.text
        }
        quoted += tail
        if let hard { quoted += lines[hard...] }
        var signature: [Substring] = []
        if let at = signatureStart(newLines) {
            signature = Array(newLines[at...])
            newLines = Array(newLines[..<at])
        }
        return MailTextParts(newText: joined(newLines) ?? "", quoted: joined(quoted), signature: joined(signature), footer: joined(footer))
    }

    /// The lines above any hard history start, by position: `>` lines (and the attribution
    /// that opens them) are quoted; every other run of text is new, wherever it stands —
    /// above the quote (top-posting), below it (bottom-posting) or between quotes (an
    /// interleaved answer). Each new-text run comes with the quote block just before it;
    /// `tail` is everything from an attribution that opens an unmarked quote on.
    static func textRuns(
        _ head: [Substring]
    ) -> (runs: [(quote: [Substring], text: [Substring])], quoted: [Substring], tail: [Substring]) {
        var runs: [(quote: [Substring], text: [Substring])] = []
        var quoted: [Substring] = []
        var pendingQuote: [Substring] = []
        var currentText: [Substring] = []
        var i = 0
        func closeText() {
            if !currentText.isEmpty {
                runs.append((pendingQuote, currentText))
                pendingQuote = []
                currentText = []
            }
        }
        while i < head.count {
            let line = head[i]
            let bare = line.trimmingCharacters(in: " \t\r")
            if bare.hasPrefix(">") {
                closeText()
                pendingQuote.append(line)
                quoted.append(line)
                i += 1
                continue
            }
            if let length = attributionLength(head, i) {
                // An attribution opens a quote: of `>` lines when they follow (more new text may
                // come after them), else of everything below (a client that does not mark quotes).
                var k = i + length
                while k < head.count && head[k].trimmingCharacters(in: " \t\r").isEmpty { k += 1 }
                if k < head.count && head[k].trimmingCharacters(in: " \t\r").hasPrefix(">") {
                    closeText()
                    quoted += head[i..<(i + length)]
                    pendingQuote = []
                    i += length
                    continue
                }
                closeText()
                return (runs, quoted, Array(head[i...]))
            }
            if bare.isEmpty {
                if !currentText.isEmpty { currentText.append(line) } else if !pendingQuote.isEmpty { pendingQuote.append(line) }
                i += 1
                continue
            }
            currentText.append(line)
            i += 1
        }
        closeText()
        return (runs, quoted, [])
    }

    /// `lines` joined with line ends, blank lines at both ends left out; nil when none is left.
    static func joined(_ lines: [Substring]) -> String? {
        var lines = lines
        while lines.last?.trimmingCharacters(in: " \t\r").isEmpty == true { lines.removeLast() }
        while lines.first?.trimmingCharacters(in: " \t\r").isEmpty == true { lines.removeFirst() }
        return lines.isEmpty ? nil : lines.joined(separator: "\n") + "\n"
    }

    /// The lines of `text`, split at LF by bytes (splitting by Characters walks grapheme
    /// clusters, which costs more than everything else here).
    static func lines(_ text: String) -> [Substring] {
        var result: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        while let newline = utf8[start...].firstIndex(of: 0x0A) {
            result.append(Substring(utf8[start..<newline]))
            start = utf8.index(after: newline)
        }
        result.append(Substring(utf8[start...]))
        return result
    }

    // MARK: Quoted history

    static let attributionEndings = [
        "wrote:", "writes:", "schrieb:", "a écrit :", "a écrit:", "escribió:", "ha scritto:", "schreef:", "escreveu:", "pisze:",
        "skrev:", "kirjoitti:", "napisał:", "написал:", "написала:", "написал(а):", "写道：", "写道:", "寫道：", "のメッセージ:", "wrote :",
    ]
    static let separators = [
        "-----original message-----", "-----ursprüngliche nachricht-----", "-----message d'origine-----", "-----mensaje original-----",
        "-----messaggio originale-----", "-----oorspronkelijk bericht-----", "-----mensagem original-----", "-----original meddelande-----",
        "---------- forwarded message ---------", "---------- forwarded message ----------", "-------- original message --------",
        "-------- message original --------", "begin forwarded message:", "-------- weitergeleitete nachricht --------",
    ]
    static let fromLabels = ["from:", "von:", "de :", "de:", "da:", "van:", "od:", "från:", "от:", "发件人:", "发件人：", "差出人:"]
    static let sentLabels = [
        "sent:", "date:", "gesendet:", "datum:", "envoyé :", "envoyé:", "date :", "enviado:", "enviado el:", "fecha:", "inviato:",
        "data:", "verzonden:", "wysłano:", "skickat:", "отправлено:", "发送时间:", "发送时间：", "送信日時:",
    ]

    /// The first line of a separator, a forwarded-message banner or an Outlook header block:
    /// history whose lines need not be marked with `>`.
    static func hardHistoryStart(_ lines: [Substring]) -> Int? {
        for (i, raw) in lines.enumerated() {
            // Most lines can be passed over by a look at their ends: everything below needs
            // a ':' near the start, a ':' at the end, or a leading '-', '_' or 'b'.
            guard mayStartHistory(raw) else { continue }
            let line = raw.trimmingCharacters(in: " \t\r>").lowercased()
            if line.isEmpty { continue }
            if separators.contains(where: { line.hasPrefix($0) }) { return i }
            if line.allSatisfy({ $0 == "_" }) && line.count >= 20, i + 1 < lines.count, isOutlookHeader(lines, i + 1) { return i }
            if isOutlookHeader(lines, i) { return i }
        }
        return nil
    }

    /// How many lines an attribution at `i` takes ("On … wrote:", on one line or wrapped
    /// onto the next), or nil.
    static func attributionLength(_ lines: [Substring], _ i: Int) -> Int? {
        let raw = lines[i]
        guard mayStartHistory(raw) || (i + 1 < lines.count && mayStartHistory(lines[i + 1])) else { return nil }
        let line = raw.trimmingCharacters(in: " \t\r").lowercased()
        if line.isEmpty { return nil }
        if isAttribution(line) { return 1 }
        if i + 1 < lines.count {
            let next = lines[i + 1].trimmingCharacters(in: " \t\r").lowercased()
            if (line.hasPrefix("on ") || line.hasPrefix("am ") || line.hasPrefix("le ") || line.hasPrefix("el ")) && !line.hasSuffix(".")
                && attributionEndings.contains(where: { next.hasSuffix($0) }) && next.count < 80
            {
                return 2
            }
        }
        return nil
    }

    // MARK: Mailing-list footers

    /// Words of list boilerplate, lower-cased, in the languages lists write it.
    static let footerWords = [
        "unsubscribe", "mailing list", "listinfo", "mailman", "list archive", "list-unsubscribe", "subscribed to", "subscription",
        "abmelden", "abbestellen", "désinscri", "desinscri", "dezabonare", "darse de baja", "cancellarsi", "uitschrijven",
        "to post to this group", "you received this message because",
    ]

    /// Where a mailing list's footer starts: a rule (`---`, `___`, `===`, three or more)
    /// or a Google Groups notice, within the last lines, followed by list boilerplate.
    static func footerStart(_ lines: [Substring]) -> Int? {
        let first = max(0, lines.count - 16)
        for i in first..<lines.count {
            let line = lines[i].trimmingCharacters(in: " \t\r")
            let isRule = line.count >= 3 && (line.allSatisfy { $0 == "-" } || line.allSatisfy { $0 == "_" } || line.allSatisfy { $0 == "=" })
            let lower = line.lowercased()
            let isNotice = lower.hasPrefix("you received this message because you are subscribed") || lower.hasPrefix("to unsubscribe from this group")
            guard isRule || isNotice else { continue }
            let rest = lines[i...].map { $0.lowercased() }.joined(separator: " ")
            if footerWords.contains(where: { rest.contains($0) }) { return i }
        }
        return nil
    }

    /// A cheap test: could this line be a separator, an attribution or an Outlook header?
    static func mayStartHistory(_ line: Substring) -> Bool {
        var utf8 = line.utf8[...]
        while let first = utf8.first, first == 0x20 || first == 0x09 || first == UInt8(ascii: ">") { utf8 = utf8.dropFirst() }
        while let last = utf8.last, last == 0x20 || last == 0x09 || last == 0x0D { utf8 = utf8.dropLast() }
        guard let first = utf8.first, let last = utf8.last else { return false }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "_") || first | 0x20 == UInt8(ascii: "b") { return true }
        // 0x9A ends the full-width colon "：".
        if last == UInt8(ascii: ":") || last == 0x9A { return true }
        return utf8.prefix(20).contains(UInt8(ascii: ":"))
    }

    static func isAttribution(_ line: String) -> Bool {
        guard line.count < 300, attributionEndings.contains(where: { line.hasSuffix($0) }) else { return false }
        let starts = ["on ", "am ", "le ", "el ", "il ", "op ", "em ", "w dniu ", "den ", "в ", "于", "20", "19", "<", "\""]
        // "Ada Lovelace <ada@example.org> wrote:" also counts.
        return starts.contains(where: { line.hasPrefix($0) }) || line.contains("@") || line.split(separator: " ").count <= 6
    }

    /// "From: …" followed within four lines by a date/sent label: Outlook's reply header.
    static func isOutlookHeader(_ lines: [Substring], _ i: Int) -> Bool {
        guard lines[i].utf8.prefix(24).contains(UInt8(ascii: ":")) else { return false }
        let line = lines[i].trimmingCharacters(in: " \t\r*>").lowercased()
        guard fromLabels.contains(where: { line.hasPrefix($0) }) else { return false }
        var k = i + 1
        while k < lines.count && k <= i + 4 {
            let next = lines[k].trimmingCharacters(in: " \t\r*>").lowercased()
            if sentLabels.contains(where: { next.hasPrefix($0) }) { return true }
            k += 1
        }
        return false
    }

    // MARK: Signatures

    static let signOffs = [
        "best regards", "kind regards", "regards", "best wishes", "best,", "best", "thanks,", "thanks", "thank you", "many thanks",
        "cheers", "sincerely", "yours sincerely", "yours truly", "warm regards", "all the best", "mit freundlichen grüßen",
        "viele grüße", "beste grüße", "liebe grüße", "gruß", "grüße", "cordialement", "bien cordialement", "bien à vous",
        "saludos", "un saludo", "atentamente", "cordiali saluti", "saluti", "met vriendelijke groet", "groeten", "atenciosamente",
        "pozdrawiam", "med vänliga hälsningar", "hälsningar", "с уважением",
    ]
    static let deviceLines = ["sent from my ", "get outlook for ", "envoyé de mon ", "von meinem ", "enviado desde mi ", "inviato da "]

    /// Where the signature starts in the new text, if it has one.
    static func signatureStart(_ lines: [Substring]) -> Int? {
        var last = lines.count - 1
        while last >= 0 && lines[last].trimmingCharacters(in: " \t\r").isEmpty { last -= 1 }
        guard last >= 0 else { return nil }
        if let dashes = lines.lastIndex(where: { $0 == "-- " || $0 == "--" || $0 == "-- \r" || $0 == "--\r" }), dashes > 0 { return dashes }
        for k in stride(from: last, through: max(0, last - 6), by: -1) {
            let line = lines[k].trimmingCharacters(in: " \t\r").lowercased()
            if deviceLines.contains(where: { line.hasPrefix($0) }) && k >= last - 1 { return k }
            let bare = line.trimmingCharacters(in: ",.!-–— ")
            if signOffs.contains(bare) && k > 0 {
                // Only short lines (a name, a title, a phone number) may follow a sign-off.
                if k == last || lines[(k + 1)...last].allSatisfy({ $0.count <= 60 }) { return k }
            }
        }
        return nil
    }
}
