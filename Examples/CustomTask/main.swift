// A task of your own: one headline for a document, planned for the backend's budget and
// run on a route (here the offline backend, which answers tasks it does not know with an
// error naming the config to write — swap in any backend).
//
//     swift run example-custom-task TestDocuments/sample-report.docx
import QuireLLM
import QuireRouter
import QuireTasks

struct HeadlineTask: QuireTask {
    var content: TaskContent
    var routeName: String { "headline" }

    func plan(_ budget: PromptBudget) -> TaskPlan {
        let text = content.sections.map(\.markdown).joined(separator: "\n\n")
        let room = budget.contentTokens(overhead: 100) * 4  // about four characters a token
        return .single(
            ChatRequest(
                system: "You write one headline for a document. Use only facts it states.",
                messages: [.user(String(text.prefix(room)))], maxOutputTokens: 60))
    }
}

let path = CommandLine.arguments.dropFirst().first ?? "TestDocuments/sample-report.docx"
let content = try ContentLoader().load(path: path)
print("\(content.sections.count) sections read from \(path)")
let route = Route(task: "headline", backends: [BuiltinBackend()])
do {
    let outcome = try await TaskRunner(router: Router(), route: route)
        .run(HeadlineTask(content: content)) { piece in print(piece, terminator: "") }
    print("\n\(outcome.usage.outputTokens) tokens")
} catch {
    print("the route's backend said:", error)
}
