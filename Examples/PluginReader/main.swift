// A reader for plain-text notes (.txt, .md), plugged into the importer without forking
// Quire; `Extractor` and the tasks then read them like any format:  swift run example-plugin-reader README.md
import QuireImport
import QuireModel

/// `# ` lines become headings, ``` fences code blocks, blank-line separated lines paragraphs.
struct PlainTextNotes: FormatPlugin {
    let format = DetectedFormat(name: "text")

    func accepts(head: [UInt8], detected: DetectedFormat, name: String) -> Bool {
        detected == .unknown && (name.hasSuffix(".txt") || name.hasSuffix(".md")) && !head.contains(0)
    }

    func read(bytes: [UInt8], name: String, importer: Importer) throws(DocumentError) -> ImportedContent {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DocumentError(.corrupt, file: name, message: "not UTF-8 text.")
        }
        var blocks: [Block] = []
        var lines: [Substring] = []
        var code: [Substring]?
        func flush() {
            if !lines.isEmpty { blocks.append(.paragraph(Paragraph(content: [.text(lines.joined(separator: " "), [])]))) }
            lines = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let hashes = line.prefix { $0 == "#" }.count
            if line.hasPrefix("```") {
                flush()
                if let done = code { blocks.append(.code(done.joined(separator: "\n"))) }
                code = code == nil ? [] : nil
            } else if code != nil {
                code?.append(line)
            } else if (1...6).contains(hashes), line.dropFirst(hashes).first == " " {
                flush()
                blocks.append(.heading(Heading(level: hashes, content: [.text(String(line.dropFirst(hashes + 1)), [])])))
            } else if line.allSatisfy(\.isWhitespace) {
                flush()
            } else {
                lines.append(line)
            }
        }
        flush()
        return .document(Document(metadata: DocumentMetadata(sourcePath: name, format: DocumentFormat("text")), blocks: blocks))
    }
}

let path = CommandLine.arguments.dropFirst().first ?? "README.md"
let importer = Importer(plugins: [PlainTextNotes()])
do {
    print("format:", importer.detect(path: path))
    guard case .document(let document) = try importer.read(path: path) else { fatalError("a notes file is a document") }
    let headings = document.blocks.compactMap { block -> String? in
        if case .heading(let heading) = block, heading.level <= 2 { return heading.content.plainText() }
        return nil
    }
    print("\(document.blocks.count) blocks; sections:", headings.prefix(8).joined(separator: " · "))
} catch {
    print("error:", error)
}
