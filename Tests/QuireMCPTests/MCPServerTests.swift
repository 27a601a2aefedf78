import Foundation
import MCP
import QuireKit
import QuireMCP
import QuireTestSupport
import Testing

/// The MCP server in-process, through the official SDK's client over an in-memory
/// transport: every tool called, the resources listed and read, and escape attempts refused.
@Suite(.serialized)
struct MCPServerTests {
    /// A root holding copies of fixtures, a file outside it, and symlinks that point out.
    final class Sandbox {
        let root: String
        let outside: String

        init() throws {
            let base = NSTemporaryDirectory() + "quire-mcp-\(UUID().uuidString)"
            root = base + "/root"
            outside = base + "/outside"
            let fm = FileManager.default
            try fm.createDirectory(atPath: root + "/mail", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
            for name in ["sample-report.docx", "sales.xlsx", "mail/thread.mbox", "mail/triage.mbox", "mail/invoices.mbox", "outlook/plain-utf16.msg"] {
                try fm.copyItem(atPath: Fixtures.path(name), toPath: root + "/" + (name.hasPrefix("outlook/") ? "mail/" + name.dropFirst(8) : name))
            }
            try fm.copyItem(atPath: Fixtures.path("sample-report.docx"), toPath: outside + "/secret.docx")
            try fm.createSymbolicLink(atPath: root + "/link.docx", withDestinationPath: outside + "/secret.docx")
            try fm.createSymbolicLink(atPath: root + "/away", withDestinationPath: outside)
        }

        deinit { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
    }

    static func connected(_ sandbox: Sandbox, maxFileBytes: Int = 64 << 20) async throws -> (Client, Server) {
        let quire = QuireMCPServer(confinement: try Confinement(roots: [sandbox.root], maxFileBytes: maxFileBytes), backends: .offline)
        let server = await quire.server()
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverSide)
        let client = Client(name: "quire-tests", version: "1.0")
        _ = try await client.connect(transport: clientSide)
        return (client, server)
    }

    static func text(_ content: [Tool.Content]) -> String {
        content.compactMap { if case .text(let text, _, _) = $0 { text } else { nil } }.joined()
    }

    @Test("the tools are listed with their schemas, and each answers through the client")
    func tools() async throws {
        let sandbox = try Sandbox()
        let (client, server) = try await Self.connected(sandbox)
        let (tools, _) = try await client.listTools()
        #expect(tools.map(\.name) == ["extract", "summarise", "analyse", "ask", "extract_fields", "triage", "reply_draft"])
        func call(_ name: String, _ arguments: [String: Value]) async throws -> (String, Bool) {
            let (content, isError) = try await client.callTool(name: name, arguments: arguments)
            return (Self.text(content), isError ?? false)
        }
        let extract = try await call("extract", ["path": "sample-report.docx"])
        #expect(!extract.1 && extract.0.hasPrefix("# Q3 Operations Report"))
        let json = try await call("extract", ["path": .string("file://" + sandbox.root + "/sales.xlsx"), "format": "json"])
        #expect(!json.1 && json.0.contains("\"schema\": \"quire.workbook\""), "\(json.0.prefix(200))")
        let summary = try await call("summarise", ["path": "sample-report.docx", "length": "short"])
        #expect(!summary.1 && summary.0.contains("Extractive summary"))
        let analysis = try await call("analyse", ["path": "sales.xlsx", "question": "What are the amounts by region?"])
        #expect(!analysis.1 && analysis.0.contains("**Amount by Region**"))
        let ask = try await call("ask", ["paths": ["sample-report.docx", "mail/thread.mbox"], "question": "Where did the new warehouses open?"])
        #expect(!ask.1 && ask.0.contains("\"Two new warehouses opened in Lyon and Porto\" [1]") && ask.0.contains("[1] sample-report.docx b6 (Highlights)"))
        let record = try await call("extract_fields", ["path": "mail/invoices.mbox", "fields": "invoice_no, total:number"])
        #expect(!record.1 && record.0.contains("\"invoice_no\": \"INV-1042\"") && record.0.contains("\"valid\": true"))
        let triage = try await call("triage", ["path": "mail/triage.mbox", "me": "grace@example.org"])
        #expect(!triage.1 && triage.0.hasPrefix("# Triage\n\n8 items: 3 waiting for a reply"))
        let reply = try await call("reply_draft", ["path": "mail/plain-utf16.msg"])
        #expect(reply.1 && reply.0.contains("cannot do 'reply'"), "\(reply.0)")
        let missing = try await call("extract", [:])
        #expect(missing.1 && missing.0 == "'path' is required (a string).")
        await client.disconnect()
        await server.stop()
    }

