import QuireImport
import QuireModel
import QuireTasks
import Testing

struct ChunkerTests {
    /// A long handbook: headings at three levels, paragraphs, a long table, a paragraph of
    /// many sentences on one line, and a code block holding `#` lines.
    static func handbook() -> [TaskContent.Section] {
        var text = "# Handbook\n\nIntro paragraph.\n\n"
        for chapter in 1...6 {
            text += "## Chapter \(chapter)\n\n"
            for part in 1...3 {
                text += "### Part \(chapter).\(part)\n\n"
                for p in 1...4 { text += "Chapter \(chapter) part \(part) paragraph \(p) says what the team does in week \(p) of the quarter.\n\n" }
            }
        }
        text += "## Figures\n\n| Region | Q1 | Q2 |\n| --- | --- | --- |\n"
        for row in 1...120 { text += "| Region \(row) | \(row * 10) | \(row * 11) |\n" }
        text += "\n## Long paragraph\n\n"
        text += (1...60).map { "Sentence number \($0) of the long paragraph ends here." }.joined(separator: " ") + "\n\n"
        text += "## Code\n\n```\n# not a heading\nlet x = 1\n```\n\nAfter the code.\n"
        return [.init(title: "Handbook", markdown: text), .init(title: "Appendix", markdown: "# Appendix\n\nShort appendix.\n")]
    }

    static let budget = 200

    @Test("every chunk fits the budget, and chunks are needed")
    func withinBudget() {
        let chunks = Chunker.chunks(Self.handbook(), budget: Self.budget)
        #expect(chunks.count > 5)
        for chunk in chunks { #expect(TokenEstimate.tokens(chunk.text) <= Self.budget, "\(chunk.text.prefix(80))") }
    }

    @Test("nothing is dropped: every line of the sections is in the chunks, in order")
    func nothingDropped() {
        let sections = Self.handbook()
        let chunks = Chunker.chunks(sections, budget: Self.budget)
        let chunkLines = chunks.flatMap { $0.text.split(separator: "\n").map(String.init) }
        var position = 0
        for section in sections {
            for line in section.markdown.split(separator: "\n").map(String.init) where TokenEstimate.tokens(line) < Self.budget {
                guard let found = chunkLines[position...].firstIndex(of: line) else {
                    Issue.record("missing or out of order: \(line)")
                    return
                }
                position = found + 1
            }
        }
        // The one long line comes back whole from its parts.
        let long = sections[0].markdown.split(separator: "\n").first { TokenEstimate.tokens(String($0)) >= Self.budget }.map(String.init)
        let parts = chunkLines.filter { $0.hasPrefix("Sentence number") }
        #expect(parts.count > 1)
        #expect(parts.joined(separator: " ") == long)
    }

    @Test("a long paragraph is cut at sentence ends, never inside a sentence")
    func sentenceEnds() {
        let chunks = Chunker.chunks(Self.handbook(), budget: Self.budget)
        let parts = chunks.flatMap { $0.text.split(separator: "\n") }.filter { $0.hasPrefix("Sentence number") }
        for part in parts {
            #expect(part.hasSuffix("ends here."), "\(part.suffix(40))")
        }
    }

    @Test("a continued piece starts with its heading path; headingPath says where each chunk is")
    func headingPath() throws {
        let chunks = Chunker.chunks(Self.handbook(), budget: Self.budget)
        let continued = chunks.filter { $0.text.contains("(continued)") }
        #expect(!continued.isEmpty)
        for chunk in continued {
            #expect(chunk.text.hasPrefix("# Handbook\n") || chunk.text.hasPrefix("# Handbook (continued)\n"), "\(chunk.text.prefix(60))")
        }
        let figures = try #require(chunks.first { $0.text.contains("| Region 100 |") })
        #expect(figures.headingPath == ["Handbook", "Figures"])
        #expect(figures.text.hasPrefix("# Handbook\n## Figures (continued)\n"))
        let appendix = try #require(chunks.last)
        #expect(appendix.headingPath == ["Appendix"] || appendix.titles.contains("Appendix"))
        // `#` lines inside code are not headings.
        #expect(!chunks.contains { $0.headingPath.contains("not a heading") })
    }

    @Test("a table cut across chunks repeats its header row and delimiter")
    func tableHeader() {
        let chunks = Chunker.chunks(Self.handbook(), budget: Self.budget)
        let withRows = chunks.filter { $0.text.contains("| Region 1") || $0.text.contains("| Region 9") }
        #expect(withRows.count > 2)
        for chunk in withRows {
            #expect(chunk.text.contains("| Region | Q1 | Q2 |\n| --- | --- | --- |\n"))
        }
    }
}

struct SectionPathTests {
    static func document() -> Document {
        func heading(_ level: Int, _ text: String, title: Bool = false) -> Block {
            .heading(Heading(level: level, content: [.text(text, [])], isTitle: title))
        }
        func paragraph(_ text: String) -> Block { .paragraph(Paragraph(content: [.text(text, [])])) }
        var blocks = [heading(1, "Annual report", title: true), paragraph("Foreword.")]
        for chapter in ["Finance", "Operations"] {
            blocks.append(heading(1, chapter))
            for sub in ["Revenue", "Costs"] {
                blocks.append(heading(2, sub))
                for i in 1...40 { blocks.append(paragraph("\(chapter) \(sub) paragraph \(i) describes the figures of month \(i % 12 + 1).")) }
            }
        }
        return Document(blocks: blocks)
    }

    @Test("document sections know the headings they sit under; a title stays above every heading")
    func sectionPaths() {
        let content = ContentLoader().sections(of: .document(Self.document()), name: "report.docx")
        let paths = content.sections.map(\.headingPath)
        #expect(paths.first == ["Annual report"])
        #expect(paths.contains(["Annual report", "Finance"]))
        #expect(paths.contains(["Annual report", "Operations", "Costs"]))
        #expect(!paths.contains(["Annual report", "Finance", "Operations"]))
    }

    @Test("every chunk opens with the headings above it, so a chunk from the middle says where it is")
    func chunksCarryPath() throws {
        let content = ContentLoader().sections(of: .document(Self.document()), name: "report.docx")
        let chunks = Chunker.chunks(content.sections, budget: 300)
        #expect(chunks.count > 4)
        for chunk in chunks.dropFirst() {
            #expect(chunk.text.hasPrefix("# Annual report\n"), "\(chunk.text.prefix(80))")
            #expect(chunk.headingPath.first == "Annual report")
            #expect(TokenEstimate.tokens(chunk.text) <= 300)
        }
        let costs = try #require(chunks.first { $0.text.contains("Operations Costs paragraph 30 ") })
        #expect(costs.headingPath == ["Annual report", "Operations", "Costs"])
        #expect(costs.text.contains("# Operations\n"))
    }
}
