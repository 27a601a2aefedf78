import Foundation
public import QuireLLM

/// Which backends serve a task, and why: the model picker.
///
/// With a config, its task routes (aliases resolved); a task the config does not name
/// uses the config's `default` task when there is one, else the default route. Without a
/// config: `ANTHROPIC_API_KEY` or `OPENAI_API_KEY` in the environment gives a route to that
/// provider with the built-in backend behind it; with neither, everything goes to the
/// built-in backend, so Quire works offline out of the box.
public struct ModelPicker: Sendable {
    /// One backend of a resolved route, with everything needed to call it and the reason it is there.
    public struct Step: Sendable, Equatable {
        /// The backend's name (`builtin` for the offline one).
        public var name: String
        /// Its settings (nil for `builtin`).
        public var backend: BackendConfig?
        /// Why this backend is here, for `quire models`.
        public var why: String
        /// A problem that will make it fail (a missing key), said before any call.
        public var warning: String?
        /// Its prices, when the config gives them.
        public var pricing: Pricing?
        /// Limits a batch keeps to, from the config.
        public var requestsPerMinute: Int? = nil
        /// The provider's token limit per minute, kept to by batches.
        public var tokensPerMinute: Int? = nil
        /// The share of the price the provider's batch API charges (nil: it has none).
        public var batchPriceFactor: Double? = nil
    }

    /// A task's route: backends in order, with the task's parameters.
    public struct ResolvedRoute: Sendable, Equatable {
        /// The task's name.
        public var task: String
        /// Backends in order; `builtin` is the offline one.
        public var steps: [Step]
        /// The temperature of the task's requests.
        public var temperature: Double?
        /// The output limit of the task's requests.
        public var maxOutputTokens: Int?
    }

    /// The config read, when there is one.
    public var config: QuireConfig?
    /// The environment keys are read from.
    public var environment: [String: String]

    /// `environment`: the process environment when nil.
    public init(config: QuireConfig?, environment: [String: String]? = nil) {
        self.config = config
        self.environment = environment ?? ProcessInfo.processInfo.environment
    }

    /// Where the user's config is or would be: `$XDG_CONFIG_HOME/quire/config.yaml`, else
    /// `~/.config/quire/config.yaml` (the path itself, for messages that say where to write it).
    public static func defaultConfigPath(environment: [String: String]) -> String {
        if let base = environment["XDG_CONFIG_HOME"], !base.isEmpty { return base + "/quire/config.yaml" }
        return (environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "~") + "/.config/quire/config.yaml"
    }

    /// The config this picker read, or where one would be read from.
    public var configHint: String { config?.source ?? Self.defaultConfigPath(environment: environment) }

