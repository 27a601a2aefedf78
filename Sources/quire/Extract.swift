import ArgumentParser
import QuireImport
import QuireModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Extract the content of documents as Markdown, plain text or JSON.",
        discussion: """
            Reads each FILE (or '-' for standard input) and writes its content. A file that \
            cannot be read is reported on standard error and the others still run; the exit \
            status is then 1.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case markdown, text, json
    }

    @Argument(help: "Documents to read; '-' reads standard input.")
    var files: [String]

    @Option(name: .shortAndLong, help: "Output format: markdown, text or json.")
    var format: Format = .markdown

    @Option(name: [.customShort("o"), .customLong("output")], help: "Write to this file instead of standard output.")
    var output: String?

    @Option(help: "Tracked changes: accepted (default), review (both, marked) or original.")
    var changes: ChangeViewArgument = .accepted

    @Flag(help: "Include page headers and footers.")
    var headersFooters = false

    @Flag(help: "Leave out footnotes and endnotes.")
    var noNotes = false

    @Flag(help: "Leave out review comments.")
    var noComments = false

    func validate() throws {
        if files.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("'-' (standard input) can be given only once.")
        }
    }

    func run() throws {
        let options = RenderOptions(
            changes: changes.view, includeHeadersAndFooters: headersFooters, includeNotes: !noNotes,
            includeComments: !noComments)
        var sink = try OutputSink(path: output)
        var failures = 0
        let many = files.count > 1
        let kind: Extractor.Format =
            switch format {
            case .markdown: .markdown
            case .text: .text
            // One compact object per line when there are several files (JSON Lines).
            case .json: .json(pretty: !many)
            }
        let extractor = Extractor(format: kind, options: options)
        for file in files {
            var text: String
            do {
                if file == "-" {
                    text = try extractor.extract(bytes: readStandardInput(), name: "<stdin>")
                } else {
                    text = try extractor.extract(path: file)
                }
            } catch {
                failures += 1
                printError("quire: error: \(error)")
                continue
            }
            if many {
                switch format {
                case .markdown: text = "<!-- quire: \(file) -->\n\n" + text + "\n"
                case .text: text = "==> \(file) <==\n" + text + "\n"
                case .json: break
                }
            }
            try sink.write(text)
        }
        try sink.close()
        if failures > 0 {
            throw ExitCode(1)
        }
    }
}

enum ChangeViewArgument: String, ExpressibleByArgument, CaseIterable {
    case accepted, review, original
    var view: ChangeView {
        switch self {
        case .accepted: .accepted
        case .review: .review
        case .original: .original
        }
    }
}

func printError(_ message: String) {
    var line = message
    if !line.hasSuffix("\n") { line += "\n" }
    var bytes = Array(line.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

func readStandardInput() -> [UInt8] {
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return bytes
}

/// Standard output or a file, written through one buffer.
struct OutputSink {
    private let file: UnsafeMutablePointer<FILE>
    private let path: String?
    private let isStandardOutput: Bool

    init(path: String?) throws {
        self.path = path
        if let path, path != "-" {
            guard let handle = fopen(path, "w") else {
                throw ValidationError("cannot write to \(path): \(String(cString: strerror(errno)))")
            }
            file = handle
            isStandardOutput = false
        } else {
            guard let handle = fdopen(1, "w") else { throw ValidationError("cannot write to standard output") }
            file = handle
            isStandardOutput = true
        }
    }

    mutating func write(_ text: String) throws {
        var text = text
        let ok = text.withUTF8 { buffer in
            buffer.isEmpty || fwrite(buffer.baseAddress, 1, buffer.count, file) == buffer.count
        }
        if !ok { throw ValidationError("writing \(path ?? "standard output") failed: \(String(cString: strerror(errno)))") }
    }

    func close() throws {
        if isStandardOutput {
            fflush(file)
        } else if fclose(file) != 0 {
            throw ValidationError("closing \(path ?? "") failed")
        }
    }
}
