import ArgumentParser
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `quire mcp`: starts the MCP server, the `quire-mcp` program beside this one, with these
/// arguments. The server is a program of its own so that the MCP SDK and the networking
/// libraries it links are not loaded by every other command (they were a third of the time a
/// small `quire extract` took).
struct MCPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve Quire's tools to AI agents over the Model Context Protocol (stdio), confined to the given folders.",
        discussion:
            "The options (quire mcp --help): --root DIR (repeatable), --max-file-size MB, --config FILE. The server is the quire-mcp program, found beside quire or on PATH."
    )

    @Argument(parsing: .captureForPassthrough, help: "--root DIR..., --max-file-size MB, --config FILE (see quire mcp --help).")
    var arguments: [String] = []

    /// The server's program: beside this executable (symlinks resolved), else on PATH.
    static func serverPath() -> String? {
        var candidates: [String] = []
        if let own = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            candidates.append(own.deletingLastPathComponent().appendingPathComponent("quire-mcp").path)
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append(String(folder) + "/quire-mcp")
        }
        return candidates.first { access($0, X_OK) == 0 }
    }

    func run() throws {
        guard let server = Self.serverPath() else {
            throw TaskFailure(
                "the MCP server is the program quire-mcp, and there is none beside this quire or on PATH; build it with `swift build --product quire-mcp` (swift build builds both)"
            )
        }
        let argv = (["quire-mcp"] + arguments).map { strdup($0) } + [nil]
        execv(server, argv)
        throw TaskFailure("cannot start the MCP server \(server): \(String(cString: strerror(errno)))")
    }
}
