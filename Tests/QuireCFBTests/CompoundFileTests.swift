import QuireCFB
import QuireModel
import QuireTestSupport
import Testing

struct CompoundFileTests {
    /// The bytes the fixture script wrote into `big` (make_msg_fixtures.py).
    static let big: [UInt8] = (0..<70_000).map { UInt8(($0 * 7 + 3) % 251) }

    @Test("both versions: the tree, names, sizes and every stream's bytes, small (mini stream) and large", arguments: ["cfb-v3.cfb", "cfb-v4.cfb"])
    func containers(name: String) throws {
        let file = try CompoundFile(path: Fixtures.path("outlook/" + name))
        #expect(file.root.kind == .root)
        let top = file.children(of: file.root)
        // Directory order: shorter names first, then by upper-cased name.
        #expect(top.map(\.name) == ["big", "empty", "small", "folder", "exactly4096"])
        #expect(try file.read(#require(file.child(named: "SMALL", of: file.root))) == Array("hello, compound file".utf8))
        #expect(try file.read(#require(file.child(named: "big", of: file.root))) == Self.big)
        let exact = try #require(file.child(named: "exactly4096", of: file.root))
        #expect(exact.size == 4096)
        #expect(try file.read(exact) == [UInt8](repeating: UInt8(ascii: "x"), count: 4096))
        #expect(try file.read(#require(file.child(named: "empty", of: file.root))) == [])
        let folder = try #require(file.child(named: "folder", of: file.root))
        #expect(folder.kind == .storage)
        #expect(file.children(of: folder).map(\.name) == ["inner", "deeper"])
        let deeper = try #require(file.child(named: "deeper", of: folder))
        let leaf = try #require(file.child(named: "leaf", of: deeper))
        #expect(try file.read(leaf) == Array(String(repeating: "leaf", count: 300).utf8))
        #expect(file.children(of: leaf).isEmpty)
        // The same from bytes in memory.
        let memory = try CompoundFile(bytes: #require(Fixtures.bytes(Fixtures.path("outlook/" + name))), name: name)
        #expect(try memory.read(#require(memory.child(named: "big", of: memory.root))) == Self.big)
    }

    @Test(
        "damaged containers are refused with an error naming the file and what is wrong",
        arguments: [
            ("hostile-fat-loop.cfb", "a loop"), ("hostile-directory-cycle.cfb", "reached twice"),
            ("hostile-sector-beyond-end.cfb", "the file is cut short"), ("hostile-lying-size.cfb", "its chain holds"),
            ("hostile-truncated.cfb", "the file is cut short"), ("hostile-fat-count.cfb", "FAT sectors"),
            ("hostile-difat-loop.cfb", "DIFAT chain does not end"),
        ])
    func hostile(name: String, expected: String) throws {
        let path = Fixtures.path("outlook/" + name)
        do {
            let file = try CompoundFile(path: path)
            // Damage inside a stream's chain is found when the stream is read.
            for entry in Self.all(file) where entry.kind == .stream { _ = try file.read(entry) }
            Issue.record("\(name) was read without an error")
        } catch {
            #expect(error.file == path)
            #expect(error.description.contains(expected), "\(error)")
        }
    }

    @Test("a stream over the limit, a directory over the limit and a file that is no compound file are clear errors")
    func limits() throws {
        let path = Fixtures.path("outlook/cfb-v3.cfb")
        let file = try CompoundFile(path: path, limits: CompoundFile.Limits(maxStreamBytes: 10_000))
        let big = try #require(file.child(named: "big", of: file.root))
        #expect(Self.code { () throws(DocumentError) in _ = try file.read(big) } == .limitExceeded)
        #expect(Self.code { () throws(DocumentError) in _ = try CompoundFile(path: path, limits: CompoundFile.Limits(maxEntries: 2)) } == .limitExceeded)
        #expect(Self.code { () throws(DocumentError) in _ = try CompoundFile(path: Fixtures.path("sample-report.docx")) } == .unsupportedFormat)
        #expect(Self.code { () throws(DocumentError) in _ = try CompoundFile(path: Fixtures.path("outlook/none.msg")) } == .io)
        #expect(Self.code { () throws(DocumentError) in _ = try CompoundFile(bytes: Array(CompoundFile.signature), name: "short") } == .truncated)
    }

    /// The code of the error `body` throws; nil when it throws none.
    static func code(_ body: () throws(DocumentError) -> Void) -> DocumentError.Code? {
        do {
            try body()
            return nil
        } catch {
            return error.code
        }
    }

    @Test("every corpus .msg opens, and its root holds the message's property stream", .enabled(if: Fixtures.corpus != nil, "../shared/corpus is not present"))
    func corpus() throws {
        let corpus = try #require(Fixtures.corpus)
        let manifest = try #require(Fixtures.bytes(corpus + "/MANIFEST.tsv"))
        var files: [String] = []
        for line in String(decoding: manifest, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            if fields.count > 1 && fields[1] == "msg" { files.append(String(fields[0])) }
        }
        #expect(files.count >= 20)
        for name in files {
            let file = try CompoundFile(path: corpus + "/" + name)
            #expect(file.child(named: "__properties_version1.0", of: file.root) != nil, "\(name)")
            for entry in Self.all(file) where entry.kind == .stream { #expect(try file.read(entry).count == entry.size, "\(name)") }
        }
    }

    /// Every entry under the root, depth first.
    static func all(_ file: CompoundFile) -> [CompoundFile.Entry] {
        var out: [CompoundFile.Entry] = []
        var stack = [file.root]
        while let entry = stack.popLast() {
            for child in file.children(of: entry) {
                out.append(child)
                stack.append(child)
            }
        }
        return out
    }
}
