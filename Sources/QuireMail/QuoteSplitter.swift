public import QuireModel

/// Separates what a message says from the history it quotes and from its signature.
///
/// Quoted history starts at the first of: an attribution line ("On … wrote:" and its
/// equivalents in German, French, Spanish, Italian, Dutch, Portuguese, Polish, Swedish,
/// Russian, Chinese, Japanese), an Outlook separator ("-----Original Message-----" and
/// translations, a forwarded-message banner), or an Outlook header block ("From: … / Sent: …
/// / To: … / Subject: …" in several languages). Without one, lines starting with `>` are
/// the quoted part and the rest is new text (inline replies keep their order). The
/// signature is what follows a `-- ` line, or a closing phrase ("Best regards,",
/// "Mit freundlichen Grüßen", "Sent from my iPhone" …) with at most a few short lines after
/// it, at the end of the new text. Nothing is dropped: the three parts together hold every
/// line of the body.
public enum QuoteSplitter {
    public static func split(_ body: String) -> MailTextParts {
        let lines = QuoteSplitter.lines(body)
        var newLines: [Substring]
        var quoted: [Substring] = []
        if let start = historyStart(lines) {
            newLines = Array(lines[..<start])
            quoted = Array(lines[start...])
        } else {
            newLines = []
            for line in lines {
                if line.hasPrefix(">") { quoted.append(line) } else { newLines.append(line) }
            }
            // Quoted lines with only blank lines between them and after them: the blank
            // lines next to a quote belong to it, not to the new text.
            while newLines.last?.trimmingCharacters(in: " \t\r").isEmpty == true && !quoted.isEmpty { newLines.removeLast() }
        }
        var signature: [Substring] = []
        if let at = signatureStart(newLines) {
            signature = Array(newLines[at...])
            newLines = Array(newLines[..<at])
        }
        func joined(_ lines: [Substring]) -> String? {
            var lines = lines
            while lines.last?.trimmingCharacters(in: " \t\r").isEmpty == true { lines.removeLast() }
            while lines.first?.trimmingCharacters(in: " \t\r").isEmpty == true { lines.removeFirst() }
            return lines.isEmpty ? nil : lines.joined(separator: "\n") + "\n"
        }
        return MailTextParts(newText: joined(newLines) ?? "", quoted: joined(quoted), signature: joined(signature))
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

    /// The first line of quoted history, if any.
    static func historyStart(_ lines: [Substring]) -> Int? {
        for (i, raw) in lines.enumerated() {
            // Most lines can be passed over by a look at their ends: everything below needs
            // a ':' near the start, a ':' at the end, or a leading '-', '_' or 'b'.
            guard mayStartHistory(raw) || (i + 1 < lines.count && mayStartHistory(lines[i + 1])) else { continue }
            let line = raw.trimmingCharacters(in: " \t\r>").lowercased()
            if line.isEmpty { continue }
            if separators.contains(where: { line.hasPrefix($0) }) { return i }
            if line.allSatisfy({ $0 == "_" }) && line.count >= 20, i + 1 < lines.count, isOutlookHeader(lines, i + 1) { return i }
            if isOutlookHeader(lines, i) { return i }
            // An attribution, on one line or wrapped onto the next.
            if isAttribution(line) { return backToStart(lines, i) }
            if i + 1 < lines.count {
                let next = lines[i + 1].trimmingCharacters(in: " \t\r").lowercased()
                if (line.hasPrefix("on ") || line.hasPrefix("am ") || line.hasPrefix("le ") || line.hasPrefix("el "))
                    && attributionEndings.contains(where: { next.hasSuffix($0) }) && next.count < 80
                {
                    return i
                }
            }
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
        if last == UInt8(ascii: ":") || last == 0x9A /* end of "：" */ { return true }
        return utf8.prefix(20).contains(UInt8(ascii: ":"))
    }

    static func isAttribution(_ line: String) -> Bool {
        guard line.count < 300, attributionEndings.contains(where: { line.hasSuffix($0) }) else { return false }
        let starts = ["on ", "am ", "le ", "el ", "il ", "op ", "em ", "w dniu ", "den ", "в ", "于", "20", "19", "<", "\""]
        // "Ada Lovelace <ada@example.org> wrote:" also counts.
        return starts.contains(where: { line.hasPrefix($0) }) || line.contains("@") || line.split(separator: " ").count <= 6
    }

    /// A quoted attribution line may be the second line of one that started above.
    static func backToStart(_ lines: [Substring], _ i: Int) -> Int {
        guard i > 0 else { return i }
        let previous = lines[i - 1].trimmingCharacters(in: " \t\r").lowercased()
        if previous.hasPrefix("on ") && !previous.hasSuffix(".") && previous.count < 100 { return i - 1 }
        return i
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
