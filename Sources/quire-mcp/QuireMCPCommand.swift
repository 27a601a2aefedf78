import ArgumentParser
import Foundation
import MCP
import QuireKit
import QuireMCP
import QuireRouter

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `quire mcp`, the MCP server. It is a program of its own so that the MCP SDK, and the
/// networking libraries it links (libcurl and everything behind it), are loaded by this
/// server only and not by every `quire` command; `quire mcp` hands its arguments to it.
@main
struct QuireMCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quire mcp",
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
            {"command": "quire", "args": ["mcp", "--root", "/home/ada/Documents"]}. \
            Exit status: 0 when the client closes the connection; 2 usage (a root that is not \
            a folder); 3 config.
            """,
        version: "0.1.0")

    @Option(name: .customLong("root"), help: "A folder the client may read (repeatable). None: the folders the client declares as its roots.")
    var roots: [String] = []

    @Option(help: "The largest file one call reads, in MB.")
    var maxFileSize = 64

    @Option(help: "The model picker's config (default: $QUIRE_CONFIG, then $XDG_CONFIG_HOME/quire/config.yaml).")
    var config: String?

    func validate() throws {
        guard (1...4096).contains(maxFileSize) else { throw ValidationError("--max-file-size must be 1 to 4096 (MB).") }
    }

    func run() async throws {
        let confinement = roots.isEmpty ? nil : try Confinement(roots: roots, maxFileBytes: maxFileSize << 20)
        // A broken config fails now (exit 3), not at the first call.
        if let path = ModelPicker.configPath(explicit: config, environment: ProcessInfo.processInfo.environment) {
            _ = try ModelPicker.load(path: path)
        }
        if confinement == nil { Self.printError("quire mcp: no --root: files are read only under the folders the client declares as its roots") }
        let quire = QuireMCPServer(confinement: confinement, maxFileBytes: maxFileSize << 20, backends: .configured(configPath: config))
        let server = await quire.server()
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
    }

    /// Runs the command with quire's exit statuses: 2 usage, 3 config, 1 anything else.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var runnable = command as? any AsyncParsableCommand {
                try await runnable.run()
            } else {
                try command.run()
            }
        } catch let refusal as Confinement.Refusal {
            printError("quire mcp: error: \(refusal.message)")
            Glibc.exit(2)
        } catch let invalid as QuireConfig.Invalid {
            printError("quire mcp: error: \(invalid)")
            Glibc.exit(3)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Glibc.exit(0)
            }
            if !message.isEmpty { printError(message) }
            Glibc.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
    }
}
