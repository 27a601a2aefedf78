import QuireLLM
import QuireModel
import QuireRender

/// One line of the results file (schema `quire.batch`, version 1), written as one compact
/// JSON object: the item, where it came from, who answered, the result, usage and cost.
struct ResultLine {
    static let schema = "quire.batch"
    static let version = 1

    enum Result {
        case text(String)
        /// JSON the task returned (extract: the item's `quire.mail`/`quire.thread`/… object).
        case json(String)
    }

    var item: BatchItem
    var task: String
    var route: [String] = []
    var answeredBy: String?
    var usage = Usage()
    var cost: Double?
    var attempts = 1
    var parts = 0
    var review: [String] = []
    var warnings: [String] = []
    var error: (code: String, message: String)?
    /// The provider batch that answered (`--via provider-batch`).
    var providerBatch: String?

    init(item: BatchItem, task: String) {
        self.item = item
        self.task = task
    }

    func json(result: Result?, warnings extra: [String]) -> String {
        var w = JSONWriter(pretty: false)
        w.beginObject()
        w.field("schema", Self.schema)
        w.field("version", Self.version)
        w.field("id", item.id)
        w.field("kind", item.kind.rawValue)
        w.field("task", task)
        w.field("source", item.source)
        if let file = item.file { w.field("file", file) }
        w.key("messages")
        w.beginArray()
        for location in item.messages {
            w.beginObject()
            w.field("message_id", location.messageID)
            w.field("container", location.container.rawValue)
            w.field("file", location.file)
            if let offset = location.offset { w.field(location.container == .pst ? "node" : "offset", offset) }
            if let index = location.index { w.field("index", index) }
            if location.container == .maildir { w.field("maildir_name", location.file.split(separator: "/").last.map(String.init)) }
            if let folder = location.folder { w.field("folder", folder) }
            if !location.labels.isEmpty {
                w.key("labels")
                w.beginArray()
                for label in location.labels { w.string(label) }
                w.endArray()
            }
            if let flags = location.flags { w.field("flags", flags) }
            w.endObject()
        }
        w.endArray()
        w.field("subject", item.subject)
        w.field("date", item.date.flatMap { MailDate(raw: "", timestamp: $0).iso8601 })
        w.key("route")
        w.beginArray()
        for name in route { w.string(name) }
        w.endArray()
        w.field("answered_by", answeredBy)
        if let providerBatch { w.field("provider_batch", providerBatch) }
        w.key("result")
        switch result {
        case .text(let text): w.string(text)
        case .json(let json): w.rawJSON(json)
        case nil: w.null()
        }
        w.field("parts", parts)
        if !review.isEmpty {
            w.key("review")
            w.beginArray()
            for line in review { w.string(line) }
            w.endArray()
        }
        w.key("usage")
        w.beginObject()
        w.field("input_tokens", usage.inputTokens)
        w.field("output_tokens", usage.outputTokens)
        w.field("cached_input_tokens", usage.cachedInputTokens)
        w.endObject()
        w.key("cost")
        if let cost { w.number(cost) } else { w.null() }
        w.field("attempts", attempts)
        let allWarnings = warnings + extra
        if !allWarnings.isEmpty {
            w.key("warnings")
            w.beginArray()
            for warning in allWarnings { w.string(warning) }
            w.endArray()
        }
        w.key("error")
        if let error {
            w.beginObject()
            w.field("code", error.code)
            w.field("message", error.message)
            w.endObject()
        } else {
            w.null()
        }
        w.endObject()
        return w.takeOutput()
    }
}