    /// The config file to read: `--config`, then `$QUIRE_CONFIG`, then
    /// `$XDG_CONFIG_HOME/quire/config.yaml` (or `~/.config/quire/config.yaml`); nil when
    /// none was given and the default file does not exist.
    public static func configPath(explicit: String?, environment: [String: String]) -> String? {
        if let explicit { return explicit }
        if let path = environment["QUIRE_CONFIG"], !path.isEmpty { return path }
        let path = defaultConfigPath(environment: environment)
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// Reads the config at `path`.
    public static func load(path: String) throws(QuireConfig.Invalid) -> QuireConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw QuireConfig.Invalid(source: path, line: nil, message: "cannot read the config file.")
        }
        return try QuireConfig.parse(String(decoding: data, as: UTF8.self), source: path)
    }

    /// The route of `task`; `override` (from `--model`) replaces the config's choice.
    /// With an override the task keeps its own parameters (temperature, answer limit).
    public func route(for task: String, override: String? = nil) -> ResolvedRoute {
        if let override {
            let own = config?.tasks[task] ?? config?.tasks["default"]
            return ResolvedRoute(
                task: task, steps: [step(override, why: "--model \(override)")], temperature: own?.temperature, maxOutputTokens: own?.maxOutputTokens)
        }
        if let config, let routed = config.tasks[task] ?? config.tasks["default"] {
            let origin = config.tasks[task] != nil ? "\(config.source):\(routed.line)" : "\(config.source):\(routed.line) (default task)"
            return ResolvedRoute(
                task: task, steps: routed.use.map { step($0, why: origin) }, temperature: routed.temperature, maxOutputTokens: routed.maxOutputTokens)
        }
        return defaultRoute(task)
    }

    func defaultRoute(_ task: String) -> ResolvedRoute {
        // Without a config, a provider key in the environment picks that provider.
        let providers: [(variable: String, config: BackendConfig)] = [
            (
                "ANTHROPIC_API_KEY",
                BackendConfig(
                    name: "anthropic", kind: .anthropic, model: "claude-sonnet-4-5",
                    capabilities: BackendCapabilities(contextWindow: 200_000, maxOutputTokens: 8_192))
            ),
            (
                "OPENAI_API_KEY",
                BackendConfig(
                    name: "openai", kind: .openai, model: "gpt-5",
                    capabilities: BackendCapabilities(contextWindow: 400_000, maxOutputTokens: 16_384))
            ),
        ]
        var steps: [Step] = []
        for (variable, config) in providers {
            guard let key = environment[variable], !key.isEmpty else { continue }
            var backend = config
            backend.apiKey = key
            steps.append(Step(name: backend.name, backend: backend, why: "\(variable) is set and there is no config"))
        }
        steps.append(Step(name: "builtin", backend: nil, why: steps.isEmpty ? "no config and no API key: offline" : "offline fallback"))
        return ResolvedRoute(task: task, steps: steps, temperature: nil, maxOutputTokens: nil)
    }

    /// Whether `name` (from `--model`) is a backend or alias of the config, or `builtin`.
    public func isConfigured(_ name: String) -> Bool {
        name == "builtin" || config?.backends[config?.aliases[name] ?? name] != nil
    }

    /// The names `--model` accepts: the config's backends and aliases, and `builtin`.
    public var configuredNames: [String] {
        ((config?.backends.keys.map { $0 } ?? []) + (config?.aliases.keys.map { $0 } ?? [])).sorted() + ["builtin"]
    }

    func step(_ name: String, why: String) -> Step {
        let target = config?.aliases[name] ?? name
        guard target != "builtin", let backend = config?.backends[target] else {
            return Step(
                name: "builtin", backend: nil, why: why, warning: target == "builtin" ? nil : "'\(name)' is not configured; the built-in backend stands in")
        }
        var baseURL = backend.baseURL
        if baseURL == nil, backend.kind == .ollama, let host = environment["OLLAMA_HOST"], !host.isEmpty {
            // OLLAMA_HOST may be host:port without a scheme, as Ollama itself accepts it.
            baseURL = host.contains("://") ? host : "http://" + host
        }
        // Ollama runs models with a small window unless told (num_ctx): without a configured
        // window, requests are sized for 8k and num_ctx says so.
        let window = backend.contextWindow ?? (backend.kind == .ollama ? 8_192 : 128_000)
        var resolved = BackendConfig(
            name: backend.name, kind: backend.kind, model: backend.model, baseURL: baseURL, headers: backend.headers, apiVersion: backend.apiVersion,
            capabilities: BackendCapabilities(contextWindow: window, maxOutputTokens: backend.maxOutputTokens ?? 8_192))
        resolved.thinkingBudget = backend.thinkingBudget
        if let seconds = backend.connectTimeout { resolved.connectTimeout = seconds }
        if let seconds = backend.readTimeout { resolved.readTimeout = seconds }
        if let seconds = backend.totalTimeout { resolved.totalTimeout = max(seconds, resolved.readTimeout) }
        if let reasoning = backend.reasoningBudget { resolved.reasoningAllowance = reasoning }
        var warning: String?
        if let variable = backend.apiKeyEnv {
            let key = environment[variable].map(Self.trimmedKey) ?? ""
            if key.isEmpty {
                warning = "\(variable) is not set"
            } else if let problem = Self.keyProblem(key) {
                warning = "$\(variable) \(problem)"
            } else {
                resolved.apiKey = key
            }
        } else if let command = backend.apiKeyCommand {
            if let key = ModelPicker.run(command) {
                if let problem = Self.keyProblem(key) {
                    warning = "the key command of '\(backend.name)' printed a key that \(problem)"
                } else {
                    resolved.apiKey = key
                }
            } else {
                warning = "the key command of '\(backend.name)' gave no key"
            }
        } else if backend.kind != .ollama && backend.kind != .openaiCompatible {
            warning = "no api_key_env or api_key_cmd for '\(backend.name)'"
        }
        var pricing: Pricing?
        if let input = backend.inputPricePerMillion, let output = backend.outputPricePerMillion {
            pricing = Pricing(inputPerMillion: input, outputPerMillion: output)
        }
        let batchFactor = backend.batchPriceFactor ?? ([.openai, .anthropic, .azureOpenAI].contains(backend.kind) ? 0.5 : nil)
        return Step(
            name: backend.name, backend: resolved, why: why + (target != name ? " (alias \(name))" : ""), warning: warning, pricing: pricing,
            requestsPerMinute: backend.requestsPerMinute, tokensPerMinute: backend.tokensPerMinute, batchPriceFactor: batchFactor)
    }

    /// A key without the blanks and line ends around it (a key file written on Windows ends in CRLF).
    static func trimmedKey(_ key: String) -> String { key.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// What is wrong with a key that could not go into a header, said without the key.
    static func keyProblem(_ key: String) -> String? {
        guard key.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            return "holds a space, a line break or a character a header cannot carry (the key is not shown)"
        }
        return nil
    }

    /// The first line a shell command prints (for `api_key_cmd`), or nil.
    static func run(_ command: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        // A command that waits (a password manager asking on a terminal nobody watches) is
        // stopped after 30 seconds: no key, and the route goes on without the backend.
        let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        guard process.terminationStatus == 0 else { return nil }
        let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map { trimmedKey(String($0)) }
        return line?.isEmpty == false ? line : nil
    }
}
