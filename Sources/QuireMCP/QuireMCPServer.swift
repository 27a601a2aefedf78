public import MCP
import QuireImport
public import QuireKit
import QuireMail
import QuireModel
import QuireRender
import QuireTasks

/// Quire's tools and files for AI agents over the Model Context Protocol: extract,
/// summarise, analyse, ask, extract_fields, triage and reply_draft as tools, the office and
/// mail files under the roots as resources. Confined: every path goes through
/// ``Confinement`` (only under the roots, symlinks and `..` resolved first), nothing is
/// written or sent (a reply draft is returned), one file at a time within a size limit, and
/// each result cut at ``maxResultCharacters``.
///
/// ```swift
/// let quire = QuireMCPServer(confinement: try Confinement(roots: ["/home/ada/Documents"]))
/// let server = await quire.server()
/// try await server.start(transport: StdioTransport())
/// await server.waitUntilCompleted()
/// ```
public struct QuireMCPServer: Sendable {
    /// Where files may be read; nil: under the roots the client declares (`roots/list`,
    /// asked again on `notifications/roots/list_changed`).
    public var confinement: Confinement?
    /// The client's roots, when ``confinement`` is nil.
    let clientRoots: ClientRoots
    /// Where the tools' model requests go (the configured routes by default).
    public var backends: Backends
    /// The longest text a call returns; longer results are cut, and say so.
    public var maxResultCharacters: Int
    /// Threads of a mailbox triaged in one call, at most.
    public var maxTriageItems: Int

    /// A server over `confinement` — or, when it is nil, over the folders the client
    /// declares, each file within `maxFileBytes` — sending model requests along `backends`.
    public init(
        confinement: Confinement?, maxFileBytes: Int = 64 << 20, backends: Backends = .configured(), maxResultCharacters: Int = 200_000,
        maxTriageItems: Int = 500
    ) {
        self.confinement = confinement
        self.clientRoots = ClientRoots(maxFileBytes: maxFileBytes)
        self.backends = backends
        self.maxResultCharacters = maxResultCharacters
        self.maxTriageItems = maxTriageItems
    }

    /// An MCP server with Quire's tools and resources registered, ready to start.
    public func server(version: String = "0.1.0") async -> Server {
        let server = Server(
            name: "quire", version: version,
            instructions:
                "Quire reads Word, Excel and mail files (EML, MSG, mbox) under the folders it was started with. Tools take paths relative to the first root, absolute paths under a root, or file:// URIs; files outside the roots are refused. Nothing is written or sent.",
            capabilities: .init(resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false)))
        let quire = self
        if confinement == nil {
            await clientRoots.attach(server)
            await server.onNotification(InitializedNotification.self) { _ in await quire.clientRoots.refresh() }
            await server.onNotification(RootsListChangedNotification.self) { _ in await quire.clientRoots.refresh() }
        }
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: Self.tools) }
        await server.withMethodHandler(CallTool.self) { params in await quire.call(params.name, params.arguments ?? [:]) }
        await server.withMethodHandler(ListResources.self) { _ in
            guard let confinement = try? await quire.current() else { return ListResources.Result(resources: [], nextCursor: nil) }
            let resources = confinement.files().map { path in
                Resource(name: Self.relative(path, confinement), uri: "file://" + path, mimeType: "text/markdown")
            }
            return ListResources.Result(resources: resources, nextCursor: nil)
        }
        await server.withMethodHandler(ReadResource.self) { params in
            do {
                let path = try await quire.current().file(params.uri)
                let text = try ContentLoader(importer: Importer()).load(path: path).markdown
                return ReadResource.Result(contents: [.text(quire.cut(text), uri: params.uri, mimeType: "text/markdown")])
            } catch let refusal as Confinement.Refusal {
                throw MCPError.invalidParams(refusal.message)
            } catch {
                throw MCPError.invalidParams("\(params.uri): \(error)")
            }
        }
        return server
    }

    /// Where files may be read now: the given roots, or the client's.
    func current() async throws(Confinement.Refusal) -> Confinement {
        if let confinement { return confinement }
        return try await clientRoots.current()
    }

    /// The path as shown: relative to its root.
    static func relative(_ path: String, _ confinement: Confinement) -> String {
        for root in confinement.roots where path.hasPrefix(root + "/") { return String(path.dropFirst(root.count + 1)) }
        return path
    }

    /// A text block of a tool's result.
    static func text(_ text: String) -> Tool.Content { .text(text: text, annotations: nil, _meta: nil) }

    /// `text` within ``maxResultCharacters``.
    func cut(_ text: String) -> String {
        guard text.count > maxResultCharacters else { return text }
        return String(text.prefix(maxResultCharacters))
            + "\n\n[cut: the result holds \(text.count) characters; this server returns \(maxResultCharacters) at most]"
    }

    /// Runs tool `name`; a refused path, a bad argument or a failure is an error result that
    /// says why, never a crash of the server.
    public func call(_ name: String, _ arguments: [String: Value]) async -> CallTool.Result {
        do {
            let text = try await run(name, Arguments(values: arguments))
            return CallTool.Result(content: [Self.text(cut(text))], isError: false)
        } catch let refusal as Confinement.Refusal {
            return CallTool.Result(content: [Self.text("refused: " + refusal.message)], isError: true)
        } catch let failure as ToolFailure {
            return CallTool.Result(content: [Self.text(failure.message)], isError: true)
        } catch let error as DocumentError {
            return CallTool.Result(content: [Self.text(error.description)], isError: true)
        } catch {
            return CallTool.Result(content: [Self.text("\(name) failed: \(error)")], isError: true)
        }
    }
}

/// A tool call that cannot be done, said in one sentence.
struct ToolFailure: Error {
    var message: String
}

/// A tool call's arguments, read with their types checked.
struct Arguments {
    var values: [String: Value]

    func string(_ key: String) throws -> String {
        guard let value = values[key]?.stringValue, !value.isEmpty else { throw ToolFailure(message: "'\(key)' is required (a string).") }
        return value
    }

    func optional(_ key: String) throws -> String? {
        guard let value = values[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw ToolFailure(message: "'\(key)' must be a string.") }
        return text
    }

    func strings(_ key: String) throws -> [String] {
        if let one = values[key]?.stringValue { return [one] }
        guard let list = values[key]?.arrayValue, !list.isEmpty else { throw ToolFailure(message: "'\(key)' is required (a list of paths).") }
        return try list.map { value in
            guard let text = value.stringValue else { throw ToolFailure(message: "'\(key)' must hold strings.") }
            return text
        }
    }
}
