import Testing

@testable import QuireXML

@Suite("HTML tree")
struct HTMLTreeTests {
    /// The depth of the deepest element under `element`.
    func depth(_ element: HTMLElement) -> Int {
        1 + (element.elements.map(depth).max() ?? 0)
    }

    /// All text under `element`, in order.
    func text(_ element: HTMLElement) -> String {
        element.children.map { node in
            switch node {
            case .text(let text): text
            case .element(let child): self.text(child)
            }
        }.joined()
    }

    @Test("broken mail HTML is recovered: names and attributes lower-cased, entities decoded, text and elements in order")
    func recovers() throws {
        let html = #"<P CLASS=x>Caf&eacute; &amp; <B>bold<I>both</B> tail<BR>line<a HREF="https://example.com/?a=1&amp;b=2">go</a>"#
        let root = try #require(HTMLTree.parse(Array(html.utf8)))
        #expect(root.name == "html")
        let body = try #require(root.elements.first { $0.name == "body" })
        let p = try #require(body.elements.first)
        #expect(p.name == "p" && p.attribute("class") == "x")
        #expect(text(p) == "Café & boldboth tailline" + "go")
        let link = try #require(p.elements.first { $0.name == "a" })
        #expect(link.attribute("href") == "https://example.com/?a=1&b=2")
        guard case .text(let first) = p.children.first else {
            Issue.record("the paragraph should open with its text")
            return
        }
        #expect(first == "Café & ")
    }

    @Test("nesting deeper than the limit is flattened into the ancestor at the limit, its text kept")
    func deepNesting() throws {
        let html = String(repeating: "<div>", count: 200) + "deep text" + String(repeating: "</div>", count: 200)
        let root = try #require(HTMLTree.parse(Array(html.utf8), maxDepth: 40))
        #expect(depth(root) <= 40)
        #expect(text(root).contains("deep text"))
        let hostile = "before" + String(repeating: "<div>", count: 100_000) + "deep" + String(repeating: "</div>", count: 100_000) + "after"
        let parsed = try #require(HTMLTree.parse(Array(hostile.utf8)))
        #expect(text(parsed) == "beforedeepafter")
        #expect(depth(parsed) <= 256)
    }

    @Test("a document past the node budget keeps its first nodes only")
    func budget() throws {
        let html = (0..<1_000).map { "<p>item \($0)</p>" }.joined()
        let root = try #require(HTMLTree.parse(Array(html.utf8), maxNodes: 100))
        let all = text(root)
        #expect(all.contains("item 0") && !all.contains("item 999"))
    }

    @Test("empty input and input without markup")
    func empty() {
        #expect(HTMLTree.parse([]) == nil)
        #expect(HTMLTree.parse(Array("just text".utf8)).map(text) == "just text")
    }
}
