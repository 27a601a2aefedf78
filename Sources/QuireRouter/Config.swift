public import QuireBackends
import QuireLLM
import Yams
import Foundation

/// The model picker's configuration, as the user writes it in YAML:
///
/// ```yaml
/// backends:
///   claude: { kind: anthropic, model: claude-sonnet-4-5, api_key_env: ANTHROPIC_API_KEY }
///   local:  { kind: ollama, model: llama3.2, base_url: http://127.0.0.1:11434 }
/// aliases:
///   fast: local
/// tasks:
///   summarise: { use: [claude, local, builtin], max_output_tokens: 800 }
/// ```
public struct QuireConfig: Sendable {
    public struct Backend: Sendable {
        public var name: String
        public var kind: BackendConfig.Kind
        public var model: String
        public var baseURL: String?
        public var apiKeyEnv: String?
        public var apiKeyCommand: String?
        public var headers: [String: String]
        public var apiVersion: String?
        public var contextWindow: Int?
        public var maxOutputTokens: Int?
        /// Prices per million tokens, for the cost report.
        public var inputPricePerMillion: Double?
        public var outputPricePerMillion: Double?
        /// Provider limits a batch keeps to (`requests_per_minute`, `tokens_per_minute`).
        public var requestsPerMinute: Int?
        public var tokensPerMinute: Int?
        /// The share of the price the provider's batch API charges (`batch_discount: 0.5`).
        public var batchPriceFactor: Double?
        /// Anthropic extended thinking (`thinking_budget`); OpenAI reasoning room (`reasoning_budget`).
        public var thinkingBudget: Int? = nil
        public var reasoningBudget: Int? = nil
        /// The line of the config that defines it.
        public var line: Int
    }

    public struct Task: Sendable {
        public var name: String
        /// Backend names or aliases, primary first; `builtin` is the offline backend.
        public var use: [String]
        public var temperature: Double?
        public var maxOutputTokens: Int?
        public var line: Int
        /// A user-defined task's system prompt (`quire run`).
        public var system: String?
        /// A user-defined task's prompt: `{{content}}` stands for the files, `{{file}}` for
        /// their names, `{{name}}` for a `--var name=value`.
        public var prompt: String?
        public var description: String?

        /// The `{{variables}}` the prompt and system prompt use, in order of first use.
        public var variables: [String] {
            var names: [String] = []
            for text in [system ?? "", prompt ?? ""] {
                var rest = Substring(text)
                while let open = rest.firstRange(of: "{{"), let close = rest[open.upperBound...].firstRange(of: "}}") {
                    let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
                    if !names.contains(name) { names.append(name) }
                    rest = rest[close.upperBound...]
                }
            }
            return names
        }
    }

    public var backends: [String: Backend] = [:]
    public var aliases: [String: String] = [:]
    public var tasks: [String: Task] = [:]
    /// Where it was read from.
    public var source: String

    public init(source: String) {
        self.source = source
    }

    /// The tasks Quire knows.
    public static let taskNames = ["summarise", "draft", "analyse-table", "reply"]

