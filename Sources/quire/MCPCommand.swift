import ArgumentParser
import Foundation
import MCP
import QuireKit
import QuireMCP

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve Quire's tools to AI agents over the Model Context Protocol (stdio), confined to the given folders.",
        discussion: """
            Tools: extract, summarise, analyse, ask, extract_fields, triage, reply_draft; the \
            office and mail files under the roots are listed as resources (file:// URIs, read \
            as Markdown). Every path is resolved — '..' and symlinks — before it is checked \
            against the roots; anything outside them is refused. Nothing is written or sent: \
            reply_draft returns the text. Model requests follow the config's routes, as the \
            commands' do (offline with none). Example client config: \
            {"command": "quire", "args": ["mcp", "--root", "/home/ada/Documents"]}.
            """)

    @Option(name: .customLong("root"), help: "A folder the client may read (repeatable; at least one).")
    var roots: [String] = []

    @Option(help: "The largest file one call reads, in MB.")
    var maxFileSize = 64

    @OptionGroup var picker: PickerOptions

    func validate() throws {
        guard !roots.isEmpty else { throw ValidationError("give --root DIR: the folders the client may read.") }
        guard (1...4096).contains(maxFileSize) else { throw ValidationError("--max-file-size must be 1 to 4096 (MB).") }
    }

    func run() async throws {
        let confinement: Confinement
        do {
            confinement = try Confinement(roots: roots, maxFileBytes: maxFileSize << 20)
        } catch {
            throw TaskFailure(error.message, status: Quire.Status.usage)
        }
        _ = try picker.picker()  // a broken config fails now (exit 3), not at the first call
        let quire = QuireMCPServer(confinement: confinement, backends: .configured(configPath: picker.config))
        let server = await quire.server()
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }
}
