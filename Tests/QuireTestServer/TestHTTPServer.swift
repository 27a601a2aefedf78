import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real HTTP/1.1 server on 127.0.0.1 (port chosen by the system) for backend tests: it
/// records every request it receives and answers with a scripted reply — status, headers,
/// and a body in chunks sent after given delays, optionally cut off before its end.
public final class TestHTTPServer: Sendable {
    public struct Received: Sendable {
        public var method: String
        public var uri: String
        public var headers: [(name: String, value: String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }

        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        /// Body pieces, each sent `delay` seconds after the previous one.
        public var chunks: [(delay: Double, bytes: [UInt8])]
        /// Close the connection after the chunks, without ending the body.
        public var cutOff: Bool

        public init(status: Int = 200, headers: [(String, String)] = [], chunks: [(delay: Double, bytes: [UInt8])] = [], cutOff: Bool = false) {
            self.status = status
            self.headers = headers
            self.chunks = chunks
            self.cutOff = cutOff
        }

        /// A whole body at once.
        public static func body(_ text: String, status: Int = 200, headers: [(String, String)] = [("Content-Type", "application/json")]) -> Reply {
            Reply(status: status, headers: headers, chunks: [(0, Array(text.utf8))])
        }

        /// A non-streamed OpenAI Chat Completions answer holding `text`, with its usage.
        public static func openAIChat(_ text: String, promptTokens: Int, completionTokens: Int) -> Reply {
            var escaped = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                case "\r": escaped += "\\r"
                case "\t": escaped += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        escaped.unicodeScalars.append(scalar)
                    }
                }
            }
            escaped += "\""
            return .body(
                #"{"choices":[{"index":0,"message":{"role":"assistant","content":\#(escaped)},"finish_reason":"stop"}],"usage":{"prompt_tokens":\#(promptTokens),"completion_tokens":\#(completionTokens)}}"#
            )
        }
    }

    /// Starts a server, runs `body` with it, and shuts it down whether `body` succeeds or throws.
    public static func serving<T>(_ reply: @escaping @Sendable (Received) -> Reply, _ body: (TestHTTPServer) async throws -> T) async throws -> T {
        let server = try await TestHTTPServer(reply: reply)
        do {
            let result = try await body(server)
            try await server.shutdown()
            return result
        } catch {
            try? await server.shutdown()
            throw error
        }
    }

    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let log: NIOLockedValueBox<[Received]>
    public let port: Int

    public init(reply: @escaping @Sendable (Received) -> Reply) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let log = NIOLockedValueBox<[Received]>([])
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(Handler(reply: reply, log: log))
                }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        self.group = group
        self.log = log
    }

    /// The requests received so far, in order.
    public var received: [Received] { log.withLockedValue { $0 } }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public func shutdown() async throws {
        try await channel.close().get()
        try await group.shutdownGracefully()
    }

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let reply: @Sendable (Received) -> Reply
        let log: NIOLockedValueBox<[Received]>
        var head: HTTPRequestHead?
        var body: [UInt8] = []

        init(reply: @escaping @Sendable (Received) -> Reply, log: NIOLockedValueBox<[Received]>) {
            self.reply = reply
            self.log = log
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                self.head = head
                body = []
            case .body(var buffer):
                body += buffer.readBytes(length: buffer.readableBytes) ?? []
            case .end:
                guard let head else { return }
                let received = Received(
                    method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body)
                log.withLockedValue { $0.append(received) }
                respond(context: context, reply(received), keepAlive: head.isKeepAlive)
            }
        }

        func respond(context: ChannelHandlerContext, _ reply: Reply, keepAlive: Bool) {
            var headers = HTTPHeaders(reply.headers.map { ($0.0, $0.1) })
            if !headers.contains(name: "content-length") && !reply.cutOff && reply.chunks.count == 1 {
                headers.add(name: "Content-Length", value: String(reply.chunks[0].bytes.count))
            } else if !headers.contains(name: "content-length") {
                headers.add(name: "Transfer-Encoding", value: "chunked")
            }
            let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
            context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
            let loop = context.eventLoop
            let boxed = NIOLoopBound(context, eventLoop: loop)
            var delay = 0.0
            for chunk in reply.chunks {
                delay += chunk.delay
                let bytes = chunk.bytes
                loop.scheduleTask(in: .milliseconds(Int64(delay * 1000))) {
                    let context = boxed.value
                    var buffer = context.channel.allocator.buffer(capacity: bytes.count)
                    buffer.writeBytes(bytes)
                    context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
                }
            }
            loop.scheduleTask(in: .milliseconds(Int64(delay * 1000) + 1)) {
                let context = boxed.value
                if reply.cutOff {
                    context.close(promise: nil)
                } else {
                    context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
                    if !keepAlive { context.close(promise: nil) }
                }
            }
        }
    }
}
