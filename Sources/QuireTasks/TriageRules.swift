public import QuireMail
import QuireModel

/// What triage says about one message or thread: what it is, how urgent, whether it waits
/// for an answer, what is to be done by whom and when, in one line.
public struct TriageResult: Sendable, Equatable {
    /// How urgent it is.
    public enum Priority: String, Sendable, Equatable {
        /// Wants the reader soon: marked important, urgent words, their action due within days.
        case high
        /// Neither.
        case normal
        /// Lists and automated mail.
        case low
    }

    /// Something to be done: what, by whom, by when (ISO date), as far as the text says.
    public struct Action: Sendable, Equatable {
        /// The sentence that asks for it or promises it.
        public var text: String
        /// Who is to do it (a name or an address), when the text says.
        public var owner: String?
        /// By when, as an ISO date, when the text names a day.
        public var due: String?

        /// An action from its parts.
        public init(text: String, owner: String? = nil, due: String? = nil) {
            self.text = text
            self.owner = owner
            self.due = due
        }
    }

    /// The stable id of the item: its latest message's anchor (`<Message-ID>`).
    public var id: String
    /// The subject, reply prefixes removed for a thread.
    public var subject: String
    /// Who wrote the latest message.
    public var from: String
    /// When the latest message was written (ISO 8601), when known.
    public var date: String?
    /// Messages in the item.
    public var messages: Int
    /// The category: one of the labels, or what the rules recognise (`automated`, `list`,
    /// `direct`, `cc`, `sent`, `other`).
    public var category: String
    /// How urgent.
    public var priority: Priority
    /// Whether the latest message waits for an answer from the reader.
    public var needsReply: Bool
    /// What is to be done.
    public var actions: [Action]
    /// One line: who wrote and what they ask or say.
    public var summary: String
    /// Why the rules decided as they did (or which model answered).
    public var reasons: [String]
}

/// Triage by rules, offline: headers say what is automated (Auto-Submitted, auto-reply
/// markers, mailer daemons) or a list (List-Id, List-Unsubscribe, Precedence), To and Cc say
/// whether it is addressed to the reader, and the latest message's own text — its question
/// sentences, its requests ("could you…", "please…") and promises ("I will…"), and the
/// days they name — says whether it waits for a reply, what is to be done and by when.
public struct TriageRules: Sendable {
    /// A category the user names, with words that point to it (its name is one).
    public struct Label: Sendable, Equatable {
        /// The label as written.
        public var name: String
        /// Words of the label and those after its colon.
        public var words: Set<String>

        /// Labels from `"legal: contract audit, finance: invoice budget, ops"`.
        public static func parse(_ text: String) -> [Label] {
            text.split(separator: ",").compactMap { part in
                let pieces = part.split(separator: ":", maxSplits: 1)
                let name = pieces.first.map { $0.trimmingSpaces() } ?? ""
                guard !name.isEmpty else { return nil }
                let words = PassageIndex.words(name + " " + (pieces.count > 1 ? String(pieces[1]) : ""))
                return Label(name: name, words: Set(words))
            }
        }
    }

    /// The reader's addresses (lower-cased): To, Cc and "from me" are judged by them.
    public var me: Set<String>
    /// The user's categories; empty for the rules' own.
    public var labels: [Label]

    /// Rules for a reader with addresses `me` and the given labels.
    public init(me: [String] = [], labels: [Label] = []) {
        self.me = Set(me.map { $0.lowercased() })
        self.labels = labels
    }

    /// The triage of a thread (one message is a thread of one), judged on its latest message.
    public func triage(_ thread: MailThread) -> TriageResult {
        let latest = thread.messages.last ?? MailMessage()
        var reasons: [String] = []
        let sender = Self.name(latest.from.first)
        let text = latest.textParts?.newText ?? latest.bestText ?? ""
        let sentences = Self.sentences(text)
        let automated = Self.automated(latest)
        let list = automated == nil ? Self.list(latest) : nil
        let relation = relation(latest)
        let fromMe = relation == "from me"
        if let automated { reasons.append(automated) }
        if let list { reasons.append(list) }
        if !me.isEmpty { reasons.append(relation == "other" ? "not addressed to you" : relation) }

        let questions = sentences.filter { $0.hasSuffix("?") }
        let requests = sentences.filter(Self.isRequest)
        let waiting = automated == nil && list == nil && !fromMe && (relation != "other" || me.isEmpty)
        let needsReply = waiting && (!questions.isEmpty || !requests.isEmpty)
        if needsReply { reasons.append(questions.isEmpty ? "asks for something" : "asks a question") }

        let actions = automated == nil && list == nil ? self.actions(sentences, in: latest, sender: sender) : []
        var priority = TriageResult.Priority.normal
        if automated != nil || list != nil {
            priority = .low
        } else if let urgency = Self.urgency(latest, sentences: sentences, actions: actions.filter { isReader($0.owner, of: latest) }),
            needsReply || relation == "to you" && urgency.hasPrefix("Importance") || actions.contains(where: { isReader($0.owner, of: latest) })
        {
            priority = .high
            reasons.append(urgency)
        }
        let category = category(latest, text: text, automated: automated != nil, list: list != nil, relation: relation, reasons: &reasons)
        let lead = questions.first ?? requests.first ?? sentences.first ?? ""
        var summary = sender + ": " + (lead.isEmpty ? (latest.subject ?? "(no subject)") : lead)
        if summary.count > 160 { summary = String(summary.prefix(157)) + "…" }
        return TriageResult(
            id: Anchor.message(latest) ?? "", subject: thread.subject.isEmpty ? (latest.subject ?? "") : thread.subject, from: sender,
            date: latest.date.flatMap { $0.iso8601 }, messages: thread.messages.count, category: category, priority: priority,
            needsReply: needsReply, actions: actions, summary: summary, reasons: reasons)
    }

