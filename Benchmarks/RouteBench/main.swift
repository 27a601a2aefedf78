// Routing overhead: 1,000 routed calls against a local OpenAI-compatible server, 8 at a
// time, through the router, the HTTP backend and the SSE decoder; prints calls per second.
//
//   swift run -c release quire-route-bench [CALLS] [CONCURRENCY]
import Foundation
import QuireBackends
import QuireLLM
import QuireRouter
import QuireTestServer

let arguments = CommandLine.arguments
let calls = arguments.count > 1 ? Int(arguments[1]) ?? 1000 : 1000
let concurrency = arguments.count > 2 ? Int(arguments[2]) ?? 8 : 8

let stream = Array(
    ("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"finish_reason\":null}]}\n\n"
        + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" world\"},\"finish_reason\":\"stop\"}]}\n\n"
        + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2}}\n\n"
        + "data: [DONE]\n\n").utf8)
let server = try await TestHTTPServer { _ in TestHTTPServer.Reply(headers: [("Content-Type", "text/event-stream")], chunks: [(0, stream)]) }
let backend = HTTPChatBackend(config: BackendConfig(name: "local", kind: .openaiCompatible, model: "bench", baseURL: server.baseURL + "/v1"))
let meter = UsageMeter()
let router = Router(meter: meter)
let route = Route(task: "summarise", backends: [backend])
let request = ChatRequest(system: "Be brief.", messages: [.user("Say hello.")], maxOutputTokens: 10)

// Warm up the connection pool.
_ = try await router.complete(request, on: route)
let start = Date()
try await withThrowingTaskGroup(of: Void.self) { group in
    var started = 0
    for _ in 0..<concurrency {
        started += 1
        group.addTask { _ = try await router.complete(request, on: route) }
    }
    while try await group.next() != nil {
        if started < calls {
            started += 1
            group.addTask { _ = try await router.complete(request, on: route) }
        }
    }
}
let seconds = Date().timeIntervalSince(start)
try await backend.shutdown()
try await server.shutdown()
let total = meter.total.usage
print(
    String(
        format: "%d routed calls, concurrency %d: %.2f s, %.0f calls/s (%d tokens in, %d out recorded)", calls, concurrency, seconds, Double(calls) / seconds,
        total.inputTokens, total.outputTokens))
