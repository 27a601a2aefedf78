public import QuireModel

/// A conversation: its messages in date order.
public struct MailThread: Sendable {
    /// The subject of the thread's first message, reply prefixes removed.
    public var subject: String
    /// The thread's messages, oldest first.
    public var messages: [MailMessage]

    /// A thread from its subject and messages.
    public init(subject: String, messages: [MailMessage]) {
        self.subject = subject
        self.messages = messages
    }
}

/// Groups messages into threads, after Jamie Zawinski's algorithm: messages are linked
/// through their References (and In-Reply-To) chains, ids that only appear as references
/// hold their place, and roots whose subjects are the same once "Re:", "Fwd:", "AW:", "SV:"
/// and list tags are stripped are joined when one of them is a reply. Each thread is then
/// ordered by date (undated messages keep their place in the input), threads by their first
/// message.
public enum Threader {
    final class Container {
        var message: Int?
        var parent: Container?
        var children: [Container] = []
        init() {}

        func isAncestor(of other: Container) -> Bool {
            var node: Container? = other
            var steps = 0
            while let current = node, steps < 10_000 {
                if current === self { return true }
                node = current.parent
                steps += 1
            }
            return false
        }
    }

    /// Groups messages into threads by References and In-Reply-To (subjects where those are missing).
    public static func threads(_ messages: [MailMessage]) -> [MailThread] {
        groups(messages).map { group in
            MailThread(subject: baseSubject(messages[group[0]].subject ?? "", lowercased: false), messages: group.map { messages[$0] })
        }
    }

    /// What threading reads of a message: its ids, subject and date — small enough to hold
    /// for every message of a large mailbox.
    public struct Key: Sendable {
        /// The Message-ID, without angle brackets.
        public var messageID: String?
        /// The first In-Reply-To id.
        public var inReplyTo: String?
        /// The References ids, oldest first.
        public var references: [String]
        /// The subject as written.
        public var subject: String?
        /// The date, seconds since 1970; nil when unknown.
        public var timestamp: Int64?

        /// The key of `message` (only its headers are read).
        public init(_ message: MailMessage) {
            messageID = message.messageID
            inReplyTo = message.inReplyTo.first
            references = message.references
            subject = message.subject
            timestamp = message.date?.timestamp
        }
    }

    /// The threads as positions in `messages`: each thread's messages in date order, threads
    /// by their first message. Only the headers matter (ids, references, subject, date), so a
    /// caller may pass messages read without their bodies.
    public static func groups(_ messages: [MailMessage]) -> [[Int]] {
        groups(keys: messages.map(Key.init))
    }

