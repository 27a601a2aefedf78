import QuireModel
import Testing

struct ErrorMatchingTests {
    static func code(of error: any Error) -> String {
        do {
            throw error
        } catch DocumentError.encrypted {
            return "encrypted"
        } catch DocumentError.truncated {
            return "truncated"
        } catch {
            return "other"
        }
    }

    @Test("catch DocumentError.<code> matches by code, and only DocumentErrors")
    func catchByCode() {
        #expect(Self.code(of: DocumentError(.encrypted, file: "a.docx", message: "password")) == "encrypted")
        #expect(Self.code(of: DocumentError(.truncated, file: "a.docx", message: "cut")) == "truncated")
        #expect(Self.code(of: DocumentError(.corrupt, file: "a.docx", message: "bad")) == "other")
        struct Unrelated: Error {}
        #expect(Self.code(of: Unrelated()) == "other")
        #expect(DocumentError.missingPart == DocumentError.Code.missingPart)
    }
}
