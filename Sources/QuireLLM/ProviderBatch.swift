import Foundation

/// One request of a provider batch: its id in the batch, and the request.
public struct ProviderBatchRequest: Sendable {
    /// `q<seq>`: short and of the characters every provider accepts (Anthropic: `[a-zA-Z0-9_-]{1,64}`).
    public var customID: String
    /// The request, as it would be sent on its own.
    public var request: ChatRequest

    /// A batch entry from its custom id and request.
    public init(customID: String, request: ChatRequest) {
        self.customID = customID
        self.request = request
    }
}

/// A batch as the provider reports it.
public struct ProviderBatchStatus: Sendable, Equatable {
    /// Where a batch stands, in terms common to the providers.
    public enum State: String, Sendable {
        /// Validating, in progress, finalizing: come back later.
        case running
        /// Every request has a result (or the window ended): the results can be read.
        case ended
        /// The provider refused the batch as a whole (a malformed input file).
        case failed
    }

    /// The provider's id for the batch.
    public var id: String
    /// Running, ended or failed.
    public var state: State
    /// The provider's own word for the state (`in_progress`, `completed`, `expired`, `ended` …).
    public var providerStatus: String
    /// Requests in the batch.
    public var total: Int
    /// Requests done with an answer so far.
    public var succeeded: Int
    /// Requests done with an error so far.
    public var failed: Int
    /// Where the results are: OpenAI's output and error files, Anthropic's results URL.
    public var outputFileID: String?
    /// OpenAI's file of failed requests, when there is one.
    public var errorFileID: String?
    /// Anthropic's results address.
    public var resultsURL: String?
    /// Why the provider failed the batch, when it did.
    public var message: String?

    /// A status from its parts.
    public init(
        id: String, state: State, providerStatus: String, total: Int = 0, succeeded: Int = 0, failed: Int = 0, outputFileID: String? = nil,
        errorFileID: String? = nil, resultsURL: String? = nil, message: String? = nil
    ) {
        self.id = id
        self.state = state
        self.providerStatus = providerStatus
        self.total = total
        self.succeeded = succeeded
        self.failed = failed
        self.outputFileID = outputFileID
        self.errorFileID = errorFileID
        self.resultsURL = resultsURL
        self.message = message
    }
}

/// The result of one request of a batch.
public enum ProviderBatchResult: Sendable, Equatable {
    /// The request's answer.
    case succeeded(ChatResponse)
    /// The request failed; `code` as in the results (`rate_limited`, `bad_request` …).
    case errored(code: String, message: String)
    /// The batch's window ended before the request was done.
    case expired
    /// The batch was cancelled before the request was done.
    case canceled
}

/// A provider's batch API: OpenAI's Batch API (a JSONL file uploaded to `/v1/files`, then
/// `POST /v1/batches`), Anthropic's Message Batches (`POST /v1/messages/batches` with the
/// requests inline). The HTTP clients live in QuireBackends.
public protocol ProviderBatchClient: Sendable {
    /// The backend's name in the config.
    var backend: String { get }
    /// The most requests and bytes one batch may hold.
    var maxRequests: Int { get }
    /// The most bytes one batch may hold.
    var maxBytes: Int { get }
    /// The size one request adds to a batch (its line or its entry), for splitting.
    func size(of request: ProviderBatchRequest) -> Int
    /// Creates a batch of `requests`; returns the provider's id for it.
    func submit(_ requests: [ProviderBatchRequest]) async throws -> String
    /// Where the batch `id` stands now.
    func status(_ id: String) async throws -> ProviderBatchStatus
    /// The results of an ended batch, by custom id (out of order, as the provider gives them).
    func results(_ status: ProviderBatchStatus) async throws -> [(customID: String, result: ProviderBatchResult)]
}