    /// As `groups(_:)`, from the messages' keys.
    public static func groups(keys messages: [Key]) -> [[Int]] {
        var table: [String: Container] = [:]
        var order: [Container] = []
        // Parents and children refer to each other: break the cycles when done, or every
        // call would leak its whole tree (LeakSanitizer found it).
        defer { for node in order { node.children = [] } }
        func container(_ id: String) -> Container {
            if let existing = table[id] { return existing }
            let created = Container()
            table[id] = created
            order.append(created)
            return created
        }
        func link(_ parent: Container, _ child: Container) {
            guard child.parent == nil, parent !== child, !child.isAncestor(of: parent) else { return }
            child.parent = parent
            parent.children.append(child)
        }
        for (index, message) in messages.enumerated() {
            var id = message.messageID ?? "\u{0}quire-\(index)"
            if let existing = table[id], existing.message != nil { id = "\u{0}quire-duplicate-\(index)" }
            let this = container(id)
            this.message = index
            var references = message.references
            if let reply = message.inReplyTo, references.last != reply { references.append(reply) }
            var previous: Container?
            for reference in references where reference != id {
                let node = container(reference)
                if let previous { link(previous, node) }
                previous = node
            }
            if let previous, this.parent == nil { link(previous, this) }
        }
        // Roots; containers without a message pass their children up.
        var roots: [Container] = []
        for node in order where node.parent == nil {
            roots.append(node)
        }
        func messagesUnder(_ node: Container) -> [Int] {
            var out: [Int] = []
            var stack = [node]
            var seen = Set<ObjectIdentifier>()
            while let current = stack.popLast() {
                guard seen.insert(ObjectIdentifier(current)).inserted else { continue }
                if let index = current.message { out.append(index) }
                stack.append(contentsOf: current.children)
            }
            return out
        }
        var groups: [[Int]] = roots.map(messagesUnder).filter { !$0.isEmpty }
        // Subject fallback: join roots with the same base subject when one is a reply.
        var bySubject: [String: Int] = [:]
        var merged: [[Int]] = []
        for group in groups {
            let first = group.min()!
            let subject = baseSubject(messages[first].subject ?? "")
            let isReply = group.contains { isReplySubject(messages[$0].subject ?? "") }
            if !subject.isEmpty, let at = bySubject[subject], isReply || merged[at].contains(where: { isReplySubject(messages[$0].subject ?? "") }) {
                merged[at] += group
            } else {
                if !subject.isEmpty && bySubject[subject] == nil { bySubject[subject] = merged.count }
                merged.append(group)
            }
        }
        groups = merged
        var threads: [(key: (Int64, Int), members: [Int])] = []
        for group in groups {
            let ordered = group.sorted { a, b in
                let da = messages[a].timestamp
                let db = messages[b].timestamp
                if let da, let db, da != db { return da < db }
                return a < b
            }
            let first = ordered[0]
            threads.append(((messages[first].timestamp ?? Int64.max, first), ordered))
        }
        return threads.sorted { $0.key.0 != $1.key.0 ? $0.key.0 < $1.key.0 : $0.key.1 < $1.key.1 }.map(\.members)
    }

    /// Prefixes that mark a reply, as mail clients write them in several languages.
    package static let replyPrefixes: Set<String> = ["re", "aw", "sv", "vs", "antw", "rif", "r", "ynt", "odp", "res", "回复", "答复"]
    /// Prefixes that mark a forward.
    static let forwardPrefixes: Set<String> = ["fwd", "fw", "wg", "tr", "enc", "转发"]

    /// The subject without reply and forward prefixes (`Re:`, `Re[2]:`, `AW:`…) or `[list]` tags.
    public static func baseSubject(_ subject: String, lowercased: Bool = true) -> String {
        let text = removingPrefixes(Substring(subject), replyPrefixes.union(forwardPrefixes), listTags: true)
        let collapsed = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        return lowercased ? collapsed.lowercased() : collapsed
    }

    /// `subject` without the leading prefixes named in `prefixes` (`Re:`, `Re[2]:`, `Re(2):`,
    /// case-insensitive, ASCII or full-width colon), and without `[list]` tags when asked.
    package static func removingPrefixes(_ subject: Substring, _ prefixes: Set<String>, listTags: Bool) -> Substring {
        var text = subject
        var changed = true
        while changed {
            changed = false
            text = text.drop { $0 == " " || $0 == "\t" }
            if listTags, text.first == "[", let close = text.firstIndex(of: "]") {
                text = text[text.index(after: close)...]
                changed = true
                continue
            }
            if let colon = text.firstIndex(where: { $0 == ":" || $0 == "：" }) {
                var prefix = text[..<colon].lowercased()
                if let bracket = prefix.firstIndex(where: { $0 == "[" || $0 == "(" }) { prefix = String(prefix[..<bracket]) }  // Re[2]
                prefix = prefix.trimmingCharacters(in: " ")
                if prefixes.contains(prefix) {
                    text = text[text.index(after: colon)...]
                    changed = true
                }
            }
        }
        return text
    }

    static func isReplySubject(_ subject: String) -> Bool {
        baseSubject(subject) != subject.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ").lowercased()
    }
}
