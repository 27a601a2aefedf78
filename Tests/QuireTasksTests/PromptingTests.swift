import QuireLLM
import QuireModel
import Testing

@testable import QuireTasks

struct PromptingTests {
    @Test("token estimate: ASCII about 3.5 bytes a token, other scripts one a character")
    func tokens() {
        #expect(TokenEstimate.tokens("") == 0)
        #expect(TokenEstimate.tokens(String(repeating: "a", count: 700)) == 200)
        #expect(TokenEstimate.tokens("日本語の文書") == 6)
    }
}
