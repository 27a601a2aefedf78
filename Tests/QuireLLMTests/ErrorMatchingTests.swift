import QuireLLM
import Testing

struct LLMErrorMatchingTests {
    @Test("catch LLMError.<code> matches by code; codes are open (a new name is a value, not a broken switch)")
    func catchByCode() {
        func kind(_ error: LLMError) -> String {
            do {
                throw error
            } catch LLMError.rateLimited {
                return "wait"
            } catch LLMError.authentication {
                return "key"
            } catch {
                return "other"
            }
        }
        #expect(kind(LLMError(.rateLimited, backend: "gpt", message: "slow down", status: 429)) == "wait")
        #expect(kind(LLMError(.authentication, backend: "gpt", message: "bad key", status: 401)) == "key")
        let future = LLMError.Code(rawValue: "quotaExhausted")
        #expect(kind(LLMError(future, backend: "gpt", message: "none left")) == "other")
        #expect(future.description == "quotaExhausted")
        #expect(LLMError(future, backend: "gpt", message: "x").allowsFallback)
        #expect(!LLMError(.badRequest, backend: "gpt", message: "x").allowsFallback)
    }
}
