import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
public import QuireLLM

/// A provider's batch API over HTTP: OpenAI's (`/v1/files` + `/v1/batches`, and Azure
/// OpenAI's the same way) or Anthropic's Message Batches, for the backend `config`.
public final class HTTPBatchClient: ProviderBatchClient {
    /// The backend whose batch API this speaks.
    public let config: BackendConfig
    public let maxRequests: Int
    public let maxBytes: Int
    private let client: HTTPClient

    public var backend: String { config.name }

    /// Whether this kind of backend has a batch API Quire speaks.
    public static func supports(_ kind: BackendConfig.Kind) -> Bool { kind == .openai || kind == .anthropic }

    /// The providers' documented limits per batch: OpenAI 50,000 requests and 200 MB,
    /// Anthropic 100,000 requests and 256 MB. `maxRequests`/`maxBytes` override them.
    public init(config: BackendConfig, maxRequests: Int? = nil, maxBytes: Int? = nil) {
        self.config = config
        let anthropic = config.kind == .anthropic
        self.maxRequests = maxRequests ?? (anthropic ? 100_000 : 50_000)
        self.maxBytes = maxBytes ?? (anthropic ? 256_000_000 : 200_000_000)
        client = SharedHTTPClients.client(connect: config.connectTimeout, read: config.readTimeout)
    }

    /// Nothing to close: the client is shared by the process.
    public func shutdown() async throws {}

    var base: String { config.resolvedBaseURL }

    func line(_ request: ProviderBatchRequest) -> [UInt8] {
        OpenAIBatchWire.line(request, model: config.model, maxTokensField: "max_completion_tokens")
    }

    func entry(_ request: ProviderBatchRequest) -> [UInt8] {
        AnthropicBatchWire.entry(request, model: config.model, defaultMaxTokens: config.capabilities.maxOutputTokens)
    }

    public func size(of request: ProviderBatchRequest) -> Int {
        config.kind == .anthropic ? entry(request).count + 1 : line(request).count
    }

    public func submit(_ requests: [ProviderBatchRequest]) async throws -> String {
        if config.kind == .anthropic {
            let body = AnthropicBatchWire.body(requests.map(entry))
            let answer = try await send("POST", base + "/v1/messages/batches", body: body, contentType: "application/json")
            return try AnthropicBatchWire.status(answer, backend: backend).id
        }
        // OpenAI: the requests as a JSONL file, then the batch over it.
        var file: [UInt8] = []
        for request in requests { file += line(request) }
        let boundary = "quire-\(UUID().uuidString)"
        var form: [UInt8] = []
        form += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n".utf8)
        form += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"quire-batch.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n".utf8)
        form += file
        form += Array("\r\n--\(boundary)--\r\n".utf8)
        let uploaded = try await send("POST", base + "/files", body: form, contentType: "multipart/form-data; boundary=\(boundary)")
        guard let fileID = (try? JSONSerialization.jsonObject(with: Data(uploaded)) as? [String: Any])?["id"] as? String else {
            throw LLMError(
                .malformedResponse, backend: backend, message: "the file upload gave no file id: \(String(decoding: uploaded.prefix(200), as: UTF8.self))")
        }
        let create = #"{"completion_window":"24h","endpoint":"\#(OpenAIBatchWire.endpoint)","input_file_id":"\#(fileID)","metadata":{"made_by":"quire"}}"#
        let answer = try await send("POST", base + "/batches", body: Array(create.utf8), contentType: "application/json")
        return try OpenAIBatchWire.status(answer, backend: backend).id
    }

    public func status(_ id: String) async throws -> ProviderBatchStatus {
        if config.kind == .anthropic {
            return try AnthropicBatchWire.status(try await send("GET", base + "/v1/messages/batches/" + id), backend: backend)
        }
        return try OpenAIBatchWire.status(try await send("GET", base + "/batches/" + id), backend: backend)
    }

    public func results(_ status: ProviderBatchStatus) async throws -> [(customID: String, result: ProviderBatchResult)] {
        if config.kind == .anthropic {
            guard let url = status.resultsURL else { return [] }
            return AnthropicBatchWire.results(try await send("GET", url), backend: backend)
        }
        var out: [(customID: String, result: ProviderBatchResult)] = []
        for file in [status.outputFileID, status.errorFileID].compactMap({ $0 }) {
            out += OpenAIBatchWire.results(try await send("GET", base + "/files/" + file + "/content"), backend: backend)
        }
        return out
    }

    /// One call; a status other than 2xx is the provider's error, classified.
    private func send(_ method: String, _ url: String, body: [UInt8]? = nil, contentType: String? = nil) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.method = .RAW(value: method)
        if let key = config.apiKey {
            if config.kind == .anthropic {
                request.headers.add(name: "x-api-key", value: key)
            } else {
                request.headers.add(name: "Authorization", value: "Bearer " + key)
            }
        }
        if config.kind == .anthropic { request.headers.add(name: "anthropic-version", value: AnthropicWire.version) }
        for (name, value) in config.headers.sorted(by: { $0.key < $1.key }) { request.headers.add(name: name, value: value) }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .milliseconds(Int64(config.totalTimeout * 1000)))
        } catch {
            throw LLMError(.network, backend: backend, message: "\(method) \(url): \(error)")
        }
        // Results of a large batch are large: up to the batch size limit, not the chat answer limit.
        var bytes: [UInt8] = []
        for try await buffer in response.body {
            bytes += buffer.readableBytesView
            if bytes.count > max(maxBytes, config.maxResponseBytes) * 2 {
                throw LLMError(
                    .malformedResponse, backend: backend,
                    message: "\(url): the answer is larger than \(max(maxBytes, config.maxResponseBytes) * 2) bytes; refused.")
            }
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let retry = response.headers.first(name: "retry-after")
            throw config.kind == .anthropic
                ? AnthropicWire.error(status: status, body: bytes, retryAfter: retry, backend: backend)
                : OpenAIWire.error(status: status, body: bytes, retryAfter: retry, backend: backend)
        }
        return bytes
    }
}
