import QuireLLM
import Testing

@testable import QuireRouter

struct ConfigTests {
    static let yaml = """
        # Quire's model picker
        backends:
          claude: { kind: anthropic, model: claude-sonnet-4-5, api_key_env: ANTHROPIC_API_KEY, context_window: 200000, input_price: 3, output_price: 15 }
          gpt:
            kind: openai
            model: gpt-5
            api_key_env: OPENAI_API_KEY
          local: { kind: ollama, model: llama3.2, base_url: "http://127.0.0.1:11434" }
          lab:
            kind: openai-compatible
            model: qwen
            base_url: http://10.0.0.5:8000/v1
            headers: { X-Team: docs }
        aliases:
          fast: local
        tasks:
          summarise: { use: [claude, gpt, builtin], max_output_tokens: 800 }
          draft: { use: gpt, temperature: 0.7 }
          reply: [fast]
          default: { use: [local] }
        """

    @Test("a full config: backends, aliases, routes with parameters")
    func parse() throws {
        let config = try QuireConfig.parse(Self.yaml, source: "config.yaml")
        #expect(config.backends.keys.sorted() == ["claude", "gpt", "lab", "local"])
        #expect(config.backends["claude"]?.kind == .anthropic && config.backends["claude"]?.contextWindow == 200_000)
        #expect(config.backends["claude"]?.outputPricePerMillion == 15)
        #expect(config.backends["lab"]?.headers == ["X-Team": "docs"])
        #expect(config.tasks["summarise"]?.use == ["claude", "gpt", "builtin"] && config.tasks["summarise"]?.maxOutputTokens == 800)
        #expect(config.tasks["draft"]?.use == ["gpt"] && config.tasks["draft"]?.temperature == 0.7)
        #expect(config.tasks["summarise"]?.line == 17)
    }

    @Test(
        "mistakes are errors naming the line",
        arguments: [
            ("backends:\n  a: { kind: gemini, model: x }\n", 2, "unknown kind 'gemini'"),
            ("backends:\n  a: { kind: openai }\n", 2, "needs a model"),
            ("backends:\n  a: { kind: openai, model: m, colour: blue }\n", 2, "unknown field 'colour'"),
            ("tasks:\n  summarise: { use: [nowhere] }\n", 2, "uses 'nowhere'"),
            ("backends:\n  a: { kind: openai, model: m, context_window: lots }\n", 2, "must be a number"),
            ("models: {}\n", 1, "unknown section 'models'"),
            // Numbers out of range (issue 14): no overflow trap, no NaN, no negative price.
            (
                "backends:\n  a:\n    kind: openai\n    model: m\n    context_window: 1e300\n", 5,
                "'context_window' of backend 'a' must be a whole number from 256 to 100000000, not 1e300"
            ),
            ("backends:\n  a:\n    kind: openai\n    model: m\n    max_output_tokens: 2.5\n", 5, "must be a whole number"),
            ("backends:\n  a:\n    kind: openai\n    model: m\n    input_price: .nan\n", 5, "'input_price' of backend 'a' must be a number."),
            ("backends:\n  a:\n    kind: openai\n    model: m\n    output_price: -3\n", 5, "from 0 to 1000000"),
            (
                "backends:\n  a:\n    kind: openai\n    model: m\n    headers: { X-A: \"v\\r\\nBcc: x\" }\n", 5,
                "header 'X-A' of backend 'a' contains a line break."
            ),
            (
                "backends:\n  a:\n    kind: openai\n    model: m\n    read_timeout: 0\n", 5,
                "'read_timeout' of backend 'a' (seconds) must be a number from 1 to 3600"
            ),
            ("tasks:\n  summarise:\n    use: builtin\n    temperature: 7\n", 4, "'temperature' of task 'summarise' must be a number from 0 to 2"),
            ("tasks:\n  summarise:\n    use: builtin\n    max_output_tokens: -1\n", 4, "'max_output_tokens' of task 'summarise' must be a whole number"),
        ])
    func invalid(_ yaml: String, _ line: Int, _ message: String) {
        let error = #expect(throws: QuireConfig.Invalid.self) { try QuireConfig.parse(yaml, source: "c.yaml") }
        #expect(error?.line == line, "\(error?.description ?? "")")
        #expect(error?.description.hasPrefix("c.yaml:\(line): ") == true)
        #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
    }

    @Test("YAML that does not parse is an error too")
    func notYAML() {
        #expect(throws: QuireConfig.Invalid.self) { try QuireConfig.parse("backends: [unclosed", source: "c.yaml") }
    }
}

struct KeyHygieneTests {
    static let yaml = """
        backends:
          a: { kind: openai, model: m, api_key_env: QUIRE_K }
          b: { kind: openai, model: m, api_key_cmd: "printf 'sk-from-cmd-42\\r\\n'" }
        tasks:
          summarise: { use: [a, b, builtin] }
        """

