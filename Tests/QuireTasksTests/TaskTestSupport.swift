import Foundation
import QuireBackends
import QuireLLM
import QuireTestServer
import QuireTestSupport

/// A local server that speaks OpenAI's Chat Completions (non-streamed), answering each
/// request with `answer(userMessage, requestBody)`.
func withOpenAIServer<T>(
    answer: @escaping @Sendable (_ user: String, _ body: String) -> (status: Int, text: String),
    _ body: (TestHTTPServer) async throws -> T
) async throws -> T {
    try await TestHTTPServer.serving(
        { received in
            let json = (try? JSONSerialization.jsonObject(with: Data(received.body))) as? [String: Any]
            let messages = json?["messages"] as? [[String: Any]] ?? []
            let user = messages.last?["content"] as? String ?? ""
            let (status, text) = answer(user, received.bodyText)
            if status != 200 {
                return .body(#"{"error":{"message":"\#(text)","type":"invalid_request_error","code":"context_length_exceeded"}}"#, status: status)
            }
            return .openAIChat(text, promptTokens: 100, completionTokens: 10)
        }, body)
}

func openAIBackend(_ server: TestHTTPServer, window: Int = 128_000, maxOutput: Int = 4096) -> HTTPChatBackend {
    HTTPChatBackend(
        config: BackendConfig(
            name: "gpt", kind: .openai, model: "gpt-test", baseURL: server.baseURL + "/v1", apiKey: "sk-test",
            capabilities: BackendCapabilities(contextWindow: window, maxOutputTokens: maxOutput), readTimeout: 20, totalTimeout: 60))
}

/// The JSON object of a received request body.
func jsonObject(_ received: TestHTTPServer.Received) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(received.body))) as? [String: Any] ?? [:]
}

/// The outcome of an async throwing call, so clean-up can run before the error is rethrown.
func capture<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do { return .success(try await body()) } catch { return .failure(error) }
}
