import MCP

/// The folders the client declares (MCP `roots/list`), for a server started without roots
/// of its own: asked for once the client is initialized, asked again when it says they
/// changed, and only `file://` URIs of folders that exist taken. Until they are known, and
/// when the client declares none, every file is refused and the refusal says why.
actor ClientRoots {
    private weak var server: Server?
    private let maxFileBytes: Int
    private var confinement: Confinement?
    private var problem = "the client has not declared its roots yet"
    private var pending: Task<Void, Never>?

    init(maxFileBytes: Int) {
        self.maxFileBytes = maxFileBytes
    }

    /// The server to ask (held weakly: the server holds the handlers that hold this).
    func attach(_ server: Server) { self.server = server }

    /// Asks the client for its roots again (not waiting: the answer comes through the
    /// message loop that delivered the notification).
    func refresh() {
        pending = Task { await self.load() }
    }

    private func load() async {
        guard let server else { return }
        do {
            let roots = try await server.listRoots()
            let folders = roots.compactMap { root -> String? in
                guard root.uri.hasPrefix("file://") else { return nil }
                let path = Confinement.percentDecoded(String(root.uri.dropFirst(7)))
                guard path.hasPrefix("/"), let real = Confinement.realPath(path), Confinement.isDirectory(real) else { return nil }
                return real
            }
            if folders.isEmpty {
                confinement = nil
                problem = "none of the roots the client declared (\(roots.map(\.uri).joined(separator: ", "))) is a folder here"
            } else {
                confinement = try Confinement(roots: folders, maxFileBytes: maxFileBytes)
            }
        } catch {
            confinement = nil
            problem = "the client declares no roots (\(error)); start quire mcp with --root DIR"
        }
    }

    /// The client's roots as a confinement, once they are known.
    func current() async throws(Confinement.Refusal) -> Confinement {
        if pending == nil { refresh() }
        await pending?.value
        guard let confinement else { throw Confinement.Refusal(message: "no folder may be read: \(problem).") }
        return confinement
    }
}
