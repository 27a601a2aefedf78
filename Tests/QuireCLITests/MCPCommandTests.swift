import Foundation
import QuireInternalThreads
import QuireTestSupport
import Testing

/// `quire mcp` as a client starts it: the `quire` executable hands over to the `quire-mcp`
/// program, which answers JSON-RPC over standard input and output.
struct MCPCommandTests {
    /// A `quire mcp` process spoken to one line at a time (the MCP stdio transport).
    final class Session: @unchecked Sendable {
        let process = Process()
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        private var pending: [UInt8] = []

        init(_ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: Fixtures.quireExecutable)
            process.arguments = ["mcp"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: Fixtures.root)
            var environment = ProcessInfo.processInfo.environment
            environment["QUIRE_CONFIG"] = nil
            environment["XDG_CONFIG_HOME"] = "/nonexistent"
            process.environment = environment
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            // A server that stops answering must fail the test, not hang it.
            DispatchQueue.global().asyncAfter(deadline: .now() + 120) { [process] in
                if process.isRunning { process.terminate() }
            }
        }

        /// Sends one message and returns the next line the server writes (nil at its end).
        func exchange(_ message: String) throws -> Data? {
            input.fileHandleForWriting.write(Data((message + "\n").utf8))
            while true {
                if let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Data(pending[..<end])
                    pending.removeSubrange(...end)
                    return line
                }
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { return nil }
                pending += data
            }
        }

        /// Closes standard input (the client hangs up) and gives the exit status.
        func finish() -> Int32 {
            try? input.fileHandleForWriting.close()
            _ = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    @Test("quire mcp starts the server with its arguments: it initializes, lists its tools and answers a call over stdio")
    func conversation() async throws {
        let session = try Session(["--root", Fixtures.root + "/TestDocuments"])
        let (initialized, tools, call, status) = try await offThePool {
            let initialized = try session.exchange(
                #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"quire-tests","version":"1"}}}"#
            )
            try session.input.fileHandleForWriting.write(contentsOf: Data(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.utf8 + [10]))
            let tools = try session.exchange(#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#)
            let call = try session.exchange(
                #"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"extract","arguments":{"path":"sample-report.docx"}}}"#)
            return (initialized, tools, call, session.finish())
        }
        func result(_ line: Data?) throws -> [String: Any] {
            let object = try #require(try line.map { try JSONSerialization.jsonObject(with: $0) } as? [String: Any])
            return try #require(object["result"] as? [String: Any], "\(object)")
        }
        #expect((try result(initialized)["serverInfo"] as? [String: Any])?["name"] as? String == "quire")
        let names = (try result(tools)["tools"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["extract", "summarise", "analyse", "ask", "extract_fields", "triage", "reply_draft"])
        let content = try result(call)["content"] as? [[String: Any]]
        #expect((content?.first?["text"] as? String)?.hasPrefix("# Q3 Operations Report") == true)
        #expect(status == 0)
    }

    @Test("quire mcp --help shows the server's options, and its usage and config errors keep their statuses")
    func errors() async throws {
        let help = try await quire(["mcp", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("--max-file-size") && help.stdout.contains("USAGE: quire mcp"))
        let missing = try await quire(["mcp", "--root", "/nonexistent/quire-root"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("quire mcp: error: root '/nonexistent/quire-root' is not a folder"))
        let limit = try await quire(["mcp", "--root", "TestDocuments", "--max-file-size", "0"])
        #expect(limit.status == 2 && limit.stderr.contains("--max-file-size must be 1 to 4096"))
        let config = NSTemporaryDirectory() + "quire-mcp-bad-\(UUID().uuidString).yaml"
        try Data("backends: [\n".utf8).write(to: URL(fileURLWithPath: config))
        defer { try? FileManager.default.removeItem(atPath: config) }
        let broken = try await quire(["mcp", "--root", "TestDocuments", "--config", config])
        #expect(broken.status == 3)
        #expect(broken.stderr.contains(config))
    }

    @Test("a quire without the quire-mcp program beside it or on PATH says so, and what to build")
    func serverMissing() async throws {
        // A hard link beside the build (the same file system), not a copy: a copy's file is
        // written, and a process forked meanwhile by another test would hold it open for
        // writing, so that running it fails with "text file busy".
        let folder = Fixtures.root + "/.build/quire-alone-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.linkItem(atPath: Fixtures.quireExecutable, toPath: folder + "/quire")
        let result = try await offThePool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: folder + "/quire")
            process.arguments = ["mcp", "--root", "."]
            process.environment = ["PATH": "/usr/bin:/bin"]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
        #expect(result.0 == 1)
        #expect(result.1.contains("there is none beside this quire or on PATH"))
        #expect(result.1.contains("swift build --product quire-mcp"))
    }
}
