// A backend of your own behind Quire's router: here one that echoes, with the offline
// backend as the fallback. Any model can stand behind `ChatBackend` the same way.
//
//     swift run example-custom-backend
import QuireLLM
import QuireRouter

struct EchoBackend: ChatBackend {
    let name = "echo"
    let capabilities = BackendCapabilities(contextWindow: 32_000, maxOutputTokens: 1_000)

    func stream(_ request: ChatRequest) -> AsyncThrowingStream<ChatEvent, any Error> {
        AsyncThrowingStream { continuation in
            let last = request.messages.last?.content ?? ""
            guard !last.isEmpty else {
                // An error code the router understands: badRequest stops, others fall back.
                continuation.finish(throwing: LLMError(.badRequest, backend: name, message: "nothing to echo."))
                return
            }
            continuation.yield(.text("You said: " + last.prefix(200)))
            continuation.yield(.usage(Usage(inputTokens: last.count / 4, outputTokens: 50)))
            continuation.yield(.stop(.endTurn))
            continuation.finish()
        }
    }
}

let route = Route(task: "summarise", backends: [EchoBackend(), BuiltinBackend()])
let router = Router(onNote: { note in print("[router]", note) })
let answer = try await router.complete(ChatRequest(messages: [.user("Hello, Quire")]), on: route)
print(answer.text)
print("tokens:", answer.usage?.inputTokens ?? 0, "in,", answer.usage?.outputTokens ?? 0, "out")
