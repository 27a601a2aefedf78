import ArgumentParser
import Foundation
import QuireBackends
import QuireLLM
import QuireRouter

/// The config file of this run, and the model picker over it.
struct PickerOptions: ParsableArguments {
    @Option(help: "The model picker's config (default: $QUIRE_CONFIG, then $XDG_CONFIG_HOME/quire/config.yaml).")
    var config: String?

    func picker() throws -> ModelPicker {
        let environment = ProcessInfo.processInfo.environment
        guard let path = ModelPicker.configPath(explicit: config, environment: environment) else {
            return ModelPicker(config: nil, environment: environment)
        }
        // A config error is a config error (exit 3), not a usage error.
        return ModelPicker(config: try ModelPicker.load(path: path), environment: environment)
    }
}

struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Show which model serves each task, and why; test a backend.",
        subcommands: [Show.self, Test.self], defaultSubcommand: Show.self)

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "The route of each task: backends in order, with the reason for each.")
        @OptionGroup var options: PickerOptions

        func run() throws {
            let picker = try options.picker()
            print(picker.config.map { "config: \($0.source)" } ?? "config: none (defaults from the environment)")
            // The built-in tasks, then the config's own (`quire run NAME`).
            let own = picker.config?.tasks.values.filter { $0.prompt != nil }.map(\.name).sorted() ?? []
            for task in QuireConfig.taskNames + own {
                let route = picker.route(for: task)
                let description = own.contains(task) ? picker.config?.tasks[task]?.description.map { " — \($0)" } ?? " (your task: quire run \(task))" : ""
                print("\n\(task):\(description)")
                for (i, step) in route.steps.enumerated() {
                    let model = step.backend.map { " — \($0.kind.rawValue) \($0.model)" } ?? " — offline"
                    print("  \(i == 0 ? "→" : "↳") \(step.name)\(model)  (\(step.why))")
                    if let backend = step.backend {
                        func s(_ seconds: Double) -> String { seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s" }
                        print("      timeouts: connect \(s(backend.connectTimeout)), silence \(s(backend.readTimeout)), total \(s(backend.totalTimeout))")
                    }
                    if let warning = step.warning { print("      ! \(warning)") }
                }
                var parameters: [String] = []
                if let t = route.temperature { parameters.append("temperature \(t)") }
                if let m = route.maxOutputTokens { parameters.append("max output \(m) tokens") }
                if !parameters.isEmpty { print("    " + parameters.joined(separator: ", ")) }
            }
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Send a one-token request to a backend (default: each backend of the summarise route) and report the latency or the exact error.")
        @OptionGroup var options: PickerOptions
        @Argument(help: "A backend name of the config, or 'builtin'.")
        var backend: String?

        func run() async throws {
            let picker = try options.picker()
            if let backend, !picker.isConfigured(backend) {
                throw TaskFailure(
                    "\(backend) is not a backend of the config; test one of: \(picker.configuredNames.joined(separator: ", ")) (see 'quire models').",
                    status: Quire.Status.config)
            }
            let steps = backend.map { [picker.route(for: "test", override: $0).steps[0]] } ?? picker.route(for: "summarise").steps
            var failures = 0
            for step in steps {
                if let warning = step.warning, warning.hasSuffix("is not set") || warning.contains("gave no key") || warning.contains("no api_key") {
                    failures += 1
                    print("\(step.name): not tested: \(warning)")
                    continue
                }
                let chat: any ChatBackend
                var http: HTTPChatBackend?
                if let config = step.backend {
                    let made = HTTPChatBackend(config: config)
                    http = made
                    chat = made
                } else {
                    chat = BuiltinBackend()
                }
                let request = ChatRequest(
                    messages: [.user("Reply with the single word OK.")], maxOutputTokens: 1, stream: false,
                    metadata: [BuiltinBackend.taskKey: BuiltinBackend.testTask])
                let start = Date()
                do {
                    let answer = try await chat.complete(request)
                    let ms = Int(Date().timeIntervalSince(start) * 1000)
                    var line = "\(step.name): ok in \(ms) ms — \"\(answer.text)\""
                    if let usage = answer.usage {
                        line += " (\(usage.inputTokens) in, \(usage.outputTokens) out"
                        if let pricing = step.pricing { line += ", $" + String(format: "%.6f", pricing.cost(usage)) }
                        line += ")"
                    }
                    print(line)
                } catch {
                    failures += 1
                    print("\(step.name): \(error)")
                }
                try? await http?.shutdown()
            }
            if failures > 0 { throw ExitCode(1) }
        }
    }
}

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "The model picker's config.", subcommands: [Init.self, Template.self])

    struct Template: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "template",
            abstract: "Print a task template Quire ships (rewrite, coach), to copy under tasks: in the config and change.")
        @Argument(help: "rewrite or coach (default: both).")
        var name: String?

        func validate() throws {
            if let name, !QuireConfig.shippedTaskNames.contains(name) {
                throw ValidationError("no template '\(name)'; Quire ships: \(QuireConfig.shippedTaskNames.joined(separator: ", ")).")
            }
        }

        func run() {
            var blocks: [[String]] = [[]]
            for line in QuireConfig.shippedTaskTemplates.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("  # "), !(blocks.last ?? []).isEmpty, !(blocks.last!.last ?? "").isEmpty { blocks.append([]) }
                blocks[blocks.count - 1].append(String(line))
            }
            let chosen = blocks.filter { block in name.map { wanted in block.contains { $0 == "  \(wanted):" } } ?? true }
            print("tasks:\n" + chosen.map { $0.joined(separator: "\n") }.joined(separator: "\n").trimmingCharacters(in: .newlines))
        }
    }

    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Write a commented starter config (to $XDG_CONFIG_HOME/quire/config.yaml unless a path is given).")
        @Argument(help: "Where to write it.")
        var path: String?
        @Flag(help: "Replace an existing file.")
        var force = false

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? ".") + "/.config")
            let target = path ?? base + "/quire/config.yaml"
            if FileManager.default.fileExists(atPath: target) && !force {
                throw ValidationError("\(target) exists; use --force to replace it.")
            }
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(starterConfig.utf8).write(to: URL(fileURLWithPath: target))
            _ = try QuireConfig.parse(starterConfig, source: target)  // the starter itself must be valid
            print("wrote \(target)")
        }
    }
}