    @Test("keys lose the blanks and CR/LF around them; a key with a break inside is left out, never shown")
    func keys() throws {
        let config = try QuireConfig.parse(Self.yaml, source: "k.yaml")
        let crlf = ModelPicker(config: config, environment: ["QUIRE_K": "sk-env-7\r\n"]).route(for: "summarise")
        #expect(crlf.steps[0].backend?.apiKey == "sk-env-7")
        #expect(crlf.steps[0].backend?.connectTimeout == 10 && crlf.steps[0].backend?.totalTimeout == 600)
        let timed = try QuireConfig.parse(
            "backends:\n  t: { kind: ollama, model: m, connect_timeout: 2.5, read_timeout: 30, total_timeout: 90 }\n", source: "t.yaml")
        let backend = ModelPicker(config: timed, environment: [:]).step("t", why: "").backend
        #expect(backend?.connectTimeout == 2.5 && backend?.readTimeout == 30 && backend?.totalTimeout == 90)
        #expect(crlf.steps[1].backend?.apiKey == "sk-from-cmd-42")
        let broken = ModelPicker(config: config, environment: ["QUIRE_K": "sk-env\r\nX-Evil: 1"]).route(for: "summarise")
        #expect(broken.steps[0].backend?.apiKey == nil)
        let warning = try #require(broken.steps[0].warning)
        #expect(warning.contains("$QUIRE_K holds a space, a line break") && !warning.contains("sk-env"), "\(warning)")
    }
}

struct ModelPickerTests {
    @Test("no config, no key: every task goes to the built-in backend")
    func offline() {
        let picker = ModelPicker(config: nil, environment: [:])
        for task in QuireConfig.taskNames {
            let route = picker.route(for: task)
            #expect(route.steps.map(\.name) == ["builtin"])
            #expect(route.steps[0].why.contains("offline"))
        }
    }

    @Test("no config, a key in the environment: that provider first, the built-in backend behind it")
    func keyOnly() {
        let route = ModelPicker(config: nil, environment: ["ANTHROPIC_API_KEY": "sk-ant"]).route(for: "summarise")
        #expect(route.steps.map(\.name) == ["anthropic", "builtin"])
        #expect(route.steps[0].backend?.apiKey == "sk-ant" && route.steps[0].backend?.kind == .anthropic)
        #expect(route.steps[0].why == "ANTHROPIC_API_KEY is set and there is no config")
    }

    @Test("a config: routes, aliases, the default task, keys from the environment and missing keys said up front")
    func configured() throws {
        let config = try QuireConfig.parse(ConfigTests.yaml, source: "config.yaml")
        let picker = ModelPicker(config: config, environment: ["OPENAI_API_KEY": "sk-open"])
        let summarise = picker.route(for: "summarise")
        #expect(summarise.steps.map(\.name) == ["claude", "gpt", "builtin"])
        #expect(summarise.maxOutputTokens == 800)
        #expect(summarise.steps[0].warning == "ANTHROPIC_API_KEY is not set")
        #expect(summarise.steps[1].backend?.apiKey == "sk-open" && summarise.steps[1].warning == nil)
        #expect(summarise.steps[0].why == "config.yaml:17")
        #expect(summarise.steps[0].pricing == Pricing(inputPerMillion: 3, outputPerMillion: 15) && summarise.steps[1].pricing == nil)
        let reply = picker.route(for: "reply")
        #expect(reply.steps.map(\.name) == ["local"] && reply.steps[0].why.contains("alias fast"))
        #expect(reply.steps[0].warning == nil)  // Ollama needs no key
        #expect(picker.route(for: "analyse-table").steps.map(\.name) == ["local"])  // the default task
        #expect(picker.route(for: "draft", override: "claude").steps.map(\.why) == ["--model claude"])
    }

    @Test("an Ollama backend without base_url follows OLLAMA_HOST")
    func ollamaHost() throws {
        let config = try QuireConfig.parse("backends:\n  l: { kind: ollama, model: llama3.2 }\ntasks:\n  reply: [l]\n", source: "c")
        let step = ModelPicker(config: config, environment: ["OLLAMA_HOST": "10.1.2.3:11434"]).route(for: "reply").steps[0]
        #expect(step.backend?.resolvedBaseURL == "http://10.1.2.3:11434")
        #expect(ModelPicker(config: config, environment: [:]).route(for: "reply").steps[0].backend?.resolvedBaseURL == "http://127.0.0.1:11434")
    }

    @Test("a key from a command")
    func keyCommand() throws {
        let config = try QuireConfig.parse("backends:\n  a: { kind: openai, model: m, api_key_cmd: \"echo sk-from-cmd\" }\ntasks:\n  draft: [a]\n", source: "c")
        let step = ModelPicker(config: config, environment: [:]).route(for: "draft").steps[0]
        #expect(step.backend?.apiKey == "sk-from-cmd" && step.warning == nil)
    }
}

struct ModelParameterConfigTests {
    @Test("thinking and reasoning budgets reach the backend; Ollama without a window is sized for 8k (and told so)")
    func budgets() throws {
        let config = try QuireConfig.parse(
            """
            backends:
              claude: { kind: anthropic, model: claude-x, api_key_env: K, thinking_budget: 2048 }
              gpt: { kind: openai, model: gpt-5, api_key_env: K, reasoning_budget: 4096 }
              local: { kind: ollama, model: llama3.2 }
            tasks:
              summarise: { use: [claude, gpt, local] }
            """, source: "c.yaml")
        let steps = ModelPicker(config: config, environment: ["K": "x"]).route(for: "summarise").steps
        #expect(steps[0].backend?.thinkingBudget == 2048)
        #expect(steps[1].backend?.reasoningAllowance == 4096)
        #expect(steps[2].backend?.capabilities.contextWindow == 8_192)
        #expect(throws: QuireConfig.Invalid.self) {
            _ = try QuireConfig.parse("backends:\n  c: { kind: anthropic, model: m, thinking_budget: 10 }\n", source: "c.yaml")
        }
    }
}
