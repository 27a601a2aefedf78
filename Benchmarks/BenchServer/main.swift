// A local OpenAI-compatible server that answers every chat request at once (non-streamed,
// with usage), for `Benchmarks/run_batch.sh`: it prints its base URL, then serves until
// standard input closes.
//
//   swift run -c release quire-bench-server
import Foundation
import QuireTestServer

let reply = TestHTTPServer.Reply.openAIChat("A short summary of the message.", promptTokens: 900, completionTokens: 40)
let server = try await TestHTTPServer { _ in reply }
FileHandle.standardOutput.write(Data((server.baseURL + "/v1\n").utf8))
while readLine() != nil {}
try await server.shutdown()