    /// A config error, naming the file and the line.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var source: String
        public var line: Int?
        public var message: String
        public var description: String { "\(source)\(line.map { ":\($0)" } ?? ""): \(message)" }
    }

    /// Parses and validates YAML text.
    public static func parse(_ text: String, source: String) throws(Invalid) -> QuireConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Invalid(source: source, line: nil, message: "not valid YAML: \(error)")
        } catch {
            throw Invalid(source: source, line: nil, message: "not valid YAML: \(error)")
        }
        var config = QuireConfig(source: source)
        guard let root else { return config }
        guard let top = root.mapping else { throw Invalid(source: source, line: root.mark?.line, message: "the config must be a mapping with backends, aliases and tasks.") }
        func fail(_ node: Node?, _ message: String) -> Invalid { Invalid(source: source, line: node?.mark?.line, message: message) }
        for (key, value) in top {
            switch key.string ?? "" {
            case "backends":
                guard let backends = value.mapping else { throw fail(value, "'backends' must map names to backends.") }
                for (nameNode, node) in backends {
                    let name = nameNode.string ?? ""
                    guard let fields = node.mapping else { throw fail(node, "backend '\(name)' must be a mapping (kind, model, …).") }
                    var kind: BackendConfig.Kind?
                    var backend = Backend(
                        name: name, kind: .openai, model: "", baseURL: nil, apiKeyEnv: nil, apiKeyCommand: nil, headers: [:], apiVersion: nil,
                        contextWindow: nil, maxOutputTokens: nil, inputPricePerMillion: nil, outputPricePerMillion: nil, requestsPerMinute: nil,
                        tokensPerMinute: nil, batchPriceFactor: nil, line: nameNode.mark?.line ?? 0)
                    for (fieldNode, fieldValue) in fields {
                        let field = fieldNode.string ?? ""
                        func string() throws(Invalid) -> String {
                            guard let text = fieldValue.string, fieldValue.scalar != nil else { throw fail(fieldValue, "'\(field)' of backend '\(name)' must be text.") }
                            return text
                        }
                        func number() throws(Invalid) -> Double {
                            guard let number = fieldValue.float ?? fieldValue.int.map(Double.init) else { throw fail(fieldValue, "'\(field)' of backend '\(name)' must be a number.") }
                            return number
                        }
                        switch field {
                        case "kind":
                            let text = try string()
                            guard let parsed = BackendConfig.Kind(rawValue: text) else {
                                throw fail(fieldValue, "unknown kind '\(text)' for backend '\(name)'; use one of: \(BackendConfig.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
                            }
                            kind = parsed
                        case "model": backend.model = try string()
                        case "base_url": backend.baseURL = try string()
                        case "api_key_env": backend.apiKeyEnv = try string()
                        case "api_key_cmd": backend.apiKeyCommand = try string()
                        case "api_version": backend.apiVersion = try string()
                        case "context_window": backend.contextWindow = Int(try number())
                        case "max_output_tokens": backend.maxOutputTokens = Int(try number())
                        case "input_price": backend.inputPricePerMillion = try number()
                        case "output_price": backend.outputPricePerMillion = try number()
                        case "requests_per_minute", "tokens_per_minute":
                            let value = try number()
                            guard value >= 1, value <= 1e9, value == value.rounded() else {
                                throw fail(fieldValue, "'\(field)' of backend '\(name)' must be a whole number from 1 to 1000000000.")
                            }
                            if field == "requests_per_minute" { backend.requestsPerMinute = Int(value) } else { backend.tokensPerMinute = Int(value) }
                        case "thinking_budget", "reasoning_budget":
                            let value = try number()
                            guard value >= 1024, value <= 1e6, value == value.rounded() else {
                                throw fail(fieldValue, "'\(field)' of backend '\(name)' must be a whole number of tokens from 1024 to 1000000.")
                            }
                            if field == "thinking_budget" { backend.thinkingBudget = Int(value) } else { backend.reasoningBudget = Int(value) }
                        case "batch_discount":
                            let value = try number()
                            guard value > 0, value <= 1 else { throw fail(fieldValue, "'batch_discount' of backend '\(name)' is the share of the price a batch costs: more than 0, at most 1 (0.5 for half price).") }
                            backend.batchPriceFactor = value
                        case "headers":
                            guard let headers = fieldValue.mapping else { throw fail(fieldValue, "'headers' of backend '\(name)' must map header names to values.") }
                            for (h, v) in headers { backend.headers[h.string ?? ""] = v.string ?? "" }
                        default:
                            throw fail(fieldNode, "unknown field '\(field)' in backend '\(name)'.")
                        }
                    }
                    guard let kind else { throw fail(nameNode, "backend '\(name)' needs a kind (\(BackendConfig.Kind.allCases.map(\.rawValue).joined(separator: ", "))).") }
                    backend.kind = kind
                    guard !backend.model.isEmpty else { throw fail(nameNode, "backend '\(name)' needs a model.") }
                    if name == "builtin" { throw fail(nameNode, "'builtin' is the name of the offline backend; choose another name.") }
                    config.backends[name] = backend
                }
            case "aliases":
                guard let aliases = value.mapping else { throw fail(value, "'aliases' must map names to backend names.") }
                for (alias, target) in aliases { config.aliases[alias.string ?? ""] = target.string ?? "" }
            case "tasks":
                guard let tasks = value.mapping else { throw fail(value, "'tasks' must map task names to routes.") }
                for (nameNode, node) in tasks {
                    let name = nameNode.string ?? ""
                    var task = Task(name: name, use: [], temperature: nil, maxOutputTokens: nil, line: nameNode.mark?.line ?? 0)
                    if let single = node.scalar {
                        task.use = [single.string]
                    } else if let list = node.sequence {
                        task.use = list.compactMap(\.string)
                    } else if let fields = node.mapping {
                        for (fieldNode, fieldValue) in fields {
                            switch fieldNode.string ?? "" {
                            case "use":
                                if let list = fieldValue.sequence { task.use = list.compactMap(\.string) } else if let one = fieldValue.string { task.use = [one] }
                            case "temperature":
                                guard let t = fieldValue.float ?? fieldValue.int.map(Double.init) else { throw fail(fieldValue, "'temperature' of task '\(name)' must be a number.") }
                                task.temperature = t
                            case "max_output_tokens":
                                guard let m = fieldValue.int else { throw fail(fieldValue, "'max_output_tokens' of task '\(name)' must be a whole number.") }
                                task.maxOutputTokens = m
                            case "system", "prompt", "description":
                                guard let text = fieldValue.string, fieldValue.scalar != nil else { throw fail(fieldValue, "'\(fieldNode.string ?? "")' of task '\(name)' must be text.") }
                                switch fieldNode.string {
                                case "system": task.system = text
                                case "prompt": task.prompt = text
                                default: task.description = text
                                }
                            default:
                                throw fail(fieldNode, "unknown field '\(fieldNode.string ?? "")' in task '\(name)'.")
                            }
                        }
                    } else {
                        throw fail(node, "task '\(name)' must name its backends ('use: [a, b]').")
                    }
                    if task.use.isEmpty { throw fail(nameNode, "task '\(name)' names no backend.") }
                    if task.prompt == nil, task.system != nil { throw fail(nameNode, "task '\(name)' has a system prompt but no 'prompt' (write one with {{content}} where the files go).") }
                    if task.prompt != nil, QuireConfig.taskNames.contains(name) {
                        throw fail(nameNode, "'\(name)' is a built-in task; give your own task another name (its prompt runs with 'quire run NAME').")
                    }
                    config.tasks[name] = task
                }
            default:
                throw fail(key, "unknown section '\(key.string ?? "")' (expected backends, aliases, tasks).")
            }
        }
        // Every name a task uses must exist.
        for task in config.tasks.values {
            for name in task.use {
                let target = config.aliases[name] ?? name
                if target != "builtin" && config.backends[target] == nil {
                    throw Invalid(source: source, line: task.line, message: "task '\(task.name)' uses '\(name)', which is not a backend or alias of this config (nor 'builtin').")
                }
            }
        }
        for (alias, target) in config.aliases where target != "builtin" && config.backends[target] == nil {
            throw Invalid(source: source, line: nil, message: "alias '\(alias)' points to '\(target)', which is not a backend.")
        }
        return config
    }
}
