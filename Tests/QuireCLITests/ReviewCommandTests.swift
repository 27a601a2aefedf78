import Foundation
import QuireTestServer
import QuireTestSupport
import Testing

struct ReviewCommandTests {
    static let source = "TestDocuments/review-source.docx"

    static func temporary(_ name: String) -> String { NSTemporaryDirectory() + "quire-review-\(UUID().uuidString)-" + name }

    static func json(_ text: String) -> [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }

    @Test("offline: the built-in reviewer comments doubled words, a repeated and an overlong sentence, numbers written two ways — changing nothing")
    func offline() async throws {
        let output = Self.temporary("offline.docx")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let env = TaskCommandTests.cleanEnvironment(["SOURCE_DATE_EPOCH": "1764669600"])
        let run = try await quire(["review", Self.source, "-o", output], environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("TestDocuments/review-source.docx: 6 of 6 edits applied as tracked changes by Quire; written to \(output)\n"))
        #expect(run.stdout.contains("✓ p3 comment “The the” — “The” is written twice."))
        #expect(run.stdout.contains("✓ p9 comment “Costs stayed flat in every region we serve.” — This sentence repeats one in paragraph 7."))
        #expect(run.stdout.contains("This sentence has 44 words; consider splitting it."))
        #expect(run.stdout.contains("✓ p11 comment “12000” — Elsewhere the document writes large numbers with thousands separators (4,500 in paragraph 3)"))
        #expect(run.stdout.contains("✓ p6 comment “8.5 percent” — Elsewhere the document writes percentages with % (15% in paragraph 7)"))
        let shown = try await quire(["extract", "--review", output], environment: env)
        #expect(shown.status == 0)
        #expect(!shown.stdout.contains("{++") && !shown.stdout.contains("{--"))
        #expect(shown.stdout.contains("**Quire** (2025-12-02T10:00:00Z) on “The the”: “The” is written twice."))
        let plain = try await quire(["extract", Self.source], environment: env)
        let accepted = try await quire(["extract", "--no-comments", output], environment: env)
        #expect(accepted.stdout == (try await quire(["extract", "--no-comments", Self.source], environment: env)).stdout)
        #expect(plain.status == 0)
    }

    @Test("--edits: applied as tracked changes, the one not found reported (exit 1), --json gives every edit's outcome; extract --review shows them")
    func editsFile() async throws {
        let edits = Self.temporary("edits.json")
        let output = Self.temporary("edited.docx")
        defer {
            try? FileManager.default.removeItem(atPath: edits)
            try? FileManager.default.removeItem(atPath: output)
        }
        try """
        {"edits": [
          {"action": "replace", "paragraph": "p7", "find": "Sales grew 15%", "text": "Sales grew 16%", "reason": "The March figure was corrected."},
          {"action": "delete", "paragraph": "p4", "find": " before Friday", "text": "", "reason": "No deadline."},
          {"action": "replace", "paragraph": "p3", "find": "a sentence that is not there", "text": "x", "reason": "?"}
        ]}
        """.write(toFile: edits, atomically: true, encoding: .utf8)
        let env = TaskCommandTests.cleanEnvironment()
        let run = try await quire(["review", Self.source, "--edits", edits, "-o", output, "--json"], environment: env)
        #expect(run.status == 1, "\(run.stderr)")
        let report = Self.json(run.stdout)
        #expect(report["applied"] as? Int == 2 && report["not_applied"] as? Int == 1 && report["output"] as? String == output)
        let outcomes = try #require(report["edits"] as? [[String: Any]])
        #expect(outcomes.map { $0["applied"] as? Bool } == [true, true, false])
        #expect(outcomes[2]["problem"] as? String == "“a sentence that is not there” is not in paragraph 3 (nor anywhere else in the document)")
        let shown = try await quire(["extract", "--review", output], environment: env)
        #expect(shown.stdout.contains("Sales grew {--15%--}{++16%++}[^c"))
        #expect(shown.stdout.contains("Read [the full plan](https://example.com/plan){-- before Friday--}[^c"))
        #expect(shown.stdout.contains(": The March figure was corrected."))
    }

