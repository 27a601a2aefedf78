public import QuireLLM

/// The offline logic the built-in backend serves, per task name.
public enum OfflineTasks {
    /// The built-in backend's handlers for Quire's tasks, by task name: `BuiltinBackend(handlers: OfflineTasks.handlers)`.
    public static var handlers: [String: @Sendable (ChatRequest) -> String] {
        [
            "summarise": OfflineSummary.answer, "analyse-table": OfflineAnalysis.answer, "ask": OfflineAsk.answer, "triage": OfflineTriage.answer,
            "extract-fields": OfflineFields.answer, "review": OfflineReview.answer,
        ]
    }
}
