import Foundation
import NIOConcurrencyHelpers

/// A stand-in for a provider's batch API, as the providers document it: OpenAI's files and
/// batches (`POST /v1/files` multipart with purpose `batch`, `POST /v1/batches`, `GET
/// /v1/batches/{id}`, `GET /v1/files/{id}/content`) and Anthropic's Message Batches (`POST
/// /v1/messages/batches`, `GET /v1/messages/batches/{id}`, results as JSONL at
/// `results_url`). A batch runs for `pollsBeforeEnd` status calls, then ends with a result
/// for every request — in random order — as `answer` decides.
// @unchecked: the request bodies it keeps are JSON objects ([String: Any]); every piece of
// state is behind a lock.
public final class FakeBatchProvider: @unchecked Sendable {
    public enum Outcome: Sendable {
        case succeeded(String)
        /// An error answer (HTTP status and the provider's error type).
        case errored(status: Int, type: String, message: String)
        /// The window ended first.
        case expired
    }

    struct Batch {
        var id: String
        var requests: [(customID: String, body: [String: Any])]
        var polls = 0
        var outputFile: String?
        var errorFile: String?
        var results: [UInt8]?
    }

    struct State {
        var files: [String: [UInt8]] = [:]
        var batches: [String: Batch] = [:]
        var next = 0
        var baseURL = ""
        /// What was asked, in order, for the tests to check.
        var log: [String] = []
        var submittedRequests = 0
    }

    private let state = NIOLockedValueBox(State())
    public let pollsBeforeEnd: Int
    /// The outcome of a request: its custom id, its user message, and how many times that
    /// custom id's item was sent before (0 the first time).
    let answer: @Sendable (_ customID: String, _ user: String, _ attempt: Int) -> Outcome
    private let attempts = NIOLockedValueBox([String: Int]())

    public init(pollsBeforeEnd: Int = 1, answer: @escaping @Sendable (_ customID: String, _ user: String, _ attempt: Int) -> Outcome) {
        self.pollsBeforeEnd = pollsBeforeEnd
        self.answer = answer
    }

    public func setBaseURL(_ url: String) { state.withLockedValue { $0.baseURL = url } }
    public var log: [String] { state.withLockedValue { $0.log } }
    /// Requests received in all batches.
    public var submittedRequests: Int { state.withLockedValue { $0.submittedRequests } }

