import QuireDOCX
import QuireModel
import QuireRender
import QuireTestSupport
import Testing

struct DamagedPartTests {
    @Test("a damaged comments or numbering part costs that part, with a warning naming it, not the document")
    func damagedSideParts() throws {
        let document = try DOCXReader().read(path: Fixtures.path("damaged-parts.docx"))
        #expect(document.blocks.count == 3)
        #expect(document.blocks[1].paragraphTexts() == ["The body is intact."])
        #expect(document.comments.isEmpty)
        #expect(document.warnings.count == 2)
        #expect(document.warnings.contains { $0.hasPrefix("word/comments.xml:") && $0.contains("The comments were left out") })
        #expect(document.warnings.contains { $0.hasPrefix("word/numbering.xml:") && $0.contains("not XML at all") })
        // No reference is left pointing at a comment that could not be read.
        let markdown = MarkdownRenderer().render(document)
        #expect(!markdown.contains("[^c0]"))
        #expect(JSONRenderer(pretty: false).render(document).contains(#""warnings":["word/"#))
    }

    @Test("a hostile side part (an entity declaration in the comments) still refuses the whole file")
    func hostileSidePart() {
        #expect {
            _ = try DOCXReader().read(path: Fixtures.path("xxe-in-comments.docx"))
        } throws: { error in
            (error as? DocumentError)?.code == .unsafeXML
        }
    }
}
