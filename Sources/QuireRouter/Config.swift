import Foundation
public import QuireLLM
import Yams

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
    /// One backend as the config writes it (before keys and defaults are resolved).
    public struct Backend: Sendable {
        /// Its name in the config.
        public var name: String
        /// The provider's protocol.
        public var kind: BackendConfig.Kind
        /// The model (for Azure OpenAI, the deployment).
        public var model: String
        /// Where it answers; the provider's default when nil.
        public var baseURL: String?
        /// The environment variable holding the key.
        public var apiKeyEnv: String?
        /// A shell command that prints the key.
        public var apiKeyCommand: String?
        /// Extra HTTP headers sent with every request.
        public var headers: [String: String]
        /// Azure OpenAI's `api-version`.
        public var apiVersion: String?
        /// Tokens the model reads at most (256 to 100,000,000).
        public var contextWindow: Int?
        /// Tokens the model writes at most in one answer.
        public var maxOutputTokens: Int?
        /// Prices per million tokens, for the cost report.
        public var inputPricePerMillion: Double?
        /// Dollars per million output tokens.
        public var outputPricePerMillion: Double?
        /// Provider limits a batch keeps to (`requests_per_minute`, `tokens_per_minute`).
        public var requestsPerMinute: Int?
        /// The provider's token limit per minute, kept to by batches.
        public var tokensPerMinute: Int?
        /// The share of the price the provider's batch API charges (`batch_discount: 0.5`).
        public var batchPriceFactor: Double?
        /// Anthropic extended thinking (`thinking_budget`); OpenAI reasoning room (`reasoning_budget`).
        public var thinkingBudget: Int? = nil
        /// OpenAI: extra output room for hidden reasoning.
        public var reasoningBudget: Int? = nil
        /// Seconds: to connect, of silence while an answer arrives, and for the whole request.
        public var connectTimeout: Double? = nil
        /// Seconds of silence allowed while an answer arrives.
        public var readTimeout: Double? = nil
        /// Seconds the whole request may take.
        public var totalTimeout: Double? = nil
        /// The line of the config that defines it.
        public var line: Int
    }

    /// One task's route as the config writes it.
    public struct Task: Sendable {
        /// The task's name (a built-in task, or one of the user's).
        public var name: String
        /// Backend names or aliases, primary first; `builtin` is the offline backend.
        public var use: [String]
        /// The temperature of its requests.
        public var temperature: Double?
        /// The output limit of its requests.
        public var maxOutputTokens: Int?
        /// The config line that defines it.
        public var line: Int
        /// A user-defined task's system prompt (`quire run`).
        public var system: String?
        /// A user-defined task's prompt: `{{content}}` stands for the files, `{{file}}` for
        /// their names, `{{name}}` for a `--var name=value`.
        public var prompt: String?
        /// A user task's one-line description, for `quire models`.
        public var description: String?
        /// `check: numbers`: the answer must keep the numbers of the files, add none
        /// (flagged under it when it does not).
        public var checksNumbers = false
        /// `triage` only: the categories to choose from, as `quire triage --labels` takes
        /// them (`"legal: contract audit, finance: invoice budget, ops"`; a YAML list of
        /// such entries is joined).
        public var labels: String?

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

    /// Backends by name.
    public var backends: [String: Backend] = [:]
    /// Other names for backends (`fast: local`).
    public var aliases: [String: String] = [:]
    /// Routes by task name.
    public var tasks: [String: Task] = [:]
    /// Where it was read from.
    public var source: String

    /// An empty config read from `source`.
    public init(source: String) {
        self.source = source
    }

    /// The tasks Quire knows.
    public static let taskNames = ["summarise", "draft", "analyse-table", "reply", "ask", "triage", "extract-fields", "review"]

    /// A config error, naming the file and the line.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        /// The config file.
        public var source: String
        /// The line of the mistake, when known.
        public var line: Int?
        /// What is wrong and what to write instead.
        public var message: String
        public var description: String { "\(source)\(line.map { ":\($0)" } ?? ""): \(message)" }
    }

    /// Parses and validates YAML text.
    public static func parse(_ text: String, source: String) throws(Invalid) -> QuireConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw Invalid(source: source, line: nil, message: "not valid YAML: \(error)")
        }
        var config = QuireConfig(source: source)
        guard let root else { return config }
        let reader = FieldReader(source: source)
        guard let top = root.mapping else { throw reader.fail(root, "the config must be a mapping with backends, aliases and tasks.") }
        for (key, value) in top {
            switch key.string ?? "" {
            case "backends":
                guard let backends = value.mapping else { throw reader.fail(value, "'backends' must map names to backends.") }
                for (nameNode, node) in backends {
                    let backend = try reader.backend(nameNode, node)
                    config.backends[backend.name] = backend
                }
            case "aliases":
                guard let aliases = value.mapping else { throw reader.fail(value, "'aliases' must map names to backend names.") }
                for (alias, target) in aliases { config.aliases[alias.string ?? ""] = target.string ?? "" }
            case "tasks":
                guard let tasks = value.mapping else { throw reader.fail(value, "'tasks' must map task names to routes.") }
                for (nameNode, node) in tasks {
                    let task = try reader.task(nameNode, node)
                    config.tasks[task.name] = task
                }
            default:
                throw reader.fail(key, "unknown section '\(key.string ?? "")' (expected backends, aliases, tasks).")
            }
        }
        try config.checkNames()
        return config
    }

    /// Every name a task or alias uses must exist.
    private func checkNames() throws(Invalid) {
        for task in tasks.values {
            for name in task.use {
                let target = aliases[name] ?? name
                if target != "builtin" && backends[target] == nil {
                    throw Invalid(
                        source: source, line: task.line,
                        message: "task '\(task.name)' uses '\(name)', which is not a backend or alias of this config (nor 'builtin').")
                }
            }
        }
        for (alias, target) in aliases where target != "builtin" && backends[target] == nil {
            throw Invalid(source: source, line: nil, message: "alias '\(alias)' points to '\(target)', which is not a backend.")
        }
    }
}