    public func handle(_ received: TestHTTPServer.Received) -> TestHTTPServer.Reply {
        let path = received.uri.split(separator: "?").first.map(String.init) ?? received.uri
        state.withLockedValue { $0.log.append("\(received.method) \(path)") }
        switch (received.method, path) {
        case ("POST", "/v1/files"): return upload(received)
        case ("POST", "/v1/batches"): return createOpenAI(received)
        case ("POST", "/v1/messages/batches"): return createAnthropic(received)
        default: break
        }
        if received.method == "GET", path.hasPrefix("/v1/files/"), path.hasSuffix("/content") {
            let id = String(path.dropFirst("/v1/files/".count).dropLast("/content".count))
            guard let bytes = state.withLockedValue({ $0.files[id] }) else { return .body(#"{"error":{"message":"no such file"}}"#, status: 404) }
            return TestHTTPServer.Reply(status: 200, headers: [("Content-Type", "application/jsonl")], chunks: [(0, bytes)])
        }
        if received.method == "GET", path.hasPrefix("/v1/batches/") { return statusOpenAI(String(path.dropFirst("/v1/batches/".count))) }
        if received.method == "GET", path.hasPrefix("/v1/messages/batches/") {
            let rest = String(path.dropFirst("/v1/messages/batches/".count))
            if rest.hasSuffix("/results") { return resultsAnthropic(String(rest.dropLast("/results".count))) }
            return statusAnthropic(rest)
        }
        return .body(#"{"error":{"message":"unknown endpoint \#(path)"}}"#, status: 404)
    }

    // MARK: OpenAI

    private func upload(_ received: TestHTTPServer.Received) -> TestHTTPServer.Reply {
        guard let type = received.header("content-type"), let boundaryRange = type.range(of: "boundary=") else {
            return .body(#"{"error":{"message":"expected multipart/form-data"}}"#, status: 400)
        }
        let boundary = "--" + type[boundaryRange.upperBound...]
        let text = String(decoding: received.body, as: UTF8.self)
        var purpose: String?
        var file: String?
        for part in text.components(separatedBy: boundary) {
            guard let split = part.range(of: "\r\n\r\n") else { continue }
            let headers = part[..<split.lowerBound]
            var content = String(part[split.upperBound...])
            if content.hasSuffix("\r\n") { content.removeLast() }  // "\r\n" is one Character
            if headers.contains("name=\"purpose\"") { purpose = content }
            if headers.contains("name=\"file\"") { file = content }
        }
        guard purpose == "batch", let file else { return .body(#"{"error":{"message":"purpose must be batch, with a file"}}"#, status: 400) }
        let id = state.withLockedValue { s -> String in
            s.next += 1
            let id = "file-\(s.next)"
            s.files[id] = Array(file.utf8)
            return id
        }
        return .body(#"{"id":"\#(id)","object":"file","purpose":"batch","bytes":\#(file.utf8.count)}"#)
    }

    private func createOpenAI(_ received: TestHTTPServer.Received) -> TestHTTPServer.Reply {
        guard let body = try? JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any], let fileID = body["input_file_id"] as? String,
            body["completion_window"] as? String == "24h", body["endpoint"] as? String == "/v1/chat/completions",
            let file = state.withLockedValue({ $0.files[fileID] })
        else { return .body(#"{"error":{"message":"bad batch request"}}"#, status: 400) }
        var requests: [(String, [String: Any])] = []
        for line in String(decoding: file, as: UTF8.self).split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let customID = object["custom_id"] as? String,
                object["method"] as? String == "POST", object["url"] as? String == "/v1/chat/completions", let request = object["body"] as? [String: Any]
            else { return .body(#"{"error":{"message":"malformed input line"}}"#, status: 400) }
            requests.append((customID, request))
        }
        let id = state.withLockedValue { s -> String in
            s.next += 1
            let id = "batch_\(s.next)"
            s.batches[id] = Batch(id: id, requests: requests)
            s.submittedRequests += requests.count
            return id
        }
        return .body(
            #"{"id":"\#(id)","object":"batch","status":"validating","input_file_id":"\#(fileID)","request_counts":{"total":\#(requests.count),"completed":0,"failed":0}}"#
        )
    }

    private func statusOpenAI(_ id: String) -> TestHTTPServer.Reply {
        let reply = state.withLockedValue { s -> String? in
            guard var batch = s.batches[id] else { return nil }
            batch.polls += 1
            let total = batch.requests.count
            if batch.polls <= pollsBeforeEnd {
                s.batches[id] = batch
                return #"{"id":"\#(id)","object":"batch","status":"in_progress","request_counts":{"total":\#(total),"completed":0,"failed":0}}"#
            }
            if batch.outputFile == nil {
                var output: [String] = []
                var errors: [String] = []
                for (customID, body) in batch.requests.shuffled() {
                    switch outcome(customID, body) {
                    case .succeeded(let text):
                        let completion: [String: Any] = [
                            "id": "chatcmpl-\(customID)", "object": "chat.completion",
                            "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": "stop"]],
                            "usage": ["prompt_tokens": 100, "completion_tokens": 10],
                        ]
                        output.append(
                            Self.json([
                                "id": "req_\(customID)", "custom_id": customID, "response": ["status_code": 200, "body": completion], "error": NSNull(),
                            ]))
                    case .errored(let status, let type, let message):
                        let body: [String: Any] = ["error": ["message": message, "type": type, "code": type]]
                        errors.append(
                            Self.json(["id": "req_\(customID)", "custom_id": customID, "response": ["status_code": status, "body": body], "error": NSNull()]))
                    case .expired:
                        errors.append(
                            Self.json([
                                "id": "req_\(customID)", "custom_id": customID, "response": NSNull(),
                                "error": ["code": "batch_expired", "message": "This request could not be executed before the completion window expired."],
                            ]))
                    }
                }
                s.next += 1
                batch.outputFile = "file-\(s.next)"
                s.files[batch.outputFile!] = Array(output.map { $0 + "\n" }.joined().utf8)
                s.next += 1
                batch.errorFile = "file-\(s.next)"
                s.files[batch.errorFile!] = Array(errors.map { $0 + "\n" }.joined().utf8)
            }
            s.batches[id] = batch
            return
                #"{"id":"\#(id)","object":"batch","status":"completed","output_file_id":"\#(batch.outputFile!)","error_file_id":"\#(batch.errorFile!)","request_counts":{"total":\#(total),"completed":\#(total),"failed":0}}"#
        }
        guard let reply else { return .body(#"{"error":{"message":"no such batch"}}"#, status: 404) }
        return .body(reply)
    }

    // MARK: Anthropic

    private func createAnthropic(_ received: TestHTTPServer.Received) -> TestHTTPServer.Reply {
        guard received.header("anthropic-version") != nil, let body = try? JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any],
            let entries = body["requests"] as? [[String: Any]]
        else { return .body(#"{"type":"error","error":{"type":"invalid_request_error","message":"bad batch"}}"#, status: 400) }
        var requests: [(String, [String: Any])] = []
        for entry in entries {
            guard let customID = entry["custom_id"] as? String, customID.range(of: "^[a-zA-Z0-9_-]{1,64}$", options: .regularExpression) != nil,
                let params = entry["params"] as? [String: Any], params["max_tokens"] != nil
            else { return .body(#"{"type":"error","error":{"type":"invalid_request_error","message":"bad entry"}}"#, status: 400) }
            requests.append((customID, params))
        }
        let id = state.withLockedValue { s -> String in
            s.next += 1
            let id = "msgbatch_\(s.next)"
            s.batches[id] = Batch(id: id, requests: requests)
            s.submittedRequests += requests.count
            return id
        }
        return .body(
            #"{"id":"\#(id)","type":"message_batch","processing_status":"in_progress","request_counts":{"processing":\#(requests.count),"succeeded":0,"errored":0,"canceled":0,"expired":0}}"#
        )
    }

    private func statusAnthropic(_ id: String) -> TestHTTPServer.Reply {
        let reply = state.withLockedValue { s -> String? in
            guard var batch = s.batches[id] else { return nil }
            batch.polls += 1
            s.batches[id] = batch
            let total = batch.requests.count
            if batch.polls <= pollsBeforeEnd {
                return
                    #"{"id":"\#(id)","type":"message_batch","processing_status":"in_progress","request_counts":{"processing":\#(total),"succeeded":0,"errored":0,"canceled":0,"expired":0}}"#
            }
            return
                #"{"id":"\#(id)","type":"message_batch","processing_status":"ended","request_counts":{"processing":0,"succeeded":\#(total),"errored":0,"canceled":0,"expired":0},"results_url":"\#(s.baseURL)/v1/messages/batches/\#(id)/results"}"#
        }
        guard let reply else { return .body(#"{"type":"error","error":{"type":"not_found_error","message":"no such batch"}}"#, status: 404) }
        return .body(reply)
    }

    private func resultsAnthropic(_ id: String) -> TestHTTPServer.Reply {
        let bytes = state.withLockedValue { s -> [UInt8]? in
            guard var batch = s.batches[id] else { return nil }
            if batch.results == nil {
                var lines: [String] = []
                for (customID, params) in batch.requests.shuffled() {
                    let result: [String: Any]
                    switch outcome(customID, params) {
                    case .succeeded(let text):
                        result = [
                            "type": "succeeded",
                            "message": [
                                "id": "msg_\(customID)", "type": "message", "role": "assistant", "content": [["type": "text", "text": text]],
                                "stop_reason": "end_turn", "usage": ["input_tokens": 100, "output_tokens": 10],
                            ] as [String: Any],
                        ]
                    case .errored(_, let type, let message):
                        result = ["type": "errored", "error": ["type": "error", "error": ["type": type, "message": message]]]
                    case .expired:
                        result = ["type": "expired"]
                    }
                    lines.append(Self.json(["custom_id": customID, "result": result]))
                }
                batch.results = Array(lines.map { $0 + "\n" }.joined().utf8)
                s.batches[id] = batch
            }
            return batch.results
        }
        guard let bytes else { return .body(#"{"type":"error","error":{"type":"not_found_error","message":"no such batch"}}"#, status: 404) }
        return TestHTTPServer.Reply(status: 200, headers: [("Content-Type", "application/binary")], chunks: [(0, bytes)])
    }

    // MARK: Shared

    /// The outcome of one request; counts how often its item was sent.
    private func outcome(_ customID: String, _ body: [String: Any]) -> Outcome {
        let messages = body["messages"] as? [[String: Any]] ?? []
        let user = messages.last?["content"] as? String ?? ""
        let attempt = attempts.withLockedValue { a -> Int in
            let n = a[customID, default: 0]
            a[customID] = n + 1
            return n
        }
        return answer(customID, user, attempt)
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }
}
