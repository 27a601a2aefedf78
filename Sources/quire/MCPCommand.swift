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
            commands' do (offline with none). Without --root, the folders are those the client \
            declares (MCP roots, asked again when it says they changed); a client that declares \
            none can read nothing. Example client config: \
            {"command": "quire", "args": ["mcp", "--root", "/home/ada/Documents"]}.
            """)

    @Option(name: .customLong("root"), help: "A folder the client may read (repeatable). None: the folders the client declares as its roots.")
    var roots: [String] = []

    @Option(help: "The largest file one call reads, in MB.")
    var maxFileSize = 64

    @OptionGroup var picker: PickerOptions

    func validate() throws {
        guard (1...4096).contains(maxFileSize) else { throw ValidationError("--max-file-size must be 1 to 4096 (MB).") }
    }

    func run() async throws {
        var confinement: Confinement?
        do {
            if !roots.isEmpty { confinement = try Confinement(roots: roots, maxFileBytes: maxFileSize << 20) }
        } catch {
            throw TaskFailure(error.message, status: Quire.Status.usage)
        }
        _ = try picker.picker()  // a broken config fails now (exit 3), not at the first call
        if confinement == nil { printError("quire mcp: no --root: files are read only under the folders the client declares as its roots") }
        let quire = QuireMCPServer(confinement: confinement, maxFileBytes: maxFileSize << 20, backends: .configured(configPath: picker.config))
        let server = await quire.server()
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }
}
