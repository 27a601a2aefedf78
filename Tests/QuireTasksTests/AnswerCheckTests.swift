import Foundation
import QuireBackends
import QuireLLM
import QuireModel
import QuireRouter
import QuireTasks
import QuireTestServer
import Synchronization
import Testing

/// Answers that are empty or cut at the output limit are never passed off as results.
struct AnswerCheckTests {
    static func completion(_ text: String, finish: String) -> TestHTTPServer.Reply {
        let escaped = String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast()
        return .body(
            #"{"choices":[{"index":0,"message":{"role":"assistant","content":\#(escaped)},"finish_reason":"\#(finish)"}],"usage":{"prompt_tokens":10,"completion_tokens":5}}"#
        )
    }

    static let content = TaskContent(name: "note.docx", kind: .document, sections: [.init(title: "Note", markdown: "# Note\n\nThe launch moved to May.\n")])

    @Test("an answer cut at the output limit is asked for again with twice the room; still cut, it is flagged")
    func cutAnswer() async throws {
        let calls = Atomic<Int>(0)
        try await TestHTTPServer.serving({ _ in
            calls.add(1, ordering: .relaxed).newValue == 1
                ? Self.completion("The launch", finish: "length") : Self.completion("The launch moved to May.", finish: "stop")
        }) { server in
            let backend = openAIBackend(server)
            let runner = TaskRunner(router: Router(), route: Route(task: "summarise", backends: [backend]))
            let outcome = try await runner.run(SummariseTask(content: Self.content, options: TaskOptions(length: .short, stream: false))) { _ in }
            #expect(outcome.text == "The launch moved to May.")
            let limits = server.received.map { jsonObject($0)["max_completion_tokens"] as? Int }
            #expect(limits == [400, 800])
            #expect(outcome.review.isEmpty)
            try await backend.shutdown()
        }
        try await TestHTTPServer.serving({ _ in Self.completion("The launch", finish: "length") }) { server in
            let backend = openAIBackend(server)
            let runner = TaskRunner(router: Router(), route: Route(task: "summarise", backends: [backend]))
            let outcome = try await runner.run(SummariseTask(content: Self.content, options: TaskOptions(length: .short, stream: false))) { _ in }
            #expect(outcome.review.contains { $0.contains("stopped at the output limit") })
            try await backend.shutdown()
        }
    }

    @Test("an empty answer is an error, not a result")
    func emptyAnswer() async throws {
        try await TestHTTPServer.serving({ _ in Self.completion("  \n", finish: "stop") }) { server in
            let backend = openAIBackend(server)
            let runner = TaskRunner(router: Router(), route: Route(task: "summarise", backends: [backend]))
            let result = await capture { try await runner.run(SummariseTask(content: Self.content, options: TaskOptions(stream: false))) { _ in } }
            #expect(throws: LLMError.self) { try result.get() }
            try await backend.shutdown()
        }
    }
}