    /// A label by the words of the subject and the new text, else what the rules see.
    func category(_ message: MailMessage, text: String, automated: Bool, list: Bool, relation: String, reasons: inout [String]) -> String {
        if !labels.isEmpty {
            let words = Set(PassageIndex.words((message.subject ?? "") + " " + text))
            let scored = labels.map { ($0, $0.words.intersection(words).count) }
            if let best = scored.max(by: { $0.1 < $1.1 }), best.1 > 0 {
                reasons.append("label '\(best.0.name)': " + best.0.words.intersection(words).sorted().joined(separator: ", "))
                return best.0.name
            }
        }
        if automated { return "automated" }
        if list { return "list" }
        switch relation {
        case "to you": return "direct"
        case "cc": return "cc"
        case "from me": return "sent"
        default: return labels.isEmpty ? (me.isEmpty ? "direct" : "other") : "other"
        }
    }

    /// Whether `owner` (as the actions name it) is the reader: one of `me`, or a name of
    /// theirs in the message's recipients.
    func isReader(_ owner: String?, of message: MailMessage) -> Bool {
        guard let owner else { return false }
        if me.contains(owner.lowercased()) { return true }
        return (message.to + message.cc).contains { me.contains($0.address.lowercased()) && Self.name($0) == owner }
    }

    /// `to you`, `cc`, `from me` or `other` (the reader is not among the recipients).
    func relation(_ message: MailMessage) -> String {
        guard !me.isEmpty else { return "other" }
        func has(_ list: [MailAddress]) -> Bool { list.contains { me.contains($0.address.lowercased()) } }
        if has(message.from) { return "from me" }
        if has(message.to) { return "to you" }
        if has(message.cc) || has(message.bcc) { return "cc" }
        return "other"
    }

    /// Why the message is machine-made, or nil.
    static func automated(_ message: MailMessage) -> String? {
        if let value = message.header("Auto-Submitted")?.lowercased(), !value.hasPrefix("no") { return "Auto-Submitted: \(value)" }
        if message.header("X-Autoreply") != nil || message.header("X-Autorespond") != nil { return "an auto-reply header" }
        if let precedence = message.header("Precedence")?.lowercased(), precedence.contains("auto_reply") { return "Precedence: auto_reply" }
        let sender = message.from.first?.address.lowercased() ?? ""
        let local = sender.split(separator: "@").first.map(String.init) ?? ""
        if ["mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"].contains(local) { return "sent by \(sender)" }
        let subject = (message.subject ?? "").lowercased()
        for prefix in ["automatic reply", "auto-reply", "autoreply", "out of office", "delivery status notification", "undeliverable", "undelivered mail"]
        where subject.hasPrefix(prefix) {
            return "subject '\(message.subject ?? "")'"
        }
        return nil
    }

    /// Why the message is a list's or a bulk mailing, or nil.
    static func list(_ message: MailMessage) -> String? {
        if let id = message.header("List-Id") { return "List-Id: \(id.trimmingSpaces())" }
        if message.header("List-Unsubscribe") != nil { return "List-Unsubscribe" }
        if let precedence = message.header("Precedence")?.lowercased(), precedence.contains("bulk") || precedence.contains("list") {
            return "Precedence: \(precedence)"
        }
        return nil
    }

    /// Why it is urgent, or nil: an Importance or X-Priority header, an urgent word, or a
    /// day within three days of the message.
    static func urgency(_ message: MailMessage, sentences: [String], actions: [TriageResult.Action]) -> String? {
        if let importance = message.header("Importance")?.lowercased(), importance.contains("high") { return "Importance: high" }
        if let priority = message.header("X-Priority")?.trimmingSpaces().first, priority == "1" || priority == "2" { return "X-Priority: \(priority)" }
        var words = Set(lowerWords(message.subject ?? ""))
        for sentence in sentences { words.formUnion(lowerWords(sentence)) }
        if let word = ["urgent", "urgently", "asap", "immediately", "emergency", "critical"].first(where: { words.contains(Substring($0)) }) {
            return "says '\(word)'"
        }
        if let day = message.date.flatMap(Self.day), let due = actions.compactMap(\.due).compactMap(Self.days(ofISO:)).min(), due - day <= 3 {
            return "due within three days"
        }
        return nil
    }

    /// A display name, else the address.
    static func name(_ address: MailAddress?) -> String {
        guard let address else { return "(unknown sender)" }
        if let name = address.name, !name.isEmpty { return name }
        return address.address
    }
}
