import CFuzzer
import QuireDOCX
import QuireModel
import QuireZip

/// A package around `document` as its main part.
func package(_ document: [UInt8]) -> [UInt8]? {
    var zip = ZipWriter()
    do {
        try zip.add(
            "[Content_Types].xml",
            text:
                #"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#
        )
        try zip.add(
            "_rels/.rels",
            text:
                #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#
        )
        try zip.add("word/document.xml", document)
    } catch {
        return nil
    }
    return zip.finish()
}

/// Edits of every kind on the first paragraphs that have words.
func edits(_ paragraphs: [DOCXReview.Paragraph]) -> [ReviewEdit] {
    var out: [ReviewEdit] = []
    for (k, paragraph) in paragraphs.filter({ !$0.text.allSatisfy(\.isWhitespace) }).prefix(6).enumerated() {
        let words = paragraph.text.split(separator: " ").map(String.init)
        let first = words.first ?? ""
        switch k {
        case 0:
            out.append(ReviewEdit(.replace, paragraph: paragraph.number, find: words.prefix(3).joined(separator: " "), text: "A changed <&> text", reason: "r"))
        case 1: out.append(ReviewEdit(.delete, paragraph: paragraph.number, find: first, reason: "d"))
        case 2: out.append(ReviewEdit(.insert, paragraph: paragraph.number, find: first, text: " new\tword\n", reason: ""))
        case 3: out.append(ReviewEdit(.insertParagraph, paragraph: paragraph.number, find: "", text: "One.\n\nTwo.", reason: "p"))
        case 4: out.append(ReviewEdit(.comment, paragraph: paragraph.number, find: paragraph.text, reason: "c"))
        default: out.append(ReviewEdit(.delete, paragraph: paragraph.number, find: "", reason: "whole"))
        }
    }
    return out
}

/// Any bytes as a document's main part: opened for review, edited, and the result read
/// back. A part the reader takes must give a reviewed package the reader takes too, with
/// as many paragraphs once every change is rejected.
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let document = Array(UnsafeBufferPointer(start: data, count: size))
    guard let bytes = package(document), let review = try? DOCXReview(bytes: bytes, name: "fuzz.docx") else { return 0 }
    guard let (reviewed, outcomes) = try? review.apply(edits(review.paragraphs), date: "2026-12-02T10:00:00Z") else { return 0 }
    precondition(outcomes.count == edits(review.paragraphs).count)
    guard (try? DOCXReader().read(bytes: bytes, name: "fuzz.docx")) != nil else { return 0 }
    do {
        _ = try DOCXReader().read(bytes: reviewed, name: "reviewed.docx")
        _ = try DOCXReview(bytes: reviewed, name: "reviewed.docx")
    } catch {
        fatalError("the reviewed package of a readable document cannot be read: \(error)")
    }
    return 0
}

/// The program's entry: SwiftPM links `main` to this; libFuzzer's driver takes over.
@_cdecl("fuzz_review_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzz(data, size) }
}