/// Reads the fields of one backend or task, checking each value's type and range.
private struct FieldReader {
    let source: String

    func fail(_ node: Node?, _ message: String) -> QuireConfig.Invalid {
        QuireConfig.Invalid(source: source, line: node?.mark?.line, message: message)
    }

    func text(_ node: Node, _ what: String) throws(QuireConfig.Invalid) -> String {
        guard let text = node.string, node.scalar != nil else { throw fail(node, "\(what) must be text.") }
        return text
    }

    /// A finite number within `range`; whole when `whole`.
    func number(_ node: Node, _ what: String, _ range: ClosedRange<Double>, whole: Bool = false) throws(QuireConfig.Invalid) -> Double {
        guard let number = node.float ?? node.int.map(Double.init), number.isFinite else { throw fail(node, "\(what) must be a number.") }
        guard range.contains(number), !whole || number == number.rounded() else {
            let bounds = "from \(Self.show(range.lowerBound)) to \(Self.show(range.upperBound))"
            throw fail(node, "\(what) must be \(whole ? "a whole number" : "a number") \(bounds), not \(node.string ?? "\(number)").")
        }
        return number
    }

    func count(_ node: Node, _ what: String, _ range: ClosedRange<Double>) throws(QuireConfig.Invalid) -> Int {
        Int(try number(node, what, range, whole: true))
    }

