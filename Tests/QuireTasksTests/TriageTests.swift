import Foundation
import QuireBackends
import QuireImport
import QuireLLM
import QuireMail
import QuireModel
import QuireRouter
import QuireTestServer
import QuireTestSupport
import Testing

@testable import QuireTasks

struct TriageTests {
    static func threads() throws -> [MailThread] {
        guard case .mailbox(let messages, _) = try ContentLoader().read(path: Fixtures.path("mail/triage.mbox")) else {
            throw DocumentError(.corrupt, file: "triage.mbox", message: "not a mailbox")
        }
        return Threader.threads(messages)
    }

    static func bySubject(_ rules: TriageRules) throws -> [String: TriageResult] {
        Dictionary(uniqueKeysWithValues: try threads().map { rules.triage($0) }.map { ($0.subject, $0) })
    }

    @Test("the rules on a reader's inbox: lists and automated mail low, requests and questions to her wait, days resolved, owners named")
    func rules() throws {
        let results = try Self.bySubject(TriageRules(me: ["grace@example.org"]))
        #expect(results.count == 8)
        let contract = try #require(results["Supplier contract"])
        #expect(contract.category == "direct" && contract.needsReply && contract.priority == .normal)
        #expect(contract.actions == [.init(text: "Could you sign the supplier contract by Friday?", owner: "Grace Hopper", due: "2024-03-15")])
        #expect(contract.summary == "Ada: Could you sign the supplier contract by Friday?" && contract.id == "<t1@example.org>")
        let digest = try #require(results["This week in logistics"])
        #expect(digest.category == "list" && digest.priority == .low && !digest.needsReply && digest.actions.isEmpty)
        #expect(digest.reasons.first == "List-Id: <digest.lists.example.com>")
        for subject in ["Automatic reply: Q3 numbers", "Undelivered Mail Returned to Sender"] {
            let auto = try #require(results[subject])
            #expect(auto.category == "automated" && auto.priority == .low && !auto.needsReply, "\(subject)")
        }
        let numbers = try #require(results["Q3 numbers"])
        #expect(numbers.category == "cc" && !numbers.needsReply && numbers.priority == .normal)
        #expect(numbers.actions == [.init(text: "I will send the deck on 2024-03-14.", owner: "Bob", due: "2024-03-14")])
        // A thread is judged on its latest message: Dan asks Grace for something tomorrow.
        let review = try #require(results["Review meeting"])
        #expect(review.messages == 2 && review.from == "Dan" && review.needsReply && review.priority == .high)
        #expect(review.actions.first?.owner == "Grace Hopper" && review.actions.first?.due == "2024-03-14")
        #expect(review.reasons.contains("due within three days"))
        let outage = try #require(results["EU server down"])
        #expect(outage.priority == .high && outage.needsReply && outage.reasons.contains("Importance: high"))
        let lunch = try #require(results["Lunch"])
        #expect(lunch.category == "sent" && !lunch.needsReply)
    }

    @Test("labels by their words; without --me, nothing is judged by address")
    func labels() throws {
        let labels = TriageRules.Label.parse("legal: contract audit, finance: invoice numbers deck, ops: server failover outage")
        #expect(labels.map(\.name) == ["legal", "finance", "ops"])
        let results = try Self.bySubject(TriageRules(labels: labels))
        #expect(results["Supplier contract"]?.category == "legal")
        #expect(results["Q3 numbers"]?.category == "finance")
        #expect(results["EU server down"]?.category == "ops")
        #expect(results["Lunch"]?.category == "other")
        #expect(results["This week in logistics"]?.category == "list")
        // Without the reader's address, a question is taken to wait for a reply.
        #expect(results["Lunch"]?.needsReply == true)
    }

