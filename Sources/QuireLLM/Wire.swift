import Foundation
import QuireModel
import QuireRender

/// JSON helpers shared by the wire formats.
enum JSON {
    /// JSON text put into a body as it is (a JSON Schema the user wrote).
    struct Raw {
        var text: String
    }

    /// A request body: keys sorted, so the same request always gives the same bytes (tests,
    /// logs, caches). Written directly — Foundation's serializer took a quarter of a batch
    /// run's time for the prompts' long strings.
    static func encode(_ object: [String: Any]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        write(object, to: &out)
        return out
    }

    static func write(_ value: Any, to out: inout [UInt8]) {
        switch value {
        case let text as String:
            writeString(text, to: &out)
        case let object as [String: Any]:
            out.append(UInt8(ascii: "{"))
            for (index, key) in object.keys.sorted().enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                write(object[key]!, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case let array as [Any]:
            out.append(UInt8(ascii: "["))
            for (index, element) in array.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case let raw as Raw:
            out.append(contentsOf: raw.text.utf8)
        case let flag as Bool where type(of: value) == Bool.self:
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case let number as Int:
            out.append(contentsOf: String(number).utf8)
        case let number as Double where number.isFinite:
            out.append(contentsOf: (number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)).utf8)
        case is NSNull:
            out.append(contentsOf: "null".utf8)
        default:
            // Anything else (an NSNumber from parsed JSON): Foundation's own form.
            let data = (try? JSONSerialization.data(withJSONObject: [value], options: [.withoutEscapingSlashes])) ?? Data("[null]".utf8)
            out.append(contentsOf: data.dropFirst().dropLast())
        }
    }

    /// A JSON string, escaped as the JSON writer of the renderers escapes it.
    static func writeString(_ text: String, to out: inout [UInt8]) {
        JSONWriter.appendString(text, to: &out)
    }

    static func object(_ bytes: some Sequence<UInt8>) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    static func object(_ text: String) -> [String: Any]? { object(Array(text.utf8)) }

    static func int(_ value: Any?) -> Int? {
        if let number = value as? NSNumber { return number.intValue }
        return nil
    }
}

/// `Retry-After`: delay-seconds, or an HTTP date (RFC 9110 IMF-fixdate) turned into the
/// seconds from `now` (0 when it has passed).
func retryAfterSeconds(_ header: String?, now: Date = Date()) -> Double? {
    guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
    if let seconds = Double(header) { return seconds >= 0 ? seconds : nil }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    guard let date = formatter.date(from: header) else { return nil }
    return max(0, date.timeIntervalSince(now))
}

/// What a provider's error status and body mean, for the statuses every provider shares.
func classify(status: Int, providerType: String?, message: String) -> LLMError.Code {
    let lower = message.lowercased()
    if lower.contains("context length") || lower.contains("context_length") || lower.contains("prompt is too long")
        || lower.contains("maximum context") || lower.contains("too many tokens")
    {
        return .contextLengthExceeded
    }
    switch status {
    case 401, 403: return .authentication
    case 404: return .unsupported  // model or endpoint unknown to this backend: another may have it
    case 408: return .timeout
    case 413: return .contextLengthExceeded
    case 429: return providerType == "insufficient_quota" ? .authentication : .rateLimited
    case 503, 529: return .overloaded
    case 500...599: return .server
    default: return .badRequest
    }
}

// MARK: - OpenAI Chat Completions (and OpenAI-compatible servers)

