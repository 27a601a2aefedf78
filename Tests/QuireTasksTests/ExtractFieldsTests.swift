import Foundation
import QuireBackends
import QuireImport
import QuireInternalThreads
import QuireLLM
import QuireMail
import QuireModel
import QuireRouter
import QuireTestServer
import QuireTestSupport
import Testing

@testable import QuireTasks

struct ExtractFieldsTests {
    static let fields = "invoice_no, total:number, due:date, paid:boolean"

    static func invoices() throws -> [TaskContent] {
        guard case .mailbox(let messages, _) = try ContentLoader().read(path: Fixtures.path("mail/invoices.mbox")) else {
            throw DocumentError(.corrupt, file: "invoices.mbox", message: "not a mailbox")
        }
        return messages.map { ContentLoader().sections(of: .content(.mail($0)), name: "invoices.mbox") }
    }

    @Test("--fields: names, types, lists and required marks; a wrong type, name or repeat is an error that says which")
    func shorthand() throws {
        let schema = try FieldSchema.parse(fields: "invoice_no!, total:number, due:date, tags:string[], count:int, ok:bool")
        #expect(schema.fields.map(\.name) == ["invoice_no", "total", "due", "tags", "count", "ok"])
        #expect(schema.fields.map(\.type) == [.string, .number, .date, .array(.string), .integer, .boolean])
        #expect(schema.fields.map(\.required) == [true, false, false, false, false, false])
        for (text, words) in [("a:money", "'money' of 'a' is no type"), ("a b", "not a field name"), ("a, a:number", "named twice"), (" , ", "names no field")]
        {
            #expect(throws: FieldSchema.Invalid.self, "\(text)") { try FieldSchema.parse(fields: text) }
            do { _ = try FieldSchema.parse(fields: text) } catch { #expect(error.message.contains(words), "\(error.message)") }
        }
    }

    @Test("a JSON Schema: properties in the file's order, enum, format date, arrays, required; the wire form is strict")
    func jsonSchema() throws {
        let text = """
            {"title": "Invoice", "type": "object", "required": ["number"],
             "properties": {"number": {"type": "string", "description": "The invoice number"}, "total": {"type": "number"},
                            "currency": {"type": "string", "enum": ["EUR", "USD"]}, "due": {"type": "string", "format": "date"},
                            "lines": {"type": "array", "items": {"type": "integer"}}}}
            """
        let schema = try FieldSchema.parse(jsonSchema: text)
        #expect(schema.name == "Invoice")
        #expect(schema.fields.map(\.name) == ["number", "total", "currency", "due", "lines"])
        #expect(schema.fields[2].allowed == ["EUR", "USD"] && schema.fields[3].type == .date && schema.fields[4].type == .array(.integer))
        let wire = try #require(try JSONSerialization.jsonObject(with: Data(schema.wireSchema.utf8)) as? [String: Any])
        #expect(wire["additionalProperties"] as? Bool == false)
        #expect((wire["required"] as? [String]) == ["number", "total", "currency", "due", "lines"])
        let properties = try #require(wire["properties"] as? [String: Any])
        #expect((properties["total"] as? [String: Any])?["type"] as? [String] == ["number", "null"])
        #expect((properties["due"] as? [String: Any])?["format"] as? String == "date")
        #expect(try FieldSchema.parse(jsonSchema: schema.wireSchema).fields.map(\.type) == schema.fields.map(\.type), "the wire form reads back")
        for bad in ["[1]", #"{"type":"object"}"#, #"{"properties":{"a":{"type":"object"}}}"#, #"{"properties":{"a":{"type":"array"}}}"#] {
            #expect(throws: FieldSchema.Invalid.self, "\(bad)") { try FieldSchema.parse(jsonSchema: bad) }
        }
    }

    @Test("answers checked: types (true is no number, \"12\" no number), ISO dates, enum, required, unknown keys, no JSON")
    func check() throws {
        let schema = try FieldSchema.parse(
            jsonSchema:
                #"{"required":["id"],"properties":{"id":{"type":"string"},"n":{"type":"integer"},"x":{"type":"number"},"ok":{"type":"boolean"},"d":{"type":"string","format":"date"},"c":{"type":"string","enum":["a","b"]},"l":{"type":"array","items":{"type":"number"}}}}"#
        )
        let good = schema.check(#"Here: {"id":"A-1","n":3,"x":2.5,"ok":true,"d":"2024-03-31","c":"b","l":[1,2.5]}"#)
        #expect(good.isValid, "\(good.errors)")
        #expect(good.values["x"] == .number(2.5) && good.values["ok"] == .boolean(true) && good.values["l"] == .array([.number(1), .number(2.5)]))
        let bad = schema.check(#"{"id":null,"n":2.5,"x":"12","ok":1,"d":"31/03/2024","c":"z","l":[1,"2"],"extra":1}"#)
        #expect(bad.errors.count == 8, "\(bad.errors)")
        #expect(bad.errors.contains("id: required, but null or missing") && bad.errors.contains("extra: not a field of the schema"))
        #expect(bad.errors.contains { $0.hasPrefix("ok: expected true or false") } && bad.errors.contains { $0.hasPrefix("x: expected a number") })
        #expect(bad.values.values.allSatisfy { $0 == .null })
        #expect(schema.check("no JSON at all").errors == ["the answer is not a JSON object"])
    }

    @Test("offline: only labelled values, read as their types; null where the text does not label one")
    func offline() async throws {
        let schema = try FieldSchema.parse(fields: Self.fields)
        let runner = TaskRunner(router: Router(), route: Route(task: "extract-fields", backends: [BuiltinBackend(handlers: OfflineTasks.handlers)]))
        var results: [FieldSchema.Checked] = []
        for content in try Self.invoices() {
            results.append(schema.check(try await runner.run(ExtractFieldsTask(content: content, schema: schema)) { _ in }.text))
        }
        #expect(results.allSatisfy { $0.isValid })
        #expect(results[0].values == ["invoice_no": .string("INV-1042"), "total": .number(4200.5), "due": .string("2024-03-31"), "paid": .boolean(false)])
        #expect(results[1].values["invoice_no"] == .string("7-2024") && results[1].values["total"] == .number(1180))
        #expect(results[2].values.values.allSatisfy { $0 == .null })
        #expect(OfflineFields.isoDate("March 31, 2024") == "2024-03-31" && OfflineFields.isoDate("31 Feb 2024") == nil)
        #expect(OfflineFields.labels("invoice_no").contains("invoice number") && OfflineFields.labels("dueDate").contains("due date"))
    }

    @Test("through a local OpenAI server: strict json_schema sent; a malformed answer is asked again with its errors, and the second is taken")
    func openAI() async throws {
        let schema = try FieldSchema.parse(fields: Self.fields)
        let content = try Self.invoices()[0]
        try await withOpenAIServer(answer: { user, body in
            if body.contains("does not follow the schema") { return (200, #"{"invoice_no":"INV-1042","total":4200.5,"due":"2024-03-31","paid":false}"#) }
            return (200, #"{"invoice_no":"INV-1042","total":"4,200.50 EUR","due":"31 March 2024","paid":false}"#)
        }) { server in
            let backend = openAIBackend(server)
            let runner = TaskRunner(router: Router(), route: Route(task: "extract-fields", backends: [backend]))
            let task = ExtractFieldsTask(content: content, schema: schema)
            let first = schema.check(try await runner.run(task) { _ in }.text)
            #expect(!first.isValid && first.errors.count == 2)
            let second = schema.check(try await runner.run(task.retry(after: "x", errors: first.errors)) { _ in }.text)
            #expect(second.isValid && second.values["total"] == .number(4200.5))
            try await backend.shutdown()
            let request = jsonObject(server.received[0])
            let format = try #require(request["response_format"] as? [String: Any])
            #expect(format["type"] as? String == "json_schema")
            let inner = try #require(format["json_schema"] as? [String: Any])
            #expect(inner["strict"] as? Bool == true && inner["name"] as? String == "record")
            #expect(((inner["schema"] as? [String: Any])?["required"] as? [String]) == ["invoice_no", "total", "due", "paid"])
            let retry = try #require(jsonObject(server.received[1])["messages"] as? [[String: Any]])
            #expect(retry.map { $0["role"] as? String } == ["system", "user", "assistant", "user"])
            #expect((retry.last?["content"] as? String)?.contains("total: expected a number, got \"4,200.50 EUR\"") == true)
        }
    }

    @Test("Anthropic: the schema as a forced tool, its tool_use input taken as the answer (whole and streamed)")
    func anthropicTool() async throws {
        let schema = try FieldSchema.parse(fields: "invoice_no, total:number")
        let content = try Self.invoices()[0]
        let streamed = Locked(false)
        try await TestHTTPServer.serving({ received in
            let body = (try? JSONSerialization.jsonObject(with: Data(received.body))) as? [String: Any] ?? [:]
            let tools = body["tools"] as? [[String: Any]] ?? []
            let choice = body["tool_choice"] as? [String: Any] ?? [:]
            guard tools.first?["name"] as? String == "record", choice["name"] as? String == "record", tools.first?["input_schema"] != nil else {
                return .body(#"{"type":"error","error":{"type":"invalid_request_error","message":"no tool"}}"#, status: 400)
            }
            if body["stream"] as? Bool == true {
                streamed.withLock { $0 = true }
                let events = [
                    #"{"type":"message_start","message":{"usage":{"input_tokens":10,"output_tokens":0}}}"#,
                    #"{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"record","input":{}}}"#,
                    #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"invoice_no\": \"INV-"}}"#,
                    #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"1042\", \"total\": 4200.5}"}}"#,
                    #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":12}}"#, #"{"type":"message_stop"}"#,
                ].map { "data: \($0)\n\n" }.joined()
                return TestHTTPServer.Reply(headers: [("Content-Type", "text/event-stream")], chunks: [(0, Array(events.utf8))])
            }
            return .body(
                #"{"content":[{"type":"tool_use","id":"t1","name":"record","input":{"invoice_no":"INV-1042","total":4200.5}}],"stop_reason":"tool_use","usage":{"input_tokens":10,"output_tokens":12}}"#
            )
        }) { server in
            let backend = HTTPChatBackend(
                config: BackendConfig(
                    name: "claude", kind: .anthropic, model: "claude-test", baseURL: server.baseURL, apiKey: "k", readTimeout: 20, totalTimeout: 60))
            let runner = TaskRunner(router: Router(), route: Route(task: "extract-fields", backends: [backend]))
            let task = ExtractFieldsTask(content: content, schema: schema)
            let whole = schema.check(try await runner.run(task) { _ in }.text)
            #expect(whole.isValid && whole.values == ["invoice_no": .string("INV-1042"), "total": .number(4200.5)], "\(whole)")
            var request = try #require(task.plan(runner.budget).singleRequest)
            request.stream = true
            var text = ""
            for try await event in backend.stream(request) { if case .text(let piece) = event { text += piece } }
            #expect(streamed.withLock { $0 })
            #expect(schema.check(text).values["invoice_no"] == .string("INV-1042"))
            try await backend.shutdown()
        }
    }
}

extension TaskPlan {
    /// The request of a one-request plan.
    var singleRequest: ChatRequest? { if case .single(let request) = self { request } else { nil } }
}
