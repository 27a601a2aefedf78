import CFuzzer
import QuireMail
import QuireModel
import QuirePST
import QuireRender

/// Any bytes as an Outlook archive (PST): the header, the node and block B-trees, block
/// encodings, data and subnode trees, heaps, property and table contexts, the folder walk and
/// every message — read with small limits, then written as JSON; and each message read again
/// through a copy with caches of its own, which must give the same JSON.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = PSTFile.Limits(maxValueBytes: 4 << 20, maxTableRows: 20_000, maxSubnodes: 20_000)
    guard let file = try? PSTFile(bytes: bytes, name: "fuzz.pst", limits: limits) else { return 0 }
    let archive = OutlookArchive(file: file, reader: OutlookReader(maxDepth: 6))
    // The same archive through caches of its own (as `quire extract`'s second thread reads
    // it): every message must read the same both ways.
    let copy = try? archive.withOwnCaches()
    var messages = archive.messages()
    let renderer = MailRenderer()
    var count = 0
    while let entry = messages.next(), count < 200 {
        count += 1
        let json = (try? entry.result.get()).map { renderer.json($0, pretty: false) }
        if let copy {
            let again = (try? copy.message(nid: entry.nid)).map { renderer.json($0, pretty: false) }
            if again != json {
                fatalError("message node \(entry.nid) reads differently through a copy with its own caches:\n\(json ?? "failed")\n\(again ?? "failed")")
            }
        }
    }
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_pst_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