/// Splits requests into batches within a client's limits, in order.
public enum BatchSplitter {
    /// Groups of `requests`, in order, each within `maxRequests` and `maxBytes` (by `size`).
    public static func groups(_ requests: [ProviderBatchRequest], maxRequests: Int, maxBytes: Int, size: (ProviderBatchRequest) -> Int)
        -> [[ProviderBatchRequest]]
    {
        var groups: [[ProviderBatchRequest]] = []
        var current: [ProviderBatchRequest] = []
        var bytes = 0
        for request in requests {
            let added = size(request)
            if !current.isEmpty && (current.count >= maxRequests || bytes + added > maxBytes) {
                groups.append(current)
                current = []
                bytes = 0
            }
            current.append(request)
            bytes += added
        }
        if !current.isEmpty { groups.append(current) }
        return groups
    }
}

extension LLMError.Code {
    /// The code as results and reports write it: `rateLimited` → `rate_limited`.
    public var snakeCase: String {
        var out = ""
        for character in rawValue {
            if character.isUppercase { out += "_" + character.lowercased() } else { out.append(character) }
        }
        return out
    }
}

/// OpenAI's Batch API: an input file of JSON lines `{"custom_id", "method": "POST", "url":
/// "/v1/chat/completions", "body"}` uploaded with purpose `batch`, a batch object with
/// `status` and `request_counts`, and output and error files of lines `{"custom_id",
/// "response": {"status_code", "body"}, "error"}`.
package enum OpenAIBatchWire {
    package static let endpoint = "/v1/chat/completions"

    /// One line of the input file (with its line end).
    package static func line(_ request: ProviderBatchRequest, model: String, maxTokensField: String) -> [UInt8] {
        var out: [UInt8] = Array(#"{"body":"#.utf8)
        var chat = request.request
        chat.stream = false
        out += OpenAIWire.body(chat, model: model, stream: false, maxTokensField: maxTokensField)
        out += Array(#","custom_id":"#.utf8)
        JSON.writeString(request.customID, to: &out)
        out += Array(#","method":"POST","url":"\#(endpoint)"}"#.utf8)
        out.append(0x0A)
        return out
    }

    /// The batch object of `POST /v1/batches` and `GET /v1/batches/{id}`.
    package static func status(_ body: [UInt8], backend: String) throws(LLMError) -> ProviderBatchStatus {
        guard let object = JSON.object(body), let id = object["id"] as? String, let status = object["status"] as? String else {
            throw LLMError(.malformedResponse, backend: backend, message: "not a batch object: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        let state: ProviderBatchStatus.State
        switch status {
        case "completed", "expired", "cancelled": state = .ended
        case "failed": state = .failed
        default: state = .running  // validating, in_progress, finalizing, cancelling
        }
        let counts = object["request_counts"] as? [String: Any] ?? [:]
        let errors = ((object["errors"] as? [String: Any])?["data"] as? [[String: Any]])?.compactMap { $0["message"] as? String }
        return ProviderBatchStatus(
            id: id, state: state, providerStatus: status, total: JSON.int(counts["total"]) ?? 0, succeeded: JSON.int(counts["completed"]) ?? 0,
            failed: JSON.int(counts["failed"]) ?? 0, outputFileID: object["output_file_id"] as? String, errorFileID: object["error_file_id"] as? String,
            message: errors?.joined(separator: "; "))
    }

    /// The lines of an output or error file.
    package static func results(_ jsonl: [UInt8], backend: String) -> [(customID: String, result: ProviderBatchResult)] {
        var out: [(String, ProviderBatchResult)] = []
        for line in jsonl.split(separator: 0x0A) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
            guard let object = JSON.object(line), let customID = object["custom_id"] as? String else { continue }
            if let error = object["error"] as? [String: Any] {
                let code = error["code"] as? String ?? ""
                let message = error["message"] as? String ?? "the request failed"
                switch code {
                case "batch_expired": out.append((customID, .expired))
                case "batch_cancelled": out.append((customID, .canceled))
                default: out.append((customID, .errored(code: classify(status: 400, providerType: code, message: message).snakeCase, message: message)))
                }
                continue
            }
            guard let response = object["response"] as? [String: Any], let status = JSON.int(response["status_code"]),
                let body = response["body"], let bytes = try? JSONSerialization.data(withJSONObject: body)
            else {
                out.append((customID, .errored(code: LLMError.Code.malformedResponse.snakeCase, message: "a result line without a response")))
                continue
            }
            if status == 200 {
                do {
                    out.append((customID, .succeeded(try OpenAIWire.response(Array(bytes), backend: backend))))
                } catch {
                    out.append((customID, .errored(code: error.code.snakeCase, message: error.message)))
                }
            } else {
                let error = OpenAIWire.error(status: status, body: Array(bytes), retryAfter: nil, backend: backend)
                out.append((customID, .errored(code: error.code.snakeCase, message: error.message)))
            }
        }
        return out
    }
}

/// Anthropic's Message Batches: `POST /v1/messages/batches` with `{"requests": [{"custom_id",
/// "params"}]}`, a batch with `processing_status` and `request_counts`, and results streamed
/// as JSON lines `{"custom_id", "result": {"type": succeeded|errored|canceled|expired, …}}`.
package enum AnthropicBatchWire {
    /// One entry of `requests` (no separator).
    package static func entry(_ request: ProviderBatchRequest, model: String, defaultMaxTokens: Int) -> [UInt8] {
        var out: [UInt8] = Array(#"{"custom_id":"#.utf8)
        JSON.writeString(request.customID, to: &out)
        out += Array(#","params":"#.utf8)
        out += AnthropicWire.body(request.request, model: model, stream: false, defaultMaxTokens: defaultMaxTokens)
        out.append(UInt8(ascii: "}"))
        return out
    }

    package static func body(_ entries: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = Array(#"{"requests":["#.utf8)
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += entry
        }
        out += Array("]}".utf8)
        return out
    }

    package static func status(_ body: [UInt8], backend: String) throws(LLMError) -> ProviderBatchStatus {
        guard let object = JSON.object(body), let id = object["id"] as? String, let status = object["processing_status"] as? String else {
            throw LLMError(.malformedResponse, backend: backend, message: "not a message batch: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        let counts = object["request_counts"] as? [String: Any] ?? [:]
        let succeeded = JSON.int(counts["succeeded"]) ?? 0
        let failed = (JSON.int(counts["errored"]) ?? 0) + (JSON.int(counts["canceled"]) ?? 0) + (JSON.int(counts["expired"]) ?? 0)
        return ProviderBatchStatus(
            id: id, state: status == "ended" ? .ended : .running, providerStatus: status, total: succeeded + failed + (JSON.int(counts["processing"]) ?? 0),
            succeeded: succeeded, failed: failed, resultsURL: object["results_url"] as? String)
    }

    package static func results(_ jsonl: [UInt8], backend: String) -> [(customID: String, result: ProviderBatchResult)] {
        var out: [(String, ProviderBatchResult)] = []
        for line in jsonl.split(separator: 0x0A) where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
            guard let object = JSON.object(line), let customID = object["custom_id"] as? String, let result = object["result"] as? [String: Any] else {
                continue
            }
            switch result["type"] as? String {
            case "succeeded":
                guard let message = result["message"], let bytes = try? JSONSerialization.data(withJSONObject: message) else {
                    out.append((customID, .errored(code: LLMError.Code.malformedResponse.snakeCase, message: "a succeeded result without its message")))
                    continue
                }
                do {
                    out.append((customID, .succeeded(try AnthropicWire.response(Array(bytes), backend: backend))))
                } catch {
                    out.append((customID, .errored(code: error.code.snakeCase, message: error.message)))
                }
            case "errored":
                let inner = ((result["error"] as? [String: Any])?["error"] as? [String: Any]) ?? (result["error"] as? [String: Any]) ?? [:]
                let message = inner["message"] as? String ?? "the request failed"
                let code = AnthropicWire.code(type: inner["type"] as? String, status: 400, message: message)
                out.append((customID, .errored(code: code.snakeCase, message: message)))
            case "expired": out.append((customID, .expired))
            case "canceled": out.append((customID, .canceled))
            default: continue
            }
        }
        return out
    }
}