    @Test("through a local OpenAI-compatible server: the paragraphs and a strict JSON schema go out, the edits come back as tracked changes")
    func server() async throws {
        let output = Self.temporary("served.docx")
        defer { try? FileManager.default.removeItem(atPath: output) }
        try await TestHTTPServer.serving({ received in
            TaskCommandTests.jsonReply(
                #"{"edits":[{"action":"replace","paragraph":"p3","find":"The the budget","text":"The budget","reason":"Doubled word."},{"action":"insert_paragraph","paragraph":"p2","find":"","text":"A short summary follows.","reason":"Introduce the section."}]}"#
            )
        }) { server in
            let config = try TaskCommandTests.config(server, extra: "  review: { use: [local] }")
            let env = TaskCommandTests.cleanEnvironment(["QUIRE_TEST_KEY": TaskCommandTests.key])
            let run = try await quire(
                ["review", "--config", config, Self.source, "--instructions", "Fix doubled words.", "-o", output], environment: env)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("2 of 2 edits applied"))
            #expect(server.received.count == 1)
            let body = server.received[0].bodyText
            #expect(body.contains(#""name":"review_edits""#) && body.contains(#""strict":true"#))
            #expect(body.contains("[p3] The the budget is 4,500 dollars") && body.contains("The instructions: Fix doubled words."))
            let shown = try await quire(["extract", "--review", output], environment: env)
            // Narrowed to the word that goes: the reference of its comment follows it.
            #expect(shown.stdout.contains("The {--the --}[^c5]budget is **4,500** dollars"), "\(shown.stdout)")
            #expect(shown.stdout.contains("{++A short summary follows.++}"))
            #expect(!run.stdout.contains(TaskCommandTests.key) && !run.stderr.contains(TaskCommandTests.key))
        }
    }

    @Test("refused: -o naming the input (exit 2, the input intact), -o not .docx, a workbook, an answer that is not JSON (exit 4)")
    func refused() async throws {
        let copy = Self.temporary("copy.docx")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.copyItem(atPath: Fixtures.path("review-source.docx"), toPath: copy)
        let before = try Data(contentsOf: URL(fileURLWithPath: copy))
        let env = TaskCommandTests.cleanEnvironment()
        let same = try await quire(["review", copy, "-o", copy], environment: env)
        #expect(same.status == 2 && same.stderr.contains("is the input"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: copy)) == before)
        let notDocx = try await quire(["review", copy, "-o", "out.md"], environment: env)
        #expect(notDocx.status == 2 && notDocx.stderr.contains("-o must name a .docx file"))
        let workbook = try await quire(["review", "TestDocuments/sales.xlsx"], environment: env)
        #expect(workbook.status == 1 && workbook.stderr.contains("sales.xlsx"), "\(workbook.stderr)")
        try await TestHTTPServer.serving({ _ in TaskCommandTests.jsonReply("I think it reads well.") }) { server in
            let config = try TaskCommandTests.config(server, extra: "  review: { use: [local] }")
            let run = try await quire(
                ["review", "--config", config, copy], environment: TaskCommandTests.cleanEnvironment(["QUIRE_TEST_KEY": TaskCommandTests.key]))
            #expect(run.status == 4 && run.stderr.contains("not a JSON object with \"edits\""), "\(run.stderr)")
        }
    }

    static let soffice = ["/usr/bin/soffice", "/usr/local/bin/soffice", "/usr/bin/libreoffice"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(
        "LibreOffice reads the reviewed document: its changes by Quire, the comments, accept-all gives the edits, reject-all the original",
        .enabled(if: soffice != nil, "LibreOffice (soffice) is not installed"), arguments: ["review-source.docx", "review-plain.docx"])
    func libreOffice(fixture: String) async throws {
        let edits = Self.temporary("lo-edits.json")
        let output = Self.temporary("lo.docx")
        defer {
            try? FileManager.default.removeItem(atPath: edits)
            try? FileManager.default.removeItem(atPath: output)
        }
        try """
        {"edits": [
          {"action": "replace", "paragraph": "p3", "find": "budget is 4,500 dollars", "text": "budget is 4,800 dollars", "reason": "Revised figure."},
          {"action": "delete", "paragraph": "p4", "find": " before Friday", "text": "", "reason": "No deadline."},
          {"action": "insert_paragraph", "paragraph": "p11", "find": "", "text": "Shipping resumed in April.", "reason": "What came next."},
          {"action": "insert_paragraph", "paragraph": "p12", "find": "", "text": "East", "reason": "A cell paragraph."},
          {"action": "delete", "paragraph": "p10", "find": "", "text": "", "reason": "Too long."},
          {"action": "comment", "paragraph": "p14", "find": "Closing paragraph", "text": "", "reason": "Which bookmark?"}
        ]}
        """.write(toFile: edits, atomically: true, encoding: .utf8)
        let run = try await quire(["review", "TestDocuments/" + fixture, "--edits", edits, "-o", output], environment: TaskCommandTests.cleanEnvironment())
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let check = try await offThePool { () throws -> String in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", Fixtures.root + "/scripts/lo_review_check.py", Fixtures.path(fixture), output]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let lines = check.split(separator: "\n").map { Self.json(String($0)) }
        try #require(lines.count == 2, "\(check)")
        let (original, reviewed) = (lines[0], lines[1])
        let changes = try #require(reviewed["changes"] as? [[String: Any]])
        #expect(changes.count >= 6 && changes.allSatisfy { $0["author"] as? String == "Quire" }, "\(changes)")
        let comments = try #require(reviewed["comments"] as? [[String: Any]])
        let expected: Set<String> = ["Revised figure.", "No deadline.", "Which bookmark?", "What came next.", "A cell paragraph.", "Too long."]
        #expect(Set(comments.compactMap { $0["text"] as? String }) == (fixture == "review-source.docx" ? expected.union(["Check this figure."]) : expected))
        let accepted = try #require(reviewed["accepted"] as? String)
        #expect(accepted.contains("The the budget is 4,800 dollars") && accepted.contains("Read the full plan.\n"))
        #expect(accepted.contains("We shipped 12000 units.\nShipping resumed in April.\n") && !accepted.contains("The committee"))
        let squeeze = { (text: String) in text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        #expect(squeeze(try #require(reviewed["rejected"] as? String)) == squeeze(try #require(original["accepted"] as? String)))
    }
}
