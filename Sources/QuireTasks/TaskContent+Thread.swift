public import QuireModel

extension TaskContent {
    /// A conversation as a task sees it: one section per message, oldest first, each with
    /// who wrote it and when, and only what that message adds — its quoted history and its
    /// signature are left out, since the earlier messages are there in full. Attached
    /// documents are named, not inlined. `name` labels the thread in prompts.
    public static func thread(_ messages: [MailMessage], name: String) -> TaskContent {
        var sections: [Section] = []
        var warnings: [String] = []
        for (index, message) in messages.enumerated() {
            var lines: [String] = []
            let subject = message.subject ?? "(no subject)"
            lines.append("### Message \(index + 1) of \(messages.count): \(subject)")
            lines.append("")
            let from = message.from.map(\.description).joined(separator: ", ")
            lines.append("- **From:** " + (from.isEmpty ? "(unknown)" : from))
            let to = (message.to + message.cc).map(\.description)
            if !to.isEmpty { lines.append("- **To:** " + to.prefix(8).joined(separator: ", ") + (to.count > 8 ? ", … (\(to.count) in all)" : "")) }
            if let date = message.date { lines.append("- **Date:** " + (date.iso8601 ?? date.raw)) }
            let files = message.attachments.filter { !$0.isInline }.map { $0.filename ?? $0.contentType }
            if !files.isEmpty { lines.append("- **Attachments:** " + files.joined(separator: "; ")) }
            lines.append("")
            lines.append(ContentLoader.addedText(message))
            sections.append(Section(title: subject, markdown: lines.joined(separator: "\n") + "\n"))
            warnings += message.warnings
        }
        return TaskContent(name: name, kind: .thread, sections: sections, warnings: warnings)
    }
}