let starterConfig = """
    # Quire's model picker: which model serves each task.
    # `quire models` shows the routes this file gives; `quire models test NAME` tries one.

    backends:
      # Keys come from the environment (api_key_env) or a command (api_key_cmd); never write a key here.
      claude:
        kind: anthropic
        model: claude-sonnet-4-5
        api_key_env: ANTHROPIC_API_KEY
        context_window: 200000
        input_price: 3        # dollars per million input tokens, for the cost report
        output_price: 15
      gpt:
        kind: openai
        model: gpt-5
        api_key_env: OPENAI_API_KEY
      local:
        kind: ollama          # OLLAMA_HOST's default address
        model: llama3.2
        base_url: http://127.0.0.1:11434
        read_timeout: 300     # seconds of silence allowed while a local model answers (default 120)
        # also: connect_timeout (default 10) and total_timeout (default 600), for any backend
      # Any OpenAI-compatible server (llama.cpp, vLLM, LM Studio):
      # lab: { kind: openai-compatible, model: qwen2.5, base_url: http://127.0.0.1:8080/v1 }
      # Azure OpenAI (model is the deployment name):
      # azure: { kind: azure-openai, model: my-deployment, base_url: https://NAME.openai.azure.com, api_key_env: AZURE_OPENAI_API_KEY, api_version: 2024-10-21 }

    aliases:
      fast: local

    tasks:
      # The first backend that answers wins; 'builtin' is the offline one (summarise, analyse-table, ask, triage, extract-fields, review).
      summarise:     { use: [claude, gpt, builtin], max_output_tokens: 800 }
      draft:         { use: [gpt, claude], temperature: 0.7 }
      analyse-table: { use: [claude, builtin] }
      reply:         { use: [gpt, fast] }
      ask:           { use: [claude, builtin] }
      triage:        { use: [gpt, builtin] }   # labels: "legal: contract audit, finance: invoice budget, ops"
      extract-fields: { use: [gpt, builtin] }
      review:        { use: [claude, builtin] }
      # Templates for quire run (change them freely; delete one to get Quire's own back):
    \(QuireConfig.shippedTaskTemplates)
    """
