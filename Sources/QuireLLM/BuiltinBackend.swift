/// The offline backend: deterministic, no network, no key. It serves the tasks that can be
/// done without writing new prose (summarise extractively, describe a table from its
/// computed profile) through handlers the task layer registers, answers the connection
/// test of `quire models test builtin`, and refuses the rest with an error that says which
/// config to write.
public struct BuiltinBackend: ChatBackend {
    /// Tasks the built-in backend can serve (once their handler is registered).
    public static let servedTasks: Set<String> = ["summarise", "analyse-table", "ask", "triage", "extract-fields", "review"]
    /// The metadata key that names the task of a request.
    public static let taskKey = "task"
    /// The task name of `quire models test`.
    public static let testTask = "test"

    /// Always `builtin`: the name routes use for it.
    public let name = "builtin"
    /// No window to speak of: it reads the content itself, not through a model.
    public let capabilities = BackendCapabilities(contextWindow: 1 << 30, maxOutputTokens: 1 << 20, streaming: true, jsonMode: false)
    /// Offline logic per task: the answer text for a request.
    public var handlers: [String: @Sendable (ChatRequest) -> String]
    /// Where the user's config lives, for the message that asks them to write one.
    public var configHint: String

    /// The offline backend with a handler per task it serves (`OfflineTasks.handlers`); the
    /// others get an error that names `configHint`, the config to write.
    public init(handlers: [String: @Sendable (ChatRequest) -> String] = [:], configHint: String = "~/.config/quire/config.yaml") {
        self.handlers = handlers
        self.configHint = configHint
    }

    /// Answers at once from the handler for the request's task, or fails with `badRequest`
    /// saying which config to write.
    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error> {
        let task = request.metadata[Self.taskKey] ?? "unnamed"
        let answer: Result<String, LLMError>
        if task == Self.testTask {
            answer = .success("OK")
        } else if let handler = handlers[task] {
            answer = .success(handler(request))
        } else if Self.servedTasks.contains(task) {
            answer = .failure(
                LLMError(
                    .unsupported, backend: name,
                    message:
                        "the offline '\(task)' is not part of this build yet; configure a model for it in \(configHint) (quire config init writes a starter)."))
        } else {
            answer = .failure(
                LLMError(
                    .unsupported, backend: name,
                    message: """
                        the built-in backend works offline and cannot \(task == "unnamed" ? "answer this request" : "do '\(task)'"): \
                        it writes no new text. Configure a model for it in \(configHint), for example:
                          backends:
                            gpt: { kind: openai, model: gpt-5, api_key_env: OPENAI_API_KEY }
                          tasks:
                            \(task): { use: [gpt] }
                        (quire config init writes a commented starter config.)
                        """))
        }
        return AsyncThrowingStream { continuation in
            switch answer {
            case .success(let text):
                if !text.isEmpty { continuation.yield(.text(text)) }
                continuation.yield(.usage(Usage()))
                continuation.yield(.stop(.endTurn))
                continuation.finish()
            case .failure(let error):
                continuation.finish(throwing: error)
            }
        }
    }
}
