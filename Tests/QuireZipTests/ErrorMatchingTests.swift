import QuireTestSupport
import QuireZip
import Testing

struct ZipErrorMatchingTests {
    @Test("catch ZipError.<code> matches what the archive reader throws")
    func catchByCode() throws {
        var caught = ""
        do {
            _ = try ZipArchive(path: Fixtures.path("not-a-zip.docx"))
        } catch ZipError.encryptedDocument {
            caught = "encrypted"
        } catch ZipError.notAZip {
            caught = "not a zip"
        } catch {
            caught = "\(error)"
        }
        #expect(caught == "not a zip")
    }
}
