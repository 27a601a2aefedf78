import Foundation
import QuireLLM
import Testing

@testable import QuireRouter

struct ShippedTaskTests {
    @Test("the shipped templates: rewrite checks numbers and needs a style, coach needs nothing; both routed by the config, not by the template")
    func templates() throws {
        let rewrite = try #require(QuireConfig.shippedTask("rewrite"))
        #expect(rewrite.checksNumbers && rewrite.use.isEmpty)
        #expect(rewrite.variables == ["style", "content"])
        #expect(rewrite.prompt?.hasSuffix("\n\n{{content}}") == true)
        #expect(rewrite.system?.contains("every fact, name, date, number") == true)
        let coach = try #require(QuireConfig.shippedTask("coach"))
        #expect(!coach.checksNumbers && coach.variables == ["content"])
        #expect(QuireConfig.shippedTask("translate") == nil)
        #expect(QuireConfig.shippedTaskNames.allSatisfy { QuireConfig.shippedTask($0) != nil })
    }

    @Test("check: numbers on a task of one's own; any other check is an error naming its line")
    func check() throws {
        let yaml = """
            backends:
              gpt: { kind: openai, model: gpt-5 }
            tasks:
              tidy:
                use: [gpt]
                check: numbers
                prompt: "Tidy {{content}}"
            """
        #expect(try QuireConfig.parse(yaml, source: "c.yaml").tasks["tidy"]?.checksNumbers == true)
        let wrong = yaml.replacingOccurrences(of: "check: numbers", with: "check: spelling")
        let error = #expect(throws: QuireConfig.Invalid.self) { try QuireConfig.parse(wrong, source: "c.yaml") }
        #expect(error?.line == 6 && error?.message.contains("can only be 'numbers'") == true, "\(String(describing: error))")
    }
}