    @Test("escape attempts are refused: ../, absolute paths, file:// outside, symlinks out, other URIs; missing files and big ones too")
    func confinement() async throws {
        let sandbox = try Sandbox()
        let (client, server) = try await Self.connected(sandbox, maxFileBytes: 20_000)
        for path in [
            "../outside/secret.docx", sandbox.outside + "/secret.docx", "file://" + sandbox.outside + "/secret.docx", "link.docx", "away/secret.docx",
            "mail/../../outside/secret.docx", "/etc/passwd", "file:///etc/passwd",
            "file://" + sandbox.root.replacingOccurrences(of: "/root", with: "/%72oot/../outside/secret.docx"),
        ] {
            let (content, isError) = try await client.callTool(name: "extract", arguments: ["path": .string(path)])
            let text = Self.text(content)
            #expect(isError == true && text.hasPrefix("refused: ") && text.contains("outside the roots"), "\(path): \(text)")
            #expect(!text.contains("Q3 Operations Report"))
        }
        let other = try await client.callTool(name: "extract", arguments: ["path": "https://example.com/x.docx"])
        #expect(other.isError == true && Self.text(other.content).contains("not other URIs"))
        let absent = try await client.callTool(name: "extract", arguments: ["path": "nothing.docx"])
        #expect(absent.isError == true && Self.text(absent.content).contains("does not exist"))
        let big = try await client.callTool(name: "extract", arguments: ["path": "sample-report.docx"])
        #expect(big.isError == true && Self.text(big.content).contains("more than this server reads in one call (20000)"))
        let asked = try await client.callTool(name: "ask", arguments: ["paths": ["sample-report.docx", "../outside/secret.docx"], "question": "risk?"])
        #expect(asked.isError == true)
        await client.disconnect()
        await server.stop()
    }

    @Test("resources: the office and mail files under the root (symlinks not followed), each read as Markdown; a URI outside is an error")
    func resources() async throws {
        let sandbox = try Sandbox()
        let (client, server) = try await Self.connected(sandbox)
        let (resources, _) = try await client.listResources()
        #expect(
            resources.map(\.name) == ["mail/invoices.mbox", "mail/plain-utf16.msg", "mail/thread.mbox", "mail/triage.mbox", "sales.xlsx", "sample-report.docx"])
        let uri = try #require(resources.first { $0.name == "sample-report.docx" }?.uri)
        let contents = try await client.readResource(uri: uri)
        #expect(contents.first?.text?.hasPrefix("# Q3 Operations Report") == true)
        await #expect(throws: (any Error).self) { _ = try await client.readResource(uri: "file://" + sandbox.outside + "/secret.docx") }
        await client.disconnect()
        await server.stop()
    }

    @Test("a root that does not exist, or none, is refused before anything is served")
    func roots() {
        #expect(throws: Confinement.Refusal.self) { try Confinement(roots: []) }
        #expect(throws: Confinement.Refusal.self) { try Confinement(roots: ["/nonexistent/quire-root"]) }
    }

    /// The roots a test client declares, changed as the test goes.
    actor DeclaredRoots {
        var uris: [String]
        init(_ uris: [String]) { self.uris = uris }
        func set(_ uris: [String]) { self.uris = uris }
    }

    @Test("without roots of its own the server reads under the client's declared roots, asks again when they change, and refuses all when none is declared")
    func clientRoots() async throws {
        let sandbox = try Sandbox()
        let declared = DeclaredRoots(["file://" + sandbox.root, "https://example.com/not-a-folder"])
        let quire = QuireMCPServer(confinement: nil, backends: .offline)
        let server = await quire.server()
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        try await server.start(transport: serverSide)
        let client = Client(name: "quire-tests", version: "1.0", capabilities: .init(roots: .init(listChanged: true)))
        await client.withRootsHandler { await declared.uris.map { Root(uri: $0) } }
        _ = try await client.connect(transport: clientSide)
        let inside = try await client.callTool(name: "extract", arguments: ["path": "sample-report.docx"])
        #expect(inside.isError != true && Self.text(inside.content).hasPrefix("# Q3 Operations Report"), "\(Self.text(inside.content))")
        let outside = try await client.callTool(name: "extract", arguments: ["path": .string(sandbox.outside + "/secret.docx")])
        #expect(outside.isError == true && Self.text(outside.content).contains("outside the roots"))
        #expect(try await client.listResources().resources.count == 6)
        // The client now declares the other folder only.
        await declared.set(["file://" + sandbox.outside])
        try await client.notifyRootsChanged()
        var moved = try await client.callTool(name: "extract", arguments: ["path": .string(sandbox.outside + "/secret.docx")])
        for _ in 0..<50 where moved.isError == true {
            try await Task.sleep(for: .milliseconds(20))
            moved = try await client.callTool(name: "extract", arguments: ["path": .string(sandbox.outside + "/secret.docx")])
        }
        #expect(moved.isError != true)
        let old = try await client.callTool(name: "extract", arguments: ["path": .string(sandbox.root + "/sample-report.docx")])
        #expect(old.isError == true && Self.text(old.content).contains("outside the roots"))
        await client.disconnect()
        await server.stop()

        // A client that declares no roots can read nothing, and is told why.
        let bare = QuireMCPServer(confinement: nil, backends: .offline)
        let bareServer = await bare.server()
        let (c2, s2) = await InMemoryTransport.createConnectedPair()
        try await bareServer.start(transport: s2)
        let plain = Client(name: "quire-tests", version: "1.0")
        _ = try await plain.connect(transport: c2)
        let refused = try await plain.callTool(name: "extract", arguments: ["path": .string(sandbox.root + "/sample-report.docx")])
        #expect(refused.isError == true && Self.text(refused.content).contains("no folder may be read: the client declares no roots"))
        #expect(try await plain.listResources().resources.isEmpty)
        await plain.disconnect()
        await bareServer.stop()
    }
}