/// The OpenAI Chat Completions wire format: `POST {base}/chat/completions`, JSON body with
/// `model` and `messages` (the system prompt as the first message), SSE chunks of
/// `choices[0].delta.content` ending with `data: [DONE]`, usage in a last chunk when
/// `stream_options.include_usage` is set.
package enum OpenAIWire {
    /// The request body. `maxTokensField` is `max_completion_tokens` for OpenAI itself,
    /// `max_tokens` for compatible servers (llama.cpp, vLLM, LM Studio, older Azure).
    ///
    /// A reasoning model (`isReasoning(model:)`) gets no `temperature` (it refuses one) and
    /// `reasoningAllowance` more output tokens: its hidden reasoning counts against
    /// `max_completion_tokens`, and an answer limit sized for the visible text alone ends in
    /// an empty answer.
    package static func body(
        _ request: ChatRequest, model: String, stream: Bool, maxTokensField: String = "max_completion_tokens", reasoningAllowance: Int = 8_000
    ) -> [UInt8] {
        let reasoning = maxTokensField == "max_completion_tokens" && isReasoning(model: model)
        var messages: [[String: Any]] = []
        if let system = request.system { messages.append(["role": "system", "content": system]) }
        for message in request.messages { messages.append(["role": message.role.rawValue, "content": message.content]) }
        var body: [String: Any] = ["model": model, "messages": messages]
        if let max = request.maxOutputTokens { body[maxTokensField] = reasoning ? max + reasoningAllowance : max }
        if let temperature = request.temperature, !reasoning { body["temperature"] = temperature }
        if !request.stop.isEmpty { body["stop"] = request.stop }
        switch request.responseFormat {
        case .text: break
        case .json: body["response_format"] = ["type": "json_object"]
        case .jsonSchema(let name, let schema):
            body["response_format"] = [
                "type": "json_schema",
                "json_schema": ["name": name, "schema": JSON.object(schema) != nil ? JSON.Raw(text: schema) : [String: Any](), "strict": true] as [String: Any],
            ]
        }
        if stream {
            body["stream"] = true
            body["stream_options"] = ["include_usage": true]
        }
        return JSON.encode(body)
    }

    /// OpenAI's reasoning models: the o-series and the gpt-5 family (not its chat variants).
    package static func isReasoning(model: String) -> Bool {
        let name = model.lowercased()
        if name.hasPrefix("o1") || name.hasPrefix("o3") || name.hasPrefix("o4") { return true }
        return name.hasPrefix("gpt-5") && !name.contains("chat")
    }

    static func usage(_ object: Any?) -> Usage? {
        guard let usage = object as? [String: Any] else { return nil }
        let cached = (usage["prompt_tokens_details"] as? [String: Any]).flatMap { JSON.int($0["cached_tokens"]) } ?? 0
        return Usage(inputTokens: JSON.int(usage["prompt_tokens"]) ?? 0, outputTokens: JSON.int(usage["completion_tokens"]) ?? 0, cachedInputTokens: cached)
    }

    static func stopReason(_ value: Any?) -> StopReason? {
        guard let reason = value as? String else { return nil }
        switch reason {
        case "stop": return .endTurn
        case "length": return .maxTokens
        case "content_filter": return .contentFilter
        default: return .other(reason)
        }
    }

    /// Decodes streamed chunks into events; remembers the stop reason until the end.
    package struct StreamState: Sendable {
        package let backend: String
        private var stop: StopReason?
        private var usage: Usage?
        package private(set) var done = false

        package init(backend: String) { self.backend = backend }

        package mutating func events(_ event: SSEEvent) throws(LLMError) -> [ChatEvent] {
            if event.data == "[DONE]" {
                done = true
                return finish()
            }
            guard let chunk = JSON.object(event.data) else {
                throw LLMError(.malformedResponse, backend: backend, message: "a streamed chunk is not JSON: \(event.data.prefix(200))")
            }
            if let error = chunk["error"] as? [String: Any] {
                let message = error["message"] as? String ?? "unknown error"
                throw LLMError(classify(status: 500, providerType: error["type"] as? String, message: message), backend: backend, message: message)
            }
            var events: [ChatEvent] = []
            if let choices = chunk["choices"] as? [[String: Any]], let first = choices.first {
                if let delta = first["delta"] as? [String: Any], let text = delta["content"] as? String, !text.isEmpty {
                    events.append(.text(text))
                }
                if let reason = OpenAIWire.stopReason(first["finish_reason"]) { stop = reason }
            }
            if let usage = OpenAIWire.usage(chunk["usage"]) { self.usage = usage }
            return events
        }

        /// The usage and stop reason, once the stream has ended.
        package mutating func finish() -> [ChatEvent] {
            var events: [ChatEvent] = []
            if let usage { events.append(.usage(usage)) }
            events.append(.stop(stop ?? .endTurn))
            usage = nil
            return events
        }
    }

    /// A non-streamed response body.
    package static func response(_ body: [UInt8], backend: String) throws(LLMError) -> ChatResponse {
        guard let object = JSON.object(body), let choices = object["choices"] as? [[String: Any]], let first = choices.first,
            let message = first["message"] as? [String: Any]
        else {
            throw LLMError(
                .malformedResponse, backend: backend, message: "the response is not a chat completion: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        return ChatResponse(text: message["content"] as? String ?? "", usage: usage(object["usage"]), stopReason: stopReason(first["finish_reason"]))
    }

    /// An error status with its body: `{"error": {"message", "type", "code"}}`.
    package static func error(status: Int, body: [UInt8], retryAfter: String?, backend: String) -> LLMError {
        let object = JSON.object(body)
        let error = object?["error"] as? [String: Any]
        let message =
            error?["message"] as? String
            ?? (String(decoding: body.prefix(500), as: UTF8.self).isEmpty ? "HTTP \(status)" : String(decoding: body.prefix(500), as: UTF8.self))
        let type = (error?["code"] as? String) ?? (error?["type"] as? String)
        return LLMError(
            classify(status: status, providerType: type, message: message), backend: backend, message: message, status: status,
            retryAfter: retryAfterSeconds(retryAfter))
    }
}

// MARK: - Anthropic Messages

/// The Anthropic Messages wire format: `POST {base}/v1/messages` with `x-api-key` and
/// `anthropic-version`, a required `max_tokens`, the system prompt at the top level, and
/// SSE events `message_start` (input usage), `content_block_delta` (`text_delta`),
/// `message_delta` (stop reason, output usage), `message_stop`, `ping`, `error`.
package enum AnthropicWire {
    package static let version = "2023-06-01"

    /// `thinkingBudget`: extended thinking with that many tokens (then `max_tokens` grows by
    /// the budget, which it must exceed, and no temperature is sent: thinking refuses one).
    package static func body(_ request: ChatRequest, model: String, stream: Bool, defaultMaxTokens: Int = 4096, thinkingBudget: Int? = nil) -> [UInt8] {
        let answer = request.maxOutputTokens ?? defaultMaxTokens
        var body: [String: Any] = [
            "model": model,
            "max_tokens": answer + (thinkingBudget ?? 0),
            "messages": request.messages.map { ["role": $0.role.rawValue, "content": $0.content] },
        ]
        if let thinkingBudget { body["thinking"] = ["type": "enabled", "budget_tokens": thinkingBudget] as [String: Any] }
        var system = request.system ?? ""
        switch request.responseFormat {
        case .text: break
        case .json: system += (system.isEmpty ? "" : "\n\n") + "Answer with one JSON object and nothing else."
        case .jsonSchema(let name, let schema):
            if thinkingBudget == nil, JSON.object(schema) != nil {
                // Structured output through tool use: one tool whose input is the answer, and
                // the model made to call it; its input comes back as the answer's text.
                let tool = toolName(name)
                body["tools"] = [["name": tool, "description": "Record the answer: one object following the schema.", "input_schema": JSON.Raw(text: schema)]]
                body["tool_choice"] = ["type": "tool", "name": tool]
            } else {
                // Extended thinking cannot be made to call a tool: the schema goes in the prompt.
                system += (system.isEmpty ? "" : "\n\n") + "Answer with one JSON object following this JSON Schema, and nothing else:\n" + schema
            }
        }
        if !system.isEmpty { body["system"] = system }
        if let temperature = request.temperature, thinkingBudget == nil { body["temperature"] = temperature }
        if !request.stop.isEmpty { body["stop_sequences"] = request.stop }
        if stream { body["stream"] = true }
        return JSON.encode(body)
    }

    static func stopReason(_ value: Any?) -> StopReason? {
        guard let reason = value as? String else { return nil }
        switch reason {
        // A forced tool call (structured output) ends with tool_use: the answer is complete.
        case "end_turn", "tool_use": return .endTurn
        case "max_tokens": return .maxTokens
        case "stop_sequence": return .stopSequence
        case "refusal": return .contentFilter
        default: return .other(reason)
        }
    }

    static func usage(_ object: Any?) -> Usage? {
        guard let usage = object as? [String: Any] else { return nil }
        let cacheRead = JSON.int(usage["cache_read_input_tokens"]) ?? 0
        let cacheWrite = JSON.int(usage["cache_creation_input_tokens"]) ?? 0
        return Usage(
            inputTokens: (JSON.int(usage["input_tokens"]) ?? 0) + cacheRead + cacheWrite, outputTokens: JSON.int(usage["output_tokens"]) ?? 0,
            cachedInputTokens: cacheRead)
    }

    /// A tool name Anthropic accepts (letters, digits, `_` and `-`, at most 64).
    static func toolName(_ name: String) -> String {
        let kept = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") ? $0 : "_" }.prefix(64))
        return kept.isEmpty ? "record" : kept
    }

    package struct StreamState: Sendable {
        package let backend: String
        private var usage = Usage()
        private var stop: StopReason?
        package private(set) var done = false

        package init(backend: String) { self.backend = backend }

        package mutating func events(_ event: SSEEvent) throws(LLMError) -> [ChatEvent] {
            guard let object = JSON.object(event.data) else {
                throw LLMError(.malformedResponse, backend: backend, message: "a streamed event is not JSON: \(event.data.prefix(200))")
            }
            switch event.event ?? object["type"] as? String ?? "" {
            case "message_start":
                if let message = object["message"] as? [String: Any], let start = AnthropicWire.usage(message["usage"]) {
                    usage.inputTokens = start.inputTokens
                    usage.cachedInputTokens = start.cachedInputTokens
                    usage.outputTokens = start.outputTokens
                }
            case "content_block_delta":
                if let delta = object["delta"] as? [String: Any], delta["type"] as? String == "text_delta", let text = delta["text"] as? String, !text.isEmpty {
                    return [.text(text)]
                }
                // A forced tool call's input (structured output) arrives as pieces of JSON.
                if let delta = object["delta"] as? [String: Any], delta["type"] as? String == "input_json_delta", let json = delta["partial_json"] as? String,
                    !json.isEmpty
                {
                    return [.text(json)]
                }
            case "message_delta":
                if let delta = object["delta"] as? [String: Any], let reason = AnthropicWire.stopReason(delta["stop_reason"]) { stop = reason }
                // The output count here is the total so far, not an increment.
                if let end = object["usage"] as? [String: Any], let output = JSON.int(end["output_tokens"]) { usage.outputTokens = output }
            case "message_stop":
                done = true
                return [.usage(usage), .stop(stop ?? .endTurn)]
            case "error":
                let error = object["error"] as? [String: Any]
                let type = error?["type"] as? String
                let message = error?["message"] as? String ?? "error event"
                let status = type == "overloaded_error" ? 529 : (type == "rate_limit_error" ? 429 : 500)
                throw LLMError(AnthropicWire.code(type: type, status: status, message: message), backend: backend, message: message)
            default:
                break  // ping, content_block_start/stop, and events added later
            }
            return []
        }
    }

    static func code(type: String?, status: Int, message: String) -> LLMError.Code {
        switch type {
        case "authentication_error", "permission_error": return .authentication
        case "rate_limit_error": return .rateLimited
        case "overloaded_error": return .overloaded
        case "request_too_large": return .contextLengthExceeded
        case "not_found_error": return .unsupported
        case "api_error": return .server
        case "invalid_request_error": return classify(status: 400, providerType: type, message: message)
        default: return classify(status: status, providerType: type, message: message)
        }
    }

    package static func response(_ body: [UInt8], backend: String) throws(LLMError) -> ChatResponse {
        guard let object = JSON.object(body), let content = object["content"] as? [[String: Any]] else {
            throw LLMError(.malformedResponse, backend: backend, message: "the response is not a message: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        var text = content.filter { $0["type"] as? String == "text" }.compactMap { $0["text"] as? String }.joined()
        // Structured output through tool use: the tool call's input is the answer.
        if let input = content.first(where: { $0["type"] as? String == "tool_use" })?["input"] as? [String: Any] {
            text = String(decoding: JSON.encode(input), as: UTF8.self)
        }
        return ChatResponse(text: text, usage: usage(object["usage"]), stopReason: stopReason(object["stop_reason"]))
    }

    /// `{"type": "error", "error": {"type", "message"}}`.
    package static func error(status: Int, body: [UInt8], retryAfter: String?, backend: String) -> LLMError {
        let error = JSON.object(body)?["error"] as? [String: Any]
        let raw = String(decoding: body.prefix(500), as: UTF8.self)
        let message = error?["message"] as? String ?? (raw.isEmpty ? "HTTP \(status)" : raw)
        return LLMError(
            code(type: error?["type"] as? String, status: status, message: message), backend: backend, message: message, status: status,
            retryAfter: retryAfterSeconds(retryAfter))
    }
}

// MARK: - Ollama

/// Ollama's `/api/chat`: the system prompt as a message, options `num_predict`,
/// `temperature`, `stop`; `format: "json"` (or a schema); the answer streams as NDJSON
/// objects with `message.content`, the last with `done: true`, `done_reason`,
/// `prompt_eval_count` and `eval_count`.
package enum OllamaWire {
    /// `contextWindow`: sent as `num_ctx`, the window the request was sized for (Ollama's own
    /// default is a few thousand tokens, and it cuts a longer prompt without a word).
    package static func body(_ request: ChatRequest, model: String, stream: Bool, contextWindow: Int? = nil) -> [UInt8] {
        var messages: [[String: Any]] = []
        if let system = request.system { messages.append(["role": "system", "content": system]) }
        for message in request.messages { messages.append(["role": message.role.rawValue, "content": message.content]) }
        var body: [String: Any] = ["model": model, "messages": messages, "stream": stream]
        var options: [String: Any] = [:]
        if let contextWindow { options["num_ctx"] = contextWindow }
        if let max = request.maxOutputTokens { options["num_predict"] = max }
        if let temperature = request.temperature { options["temperature"] = temperature }
        if !request.stop.isEmpty { options["stop"] = request.stop }
        if !options.isEmpty { body["options"] = options }
        switch request.responseFormat {
        case .text: break
        case .json: body["format"] = "json"
        case .jsonSchema(_, let schema): body["format"] = JSON.object(schema) != nil ? JSON.Raw(text: schema) : "json"
        }
        return JSON.encode(body)
    }

    /// One NDJSON line of a stream (or the whole non-streamed body).
    /// `contextWindow`: the `num_ctx` sent; a prompt that filled it was cut by Ollama, and
    /// the answer to a cut prompt is an error, not a result.
    package static func events(_ line: [UInt8], backend: String, contextWindow: Int? = nil) throws(LLMError) -> (events: [ChatEvent], done: Bool) {
        guard let object = JSON.object(line) else {
            throw LLMError(.malformedResponse, backend: backend, message: "a streamed line is not JSON: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        if let message = object["error"] as? String {
            throw LLMError(classify(status: 500, providerType: nil, message: message), backend: backend, message: message)
        }
        var events: [ChatEvent] = []
        if let message = object["message"] as? [String: Any], let text = message["content"] as? String, !text.isEmpty { events.append(.text(text)) }
        let done = object["done"] as? Bool ?? false
        if done {
            let prompt = JSON.int(object["prompt_eval_count"]) ?? 0
            if let contextWindow, prompt >= contextWindow * 98 / 100 {
                throw LLMError(
                    .contextLengthExceeded, backend: backend,
                    message:
                        "the prompt filled the whole context window (\(prompt) of num_ctx \(contextWindow) tokens): Ollama cut it, so the answer would be about part of the input."
                )
            }
            events.append(.usage(Usage(inputTokens: prompt, outputTokens: JSON.int(object["eval_count"]) ?? 0)))
            let reason: StopReason
            switch object["done_reason"] as? String {
            case "length": reason = .maxTokens
            case nil, "stop": reason = .endTurn
            case let other?: reason = .other(other)
            }
            events.append(.stop(reason))
        }
        return (events, done)
    }

    /// `{"error": "…"}`.
    package static func error(status: Int, body: [UInt8], backend: String) -> LLMError {
        let raw = String(decoding: body.prefix(500), as: UTF8.self)
        let message = JSON.object(body)?["error"] as? String ?? (raw.isEmpty ? "HTTP \(status)" : raw)
        return LLMError(classify(status: status, providerType: nil, message: message), backend: backend, message: message, status: status)
    }
}