    private static func show(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    func backend(_ nameNode: Node, _ node: Node) throws(QuireConfig.Invalid) -> QuireConfig.Backend {
        let name = nameNode.string ?? ""
        guard let fields = node.mapping else { throw fail(node, "backend '\(name)' must be a mapping (kind, model, …).") }
        var kind: BackendConfig.Kind?
        var backend = QuireConfig.Backend(
            name: name, kind: .openai, model: "", baseURL: nil, apiKeyEnv: nil, apiKeyCommand: nil, headers: [:], apiVersion: nil,
            contextWindow: nil, maxOutputTokens: nil, inputPricePerMillion: nil, outputPricePerMillion: nil, requestsPerMinute: nil,
            tokensPerMinute: nil, batchPriceFactor: nil, line: nameNode.mark?.line ?? 0)
        for (fieldNode, value) in fields {
            let field = fieldNode.string ?? ""
            let what = "'\(field)' of backend '\(name)'"
            switch field {
            case "kind":
                let text = try text(value, what)
                guard let parsed = BackendConfig.Kind(rawValue: text) else {
                    throw fail(
                        value,
                        "unknown kind '\(text)' for backend '\(name)'; use one of: \(BackendConfig.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                kind = parsed
            case "model": backend.model = try text(value, what)
            case "base_url": backend.baseURL = try text(value, what)
            case "api_key_env": backend.apiKeyEnv = try text(value, what)
            case "api_key_cmd": backend.apiKeyCommand = try text(value, what)
            case "api_version": backend.apiVersion = try text(value, what)
            case "context_window": backend.contextWindow = try count(value, what, 256...100_000_000)
            case "max_output_tokens": backend.maxOutputTokens = try count(value, what, 1...10_000_000)
            case "input_price": backend.inputPricePerMillion = try number(value, what, 0...1_000_000)
            case "output_price": backend.outputPricePerMillion = try number(value, what, 0...1_000_000)
            case "requests_per_minute": backend.requestsPerMinute = try count(value, what, 1...1_000_000_000)
            case "tokens_per_minute": backend.tokensPerMinute = try count(value, what, 1...1_000_000_000)
            case "thinking_budget": backend.thinkingBudget = try count(value, "\(what) (tokens)", 1024...1_000_000)
            case "reasoning_budget": backend.reasoningBudget = try count(value, "\(what) (tokens)", 1024...1_000_000)
            case "connect_timeout": backend.connectTimeout = try number(value, "\(what) (seconds)", 0.1...600)
            case "read_timeout": backend.readTimeout = try number(value, "\(what) (seconds)", 1...3_600)
            case "total_timeout": backend.totalTimeout = try number(value, "\(what) (seconds)", 1...86_400)
            case "batch_discount":
                let share = try number(value, what, 0...1)
                guard share > 0 else {
                    throw fail(
                        value, "'batch_discount' of backend '\(name)' is the share of the price a batch costs: more than 0, at most 1 (0.5 for half price).")
                }
                backend.batchPriceFactor = share
            case "headers":
                guard let headers = value.mapping else { throw fail(value, "'headers' of backend '\(name)' must map header names to values.") }
                for (header, headerValue) in headers {
                    let headerName = header.string ?? ""
                    let text = try text(headerValue, "header '\(headerName)' of backend '\(name)'")
                    // A line break in a header would start another header: refuse it here, without echoing the value.
                    guard !headerName.contains(where: \.isNewline), !text.contains(where: \.isNewline) else {
                        throw fail(headerValue, "header '\(headerName)' of backend '\(name)' contains a line break.")
                    }
                    backend.headers[headerName] = text
                }
            default:
                throw fail(fieldNode, "unknown field '\(field)' in backend '\(name)'.")
            }
        }
        guard let kind else { throw fail(nameNode, "backend '\(name)' needs a kind (\(BackendConfig.Kind.allCases.map(\.rawValue).joined(separator: ", "))).") }
        backend.kind = kind
        guard !backend.model.isEmpty else { throw fail(nameNode, "backend '\(name)' needs a model.") }
        if name == "builtin" { throw fail(nameNode, "'builtin' is the name of the offline backend; choose another name.") }
        return backend
    }

    func task(_ nameNode: Node, _ node: Node) throws(QuireConfig.Invalid) -> QuireConfig.Task {
        let name = nameNode.string ?? ""
        var task = QuireConfig.Task(name: name, use: [], temperature: nil, maxOutputTokens: nil, line: nameNode.mark?.line ?? 0)
        if let single = node.scalar {
            task.use = [single.string]
        } else if let list = node.sequence {
            task.use = list.compactMap(\.string)
        } else if let fields = node.mapping {
            for (fieldNode, value) in fields {
                let field = fieldNode.string ?? ""
                let what = "'\(field)' of task '\(name)'"
                switch field {
                case "use":
                    if let list = value.sequence { task.use = list.compactMap(\.string) } else if let one = value.string { task.use = [one] }
                case "temperature": task.temperature = try number(value, what, 0...2)
                case "max_output_tokens": task.maxOutputTokens = try count(value, what, 1...10_000_000)
                case "system": task.system = try text(value, what)
                case "prompt": task.prompt = try text(value, what)
                case "description": task.description = try text(value, what)
                case "labels":
                    guard name == "triage" else { throw fail(fieldNode, "'labels' is for the triage task only.") }
                    if let list = value.sequence {
                        task.labels = list.compactMap(\.string).joined(separator: ", ")
                    } else {
                        task.labels = try text(value, what)
                    }
                case "check":
                    guard value.string == "numbers" else { throw fail(value, "\(what) can only be 'numbers' (the answer keeps the files' numbers).") }
                    task.checksNumbers = true
                default:
                    throw fail(fieldNode, "unknown field '\(field)' in task '\(name)'.")
                }
            }
        } else {
            throw fail(node, "task '\(name)' must name its backends ('use: [a, b]').")
        }
        if task.use.isEmpty { throw fail(nameNode, "task '\(name)' names no backend.") }
        if task.prompt == nil, task.system != nil {
            throw fail(nameNode, "task '\(name)' has a system prompt but no 'prompt' (write one with {{content}} where the files go).")
        }
        if task.prompt != nil, QuireConfig.taskNames.contains(name) {
            throw fail(nameNode, "'\(name)' is a built-in task; give your own task another name (its prompt runs with 'quire run NAME').")
        }
        return task
    }
}
