import Foundation

/// Where and how to reach one model: a named backend of the config.
public struct BackendConfig: Sendable, Equatable {
    /// The provider's protocol.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// OpenAI's Chat Completions.
        case openai
        /// Anthropic's Messages.
        case anthropic
        /// Ollama's chat API (NDJSON streams).
        case ollama
        /// Any server speaking the OpenAI Chat Completions format (llama.cpp, vLLM, LM Studio…).
        case openaiCompatible = "openai-compatible"
        /// Azure OpenAI: `api-key` header, `api-version` query, deployment in the path.
        case azureOpenAI = "azure-openai"
    }

    /// The backend's name in the config.
    public var name: String
    /// Which protocol it speaks.
    public var kind: Kind
    /// The model (for Azure OpenAI, the deployment).
    public var model: String
    /// The server's base URL; the provider's own when nil.
    public var baseURL: String?
    /// The key, already resolved; never printed.
    public var apiKey: String?
    /// Extra headers sent with every request.
    public var headers: [String: String]
    /// Azure's `api-version`.
    public var apiVersion: String?
    /// Its window and output limit.
    public var capabilities: BackendCapabilities
    /// Seconds to connect; between two reads of the answer (so also to its first byte); in all.
    public var connectTimeout: Double
    /// Seconds of silence allowed while an answer arrives.
    public var readTimeout: Double
    /// Seconds the whole request may take, checked as each piece arrives.
    public var totalTimeout: Double
    /// A non-streamed answer or an error body larger than this is refused.
    public var maxResponseBytes: Int
    /// Anthropic: extended thinking with this many tokens (`thinking_budget` in the config).
    public var thinkingBudget: Int?
    /// OpenAI reasoning models: output tokens added for their reasoning (`reasoning_budget`).
    public var reasoningAllowance: Int = 8_000

    /// A backend's settings; timeouts in seconds.
    public init(
        name: String, kind: Kind, model: String, baseURL: String? = nil, apiKey: String? = nil, headers: [String: String] = [:],
        apiVersion: String? = nil, capabilities: BackendCapabilities = BackendCapabilities(contextWindow: 128_000, maxOutputTokens: 8_192),
        connectTimeout: Double = 10, readTimeout: Double = 120, totalTimeout: Double = 600, maxResponseBytes: Int = 16 << 20
    ) {
        self.name = name
        self.kind = kind
        self.model = model
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.headers = headers
        self.apiVersion = apiVersion
        self.capabilities = capabilities
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.totalTimeout = totalTimeout
        self.maxResponseBytes = maxResponseBytes
    }

    /// The default base URL of each provider.
    public var resolvedBaseURL: String {
        if let baseURL { return baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL }
        switch kind {
        case .openai: return "https://api.openai.com/v1"
        case .anthropic: return "https://api.anthropic.com"
        case .ollama: return "http://127.0.0.1:11434"
        case .openaiCompatible, .azureOpenAI: return "http://127.0.0.1:8080/v1"
        }
    }
}

extension BackendConfig {
    /// Headers whose values are secrets: the provider keys, and any header of the config's
    /// `headers:` named like a key, token, secret, password, cookie or authorization.
    public static func isSecretHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["authorization", "x-api-key", "api-key"].contains(lower)
            || ["key", "token", "secret", "password", "passwd", "cookie", "auth", "session", "signature"].contains { lower.contains($0) }
    }

    /// A URL without the credentials it may carry (`https://user:pass@host` → `https://[redacted]@host`).
    public static func redactingCredentials(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let authority = url[scheme.upperBound..<at]
        guard !authority.contains("/") else { return url }
        return String(url[..<scheme.upperBound]) + "[redacted]" + String(url[at...])
    }

    /// The live secrets of this backend: its key, secret header values, URL credentials.
    public var secrets: [String] {
        var out: [String] = []
        if let apiKey, apiKey.count >= 4 { out.append(apiKey) }
        for (name, value) in headers where Self.isSecretHeader(name) && value.count >= 4 { out.append(value) }
        if let baseURL, let scheme = baseURL.range(of: "://"), let at = baseURL[scheme.upperBound...].firstIndex(of: "@") {
            let credentials = String(baseURL[scheme.upperBound..<at])
            if !credentials.contains("/") { out.append(credentials) }
        }
        return out
    }

    /// `text` with every live secret of this backend replaced by `[redacted]` (a provider error
    /// body that echoes the key, a library error that quotes a header).
    public func redacting(_ text: String) -> String {
        var text = text
        for secret in secrets where text.contains(secret) { text = text.replacingOccurrences(of: secret, with: "[redacted]") }
        return text
    }
}
