import Foundation
import QuireDOCX
import QuireModel
import QuireRender
import QuireTestSupport
import Testing

struct AnchorTests {
    /// The ids of every block object in a `quire.document` JSON text, in order.
    static func jsonIDs(_ json: String) throws -> [String] {
        var ids: [String] = []
        func walk(_ value: Any) {
            if let object = value as? [String: Any] {
                if let id = object["id"] as? String, object["type"] != nil, object["type"] as? String != "note_ref",
                    object["type"] as? String != "comment_ref"
                {
                    ids.append(id)
                }
                for key in ["blocks", "rows", "notes", "comments", "headers_footers"] { if let inner = object[key] { walk(inner) } }
            } else if let array = value as? [Any] {
                for item in array { walk(item) }
            }
        }
        walk(try JSONSerialization.jsonObject(with: Data(json.utf8)))
        return ids
    }

    /// Every anchor resolves to its block, anchors are unique, and the JSON carries the same ids.
    static func check(_ document: Document, _ label: String) throws {
        let anchored = document.anchoredBlocks()
        #expect(Set(anchored.map(\.anchor)).count == anchored.count, "\(label): anchors repeat")
        for (anchor, block) in anchored { #expect(document.block(at: anchor) == block, "\(label): \(anchor)") }
        let ids = try jsonIDs(JSONRenderer(pretty: false).render(document))
        #expect(Set(ids) == Set(anchored.map(\.anchor)), "\(label)")
    }

    @Test("every fixture document: anchors resolve to their blocks and match the JSON ids")
    func fixtures() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.path("")).filter { $0.hasSuffix(".docx") }
        var checked = 0
        for name in names {
            guard let document = try? DOCXReader().read(path: Fixtures.path(name)) else { continue }
            try Self.check(document, name)
            checked += 1
        }
        #expect(checked >= 15)
    }

    @Test("nested anchors: a block in a table cell and in a footnote")
    func nested() throws {
        let document = try DOCXReader().read(path: Fixtures.path("tables-merged-nested.docx"))
        let inCells = document.anchoredBlocks().filter { $0.anchor.contains(".r") }
        #expect(!inCells.isEmpty)
        let first = try #require(inCells.first)
        #expect(first.anchor.hasPrefix("b") && first.anchor.contains("c1.b1"))
        let notes = try DOCXReader().read(path: Fixtures.path("footnotes-comments.docx"))
        let noteBlock = try #require(notes.anchoredBlocks().first { $0.anchor.hasPrefix("fn") })
        #expect(notes.block(at: noteBlock.anchor) == noteBlock.block)
        #expect(notes.block(at: "b999") == nil)
        #expect(notes.block(at: "fn999.b1") == nil)
        #expect(notes.block(at: "") == nil && notes.block(at: "x1") == nil)
    }

    @Test("streamed JSON carries the same ids as the whole-document JSON")
    func streamed() throws {
        let document = try DOCXReader().read(path: Fixtures.path("tables-merged-nested.docx"))
        var stream = JSONDocumentStream(pretty: false)
        for block in document.blocks { stream.append(block) }
        stream.finish(document)
        #expect(try Self.jsonIDs(stream.takeOutput()) == Self.jsonIDs(JSONRenderer(pretty: false).render(document)))
    }

    @Test("sheet cell and message anchors")
    func otherAnchors() {
        #expect(Anchor.cell("B7", sheet: "Data") == "Data!B7")
        #expect(Anchor.cell("B7", sheet: "Q1 Sales") == "'Q1 Sales'!B7")
        #expect(Anchor.cell("A1", sheet: "Ada's") == "'Ada''s'!A1")
        #expect(Anchor.cell("A1", sheet: "2024") == "'2024'!A1")
        var message = MailMessage()
        message.messageID = "abc@host"
        #expect(Anchor.message(message) == "<abc@host>")
        message.messageID = nil
        message.origin = MailOrigin(file: "box.mbox", index: 2, offset: 900)
        #expect(Anchor.message(message) == "box.mbox#3")
    }

    @Test("every corpus document: anchors resolve and match the JSON", .enabled(if: Fixtures.corpus != nil, "../shared/corpus is not present"))
    func corpus() throws {
        let text = try String(contentsOfFile: Fixtures.corpus! + "/MANIFEST.tsv", encoding: .utf8)
        let files = text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: "\t").map(String.init)
            return fields.count >= 2 && fields[1] == "docx" ? fields[0] : nil
        }
        var checked = 0
        for file in files {
            guard let document = try? DOCXReader().read(path: Fixtures.corpus! + "/" + file) else { continue }
            try Self.check(document, file)
            checked += 1
        }
        #expect(checked > files.count * 9 / 10)
    }
}
