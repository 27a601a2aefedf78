public import QuireLLM

/// The offline logic the built-in backend serves, per task name.
public enum OfflineTasks {
    public static var handlers: [String: @Sendable (ChatRequest) -> String] {
        ["summarise": OfflineSummary.answer, "analyse-table": OfflineAnalysis.answer]
    }
}
