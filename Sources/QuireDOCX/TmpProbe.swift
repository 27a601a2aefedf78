import QuireModel
import QuireOOXML
import QuireXML
import QuireZip
final class NullHandler: XMLContentHandler {
    var count = 0
    init() {}
    func startElement(_ name: XMLName, attributes: XMLAttributes) throws { count += 1 }
    func endElement(_ name: XMLName) throws {}
    func characters(_ text: UnsafeRawBufferPointer) throws {}
}
public func probeNullParse(_ path: String) throws -> Int {
    let package = try OPCPackage(path: path, limits: .default)
    let h = NullHandler()
    try package.stream("word/document.xml", into: h, localNames: Tag.localNames)
    return h.count
}
public func probeParseOnly(_ path: String) throws -> Int {
    try DOCXReader().read(path: path).blocks.count
}
