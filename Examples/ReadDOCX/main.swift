// Reads a Word document: its headings, then the whole of it as Markdown.
//
//     swift run example-read-docx TestDocuments/sample-report.docx
import QuireDOCX
import QuireModel
import QuireRender

let path = CommandLine.arguments.dropFirst().first ?? "TestDocuments/sample-report.docx"
do {
    let document = try DOCXReader().read(path: path)
    print("Title:", document.metadata.title ?? "(untitled)")
    for case .heading(let heading) in document.blocks {
        print(String(repeating: "  ", count: heading.level - 1) + "- " + heading.content.plainText())
    }
    print()
    // A large body can stream instead: read(path:) { block in … } returns the rest.
    var markdown = MarkdownStream()
    let rest = try DOCXReader().read(path: path) { block in markdown.append(block) }
    markdown.finish(rest)
    print(markdown.takeOutput())
} catch {
    // DocumentError names the file, the part and the line.
    print("error:", error)
}