    @Test(
        "days: weekdays after the message, today and tomorrow, ISO dates, day and month either way round",
        arguments: [
            ("Could you send it by Friday?", "2024-03-15"), ("Please do it today.", "2024-03-11"), ("Send it tomorrow please.", "2024-03-12"),
            ("Please reply by Monday.", "2024-03-18"), ("Finish it by 2024-04-02 please.", "2024-04-02"), ("Please pay by 20 March.", "2024-03-20"),
            ("Please pay by March 20th.", "2024-03-20"), ("Please file it by 5 Jan.", "2025-01-05"), ("Please review the marketing 2 plan.", nil),
            ("Please send it by the end of the week.", "2024-03-15"), ("Please start next week.", "2024-03-18"),
        ] as [(String, String?)])
    func days(sentence: String, expected: String?) {
        // Monday 11 March 2024, 09:00 in UTC+1.
        let sent = MailDate(raw: "Mon, 11 Mar 2024 09:00:00 +0100", timestamp: 1_710_144_000, offsetMinutes: 60)
        #expect(TriageRules.due(in: sentence, sent: sent) == expected)
    }

    @Test("offline through the route: the built-in backend gives the rules' verdict; the overview puts replies first and lists the actions")
    func offline() async throws {
        let rules = TriageRules(me: ["grace@example.org"])
        let runner = TaskRunner(router: Router(), route: Route(task: "triage", backends: [BuiltinBackend(handlers: OfflineTasks.handlers)]))
        var results: [TriageResult] = []
        for thread in try Self.threads() {
            let task = TriageTask(thread: thread, rules: rules)
            let answer = try await runner.run(task) { _ in }.text
            results.append(try task.result(from: answer))
            #expect(results.last == task.rules)
        }
        let overview = TriageTask.overview(results)
        #expect(overview.hasPrefix("# Triage\n\n8 items: 3 waiting for a reply, 2 of high priority.\n"))
        let rows = overview.split(separator: "\n").filter { $0.hasPrefix("| high") || $0.hasPrefix("| normal") || $0.hasPrefix("| low") }
        #expect(rows.count == 8 && rows[0].contains("EU server down") && rows.last?.contains("This week in logistics") == true)
        #expect(overview.contains("- Please book the room for 10:00 tomorrow. (owner: Grace Hopper; due: 2024-03-14; from “Review meeting”)"))
    }

    @Test("through a local OpenAI server: the JSON answer is taken field by field, a bad field is not; no JSON leaves the rules' verdict")
    func model() async throws {
        let thread = try #require(try Self.threads().first { $0.subject == "Supplier contract" })
        let rules = TriageRules(me: ["grace@example.org"], labels: TriageRules.Label.parse("legal, finance"))
        try await withOpenAIServer(answer: { user, _ in
            if user.contains("Supplier contract") && user.contains("\"needs_reply\":true") {
                return (
                    200,
                    #"Here you go: {"category": "legal", "priority": "urgent", "needs_reply": true, "actions": [{"text": "Sign the contract", "owner": "Grace", "due": "2024-03-15"}, {"text": "Check clause 4", "owner": null, "due": "Friday"}], "summary": "Ada needs the supplier contract signed by Friday."}"#
                )
            }
            return (200, "I cannot answer in JSON.")
        }) { server in
            let backend = openAIBackend(server)
            let runner = TaskRunner(router: Router(), route: Route(task: "triage", backends: [backend]))
            let task = TriageTask(thread: thread, rules: rules)
            let result = try task.result(from: try await runner.run(task) { _ in }.text)
            #expect(result.category == "legal" && result.needsReply)
            #expect(result.priority == task.rules.priority, "'urgent' is no priority: the rules' stands")
            #expect(result.actions == [.init(text: "Sign the contract", owner: "Grace", due: "2024-03-15"), .init(text: "Check clause 4")])
            #expect(result.summary == "Ada needs the supplier contract signed by Friday.")
            let request = try #require(server.received.first)
            let user = (jsonObject(request)["messages"] as? [[String: Any]])?.last?["content"] as? String ?? ""
            #expect(user.contains("# Supplier contract") && user.contains("Could you sign the supplier contract by Friday?"))
            let system = (jsonObject(request)["messages"] as? [[String: Any]])?.first?["content"] as? String ?? ""
            #expect(system.contains("exactly one of: legal, finance, other"))
            let other = try #require(try Self.threads().first { $0.subject == "Lunch" })
            let lunch = TriageTask(thread: other, rules: rules)
            #expect(throws: LLMError.self) { try lunch.result(from: "I cannot answer in JSON.") }
            try await backend.shutdown()
        }
    }
}
